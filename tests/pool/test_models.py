"""rma() against R metafor 3.8: every rma.uni fit of metafor_reference.json, value by value.

Input is the reference's own escalc yi/vi (so these tests do not depend on effects.py); the
expected numbers are R's output for the call named in each test id.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from review.errors import InputError
from review.pool.models import METHODS, ConvergenceError, rma

from .conftest import compare, load_reference, rel_tol

_REF = load_reference()
_UNI = {rid: r for rid, r in (_REF or {}).get("results", {}).items() if r["function"] == "rma.uni"}
_CASES = [pytest.param(rid, id=f"{rid} | {r['call']}") for rid, r in _UNI.items()] or [
    pytest.param(None, marks=pytest.mark.skip(reason="../shared/benchmarks/meta is absent"))]


def _fit_for(ref: dict, rid: str):
    r = ref["results"][rid]
    es = ref["escalc"][r["effect_sizes"]]
    v = r["values"]
    return rma(es["yi"], es["vi"], method=v["method"], test=v["test"]), r


def check_fit_values(fit, values: dict, call: str) -> tuple[int, list[str]]:
    """Compare every value R gave for one rma.uni fit; return (numbers compared, failures)."""
    rel = rel_tol(values["method"])
    fails: list[str] = []
    n = 0
    i = 0 if values["p"] == 1 else slice(None)

    def pick(a):
        return a[i].tolist() if isinstance(i, slice) else float(a[i])

    ours = {
        "k": fit.k, "p": fit.p, "method": fit.method, "test": fit.test, "coef_names": fit.coef_names,
        "estimate": pick(fit.beta), "se": pick(fit.se), "stat_type": "t" if fit.test == "knha" else "z",
        "stat": pick(fit.stat), "pval": pick(fit.pval), "ci.lb": pick(fit.ci_lb), "ci.ub": pick(fit.ci_ub),
        "tau2": fit.tau2, "tau": fit.tau, "se.tau2": fit.se_tau2, "I2": fit.i2, "H2": fit.h2,
        "QE": fit.qe, "QE.df": fit.qe_df, "QEp": fit.qe_pval, "s2w": fit.s2w, "df": fit.ddf,
        "QM": fit.qm, "QMdf": [fit.qm_df, fit.qm_ddf], "QMp": fit.qm_pval, "R2": fit.r2,
        "weights_pct": fit.weights_pct.tolist(),
    }
    for key, expected in values.items():
        if key in ("fitstats", "predict", "confint"):
            continue
        assert key in ours, f"reference key {key!r} not checked ({call})"
        n += compare(expected, ours[key], rel, f"{call}: {key}", fails)
    if "fitstats" in values:
        mine = {"logLik": fit.loglik, "deviance": fit.deviance, "AIC": fit.aic, "BIC": fit.bic, "AICc": fit.aicc}
        for key, expected in values["fitstats"].items():
            n += compare(expected, mine[key], rel, f"{call}: fitstats {key}", fails)
    if "predict" in values:
        pr = fit.predict()
        mine = {"pred": pr.pred, "se": pr.se, "ci.lb": pr.ci_lb, "ci.ub": pr.ci_ub, "pi.lb": pr.pi_lb,
                "pi.ub": pr.pi_ub}
        for key, expected in values["predict"].items():
            n += compare(expected, mine[key], rel, f"{call}: predict() {key}", fails)
    if "confint" in values:
        ci = fit.confint_tau2()
        fields = {"tau2": (ci.tau2, fit.tau2_ci_lb, fit.tau2_ci_ub), "tau": (ci.tau, fit.tau_ci_lb, fit.tau_ci_ub),
                  "I2": (ci.i2, fit.i2_ci_lb, fit.i2_ci_ub), "H2": (ci.h2, fit.h2_ci_lb, fit.h2_ci_ub)}
        for name, (triple, lb, ub) in fields.items():
            exp = values["confint"][name]
            n += compare(exp["estimate"], triple[0], rel, f"{call}: confint {name} estimate", fails)
            # the bounds come from uniroot (tol eps^0.25) for every method: iterative tolerance
            n += compare(exp["ci.lb"], triple[1], 1e-6, f"{call}: confint {name} ci.lb", fails)
            n += compare(exp["ci.ub"], triple[2], 1e-6, f"{call}: confint {name} ci.ub", fails)
            compare(exp["ci.lb"], lb, 1e-6, f"{call}: RmaResult {name} ci lb field", fails)
            compare(exp["ci.ub"], ub, 1e-6, f"{call}: RmaResult {name} ci ub field", fails)
    return n, fails


@pytest.mark.parametrize("rid", _CASES)
def test_rma_uni_matches_metafor(metafor_ref, rid):
    fit, r = _fit_for(metafor_ref, rid)
    call = f"{r['call']} on {r['effect_sizes']}"
    n, fails = check_fit_values(fit, r["values"], call)
    assert n > 20
    assert not fails, "\n".join(fails)


def test_every_rma_uni_result_is_covered(metafor_ref):
    """143 rma.uni fits in the reference (issue 8 says 151 fits incl. 8 MH/Peto)."""
    uni = [r for r in metafor_ref["results"].values() if r["function"] == "rma.uni"]
    assert len(uni) == len(_UNI) == 143


# ---- prediction-interval conventions --------------------------------------------------------


@pytest.mark.parametrize("rid", ["bcg_RR_DL", "hackshaw1998_GEN_REML", "normand1999_SMD_PM"])
def test_pi_k_minus_2_convention(metafor_ref, rid):
    """pi_df='k-2' (R meta / IntHout 2016): pred +/- qt(.975, k-2) sqrt(tau2 + se^2), from R's pred/se/tau2."""
    fit, r = _fit_for(metafor_ref, rid)
    v = r["values"]
    half = stats.t.isf(0.025, v["k"] - 2) * math.sqrt(v["tau2"] + v["predict"]["se"] ** 2)
    pr = fit.predict(pi_df="k-2")
    assert pr.pi_lb == pytest.approx(v["predict"]["pred"] - half, rel=1e-6), r["call"]
    assert pr.pi_ub == pytest.approx(v["predict"]["pred"] + half, rel=1e-6), r["call"]
    # the metafor default is unchanged and narrower here (qnorm < qt)
    assert fit.predict().pi_lb == pytest.approx(v["predict"]["pi.lb"], rel=1e-6)
    es = metafor_ref["escalc"][r["effect_sizes"]]
    fit2 = rma(es["yi"], es["vi"], method=v["method"], pi_df="k-2")
    assert fit2.predict().pi_lb == pytest.approx(pr.pi_lb, rel=1e-12)


def test_knha_adhoc_truncation_raises_s2w_to_one(metafor_ref):
    """bcg RR REML knha: R gives s2w = 1.0113 (> 1, unchanged by truncation); nielweise RR has s2w < 1."""
    es = metafor_ref["escalc"]["nielweise2007_RR"]
    plain = rma(es["yi"], es["vi"], test="knha")
    trunc = rma(es["yi"], es["vi"], test="knha", control={"s2w_min": 1})
    ref = metafor_ref["results"]["nielweise2007_RR_REML_knha"]["values"]
    assert plain.s2w == pytest.approx(ref["s2w"], rel=1e-6)
    assert ref["s2w"] < 1  # metafor 3.8 does not truncate by default
    assert trunc.s2w == 1.0
    # with s2w = 1 the SE is the z-test SE of the same model (metafor REML, test="z")
    z = metafor_ref["results"]["nielweise2007_RR_REML"]["values"]
    assert trunc.se[0] == pytest.approx(z["se"], rel=1e-6)


# ---- small k and bad input ---------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_single_study_returns_its_own_estimate(method):
    fit = rma([0.4], [0.04], method=method)
    assert fit.k == 1
    assert fit.estimate == 0.4
    assert fit.se[0] == pytest.approx(0.2, rel=1e-15)  # sqrt(vi)
    assert fit.ci == pytest.approx((0.4 - 1.959963984540054 * 0.2, 0.4 + 1.959963984540054 * 0.2), rel=1e-12)
    assert fit.tau2 == 0.0 and fit.qe == 0.0 and fit.i2 == 0.0 and fit.h2 == 1.0
    assert fit.warnings, "a single study must come with a warning"
    assert fit.predict().pi_lb is None


@pytest.mark.parametrize("method", ["FE", "DL", "REML"])
def test_two_studies(metafor_ref, method):
    """k = 2: the 'alternate' subgroup of BCG (studies 7 and 13), R values from the subgroup block."""
    ref = metafor_ref["subgroup"]["bcg_RR_alloc"][method]["separate_tau2"]["groups"][0]
    assert ref["level"] == "alternate" and ref["k"] == 2
    es = metafor_ref["escalc"]["bcg_RR"]
    alloc = [r["alloc"] for r in _bcg_rows()]
    idx = [i for i, a in enumerate(alloc) if a == "alternate"]
    fit = rma(np.array(es["yi"])[idx], np.array(es["vi"])[idx], method=method)
    rel = 1e-10 if method != "REML" else 1e-6
    for key, ours in [("estimate", fit.estimate), ("se", fit.se[0]), ("tau2", fit.tau2), ("QE", fit.qe),
                      ("I2", fit.i2), ("ci.lb", fit.ci_lb[0]), ("ci.ub", fit.ci_ub[0])]:
        assert ours == pytest.approx(ref[key], rel=rel, abs=1e-14), f"{ref['call']}: {key}"


def _bcg_rows():
    from .conftest import read_benchmark_csv

    return read_benchmark_csv("bcg")


@pytest.mark.parametrize(
    "yi, vi, match",
    [
        ([0.1, float("nan")], [0.1, 0.1], "yi"),
        ([0.1, 0.2], [0.1, -0.5], "vi = -0.5"),
        ([0.1, 0.2, 0.3], [0.1, 0.2], "yi has 3 values but vi has 2"),
        ([], [], "no studies"),
        (["a", "b"], [0.1, 0.1], "numbers"),
    ],
)
def test_bad_input_raises_input_error(yi, vi, match):
    with pytest.raises(InputError, match=match):
        rma(yi, vi)


def test_bad_input_names_the_study():
    with pytest.raises(InputError, match="study 'Smith 2010': vi = -1"):
        rma([0.1, 0.2], [0.1, -1.0], slab=["Jones 2001", "Smith 2010"])


def test_unknown_method_and_test():
    with pytest.raises(InputError, match="unknown method"):
        rma([0.1, 0.2], [0.1, 0.1], method="XYZ")
    with pytest.raises(InputError, match="unknown test"):
        rma([0.1, 0.2], [0.1, 0.1], test="t2")


def test_zero_variance_common_effect_is_an_input_error():
    with pytest.raises(InputError, match="infinite"):
        rma([0.1, 0.2, 0.3], [0.0, 0.1, 0.1], method="FE")


def test_pm_tau2_max_too_low_is_reported():
    with pytest.raises(ConvergenceError, match="tau2_max"):
        rma([-20, -2, -55, -71, -4, 1, 11, -10, 7], [1.0] * 9, method="PM", control={"tau2_max": 10})


def test_ce_is_an_alias_of_fe(metafor_ref):
    es = metafor_ref["escalc"]["bcg_RR"]
    ref = metafor_ref["results"]["bcg_RR_FE"]["values"]
    fit = rma(es["yi"], es["vi"], method="ce")
    assert fit.estimate == pytest.approx(ref["estimate"], rel=1e-10)
    assert fit.se_tau2 is None and fit.tau2_ci_lb is None


# ---- properties ------------------------------------------------------------------------------

_studies = st.lists(
    st.tuples(st.floats(-5, 5, allow_nan=False), st.floats(0.001, 4, allow_nan=False)), min_size=2, max_size=25)


@settings(max_examples=60, deadline=None)
@given(_studies)
def test_fe_estimate_lies_within_the_study_estimates(rows):
    yi = [r[0] for r in rows]
    vi = [r[1] for r in rows]
    fit = rma(yi, vi, method="FE")
    span = max(abs(min(yi)), abs(max(yi)), 1.0) * 1e-12
    assert min(yi) - span <= fit.estimate <= max(yi) + span


@settings(max_examples=40, deadline=None)
@given(_studies, st.randoms(use_true_random=False), st.sampled_from(["FE", "DL", "REML", "PM", "ML", "EB", "SJ", "HE"]))
def test_results_do_not_depend_on_study_order(rows, rnd, method):
    yi = np.array([r[0] for r in rows])
    vi = np.array([r[1] for r in rows])
    order = list(range(len(rows)))
    rnd.shuffle(order)
    try:
        a = rma(yi, vi, method=method)
    except ConvergenceError:
        return
    b = rma(yi[order], vi[order], method=method)
    scale = max(1.0, float(np.max(np.abs(yi))))
    assert b.estimate == pytest.approx(a.estimate, rel=1e-7, abs=1e-9 * scale)
    assert b.tau2 == pytest.approx(a.tau2, rel=1e-6, abs=1e-9 * scale**2)
    assert b.qe == pytest.approx(a.qe, rel=1e-9, abs=1e-9)
    assert sorted(b.weights_pct) == pytest.approx(sorted(a.weights_pct), rel=1e-6, abs=1e-9)


def test_fisher_scoring_non_convergence_is_reported(metafor_ref):
    """maxiter = 0 stops after the first Fisher-scoring step (metafor: 'did not converge' error)."""
    es = metafor_ref["escalc"]["bcg_RR"]
    with pytest.raises(ConvergenceError, match="did not converge"):
        rma(es["yi"], es["vi"], method="REML", control={"maxiter": 0})
