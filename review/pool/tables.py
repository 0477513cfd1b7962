"""The pooled results table, as a published meta-analysis prints it.

One row per outcome: outcome, number of studies, participants, pooled effect with
its 95% CI, p-value, I-squared, tau-squared and the prediction interval. The
numbers are kept unrounded in :func:`results_frame`; this module (with the
number formatters the forest plot shares) is the only place where they are
rounded, in :func:`format_results`. Writers give CSV, Markdown and HTML with the
same columns.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

COLUMNS = ("Outcome", "Studies", "Participants", "Effect (95% CI)", "P", "I²", "Tau²",
           "95% prediction interval")


# ---------------------------------------------------------------------------
# number formatting (shared with review.pool.plots)
# ---------------------------------------------------------------------------


def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def fmt_num(x: Any, digits: int = 2) -> str:
    """A number with a fixed count of decimals ('-0.00' shown as '0.00'); empty for a missing value."""
    if not _finite(x):
        return ""
    s = f"{float(x):.{digits}f}"
    if float(s) == 0:
        s = s.lstrip("-")
    return s


def fmt_p(p: Any) -> str:
    """A p-value as RevMan prints it: '< 0.00001', '0.0003', '0.004', '0.39'."""
    if not _finite(p):
        return ""
    p = float(p)
    if p < 0.00001:
        return "< 0.00001"
    if p < 0.0001:
        return f"{p:.5f}"
    if p < 0.001:
        return f"{p:.4f}"
    if p < 0.01:
        return f"{p:.3f}"
    return f"{p:.2f}"


def fmt_p_eq(p: Any) -> str:
    """'P = 0.39' or 'P < 0.00001'."""
    s = fmt_p(p)
    if not s:
        return "P = NA"
    return f"P {s}" if s.startswith("<") else f"P = {s}"


def fmt_tau2(x: Any) -> str:
    """tau2 with two decimals, or two significant digits when it is below 0.01."""
    if not _finite(x):
        return ""
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) < 0.0001:
        return "< 0.0001"
    if abs(x) < 0.01:
        return f"{x:.2g}"
    return f"{x:.2f}"


def fmt_i2(x: Any) -> str:
    """I-squared as a whole percentage."""
    return f"{float(x):.0f}%" if _finite(x) else ""


def fmt_ci(est: Any, lo: Any, hi: Any, digits: int = 2, style: str = "brackets") -> str:
    """'0.41 [0.13, 1.26]' (forest plot, RevMan) or '0.41 (0.13 to 1.26)' (tables)."""
    if not _finite(est):
        return "Not estimable"
    e, a, b = fmt_num(est, digits), fmt_num(lo, digits), fmt_num(hi, digits)
    if style == "brackets":
        return f"{e} [{a}, {b}]"
    return f"{e} ({a} to {b})"


def fmt_count(x: Any) -> str:
    """A count as an integer; other numbers with up to four significant digits."""
    if not _finite(x):
        return ""
    x = float(x)
    if x == int(x):
        return str(int(x))
    return fmt_sig(x)


def fmt_sig(x: Any, sig: int = 4) -> str:
    """A number with up to ``sig`` significant digits, never in scientific notation."""
    import numpy as np

    if not _finite(x):
        return ""
    return np.format_float_positional(float(x), precision=sig, unique=True, fractional=False, trim="-")


# ---------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------


def _label(ma: Any) -> str:
    from review.pool.api import SHORT

    if ma.measure == "GEN":
        return "Ratio" if ma.ratio else "Estimate"
    return SHORT.get(ma.measure, ma.measure)


def results_frame(analyses: Sequence[Any], outcomes: Sequence[str] | None = None):
    """Unrounded results, one row per analysis, effects on the reporting scale.

    Columns: outcome, measure, method, hk, k, n, estimate, ci_lower, ci_upper,
    pval, i2, tau2, pi_lower, pi_upper (back-transformed for ratio measures and
    ZCOR), and the model-scale ``estimate_model``.
    """
    import pandas as pd

    rows = []
    for i, ma in enumerate(analyses):
        r = ma.row()
        name = (outcomes[i] if outcomes else None) or ma.outcome or f"Analysis {i + 1}"
        rows.append({
            "outcome": name,
            "measure": ma.measure,
            "label": _label(ma),
            "method": ma.method,
            "hk": bool(ma.hk),
            "k": int(r["k"]),
            "n": r.get("n"),
            "estimate": ma.back(r["estimate"]),
            "ci_lower": ma.back(r["ci_lower"]),
            "ci_upper": ma.back(r["ci_upper"]),
            "pval": r["pval"],
            "i2": r.get("i2"),
            "tau2": r.get("tau2"),
            "pi_lower": ma.back(r.get("pi_lower")),
            "pi_upper": ma.back(r.get("pi_upper")),
            "estimate_model": r["estimate"],
        })
    return pd.DataFrame(rows)


def format_results(frame: Any, digits: int = 2):
    """The publication table (strings) from :func:`results_frame`: rounding happens here only."""
    import pandas as pd

    out = []
    for r in frame.to_dict(orient="records"):
        pi = ""
        if _finite(r.get("pi_lower")) and _finite(r.get("pi_upper")):
            pi = f"{fmt_num(r['pi_lower'], digits)} to {fmt_num(r['pi_upper'], digits)}"
        out.append({
            "Outcome": r["outcome"],
            "Studies": str(int(r["k"])),
            "Participants": fmt_count(r.get("n")) if _finite(r.get("n")) else "",
            "Effect (95% CI)": f"{r['label']} " + fmt_ci(r["estimate"], r["ci_lower"], r["ci_upper"],
                                                         digits, style="words"),
            "P": fmt_p(r["pval"]),
            "I²": fmt_i2(r.get("i2")),
            "Tau²": fmt_tau2(r.get("tau2")),
            "95% prediction interval": pi or "NA",
        })
    return pd.DataFrame(out, columns=list(COLUMNS))


def to_csv(table: Any) -> str:
    """CSV text of a formatted table (UTF-8, ``\\n`` line ends)."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(list(table.columns))
    for row in table.itertuples(index=False, name=None):
        w.writerow(row)
    return buf.getvalue()


def to_markdown(table: Any) -> str:
    """A GitHub-flavoured Markdown pipe table; numeric columns right-aligned."""
    def cell(x: Any) -> str:
        return str(x).replace("|", "\\|")

    cols = list(table.columns)
    align = ["---" if c == "Outcome" else "---:" for c in cols]
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join(align) + " |"]
    for row in table.itertuples(index=False, name=None):
        lines.append("| " + " | ".join(cell(x) for x in row) + " |")
    return "\n".join(lines) + "\n"


def to_html(table: Any, caption: str | None = None) -> str:
    """A standalone HTML page with the table (escaped; no scripts, no external files)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = []
    for row in table.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="{"text" if i == 0 else "num"}">{html.escape(str(x))}</td>'
            for i, x in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    style = (
        "body{font-family:Arial,Helvetica,sans-serif;font-size:14px}"
        "table{border-collapse:collapse}caption{text-align:left;font-weight:bold;padding:4px 0}"
        "th,td{padding:3px 10px;border-bottom:1px solid #ccc}"
        "thead th{border-top:2px solid #000;border-bottom:1px solid #000;text-align:right}"
        "thead th:first-child{text-align:left}tbody tr:last-child td{border-bottom:2px solid #000}"
        "td.num{text-align:right;white-space:nowrap}td.text{text-align:left}"
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Pooled results</title>"
        f"<style>{style}</style></head><body>\n<table class=\"pooled\">{cap}\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody></table>\n"
        "</body></html>\n"
    )


def write_tables(analyses: Sequence[Any], out_dir: str | Path, stem: str = "pooled",
                 digits: int = 2, names: Sequence[str] | None = None) -> dict[str, Path]:
    """Write ``<stem>.csv``, ``.md``, ``.html`` (formatted) and ``.json`` (unrounded) to ``out_dir``.

    Files are replaced atomically and left untouched when their content is the same.
    """
    import json

    from review.workspace import write_if_changed

    out_dir = Path(out_dir)
    table = format_results(results_frame(analyses), digits=digits)
    paths = {ext: out_dir / f"{stem}.{ext}" for ext in ("csv", "md", "html", "json")}
    write_if_changed(paths["csv"], to_csv(table))
    write_if_changed(paths["md"], to_markdown(table))
    write_if_changed(paths["html"], to_html(table, caption="Pooled results"))
    blob = {
        "analyses": [
            {"name": names[i] if names else None, "outcome": ma.outcome, "measure": ma.measure,
             "method": ma.method, "hk": bool(ma.hk), **ma.to_json()}
            for i, ma in enumerate(analyses)
        ]
    }
    write_if_changed(paths["json"], json.dumps(blob, indent=2) + "\n")
    return paths
