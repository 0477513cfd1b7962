"""Common-effect models for 2x2 tables: Mantel-Haenszel (RR, OR, RD) and Peto's OR.

They agree with ``metafor::rma.mh`` and ``metafor::rma.peto`` (3.8): the pooled
estimate comes from the raw counts, while the study-level yi/vi (for display and,
for MH, Cochran's Q around the MH estimate with I2 and H2) come from
:func:`review.pool.effects.escalc` with 1/2 added to studies with a zero cell and
double-zero studies dropped. Peto's Q uses the raw observed-minus-expected counts.

Continuity-correction conventions (``convention=``):

* ``"metafor"`` (default): ``add=(0.5, 0)``, ``to=("only0", "none")``,
  ``drop00=(True, False)`` -- the first element is for the study-level yi/vi,
  the second for the counts that enter the MH / Peto estimate. No correction
  touches the pooled estimate.
* ``"revman"``: RevMan 5 and R's ``meta::metabin`` (``MH.exact=FALSE``) add 1/2
  to every cell of a zero-cell study also for the MH estimate, and leave
  double-zero studies out for RR and OR (for RD they stay in, with yi = 0):
  ``add=(0.5, 0.5)``, ``to=("only0", "only0")``, ``drop00`` true for RR/OR and
  false for RD in both places. Peto's method needs no correction in either.

Explicit ``add``/``to``/``drop00`` pairs override the convention, as in metafor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from review.errors import InputError
from review.pool.effects import _to_float, escalc

__all__ = ["MhResult", "rma_mh", "rma_peto"]


@dataclass(frozen=True)
class MhResult:
    """A Mantel-Haenszel or Peto common-effect fit (fields follow RmaResult's names).

    Everything is on the model scale (log for RR, OR and Peto's OR). ``yi``, ``vi``
    and ``weights_pct`` have one entry per study, nan for studies left out of Q
    (``yi``/``vi``) or of the estimate (``weights_pct`` is 0 there). ``k`` counts
    all tables, ``k_yi`` those with a study-level estimate (Q has ``k_yi - 1`` df),
    ``k_pos`` (OR and Peto) those with events and non-events.

    OR only: ``co`` Cochran's test, ``cmh`` the Cochran-Mantel-Haenszel test
    (metafor's ``CO`` and ``MH``), ``bd`` Breslow-Day and ``ta`` Tarone's test of
    homogeneity, each with a p-value (``*_pval``); None for other measures.
    """

    measure: str
    method: str
    k: int
    k_yi: int
    k_pos: int | None
    estimate: float
    se: float
    zval: float
    pval: float
    ci_lb: float
    ci_ub: float
    qe: float
    qe_df: int
    qe_pval: float
    i2: float
    h2: float
    weights_pct: np.ndarray
    yi: np.ndarray
    vi: np.ndarray
    level: float = 95.0
    tau2: float = 0.0
    co: float | None = None
    co_pval: float | None = None
    cmh: float | None = None
    cmh_pval: float | None = None
    bd: float | None = None
    bd_pval: float | None = None
    ta: float | None = None
    ta_pval: float | None = None
    convention: str = "metafor"
    studies: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)

    # -- views shared with RmaResult's intercept-only properties --------------------
    # (no ``beta``/``stat`` arrays on purpose: callers tell the two apart by ``beta``)
    p = 1
    test = "z"
    tau = 0.0

    @property
    def ci(self) -> tuple[float, float]:
        return (self.ci_lb, self.ci_ub)

    @property
    def int_only(self) -> bool:
        return True

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict of the fields."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            val = getattr(self, name)
            if isinstance(val, np.ndarray):
                val = [None if not np.isfinite(x) else float(x) for x in val]
            elif isinstance(val, tuple):
                val = list(val)
            out[name] = val
        return out


# --------------------------------------------------------------------------- helpers


def _pair(value: Any, second: Any) -> tuple[Any, Any]:
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise InputError(f"{value!r} must be one value or a pair", field="add/to/drop00")
        return value[0], value[1]
    return value, second


def _floats(values: Any) -> np.ndarray | None:
    if values is None:
        return None
    arr = np.atleast_1d(np.asarray(values, dtype=object))
    if arr.dtype.kind in "fiub":
        return arr.astype(float)
    return np.array([_to_float(v) for v in arr.tolist()], dtype=float)


def _cells(ai, bi, ci, di, n1i, n2i):
    a, c = _floats(ai), _floats(ci)
    b = _floats(bi) if bi is not None else _floats(n1i) - a
    d = _floats(di) if di is not None else _floats(n2i) - c
    return a, b, c, d


def _adjust(a, b, c, d, add, to, drop00):
    """Counts for the pooled estimate: metafor's second add/to/drop00 elements."""
    keep = np.ones(a.shape[0], bool)
    if drop00:
        keep = ~(((a == 0) & (c == 0)) | ((b == 0) & (d == 0)))
    zero = ((a == 0) | (b == 0) | (c == 0) | (d == 0)) & keep
    if to == "all":
        sel = keep
    elif to == "only0":
        sel = zero
    elif to == "if0all":
        sel = keep & bool(zero.any())
    elif to == "none":
        sel = np.zeros_like(keep)
    else:
        raise InputError(f"to = {to!r} must be one of 'all', 'only0', 'if0all', 'none'", field="to")
    inc = np.where(sel, float(add), 0.0)
    return a + inc, b + inc, c + inc, d + inc, keep


def _heterogeneity(yi, vi, beta):
    """Cochran's Q of the study-level yi around the pooled estimate (Woolf), I2, H2."""
    from review import dist

    ok = np.isfinite(yi) & np.isfinite(vi)
    k_yi = int(ok.sum())
    if k_yi < 2:
        return k_yi, 0.0, 0, 1.0, 0.0, 1.0
    qe = float(np.sum((yi[ok] - beta) ** 2 / vi[ok]))
    df = k_yi - 1
    i2 = max(0.0, 100 * (qe - df) / qe) if qe > 0 else 0.0
    return k_yi, qe, df, float(dist.chi2_sf(qe, df)), i2, qe / df


def _z_summary(beta, se, level):
    from review import dist

    zval = beta / se
    pval = 2 * dist.norm_sf(abs(zval))
    crit = dist.norm_ppf(1 - (1 - level / 100) / 2)
    return zval, float(pval), beta - crit * se, beta + crit * se


def _chi2_sf(x, df):
    from review import dist

    return float(dist.chi2_sf(x, df))


# --------------------------------------------------------------------------- rma_mh


def rma_mh(
    ai: Any = None,
    bi: Any = None,
    ci: Any = None,
    di: Any = None,
    *,
    n1i: Any = None,
    n2i: Any = None,
    measure: str = "OR",
    add: float | Sequence[float] | None = None,
    to: str | Sequence[str] | None = None,
    drop00: bool | Sequence[bool] | None = None,
    correct: bool = True,
    level: float = 95,
    convention: str = "metafor",
    studies: Sequence[Any] | None = None,
    slab: Sequence[Any] | None = None,
) -> MhResult:
    """Mantel-Haenszel common-effect meta-analysis of 2x2 tables (``metafor::rma.mh``).

    Parameters
    ----------
    ai, bi, ci, di : array-like
        Events and non-events in group 1 (``ai``, ``bi``) and group 2 (``ci``,
        ``di``); ``n1i``/``n2i`` (group sizes) may replace ``bi``/``di``.
    measure : {"OR", "RR", "RD"}
    add, to, drop00 : value or pair, optional
        As metafor: the first element applies to the study-level yi/vi (Q, I2),
        the second to the counts of the MH estimate. Defaults come from
        ``convention`` (metafor: ``(0.5, 0)``, ``("only0", "none")``, ``(True, False)``).
    correct : bool
        Continuity correction in the Cochran-Mantel-Haenszel test (OR only).
    convention : {"metafor", "revman"}
        See the module docstring: "revman" also corrects the counts of zero-cell
        studies for the MH estimate and drops double-zero studies (RR, OR).

    Returns
    -------
    MhResult
        ``estimate`` is the log MH ratio (RR, OR) or the MH risk difference, its
        SE from Greenland & Robins (1985) for RR, Robins, Breslow & Greenland (1986)
        for OR, and Sato, Greenland & Robins (1989) for RD.

    References
    ----------
    Mantel, N., & Haenszel, W. (1959). JNCI, 22(4), 719-748.
    Greenland, S., & Robins, J. M. (1985). Estimation of a common effect parameter
    from sparse follow-up data. Biometrics, 41(1), 55-68.
    Robins, J., Breslow, N., & Greenland, S. (1986). Estimators of the Mantel-Haenszel
    variance consistent in both sparse data and large-strata limiting models.
    Biometrics, 42(2), 311-323.
    Sato, T., Greenland, S., & Robins, J. M. (1989). On the variance estimator for
    the Mantel-Haenszel risk difference. Biometrics, 45(4), 1323-1324.
    Breslow, N. E., & Day, N. E. (1980). Statistical methods in cancer research,
    vol. 1. IARC. Tarone, R. E. (1985). Biometrika, 72(1), 91-95.
    """
    measure = str(measure).upper()
    if measure not in ("OR", "RR", "RD"):
        raise InputError(f"Mantel-Haenszel needs measure OR, RR or RD, not {measure!r}", field="measure")
    add, to, drop00 = _conventions(convention, measure, add, to, drop00)
    es = escalc(
        measure, ai=ai, bi=bi, ci=ci, di=di, n1i=n1i, n2i=n2i,
        add=add[0], to=to[0], drop00=drop00[0], studies=studies, slab=slab,
    )
    a, b, c, d, keep = _adjust(*_cells(ai, bi, ci, di, n1i, n2i), add[1], to[1], drop00[1])
    a, b, c, d = (x[keep] for x in (a, b, c, d))
    n1, n2 = a + b, c + d
    n = n1 + n2
    warnings: list[str] = []
    extra: dict[str, Any] = {}
    if measure == "OR":
        r_i, s_i = a * d / n, b * c / n
        big_r, big_s = r_i.sum(), s_i.sum()
        if big_r == 0 or big_s == 0:
            raise InputError(_no_events_message(measure))
        beta = math.log(big_r / big_s)
        p_i, q_i = (a + d) / n, (b + c) / n
        var = (
            np.sum(p_i * r_i) / (2 * big_r**2)
            + np.sum(p_i * s_i + q_i * r_i) / (2 * big_r * big_s)
            + np.sum(q_i * s_i) / (2 * big_s**2)
        )
        wts = s_i
        extra = _or_tests(a, b, c, d, big_r / big_s, correct)
    elif measure == "RR":
        big_r, big_s = np.sum(a * n2 / n), np.sum(c * n1 / n)
        if big_r == 0 or big_s == 0:
            raise InputError(_no_events_message(measure))
        beta = math.log(big_r / big_s)
        var = np.sum(n1 * n2 * (a + c) / n**2 - a * c / n) / (big_r * big_s)
        wts = c * n1 / n
    else:
        w_i = n1 * n2 / n
        big_w = w_i.sum()
        beta = float(np.sum(a * n2 / n - c * n1 / n) / big_w)
        big_p = np.sum((n1**2 * c - n2**2 * a + n1 * n2 * (n2 - n1) / 2) / n**2)
        big_q = np.sum((a * (n2 - c) + c * (n1 - a)) / (2 * n))
        var = (beta * big_p + big_q) / big_w**2
        wts = w_i
    se = math.sqrt(var)
    zval, pval, lb, ub = _z_summary(beta, se, level)
    k_yi, qe, qe_df, qe_p, i2, h2 = _heterogeneity(es.yi, es.vi, beta)
    if k_yi < 2:
        warnings.append(f"only {k_yi} study with a study-level estimate: no heterogeneity statistics")
    weights = np.zeros(es.k)
    weights[keep] = 100 * wts / wts.sum()
    return MhResult(
        measure=measure, method="MH", k=es.k, k_yi=k_yi, k_pos=extra.pop("k_pos", None),
        estimate=beta, se=se, zval=zval, pval=pval, ci_lb=lb, ci_ub=ub,
        qe=qe, qe_df=qe_df, qe_pval=qe_p, i2=i2, h2=h2, weights_pct=weights,
        yi=es.yi, vi=es.vi, level=level, convention=convention, studies=es.studies,
        notes=es.notes, warnings=warnings, **extra,
    )


def _conventions(convention, measure, add, to, drop00):
    conv = str(convention).lower()
    if conv == "metafor":
        dflt = ((0.5, 0.0), ("only0", "none"), (True, False))
    elif conv == "revman":
        d00 = measure in ("OR", "RR")
        dflt = ((0.5, 0.5), ("only0", "only0"), (d00, d00))
    else:
        raise InputError(f"convention {convention!r} must be 'metafor' or 'revman'", field="convention")
    # a scalar sets the first element, the second keeps metafor's default (as rma.mh does)
    add = _pair(add, 0.0) if add is not None else dflt[0]
    to = _pair(to, "none") if to is not None else dflt[1]
    drop00 = _pair(drop00, False) if drop00 is not None else dflt[2]
    return add, to, drop00


def _no_events_message(measure: str) -> str:
    return (
        f"the Mantel-Haenszel {measure} is not estimable: no study has events "
        "(or non-events) in the group it needs"
    )


def _or_tests(a, b, c, d, psi, correct):
    """Cochran, Cochran-Mantel-Haenszel, Breslow-Day and Tarone's tests for the OR."""
    n1, n2 = a + b, c + d
    n = n1 + n2
    xt, yt = a + c, b + d
    out: dict[str, Any] = {}
    if xt.sum() == 0 or yt.sum() == 0:
        return {"k_pos": 0}
    dev = abs(float(np.sum(a - n1 * xt / n))) - (0.5 if correct else 0.0)
    # Cochran: binomial variance (N in the denominator); CMH: hypergeometric (N - 1)
    co = dev**2 / np.sum(n1 * n2 * xt * yt / n**3)
    cmh = dev**2 / np.sum(n1 * n2 * xt * yt / (n**2 * (n - 1)))
    out.update(co=float(co), co_pval=_chi2_sf(co, 1), cmh=float(cmh), cmh_pval=_chi2_sf(cmh, 1))
    # Breslow-Day: expected a under the common (MH) odds ratio, the root of a quadratic
    if psi == 1:
        e11 = n1 * xt / n
    else:
        qa = psi * (n1 + xt) + (n2 - xt)
        e11 = (qa - np.sqrt(qa**2 - 4 * n1 * xt * psi * (psi - 1))) / (2 * (psi - 1))
    pos = (xt > 0) & (yt > 0)
    k_pos = int(pos.sum())
    e11 = e11[pos]
    e12, e21 = n1[pos] - e11, xt[pos] - e11
    e22 = n[pos] - n1[pos] - xt[pos] + e11
    var = 1 / (1 / e11 + 1 / e12 + 1 / e21 + 1 / e22)
    resid = a[pos] - e11
    bd = max(0.0, float(np.sum(resid**2 / var)))
    ta = max(0.0, bd - float(resid.sum()) ** 2 / float(var.sum()))
    out["k_pos"] = k_pos
    if k_pos > 1:
        out.update(bd=bd, bd_pval=_chi2_sf(bd, k_pos - 1), ta=ta, ta_pval=_chi2_sf(ta, k_pos - 1))
    return out


# --------------------------------------------------------------------------- rma_peto


def rma_peto(
    ai: Any = None,
    bi: Any = None,
    ci: Any = None,
    di: Any = None,
    *,
    n1i: Any = None,
    n2i: Any = None,
    add: float | Sequence[float] | None = None,
    to: str | Sequence[str] | None = None,
    drop00: bool | Sequence[bool] | None = None,
    level: float = 95,
    convention: str = "metafor",
    studies: Sequence[Any] | None = None,
    slab: Sequence[Any] | None = None,
) -> MhResult:
    """Peto's one-step common odds ratio (``metafor::rma.peto``).

    The log odds ratio is ``sum(O - E) / sum(V)`` with ``O - E`` the observed
    minus expected events in group 1 and ``V`` the hypergeometric variance, from
    the raw counts; its SE is ``1 / sqrt(sum V)``. Q is Peto's
    ``sum((O-E)^2/V) - (sum(O-E))^2/sum(V)`` from the raw counts, with ``k_yi - 1``
    df; I2 and H2 follow from it. ``yi``/``vi`` are the study-level Peto values of
    escalc ``measure="PETO"`` (1/2 added to zero-cell studies, double-zero studies
    dropped), for display. Weights are ``V`` in percent. ``convention`` is
    accepted for symmetry with :func:`rma_mh`; RevMan's Peto method adds no
    correction either, so both give the same estimate.

    References
    ----------
    Yusuf, S., Peto, R., Lewis, J., Collins, R., & Sleight, P. (1985). Beta blockade
    during and after myocardial infarction: an overview of the randomized trials.
    Progress in Cardiovascular Diseases, 27(5), 335-371.
    """
    conv = str(convention).lower()
    if conv not in ("metafor", "revman"):
        raise InputError(f"convention {convention!r} must be 'metafor' or 'revman'", field="convention")
    add = _pair(add, 0.0) if add is not None else (0.5, 0.0)
    to = _pair(to, "none") if to is not None else ("only0", "none")
    drop00 = _pair(drop00, False) if drop00 is not None else (True, False)
    es = escalc(
        "PETO", ai=ai, bi=bi, ci=ci, di=di, n1i=n1i, n2i=n2i,
        add=add[0], to=to[0], drop00=drop00[0], studies=studies, slab=slab,
    )
    a, b, c, d, keep = _adjust(*_cells(ai, bi, ci, di, n1i, n2i), add[1], to[1], drop00[1])
    a, b, c, d = (x[keep] for x in (a, b, c, d))
    n1, n2 = a + b, c + d
    n = n1 + n2
    xt, yt = a + c, b + d
    e_i = xt * n1 / n
    v_i = xt * yt * (n1 / n) * (n2 / n) / (n - 1)
    sum_v = float(v_i.sum())
    if sum_v == 0:
        raise InputError("Peto's odds ratio is not estimable: no study has both events and non-events")
    beta = float(np.sum(a - e_i)) / sum_v
    se = 1 / math.sqrt(sum_v)
    zval, pval, lb, ub = _z_summary(beta, se, level)
    # Q from the raw counts, sum((O-E)^2/V) - (sum(O-E))^2/sum(V), over tables with V > 0,
    # i.e. the study-level Peto yi/vi without continuity correction (as rma.peto);
    # df from the escalc yi/vi (double-zero studies dropped)
    pos = v_i > 0
    y_raw = np.full(es.k, np.nan)
    v_raw = np.full(es.k, np.nan)
    y_raw[np.flatnonzero(keep)[pos]] = (a - e_i)[pos] / v_i[pos]
    v_raw[np.flatnonzero(keep)[pos]] = 1 / v_i[pos]
    k_yi = int(np.sum(es.estimable))
    _, qe, _, _, _, _ = _heterogeneity(y_raw, v_raw, beta)
    qe_df = max(k_yi - 1, 0)
    if k_yi >= 2:
        qe_p = _chi2_sf(qe, qe_df)
        i2 = max(0.0, 100 * (qe - qe_df) / qe) if qe > 0 else 0.0
        h2 = qe / qe_df
    else:
        qe, qe_p, i2, h2 = 0.0, 1.0, 0.0, 1.0
    warnings = [] if k_yi >= 2 else [f"only {k_yi} study with a study-level estimate: no heterogeneity statistics"]
    weights = np.zeros(es.k)
    weights[keep] = 100 * v_i / sum_v
    return MhResult(
        measure="PETO", method="PETO", k=es.k, k_yi=k_yi, k_pos=int(np.sum(v_i > 0)),
        estimate=beta, se=se, zval=zval, pval=pval, ci_lb=lb, ci_ub=ub,
        qe=qe, qe_df=qe_df, qe_pval=qe_p, i2=i2, h2=h2, weights_pct=weights,
        yi=es.yi, vi=es.vi, level=level, convention=conv, studies=es.studies,
        notes=es.notes, warnings=warnings,
    )
