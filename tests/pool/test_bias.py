"""Publication-bias and influence analyses against R metafor 3.8.

Every expected number comes from the ``bias`` block of
../shared/benchmarks/meta/metafor_reference.json (metafor 3.8-1, R 4.2.2); each
check names the R call that produced it.  Inputs are the JSON's own ``escalc``
yi/vi, so these tests depend on review.pool.models (rma) but not on effects.py.
Tolerances (issue 8): relative 1e-10 for closed forms (FE, DL, the classical
Egger regression, the rank test, trim-and-fill's k0 and its SE), 1e-6 for the
iterative REML fits.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from review.errors import InputError
from review.pool import bias

from .conftest import load_reference

_REF = load_reference()
SETS = list(_REF["bias"]) if _REF else []
METHODS = ("FE", "REML", "DL")

CLOSED = 1e-10
ITERATIVE = 1e-6


def _tol(method: str | None) -> float:
    return ITERATIVE if method == "REML" else CLOSED


# JSON key -> key of our to_dict()
_KEYMAP = {
    "zval": "stat",
    "tval": "stat",
    "limit_ci.lb": "limit_ci_lb",
    "limit_ci.ub": "limit_ci_ub",
    "se.k0": "se_k0",
    "p.k0": "p_k0",
    "ci.lb": "ci_lb",
    "ci.ub": "ci_ub",
    "QE": "qe",
    "QEp": "qe_pval",
    "I2": "i2",
    "H2": "h2",
    "Q": "q",
    "Qp": "qp",
}
# closed forms whatever the model: integers from ranks, and functions of them
_EXACT_KEYS = {"k0", "k", "se.k0", "p.k0", "estimator", "side", "stat_type", "dfs"}


def _cases(kind: str) -> list:
    """(set, block, field) triples of the reference for one kind of block."""
    out = []
    for name in SETS:
        for block, vals in _REF["bias"][name].items():
            if not isinstance(vals, dict):
                continue
            base = block.rsplit("_", 1)[0] if block.endswith(METHODS) else block
            if block.startswith("trimfill_R0"):
                base = "trimfill_R0"
            if base != kind:
                continue
            for fld, v in vals.items():
                if fld == "call" or v is None and fld != "dfs":
                    continue  # metafor gives no value (e.g. tau2 of a FE leave1out)
                out.append(pytest.param(name, block, fld, id=f"{name}-{block}-{fld}"))
    return out


_cache: dict = {}


def _escalc(ref: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    e = ref["escalc"][name]
    return np.array(e["yi"], dtype=float), np.array(e["vi"], dtype=float)


def _fit(ref: dict, name: str, method: str):
    from review.pool.models import rma

    key = ("fit", name, method)
    if key not in _cache:
        yi, vi = _escalc(ref, name)
        _cache[key] = rma(yi, vi, method=method)  # rma(yi, vi, data=dat, method=...)
    return _cache[key]


def _run(ref: dict, name: str, block: str) -> dict:
    """Our counterpart of the R call recorded for (name, block), as a to_dict()."""
    key = ("run", name, block)
    if key in _cache:
        return _cache[key]
    method = block.rsplit("_", 1)[1] if block.endswith(METHODS) else None
    yi, vi = _escalc(ref, name)
    if block == "ranktest":  # ranktest(rma(yi, vi, data=dat))
        out = bias.ranktest(_fit(ref, name, "REML")).to_dict()
    elif block == "egger_classic":  # regtest(yi, vi, data=dat, model="lm")
        out = bias.egger_classic(yi, vi).to_dict()
    elif block.startswith("regtest_"):  # regtest(rma(yi, vi, data=dat, method=M))
        out = bias.regtest(_fit(ref, name, method)).to_dict()
    elif block.startswith("trimfill_R0_"):  # trimfill(rma(..., method=M), estimator="R0")
        out = bias.trimfill(_fit(ref, name, method), estimator="R0").to_dict()
    elif block.startswith("trimfill_"):  # trimfill(rma(yi, vi, data=dat, method=M))
        out = bias.trimfill(_fit(ref, name, method)).to_dict()
    elif block.startswith("leave1out_"):  # leave1out(rma(yi, vi, data=dat, method=M))
        out = bias.leave1out(_fit(ref, name, method)).to_dict()
    else:  # pragma: no cover - a new kind of block in the JSON
        raise KeyError(block)
    _cache[key] = out
    return out


def _check(ref: dict, name: str, block: str, fld: str) -> None:
    spec = ref["bias"][name][block]
    call = spec["call"]
    want = spec[fld]
    got_all = _run(ref, name, block)
    ours = _KEYMAP.get(fld, fld)
    if block.startswith("leave1out_") and fld == "zval":
        ours = "zval"
    assert ours in got_all, f"{call}: no {fld!r} ({ours!r}) in our result"
    got = got_all[ours]
    method = block.rsplit("_", 1)[1] if block.endswith(METHODS) else None
    rel = CLOSED if fld in _EXACT_KEYS else _tol(method)
    msg = f"{call}  [{name}]  ${fld}: R gives {want!r}, we give {got!r}"
    if want is None or isinstance(want, str):
        assert got == want, msg
    elif isinstance(want, list):
        assert got is not None and len(got) == len(want), msg
        # near 0 a relative tolerance means nothing: allow an absolute one scaled to the data
        scale = max([abs(w) for w in want] + [1.0])
        assert got == pytest.approx(want, rel=rel, abs=rel * scale * 1e-3), msg
    elif fld in ("k0", "k", "dfs"):
        assert got == want, msg
    else:
        assert got == pytest.approx(want, rel=rel, abs=1e-300 if want else rel * 1e-3), msg


# --------------------------------------------------------------------------
# reference values, one test per (effect-size set, R call, output field)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name, block, fld", _cases("ranktest"))
def test_ranktest_matches_metafor(metafor_ref, name, block, fld):
    """ranktest(rma(yi, vi, data=dat)): Kendall tau and exact/normal p."""
    _check(metafor_ref, name, block, fld)


@pytest.mark.parametrize("name, block, fld", _cases("egger_classic"))
def test_egger_classic_matches_metafor(metafor_ref, name, block, fld):
    """regtest(yi, vi, data=dat, model="lm")."""
    _check(metafor_ref, name, block, fld)


@pytest.mark.parametrize("name, block, fld", _cases("regtest"))
def test_regtest_matches_metafor(metafor_ref, name, block, fld):
    """regtest(rma(yi, vi, data=dat, method=M)), model="rma", predictor="sei"."""
    _check(metafor_ref, name, block, fld)


@pytest.mark.parametrize("name, block, fld", _cases("trimfill"))
def test_trimfill_L0_matches_metafor(metafor_ref, name, block, fld):
    """trimfill(rma(yi, vi, data=dat, method=M)): estimator L0, side chosen automatically."""
    _check(metafor_ref, name, block, fld)


@pytest.mark.parametrize("name, block, fld", _cases("trimfill_R0"))
def test_trimfill_R0_matches_metafor(metafor_ref, name, block, fld):
    """trimfill(rma(yi, vi, data=dat, method=M), estimator="R0")."""
    _check(metafor_ref, name, block, fld)


@pytest.mark.parametrize("name, block, fld", _cases("leave1out"))
def test_leave1out_matches_metafor(metafor_ref, name, block, fld):
    """leave1out(rma(yi, vi, data=dat, method=M))."""
    _check(metafor_ref, name, block, fld)


def test_reference_present_and_complete(metafor_ref):
    """Guard against silently testing nothing: 7 sets, 14 blocks each."""
    assert len(SETS) == 7
    for name in SETS:
        blocks = [b for b, v in metafor_ref["bias"][name].items() if isinstance(v, dict)]
        assert len(blocks) == 14, name


# --------------------------------------------------------------------------
# the same numbers from raw yi/vi instead of a fit
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", SETS)
def test_arrays_and_fit_give_the_same_answers(metafor_ref, name):
    """regtest/trimfill/leave1out on (yi, vi, method="DL") equal the calls on rma(..., method="DL")."""
    yi, vi = _escalc(metafor_ref, name)
    spec = metafor_ref["bias"][name]
    r = bias.regtest(yi, vi, method="DL")
    assert r.stat == pytest.approx(spec["regtest_DL"]["zval"], rel=CLOSED), spec["regtest_DL"]["call"]
    t = bias.trimfill(yi, vi, method="DL")
    assert t.k0 == spec["trimfill_DL"]["k0"], spec["trimfill_DL"]["call"]
    assert t.estimate == pytest.approx(spec["trimfill_DL"]["estimate"], rel=CLOSED), spec["trimfill_DL"]["call"]
    lo = bias.leave1out(yi, vi, method="DL")
    assert lo.estimate == pytest.approx(spec["leave1out_DL"]["estimate"], rel=CLOSED), spec["leave1out_DL"]["call"]


def test_tidy_outputs(metafor_ref):
    """to_frame()/to_dict() shapes: leave1out(rma(yi, vi, data=dat, method="REML")) for bcg_RR."""
    fit = _fit(metafor_ref, "bcg_RR", "REML")
    lo = bias.leave1out(fit, study=[f"s{i}" for i in range(1, 14)])
    from review.pool.models import rma

    yi, vi = _escalc(metafor_ref, "bcg_RR")
    labelled = rma(yi, vi, slab=[f"t{i}" for i in range(1, 14)])
    assert bias.leave1out(labelled).study[0] == "t1"  # a fit's slab labels the rows
    assert bias.trimfill(labelled).study[:2] == ["t1", "t2"]
    df = lo.to_frame()
    assert list(df.columns) == [
        "study", "estimate", "se", "zval", "pval", "ci_lb", "ci_ub", "q", "qp", "tau2", "i2", "h2"
    ]
    assert len(df) == 13 and df["study"].iloc[-1] == "s13"
    tf = bias.trimfill(fit)
    frame = tf.to_frame()
    # trimfill(rma(yi, vi, data=dat, method="REML")) fills 1 study (metafor: k0 = 1, k = 14)
    assert len(frame) == 14 and int(frame["filled"].sum()) == 1
    assert bool(frame["filled"].iloc[-1]) and frame["study"].iloc[-1] == "Filled 1"
    import json

    json.dumps(tf.to_dict())
    json.dumps(bias.regtest(fit).to_dict())
    json.dumps(bias.ranktest(fit).to_dict())
    json.dumps(lo.to_dict())
    assert len(bias.regtest(fit).to_frame()) == 1


def test_knha_fit_gives_t_tests(metafor_ref):
    """regtest(rma(yi, vi, data=dat, test="knha")) for bcg_RR: t with df = k - p = 13 - 2;
    leave1out of a knha fit labels its statistic tval, as metafor."""
    from review.pool.models import rma

    yi, vi = _escalc(metafor_ref, "bcg_RR")
    fit = rma(yi, vi, method="REML", test="knha")
    r = bias.regtest(fit)
    assert r.stat_type == "t" and r.dfs == 11
    assert "tval" in bias.leave1out(fit).to_frame().columns


# --------------------------------------------------------------------------
# the exact null distribution of Kendall's statistic
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7])
def test_kendall_exact_distribution_by_enumeration(n):
    """P(concordant pairs <= c) counted over all n! permutations."""
    pairs = list(itertools.combinations(range(n), 2))
    counts = [sum(p[i] < p[j] for i, j in pairs) for p in itertools.permutations(range(n))]
    t0 = n * (n - 1) // 2
    for c in range(-1, t0 + 1):
        want = sum(1 for v in counts if v <= c) / math.factorial(n)
        assert bias._kendall_lower_tail(c, n) == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_ranktest_exact_p_by_enumeration():
    """k = 6, no ties: exact two-sided p as the share of permutations of vi whose |S| >= observed."""
    yi = np.array([0.1, 0.5, -0.3, 0.9, 0.2, 0.7])
    vi = np.array([0.05, 0.2, 0.11, 0.3, 0.07, 0.15])
    res = bias.ranktest(yi, vi)
    w = 1 / vi
    b, vb = np.sum(w * yi) / np.sum(w), 1 / np.sum(w)
    ys = (yi - b) / np.sqrt(vi - vb)

    def s_stat(x, y):
        return sum(np.sign(x[i] - x[j]) * np.sign(y[i] - y[j]) for i, j in itertools.combinations(range(len(x)), 2))

    s_obs = s_stat(ys, vi)
    perms = [s_stat(ys, vi[list(p)]) for p in itertools.permutations(range(6))]
    p_want = sum(1 for s in perms if abs(s) >= abs(s_obs) - 1e-9) / len(perms)
    assert res.exact
    assert res.tau == pytest.approx(s_obs / 15, rel=1e-12)
    assert res.pval == pytest.approx(min(1.0, p_want), rel=1e-12)


def test_ranktest_with_ties_uses_normal_approximation():
    """Tied vi (e.g. ZCOR with equal n) force the normal approximation, as R's cor.test."""
    yi = np.array([0.1, 0.5, -0.3, 0.9, 0.2, 0.7, 0.4])
    vi = np.array([0.1, 0.1, 0.2, 0.3, 0.05, 0.2, 0.12])
    res = bias.ranktest(yi, vi)
    assert not res.exact
    assert -1 <= res.tau <= 1 and 0 < res.pval <= 1


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 40), st.data())
def test_kendall_agrees_with_scipy(n, data):
    """Our tau-b and p against scipy.stats.kendalltau (an independent implementation):
    the normal approximation with tie-corrected variance (R's, with ties) and the exact
    permutation p without ties."""
    from scipy import stats

    x = np.array(data.draw(st.lists(st.integers(0, 12), min_size=n, max_size=n)), dtype=float)
    y = np.array(data.draw(st.lists(st.integers(0, 12), min_size=n, max_size=n)), dtype=float)
    assume(np.ptp(x) > 0 and np.ptp(y) > 0)
    tau, p, used_exact = bias._kendall(x, y, exact=False)
    ref = stats.kendalltau(x, y, method="asymptotic")
    assert not used_exact
    assert tau == pytest.approx(ref.statistic, rel=1e-12, abs=1e-14)
    assert p == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-15)
    xs = np.array(data.draw(st.permutations(range(n))), dtype=float)
    ys = np.array(data.draw(st.permutations(range(n))), dtype=float)
    tau, p, used_exact = bias._kendall(xs, ys, exact=True)
    ref = stats.kendalltau(xs, ys, method="exact")
    assert used_exact
    assert tau == pytest.approx(ref.statistic, rel=1e-12, abs=1e-14)
    assert p == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-15)


# --------------------------------------------------------------------------
# properties (hypothesis)
# --------------------------------------------------------------------------

@st.composite
def _meta_data(draw, min_k=4, max_k=25):
    k = draw(st.integers(min_k, max_k))
    yi = draw(st.lists(st.floats(-3, 3, allow_nan=False, allow_subnormal=False), min_size=k, max_size=k))
    vi = draw(st.lists(st.floats(0.01, 2.0, allow_nan=False), min_size=k, max_size=k))
    return np.array(yi), np.array(vi)


@st.composite
def _symmetric_data(draw):
    """Pairs centre +/- d_j with a shared vi_j; distinct well-separated |d_j|."""
    m = draw(st.integers(2, 10))
    centre = draw(st.floats(-2, 2, allow_nan=False))
    steps = draw(st.lists(st.integers(1, 5), min_size=m, max_size=m))
    d = 0.1 * np.cumsum(steps)  # strictly increasing, gaps >= 0.1
    v = np.array(draw(st.lists(st.floats(0.02, 1.0), min_size=m, max_size=m)))
    yi = np.concatenate([centre + d, centre - d])
    vi = np.concatenate([v, v])
    order = draw(st.permutations(range(2 * m)))
    return yi[list(order)], vi[list(order)]


@example((np.array([0.1, 0.2, -0.1, -0.2]), np.array([1.0, 1.0 - 1e-13, 1.0, 1.0 - 1e-13])))
@settings(max_examples=40, deadline=None)
@given(_symmetric_data())
def test_trimfill_R0_fills_nothing_on_a_symmetric_set(data):
    """A funnel symmetric about its common-effect estimate has no rightmost run of
    positive ranks longer than 1, so R0 = 0 and the model is the original one.

    (L0 is not exact here: each pair's |centred value| ties, and metafor's
    ties.method="first" may hand the larger rank to the positive member, so L0
    can round 2m/(4m-1) up to 1.)
    """
    yi, vi = data
    from review.pool.models import rma

    # equal vi (also equal but for rounding): no side regression possible, so give the side
    side = "left" if np.ptp(vi) <= 1e-9 * np.max(vi) else None
    res = bias.trimfill(yi, vi, method="FE", estimator="R0", side=side)
    assert res.k0 == 0 and res.k == yi.size and not res.filled.any()
    assert res.estimate == pytest.approx(float(rma(yi, vi, method="FE").beta[0]), rel=1e-12, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(_meta_data())
def test_trimfill_mirror_image(data):
    """Negating every effect swaps the side and negates the filled data and the estimate (FE)."""
    yi, vi = data
    assume(len(np.unique(yi)) == yi.size and np.ptp(vi) > 0)
    a = bias.trimfill(yi, vi, method="FE")
    b = bias.trimfill(-yi, vi, method="FE")
    # the side regression's slope changes sign (an exact 0 slope, "left" both times, aside)
    assume(a.side != b.side)
    assert a.k0 == b.k0 and a.se_k0 == pytest.approx(b.se_k0, rel=1e-12)
    assert np.allclose(a.filled_yi, -b.filled_yi, rtol=1e-9, atol=1e-9)
    assert np.array_equal(a.filled_vi, b.filled_vi)
    assert a.estimate == pytest.approx(-b.estimate, rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(_meta_data(min_k=3, max_k=20))
def test_leave1out_k_rows_and_common_effect_formula(data):
    """k studies give k rows; under FE row i is the inverse-variance mean of the
    others, sum(w y)/sum(w) with SE 1/sqrt(sum w) (w = 1/vi)."""
    yi, vi = data
    res = bias.leave1out(yi, vi, method="FE")
    assert res.k == yi.size and len(res.to_frame()) == yi.size
    w = 1 / vi
    for i in range(yi.size):
        keep = np.arange(yi.size) != i
        est = np.sum(w[keep] * yi[keep]) / np.sum(w[keep])
        assert res.estimate[i] == pytest.approx(est, rel=1e-9, abs=1e-12)
        assert res.se[i] == pytest.approx(1 / math.sqrt(np.sum(w[keep])), rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(_meta_data(min_k=3, max_k=30))
def test_egger_classic_is_the_snd_on_precision_regression(data):
    """Egger (1997): OLS of yi/sei on 1/sei; its intercept's t equals our bias
    test statistic and its slope is the limit estimate."""
    yi, vi = data
    sei = np.sqrt(vi)
    z, prec = yi / sei, 1 / sei
    assume(np.ptp(prec) > 1e-3)
    X = np.column_stack([np.ones_like(prec), prec])
    coef, *_ = np.linalg.lstsq(X, z, rcond=None)
    resid = z - X @ coef
    df = yi.size - 2
    s2 = resid @ resid / df
    cov = s2 * np.linalg.inv(X.T @ X)
    assume(cov[0, 0] > 1e-20)
    t_int = coef[0] / math.sqrt(cov[0, 0])
    res = bias.egger_classic(yi, vi)
    assert res.dfs == df
    assert res.stat == pytest.approx(t_int, rel=1e-7, abs=1e-7)
    assert res.limit_est == pytest.approx(coef[1], rel=1e-7, abs=1e-7)


@settings(max_examples=60, deadline=None)
@given(_meta_data(min_k=2, max_k=60))
def test_ranktest_tau_in_range(data):
    yi, vi = data
    res = bias.ranktest(yi, vi)
    if math.isnan(res.tau):  # every yi* or every vi tied: no test, as R's NA
        assert math.isnan(res.pval)
        return
    assert -1 - 1e-12 <= res.tau <= 1 + 1e-12
    assert 0 <= res.pval <= 1


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------


def test_bad_input_raises_input_error():
    yi, vi = [0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.2, 0.1]
    with pytest.raises(InputError, match="yi has 4 values but vi has 3"):
        bias.ranktest(yi, vi[:3])
    with pytest.raises(InputError, match="must be > 0"):
        bias.egger_classic(yi, [0.1, -0.1, 0.2, 0.1])
    with pytest.raises(InputError, match="non-finite"):
        bias.egger_classic([0.1, float("nan"), 0.3, 0.4], vi)
    with pytest.raises(InputError, match="at least 3"):
        bias.egger_classic(yi[:2], vi[:2])
    with pytest.raises(InputError, match="estimator"):
        bias.trimfill(yi, vi, estimator="L1")
    with pytest.raises(InputError, match="side"):
        bias.trimfill(yi, vi, side="up")
    with pytest.raises(InputError, match="predictor"):
        bias.regtest(yi, vi, predictor="se")
    with pytest.raises(InputError, match="needs the sample sizes"):
        bias.regtest(yi, vi, predictor="ninv")
    with pytest.raises(InputError, match="give a fitted model, or both"):
        bias.leave1out(yi)
    equal = [0.1, 0.1, 0.1, 0.1]
    with pytest.raises(InputError, match="same variance"):
        bias.trimfill(yi, equal)
    with pytest.raises(InputError, match="not of full rank"):
        bias.regtest(yi, equal)


def test_trimfill_variances_equal_but_for_rounding_ask_for_a_side():
    """Found by hypothesis: variances equal to 1e-13 made the SE moderator redundant (dropped
    by rma as metafor drops it), and the side regression then had no slope to read."""
    yi = np.array([0.1, 0.2, -0.1, -0.25])
    vi = np.array([1.0, 1.0 - 1e-13, 1.0, 1.0 - 1e-13])
    with pytest.raises(InputError, match="same variance"):
        bias.trimfill(yi, vi, method="FE", estimator="R0")
