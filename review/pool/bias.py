"""Small-study effects and influence: Egger's regression test, Begg's rank test,
trim-and-fill and leave-one-out, computed as R's metafor 3.8 computes them.

Every function takes either a fitted model (a ``review.pool.models.RmaResult``,
whose ``yi``, ``vi``, ``method``, ``test`` and ``level`` are reused, as metafor's
methods for ``rma`` objects do) or the raw ``yi`` and ``vi`` with the options
spelled out.  Results are frozen dataclasses with ``to_dict()`` (plain Python
values, JSON-ready) and ``to_frame()`` (a pandas DataFrame).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Sequence

import numpy as np

from review.errors import InputError

__all__ = ["RegtestResult", "RanktestResult", "TrimfillResult", "Leave1outResult",
           "regtest", "egger_classic", "ranktest", "trimfill", "leave1out"]

_PREDICTORS = ("sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv")
_LIMIT_PREDICTORS = ("sei", "vi", "ninv", "sqrtninv")


# --------------------------------------------------------------------------
# input handling
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Data:
    yi: np.ndarray
    vi: np.ndarray
    method: str
    test: str
    level: float
    control: dict | None = None
    study: list[str] | None = None


def _is_fit(x: Any) -> bool:
    return hasattr(x, "yi") and hasattr(x, "vi") and hasattr(x, "method")


def _arrays(yi: Any, vi: Any, what: str, min_k: int) -> tuple[np.ndarray, np.ndarray]:
    """Validate and convert yi/vi to float arrays (InputError on a user's mistake)."""
    if vi is None:
        raise InputError(f"{what}: give a fitted model, or both yi and vi")
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    if y.shape != v.shape:
        raise InputError(f"{what}: yi has {y.size} values but vi has {v.size}")
    bad = [i for i in range(y.size) if not (np.isfinite(y[i]) and np.isfinite(v[i]))]
    if bad:
        raise InputError(f"{what}: missing or non-finite yi/vi in row(s) {', '.join(str(i + 1) for i in bad)}")
    neg = [i for i in range(v.size) if v[i] <= 0]
    if neg:
        rows = ", ".join(f"{i + 1} (vi = {v[i]:g})" for i in neg)
        raise InputError(f"{what}: sampling variances must be > 0; row(s) {rows}")
    if y.size < min_k:
        raise InputError(f"{what} needs at least {min_k} studies; got {y.size}")
    return y, v


def _data(
    x: Any,
    vi: Any,
    method: str | None,
    test: str | None,
    level: float | None,
    what: str,
    min_k: int,
    control: dict | None = None,
) -> _Data:
    """Take yi, vi, model settings (and study labels) from a fit, or from the arguments."""
    if _is_fit(x):
        if vi is not None:
            raise InputError(f"{what}: give either a fitted model or yi and vi, not both")
        y, v = _arrays(x.yi, x.vi, what, min_k)
        return _Data(
            y,
            v,
            method if method is not None else str(x.method),
            test if test is not None else str(getattr(x, "test", "z")),
            level if level is not None else float(getattr(x, "level", 95.0)),
            control if control is not None else (getattr(x, "control", None) or None),
            list(x.slab) if getattr(x, "slab", None) is not None else None,
        )
    y, v = _arrays(x, vi, what, min_k)
    return _Data(y, v, method or "REML", test or "z", 95.0 if level is None else float(level), control)


def _f(x: Any) -> Any:
    """A plain Python value (None for missing), for to_dict()."""
    if x is None or isinstance(x, str):
        return x
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    x = float(x)
    return None if math.isnan(x) else x


# --------------------------------------------------------------------------
# Egger's regression test
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RegtestResult:
    """Regression test for funnel-plot asymmetry (metafor's ``regtest``).

    ``stat``/``pval`` test the predictor's coefficient (``slope``); ``limit_*``
    is the intercept, the estimate as the predictor goes to 0 (the "limit
    estimate"), given only for predictors sei, vi, ninv and sqrtninv.
    """

    model: str
    predictor: str
    method: str | None
    stat_type: str
    stat: float
    pval: float
    dfs: int | float | None
    slope: float
    slope_se: float
    limit_est: float | None
    limit_ci_lb: float | None
    limit_ci_ub: float | None
    k: int
    level: float
    fit: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _f(getattr(self, f.name)) for f in fields(self) if f.name != "fit"}

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([self.to_dict()])


def _predictor(name: str, vi: np.ndarray, ni: Any) -> np.ndarray:
    if name not in _PREDICTORS:
        raise InputError(f"regtest: predictor must be one of {', '.join(_PREDICTORS)}; got {name!r}")
    if name == "sei":
        return np.sqrt(vi)
    if name == "vi":
        return vi.copy()
    if ni is None:
        raise InputError(f"regtest: predictor {name!r} needs the sample sizes ni")
    n = np.asarray(ni, dtype=float).ravel()
    if n.shape != vi.shape or not np.all(np.isfinite(n)) or np.any(n <= 0):
        raise InputError("regtest: ni must be positive, one per study")
    return {"ni": n, "ninv": 1 / n, "sqrtni": np.sqrt(n), "sqrtninv": 1 / np.sqrt(n)}[name]


def _wls(y: np.ndarray, X: np.ndarray, w: np.ndarray):
    """Weighted least squares with the residual variance estimated, as R's lm().

    Returns coefficients, their standard errors and the residual df.
    """
    sw = np.sqrt(w)
    q, r = np.linalg.qr(X * sw[:, None])
    beta = np.linalg.solve(r, q.T @ (y * sw))
    resid = (y - X @ beta) * sw
    df = y.size - X.shape[1]
    sigma2 = float(resid @ resid) / df
    rinv = np.linalg.inv(r)
    se = np.sqrt(sigma2 * np.sum(rinv**2, axis=1))
    return beta, se, df


def regtest(
    x: Any,
    vi: Any = None,
    *,
    model: str = "rma",
    predictor: str = "sei",
    method: str | None = None,
    test: str | None = None,
    level: float | None = None,
    control: dict | None = None,
    ni: Any = None,
) -> RegtestResult:
    """Egger-type regression test for funnel-plot asymmetry (metafor's ``regtest``).

    Parameters
    ----------
    x : RmaResult or array-like
        A fitted intercept-only model (its yi, vi, method, test and level are
        used) or the observed effects yi.
    vi : array-like, optional
        Sampling variances, when ``x`` is yi.
    model : {"rma", "lm"}
        ``"rma"`` (metafor's default): the meta-regression ``rma(yi, vi,
        mods=predictor, method=method)``, tested with z (or t for
        ``test="knha"``).  ``"lm"``: the classical weighted regression
        ``lm(yi ~ predictor, weights=1/vi)`` with a t test on k - 2 df.
    predictor : {"sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv"}
        The moderator; ``ni`` is needed for the sample-size ones.
    method, test, level
        Model settings when ``x`` is yi (defaults "REML", "z", 95); override a
        fit's settings otherwise.
    control : dict, optional
        Passed to ``rma`` (iteration settings).
    ni : array-like, optional
        Sample sizes, for the predictors ni, ninv, sqrtni, sqrtninv.

    A fit with moderators keeps them: the predictor is added to its design
    and no limit estimate is given (as metafor).

    Returns
    -------
    RegtestResult

    References
    ----------
    Egger M, Davey Smith G, Schneider M, Minder C (1997). Bias in meta-analysis
    detected by a simple, graphical test. BMJ 315:629-634.
    Sterne JAC, Egger M (2005). Regression methods to detect publication and
    other bias in meta-analysis. In: Rothstein, Sutton, Borenstein (eds),
    Publication Bias in Meta-Analysis, Wiley, 99-110.
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor
    package. J Stat Softw 36(3). (``regtest``)
    """
    d = _data(x, vi, method, test, level, "regtest", 3, control)
    if model not in ("rma", "lm"):
        raise InputError(f"regtest: model must be 'rma' or 'lm'; got {model!r}")
    pred = _predictor(predictor, d.vi, ni)
    k = d.yi.size
    # a fit with moderators keeps its design; the predictor is added to it
    base = np.asarray(x.X, dtype=float) if _is_fit(x) and int(getattr(x, "p", 1)) > 1 else np.ones((k, 1))
    p = base.shape[1]
    if k < p + 2:
        raise InputError(f"regtest needs at least {p + 2} studies for {p + 1} coefficients; got {k}")
    X = np.column_stack([base, pred])
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise InputError(
            f"regtest: the model is not of full rank once the predictor {predictor} is added "
            "(e.g. all studies have the same variance), so the test cannot be done"
        )
    lim = predictor in _LIMIT_PREDICTORS and p == 1
    from review import dist

    if model == "lm":
        beta, se, df = _wls(d.yi, X, 1 / d.vi)
        stat = beta / se
        crit = float(dist.t_isf((1 - d.level / 100) / 2, df))
        ci = (beta[0] - crit * se[0], beta[0] + crit * se[0])
        pval, fit, stat_type, dfs, meth = 2 * dist.t_sf(abs(stat[p]), df), None, "t", int(df), None
    else:
        from review.pool.models import rma

        mods, icpt = (pred, True) if p == 1 else (X, False)
        fit = rma(d.yi, d.vi, mods=mods, intercept=icpt, method=d.method, test=d.test, level=d.level,
                  control=d.control)
        beta, se, stat, pval, ci = fit.beta, fit.se, fit.stat, fit.pval[p], (fit.ci_lb[0], fit.ci_ub[0])
        knha = fit.test == "knha"
        stat_type, dfs, meth = ("t" if knha else "z"), (_f(fit.ddf) if knha else None), d.method
    return RegtestResult(
        model=model,
        predictor=predictor,
        method=meth,
        stat_type=stat_type,
        stat=float(stat[p]),
        pval=float(pval),
        dfs=dfs,
        slope=float(beta[p]),
        slope_se=float(se[p]),
        limit_est=float(beta[0]) if lim else None,
        limit_ci_lb=float(ci[0]) if lim else None,
        limit_ci_ub=float(ci[1]) if lim else None,
        k=k,
        level=d.level,
        fit=fit,
    )


def egger_classic(yi: Any, vi: Any = None, *, level: float | None = None) -> RegtestResult:
    """Egger's original test: regress the standard normal deviate on precision.

    Fits ``yi/sei = b0 + b1 * (1/sei)`` by ordinary least squares; the test is
    on the intercept ``b0`` (t, k - 2 df) and ``b1`` is the limit estimate.  This
    is algebraically the same model as metafor's ``regtest(yi, vi,
    model="lm")`` (``lm(yi ~ sei, weights = 1/vi)``: its sei coefficient is b0,
    its intercept b1), which is how it is computed here.

    Parameters
    ----------
    yi : RmaResult or array-like
        A fitted model (only its yi, vi and level are used) or the effects.
    vi : array-like, optional
        Sampling variances, when ``yi`` is the effects.
    level : float, optional
        Confidence level (percent) for the limit estimate's interval.

    Returns
    -------
    RegtestResult
        ``stat`` is the t value of the bias coefficient (``slope``; the
        intercept of the SND regression), ``dfs`` = k - 2.

    References
    ----------
    Egger M, Davey Smith G, Schneider M, Minder C (1997). Bias in meta-analysis
    detected by a simple, graphical test. BMJ 315:629-634.
    """
    return regtest(yi, vi, model="lm", predictor="sei", level=level)


# --------------------------------------------------------------------------
# Begg and Mazumdar's rank correlation test
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RanktestResult:
    """Begg & Mazumdar rank correlation test: Kendall's tau and its p-value."""

    tau: float
    pval: float
    exact: bool
    k: int

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _f(getattr(self, f.name)) for f in fields(self)}

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([self.to_dict()])


def _kendall_lower_tail(c: int, n: int) -> float:
    """P(T <= c) for T the number of concordant pairs (equivalently inversions)
    of a random permutation of n items: the exact null distribution of
    Kendall's statistic (R's ``pkendall``).

    The distribution is built one item at a time (adding item m adds 0..m-1
    inversions with equal probability), kept as probabilities so nothing
    overflows, and only up to c, so the cost is O(n c).
    """
    t0 = n * (n - 1) // 2
    if c < 0:
        return 0.0
    if c >= t0:
        return 1.0
    p = np.zeros(c + 1)
    p[0] = 1.0
    for m in range(2, n + 1):
        cs = np.cumsum(p)
        nxt = cs.copy()
        if m <= c:
            nxt[m:] -= cs[: c + 1 - m]
        p = nxt / m
    return float(min(1.0, p.sum()))


def _tie_sizes(x: np.ndarray) -> np.ndarray:
    _, c = np.unique(x, return_counts=True)
    return c[c > 1].astype(float)


def _kendall(x: np.ndarray, y: np.ndarray, exact: bool | None) -> tuple[float, float, bool]:
    """Kendall's tau-b and the two-sided p-value as R's ``cor.test(method="kendall")``.

    Exact (permutation distribution) when ``exact`` is True (or None with
    n < 50, R's own default); never with ties, where the normal approximation
    with the tie-corrected variance (and no continuity correction) is used.
    """
    from review import dist

    n = x.size
    # concordant minus discordant pairs, one row of pairs at a time (O(n) memory)
    s = float(sum(np.sum(np.sign(x[i] - x[i + 1 :]) * np.sign(y[i] - y[i + 1 :])) for i in range(n - 1)))
    t0 = n * (n - 1) / 2
    tx, ty = _tie_sizes(x), _tie_sizes(y)
    t1 = float(np.sum(tx * (tx - 1)) / 2)
    t2 = float(np.sum(ty * (ty - 1)) / 2)
    denom = math.sqrt((t0 - t1) * (t0 - t2))
    tau = s / denom if denom > 0 else float("nan")
    ties = tx.size > 0 or ty.size > 0
    use_exact = (n < 50) if exact is None else bool(exact)
    if use_exact and not ties:
        q = int(round((s + t0) / 2))  # number of concordant pairs
        # the null distribution is symmetric: P(T >= q) = P(T <= t0 - q)
        p = _kendall_lower_tail(min(q, int(t0) - q), n)
        return tau, min(2 * p, 1.0), True
    v0 = n * (n - 1) * (2 * n + 5)
    vt = float(np.sum(tx * (tx - 1) * (2 * tx + 5)))
    vu = float(np.sum(ty * (ty - 1) * (2 * ty + 5)))
    v1 = float(np.sum(tx * (tx - 1))) * float(np.sum(ty * (ty - 1)))
    v2 = float(np.sum(tx * (tx - 1) * (tx - 2))) * float(np.sum(ty * (ty - 1) * (ty - 2)))
    var_s = (v0 - vt - vu) / 18 + v1 / (2 * n * (n - 1))
    if n > 2:
        var_s += v2 / (9 * n * (n - 1) * (n - 2))
    if not var_s > 0 or math.isnan(tau):  # e.g. all values tied: no test (R gives NA)
        return float("nan"), float("nan"), False
    z = s / math.sqrt(var_s)
    return tau, float(2 * dist.norm_sf(abs(z))), False


def ranktest(x: Any, vi: Any = None, *, exact: bool | None = True) -> RanktestResult:
    """Begg and Mazumdar's rank correlation test for funnel-plot asymmetry.

    Kendall's tau between the standardised deviates
    ``(yi - b) / sqrt(vi - vb)`` and the variances ``vi``, where ``b`` and
    ``vb = 1/sum(1/vi)`` are the common-effect (inverse-variance) estimate and
    its variance, whatever model a given fit used (as metafor's ``ranktest``).
    As metafor, the p-value is exact whenever there are no ties (metafor
    calls ``cor.test(..., method="kendall", exact=TRUE)``, for any k), else
    from the normal approximation with the tie-corrected variance.

    Parameters
    ----------
    x : RmaResult or array-like
        A fitted model (its yi and vi are used) or the effects yi.
    vi : array-like, optional
        Sampling variances, when ``x`` is yi.
    exact : bool or None
        True (metafor's default): exact p-value unless there are ties.
        False: normal approximation.  None: R's ``cor.test`` default, exact
        only for k < 50.  With ties the normal approximation is used
        regardless, as in R.

    Returns
    -------
    RanktestResult

    References
    ----------
    Begg CB, Mazumdar M (1994). Operating characteristics of a rank correlation
    test for publication bias. Biometrics 50:1088-1101.
    Kendall MG (1970). Rank Correlation Methods, 4th ed. Griffin (exact null
    distribution, normal approximation with ties).
    """
    d = _data(x, vi, None, None, None, "ranktest", 2)
    w = 1 / d.vi
    b = float(np.sum(w * d.yi) / np.sum(w))
    vb = 1 / float(np.sum(w))
    ystar = (d.yi - b) / np.sqrt(d.vi - vb)
    tau, p, used_exact = _kendall(ystar, d.vi, exact)
    return RanktestResult(tau=tau, pval=p, exact=used_exact, k=d.yi.size)


# --------------------------------------------------------------------------
# trim and fill
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TrimfillResult:
    """Duval & Tweedie trim-and-fill: the estimated number of missing studies,
    their imputed values, and the model refitted to the filled-in data.

    ``yi``/``vi``/``filled`` cover all k + k0 studies (observed first, in input
    order, then the filled ones), ready for a funnel plot.
    """

    estimator: str
    side: str
    k0: int
    se_k0: float
    p_k0: float | None
    fit: Any = field(repr=False)
    yi: np.ndarray = field(repr=False)
    vi: np.ndarray = field(repr=False)
    filled: np.ndarray = field(repr=False)
    iterations: int = 0
    study: list[str] = field(default_factory=list, repr=False)

    @property
    def k(self) -> int:
        return int(self.yi.size)

    @property
    def filled_yi(self) -> np.ndarray:
        return self.yi[self.filled]

    @property
    def filled_vi(self) -> np.ndarray:
        return self.vi[self.filled]

    @property
    def estimate(self) -> float:
        return float(self.fit.beta[0])

    def to_dict(self) -> dict[str, Any]:
        """Summary: k0 and its SE/p, the refit (first coefficient), the filled studies."""
        ft = self.fit
        out = {n: _f(getattr(self, n)) for n in ("estimator", "side", "k0", "se_k0", "p_k0", "k")}
        out.update(method=ft.method, test=ft.test)
        for name, attr in (("estimate", "beta"), ("se", "se"), ("stat", "stat"), ("pval", "pval"),
                           ("ci_lb", "ci_lb"), ("ci_ub", "ci_ub")):
            out[name] = _f(getattr(ft, attr)[0])
        out["tau2"] = _f(ft.tau2 if ft.tau2 is not None else 0.0)
        out.update({n: _f(getattr(ft, n)) for n in ("qe", "qe_df", "qe_pval", "i2", "h2")})
        out["filled_yi"] = [float(v) for v in self.filled_yi]
        out["filled_vi"] = [float(v) for v in self.filled_vi]
        return out

    def to_frame(self):
        """One row per study, observed then filled: study, yi, vi, sei, filled."""
        import pandas as pd

        return pd.DataFrame(
            {"study": self.study, "yi": self.yi, "vi": self.vi, "sei": np.sqrt(self.vi), "filled": self.filled}
        )


def _first_ranks(a: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties broken by position (R's ``rank(ties.method="first")``)."""
    order = np.argsort(a, kind="stable")
    r = np.empty(a.size, dtype=np.int64)
    r[order] = np.arange(1, a.size + 1)
    return r


def _k0_step(yc: np.ndarray, estimator: str) -> tuple[float, float]:
    """One estimate of the number of missing studies from centred, sorted data.

    Returns the unrounded k0 and its standard error (Duval & Tweedie 2000).
    """
    k = yc.size
    signed = np.sign(yc) * _first_ranks(np.abs(yc))
    if estimator == "R0":
        neg = -signed[signed < 0]
        # gamma*: the length of the rightmost run of positive ranks
        gamma = k - (float(neg.max()) if neg.size else 0.0)
        k0 = gamma - 1
        return k0, math.sqrt(2 * max(0.0, k0) + 2)
    sr = float(signed[signed > 0].sum())  # Wilcoxon signed-rank statistic
    if estimator == "L0":
        k0 = (4 * sr - k * (k + 1)) / (2 * k - 1)
    else:  # Q0
        k0 = k - 0.5 - math.sqrt(max(0.0, 2 * k * k - 4 * sr + 0.25))
    var_sr = (k * (k + 1) * (2 * k + 1) + 10 * k0**3 + 27 * k0**2 + 17 * k0
              - 18 * k * k0**2 - 18 * k * k0 + 6 * k**2 * k0) / 24
    root = math.sqrt(var_sr) if var_sr >= 0 else float("nan")
    if estimator == "L0":
        se = 4 * root / (2 * k - 1)
    else:
        den = (k - 0.5) ** 2 - k0 * (2 * k - k0 - 1)
        se = 2 * root / math.sqrt(den) if den > 0 else float("nan")
    return k0, se


def trimfill(
    x: Any,
    vi: Any = None,
    *,
    estimator: str = "L0",
    side: str | None = None,
    method: str | None = None,
    test: str | None = None,
    level: float | None = None,
    control: dict | None = None,
    maxiter: int = 100,
) -> TrimfillResult:
    """Duval and Tweedie's trim-and-fill method, as metafor's ``trimfill``.

    Side: unless given, the side with the missing studies is "right" when the
    sei coefficient of ``rma(yi, vi, mods=sqrt(vi), method=method)`` is
    negative, else "left".  Iteration: estimate the centre from the studies
    left after trimming the k0 most extreme ones on the other side, re-rank
    the centred effects of all k studies, re-estimate k0 (rounded, >= 0),
    until k0 repeats.  Fill: mirror the k0 trimmed studies about the last
    centre (same vi), and refit ``rma`` with ``method`` to the k + k0 studies.

    Parameters
    ----------
    x : RmaResult or array-like
        An intercept-only fit (its yi, vi and method are used) or the effects yi.
    vi : array-like, optional
        Sampling variances, when ``x`` is yi.
    estimator : {"L0", "R0", "Q0"}
        Estimator of the number of missing studies (metafor default "L0").
    side : {"left", "right"}, optional
        The side on which studies are missing; chosen as above when None.
    method : str, optional
        Model for the centring fits and the refit (default: the fit's, or "REML").
    test, level : optional
        For the refit.  As metafor, the refit uses test="z" and level=95 unless
        given here (metafor does not carry a fit's test/level over).
    control : dict, optional
        Passed to the centring fits (defaults to none).
    maxiter : int
        Iteration limit.

    Returns
    -------
    TrimfillResult
        k0, its SE, for R0 the p-value ``p_k0 = 0.5**(k0 + 1)`` for H0: k0 = 0,
        the filled-in data and the refitted model (the original model when
        k0 == 0).

    References
    ----------
    Duval S, Tweedie R (2000a). Trim and fill: a simple funnel-plot-based method
    of testing and adjusting for publication bias in meta-analysis.
    Biometrics 56:455-463.
    Duval S, Tweedie R (2000b). A nonparametric "trim and fill" method of
    accounting for publication bias in meta-analysis. JASA 95:89-98.
    Duval S (2005). The trim and fill method. In: Rothstein, Sutton, Borenstein
    (eds), Publication Bias in Meta-Analysis, Wiley, 127-144.
    """
    from review.pool.models import rma

    if estimator not in ("L0", "R0", "Q0"):
        raise InputError(f"trimfill: estimator must be 'L0', 'R0' or 'Q0'; got {estimator!r}")
    if side is not None and side not in ("left", "right"):
        raise InputError(f"trimfill: side must be 'left' or 'right'; got {side!r}")
    given_fit = _is_fit(x)
    if given_fit and int(getattr(x, "p", 1)) != 1:
        raise InputError("trimfill: only for models without moderators")
    d = _data(x, vi, method, "z", 95.0, "trimfill", 3, control)
    yi0, vi0 = d.yi, d.vi
    k = yi0.size

    if side is None:
        same_variance = InputError(
            "trimfill: all studies have the same variance, so the side with the missing "
            "studies cannot be estimated; give side='left' or side='right'"
        )
        if np.ptp(vi0) == 0:
            raise same_variance
        res = rma(yi0, vi0, mods=np.sqrt(vi0), method=d.method, control=d.control)
        if res.beta.size < 2:  # variances equal to rounding: the SE moderator was dropped as redundant
            raise same_variance
        side = "right" if float(res.beta[1]) < 0 else "left"

    flip = -1.0 if side == "right" else 1.0
    y = flip * yi0
    order = np.argsort(y, kind="stable")
    y, v = y[order], vi0[order]

    k0, k0_prev, it = 0, -1, 0
    se_k0 = float("nan")
    beta = float("nan")
    while k0 != k0_prev:
        k0_prev = k0
        it += 1
        if it > maxiter:
            raise InputError(f"trimfill: the trim-and-fill algorithm did not converge in {maxiter} iterations")
        if k - k0 < 1:
            raise InputError(f"trimfill: estimated {k0} missing studies leave none to centre on (k = {k})")
        fit_t = rma(y[: k - k0], v[: k - k0], method=d.method, control=d.control)
        beta = float(fit_t.beta[0])
        k0_raw, se_k0 = _k0_step(y - beta, estimator)
        k0 = max(0, int(round(k0_raw)))
        se_k0 = max(0.0, se_k0) if not math.isnan(se_k0) else se_k0

    p_k0 = 0.5 ** (k0 + 1) if estimator == "R0" else None
    test_r = test or "z"
    level_r = 95.0 if level is None else float(level)
    if k0 > 0:
        # mirror image about the centre, back on the original scale
        fill_y = flip * (2 * beta - y[k - k0 :])
        all_y = np.concatenate([yi0, fill_y])
        all_v = np.concatenate([vi0, v[k - k0 :]])
        fit = rma(all_y, all_v, method=d.method, test=test_r, level=level_r)
    else:
        all_y, all_v = yi0.copy(), vi0.copy()
        if given_fit and method is None and test is None and level is None:
            fit = x
        else:
            fit = rma(yi0, vi0, method=d.method, test=test_r, level=level_r)
    filled = np.concatenate([np.zeros(k, dtype=bool), np.ones(k0, dtype=bool)])
    labels = list(d.study) if d.study is not None else [str(i + 1) for i in range(k)]
    labels += [f"Filled {j}" for j in range(1, k0 + 1)]  # metafor's slab for filled studies
    return TrimfillResult(
        estimator=estimator,
        side=side,
        k0=k0,
        se_k0=se_k0,
        p_k0=p_k0,
        fit=fit,
        yi=all_y,
        vi=all_v,
        filled=filled,
        iterations=it,
        study=labels,
    )


# --------------------------------------------------------------------------
# leave one out
# --------------------------------------------------------------------------

_L1O_COLS = ("estimate", "se", "stat", "pval", "ci_lb", "ci_ub", "q", "qp", "tau2", "i2", "h2")


@dataclass(frozen=True)
class Leave1outResult:
    """The model refitted k times, each time without one study (metafor's
    ``leave1out``).  Row i is the fit without study i; a fit that fails gives
    a row of NaN and a note in ``warnings``."""

    study: list[str]
    method: str
    test: str
    estimate: np.ndarray
    se: np.ndarray
    stat: np.ndarray
    pval: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray
    q: np.ndarray
    qp: np.ndarray
    tau2: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    warnings: list[str] = field(default_factory=list)

    @property
    def k(self) -> int:
        return len(self.study)

    @property
    def stat_name(self) -> str:
        return "tval" if self.test == "knha" else "zval"

    def to_frame(self):
        """One row per omitted study: study, estimate, se, zval (tval for knha),
        pval, ci_lb, ci_ub, q, qp, tau2 (0 for FE/EE), i2, h2."""
        import pandas as pd

        cols: dict[str, Any] = {"study": list(self.study)}
        for c in _L1O_COLS:
            cols[self.stat_name if c == "stat" else c] = getattr(self, c)
        return pd.DataFrame(cols)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"method": self.method, "test": self.test, "study": list(self.study)}
        for c in _L1O_COLS:
            out[self.stat_name if c == "stat" else c] = [_f(v) for v in getattr(self, c)]
        out["warnings"] = list(self.warnings)
        return out


def leave1out(
    x: Any,
    vi: Any = None,
    *,
    method: str | None = None,
    test: str | None = None,
    level: float | None = None,
    control: dict | None = None,
    study: Sequence[Any] | None = None,
) -> Leave1outResult:
    """Leave-one-out sensitivity analysis: refit without each study in turn.

    Parameters
    ----------
    x : RmaResult or array-like
        An intercept-only fit (its yi, vi, method, test and level are reused,
        as metafor does) or the effects yi.
    vi : array-like, optional
        Sampling variances, when ``x`` is yi.
    method, test, level, control : optional
        Model settings (defaults: the fit's, else "REML", "z", 95, none).
    study : sequence, optional
        Study labels for the rows (default "1".."k").

    Returns
    -------
    Leave1outResult

    References
    ----------
    Viechtbauer W, Cheung MWL (2010). Outlier and influence diagnostics for
    meta-analysis. Research Synthesis Methods 1:112-125.
    """
    from review.pool.models import rma

    if _is_fit(x) and int(getattr(x, "p", 1)) != 1:
        raise InputError("leave1out: only for models without moderators")
    d = _data(x, vi, method, test, level, "leave1out", 2, control)
    k = d.yi.size
    if study is None:
        study = d.study if d.study is not None else [str(i + 1) for i in range(k)]
    labels = [str(s) for s in study]
    if len(labels) != k:
        raise InputError(f"leave1out: {len(labels)} study labels for {k} studies")
    out = {c: np.full(k, np.nan) for c in _L1O_COLS}
    warns: list[str] = []
    keep = np.ones(k, dtype=bool)
    for i in range(k):
        keep[:] = True
        keep[i] = False
        try:
            f = rma(d.yi[keep], d.vi[keep], method=d.method, test=d.test, level=d.level, control=d.control)
        except InputError as err:  # e.g. no convergence: a row of NaN, as metafor
            warns.append(f"without study {labels[i]}: {err}")
            continue
        row = {
            "estimate": f.beta[0],
            "se": f.se[0],
            "stat": f.stat[0],
            "pval": f.pval[0],
            "ci_lb": f.ci_lb[0],
            "ci_ub": f.ci_ub[0],
            "q": f.qe,
            "qp": f.qe_pval,
            "tau2": f.tau2 if f.tau2 is not None else 0.0,
            "i2": f.i2,
            "h2": f.h2,
        }
        for c, val in row.items():
            out[c][i] = np.nan if val is None else float(val)
    return Leave1outResult(study=labels, method=d.method, test=d.test, warnings=warns, **out)
