"""The example review's decision files agree with the ground truth (tests/data/example_truth.json)."""

from __future__ import annotations

import pytest

from review.screening.agreement import route
from review.screening.manage import load_context, screening_status, stage_conflicts, stage_decisions

from .conftest import truth_work_ids


@pytest.fixture
def ctx(example):
    return load_context(example)


def _outcomes(ctx, stage):
    standing, resolved, logs = stage_decisions(ctx, stage)
    assert logs.issues() == ([], [])
    names = sorted(standing)
    assert names == ["ana", "ben"]
    out = {}
    for rid in ctx.records.ids:
        ds = [standing[n][rid] for n in names if rid in standing[n]]
        if ds:
            out[rid] = route(ds, ctx.config.to_full_text, 2, resolved.get(rid), stage)
    return out, standing, resolved


def test_outcomes_follow_the_truth(ctx, truth):
    wid = truth_work_ids(truth, ctx.records)
    role = {w["key"]: w["role"] for w in truth["works"]}
    ta, _, ta_res = _outcomes(ctx, "title-abstract")
    ft, ft_standing, ft_res = _outcomes(ctx, "full-text")
    assert stage_conflicts(ctx, "title-abstract") == [] and stage_conflicts(ctx, "full-text") == []
    # The last title-abstract conflict (ana exclude, ben maybe) was settled by carla as exclude.
    late_id = "pmid:99126180"
    assert ta_res[late_id].decision == "exclude" and ta_res[late_id].by == "carla"
    for key, r in role.items():
        rid = wid[key]
        if r == "included":
            assert ta[rid] == "full-text" and ft[rid] == "included", key
        elif r == "excluded_ft":
            assert ta[rid] == "full-text" and ft[rid] == "excluded", key
            # every full-text exclusion has a reason from the protocol, the same for both reviewers
            final = ft_res.get(rid) or ft_standing["ana"][rid]
            assert final.reason in ctx.config.reason_keys(), key
        elif rid == late_id:
            assert r == "irrelevant"  # the conflict was on an irrelevant record
            assert ta[rid] == "excluded" and rid not in ft  # nobody screened it at full text
        else:
            assert ta[rid] == "excluded" and rid not in ft, key
    # Counts by hand from the truth: 14 included + 18 excluded at full text go on (32).
    assert sum(1 for o in ta.values() if o == "full-text") == 32
    assert sum(1 for o in ft.values() if o == "included") == 14


def test_reasons_match_the_exclusion_categories(ctx, truth):
    # The categories of tests/data/example_truth.json against the labels of
    # tests/data/screening/example_screening.yaml, word for word where they share one.
    wid = truth_work_ids(truth, ctx.records)
    _, standing, resolved = _outcomes(ctx, "full-text")
    expect = {"animal study": "Animal study", "wrong population": "Wrong population",
              "review article": "Review or no original data", "wrong outcome": "Wrong outcome",
              "phantom/technical": "Phantom or technical MRI study",
              "no comparison group": "No IRL-positive vs IRL-negative comparison"}
    for w in truth["works"]:
        if w["role"] != "excluded_ft":
            continue
        rid = wid[w["key"]]
        final = resolved.get(rid) or standing["ana"][rid]
        label = ctx.config.reason_label(final.reason)
        start = next((k for k in expect if w["category"].startswith(k)), None)
        if start:
            assert label == expect[start], w["key"]
        else:  # conference abstract, doctoral thesis
            assert label.startswith("Wrong publication type"), w["key"]


def test_status_numbers_by_hand(example):
    info = screening_status(example)
    ta = info["stages"]["title-abstract"]
    assert ta["screened"] == {"ana": 128, "ben": 128}
    # By hand from the design in /work/notes/make_screening_example.py, "go on" (include or
    # maybe) vs exclude, rows ana, columns ben: both go on 30 (32 truth go-ons minus kurokawa2019
    # and whitaker2021), ana only 3 (kurokawa2019, carrow2025, tan2023), ben only 3 (whitaker2021,
    # one irrelevant, pmid:99126180), both exclude 92.
    # p_o = 122/128; p_e = (33*33 + 95*95)/128^2 = 10114/16384;
    # kappa = (122/128 - 10114/16384) / (1 - 10114/16384) = 5502/6270 = 0.877511...
    # PABAK = 2 * 122/128 - 1 = 0.90625.
    a = ta["agreement"]
    assert a["n"] == 128 and a["percent"] == pytest.approx(100 * 122 / 128)
    assert a["kappa"] == pytest.approx(5502 / 6270)
    assert a["pabak"] == pytest.approx(0.90625)
    assert a["ci_low"] < a["kappa"] < a["ci_high"]
    # six disagreements (the three "ana only" and three "ben only" above), all resolved by carla
    assert (ta["conflicts_open"], ta["conflicts_resolved"], ta["waiting"]) == (0, 6, 0)
    ft = info["stages"]["full-text"]
    # Full text, 32 records: disagreements rahimi2021 (include vs exclude) and raghavan2022
    # (include vs exclude); nakamura2024 is maybe vs exclude (maybe counts as go on), okafor2020abs
    # differs only in the reason (not a go-on/exclude disagreement). The table: both go on 13
    # (14 included minus rahimi2021), ana only 3 (rahimi2021, raghavan2022, nakamura2024), ben only 0,
    # both exclude 16; ana goes on 16, ben 13. p_o = 29/32; p_e = (16*13 + 16*19)/32^2 = 0.5;
    # kappa = (29/32 - 0.5)/0.5 = 0.8125.
    assert ft["screened"] == {"ana": 32, "ben": 32}
    assert ft["agreement"]["percent"] == pytest.approx(100 * 29 / 32)
    assert ft["agreement"]["kappa"] == pytest.approx(0.8125)
    # nothing waits for full text: every record sent on at title-abstract has both decisions
    assert (ft["conflicts_open"], ft["conflicts_resolved"], ft["waiting"]) == (0, 4, 0)
