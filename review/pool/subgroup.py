"""Subgroup analysis: separate tau^2 per subgroup (RevMan, R meta) or one common tau^2 (metafor).

Two conventions are in use and they answer slightly different questions:

* **separate tau^2** (as in RevMan and R's ``meta``; ``tau2="separate"``): each subgroup is pooled
  on its own, with its own tau^2; the test for subgroup differences is Cochran's Q between the
  subgroup estimates, ``rma(yi=<estimates>, sei=<SEs>, method="FE")$QE`` with G - 1 df.
* **common tau^2** (metafor; the default here, as for every convention where they differ): one mixed-effects model with the subgroup as a factor moderator,
  ``rma(yi, vi, mods = ~ factor(g))``; the test is the omnibus QM test of the factor (chi^2 with
  G - 1 df, or F with test="knha"), and the subgroup estimates come from the same model without
  intercept (``mods = ~ factor(g) - 1``).

Both are always computed; ``tau2=`` only chooses which one the summary fields report.

References
----------
Borenstein M, Higgins JPT (2013). Meta-analysis and subgroups. Prev Sci 14:134-143.
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. J Stat Softw 36(3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from review.errors import InputError
from review.pool.design import _is_numeric, _level_key, _level_label, factor_levels
from review.pool.models import RmaResult, rma

__all__ = ["subgroup_analysis", "SubgroupResult", "GroupEstimate"]


@dataclass(frozen=True)
class GroupEstimate:
    """The pooled estimate of one subgroup (from its own fit, or from the common-tau^2 model)."""

    level: str
    k: int
    estimate: float
    se: float
    stat: float
    pval: float
    ci_lb: float
    ci_ub: float
    tau2: float
    i2: float | None
    qe: float | None
    qe_df: int | None
    qe_pval: float | None
    pi_lb: float | None = None
    pi_ub: float | None = None


@dataclass(frozen=True)
class SubgroupResult:
    """Both subgroup conventions; the unprefixed summary fields follow ``tau2_mode``."""

    levels: list[str]
    tau2_mode: str
    method: str
    test: str
    groups: list[GroupEstimate]              # of the chosen mode
    q_between: float                         # separate: Q between; common: QM
    q_between_df: int
    q_between_ddf: int | None                # common + knha: F test denominator df
    q_between_pval: float
    separate: list[GroupEstimate]
    separate_fits: dict[str, RmaResult]
    separate_q: float
    separate_q_df: int
    separate_q_pval: float
    common_fit: RmaResult | None             # rma(yi, vi, mods = ~ factor(g))
    common_groups_fit: RmaResult | None      # rma(yi, vi, mods = ~ factor(g) - 1)
    common: list[GroupEstimate]
    overall: RmaResult
    warnings: list[str] = field(default_factory=list)

    @property
    def fits(self) -> dict[str, RmaResult]:
        """Each subgroup's own fit in "separate" mode; empty in "common" mode (one joint model)."""
        return self.separate_fits if self.tau2_mode == "separate" else {}


def _group_from_fit(level: str, fit: RmaResult) -> GroupEstimate:
    pred = fit.predict()
    return GroupEstimate(
        level=level, k=fit.k, estimate=fit.estimate, se=float(fit.se[0]), stat=float(fit.stat[0]),
        pval=float(fit.pval[0]), ci_lb=float(fit.ci_lb[0]), ci_ub=float(fit.ci_ub[0]), tau2=fit.tau2,
        i2=fit.i2, qe=fit.qe, qe_df=fit.qe_df, qe_pval=fit.qe_pval, pi_lb=pred.pi_lb, pi_ub=pred.pi_ub,
    )


def subgroup_analysis(yi, vi, groups, method: str = "REML", tau2: str = "common", test: str = "z",
                      level: float = 95, control: dict | None = None, *, name: str = "group",
                      slab=None) -> SubgroupResult:
    """Pool within subgroups and test whether the subgroups differ.

    Parameters
    ----------
    yi, vi : array-like
        Effect sizes and sampling variances.
    groups : array-like
        Subgroup label per study; level order = pandas Categorical order, else sorted (as R's
        ``factor``).
    method, test, level, control
        As :func:`review.pool.models.rma`, used for every fit.
    tau2 : {"separate", "common"}
        Which convention the summary fields (``groups``, ``q_between*``) report: "separate"
        (RevMan / R meta: own tau^2 per subgroup, Q between subgroup estimates) or "common"
        (metafor: factor moderator, QM test). Both are always computed.
    name : str
        Moderator name used for the common-tau^2 coefficient names (``<name><level>``).

    Returns
    -------
    SubgroupResult

    References
    ----------
    Borenstein & Higgins (2013). Prev Sci 14:134-143.
    """
    if tau2 not in ("separate", "common"):
        raise InputError(f"tau2 must be 'separate' or 'common', not {tau2!r}", field="tau2")
    y = np.asarray(yi, dtype=float).reshape(-1)
    v = np.asarray(vi, dtype=float).reshape(-1)
    g = list(groups)
    if len(g) != y.size or v.size != y.size:
        raise InputError(f"groups has {len(g)} labels for {y.size} studies", field="groups")
    labels = list(slab) if slab is not None else None
    notes: list[str] = []
    overall = rma(y, v, method=method, test=test, level=level, control=control, slab=labels)

    # level order as R's factor(): numbers numerically, text sorted, pandas Categorical in its order
    if _is_numeric(groups):
        levels_raw = tuple(sorted({_level_key(x) for x in g}))
        if any(isinstance(x, float) and math.isnan(x) for x in levels_raw):
            raise InputError(f"{name!r} is missing for some studies", field=name)
    else:
        levels_raw = factor_levels(groups, name)
    member = [_level_key(x) for x in g]
    levels = [_level_label(lev) for lev in levels_raw]
    dummies = {f"{name}{lab}": np.array([1.0 if x == lev else 0.0 for x in member])
               for lev, lab in zip(levels_raw, levels)}

    separate, fits = [], {}
    for lev, lab in zip(levels_raw, levels):
        idx = [i for i, x in enumerate(member) if x == lev]
        fit = rma(y[idx], v[idx], method=method, test=test, level=level, control=control,
                  slab=[labels[i] for i in idx] if labels else None)
        notes += [f"subgroup {lab!r}: {w}" for w in fit.warnings]
        fits[lab] = fit
        separate.append(_group_from_fit(lab, fit))
    est = np.array([s.estimate for s in separate])
    se = np.array([s.se for s in separate])
    if len(separate) > 1:
        qb = rma(est, se**2, method="FE")
        q_sep, q_sep_df, q_sep_p = qb.qe, qb.qe_df, qb.qe_pval
    else:
        q_sep, q_sep_df, q_sep_p = 0.0, 0, math.nan
        notes.append("only one subgroup: no test for subgroup differences")

    common_fit = common_groups_fit = None
    common: list[GroupEstimate] = []
    if len(levels) > 1:
        try:
            # R: rma(yi, vi, mods = ~ factor(g)) and rma(yi, vi, mods = ~ factor(g) - 1)
            with_int = dict(list(dummies.items())[1:])
            common_fit = rma(y, v, mods=with_int, method=method, test=test, level=level, control=control)
            common_groups_fit = rma(y, v, mods=dummies, method=method, test=test, level=level, control=control,
                                    intercept=False)
        except InputError as exc:
            notes.append(f"common-tau^2 model not fitted: {exc}")
    if common_groups_fit is not None:
        f = common_groups_fit
        for j, lab in enumerate(levels):
            common.append(GroupEstimate(
                level=lab, k=sum(1 for x in member if x == levels_raw[j]), estimate=float(f.beta[j]),
                se=float(f.se[j]), stat=float(f.stat[j]), pval=float(f.pval[j]), ci_lb=float(f.ci_lb[j]),
                ci_ub=float(f.ci_ub[j]), tau2=f.tau2, i2=None, qe=None, qe_df=None, qe_pval=None))

    if tau2 == "common":
        if common_fit is None:
            raise InputError("the common-tau^2 subgroup model could not be fitted: " + "; ".join(notes))
        chosen, qb_, df_, ddf_, p_ = common, common_fit.qm, common_fit.qm_df, common_fit.qm_ddf, common_fit.qm_pval
    else:
        chosen, qb_, df_, ddf_, p_ = separate, q_sep, q_sep_df, None, q_sep_p
    return SubgroupResult(
        levels=levels, tau2_mode=tau2, method=overall.method, test=overall.test, groups=chosen,
        q_between=float(qb_), q_between_df=int(df_), q_between_ddf=ddf_, q_between_pval=float(p_),
        separate=separate, separate_fits=fits, separate_q=float(q_sep), separate_q_df=int(q_sep_df),
        separate_q_pval=float(q_sep_p), common_fit=common_fit, common_groups_fit=common_groups_fit,
        common=common, overall=overall, warnings=notes,
    )
