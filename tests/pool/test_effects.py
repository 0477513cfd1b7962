"""Effect sizes against R metafor 3.8 (escalc) and hand-worked examples.

Reference numbers: ../shared/benchmarks/meta/metafor_reference.json, blocks
``escalc`` and ``escalc_extra`` (every yi, vi and sei of every set), computed by
metafor from the CSVs beside it. The R call is in each test id.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from review.errors import InputError
from review.pool.effects import (
    EffectSizeError,
    RowProblem,
    columns_from_frame,
    escalc,
    hedges_correction,
)

from .conftest import load_reference, read_benchmark_csv

REL = 1e-10  # closed forms
_REF = load_reference()
_DATA_ALIASES = {"normand": "normand1999", "niel": "nielweise2007", "molloy": "molloy2014", "hack": "hackshaw1998"}


def _sets() -> list:
    if _REF is None:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="../shared is absent"))]
    out = []
    for block in ("escalc", "escalc_extra"):
        for name, entry in _REF[block].items():
            out.append(pytest.param(name, entry, id=f"{name}: {entry['call']}"))
    return out


def _call_parts(entry: dict) -> tuple[str, str, dict]:
    """(dataset, measure, options) from the R call string."""
    call = entry["call"]
    dataset = entry.get("dataset")
    if dataset is None:
        m = re.search(r"data=(\w+)", call) or re.match(r"(\w+)", call)
        dataset = _DATA_ALIASES[m.group(1)]
    m = re.search(r'measure="(\w+)"', call)
    measure = m.group(1) if m else "GEN"
    options: dict = {}
    for opt, val in re.findall(r'\b(vtype|drop00|to)=("?\w+"?)', call):
        options[opt] = (val == "TRUE") if opt == "drop00" else val.strip('"')
    return dataset, measure, options


def _columns(dataset: str) -> dict:
    """escalc keywords from the CSV (strings as read, 'NA' kept) via the JSON's column roles."""
    rows = read_benchmark_csv(dataset)
    roles = _REF["datasets"][dataset]["columns"]
    return {role: [r[col] for r in rows] for role, col in roles.items() if role != "moderators"}


def _assert_close(got: np.ndarray, expected: list, what: str, call: str) -> int:
    exp = np.array([np.nan if x is None else x for x in expected], dtype=float)
    assert got.shape == exp.shape, f"{call}: {what} has {got.shape[0]} values, R gives {exp.shape[0]}"
    for i, (g, e) in enumerate(zip(got, exp)):
        if math.isnan(e):
            assert math.isnan(g), f"{call}: {what}[{i + 1}] = {g}, R gives NA"
        else:
            assert g == pytest.approx(e, rel=REL, abs=1e-300), f"{call}: {what}[{i + 1}]"
    return exp.shape[0]


@pytest.mark.parametrize("name, entry", _sets())
def test_escalc_matches_metafor(name, entry):
    dataset, measure, options = _call_parts(entry)
    es = escalc(measure, **_columns(dataset), **options)
    assert es.measure == measure
    for what in ("yi", "vi", "sei"):
        if what in entry:
            _assert_close(getattr(es, what), entry[what], what, entry["call"])


def test_every_reference_set_is_covered(metafor_ref):
    # 11 escalc sets + 7 variants; if the JSON grows, this test says so
    assert len(metafor_ref["escalc"]) + len(metafor_ref["escalc_extra"]) == len(_sets())
    n_values = sum(
        len(e[key])
        for block in ("escalc", "escalc_extra")
        for e in metafor_ref[block].values()
        for key in ("yi", "vi", "sei")
        if key in e
    )
    # yi, vi, sei of 266 rows in the 11 main sets (13*3 + 18*3 + 9*2 + 102 + 16 + 37),
    # yi, vi of 97 rows in the 7 variants (9*3 + 18*3 + 16): 3*266 + 2*97
    assert n_values == 992


# --------------------------------------------------------------------------- other settings vs metafor


def test_if0all_equals_all_when_any_study_has_a_zero_cell(metafor_ref):
    # metafor docs: to="if0all" adds to all studies if at least one has a zero cell;
    # nielweise2007 has zero cells, so it must equal escalc(..., to="all")
    ref = metafor_ref["escalc_extra"]["nielweise2007_OR_toall"]
    es = escalc("OR", **_columns("nielweise2007"), to="if0all")
    _assert_close(es.yi, ref["yi"], "yi", ref["call"] + ' with to="if0all"')
    _assert_close(es.vi, ref["vi"], "vi", ref["call"] + ' with to="if0all"')


def test_to_none_leaves_zero_cell_studies_not_estimable(metafor_ref):
    # without a correction, studies with a zero cell have no log OR (R gives NA);
    # the others equal the default escalc(measure="OR", ...) values
    ref = metafor_ref["escalc"]["nielweise2007_OR"]
    cols = _columns("nielweise2007")
    zero = [int(a) == 0 or int(c) == 0 for a, c in zip(cols["ai"], cols["ci"])]
    es = escalc("OR", **cols, to="none")
    for i, z in enumerate(zero):
        if z:
            assert math.isnan(es.yi[i]) and math.isnan(es.vi[i])
        else:
            assert es.yi[i] == pytest.approx(ref["yi"][i], rel=REL), ref["call"]
            assert es.vi[i] == pytest.approx(ref["vi"][i], rel=REL), ref["call"]
    assert sum(zero) == 6  # studies 1, 4, 11, 12, 15, 16 of dat.nielweise2007


def test_user_facing_column_names(metafor_ref):
    # the names (e_mean, e_sd, e_n, c_mean, c_sd, c_n) give metafor's SMD
    pd = pytest.importorskip("pandas")
    ref = metafor_ref["escalc"]["normand1999_SMD"]
    rows = read_benchmark_csv("normand1999")
    df = pd.DataFrame(
        {
            "Study": [r["source"] for r in rows],
            "e_mean": [float(r["m1i"]) for r in rows],
            "E_SD": [float(r["sd1i"]) for r in rows],
            "e_n": [int(r["n1i"]) for r in rows],
            "c_mean": [float(r["m2i"]) for r in rows],
            "c_sd": [float(r["sd2i"]) for r in rows],
            "c_n": [int(r["n2i"]) for r in rows],
        }
    )
    kw = columns_from_frame(df, "SMD")
    assert kw["column_names"]["sd1i"] == "E_SD"
    es = escalc("SMD", **kw)
    assert es.studies[0] == "Edinburgh"
    _assert_close(es.yi, ref["yi"], "yi", ref["call"])
    _assert_close(es.vi, ref["vi"], "vi", ref["call"])


def test_user_facing_binary_names(metafor_ref):
    pd = pytest.importorskip("pandas")
    ref = metafor_ref["escalc"]["nielweise2007_RR"]
    rows = read_benchmark_csv("nielweise2007")
    df = pd.DataFrame(
        {
            "study": [r["author"] for r in rows],
            "e_events": [int(r["ai"]) for r in rows],
            "e_total": [int(r["n1i"]) for r in rows],
            "c_events": [int(r["ci"]) for r in rows],
            "c_total": [int(r["n2i"]) for r in rows],
        }
    )
    es = escalc("RR", **columns_from_frame(df, "rr"))
    _assert_close(es.yi, ref["yi"], "yi", ref["call"])
    _assert_close(es.sei, ref["sei"], "sei", ref["call"])
    # study 15 (Yucel 2004) has no events in either arm; study 1 (Bach) a zero cell
    assert "no events in either group" in es.notes[14]
    assert es.notes[0] == "0.5 added to each cell (zero cell)"
    assert es.notes[2] == ""


def test_correlation_names_r_n(metafor_ref):
    pd = pytest.importorskip("pandas")
    ref = metafor_ref["escalc"]["molloy2014_ZCOR"]
    rows = read_benchmark_csv("molloy2014")
    df = pd.DataFrame({"r": [float(r["ri"]) for r in rows], "n": [int(r["ni"]) for r in rows]})
    es = escalc("ZCOR", **columns_from_frame(df, "ZCOR"))
    _assert_close(es.yi, ref["yi"], "yi", ref["call"])


# --------------------------------------------------------------------------- hand-worked values


def test_hedges_correction_closed_forms():
    # J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)):
    # J(2) = 1/sqrt(pi); J(3) = (sqrt(pi)/2)/sqrt(3/2); J(4) = 1/(sqrt(2) * sqrt(pi)/2) = sqrt(2/pi)
    got = hedges_correction([2, 3, 4])
    assert got[0] == pytest.approx(1 / math.sqrt(math.pi), rel=1e-13)
    assert got[1] == pytest.approx(math.sqrt(math.pi) / 2 / math.sqrt(1.5), rel=1e-13)
    assert got[2] == pytest.approx(math.sqrt(2 / math.pi), rel=1e-13)
    # Hedges' approximation 1 - 3/(4m - 1): m = 18 -> 1 - 3/71
    assert hedges_correction([18], exact=False)[0] == pytest.approx(1 - 3 / 71, rel=1e-15)
    assert math.isnan(hedges_correction([1])[0])


def test_smd_revman_options():
    # one study: means 10 vs 8, SDs 2 and 2, n 10 and 10 -> pooled SD 2, d = 1, m = 18.
    # RevMan 5: g = d (1 - 3/(4N - 9)) with N = 20 -> 1 - 3/71; var = 1/10 + 1/10 + g^2/(2 (N - 3.94))
    es = escalc("SMD", m1i=[10], sd1i=[2], n1i=[10], m2i=[8], sd2i=[2], n2i=[10], correct="approx", vtype="RM5")
    g = 1 - 3 / 71
    assert es.yi[0] == pytest.approx(g, rel=1e-14)
    assert es.vi[0] == pytest.approx(0.2 + g**2 / (2 * 16.06), rel=1e-14)
    # no correction: Cohen's d = 1 with metafor's LS variance 1/10 + 1/10 + 1/(2 * 20)
    es = escalc("SMD", m1i=[10], sd1i=[2], n1i=[10], m2i=[8], sd2i=[2], n2i=[10], correct=False)
    assert es.yi[0] == pytest.approx(1.0, rel=1e-15) and es.vi[0] == pytest.approx(0.225, rel=1e-14)


def test_irr_and_zero_events():
    # 10 events in 1000 person-years vs 5 in 2000: rate ratio (10/1000)/(5/2000) = 4, var 1/10 + 1/5
    # second study 0 vs 4 events: 1/2 added to both counts (metafor's to="only0" for IRR):
    # log((0.5/100)/(4.5/200)), var 1/0.5 + 1/4.5; third study has no events at all
    es = escalc("IRR", x1i=[10, 0, 0], t1i=[1000, 100, 50], x2i=[5, 4, 0], t2i=[2000, 200, 60])
    assert es.yi[0] == pytest.approx(math.log(4), rel=1e-14)
    assert es.vi[0] == pytest.approx(0.3, rel=1e-14)
    assert es.yi[1] == pytest.approx(math.log((0.5 / 100) / (4.5 / 200)), rel=1e-14)
    assert es.vi[1] == pytest.approx(2 + 1 / 4.5, rel=1e-14)
    assert es.yi[2] == pytest.approx(math.log((0.5 / 50) / (0.5 / 60)), rel=1e-14)
    dropped = escalc("IRR", x1i=[10, 0], t1i=[1000, 50], x2i=[5, 0], t2i=[2000, 60], drop00=True)
    assert math.isnan(dropped.yi[1]) and "dropped" in dropped.notes[1]


def test_generic_from_ratio_ci():
    # OR 2.0 (95% CI 1.2 to 3.5): yi = log 2, se = (log 3.5 - log 1.2) / (2 * 1.959963984540054)
    es = escalc("GEN", estimate=[2.0], ci_lb=[1.2], ci_ub=[3.5], ratio=True)
    se = (math.log(3.5) - math.log(1.2)) / (2 * 1.959963984540054)
    assert es.yi[0] == pytest.approx(math.log(2), rel=1e-15)
    assert es.sei[0] == pytest.approx(se, rel=1e-12)
    # the same numbers taken as differences are lopsided around 2.0: a note says so
    es = escalc("GEN", estimate=[2.0], ci_lb=[1.2], ci_ub=[3.5])
    assert "not symmetric" in es.notes[0]
    es = escalc("GEN", yi=[0.5], sei=[0.2])
    assert es.vi[0] == pytest.approx(0.04, rel=1e-15)


def test_rd_ub_and_rom_ho_by_hand():
    # RD: 2/10 vs 1/10 -> 0.1; UB variance 0.2*0.8/9 + 0.1*0.9/9 = 0.25/9
    es = escalc("RD", ai=[2], n1i=[10], ci=[1], n2i=[10], vtype="UB")
    assert es.yi[0] == pytest.approx(0.1, rel=1e-14) and es.vi[0] == pytest.approx(0.25 / 9, rel=1e-14)
    # ROM HO: means 4 vs 2, SDs 1 and 3, n 5 and 5 -> pooled var (4*1 + 4*9)/8 = 5;
    # var = 5/(5*16) + 5/(5*4) = 0.3125
    es = escalc("ROM", m1i=[4], sd1i=[1], n1i=[5], m2i=[2], sd2i=[3], n2i=[5], vtype="HO")
    assert es.yi[0] == pytest.approx(math.log(2), rel=1e-15) and es.vi[0] == pytest.approx(0.3125, rel=1e-14)


# --------------------------------------------------------------------------- bad input


def test_bad_rows_are_collected_one_line_each():
    with pytest.raises(EffectSizeError) as exc:
        escalc(
            "SMD",
            m1i=[5.0, 6.0, 7.0, None],
            sd1i=[-2.1, 1.0, 0.0, 1.0],
            n1i=[20, 1, 15, 12],
            m2i=[4.0, 5.0, 6.0, 5.0],
            sd2i=[1.0, 1.0, 1.0, "abc"],
            n2i=[20, 18, 15, 12],
            studies=["Smith 2010", "Jones 2011", "Lee 2012", "Kim 2013"],
        )
    err = exc.value
    assert isinstance(err, InputError)
    assert str(err).splitlines() == [
        "study 'Smith 2010': sd1i = -2.1 must be > 0",
        "study 'Jones 2011': n1i = 1 must be >= 2",
        "study 'Lee 2012': sd1i = 0 must be > 0",
        "study 'Kim 2013': m1i is missing",
        "study 'Kim 2013': sd2i = 'abc' is not a number",
    ]
    assert err.problems[0] == RowProblem("Smith 2010", "sd1i", -2.1, "must be > 0", 0)
    assert [p.row for p in err.problems] == [0, 1, 2, 3, 3]


def test_binary_problems_use_the_users_column_names():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "study": ["A", "B", "C"],
            "e_events": [12, -1, 3],
            "e_total": [10, 20, 30],
            "c_events": [1, 2, float("nan")],
            "c_total": [10, 20, 30],
        }
    )
    with pytest.raises(EffectSizeError) as exc:
        escalc("OR", **columns_from_frame(df, "OR"))
    assert str(exc.value).splitlines() == [
        "study 'A': e_events = 12 is more than e_total = 10",
        "study 'B': e_events = -1 must be >= 0",
        "study 'C': c_events is missing",
    ]


def test_correlation_and_generic_problems_without_labels():
    with pytest.raises(EffectSizeError) as exc:
        escalc("ZCOR", ri=[0.3, 1.2, -1.0], ni=[50, 40, 3])
    assert str(exc.value).splitlines() == [
        "row 2: ri = 1.2 must be between -1 and 1 (exclusive) for ZCOR",
        "row 3: ri = -1 must be between -1 and 1 (exclusive) for ZCOR",
        "row 3: ni = 3 must be > 3 for ZCOR (variance 1/(n-3))",
    ]
    with pytest.raises(EffectSizeError, match="vi = 0 must be > 0"):
        escalc("GEN", yi=[0.1, 0.2], vi=[0.01, 0])
    with pytest.raises(EffectSizeError, match="ci_ub = 1 must be above ci_lb"):
        escalc("GEN", estimate=[1.5], ci_lb=[2], ci_ub=[1])


def test_missing_column_is_named():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"study": ["A"], "e_mean": [1.0], "e_sd": [1.0], "e_n": [10], "c_mean": [1.0], "c_n": [10]})
    with pytest.raises(InputError) as exc:
        columns_from_frame(df, "MD")
    assert "'c_sd' (metafor 'sd2i')" in str(exc.value)
    assert exc.value.field == "sd2i"
    with pytest.raises(InputError, match="needs"):
        escalc("MD", m1i=[1.0], sd1i=[1.0], n1i=[10], m2i=[1.0], n2i=[10])


def test_unknown_measure_and_vtype():
    with pytest.raises(InputError, match="measure 'XYZ'"):
        escalc("XYZ", yi=[1], vi=[1])
    with pytest.raises(InputError, match="vtype 'UB' is not available for OR"):
        escalc("OR", ai=[1], bi=[2], ci=[3], di=[4], vtype="UB")


def test_single_study_and_double_zero():
    es = escalc("OR", ai=[0], n1i=[20], ci=[0], n2i=[25])
    # 1/2 added: log((0.5*25.5)/(20.5*0.5)), var 1/0.5 + 1/20.5 + 1/0.5 + 1/25.5
    assert es.yi[0] == pytest.approx(math.log(25.5 / 20.5), rel=1e-14)
    assert es.vi[0] == pytest.approx(4 + 1 / 20.5 + 1 / 25.5, rel=1e-14)
    assert es.notes[0].startswith("no events in either group")
    es = escalc("OR", ai=[0], n1i=[20], ci=[0], n2i=[25], drop00=True)
    assert math.isnan(es.yi[0]) and not es.estimable[0]
