"""Common- and random-effects meta-analysis and meta-regression, as R metafor 3.8 ``rma.uni``.

One function, :func:`rma`, fits the normal-normal model ``yi ~ N(X beta, vi + tau2)`` with
the heterogeneity estimators of metafor (FE/EE/CE, DL, HE, HS, SJ, ML, REML, EB, PM) and returns
an :class:`RmaResult` with every number ``print(rma(...))``, ``confint()``, ``predict()``,
``weights()`` and ``fitstats()`` give in R. The iterative estimators repeat metafor's own
steps (Fisher scoring with its stopping rule, R's ``uniroot`` with its tolerance) so that the
results agree with R to the digits R prints, not merely to the tolerance of the algorithm.

All linear algebra is done through a QR decomposition of ``sqrt(W) X`` and never forms a
k-by-k matrix, so a fit of 1,000 studies with its Q-profile intervals takes milliseconds.

References
----------
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. J Stat Softw 36(3).
Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
random-effects model. J Educ Behav Stat 30:261-293.
Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in meta-analysis.
Stat Med 26:37-52 (Q-profile method).
Knapp G, Hartung J (2003). Improved tests for a random effects meta-regression with a single
covariate. Stat Med 22:2693-2710.
IntHout J, Ioannidis JPA, Rovers MM, Goeman JJ (2016). Plea for routinely presenting prediction
intervals in meta-analysis. BMJ Open 6:e010247 (the df = k - 2 prediction interval).
Brent RP (1973). Algorithms for Minimization without Derivatives, ch. 4 (the zero finder that R's
``uniroot`` implements).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from review import dist

from review.errors import InputError
from review.pool._rootfind import ConvergenceError, _uniroot
from review.pool.design import DesignSpec, build_design, factor_levels

__all__ = ["rma", "RmaResult", "Prediction", "TauConfint", "ConvergenceError", "qprofile_ci", "build_design",
           "factor_levels", "DesignSpec", "METHODS"]

METHODS = ("FE", "EE", "CE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
_COMMON = ("FE", "EE", "CE")
_EPS = np.finfo(float).eps
_DEFAULT_CONTROL = {
    "tau2_init": None, "tau2_min": 0.0, "tau2_max": None, "threshold": 1e-5,
    "tol": _EPS ** 0.25, "maxiter": 100, "stepadj": 1.0, "ll0check": True, "s2w_min": None,
}




# --------------------------------------------------------------------------------------------
# numerical kernels


@dataclass
class _Wls:
    """Weighted least squares pieces for weights ``w``: beta, (X'WX)^-1, residuals, leverages."""

    w: np.ndarray
    beta: np.ndarray
    ainv: np.ndarray
    resid: np.ndarray
    q: np.ndarray  # orthonormal basis of sqrt(W) X, shape (k, p)
    r: np.ndarray  # triangular factor, shape (p, p)

    @property
    def rss(self) -> float:
        """y' P y = sum w (y - X b)^2."""
        return float(np.sum(self.w * self.resid**2))

    @property
    def hat(self) -> np.ndarray:
        """Diagonal of Q Q' (the leverages of the weighted fit)."""
        return np.einsum("ij,ij->i", self.q, self.q)

    def p_diag(self) -> np.ndarray:
        """Diagonal of P = W - W X (X'WX)^-1 X'W."""
        return self.w * (1.0 - self.hat)

    def tr_p(self) -> float:
        return float(np.sum(self.p_diag()))

    def sum_pp(self, a: np.ndarray, b: np.ndarray) -> float:
        """sum_ij a_i b_j M_ij^2 with P = sqrt(W) M sqrt(W), M = I - QQ' (a, b absorb the weights)."""
        h = self.hat
        qa = self.q.T @ (a[:, None] * self.q)
        qb = self.q.T @ (b[:, None] * self.q)
        return float(np.sum(a * b * (1.0 - 2.0 * h)) + np.sum(qa * qb.T))

    def logdet(self) -> float:
        """log |X'WX|."""
        return float(2.0 * np.sum(np.log(np.abs(np.diag(self.r)))))


def _wls(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> _Wls:
    sw = np.sqrt(w)
    q, r = np.linalg.qr(sw[:, None] * X)
    beta = np.linalg.solve(r, q.T @ (sw * y))
    rinv = np.linalg.solve(r, np.eye(r.shape[0]))
    return _Wls(w=w, beta=beta, ainv=rinv @ rinv.T, resid=y - X @ beta, q=q, r=r)


def _qe(tau2: float, y: np.ndarray, v: np.ndarray, X: np.ndarray) -> float:
    """Generalised Q statistic at ``tau2`` (metafor's ``.QE.func`` with objective 0)."""
    w = 1.0 / (v + tau2)
    sw = np.sqrt(w)
    q, r = np.linalg.qr(sw[:, None] * X)
    z = sw * y
    e = z - q @ (q.T @ z)
    return float(e @ e)


# --------------------------------------------------------------------------------------------
# tau^2 estimators (metafor's order of operations, with P never formed explicitly)


def _estimate_tau2(method: str, y, v, X, con) -> tuple[float, float | None, int, list[str]]:
    """Return (tau2, se_tau2, iterations, warnings) for a random-effects ``method``."""
    k, p = X.shape
    notes: list[str] = []
    allvipos = bool(np.all(v > 0))
    if method in ("DL", "HS", "PM") and not allvipos:
        raise InputError(f"method {method} needs all sampling variances > 0")
    tau2_min = float(con["tau2_min"])
    se = None
    it = 0
    if method in ("HS",):
        f = _wls(X, y, 1.0 / v)
        tau2 = (f.rss - k) / np.sum(f.w)
    if method in ("HE", "ML", "REML", "EB"):
        f1 = _wls(X, y, np.ones(k))
        tr_pv = float(np.sum((1.0 - f1.hat) * v))
        tau2 = (f1.rss - tr_pv) / (k - p)
        he_pv = (f1, tr_pv)
    if method == "DL":
        f = _wls(X, y, 1.0 / v)
        tr_p = f.tr_p()
        tau2 = (f.rss - (k - p)) / tr_p
    if method == "SJ":
        tau2_0 = con["tau2_init"] if con["tau2_init"] is not None else float(np.var(y, ddof=1) * (k - 1) / k)
        f = _wls(X, y, 1.0 / (v + tau2_0))
        tau2 = tau2_0 * f.rss / (k - p)
    if method == "PM":
        target = float(k - p)
        tau2_max = _tau2_max(y, con)

        def g(t):
            return _qe(t, y, v, X) - target

        if g(tau2_min) < 0:
            tau2 = tau2_min
        elif g(tau2_max) > 0:
            raise ConvergenceError(
                f"Paule-Mandel: tau2_max = {tau2_max:g} is too low; raise control['tau2_max'] or use another method")
        else:
            tau2 = _uniroot(g, tau2_min, tau2_max, con["tol"], int(con["maxiter"]))
    if method in ("ML", "REML", "EB"):
        tau2, it = _fisher_scoring(method, y, v, X, con, tau2)
        if method in ("ML", "REML") and con["ll0check"] and allvipos:
            tau2, note = _ll0check(method, y, v, X, tau2, con)
            if note:
                notes.append(note)
    tau2 = max(tau2_min, float(tau2))
    t = max(tau2, 0.0)
    # standard errors as metafor (see its notes.pdf); P with the estimator's own weights
    if method == "HS":
        f = _wls(X, y, 1.0 / v)
        se = math.sqrt(1 / np.sum(f.w) ** 2 * (2 * (k - p) + 4 * t * f.tr_p() + 2 * t**2 * f.sum_pp(f.w, f.w)))
    elif method == "HE":
        f1, tr_pv = he_pv
        se = math.sqrt(1 / (k - p) ** 2 * (2 * f1.sum_pp(v, v) + 4 * t * tr_pv + 2 * t**2 * (k - p)))
    elif method == "DL":
        se = math.sqrt(1 / tr_p**2 * (2 * (k - p) + 4 * t * tr_p + 2 * t**2 * f.sum_pp(f.w, f.w)))
    elif method == "SJ":
        wv = f.w * v
        se = math.sqrt(tau2_0**2 / (k - p) ** 2
                       * (2 * f.sum_pp(wv, wv) + 4 * t * f.sum_pp(f.w, wv) + 2 * t**2 * f.sum_pp(f.w, f.w)))
    elif method == "ML":
        w = 1.0 / (v + tau2)
        se = math.sqrt(2 / np.sum(w**2))
    elif method == "REML":
        f = _wls(X, y, 1.0 / (v + tau2))
        se = math.sqrt(2 / f.sum_pp(f.w, f.w))
    elif method in ("EB", "PM"):
        w = 1.0 / (v + tau2)
        se = math.sqrt(2 * k**2 / (k - p) / np.sum(w) ** 2)
    return tau2, se, it, notes


def _tau2_max(y: np.ndarray, con: dict) -> float:
    """Upper end of the PM search: control tau2_max, else metafor's max(100, 10 * mad(yi)^2)."""
    if con["tau2_max"] is not None:
        return float(con["tau2_max"])
    mad = 1.4826 * float(np.median(np.abs(y - np.median(y))))
    return max(100.0, 10 * mad**2)


def _fisher_scoring(method: str, y, v, X, con, tau2_he: float) -> tuple[float, int]:
    """metafor's Fisher scoring for ML/REML (and its EB fixed-point step), threshold on |change|."""
    k, p = X.shape
    tau2 = con["tau2_init"] if con["tau2_init"] is not None else max(0.0, tau2_he, con["tau2_min"])
    change = con["threshold"] + 1
    it = 0
    while change > con["threshold"]:
        it += 1
        old = tau2
        if np.any(v + tau2 <= 0):
            raise ConvergenceError(f"{method}: vi + tau2 = 0 for a study with vi = 0 (infinite weight); "
                                   "give that study a positive sampling variance")
        f = _wls(X, y, 1.0 / (v + tau2))
        py = f.w * f.resid
        if method == "ML":
            adj = (py @ py - np.sum(f.w)) / np.sum(f.w**2)
        elif method == "REML":
            adj = (py @ py - f.tr_p()) / f.sum_pp(f.w, f.w)
        else:  # EB
            adj = (f.rss * k / (k - p) - k) / np.sum(f.w)
        adj = float(adj) * con["stepadj"]
        if math.isnan(adj):
            adj = 0.0
        while tau2 + adj < con["tau2_min"]:
            adj /= 2
        tau2 = tau2 + adj
        change = abs(old - tau2)
        if it > con["maxiter"]:
            raise ConvergenceError(
                f"Fisher scoring for {method} did not converge in {con['maxiter']} iterations; "
                "try control={'stepadj': 0.5} or another method")
    return tau2, it


def _loglik(method: str, y, v, X, tau2: float) -> float:
    k, p = X.shape
    f = _wls(X, y, 1.0 / (v + tau2))
    if method == "ML":
        return -0.5 * k * math.log(2 * math.pi) - 0.5 * float(np.sum(np.log(v + tau2))) - 0.5 * f.rss
    return -0.5 * (k - p) * math.log(2 * math.pi) - 0.5 * float(np.sum(np.log(v + tau2))) - 0.5 * f.logdet() - 0.5 * f.rss


def _ll0check(method, y, v, X, tau2, con) -> tuple[float, str | None]:
    """metafor's guard against a local maximum: if tau2 = 0 has a higher likelihood, use it."""
    ll0 = _loglik(method, y, v, X, 0.0)
    ll = _loglik(method, y, v, X, tau2)
    if ll0 - ll > con["tol"] and tau2 > con["threshold"]:
        return 0.0, "Fisher scoring may have stopped at a local maximum; tau^2 set to 0 (as metafor)"
    return tau2, None


# --------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class Prediction:
    """predict.rma: fitted value(s) with confidence and prediction intervals (PI None for FE/EE)."""

    pred: Any
    se: Any
    ci_lb: Any
    ci_ub: Any
    pi_lb: Any = None
    pi_ub: Any = None
    pi_df: str = "z"


@dataclass(frozen=True)
class TauConfint:
    """Q-profile confidence intervals, each an (estimate, lower, upper) triple."""

    tau2: tuple[float, float, float]
    tau: tuple[float, float, float]
    i2: tuple[float, float, float]
    h2: tuple[float, float, float]
    level: float = 95.0


@dataclass(frozen=True)
class RmaResult:
    """A fitted model; field names follow metafor's ``rma.uni`` object (see /work/notes/pool_api.md)."""

    k: int
    p: int
    method: str
    test: str
    level: float
    coef_names: list[str]
    beta: np.ndarray
    se: np.ndarray
    stat: np.ndarray
    pval: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray
    vb: np.ndarray
    ddf: int | None
    s2w: float
    tau2: float
    tau: float
    se_tau2: float | None
    i2: float
    h2: float
    vt: float
    qe: float
    qe_df: int
    qe_pval: float
    qm: float
    qm_df: int
    qm_ddf: int | None
    qm_pval: float
    r2: float | None
    fit_stats: dict
    weights: np.ndarray
    weights_pct: np.ndarray
    yi: np.ndarray
    vi: np.ndarray
    X: np.ndarray
    iterations: int = 0
    tau2_ci_lb: float | None = None
    tau2_ci_ub: float | None = None
    tau_ci_lb: float | None = None
    tau_ci_ub: float | None = None
    i2_ci_lb: float | None = None
    i2_ci_ub: float | None = None
    h2_ci_lb: float | None = None
    h2_ci_ub: float | None = None
    slab: list[str] | None = None
    pi_df: str = "z"
    intercept: bool = True
    design: DesignSpec | None = None
    control: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    # ---- convenience
    @property
    def estimate(self) -> float:
        """The first coefficient (the pooled effect of an intercept-only model)."""
        return float(self.beta[0])

    @property
    def ci(self) -> tuple[float, float]:
        return float(self.ci_lb[0]), float(self.ci_ub[0])

    @property
    def zval(self) -> np.ndarray:
        return self.stat

    @property
    def int_only(self) -> bool:
        return self.p == 1 and self.intercept

    @property
    def is_common(self) -> bool:
        return self.method in _COMMON

    @property
    def loglik(self) -> float:
        return self._fs()["logLik"]

    @property
    def deviance(self) -> float:
        return self._fs()["deviance"]

    @property
    def aic(self) -> float:
        return self._fs()["AIC"]

    @property
    def bic(self) -> float:
        return self._fs()["BIC"]

    @property
    def aicc(self) -> float:
        return self._fs()["AICc"]

    def _fs(self) -> dict:
        return self.fit_stats["REML" if self.method == "REML" else "ML"]

    def _crit(self, level: float) -> float:
        alpha = (100.0 - level) / 100.0
        if self.test == "knha" and self.ddf:
            return float(dist.t_isf(alpha / 2, self.ddf))
        return float(dist.norm_isf(alpha / 2))

    def predict(self, newmods=None, level: float | None = None, pi_df: str | None = None) -> Prediction:
        """Predicted effect with CI and PI, as metafor 3.8's ``predict.rma``.

        The PI is ``pred +/- crit * sqrt(tau2 + se^2)`` with metafor 3.8's crit (qnorm for
        test="z", qt(k - p) for test="knha"); ``pi_df="k-2"`` uses qt(k - 2) instead, the
        convention of R meta and IntHout et al. (2016) (needs k >= 3; p is ignored).
        ``newmods``: rows of moderator values WITHOUT the intercept (array or DataFrame/dict
        coded like the fit's ``mods``); None predicts at the first coefficient's row for an
        intercept-only model.
        """
        level = self.level if level is None else float(level)
        pi_df = self.pi_df if pi_df is None else pi_df
        if pi_df not in ("z", "k-2"):
            raise InputError(f"pi_df must be 'z' or 'k-2', not {pi_df!r}")
        scalar = newmods is None
        if scalar:
            if self.p != 1:
                raise InputError("predict() on a meta-regression needs newmods")
            Xn = np.ones((1, 1))
        else:
            Xn = self.design.new_rows(newmods, self.p) if self.design is not None else _plain_rows(newmods, self)
        pred = Xn @ self.beta
        se = np.sqrt(np.einsum("ij,jk,ik->i", Xn, self.vb, Xn))
        crit = self._crit(level)
        ci_lb, ci_ub = pred - crit * se, pred + crit * se
        pi_lb = pi_ub = None
        if not self.is_common and self.k > 1:
            pcrit = crit
            if pi_df == "k-2":
                alpha = (100.0 - level) / 100.0
                pcrit = float(dist.t_isf(alpha / 2, self.k - 2)) if self.k > 2 else math.nan
            half = pcrit * np.sqrt(self.tau2 + se**2)
            pi_lb, pi_ub = pred - half, pred + half
        if scalar:
            pred, se, ci_lb, ci_ub = (float(a[0]) for a in (pred, se, ci_lb, ci_ub))
            if pi_lb is not None:
                pi_lb, pi_ub = float(pi_lb[0]), float(pi_ub[0])
        return Prediction(pred, se, ci_lb, ci_ub, pi_lb, pi_ub, pi_df)

    def confint_tau2(self, level: float | None = None) -> TauConfint:
        """Q-profile CIs for tau2, tau, I2 and H2 (metafor ``confint.rma.uni``, type="QP")."""
        return qprofile_ci(self, self.level if level is None else level)

    def to_dict(self) -> dict:
        """Plain, JSON-ready dict of every field (arrays become lists)."""
        out = {}
        for name in self.__dataclass_fields__:
            if name in ("design",):
                continue
            val = getattr(self, name)
            out[name] = val.tolist() if isinstance(val, np.ndarray) else val
        return out


def _plain_rows(newmods, fit: RmaResult) -> np.ndarray:
    a = np.atleast_2d(np.asarray(newmods, dtype=float))
    if fit.intercept:
        a = np.column_stack([np.ones(a.shape[0]), a])
    return a


# --------------------------------------------------------------------------------------------
# Q-profile confidence interval


def _qprofile_bounds(y, v, X, tau2: float, level: float, tol: float, maxiter: int = 1000) -> tuple[float, float]:
    """(lower, upper) for tau2 by the Q-profile method, with metafor's search interval and rules."""
    k, p = X.shape
    alpha = (100.0 - level) / 100.0
    tmin = min(0.0, tau2)
    tmax = max(100.0, tau2 * 10, tmin * 10)
    crit_u = float(dist.chi2_isf(alpha / 2, k - p))
    crit_l = float(dist.chi2_ppf(alpha / 2, k - p))
    q_max = _qe(tmax, y, v, X)
    q_min = _qe(tmin, y, v, X)
    lb = ub = math.nan
    if q_min < crit_l:
        lb = ub = tmin
    elif q_max > crit_l:
        ub = tmax
    else:
        ub = _uniroot(lambda t: _qe(t, y, v, X) - crit_l, tmin, tmax, tol, maxiter)
    if q_max > crit_u:
        lb = ub = tmax
    elif q_min < crit_u:
        lb = tmin
    else:
        lb = _uniroot(lambda t: _qe(t, y, v, X) - crit_u, tmin, tmax, tol, maxiter)
    return lb, ub


def qprofile_ci(fit: RmaResult, level: float = 95.0) -> TauConfint:
    """Q-profile confidence intervals for tau2 (and tau, I2, H2 derived from its bounds).

    As metafor's ``confint.rma.uni``: search interval [min(0, tau2), max(100, 10 tau2)],
    ``uniroot`` with tol = eps^0.25; I2 and H2 bounds use the model's typical variance ``vt``.

    References
    ----------
    Viechtbauer W (2007). Stat Med 26:37-52.
    """
    if fit.is_common:
        raise InputError(f"a {fit.method} model has no heterogeneity to give a CI for")
    if fit.k < 2:
        raise InputError("a CI for tau^2 needs at least two studies")
    if not np.all(fit.vi > 0):
        raise InputError("a Q-profile CI needs all sampling variances > 0")
    lb, ub = _qprofile_bounds(fit.yi, fit.vi, fit.X, fit.tau2, level, _EPS ** 0.25)
    vt = fit.vt

    def tau(t):
        return math.sqrt(t) if t >= 0 else math.nan

    return TauConfint(
        tau2=(fit.tau2, lb, ub),
        tau=(tau(fit.tau2), tau(lb), tau(ub)),
        i2=(fit.i2, 100 * lb / (vt + lb), 100 * ub / (vt + ub)),
        h2=(fit.h2, lb / vt + 1, ub / vt + 1),
        level=level,
    )


# --------------------------------------------------------------------------------------------
# the model


def _as_vector(x, name: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numbers ({exc})") from None
    return a


def _nonredundant(X: np.ndarray, tol: float = 1e-7) -> list[int]:
    """Columns kept when later columns that are (near) linear combinations of earlier ones are
    dropped, as R's ``lm`` (LINPACK dqrdc2, tol 1e-7) and hence metafor decide."""
    keep: list[int] = []
    for j in range(X.shape[1]):
        col = X[:, j]
        norm = float(np.linalg.norm(col))
        if norm == 0.0:
            continue
        if keep:
            q, _ = np.linalg.qr(X[:, keep])
            col = col - q @ (q.T @ col)
        if float(np.linalg.norm(col)) >= tol * norm:
            keep.append(j)
    return keep


def _check_inputs(yi, vi, slab) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    y = _as_vector(yi, "yi")
    v = _as_vector(vi, "vi")
    if y.size != v.size:
        raise InputError(f"yi has {y.size} values but vi has {v.size}")
    if y.size == 0:
        raise InputError("no studies to pool")
    labels = [str(s) for s in slab] if slab is not None else None
    if labels is not None and len(labels) != y.size:
        raise InputError(f"slab has {len(labels)} labels for {y.size} studies")
    problems = []
    for i in range(y.size):
        who = f"study {labels[i]!r}" if labels else f"study {i + 1}"
        if not np.isfinite(y[i]):
            problems.append(f"{who}: yi = {y[i]} is missing or not finite")
        if not np.isfinite(v[i]):
            problems.append(f"{who}: vi = {v[i]} is missing or not finite")
        elif v[i] < 0:
            problems.append(f"{who}: vi = {v[i]} must be >= 0")
    if problems:
        raise InputError("; ".join(problems), field="yi/vi")
    return y, v, labels


def rma(yi, vi, mods=None, method: str = "REML", test: str = "z", level: float = 95, intercept: bool = True,
        control: dict | None = None, *, slab=None, pi_df: str = "z", weights=None) -> RmaResult:
    """Fit a common-, random- or mixed-effects model as R metafor 3.8 ``rma.uni(yi, vi, ...)``.

    Parameters
    ----------
    yi, vi : array-like
        Effect sizes and sampling variances (model scale: log for ratios).
    mods : None, array, DataFrame or dict of columns
        Moderators for a meta-regression; non-numeric columns are dummy-coded with the first
        level as reference and named ``<column><level>`` as R's ``model.matrix`` does.
    method : {"REML", "ML", "DL", "PM", "HE", "SJ", "EB", "HS", "FE", "EE", "CE"}
        tau^2 estimator; FE, EE and CE all fit the common-effect (inverse-variance) model.
    test : {"z", "knha"}
        "knha" = Hartung-Knapp(-Sidik-Jonkman): t with k - p df and vb scaled by
        s2w = RSS/(k - p), not truncated at 1 (metafor 3.8; control={"s2w_min": 1} truncates).
    level : float
        Confidence level in percent.
    intercept : bool
        Add an intercept column to ``mods`` (always True for an intercept-only model).
    control : dict
        metafor's control list: tau2_init, tau2_min, tau2_max, threshold, tol, maxiter, stepadj,
        ll0check; plus s2w_min.
    slab : sequence of str, optional
        Study labels (used in messages and kept on the result).
    pi_df : {"z", "k-2"}
        Default prediction-interval convention of ``predict()`` (see there).
    weights : None
        Reserved; user weights are not supported.

    Returns
    -------
    RmaResult

    Notes
    -----
    Conventions are metafor 3.8's: tau2 truncated at 0; I2 = 100 tau2 / (tau2 + vt) and
    H2 = (tau2 + vt) / vt with vt = (k - p) / tr(P) the "typical" within-study variance (equal
    to (Q - df)/Q only for DL), but I2 = 100 (Q - df)/Q and H2 = Q/df for FE/EE/CE; Q is always
    the inverse-variance Q; the prediction interval uses qnorm (qt(k - p) with knha), while
    ``pi_df="k-2"`` gives R meta's / IntHout's qt(k - 2). A single study returns its own
    estimate (z-based CI, tau2 = 0) with a note in ``warnings``.

    References
    ----------
    Viechtbauer W (2010). J Stat Softw 36(3). Knapp & Hartung (2003). Stat Med 22:2693-2710.
    Higgins JPT, Thompson SG (2002). Quantifying heterogeneity in a meta-analysis. Stat Med 21:1539-1558.
    """
    if weights is not None:
        raise InputError("custom weights are not supported; use the default inverse-variance weights")
    method = str(method).upper()
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; use one of {', '.join(METHODS)}", field="method")
    test = str(test).lower()
    if test == "hksj":
        test = "knha"
    if test not in ("z", "knha"):
        raise InputError(f"unknown test {test!r}; use 'z' or 'knha'", field="test")
    if pi_df not in ("z", "k-2"):
        raise InputError(f"pi_df must be 'z' or 'k-2', not {pi_df!r}", field="pi_df")
    level = float(level)
    if not 0 < level < 100:
        raise InputError(f"level = {level} must be a percentage between 0 and 100", field="level")
    con = dict(_DEFAULT_CONTROL)
    for key, val in (control or {}).items():
        key2 = key.replace(".", "_")
        if key2 not in con:
            raise InputError(f"unknown control setting {key!r}", field="control")
        con[key2] = val
    y, v, labels = _check_inputs(yi, vi, slab)
    k = y.size
    X, coef_names, spec = build_design(mods, k, intercept)
    p = X.shape[1]
    int_incl = bool(np.any(np.all(X == 1.0, axis=0)))
    notes: list[str] = []

    keep = _nonredundant(X)
    if len(keep) < p:
        dropped = [coef_names[j] for j in range(p) if j not in keep]
        notes.append(f"redundant predictors dropped from the model: {', '.join(dropped)} (as metafor)")
        X, coef_names = X[:, keep], [coef_names[j] for j in keep]
        spec = replace(spec, keep=tuple(keep))
        p = X.shape[1]
        int_incl = bool(np.any(np.all(X == 1.0, axis=0)))
    if p == 0:
        raise InputError("the moderators leave no coefficient to estimate", field="mods")
    common = method in _COMMON
    if k == 1:
        notes.append("only one study: its own estimate is returned (no heterogeneity, no HK test)")
        test = "z"
    elif not common and k <= p:
        raise InputError(f"{k} studies cannot estimate tau^2 with {p} coefficients", field="mods")

    # ---- tau^2
    tau2, se_tau2, iters = 0.0, None, 0
    if not common and k > 1:
        tau2, se_tau2, iters, more = _estimate_tau2(method, y, v, X, con)
        notes += more
    if np.any(v + tau2 <= 0):
        raise InputError("some sampling variances are 0 and tau^2 = 0: inverse-variance weights are infinite",
                         field="vi")

    # ---- coefficients
    fit = _wls(X, y, 1.0 / (v + tau2))
    beta, vb = fit.beta, fit.ainv
    rss_f = fit.rss
    s2w, ddf = 1.0, None
    if test == "knha":
        if common:
            notes.append(f"the Knapp-Hartung method is not meant for {method} models (as metafor warns)")
        s2w = 0.0 if rss_f <= _EPS else rss_f / (k - p)
        if con["s2w_min"] is not None:
            s2w = max(s2w, float(con["s2w_min"]))
        ddf = k - p
    vb = s2w * vb
    se = np.sqrt(np.diag(vb))
    with np.errstate(divide="ignore", invalid="ignore"):  # s2w = 0 (all yi equal): NaN, as in R
        stat = beta / se
    btt = np.arange(1, p) if (p > 1 and int_incl) else np.arange(p)
    m = btt.size
    vsub = vb[np.ix_(btt, btt)]
    try:
        qm = float(beta[btt] @ np.linalg.solve(vsub, beta[btt]))
    except np.linalg.LinAlgError:  # vb = 0 when s2w = 0: R's chol() fails and QM is NA
        qm = math.nan
    alpha = (100.0 - level) / 100.0
    if test == "knha":
        qm = qm / m
        qm_pval = float(dist.f_sf(qm, m, ddf)) if ddf > 0 else math.nan
        pval = 2 * dist.t_sf(np.abs(stat), ddf) if ddf > 0 else np.full(p, math.nan)
        crit = float(dist.t_isf(alpha / 2, ddf)) if ddf > 0 else math.nan
    else:
        qm_pval = float(dist.chi2_sf(qm, m))
        pval = 2 * dist.norm_sf(np.abs(stat))
        crit = float(dist.norm_isf(alpha / 2))
    ci_lb, ci_ub = beta - crit * se, beta + crit * se

    # ---- heterogeneity statistics (always the inverse-variance Q)
    allvipos = bool(np.all(v > 0))
    qe, qe_pval, i2, h2, vt = 0.0, 1.0, 0.0, 1.0, 0.0
    if allvipos and k > p:
        ffe = _wls(X, y, 1.0 / v)
        qe = max(0.0, ffe.rss)
        qe_pval = float(dist.chi2_sf(qe, k - p))
        vt = (k - p) / ffe.tr_p()
        if common:
            i2 = max(0.0, 100 * (qe - (k - p)) / qe) if qe > 0 else 0.0
            h2 = qe / (k - p)
        else:
            i2 = 100 * tau2 / (vt + tau2)
            h2 = tau2 / vt + 1
    elif not allvipos:
        qe = qe_pval = i2 = h2 = vt = math.nan
        notes.append("Q, I2 and H2 need all sampling variances > 0")

    # ---- fit statistics (metafor's fitstats: ML and REML flavours)
    fit_stats = _fit_stats(y, v, X, tau2, fit, rss_f, common, allvipos)

    # ---- pseudo R^2 against the intercept-only model with the same method
    r2 = None
    if p > 1 and int_incl and k > 1:
        r2 = _pseudo_r2(y, v, X, fit, method, test, con, tau2, common)

    w = 1.0 / (v + tau2)
    res = RmaResult(
        k=k, p=p, method=method, test=test, level=level, coef_names=coef_names,
        beta=beta, se=se, stat=stat, pval=np.asarray(pval, dtype=float), ci_lb=ci_lb, ci_ub=ci_ub, vb=vb,
        ddf=ddf, s2w=float(s2w), tau2=float(tau2), tau=math.sqrt(tau2), se_tau2=se_tau2,
        i2=float(i2), h2=float(h2), vt=float(vt), qe=float(qe), qe_df=k - p, qe_pval=float(qe_pval),
        qm=qm, qm_df=int(m), qm_ddf=ddf, qm_pval=qm_pval, r2=r2, fit_stats=fit_stats,
        weights=w, weights_pct=100 * w / np.sum(w), yi=y, vi=v, X=X, iterations=iters,
        slab=labels, pi_df=pi_df, intercept=intercept, design=spec, control=con, warnings=notes,
    )
    if not common and k > 1 and allvipos:
        ci = qprofile_ci(res, level)
        res = replace(res, tau2_ci_lb=ci.tau2[1], tau2_ci_ub=ci.tau2[2], tau_ci_lb=ci.tau[1], tau_ci_ub=ci.tau[2],
                       i2_ci_lb=ci.i2[1], i2_ci_ub=ci.i2[2], h2_ci_lb=ci.h2[1], h2_ci_ub=ci.h2[2])
    return res


def _fit_stats(y, v, X, tau2, fit: _Wls, rss_f, common: bool, allvipos: bool) -> dict:
    k, p = X.shape
    parms = p + (0 if common else 1)
    ll_ml = -0.5 * k * math.log(2 * math.pi) - 0.5 * float(np.sum(np.log(v + tau2))) - 0.5 * rss_f
    logdet_xx = 2.0 * float(np.sum(np.log(np.abs(np.diag(np.linalg.qr(X, mode="r"))))))
    ll_reml = (-0.5 * (k - p) * math.log(2 * math.pi) + 0.5 * logdet_xx
               - 0.5 * float(np.sum(np.log(v + tau2))) - 0.5 * fit.logdet() - 0.5 * rss_f)
    if k > p:
        dev_ml = -2 * (ll_ml - float(np.sum(-0.5 * np.log(2 * math.pi * v)))) if allvipos else -2 * ll_ml
    else:
        dev_ml = 0.0

    def block(ll, dev, n):
        mx = max(n, parms + 2)
        return {"logLik": ll, "deviance": dev, "AIC": -2 * ll + 2 * parms,
                "BIC": -2 * ll + parms * math.log(n) if n > 0 else math.nan,
                "AICc": -2 * ll + 2 * parms * mx / (mx - parms - 1)}

    return {"ML": block(ll_ml, dev_ml, k), "REML": block(ll_reml, -2 * ll_reml, k - p), "parms": parms}


def _pseudo_r2(y, v, X, fit: _Wls, method, test, con, tau2, common) -> float:
    """metafor's R^2: (tau2_RE - tau2)/tau2_RE in %, or adjusted weighted-lm R^2 for FE models."""
    k, p = X.shape
    if common:
        if np.var(y) == 0:
            return 0.0
        if k == p:  # saturated: lm's adjusted R^2 is NaN in R too
            return math.nan
        w = 1.0 / v
        sst = float(np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2))
        r2 = 1 - fit.rss / sst
        adj = 1 - (1 - r2) * (k - 1) / (k - p)
        return max(0.0, 100 * adj)
    try:
        tau2_re = _estimate_tau2(method, y, v, np.ones((k, 1)), con)[0]
    except InputError:
        return math.nan
    if tau2_re == 0:
        return 0.0
    return max(0.0, 100 * (tau2_re - tau2) / tau2_re)
