"""output/report.html: the review's results in one self-contained page.

Built from the files the stages wrote (protocol.yaml, output/records.jsonl,
the screening decision files, the extraction logs, output/prisma.svg, the
risk-of-bias, forest and funnel SVGs, output/pooled.html). Figures are inlined
as SVG with their ids renumbered per figure, so several figures never clash and
random ids from a plotting library never change the page. No timestamps, no
network: the same inputs give the same bytes.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

REPORT_FILE = Path("output") / "report.html"

CSS = """
body{font-family:"Helvetica Neue",Arial,sans-serif;font-size:14px;line-height:1.45;color:#111;max-width:60em;margin:2em auto;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #999;margin-top:2em}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em}
caption{text-align:left;font-weight:bold;padding:4px 0}
th,td{padding:3px 8px;border-bottom:1px solid #ccc;vertical-align:top;text-align:left}
thead th{border-top:2px solid #000;border-bottom:1px solid #000}
tbody tr:last-child td{border-bottom:2px solid #000}
td.num{text-align:right;white-space:nowrap}
td.query{font-family:Menlo,Consolas,monospace;font-size:.85em;max-width:32em;word-break:break-word}
figure{margin:1em 0;page-break-inside:avoid;break-inside:avoid}
figure svg{max-width:100%;height:auto}
figcaption{font-size:.9em;color:#333}
dl.summary dt{font-weight:bold;float:left;clear:left;width:9em}dl.summary dd{margin-left:10em}
footer{margin-top:3em;font-size:.85em;color:#444;border-top:1px solid #999;padding-top:.5em}
code{font-family:Menlo,Consolas,monospace}
@media print{body{max-width:none;margin:0;font-size:11px}h2{page-break-after:avoid;break-after:avoid}
table,figure{page-break-inside:avoid;break-inside:avoid}section.figures{page-break-before:auto}a{color:inherit;text-decoration:none}}
""".strip()

_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(text: str, prefix: str) -> str:
    """An SVG file's text as an inline <svg> element with ids renumbered `prefix-N`.

    Drops the XML declaration, DOCTYPE and <metadata> (which hold only
    links to schemas and, from some writers, a date).
    """
    text = re.sub(r"<\?xml[^>]*\?>", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text, flags=re.S)
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    # Every id occurrence gets its own new id (some writers repeat an id);
    # a reference goes to the first element with that id, as in a browser.
    ids: dict[str, str] = {}
    seq = 0

    def rename(m: re.Match) -> str:
        nonlocal seq
        seq += 1
        new = f"{prefix}-{seq}"
        ids.setdefault(m.group(1), new)
        return f'id="{new}"'

    def ref(m: re.Match) -> str:
        new = ids.get(m.group(2))
        return m.group(0) if new is None else f"{m.group(1)}#{new}{m.group(3)}"

    text = _ID.sub(rename, text)
    text = re.sub(r'(url\()#([^)]+)(\))', ref, text)
    text = re.sub(r'((?:xlink:)?href=")#([^"]+)(")', ref, text)
    return text.strip()


def _e(x) -> str:
    return html.escape("" if x is None else str(x))


def _table(headers: list[str], rows: list[list], caption: str = "", num: set[int] = frozenset(),
           cls: dict[int, str] | None = None) -> str:
    out = ["<table>"]
    if caption:
        out.append(f"<caption>{_e(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in headers) + "</tr></thead><tbody>")
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            c = "num" if i in num else (cls or {}).get(i, "")
            cells.append(f'<td class="{c}">{_e(v)}</td>' if c else f"<td>{_e(v)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _figure(root: Path, rel: str, caption: str, prefix: str) -> str:
    path = root / rel
    if not path.is_file():
        return f'<p class="missing">Figure not available: {_e(rel)} (run <code>review run</code>).</p>'
    svg = inline_svg(path.read_text(encoding="utf-8"), prefix)
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


def _search_counts(root: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    lib = root / "output" / "records.jsonl"
    if lib.is_file():
        for line in lib.read_text(encoding="utf-8").splitlines():
            if line.strip():
                name = (json.loads(line).get("source") or {}).get("search", "")
                counts[name] = counts.get(name, 0) + 1
    return counts


def section_protocol(protocol) -> str:
    q = "".join(f"<dt>{_e(k.capitalize())}</dt><dd>{_e(v)}</dd>" for k, v in protocol.question.items())
    analyses = ", ".join(f"{a.name} ({a.measure})" for a in protocol.analyses) or "none"
    more = (f"<dt>Reviewers</dt><dd>{_e(', '.join(protocol.reviewers))}</dd>"
            f"<dt>Analyses</dt><dd>{_e(analyses)}</dd>")
    return f'<section id="question"><h2>Question and protocol</h2><dl class="summary">{q}{more}</dl></section>'


def section_searches(root: Path, protocol) -> str:
    counts = _search_counts(root)
    rows = [[s.database, s.date, s.query, counts.get(s.name, 0)] for s in protocol.searches]
    rows += [[o.method, o.date, o.notes or o.name, counts.get(o.name, 0)] for o in protocol.other_sources]
    table = _table(["Database", "Date", "Query", "Records"], rows, num={3}, cls={2: "query"})
    return f'<section id="searches"><h2>Searches</h2>{table}</section>'


def section_prisma(root: Path) -> str:
    fig = _figure(root, "output/prisma.svg", "PRISMA 2020 flow diagram.", "prisma")
    return f'<section id="prisma"><h2>Study selection (PRISMA 2020)</h2>{fig}</section>'


def section_screening(root: Path) -> str:
    from review.screening.manage import screening_status

    info = screening_status(root)
    rows = []
    for stage, st in info.get("stages", {}).items():
        ag = st.get("agreement") or {}
        kappa = ag.get("kappa")
        ci = (f"{ag['ci_low']:.2f} to {ag['ci_high']:.2f}" if ag.get("ci_low") is not None else "")
        rows.append([stage, " and ".join(ag.get("reviewers", [])), ag.get("n", ""),
                     f"{ag['percent']:.1f}" if ag.get("percent") is not None else "",
                     f"{kappa:.2f}" if kappa is not None else "", ci,
                     st.get("conflicts_resolved", 0), st.get("conflicts_open", 0)])
    table = _table(["Stage", "Reviewers", "Records", "Agreement %", "Cohen's kappa", "95% CI",
                    "Conflicts resolved", "Conflicts open"], rows, num={2, 3, 4, 5, 6, 7})
    return f'<section id="screening"><h2>Screening agreement</h2>{table}</section>'


def section_characteristics(root: Path, protocol) -> str:
    from review.extraction import log as xlog
    from review.extraction import risk_of_bias as rob
    from review.extraction.form import parse_form
    from review.extraction.reconcile import final_values, read_resolved
    from review.extraction.studies import read_studies

    if not protocol.extraction:
        return '<section id="characteristics"><h2>Characteristics of included studies</h2><p>No extraction form.</p></section>'
    form = parse_form(protocol.extraction)
    studies = read_studies(root)
    logs = {}
    for name in xlog.reviewers(root):
        read = xlog.read_log(xlog.log_path(root, name), display=name, known_studies=studies,
                             known_fields=form.by_key)
        logs[name] = read.values()
    values, _ = final_values(form, logs, read_resolved(root, studies, form.by_key).values())
    skip = {getattr(f, "key", f) for f in (rob.rob_fields(form.risk_of_bias) if form.risk_of_bias else [])}
    # Study-level fields only: not outcome parts, risk-of-bias items or the extraction date (bookkeeping).
    fields = [f for f in form.fields if not f.outcome and f.key not in skip and f.type != "date"]
    rows = [[label] + [values.get(sid, {}).get(f.key, "") for f in fields] for sid, label in studies.items()]
    table = _table(["Study"] + [f.label + (f" ({f.unit})" if f.unit else "") for f in fields], rows)
    return f'<section id="characteristics"><h2>Characteristics of included studies</h2>{table}</section>'


def section_rob(root: Path) -> str:
    figs = (_figure(root, "output/extraction/rob_traffic_light.svg", "Risk of bias per study and domain.", "robtl")
            + _figure(root, "output/extraction/rob_summary.svg", "Risk of bias summary across studies.", "robsum"))
    return f'<section id="risk-of-bias"><h2>Risk of bias</h2>{figs}</section>'


def section_pooled(root: Path, protocol) -> str:
    path = root / "output" / "pooled.html"
    m = re.search(r"<table.*?</table>", path.read_text(encoding="utf-8"), flags=re.S) if path.is_file() else None
    table = m.group(0) if m else "<p>No pooled results (run <code>review run</code>).</p>"
    figs = []
    for a in protocol.analyses:
        figs.append(f"<h3>{_e(a.outcome or a.name)}</h3>")
        figs.append(_figure(root, f"output/forest_{a.name}.svg", f"Forest plot: {a.outcome or a.name}.", f"forest-{a.name}"))
        if (root / f"output/funnel_{a.name}.svg").is_file():
            figs.append(_figure(root, f"output/funnel_{a.name}.svg", f"Funnel plot: {a.outcome or a.name}.", f"funnel-{a.name}"))
    return (f'<section id="pooled"><h2>Pooled results</h2>{table}</section>'
            f'<section id="plots" class="figures"><h2>Forest and funnel plots</h2>{"".join(figs)}</section>')


def build_report(root: Path, command: str = "review run") -> str:
    """The report's HTML text for the review at `root` (reads only; writes nothing)."""
    from review import __version__
    from review.protocol import load_protocol

    root = Path(root)
    protocol = load_protocol(root)
    body = [
        f"<h1>{_e(protocol.title)}</h1>",
        section_protocol(protocol),
        section_searches(root, protocol),
        section_prisma(root),
        section_screening(root),
        section_characteristics(root, protocol),
        section_rob(root),
        section_pooled(root, protocol),
        f'<footer id="software">Made by <code>review</code> {_e(__version__)} with the command '
        f"<code>{_e(command)}</code>.</footer>",
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(protocol.title)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def write_report(root: Path, command: str = "review run") -> Path:
    """Write output/report.html (only when its text changed); return its path."""
    from review.workspace import write_if_changed

    path = Path(root) / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_if_changed(path, build_report(root, command))
    return path
