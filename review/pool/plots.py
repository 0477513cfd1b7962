"""Forest and funnel plots with matplotlib, in the layout readers know from RevMan 5 and R's meta.

The forest plot is a table and a plot side by side: study label, each group's
data and the weight on the left, the effects as squares (area proportional to
the weight) with CI whiskers in the middle, and the effect with its CI as text
on the right. Pooled rows are diamonds; subgroups have a header, a subtotal
and their own heterogeneity lines; below the total come the prediction
interval, the heterogeneity and overall-effect lines, the test for subgroup
differences, and the "Favours ..." labels under the axis.

Layout is computed in points from the measured width of every text (Agg
renderer), so columns never overlap and the figure grows with the number of
studies. matplotlib is imported inside the functions; figures are plain
``matplotlib.figure.Figure`` objects drawn on the Agg canvas (no pyplot state).
Saving goes through :func:`review.figures.save_figure`: text stays text in
SVG, no dates, so the same analysis gives the same files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.errors import InputError
from review.figures import FORMATS, save_figure
from review.pool.tables import fmt_ci, fmt_count, fmt_i2, fmt_num, fmt_p_eq, fmt_sig, fmt_tau2

FONT = "DejaVu Sans"
IV_COLOR = "#2957a4"     # squares for inverse-variance analyses (RevMan: blue)
MH_COLOR = "#2e7d32"     # squares for Mantel-Haenszel and Peto (RevMan: green)
LOG_TICKS = {
    2: (0.5, 0.7, 1, 1.5, 2),
    5: (0.2, 0.5, 1, 2, 5),
    10: (0.1, 0.2, 0.5, 1, 2, 5, 10),
    20: (0.05, 0.2, 1, 5, 20),
    100: (0.01, 0.1, 1, 10, 100),
    1000: (0.001, 0.01, 0.1, 1, 10, 100, 1000),
}


# ---------------------------------------------------------------------------
# saving
# ---------------------------------------------------------------------------


def _new_figure(width_in: float, height_in: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


class _Measure:
    """Text widths in points with the Agg renderer (the one that draws the PNG)."""

    def __init__(self, size: float):
        from matplotlib.backends.backend_agg import RendererAgg
        from matplotlib.font_manager import FontProperties

        self._r = RendererAgg(10, 10, 72)
        self._props = {
            w: FontProperties(family=FONT, size=size, weight=w) for w in ("normal", "bold")
        }

    def __call__(self, text: str, bold: bool = False) -> float:
        if not text:
            return 0.0
        w, _, _ = self._r.get_text_width_height_descent(
            text, self._props["bold" if bold else "normal"], ismath=False
        )
        return float(w)


def _tex(text: str) -> str:
    """Text as matplotlib should draw it literally (no mathtext)."""
    return text.replace("$", r"\$")


# ---------------------------------------------------------------------------
# the forest plot model: columns and rows
# ---------------------------------------------------------------------------


@dataclass
class _Col:
    key: str
    header: str
    group: int | None
    fmt: Any
    width: float = 0.0
    x: float = 0.0


@dataclass
class _Row:
    kind: str                 # study, header, subtotal, total, events, pi, text, blank
    label: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    weight: str = ""
    effect: str = ""
    bold: bool = False
    est: float | None = None
    lo: float | None = None
    hi: float | None = None
    w: float | None = None
    span: bool = False        # a text line from the label column rightwards (heterogeneity, tests)


def _data_columns(ma: Any) -> list[_Col]:
    cols = set(ma.studies.columns)
    m = ma.measure
    if m in ("RR", "OR", "RD", "PETO"):
        spec = [("e_events", "Events", 0, fmt_count), ("e_total", "Total", 0, fmt_count),
                ("c_events", "Events", 1, fmt_count), ("c_total", "Total", 1, fmt_count)]
    elif m in ("MD", "SMD", "ROM"):
        spec = [("e_mean", "Mean", 0, fmt_sig), ("e_sd", "SD", 0, fmt_sig), ("e_n", "Total", 0, fmt_count),
                ("c_mean", "Mean", 1, fmt_sig), ("c_sd", "SD", 1, fmt_sig), ("c_n", "Total", 1, fmt_count)]
    elif m == "ZCOR":
        spec = [("r", "r", None, fmt_sig), ("n", "Total", None, fmt_count)]
    elif m == "IRR":
        spec = [("e_events", "Events", 0, fmt_count), ("e_time", "Time", 0, fmt_sig),
                ("c_events", "Events", 1, fmt_count), ("c_time", "Time", 1, fmt_sig)]
    else:
        head = "log[Ratio]" if ma.ratio else "Estimate"
        spec = [("yi", head, None, lambda x: fmt_num(x, 4)), ("se", "SE", None, lambda x: fmt_num(x, 4))]
    return [_Col(k, h, g, f) for k, h, g, f in spec if k in cols]


def _het_line(r: dict[str, Any], fixed: bool, i2: str = "metafor") -> str:
    if int(r.get("k") or 0) < 2 or r.get("q") is None:
        return "Heterogeneity: Not applicable"
    parts = []
    if not fixed:
        tau2 = fmt_tau2(r.get("tau2"))
        parts.append(f"Tau² {tau2}" if tau2.startswith("<") else f"Tau² = {tau2}")
    q_df = int(r["q_df"]) if r.get("q_df") is not None else int(r["k"]) - 1
    parts.append(f"Chi² = {fmt_num(r['q'], 2)}, df = {q_df} ({fmt_p_eq(r.get('q_pval'))})")
    text = "Heterogeneity: " + "; ".join(parts)
    key = "i2_q" if i2 == "q" else "i2"
    if r.get(key) is not None and math.isfinite(float(r[key])):
        text += f"; I² = {fmt_i2(r[key])}"
    return text


def _effect_line(r: dict[str, Any]) -> str:
    stat = r.get("stat")
    if stat is None or not math.isfinite(float(stat)):
        return "Test for overall effect: Not applicable"
    if r.get("stat_type") == "t" and r.get("df") is not None:
        return f"Test for overall effect: t = {abs(float(stat)):.2f}, df = {int(r['df'])} ({fmt_p_eq(r.get('pval'))})"
    return f"Test for overall effect: Z = {abs(float(stat)):.2f} ({fmt_p_eq(r.get('pval'))})"


def _sum(frame: Any, col: str) -> str:
    if col not in frame.columns:
        return ""
    vals = frame[col].to_numpy(float)
    if len(vals) == 0 or not all(math.isfinite(v) for v in vals):
        return ""
    return fmt_count(sum(vals))


def _build_rows(ma: Any, data_cols: list[_Col], prediction: bool, digits: int, i2: str) -> list[_Row]:
    fixed = ma.method in ("FE", "EE", "CE", "MH", "PETO")
    lvl = f"{ma.level:g}% CI"
    has_events = any(c.key in ("e_events", "c_events") for c in data_cols)
    total_keys = [c.key for c in data_cols if c.key in ("e_total", "c_total", "e_n", "c_n", "n", "e_time", "c_time")]
    event_keys = [c.key for c in data_cols if c.key in ("e_events", "c_events")]

    def study_row(rec: dict[str, Any]) -> _Row:
        est, lo, hi = rec.get("effect"), rec.get("effect_ci_lower"), rec.get("effect_ci_upper")
        ok = est is not None and math.isfinite(float(est))
        w = rec.get("weight_pct")
        w_ok = ok and w is not None and math.isfinite(float(w)) and float(w) > 0
        return _Row(
            "study", label=str(rec["study"]),
            cells={c.key: c.fmt(rec.get(c.key)) for c in data_cols},
            weight=f"{float(w):.1f}%" if w_ok else "",
            effect=fmt_ci(est, lo, hi, digits) if ok else "Not estimable",
            est=float(est) if ok else None, lo=float(lo) if ok else None, hi=float(hi) if ok else None,
            w=float(w) if w_ok else None,
        )

    def pooled_rows(label: str, frame: Any, r: dict[str, Any], weight: float, kind: str) -> list[_Row]:
        rows = [_Row(
            kind, label=label, bold=True,
            cells={k: _sum(frame, k) for k in total_keys},
            weight=f"{weight:.1f}%" if weight is not None and math.isfinite(weight) else "",
            effect=fmt_ci(ma.back(r["estimate"]), ma.back(r["ci_lower"]), ma.back(r["ci_upper"]), digits),
            est=ma.back(r["estimate"]), lo=ma.back(r["ci_lower"]), hi=ma.back(r["ci_upper"]),
        )]
        return rows

    def events_row(frame: Any) -> list[_Row]:
        if not has_events:
            return []
        return [_Row("events", label="Total events", cells={k: _sum(frame, k) for k in event_keys})]

    studies = ma.studies
    summary = ma.row()
    rows: list[_Row] = []
    if ma.subgroups is not None and "subgroup" in studies.columns:
        for rec in ma.subgroups.to_dict(orient="records"):
            level = rec["subgroup"]
            part = studies[studies["subgroup"] == level]
            rows.append(_Row("header", label=str(level), bold=True))
            rows.extend(study_row(s) for s in part.to_dict(orient="records"))
            rows.extend(pooled_rows(f"Subtotal ({lvl})", part, rec, float(rec.get("weight_pct") or 0), "subtotal"))
            rows.extend(events_row(part))
            rows.append(_Row("text", label=_het_line(rec, fixed, i2), span=True))
            rows.append(_Row("text", label=_effect_line(rec), span=True))
            rows.append(_Row("blank"))
    else:
        rows.extend(study_row(s) for s in studies.to_dict(orient="records"))
        rows.append(_Row("blank"))
    weight_total = float(studies["weight_pct"].fillna(0).sum()) if "weight_pct" in studies else 100.0
    rows.extend(pooled_rows(f"Total ({lvl})", studies, summary, weight_total, "total"))
    pi_lo, pi_hi = ma.back(summary.get("pi_lower")), ma.back(summary.get("pi_upper"))
    if prediction and not fixed and pi_lo is not None and pi_hi is not None:
        rows.append(_Row("pi", label="Prediction interval", effect=f"[{fmt_num(pi_lo, digits)}, {fmt_num(pi_hi, digits)}]",
                         lo=pi_lo, hi=pi_hi))
    rows.extend(events_row(studies))
    rows.append(_Row("text", label=_het_line(summary, fixed, i2), span=True))
    rows.append(_Row("text", label=_effect_line(summary), span=True))
    if ma.subgroup_test:
        t = ma.subgroup_test
        if t.get("q") is not None:
            stat = "Chi²" if not (t.get("tau2_mode") == "common" and ma.hk) else "F"
            i2_text = f", I² = {float(t['i2']):.1f}%" if t.get("i2") is not None else ""
            rows.append(_Row("text", span=True, label=(
                f"Test for subgroup differences: {stat} = {fmt_num(t['q'], 2)}, df = {int(t['df'])} "
                f"({fmt_p_eq(t.get('pval'))}){i2_text}")))
    return rows


# ---------------------------------------------------------------------------
# axis limits
# ---------------------------------------------------------------------------


def _auto_limits(values: Sequence[float], log: bool, bounded: bool) -> tuple[tuple[float, float], list[float]]:
    """Symmetric limits around the null (on the log scale for ratios) covering ``values``, with ticks."""
    vals = [v for v in values if v is not None and math.isfinite(v) and (not log or v > 0)]
    if log:
        need = max([abs(math.log10(v)) for v in vals] + [math.log10(2) * 0.9])
        for lim, ticks in LOG_TICKS.items():
            if math.log10(lim) >= need * 1.0001:
                return (1 / lim, lim), list(ticks)
        return (1e-3, 1e3), list(LOG_TICKS[1000])
    need = max([abs(v) for v in vals] + [1e-9])
    if bounded:
        for lim in (0.25, 0.5, 1.0):
            if lim >= need:
                return (-lim, lim), [-lim, -lim / 2, 0.0, lim / 2, lim]
        return (-1.0, 1.0), [-1.0, -0.5, 0.0, 0.5, 1.0]
    exp = math.floor(math.log10(need))
    for base in (1, 2, 4, 10):
        lim = base * 10**exp
        if lim >= need * 1.0001:
            break
    lim = float(f"{lim:.12g}")
    half = lim / 2
    return (-lim, lim), [-lim, -half, 0.0, half, lim]


def _tick_label(x: float) -> str:
    return f"{x:g}"


# ---------------------------------------------------------------------------
# forest plot
# ---------------------------------------------------------------------------


def forest_plot(
    ma: Any,
    path: str | Path | Sequence[str | Path] | None = None,
    *,
    xlim: tuple[float, float] | None = None,
    ticks: Sequence[float] | None = None,
    favours: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    title: str | None = None,
    prediction: bool = True,
    fontsize: float = 8.0,
    plot_width: float = 2.4,
    digits: int = 2,
    dpi: int = 200,
    i2: str = "metafor",
):
    """Draw a RevMan-style forest plot of a :class:`review.pool.api.MetaAnalysis`.

    Parameters
    ----------
    ma : MetaAnalysis
    path : path or list of paths, optional
        Where to save (``.svg``, ``.png``, ``.pdf``); the figure is returned either way.
    xlim, ticks : optional
        Axis limits and ticks on the reporting scale (ratios: e.g. ``(0.1, 10)``).
        By default limits are symmetric around the null and cover the pooled
        intervals, the prediction interval and every study's point estimate;
        whiskers beyond them end in arrows.
    favours : (left, right), optional
        Texts under the axis, left and right of the null line ("Favours " is
        added unless present). Default: ``ma.favours``, else the group names.
    groups : (experimental, control), optional
        Column-group headers. Default: ``ma.groups``, else "Experimental", "Control".
    title : str, optional
        A bold line above the table (default: ``ma.outcome``).
    prediction : bool
        Show the prediction interval row (random-effects models with k >= 2).
    fontsize, plot_width, digits, dpi
        Text size (pt), width of the plot panel (inches), decimals of the
        effect text, PNG resolution.
    i2 : {"metafor", "q"}
        The I² in the heterogeneity lines: metafor's ``tau2 / (tau2 + s2)``
        (default, the number in the JSON), or ``(Q - df) / Q`` as RevMan prints.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon, Rectangle
    from matplotlib.ticker import FixedLocator, NullLocator

    groups = tuple(groups or ma.groups or ("Experimental", "Control"))
    fav = favours or ma.favours
    if not fav and ma.measure not in ("ZCOR", "GEN"):
        fav = groups if ma.groups else ("experimental", "control")
    fav = [f if f.lower().startswith("favours") else f"Favours {f}" for f in fav or ("", "")]
    fav = [f if f != "Favours " else "" for f in fav]
    title = title if title is not None else ma.outcome
    measure = _Measure(fontsize)
    data_cols = _data_columns(ma)
    if i2 not in ("metafor", "q"):
        raise InputError(f"i2 must be 'metafor' or 'q', not '{i2}'")
    rows = _build_rows(ma, data_cols, prediction, digits, i2)

    pad = fontsize * 1.1                     # space between columns, points
    row_h = fontsize * 1.75                  # height of a row, points
    margin = fontsize * 1.0

    # ---- column widths -----------------------------------------------------
    label_w = max(measure(r.label, r.bold) for r in rows if not r.span)
    label_w = max(label_w, measure("Study or Subgroup", True)) + pad
    for c in data_cols:
        c.width = max([measure(c.header, True)] + [measure(r.cells.get(c.key, ""), r.bold) for r in rows]) + pad
    for g, name in enumerate(groups[:2]):
        members = [c for c in data_cols if c.group == g]
        if members:
            need = measure(name, True) + pad
            have = sum(c.width for c in members)
            if need > have:
                members[-1].width += need - have
    weight_w = max([measure("Weight", True)] + [measure(r.weight, r.bold) for r in rows]) + pad
    left_w = label_w + sum(c.width for c in data_cols) + weight_w
    span_w = max([measure(r.label) for r in rows if r.span] + [0.0]) + pad
    if title:
        span_w = max(span_w, measure(title, True) + pad)
    if span_w > left_w:
        label_w += span_w - left_w
        left_w = span_w
    effect_title = ma.effect_label
    model_title = ma.model_label
    right_w = max([measure(effect_title, True), measure(model_title, True)]
                  + [measure(r.effect, r.bold) for r in rows]) + pad

    # ---- plot panel and axis -----------------------------------------------
    log = ma.log_scale
    null = ma.null_value
    if xlim is None:
        values = []
        for r in rows:
            if r.kind == "study" and r.est is not None:
                # a square needs room: keep it clear of the axis ends
                if log and r.est > 0:
                    values.append(math.exp((math.log(r.est) - math.log(null)) * 1.25) * null)
                else:
                    values.append(null + (r.est - null) * 1.1)
            elif r.kind in ("subtotal", "total", "pi"):
                values += [v for v in (r.est, r.lo, r.hi) if v is not None]
        bounded = ma.measure == "ZCOR"
        (x_min, x_max), auto_ticks = _auto_limits(values, log, bounded)
        # Widen the axis to show the studies' whole CIs, but not so far (past the square of
        # the ratio limit, or four times the difference limit) that one small study with a huge
        # interval squeezes every other row: those few keep their arrows.
        if log:
            reach = [v for r in rows if r.kind == "study" for v in (r.lo, r.hi)
                     if v is not None and v > 0 and abs(math.log(v / null)) <= 2 * math.log(x_max)]
        else:
            reach = [v for r in rows if r.kind == "study" for v in (r.lo, r.hi)
                     if v is not None and math.isfinite(v) and abs(v - null) <= 4 * x_max]
        if reach:
            (x_min, x_max), auto_ticks = _auto_limits(values + reach, log, bounded)
        ticks = list(ticks) if ticks is not None else auto_ticks
    else:
        x_min, x_max = float(xlim[0]), float(xlim[1])
        if log and (x_min <= 0 or x_max <= 0):
            raise InputError("xlim of a ratio forest plot must be above 0")
        if ticks is None:
            ticks = [t for t in (LOG_TICKS[1000] if log else _auto_limits([x_min, x_max], False, False)[1])
                     if x_min <= t <= x_max]
    frac_null = ((math.log(null) - math.log(x_min)) / (math.log(x_max) - math.log(x_min)) if log
                 else (null - x_min) / (x_max - x_min))
    frac_null = min(max(frac_null, 0.05), 0.95)
    fav_w = [measure(f) + fontsize for f in fav]
    panel_w = max(plot_width * 72, fav_w[0] / frac_null if fav_w else 0, fav_w[1] / (1 - frac_null) if fav_w else 0,
                  measure(effect_title, True) + pad, measure(model_title, True) + pad)
    tick_w = max(measure(_tick_label(t)) for t in ticks) if ticks else 0
    panel_w = max(panel_w, (tick_w + fontsize) * len(ticks))

    width = margin + left_w + pad + panel_w + pad + right_w + margin

    # ---- vertical layout ---------------------------------------------------
    head_rows = 2 + (1 if title else 0)
    plot_rows = [i for i, r in enumerate(rows) if r.kind in ("study", "subtotal", "total", "pi")]
    first_plot = 0
    last_plot = max(plot_rows) if plot_rows else len(rows) - 1
    footer = len(rows) - last_plot - 1
    axis_rows = 3.2                          # ticks, tick labels, favours labels
    body = len(rows)
    height = margin + (head_rows + body) * row_h + max(0.0, axis_rows - footer) * row_h + margin

    fig = _new_figure(width / 72, height / 72)

    def fx(x: float) -> float:
        return x / width

    def fy_row(i: float) -> float:
        """Figure y of the centre of body row i (header rows come first)."""
        return (height - margin - (head_rows + i + 0.5) * row_h) / height

    text_kw = dict(fontsize=fontsize, family=FONT, va="center")

    def put(x: float, y: float, s: str, ha: str = "left", bold: bool = False, **kw: Any) -> None:
        if s:
            fig.text(fx(x), y, _tex(s), ha=ha, fontweight="bold" if bold else "normal", **text_kw, **kw)

    # ---- x positions ---------------------------------------------------------
    x = margin
    label_x = x
    x += label_w
    for c in data_cols:
        c.x = x
        x += c.width
    weight_x = x
    x += weight_w
    panel_x = x + pad
    right_x = panel_x + panel_w + pad

    # ---- header --------------------------------------------------------------
    def fy_head(j: int) -> float:
        return (height - margin - (j + 0.5) * row_h) / height

    h0 = 1 if title else 0
    if title:
        put(label_x, fy_head(0), title, bold=True)
    for g, name in enumerate(groups[:2]):
        members = [c for c in data_cols if c.group == g]
        if members:
            centre = (members[0].x + members[-1].x + members[-1].width + pad * 0.5) / 2
            put(centre, fy_head(h0), name, ha="center", bold=True)
    put(label_x, fy_head(h0 + 1), "Study or Subgroup", bold=True)
    for c in data_cols:
        put(c.x + c.width - pad * 0.25, fy_head(h0 + 1), c.header, ha="right", bold=True)
    put(weight_x + weight_w - pad * 0.25, fy_head(h0 + 1), "Weight", ha="right", bold=True)
    put(panel_x + panel_w / 2, fy_head(h0), effect_title, ha="center", bold=True)
    put(panel_x + panel_w / 2, fy_head(h0 + 1), model_title, ha="center", bold=True)
    put(right_x, fy_head(h0), effect_title, bold=True)
    put(right_x, fy_head(h0 + 1), model_title, bold=True)
    for y_line in ((height - margin - h0 * row_h) / height, (height - margin - (h0 + 2) * row_h) / height):
        fig.add_artist(Line2D([fx(margin), fx(width - margin)], [y_line, y_line], color="black",
                              linewidth=0.6, transform=fig.transFigure))

    # ---- body text -------------------------------------------------------------
    for i, r in enumerate(rows):
        y = fy_row(i)
        if r.kind == "blank":
            continue
        put(label_x, y, r.label, bold=r.bold)
        if r.span:
            continue
        for c in data_cols:
            put(c.x + c.width - pad * 0.25, y, r.cells.get(c.key, ""), ha="right", bold=r.bold)
        put(weight_x + weight_w - pad * 0.25, y, r.weight, ha="right", bold=r.bold)
        put(right_x, y, r.effect, bold=r.bold)

    # ---- plot panel --------------------------------------------------------------
    top = fy_row(first_plot - 0.5)
    bottom = fy_row(last_plot + 0.5)
    ax = fig.add_axes((fx(panel_x), bottom, fx(panel_w), top - bottom))
    if log:
        ax.set_xscale("log")
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(last_plot + 1, first_plot)
    ax.set_yticks([])
    for side in ("top", "left", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_linewidth(0.8)
    ax.xaxis.set_major_locator(FixedLocator(list(ticks)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([_tick_label(t) for t in ticks], fontsize=fontsize, family=FONT)
    ax.tick_params(axis="x", length=3, width=0.8, pad=2)
    ax.patch.set_alpha(0)
    ax.axvline(null, color="black", linewidth=0.8, zorder=1)

    color = MH_COLOR if ma.method in ("MH", "PETO") else IV_COLOR
    weights = [r.w for r in rows if r.kind == "study" and r.w]
    w_max = max(weights) if weights else 1.0
    side_max = row_h * 0.62

    def inside(v: float) -> bool:
        return x_min <= v <= x_max

    for i, r in enumerate(rows):
        yc = i + 0.5
        if r.kind == "study" and r.est is not None:
            lo, hi = max(r.lo, x_min), min(r.hi, x_max)
            if lo < hi:
                ax.plot([lo, hi], [yc, yc], color="black", linewidth=0.8, zorder=3, solid_capstyle="butt")
            for clipped, edge, back in ((r.lo < x_min, x_min, 6), (r.hi > x_max, x_max, -6)):
                if clipped:
                    ax.annotate("", xy=(edge, yc), xytext=(back, 0), textcoords="offset points",
                                arrowprops=dict(arrowstyle="-|>,head_length=0.45,head_width=0.22",
                                                color="black", linewidth=0.8, shrinkA=0, shrinkB=0),
                                annotation_clip=False, zorder=4)
            if inside(r.est):
                side = max(3.0, side_max * math.sqrt((r.w or 0) / w_max)) if r.w else 3.0
                ax.plot([r.est], [yc], marker="s", markersize=side, markerfacecolor=color,
                        markeredgecolor=color, linestyle="none", zorder=5)
        elif r.kind in ("subtotal", "total") and r.est is not None and r.lo is not None:
            h = 0.34
            ax.add_patch(Polygon([(r.lo, yc), (r.est, yc - h), (r.hi, yc), (r.est, yc + h)],
                                 closed=True, facecolor="black", edgecolor="black", linewidth=0.6, zorder=5))
        elif r.kind == "pi" and r.lo is not None:
            ax.add_patch(Rectangle((r.lo, yc - 0.16), r.hi - r.lo, 0.32, facecolor="#bdbdbd",
                                   edgecolor="black", linewidth=0.6, zorder=5))

    # ---- favours labels --------------------------------------------------------
    null_x = panel_x + frac_null * panel_w
    y_fav = bottom - (3 + 2 + fontsize * 1.35 + fontsize * 0.4) / height
    for text, dx, ha in ((fav[0], -0.5, "right"), (fav[1], 0.5, "left")):
        if text:
            fig.text(fx(null_x + fontsize * dx), y_fav, _tex(text), ha=ha, va="top", fontsize=fontsize,
                     family=FONT)

    if path is not None:
        for p in ([path] if isinstance(path, (str, Path)) else list(path)):
            save_figure(fig, p, dpi=dpi)
    return fig


# ---------------------------------------------------------------------------
# funnel plot
# ---------------------------------------------------------------------------


def funnel_plot(
    ma: Any,
    path: str | Path | Sequence[str | Path] | None = None,
    *,
    trimfill: bool | Any = True,
    title: str | None = None,
    fontsize: float = 9.0,
    size: tuple[float, float] = (5.6, 5.0),
    dpi: int = 200,
):
    """Funnel plot: study effects against their standard errors (SE axis inverted).

    Pseudo 95% confidence limits (estimate +/- 1.96 SE) form the funnel around
    the pooled estimate. With ``trimfill`` (True: run
    :func:`review.pool.bias.trimfill` with the analysis' method; or a
    ``TrimfillResult``), the filled studies are drawn as open circles and the
    adjusted estimate as a dashed line. Ratio measures use a log axis labelled
    on the ratio scale.
    """
    import numpy as np
    from matplotlib.ticker import FixedLocator, NullLocator

    s = ma.studies
    yi = s["yi"].to_numpy(float)
    vi = s["vi"].to_numpy(float)
    ok = np.isfinite(yi) & np.isfinite(vi)
    yi, se = yi[ok], np.sqrt(vi[ok])
    est = float(ma.row()["estimate"])
    tf = None
    if trimfill is True:
        if ok.sum() >= 3:
            try:
                tf = ma.trimfill()
            except Exception:  # a funnel plot without trim-and-fill is still useful
                tf = None
    elif trimfill is not False and trimfill is not None:
        tf = trimfill
    filled_y = filled_se = np.array([])
    if tf is not None and int(getattr(tf, "k0", 0)) > 0:
        filled_y = np.asarray(tf.filled_yi, float)
        filled_se = np.sqrt(np.asarray(tf.filled_vi, float))

    fig = _new_figure(*size)
    has_title = bool(title or ma.outcome)
    ax = fig.add_axes((0.13, 0.21, 0.82, 0.70 if has_title else 0.75))
    t = ma.transform if ma.log_scale else None

    def tx(v):
        v = np.asarray(v, float)
        return np.exp(v) if t is not None else v

    se_max = float(max(np.max(se) if se.size else 0.0, np.max(filled_se) if filled_se.size else 0.0)) * 1.08 or 1.0
    grid = np.linspace(0, se_max, 50)
    z = 1.959963984540054
    ax.fill_betweenx(grid, tx(est - z * grid), tx(est + z * grid), color="#f0f0f0", zorder=0)
    ax.plot(tx(est - z * grid), grid, color="#555555", linestyle="--", linewidth=0.8, zorder=1,
            label="Pseudo 95% limits")
    ax.plot(tx(est + z * grid), grid, color="#555555", linestyle="--", linewidth=0.8, zorder=1)
    ax.plot([tx(est), tx(est)], [0, se_max], color="black", linewidth=0.9, zorder=2, label="Pooled estimate")
    ax.scatter(tx(yi), se, s=22, color=IV_COLOR, edgecolors="black", linewidths=0.5, zorder=4, label="Studies")
    if filled_y.size:
        ax.scatter(tx(filled_y), filled_se, s=22, facecolors="white", edgecolors="black", linewidths=0.8,
                   zorder=4, label=f"Filled by trim-and-fill ({filled_y.size})")
        adj = float(tf.fit.beta[0]) if hasattr(tf.fit, "beta") else float(tf.fit.estimate)
        ax.plot([tx(adj), tx(adj)], [0, se_max], color="black", linestyle=":", linewidth=0.9, zorder=2,
                label="Adjusted estimate")
    ax.set_ylim(se_max, 0)
    if ma.log_scale:
        ax.set_xscale("log")
        lo = float(np.min(np.concatenate([yi, filled_y, [est - z * se_max]])))
        hi = float(np.max(np.concatenate([yi, filled_y, [est + z * se_max]])))
        ticks = [v for v in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
                 if math.exp(lo) * 0.8 <= v <= math.exp(hi) * 1.25]
        if len(ticks) >= 2:
            ax.xaxis.set_major_locator(FixedLocator(ticks))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.set_xticklabels([_tick_label(v) for v in ticks])
    ax.tick_params(labelsize=fontsize)
    ax.set_xlabel(ma.effect_label + (" (log scale)" if ma.log_scale else ""), fontsize=fontsize, family=FONT)
    ax.set_ylabel("Standard error", fontsize=fontsize, family=FONT)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=fontsize - 1, frameon=False, loc="lower center",
               bbox_to_anchor=(0.54, 0.0), ncol=3, columnspacing=1.2, handletextpad=0.5)
    if has_title:
        fig.text(0.13, 0.97, _tex(title or ma.outcome), fontsize=fontsize + 1, fontweight="bold",
                 family=FONT, va="top")
    if path is not None:
        for p in ([path] if isinstance(path, (str, Path)) else list(path)):
            save_figure(fig, p, dpi=dpi)
    return fig
