"""Pooling tables from extracted values, read back by `review pool`'s own reader."""

from __future__ import annotations

import csv
import io
import json

import pytest

from review.errors import InputError
from review.extraction.export import build_table
from review.protocol import Analysis

LABELS = {"halvorsen2019": "Halvorsen 2019", "okafor2021": "Okafor 2021", "moreau2022": "Moreau 2022"}
G = ("IRL-positive", "IRL-negative")


def _edss(study, group, **kw):
    return {f"edss.{group}.{k}": str(v) for k, v in kw.items()}


def _rows(table):
    return list(csv.DictReader(io.StringIO(table.csv())))


def test_mean_sd_and_converted_median(form, shared_dir):
    ref = json.loads((shared_dir / "benchmarks/meta/metafor_reference.json").read_text())["fivenum"]["conv.fivenum"]
    values = {
        "halvorsen2019": {**_edss("h", G[0], mean=2.8, sd=1.5, n=38), **_edss("h", G[1], mean=2.0, sd=1.3, n=47)},
        # row 3 of fivenum_rows.csv for the IRL-positive group: q1 4, median 6, q3 9, n 35
        "okafor2021": {**_edss("o", G[0], median=6, q1=4, q3=9, n=35), **_edss("o", G[1], mean=2.5, sd=1.5, n=68)},
    }
    a = Analysis("edss", "EDSS", "SMD", groups=G)
    t = build_table(form, a, values, LABELS)
    rows = _rows(t)
    assert [r["study"] for r in rows] == ["Halvorsen 2019", "Okafor 2021"]
    assert rows[0]["e_mean"] == "2.8" and rows[0]["c_n"] == "47" and rows[0]["note"] == ""
    assert float(rows[1]["e_mean"]) == pytest.approx(ref["default"]["mean"][2], rel=1e-9)
    assert float(rows[1]["e_sd"]) == pytest.approx(ref["default"]["sd"][2], rel=1e-9)
    assert rows[1]["note"] == "IRL-positive: median/IQR -> mean (Luo et al. 2018), SD (Wan et al. 2014)"
    assert t.skipped == []  # Moreau reports no EDSS: left out silently


def test_too_skewed_row_is_left_out_with_reason(form):
    # Row 4 of the metafor rows is fine; make a skewed one: q1 1, median 1.5, q3 6, n 60
    # T2 = |1 + 6 - 3| / 5 = 0.8 >= 2.65/sqrt(60) - 6/3600 = 0.340
    values = {"moreau2022": {**_edss("m", G[0], median=1.5, q1=1, q3=6, n=60), **_edss("m", G[1], mean=2, sd=1, n=50)}}
    t = build_table(form, Analysis("edss", "EDSS", "MD", groups=G), values, LABELS)
    assert t.rows == []
    assert t.skipped[0][0] == "Moreau 2022" and "too skewed" in t.skipped[0][1]


def test_events_rates_subgroup_and_pool_reads_it(form, tmp_path):
    from review.pool import validate

    values = {
        "halvorsen2019": {"dmt_response.IRL-positive.events": "9", "dmt_response.IRL-positive.total": "35",
                          "dmt_response.IRL-negative.events": "21", "dmt_response.IRL-negative.total": "44",
                          "treatment": "other",
                          "relapse_rate.IRL-positive.events": "42", "relapse_rate.IRL-positive.person_time": "136.5",
                          "relapse_rate.IRL-negative.events": "29", "relapse_rate.IRL-negative.person_time": "171.2"},
        "okafor2021": {"dmt_response.IRL-positive.events": "27", "dmt_response.IRL-positive.total": "52",
                       "dmt_response.IRL-negative.events": "49", "dmt_response.IRL-negative.total": "68",
                       "treatment": "high-efficacy"},
    }
    t = build_table(form, Analysis("dmt_response", "Response", "RR", groups=G, subgroup="treatment"), values, LABELS)
    assert t.columns == ["study", "e_events", "e_total", "c_events", "c_total", "treatment", "note"]
    assert [r[:6] for r in t.rows] == [["Halvorsen 2019", "9", "35", "21", "44", "other"],
                                       ["Okafor 2021", "27", "52", "49", "68", "high-efficacy"]]
    path = tmp_path / "dmt.csv"
    path.write_text(t.csv())
    header, rows, lines = validate.read_table(path)
    data = validate.check_table(header, rows, "RR", subgroup="treatment", lines=lines, file=path)
    assert data.studies == ["Halvorsen 2019", "Okafor 2021"] and list(data.values["ai"]) == [9, 27]

    r = build_table(form, Analysis("relapse_rate", "Relapses", "IRR", groups=G), values, LABELS)
    assert r.rows == [["Halvorsen 2019", "42", "136.5", "29", "171.2", ""]]
    assert r.skipped == []


def test_unknown_outcome_and_groups(form):
    with pytest.raises(InputError, match="no outcome"):
        build_table(form, Analysis("qol", "Quality of life", "SMD"), {}, LABELS)
    with pytest.raises(InputError, match="groups"):
        build_table(form, Analysis("edss", "EDSS", "SMD", groups=("treated", "control")), {}, LABELS)
    with pytest.raises(InputError, match="does not make ZCOR"):
        build_table(form, Analysis("edss", "EDSS", "ZCOR", groups=G), {}, LABELS)


def test_match_by_outcome_label(form):
    values = {"okafor2021": {"brain_volume.IRL-positive.mean": "0.801", "brain_volume.IRL-positive.sd": "0.028",
                             "brain_volume.IRL-positive.n": "52", "brain_volume.IRL-negative.mean": "0.815",
                             "brain_volume.IRL-negative.sd": "0.025", "brain_volume.IRL-negative.n": "68"}}
    t = build_table(form, Analysis("bv", "Brain volume", "SMD", groups=G), values, LABELS)
    assert t.rows == [["Okafor 2021", "0.801", "0.028", "52", "0.815", "0.025", "68", ""]]


def test_five_numbers_and_range_against_metafor(shared_dir):
    from review.extraction.form import parse_form

    ref = json.loads((shared_dir / "benchmarks/meta/metafor_reference.json").read_text())["fivenum"]["conv.fivenum"]
    form = parse_form({"groups": list(G), "outcomes": [{"name": "x", "types": ["mean_sd", "median_iqr", "median_range"]}]})

    def block(g, **kw):
        return {f"x.{g}.{k}": str(v) for k, v in kw.items()}

    values = {
        # row 6 of fivenum_rows.csv (all five numbers, n 12) vs row 2 (range only, n 150, too skewed)
        "a": {**block(G[0], min=20, q1=28, median=31, q3=40, max=66, n=12), **block(G[1], mean=30, sd=10, n=12)},
        "b": {**block(G[0], min=10, median=18, max=40, n=150), **block(G[1], mean=30, sd=10, n=150)},
    }
    t = build_table(form, Analysis("x", "x", "MD", groups=G), values, {"a": "A 2020", "b": "B 2021"})
    rows = _rows(t)
    assert [r["study"] for r in rows] == ["A 2020"]
    assert float(rows[0]["e_mean"]) == pytest.approx(ref["default_with_test"]["mean"][5], rel=1e-9)
    assert float(rows[0]["e_sd"]) == pytest.approx(ref["default_with_test"]["sd"][5], rel=1e-9)
    assert "median/IQR/range" in rows[0]["note"] and "Shi et al. 2020" in rows[0]["note"]
    assert ref["default_with_test"]["mean"][1] is None  # metafor refuses row 2 too
    assert t.skipped[0][0] == "B 2021" and "too skewed" in t.skipped[0][1]
    # with Wan's methods chosen, row 6 gives Wan's numbers
    t = build_table(form, Analysis("x", "x", "MD", groups=G), {"a": values["a"]}, {"a": "A"}, method=("wan2014", "wan2014"))
    assert float(_rows(t)[0]["e_mean"]) == pytest.approx(ref["wan2014"]["mean"][5])
    assert float(_rows(t)[0]["e_sd"]) == pytest.approx(ref["wan2014"]["sd"][5], rel=1e-9)
