"""The Python API of the pooling stage: one call from a table of studies to tidy results.

>>> import pandas as pd
>>> from review.pool.api import meta_analysis
>>> data = pd.DataFrame({
...     "study": ["A", "B", "C"],
...     "e_events": [4, 6, 3], "e_total": [123, 306, 231],
...     "c_events": [11, 29, 11], "c_total": [139, 303, 220]})
>>> ma = meta_analysis(data, "RR", method="REML")
>>> round(ma.to_json()["exp"]["estimate"], 3)   # R: exp(coef(rma(yi, vi, data=escalc("RR", ...))))
0.264

:func:`meta_analysis` checks the table (:mod:`review.pool.validate`), computes the
effect sizes (:mod:`review.pool.effects`), fits the model (:mod:`review.pool.models`,
or :mod:`review.pool.mh` for Mantel-Haenszel and Peto) and the subgroups
(:mod:`review.pool.subgroup`), and returns a :class:`MetaAnalysis` whose numbers are
unrounded, on the model scale (log for ratio measures, Fisher's z for ZCOR), with
back-transformed values beside them. Rounding happens only in
:mod:`review.pool.tables` and :mod:`review.pool.plots`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.errors import InputError
from review.pool import validate

METHODS = ("REML", "DL", "PM", "ML", "HE", "SJ", "EB", "HS", "FE", "EE", "CE", "MH", "PETO")
RATIO_MEASURES = ("RR", "OR", "ROM", "IRR", "PETO")
LABELS = {
    "RR": "Risk Ratio", "OR": "Odds Ratio", "RD": "Risk Difference", "PETO": "Peto Odds Ratio",
    "MD": "Mean Difference", "SMD": "Std. Mean Difference", "ROM": "Ratio of Means",
    "ZCOR": "Correlation", "IRR": "Rate Ratio", "GEN": "Estimate",
}
SHORT = {"RR": "RR", "OR": "OR", "RD": "RD", "PETO": "OR", "MD": "MD", "SMD": "SMD",
         "ROM": "RoM", "ZCOR": "r", "IRR": "IRR", "GEN": "Estimate"}
JSON_KEYS = ("k", "estimate", "se", "ci_lower", "ci_upper", "pval", "tau2", "tau2_ci_lower",
             "tau2_ci_upper", "i2", "h2", "q", "q_df", "q_pval", "pi_lower", "pi_upper")


def _f(x: Any) -> float | None:
    """A plain float, or None for a missing / non-finite value."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def transform_for(measure: str, ratio: bool = False):
    """The back-transformation for a measure: exp for ratios, tanh (z -> r) for ZCOR, else None."""
    import numpy as np

    m = measure.upper()
    if m in RATIO_MEASURES or (m == "GEN" and ratio):
        return np.exp
    if m == "ZCOR":
        return np.tanh
    return None


@dataclass
class MetaAnalysis:
    """Result of :func:`meta_analysis`: tidy pandas tables plus the underlying fits.

    Attributes
    ----------
    studies : DataFrame
        One row per study, input order: ``study``, the input columns under the
        issue's names (``e_events``, ``e_total``, ... as given), ``yi``, ``vi``,
        ``se``, ``ci_lower``, ``ci_upper`` (model scale, normal-based at ``level``),
        ``weight_pct`` (weight in the overall model, percent), ``subgroup`` when
        asked for, and back-transformed ``effect``, ``effect_ci_lower``,
        ``effect_ci_upper``.
    summary : DataFrame
        One row: the JSON keys (model scale) plus ``stat``, ``stat_type``
        (``"z"`` or ``"t"``), ``df``, ``tau``, ``n`` (participants), ``measure``,
        ``method`` and ``i2_q``, Higgins and Thompson's ``(Q - df) / Q`` that
        RevMan reports (``i2`` is metafor's, from tau2; they agree for DL).
    subgroups : DataFrame or None
        One row per subgroup (k, estimate, se, CI, p, tau2, I2, Q ... and the
        subgroup's share of the overall weight).
    subgroup_test : dict or None
        Test for subgroup differences: ``q``, ``df``, ``pval``, ``i2``, ``tau2_mode``.
    warnings : list of str
        Things a reader must know (a single study, studies left out of the model).
    notes : list of str
        Per-study notes from the effect sizes ("0.5 added to each cell (zero cell)").
    """

    measure: str
    method: str
    hk: bool
    level: float
    studies: Any
    summary: Any
    subgroups: Any = None
    subgroup_test: dict[str, Any] | None = None
    fit: Any = None
    subgroup_result: Any = None
    effects: Any = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    outcome: str | None = None
    groups: tuple[str, str] | None = None
    favours: tuple[str, str] | None = None
    ratio: bool = False
    data_columns: tuple[str, ...] = ()
    source: str | None = None
    subgroup_name: str | None = None

    # -- scale ---------------------------------------------------------------
    @property
    def transform(self):
        """Back-transformation to the reporting scale (None: the model scale is the reporting scale)."""
        return transform_for(self.measure, self.ratio)

    @property
    def log_scale(self) -> bool:
        """True when the reporting scale is a ratio (forest and funnel use a log axis)."""
        m = self.measure.upper()
        return m in RATIO_MEASURES or (m == "GEN" and self.ratio)

    @property
    def null_value(self) -> float:
        """The no-effect value on the reporting scale (1 for ratios, else 0)."""
        return 1.0 if self.log_scale else 0.0

    def back(self, x: Any) -> float | None:
        """One model-scale number on the reporting scale."""
        v = _f(x)
        if v is None:
            return None
        t = self.transform
        return float(t(v)) if t is not None else v

    @property
    def k(self) -> int:
        return int(self.summary["k"].iloc[0])

    def row(self) -> dict[str, Any]:
        """The summary row as a plain dict."""
        return {c: self.summary[c].iloc[0] for c in self.summary.columns}

    @property
    def model_label(self) -> str:
        """E.g. ``IV, Random, 95% CI`` as RevMan heads the effect column."""
        m = self.method.upper()
        lvl = f"{self.level:g}% CI"
        if m == "MH":
            return f"M-H, Fixed, {lvl}"
        if m == "PETO":
            return f"Peto, Fixed, {lvl}"
        if m in ("FE", "EE", "CE"):
            return f"IV, Fixed, {lvl}"
        return f"IV, Random, {lvl}"

    @property
    def effect_label(self) -> str:
        if self.measure.upper() == "GEN" and self.ratio:
            return "Ratio"
        return LABELS.get(self.measure.upper(), self.measure)

    # -- output --------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The issue's ``--json`` object: model-scale keys plus ``exp`` (back-transformed, or None)."""
        r = self.row()
        out: dict[str, Any] = {}
        for key in JSON_KEYS:
            v = r.get(key)
            if key in ("k", "q_df"):
                out[key] = int(v) if _f(v) is not None else None
            else:
                out[key] = _f(v)
        if self.transform is not None:
            out["exp"] = {
                key: self.back(r.get(key))
                for key in ("estimate", "ci_lower", "ci_upper", "pi_lower", "pi_upper")
            }
        else:
            out["exp"] = None
        if self.subgroups is not None:
            out["subgroups"] = [
                {k: (v if isinstance(v, str) else (int(v) if k == "k" else _f(v)))
                 for k, v in rec.items()}
                for rec in self.subgroups.to_dict(orient="records")
            ]
            out["subgroup_test"] = {
                k: (v if isinstance(v, str) else _f(v)) for k, v in (self.subgroup_test or {}).items()
            }
        return out

    def forest(self, path: str | Path | None = None, **options: Any):
        """Draw the forest plot (see :func:`review.pool.plots.forest_plot`); saves when ``path`` is given."""
        from review.pool.plots import forest_plot

        return forest_plot(self, path, **options)

    def funnel(self, path: str | Path | None = None, **options: Any):
        """Draw the funnel plot (see :func:`review.pool.plots.funnel_plot`)."""
        from review.pool.plots import funnel_plot

        return funnel_plot(self, path, **options)

    # -- small-study effects (review.pool.bias) --------------------------------
    def _bias_input(self):
        import numpy as np

        s = self.studies
        ok = np.isfinite(s["yi"].to_numpy(float)) & np.isfinite(s["vi"].to_numpy(float))
        return s["yi"].to_numpy(float)[ok], s["vi"].to_numpy(float)[ok]

    def _bias_method(self) -> str:
        m = self.method.upper()
        return "FE" if m in ("MH", "PETO", "EE", "CE") else m

    def trimfill(self, **options: Any):
        """Trim-and-fill on the study effects with this analysis' tau2 method (metafor: trimfill(res))."""
        from review.pool import bias

        yi, vi = self._bias_input()
        return bias.trimfill(yi, vi, method=self._bias_method(), **options)

    def egger(self, **options: Any):
        """Egger's regression test (metafor: regtest(res))."""
        from review.pool import bias

        yi, vi = self._bias_input()
        return bias.regtest(yi, vi, method=self._bias_method(), **options)

    def ranktest(self, **options: Any):
        """Begg and Mazumdar's rank correlation test (metafor: ranktest(res))."""
        from review.pool import bias

        yi, vi = self._bias_input()
        return bias.ranktest(yi, vi, **options)

    def leave1out(self, **options: Any):
        """Leave-one-out estimates (metafor: leave1out(res))."""
        from review.pool import bias

        yi, vi = self._bias_input()
        return bias.leave1out(yi, vi, method=self._bias_method(), **options)


# ---------------------------------------------------------------------------
# computing
# ---------------------------------------------------------------------------


def _escalc(pdata: validate.PoolData, measure: str, options: Mapping[str, Any]):
    """Effect sizes for a checked table; row problems become one error naming file and lines."""
    from review.pool import effects

    kwargs = {role: pdata.values[role] for role in pdata.columns}
    try:
        return effects.escalc(measure.upper(), studies=pdata.studies, column_names=dict(pdata.columns),
                              **kwargs, **options)
    except effects.EffectSizeError as err:
        problems = getattr(err, "problems", None)
        if problems:
            raise validate.problems_error(problems, pdata) from None
        raise InputError(err.message, file=pdata.source) from None


MH_OPTIONS = ("add", "to", "drop00", "correct", "convention")


@dataclass
class _Shown:
    """Study-level values shown for an MH / Peto fit (rma.mh's own yi and vi)."""

    measure: str
    yi: Any
    vi: Any
    notes: tuple[str, ...] = ()


def _binary_cells(pdata: validate.PoolData):
    """(ai, bi, ci, di) from events/totals or the four cells."""
    v = pdata.values
    ai, ci = v["ai"], v["ci"]
    bi = v["bi"] if "bi" in v else v["n1i"] - ai
    di = v["di"] if "di" in v else v["n2i"] - ci
    return ai, bi, ci, di


def _fit_mh(pdata, measure, method, level, options, index=None):
    """rma.mh / rma.peto on (a subset of) the table."""
    from review.pool import mh

    cells = _binary_cells(pdata)
    if index is not None:
        cells = tuple(c[index] for c in cells)
    opts = {k: v for k, v in options.items() if k in MH_OPTIONS}
    studies = [pdata.studies[i] for i in index] if index is not None else pdata.studies
    if method == "PETO":
        opts.pop("correct", None)
        return mh.rma_peto(*cells, level=level, studies=studies, **opts)
    return mh.rma_mh(*cells, measure=measure, level=level, studies=studies, **opts)


def _study_frame(pdata, es, measure, level, weights, groups, transform):
    import numpy as np
    import pandas as pd
    from review import dist

    z = dist.norm_ppf(0.5 + level / 200)
    yi = np.asarray(es.yi, float)
    vi = np.asarray(es.vi, float)
    se = np.sqrt(vi)
    frame = pd.DataFrame({"study": pdata.studies})
    for role in pdata.columns:
        frame[display_name(role, measure)] = pdata.values[role]
    for ev, non, tot in (("e_events", "e_nonevents", "e_total"), ("c_events", "c_nonevents", "c_total")):
        if non in frame.columns and tot not in frame.columns:
            frame[tot] = frame[ev] + frame[non]
    frame["yi"] = yi
    frame["vi"] = vi
    frame["se"] = se
    frame["ci_lower"] = yi - z * se
    frame["ci_upper"] = yi + z * se
    frame["weight_pct"] = weights
    if groups is not None:
        frame["subgroup"] = groups
    if transform is not None:
        frame["effect"] = transform(yi)
        frame["effect_ci_lower"] = transform(frame["ci_lower"].to_numpy())
        frame["effect_ci_upper"] = transform(frame["ci_upper"].to_numpy())
    else:
        frame["effect"] = yi
        frame["effect_ci_lower"] = frame["ci_lower"]
        frame["effect_ci_upper"] = frame["ci_upper"]
    return frame


def display_name(role: str, measure: str) -> str:
    """The issue's column name for a metafor role (``n1i`` is ``e_n`` for continuous data)."""
    if measure.upper() in validate.CONTINUOUS and role in ("n1i", "n2i"):
        return "e_n" if role == "n1i" else "c_n"
    return validate.DISPLAY[role]


def _participants(pdata: validate.PoolData, index=None) -> float | None:
    import numpy as np

    v = pdata.values
    if "n1i" in v and "n2i" in v:
        n = v["n1i"] + v["n2i"]
    elif all(r in v for r in ("ai", "bi", "ci", "di")):
        n = v["ai"] + v["bi"] + v["ci"] + v["di"]
    elif "ni" in v:
        n = v["ni"]
    else:
        return None
    n = np.asarray(n, float)
    if index is not None:
        n = n[index]
    return float(np.nansum(n))


def _summary_row(fit, level, measure, method, n, pi_df):
    """Model-scale summary numbers from an RmaResult or an MH/Peto result."""
    is_rma = hasattr(fit, "beta")
    if is_rma:
        est, se = float(fit.beta[0]), float(fit.se[0])
        stat, pval = float(fit.stat[0]), float(fit.pval[0])
        lo, hi = float(fit.ci_lb[0]), float(fit.ci_ub[0])
        pred = fit.predict(pi_df=pi_df) if fit.k > 1 and fit.method not in ("FE", "EE", "CE") else None
        pi_lo = _f(pred.pi_lb) if pred is not None else None
        pi_hi = _f(pred.pi_ub) if pred is not None else None
        tau2 = _f(fit.tau2)
        stat_type = "t" if fit.test == "knha" else "z"
        df = fit.ddf if fit.test == "knha" else None
        t_lo, t_hi = _f(fit.tau2_ci_lb), _f(fit.tau2_ci_ub)
    else:
        est, se = float(fit.estimate), float(fit.se)
        stat, pval = float(fit.zval), float(fit.pval)
        lo, hi = float(fit.ci_lb), float(fit.ci_ub)
        pi_lo = pi_hi = None
        tau2 = 0.0
        stat_type, df = "z", None
        t_lo = t_hi = None
    fixed = method in ("FE", "EE", "CE", "MH", "PETO")
    if fixed:
        tau2 = 0.0
    q, q_df = _f(getattr(fit, "qe", None)), getattr(fit, "qe_df", None)
    i2_q = max(0.0, 100 * (q - q_df) / q) if q and q_df and q > 0 else (0.0 if q is not None else None)
    return {
        "k": int(fit.k),
        "estimate": est, "se": se, "ci_lower": lo, "ci_upper": hi, "pval": pval,
        "tau2": tau2, "tau2_ci_lower": t_lo, "tau2_ci_upper": t_hi,
        "i2": _f(getattr(fit, "i2", None)), "h2": _f(getattr(fit, "h2", None)),
        "q": _f(getattr(fit, "qe", None)), "q_df": getattr(fit, "qe_df", None),
        "q_pval": _f(getattr(fit, "qe_pval", None)),
        "pi_lower": pi_lo, "pi_upper": pi_hi,
        "stat": stat, "stat_type": stat_type, "df": df,
        "tau": math.sqrt(tau2) if tau2 is not None and tau2 >= 0 else None,
        "i2_q": i2_q,
        "n": n, "measure": measure, "method": method,
    }


def _mh_weights(fit, k, keep):
    import numpy as np

    w = np.full(k, np.nan)
    pct = np.asarray(getattr(fit, "weights_pct"), float)
    if pct.shape[0] == k:
        return pct
    w[keep] = pct
    return w


def meta_analysis(
    data: Any,
    measure: str,
    method: str = "REML",
    hk: bool = False,
    subgroup: str | None = None,
    study_col: str = "study",
    level: float = 95,
    *,
    columns: Mapping[str, str] | None = None,
    ratio: bool = False,
    tau2_subgroup: str = "common",
    pi_df: str = "z",
    outcome: str | None = None,
    groups: Sequence[str] | None = None,
    favours: Sequence[str] | None = None,
    source: str | Path | None = None,
    lines: Sequence[int | None] | None = None,
    control: Mapping[str, Any] | None = None,
    convention: str = "metafor",
    **escalc_options: Any,
) -> MetaAnalysis:
    """Pool a table of studies as R's metafor does and return tidy results.

    Parameters
    ----------
    data : DataFrame, mapping of columns, path to a CSV, or :class:`review.pool.validate.PoolData`
        One row per study with a ``study`` label and the columns the measure
        needs, under the issue's names or metafor's (see :mod:`review.pool.validate`).
    measure : {"RR", "OR", "RD", "MD", "SMD", "ROM", "ZCOR", "IRR", "GEN", "PETO"}
        Effect measure; ratios are modelled on the log scale, ZCOR on Fisher's z.
    method : {"REML", "DL", "PM", "ML", "HE", "SJ", "EB", "HS", "FE", "MH", "PETO"}
        tau2 estimator (random effects), ``FE`` (common effect, inverse
        variance), ``MH`` (Mantel-Haenszel; RR, OR, RD) or ``PETO`` (Peto OR).
    hk : bool
        Hartung-Knapp(-Sidik-Jonkman) t-based inference (metafor ``test="knha"``).
    subgroup : str, optional
        Column whose values define subgroups.
    study_col : str
        Column with the study labels (required).
    level : float
        Confidence level in percent.
    columns : mapping, optional
        Role -> column name overrides, e.g. ``{"ai": "tpos", "bi": "tneg"}``.
    ratio : bool
        For ``GEN``: the estimate is a log ratio (back-transform with exp);
        an ``estimate`` with ``ci_lower``/``ci_upper`` is then on the ratio scale.
    tau2_subgroup : {"separate", "common"}
        ``common`` (default, metafor ``rma(mods = ~ factor(g))``): one tau2 and the
        QM test; ``separate`` (RevMan and R meta): each subgroup its own tau2 and the
        test for subgroup differences on the subgroup estimates. Both are computed.
    pi_df : {"z", "k-2"}
        Prediction interval critical value: metafor 3.8 (normal, or t(k-1) with
        ``hk``) by default; ``"k-2"`` for t(k-2) as R meta and IntHout et al. (2016).
    convention : {"metafor", "revman"}
        ``"revman"`` switches the defaults where RevMan 5 differs from metafor:
        SMD with Hedges' approximate correction ``1 - 3/(4N - 9)`` and RevMan's
        variance (``correct="approx", vtype="RM5"``), and Mantel-Haenszel with
        0.5 added to zero-cell studies for the pooled estimate
        (``rma_mh(convention="revman")``). Explicit options win.
    outcome, groups, favours : optional
        Labels for tables and plots (outcome name; experimental and control
        group names; "Favours" texts left and right of the null line).
    **escalc_options
        Passed to :func:`review.pool.effects.escalc` (``add``, ``to``,
        ``drop00``, ``vtype``, ...) and, for MH/Peto, the matching options of
        :func:`review.pool.mh.rma_mh`.

    Returns
    -------
    MetaAnalysis

    Notes
    -----
    A single study gives its own estimate with a warning in ``.warnings``;
    studies whose effect cannot be estimated (e.g. both arms without events
    when ``drop00=True``) keep a row in ``.studies`` with weight 0.

    References
    ----------
    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor
    package. Journal of Statistical Software, 36(3), 1-48.
    """
    import numpy as np
    import pandas as pd

    m = measure.upper()
    meth = method.upper()
    if meth not in METHODS:
        raise InputError(f"unknown method '{method}'; use one of {', '.join(METHODS)}")
    if meth == "PETO":
        if m not in ("OR", "PETO"):
            raise InputError(f"the Peto method pools odds ratios; measure {m} cannot use it")
        m = "PETO"
    if hk and meth in ("MH", "PETO"):
        raise InputError(f"Hartung-Knapp (hk) applies to inverse-variance models, not {meth}")
    if meth == "MH" and m not in ("RR", "OR", "RD"):
        raise InputError(f"Mantel-Haenszel pools RR, OR or RD; measure {m} cannot use it")
    if m not in validate.MEASURES:
        raise InputError(f"unknown measure '{measure}'; use one of {', '.join(validate.MEASURES)}")
    if tau2_subgroup not in ("separate", "common"):
        raise InputError(f"tau2_subgroup must be 'separate' or 'common', not '{tau2_subgroup}'")

    if isinstance(data, validate.PoolData):
        pdata = data
    elif isinstance(data, (str, Path)):
        pdata = validate.load_csv(data, m, study_col=study_col, columns=columns, subgroup=subgroup)
    else:
        pdata = validate.from_frame(data, m, study_col=study_col, columns=columns,
                                    subgroup=subgroup, file=source, lines=lines)
    if subgroup is not None and pdata.subgroup is None:
        raise InputError(f"subgroup '{subgroup}' was not read with the data")

    if convention not in ("metafor", "revman"):
        raise InputError(f"convention must be 'metafor' or 'revman', not '{convention}'")
    if convention == "revman":
        if meth in ("MH", "PETO"):
            escalc_options = {"convention": "revman", **escalc_options}
        elif m == "SMD":
            escalc_options = {"correct": "approx", "vtype": "RM5", **escalc_options}
    if m == "GEN" and ratio and "estimate" in pdata.columns:
        escalc_options = {"ratio": True, **escalc_options}
    if meth in ("MH", "PETO"):
        # escalc only checks the rows here; the study rows come from rma.mh / rma.peto
        bad = sorted(set(escalc_options) - set(MH_OPTIONS))
        if bad:
            raise InputError(f"option {', '.join(bad)} does not apply to method {meth}")
        es = _escalc(pdata, m, {})
    else:
        es = _escalc(pdata, m, dict(escalc_options))
    k = len(pdata.studies)
    test = "knha" if hk else "z"
    from review.pool import models

    if meth in ("MH", "PETO"):
        fit = _fit_mh(pdata, "OR" if m == "PETO" else m, meth, level, escalc_options)
        notes = tuple(getattr(fit, "notes", ()) or ()) or tuple(es.notes)
        es = _Shown(m, np.asarray(fit.yi, float), np.asarray(fit.vi, float), notes)
    yi = np.asarray(es.yi, float)
    vi = np.asarray(es.vi, float)
    keep = np.isfinite(yi) & np.isfinite(vi)
    notes = [f"{s}: {n}" for s, n in zip(pdata.studies, es.notes or ()) if n]
    warnings: list[str] = []
    dropped = [s for s, ok in zip(pdata.studies, keep) if not ok]
    if meth in ("MH", "PETO"):
        weights = _mh_weights(fit, k, keep)
    else:
        if not keep.any():
            raise InputError("no study has an estimable effect", file=pdata.source)
        if dropped:
            warnings.append(
                f"{len(dropped)} {'study' if len(dropped) == 1 else 'studies'} without an estimable effect "
                f"left out of the model: {', '.join(dropped)}"
            )
        fit = models.rma(yi[keep], vi[keep], method=meth, test=test, level=level,
                         control=dict(control) if control else None, pi_df=pi_df)
        weights = np.zeros(k)
        weights[keep] = np.asarray(fit.weights_pct, float)
    warnings.extend(str(w) for w in getattr(fit, "warnings", []) or [])
    if int(fit.k) == 1 and not any("one study" in w for w in warnings):
        warnings.append("only one study: its own estimate is reported, nothing was pooled")

    transform = transform_for(m, ratio)
    frame = _study_frame(pdata, es, m, level, weights, pdata.subgroup, transform)
    frame["note"] = list(es.notes) if len(es.notes) == k else [""] * k
    summary = pd.DataFrame([_summary_row(fit, level, m, meth, _participants(pdata), pi_df)])

    sub_frame = sub_test = sub_result = None
    if pdata.subgroup is not None:
        sub_frame, sub_test, sub_result = _subgroups(
            pdata, m, meth, test, level, yi, vi, keep, weights, tau2_subgroup,
            escalc_options, control, pi_df, warnings,
        )
    data_cols = tuple(display_name(r, m) for r in pdata.columns)
    return MetaAnalysis(
        measure=m, method=meth, hk=hk, level=level, studies=frame, summary=summary,
        subgroups=sub_frame, subgroup_test=sub_test, fit=fit, subgroup_result=sub_result,
        effects=es, warnings=_unique(warnings), notes=notes, outcome=outcome,
        groups=tuple(groups) if groups else None, favours=tuple(favours) if favours else None,
        ratio=bool(ratio) if m == "GEN" else m in RATIO_MEASURES, data_columns=data_cols,
        source=pdata.source, subgroup_name=subgroup,
    )


def _unique(items: list[str]) -> list[str]:
    seen: list[str] = []
    for x in items:
        if x not in seen:
            seen.append(x)
    return seen


def _subgroups(pdata, m, meth, test, level, yi, vi, keep, weights, tau2_mode,
               options, control, pi_df, warnings):
    """Per-subgroup fits and the test for subgroup differences, as a tidy frame."""
    import numpy as np
    import pandas as pd

    from review.pool import models

    labels = np.asarray(pdata.subgroup, dtype=object)
    levels = sorted(set(labels))
    rows = []
    if meth in ("MH", "PETO"):
        ests, ses = [], []
        for lev in levels:
            idx = np.flatnonzero(labels == lev)
            fit = _fit_mh(pdata, "OR" if m == "PETO" else m, meth, level, options, index=idx)
            row = _summary_row(fit, level, m, meth, _participants(pdata, idx), pi_df)
            ests.append(row["estimate"])
            ses.append(row["se"])
            rows.append((lev, row, float(np.nansum(weights[idx]))))
        q = models.rma(np.array(ests), np.array(ses) ** 2, method="FE")
        test_out = {"q": float(q.qe), "df": int(q.qe_df), "pval": float(q.qe_pval), "tau2_mode": "separate"}
        result = None
    else:
        from review.pool import subgroup as sg

        result = sg.subgroup_analysis(
            yi[keep], vi[keep], labels[keep], method=meth, tau2=tau2_mode, test=test, level=level,
            control=dict(control) if control else None,
        )
        warnings.extend(str(w) for w in getattr(result, "warnings", []) or [])
        for ge in result.groups:
            idx = np.flatnonzero(labels == ge.level)
            fit = result.fits.get(ge.level) if result.fits else None
            if fit is not None:
                row = _summary_row(fit, level, m, meth, _participants(pdata, idx), pi_df)
            else:
                # Common tau2: the estimate and its CI come from the joint model; the
                # within-subgroup heterogeneity (Q, its p and I2) from the subgroup's own fit,
                # since Q within a subgroup does not depend on how tau2 is estimated.
                own = (getattr(result, "separate_fits", None) or {}).get(ge.level)
                row = {
                    "k": ge.k, "estimate": ge.estimate, "se": ge.se, "ci_lower": ge.ci_lb,
                    "ci_upper": ge.ci_ub, "pval": ge.pval, "tau2": ge.tau2,
                    "i2": ge.i2 if ge.i2 is not None or own is None else own.i2,
                    "q": ge.qe if ge.qe is not None or own is None else own.qe,
                    "q_df": ge.qe_df if ge.qe_df is not None or own is None else own.qe_df,
                    "q_pval": ge.qe_pval if ge.qe_pval is not None or own is None else own.qe_pval,
                    "stat": ge.stat, "stat_type": "t" if test == "knha" else "z", "n": _participants(pdata, idx),
                }
            rows.append((ge.level, row, float(np.nansum(weights[idx]))))
        test_out = {
            "q": _f(result.q_between), "df": int(result.q_between_df),
            "pval": _f(result.q_between_pval), "tau2_mode": result.tau2_mode,
        }
    q, df = test_out["q"], test_out["df"]
    f_test = test_out["tau2_mode"] == "common" and test == "knha"    # QM is an F statistic then
    test_out["i2"] = None if f_test else (max(0.0, 100 * (q - df) / q) if q and df and q > 0 else 0.0)
    keys = ("k", "estimate", "se", "ci_lower", "ci_upper", "pval", "stat", "stat_type", "tau2",
            "i2", "h2", "q", "q_df", "q_pval", "pi_lower", "pi_upper", "n", "i2_q")
    frame = pd.DataFrame([
        {"subgroup": lev, **{k: row.get(k) for k in keys}, "weight_pct": w} for lev, row, w in rows
    ])
    return frame, test_out, result
