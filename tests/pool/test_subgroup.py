"""Subgroup analyses against R metafor 3.8: the `subgroup` block of metafor_reference.json.

Separate tau^2 per subgroup (RevMan / R meta) with Q between subgroup estimates, and the common
tau^2 factor-moderator model (metafor QM test); yi/vi from the reference's escalc values and the
subgroup column from the benchmark CSV.
"""

from __future__ import annotations

import pytest

from review.errors import InputError
from review.pool.subgroup import subgroup_analysis

from .conftest import compare, load_reference, read_benchmark_csv, rel_tol

_REF = load_reference()
_CASES = [pytest.param(sid, m, id=f"{sid}-{m} | {s[m]['common_tau2']['call']}")
          for sid, s in (_REF or {}).get("subgroup", {}).items() for m in ("FE", "DL", "REML")] or [
    pytest.param(None, None, marks=pytest.mark.skip(reason="../shared/benchmarks/meta is absent"))]


def _run(ref, sid, method, tau2="separate"):
    s = ref["subgroup"][sid]
    es = ref["escalc"][f"{s['dataset']}_{s['measure']}"]
    groups = [r[s["moderator"]] for r in read_benchmark_csv(s["dataset"])]
    res = subgroup_analysis(es["yi"], es["vi"], groups, method=method, tau2=tau2, name=f"factor({s['moderator']})")
    return s, res


@pytest.mark.parametrize("sid, method", _CASES)
def test_separate_tau2_matches_metafor(metafor_ref, sid, method):
    s, res = _run(metafor_ref, sid, method)
    ref = s[method]["separate_tau2"]
    rel = rel_tol(method)
    fails: list[str] = []
    assert res.levels == s["levels"]
    for exp, ours in zip(ref["groups"], res.separate, strict=True):
        call = exp["call"]
        mine = {"level": ours.level, "k": ours.k, "estimate": ours.estimate, "se": ours.se, "zval": ours.stat,
                "pval": ours.pval, "ci.lb": ours.ci_lb, "ci.ub": ours.ci_ub, "tau2": ours.tau2, "I2": ours.i2,
                "QE": ours.qe, "QEp": ours.qe_pval}
        for key, val in exp.items():
            if key == "call":
                continue
            compare(val, mine[key], rel, f"{call}: {key}", fails)
    call = ref["Q_between_call"]
    compare(ref["Q_between"], res.q_between, rel, f"{call}", fails)
    compare(ref["Q_between_df"], res.q_between_df, rel, f"{call} df", fails)
    compare(ref["Q_between_p"], res.q_between_pval, rel, f"{call} p", fails)
    assert res.tau2_mode == "separate" and res.groups == res.separate
    assert list(res.fits) == s["levels"]
    assert not fails, "\n".join(fails)


@pytest.mark.parametrize("sid, method", _CASES)
def test_common_tau2_matches_metafor(metafor_ref, sid, method):
    s, res = _run(metafor_ref, sid, method, tau2="common")
    ref = s[method]["common_tau2"]
    rel = rel_tol(method)
    fit, gfit = res.common_fit, res.common_groups_fit
    call, gcall = ref["call"], ref["group_call"]
    fails: list[str] = []
    mine = {"QM": fit.qm, "QMdf": [fit.qm_df, fit.qm_ddf], "QMp": fit.qm_pval, "QE": fit.qe, "QEp": fit.qe_pval,
            "tau2": fit.tau2, "I2": fit.i2, "R2": fit.r2, "coef_names": fit.coef_names, "coef": fit.beta.tolist(),
            "coef_se": fit.se.tolist()}
    for key, val in mine.items():
        compare(ref[key], val, rel, f"{call}: {key}", fails)
    grp = {"group_estimate": [g.estimate for g in res.common], "group_se": [g.se for g in res.common],
           "group_ci.lb": [g.ci_lb for g in res.common], "group_ci.ub": [g.ci_ub for g in res.common]}
    for key, val in grp.items():
        compare(ref[key], val, rel, f"{gcall}: {key}", fails)
    compare(ref["group_estimate"], gfit.beta.tolist(), rel, f"{gcall}: coef", fails)
    assert res.q_between == fit.qm and res.q_between_pval == fit.qm_pval and res.groups == res.common
    assert res.fits == {}  # one joint model in common mode: no per-subgroup fits
    assert not fails, "\n".join(fails)


def test_single_study_subgroup_gets_a_warning():
    res = subgroup_analysis([0.1, 0.3, 0.2, 0.9], [0.05, 0.04, 0.06, 0.1], ["a", "a", "a", "b"], method="DL")
    assert res.separate[1].k == 1 and res.separate[1].estimate == 0.9
    assert any("'b'" in w for w in res.warnings)
    assert res.q_between_df == 1


def test_bad_arguments():
    with pytest.raises(InputError, match="separate"):
        subgroup_analysis([0.1, 0.2], [0.1, 0.1], ["a", "b"], tau2="both")
    with pytest.raises(InputError, match="labels"):
        subgroup_analysis([0.1, 0.2], [0.1, 0.1], ["a"])
