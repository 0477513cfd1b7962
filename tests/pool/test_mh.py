"""Mantel-Haenszel and Peto common-effect models against R metafor 3.8.

Reference numbers: every ``*_MH`` and ``*_PETO`` entry of ``results`` in
../shared/benchmarks/meta/metafor_reference.json (rma.mh / rma.peto on dat.bcg
and dat.nielweise2007), every value given. The R call is in each test id and
assertion message. Other expectations are worked by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from review.errors import InputError
from review.pool.effects import EffectSizeError
from review.pool.mh import rma_mh, rma_peto

from .conftest import load_reference, read_benchmark_csv

REL = 1e-10  # closed forms
_REF = load_reference()

#: metafor's names -> MhResult attributes
FIELDS = {
    "k": "k", "k.yi": "k_yi", "k.pos": "k_pos", "measure": "measure",
    "estimate": "estimate", "se": "se", "zval": "zval", "pval": "pval",
    "ci.lb": "ci_lb", "ci.ub": "ci_ub", "QE": "qe", "QE.df": "qe_df", "QEp": "qe_pval",
    "I2": "i2", "H2": "h2", "tau2": "tau2",
    "CO": "co", "COp": "co_pval", "MH": "cmh", "MHp": "cmh_pval",
    "BD": "bd", "BDp": "bd_pval", "TA": "ta", "TAp": "ta_pval",
    "weights_pct": "weights_pct",
}


def _entries() -> list:
    if _REF is None:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="../shared is absent"))]
    return [
        pytest.param(rid, e, id=f"{rid}: {e['call']}")
        for rid, e in _REF["results"].items()
        if rid.endswith("_MH") or rid.endswith("_PETO")
    ]


def _fit(entry: dict):
    rows = read_benchmark_csv(entry["dataset"])
    roles = _REF["datasets"][entry["dataset"]]["columns"]
    cols = {role: [int(r[col]) for r in rows] for role, col in roles.items() if role != "moderators"}
    if entry["function"] == "rma.peto":
        return rma_peto(**cols)
    return rma_mh(**cols, measure=entry["measure"])


@pytest.mark.parametrize("rid, entry", _entries())
def test_matches_metafor(rid, entry):
    fit = _fit(entry)
    call = entry["call"]
    for key, expected in entry["values"].items():
        got = getattr(fit, FIELDS[key])
        if key == "measure":
            assert got == expected.split()[0], call
        elif expected is None:
            assert got is None, f"{call}: {key} should be absent (R gives NULL), got {got}"
        elif isinstance(expected, list):
            assert np.asarray(got).shape == (len(expected),), f"{call}: {key}"
            for i, (g, e) in enumerate(zip(got, expected)):
                assert g == pytest.approx(e, rel=REL, abs=1e-300), f"{call}: {key}[{i + 1}]"
        elif isinstance(expected, int) and key != "tau2":
            assert got == expected, f"{call}: {key}"
        else:
            assert got == pytest.approx(expected, rel=REL, abs=1e-300), f"{call}: {key}"


def test_reference_count(metafor_ref):
    # 8 fits: bcg RR/OR/RD MH + Peto (13 studies), nielweise2007 likewise (18 studies);
    # 24 named values per rma.mh fit (measure aside), 16 per rma.peto fit, plus the weights
    entries = [e for rid, e in metafor_ref["results"].items() if rid.endswith(("_MH", "_PETO"))]
    assert len(entries) == 8
    scalars = sum(1 for e in entries for k, v in e["values"].items() if not isinstance(v, list))
    weights = sum(len(v) for e in entries for v in e["values"].values() if isinstance(v, list))
    assert scalars == 6 * 24 + 2 * 16 and weights == 4 * 13 + 4 * 18


# --------------------------------------------------------------------------- conventions, by hand

# two studies: (a, b, c, d) = (0, 10, 2, 8) and (3, 7, 5, 5)
A, B, C, D = [0, 3], [10, 7], [2, 5], [8, 5]


def test_metafor_convention_uses_raw_counts_for_the_estimate():
    # MH OR = sum(a d / N) / sum(b c / N), N = 20 in both: (0 + 15/20) / (20/20 + 35/20) = 0.75 / 2.75
    fit = rma_mh(A, B, C, D, measure="OR")
    assert fit.estimate == pytest.approx(math.log(0.75 / 2.75), rel=1e-14)
    # weights b c / N in percent: 1.0 and 1.75 of 2.75
    assert fit.weights_pct == pytest.approx([100 / 2.75, 175 / 2.75], rel=1e-14)


def test_revman_convention_corrects_zero_cell_studies():
    # 1/2 added to every cell of study 1: (0.5, 10.5, 2.5, 8.5), N = 22:
    # OR = (0.5*8.5/22 + 0.75) / (10.5*2.5/22 + 1.75) = (4.25 + 16.5) / (26.25 + 38.5) = 83/259
    fit = rma_mh(A, B, C, D, measure="OR", convention="revman")
    assert fit.estimate == pytest.approx(math.log(83 / 259), rel=1e-14)
    # the same through metafor's own pairs: add=c(1/2, 1/2), to=c("only0", "only0")
    same = rma_mh(A, B, C, D, measure="OR", add=(0.5, 0.5), to=("only0", "only0"))
    assert same.estimate == pytest.approx(fit.estimate, rel=1e-15)


def test_rd_keeps_double_zero_studies_in_the_estimate():
    # RD MH = sum(a n2/N - c n1/N) / sum(n1 n2 / N); the double-zero study (0, 10, 0, 10)
    # adds 0 to the numerator and 100/20 = 5 to the denominator:
    # study 2: (3*10 - 5*10)/20 = -1, weight 5 -> RD = -1 / (5 + 5) = -0.1
    fit = rma_mh([0, 3], [10, 7], [0, 5], [10, 5], measure="RD")
    assert fit.estimate == pytest.approx(-0.1, rel=1e-14)
    assert fit.weights_pct == pytest.approx([50.0, 50.0], rel=1e-14)
    # but the double-zero study is dropped from Q (drop00=TRUE): one study left, Q = 0
    assert fit.k == 2 and fit.k_yi == 1 and fit.qe == 0 and fit.qe_df == 0
    assert fit.warnings


def test_peto_by_hand():
    # one table (3, 7, 5, 5): O - E = 3 - 8*10/20 = -1; V = 8*12*(10/20)*(10/20)/19 = 24/19
    # log OR = -19/24, se = sqrt(19/24)
    fit = rma_peto([3], [7], [5], [5])
    assert fit.estimate == pytest.approx(-19 / 24, rel=1e-14)
    assert fit.se == pytest.approx(math.sqrt(19 / 24), rel=1e-14)
    assert fit.k == 1 and fit.qe == 0 and fit.i2 == 0 and fit.h2 == 1


def test_group_sizes_instead_of_non_events():
    a = rma_mh(A, B, C, D, measure="RR")
    b = rma_mh(A, ci=C, n1i=[10, 10], n2i=[10, 10], measure="RR")
    # RR MH = sum(a n2/N) / sum(c n1/N) = (0 + 30/20) / (20/20 + 50/20) = 1.5/3.5
    assert a.estimate == pytest.approx(math.log(1.5 / 3.5), rel=1e-14)
    assert b.estimate == pytest.approx(a.estimate, rel=1e-15)


# --------------------------------------------------------------------------- bad input


def test_no_events_anywhere_is_an_input_error():
    with pytest.raises(InputError, match="not estimable"):
        rma_mh([0, 0], [10, 12], [0, 0], [9, 11], measure="OR")
    with pytest.raises(InputError, match="not estimable"):
        rma_peto([0, 0], [10, 12], [0, 0], [9, 11])


def test_bad_rows_name_the_study():
    with pytest.raises(EffectSizeError) as exc:
        rma_mh([3, 12], ci=[1, 2], n1i=[10, 10], n2i=[10, 10], measure="RR", studies=["A", "B"])
    assert str(exc.value) == "study 'B': ai = 12 is more than n1i = 10"


def test_wrong_measure_or_convention():
    with pytest.raises(InputError, match="OR, RR or RD"):
        rma_mh(A, B, C, D, measure="SMD")
    with pytest.raises(InputError, match="convention"):
        rma_mh(A, B, C, D, convention="stata")
