"""Agreement statistics against published numbers, conflicts, and the full-text rule."""

from __future__ import annotations

import pytest

from review.screening.agreement import (
    BINARY,
    Rule,
    agreement,
    conflicts,
    kappa_table,
    parse_rule,
    route,
    summarise,
)
from review.screening.decisions import Decision


def test_kappa_ci_matches_published_example():
    # Published example: statpsych (D. G. Bonett), reference page of ci.kappa,
    # https://dgbonett.github.io/statpsych/reference/ci.kappa.html, citing
    # Fleiss & Paik (2003): ci.kappa(.05, f00=31, f01=12, f10=4, f11=58) gives for
    # Cohen's kappa: estimate 0.6756757, SE 0.07344761, 95% CI 0.5317210 to 0.8196303.
    # f01 = y rated 0 and x rated 1, so with rows = y, columns = x:
    agr = kappa_table([[31, 12], [4, 58]], ["0", "1"])
    assert agr.n == 105
    assert agr.kappa == pytest.approx(0.6756757, abs=5e-8)
    assert agr.se == pytest.approx(0.07344761, abs=5e-9)
    assert agr.ci_low == pytest.approx(0.5317210, abs=5e-8)
    assert agr.ci_high == pytest.approx(0.8196303, abs=5e-8)
    # By hand: p_o = (31 + 58) / 105 = 89/105; PABAK = 2 p_o - 1 = 73/105 = 0.695238...
    assert agr.observed == pytest.approx(89 / 105)
    assert agr.pabak == pytest.approx(73 / 105)
    # Kappa and its SE do not depend on which reviewer is the row.
    t = kappa_table([[31, 4], [12, 58]])
    assert (t.kappa, t.se) == pytest.approx((agr.kappa, agr.se))


def test_kappa_interval_stays_within_minus_one_to_one():
    # The example's full-text table (README, tests/screening/test_example.py): both go on 13,
    # A only 3, B only 0, both stop 16; kappa = 0.8125 by hand. Its Wald interval
    # 0.8125 +/- 1.96 SE passes 1 (SE about 0.1), and kappa cannot: the bound is cut at 1.
    agr = kappa_table([[13, 3], [0, 16]])
    assert agr.kappa == pytest.approx(0.8125)
    assert agr.kappa + 1.96 * agr.se > 1
    assert agr.ci_high == 1.0
    assert agr.ci_low == pytest.approx(agr.kappa - 1.96 * agr.se, rel=1e-3)


def test_kappa_by_hand_three_categories():
    # By hand, 50 records, rows reviewer A, columns reviewer B (include, exclude, maybe):
    #            inc exc may | A total
    #   inc       10   2   3 |  15
    #   exc        1  25   4 |  30
    #   maybe      0   1   4 |   5
    #   B total   11  28  11 |  50
    # p_o = (10 + 25 + 4) / 50 = 39/50 = 0.78
    # p_e = (15*11 + 30*28 + 5*11) / 50^2 = (165 + 840 + 55) / 2500 = 1060/2500 = 0.424
    # kappa = (0.78 - 0.424) / (1 - 0.424) = 0.356 / 0.576 = 0.618055...
    # PABAK with k = 3: (3 * 0.78 - 1) / 2 = 0.67
    agr = kappa_table([[10, 2, 3], [1, 25, 4], [0, 1, 4]], ["include", "exclude", "maybe"])
    assert agr.observed == pytest.approx(0.78)
    assert agr.expected == pytest.approx(0.424)
    assert agr.kappa == pytest.approx(0.356 / 0.576)
    assert agr.pabak == pytest.approx(0.67)


def test_empty_category_changes_nothing_but_pabak():
    # The general k-category SE must reduce to the 2x2 one when a category is unused.
    two = kappa_table([[31, 12], [4, 58]])
    three = kappa_table([[31, 12, 0], [4, 58, 0], [0, 0, 0]])
    assert (three.kappa, three.se) == pytest.approx((two.kappa, two.se))


def test_degenerate_tables():
    assert kappa_table([[0, 0], [0, 0]]).kappa is None
    one_category = kappa_table([[7, 0], [0, 0]])
    assert one_category.kappa is None and one_category.observed == 1.0 and one_category.pabak == 1.0
    perfect = kappa_table([[5, 0], [0, 5]])
    assert perfect.kappa == pytest.approx(1.0) and perfect.se == pytest.approx(0.0)


def D(rid, decision, reason=""):
    return Decision(rid, decision, reason, time="t")


def test_agreement_from_decisions_maybe_counts_as_include():
    a = {"r1": D("r1", "include"), "r2": D("r2", "maybe"), "r3": D("r3", "exclude"), "r4": D("r4", "exclude"), "r5": D("r5", "include")}
    b = {"r1": D("r1", "maybe"), "r2": D("r2", "exclude"), "r3": D("r3", "exclude"), "r4": D("r4", "include")}
    agr = agreement(a, b)
    # Only r1..r4 were decided by both. Binary (maybe = include):
    # r1 inc/inc, r2 inc/exc, r3 exc/exc, r4 exc/inc -> table [[1, 1], [1, 1]]
    assert agr.categories == ("include", "exclude") and agr.table == ((1, 1), (1, 1))
    assert agr.n == 4 and agr.percent == pytest.approx(50.0) and agr.kappa == pytest.approx(0.0)
    raw = agreement(a, b, categories=None)
    assert raw.categories == ("exclude", "include", "maybe") and raw.observed == pytest.approx(0.25)
    assert BINARY["not_retrieved"] == "exclude"


def test_conflicts_and_resolutions():
    alice = {"r1": D("r1", "include"), "r2": D("r2", "exclude", "1"), "r3": D("r3", "exclude", "1"), "r4": D("r4", "maybe")}
    bob = {"r1": D("r1", "exclude"), "r2": D("r2", "exclude", "2"), "r3": D("r3", "exclude", "1")}
    found = conflicts({"bob": bob, "alice": alice})
    assert [(c.record_id, c.kind) for c in found] == [("r1", "decision"), ("r2", "reason")]
    assert [name for name, _ in found[0].decisions] == ["alice", "bob"]
    resolved = {"r1": Decision("r1", "include", time="t", by="carol")}
    assert [c.record_id for c in conflicts({"alice": alice, "bob": bob}, resolved)] == ["r2"]
    every = conflicts({"alice": alice, "bob": bob}, resolved, include_resolved=True)
    assert [(c.record_id, c.open) for c in every] == [("r1", False), ("r2", True)]
    assert every[0].resolution.by == "carol"


@pytest.mark.parametrize(
    "rule, a, b, expected",
    [
        ("either", "include", "exclude", "full-text"),
        ("either", "maybe", "exclude", "full-text"),
        ("either", "exclude", "exclude", "excluded"),
        ("either-include", "maybe", "exclude", "excluded"),
        ("both", "include", "maybe", "full-text"),
        ("both", "include", "exclude", "conflict"),
        ("both", "exclude", "exclude", "excluded"),
        ("both-include", "include", "maybe", "conflict"),
        ({"when": "all", "decisions": ["include"]}, "include", "include", "full-text"),
    ],
)
def test_to_full_text_rule(rule, a, b, expected):
    assert route([D("r", a), D("r", b)], parse_rule(rule)) == expected


def test_route_waiting_resolution_and_full_text():
    rule = parse_rule("either")
    assert route([D("r", "include")], rule, needed=2) == "waiting"
    assert route([D("r", "include")], rule, needed=1) == "full-text"
    assert route([D("r", "include"), D("r", "include")], Rule("all", ("include",)),
                 resolution=Decision("r", "exclude", by="carol")) == "excluded"
    ft = dict(stage="full-text")
    assert route([D("r", "exclude", "1"), D("r", "exclude", "1")], rule, **ft) == "excluded"
    assert route([D("r", "exclude", "1"), D("r", "exclude", "2")], rule, **ft) == "conflict"
    assert route([D("r", "not_retrieved"), D("r", "not_retrieved")], rule, **ft) == "not_retrieved"
    assert route([D("r", "maybe"), D("r", "maybe")], rule, **ft) == "conflict"
    assert route([D("r", "include"), D("r", "exclude", "1")], rule, resolution=Decision("r", "include", by="a+b"), **ft) == "included"
    with pytest.raises(ValueError, match="not a rule"):
        parse_rule("sometimes")


def test_summary_for_status():
    ids = ["r1", "r2", "r3", "r4"]
    alice = {"r1": D("r1", "include"), "r2": D("r2", "exclude"), "r3": D("r3", "exclude")}
    bob = {"r1": D("r1", "exclude"), "r2": D("r2", "exclude")}
    s = summarise(ids, {"alice": alice, "bob": bob}, {}, parse_rule("both"), 2)
    assert s.screened == {"alice": 3, "bob": 2}
    assert s.agreement.n == 2 and s.conflicts_open == 1 and s.conflicts_resolved == 0
    assert s.waiting == 2 and s.outcomes == {"conflict": 1, "excluded": 1, "waiting": 2}
