"""`review extract [--reviewer NAME]` (the terminal form) and link|studies|template|load|compare|resolve|export.

Only typer and the standard library are imported here; the extraction core,
rich, scipy and matplotlib load inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from review.errors import CheckFailed, UsageError

extract_app = typer.Typer(name="extract", invoke_without_command=True, no_args_is_help=False)


def register(app: typer.Typer) -> None:
    app.add_typer(extract_app, name="extract")


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _context():
    """(root, protocol, form, studies) of the review in this folder."""
    from review.extraction.form import parse_form
    from review.extraction.studies import read_studies
    from review.protocol import load_protocol
    from review.workspace import find_root

    root = find_root()
    protocol = load_protocol(root)
    if not protocol.extraction:
        raise UsageError("protocol.yaml has no extraction: section; add the form first")
    return root, protocol, parse_form(protocol.extraction), read_studies(root)


def _logs(root, form, studies, names=None, console=None):
    """{reviewer: {study: {field: text}}}; warnings and problems go to stderr."""
    from review.extraction import log as xlog

    out = {}
    for name in names or xlog.reviewers(root):
        read = xlog.read_log(xlog.log_path(root, name), display=str(xlog.EXTRACTION_DIR / f"{name}.csv"),
                             known_studies=studies, known_fields=form.by_key)
        for issue in read.warnings + read.problems:
            (console or _console(stderr=True)).print(f"warning: {issue}")
        out[name] = read.values()
    return out


@extract_app.callback()
def extract(
    ctx: typer.Context,
    reviewer: Annotated[Optional[str], typer.Option("--reviewer", "-r", help="Open the terminal form as this reviewer.")] = None,
    study: Annotated[Optional[str], typer.Option("--study", help="Start at this study (default: the first not complete).")] = None,
) -> None:
    """Extract data per study: `--reviewer NAME` opens the terminal form.

    \b
    Examples:
      review extract --reviewer ana --study okafor2021
      review extract link pmid:99310854 --study halvorsen2019
      review extract studies
      review extract template -o extraction.csv
      review extract load extraction.csv --reviewer ana
      review extract compare
      review extract resolve okafor2021 edss.IRL-positive.n 52 --by carla
      review extract export
    """
    if ctx.invoked_subcommand is not None:
        if reviewer or study:
            raise UsageError("--reviewer/--study before a subcommand: put them after it")
        return
    if reviewer is None:
        typer.echo(ctx.get_help())
        return
    _run_form(reviewer, study)


def _run_form(reviewer: str, study: str | None) -> None:
    import sys

    from review.extraction import log as xlog
    from review.extraction.tui import FormController, run_form, study_infos

    root, protocol, form, studies = _context()
    if protocol.reviewers and reviewer not in protocol.reviewers:
        raise UsageError(f"reviewer {reviewer!r} is not in protocol.yaml reviewers ({', '.join(protocol.reviewers)})")
    xlog.log_path(root, reviewer)  # checks the name
    if study is not None and study not in studies:
        raise UsageError(f"--study {study!r} is not in {xlog.EXTRACTION_DIR}/_studies.csv")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the form needs a terminal; use `review extract template` and `load` otherwise")
    values = _logs(root, form, studies, [reviewer])[reviewer]

    def save(sid: str, key: str, text: str) -> None:
        xlog.append_value(root, reviewer, sid, key, text)

    ctl = FormController(form, study_infos(root, studies), values, save, reviewer, start=study)
    run_form(ctl)
    for line in ctl.summary():
        _console().print(line, markup=False)


@extract_app.command("link")
def link_cmd(
    report: Annotated[str, typer.Argument(help="A report included at full text (its work id or any member record id).")],
    study: Annotated[str, typer.Option("--study", "-s", help="The study it belongs to (new or existing id).")],
    label: Annotated[Optional[str], typer.Option("--label", help="The study's label, e.g. 'Halvorsen 2019'.")] = None,
) -> None:
    """Group a report into a study; writes records/extraction/_studies.csv.

    \b
    Example:
      review extract link pmid:99153718 --study halvorsen2019
    """
    from review.extraction.studies import STUDIES_FILE, link
    from review.workspace import find_root

    row, wid = link(find_root(), report, study, label)
    _console().print(f"{wid} -> {row.id} ({row.label}): {len(row.reports)} report(s). Wrote {STUDIES_FILE}.")


@extract_app.command("studies")
def studies_cmd(
    write: Annotated[bool, typer.Option("--write", help="Also write the list (with defaults) to _studies.csv.")] = False,
) -> None:
    """List the studies and their reports (an unlinked included report is its own study).

    \b
    Example:
      review extract studies
    """
    from review.extraction.studies import STUDIES_FILE, all_studies, format_rows
    from review.workspace import atomic_write_text, find_root

    root = find_root()
    rows = all_studies(root)
    con = _console()
    for r in rows:
        con.print(f"{r.id:<22} {r.label:<26} {'; '.join(r.reports)}")
    n = sum(len(r.reports) for r in rows)
    con.print(f"{len(rows)} studies from {n} reports included at full text.")
    if write:
        atomic_write_text(root / STUDIES_FILE, format_rows(rows))
        con.print(f"Wrote {STUDIES_FILE}.")


@extract_app.command("template")
def template_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="The CSV to write.")],
    reviewer: Annotated[Optional[str], typer.Option("--reviewer", "-r", help="Fill in this reviewer's values so far.")] = None,
) -> None:
    """Write a spreadsheet: a row per study, a column per field, a second row of help.

    \b
    Example:
      review extract template -o extraction.csv
    """
    from review.extraction.spreadsheet import template
    from review.workspace import atomic_write_text

    root, _, form, studies = _context()
    values = _logs(root, form, studies, [reviewer])[reviewer] if reviewer else None
    atomic_write_text(output, template(form, studies, values))
    _console().print(f"Wrote {output}: {len(studies)} studies x {len(form.fields)} fields.")


@extract_app.command("load")
def load_cmd(
    sheet: Annotated[Path, typer.Argument(help="A filled template (CSV).")],
    reviewer: Annotated[str, typer.Option("--reviewer", "-r", help="Whose values these are.")],
) -> None:
    """Check every cell; if all are right, append the new values to records/extraction/<reviewer>.csv.

    \b
    Example:
      review extract load extraction.csv --reviewer ana
    """
    from review.errors import InputError
    from review.extraction import log as xlog
    from review.extraction.spreadsheet import load

    root, protocol, form, studies = _context()
    if protocol.reviewers and reviewer not in protocol.reviewers:
        raise UsageError(f"reviewer {reviewer!r} is not in protocol.yaml reviewers ({', '.join(protocol.reviewers)})")
    try:
        text = sheet.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", file=sheet) from None
    cells = load(text, form, studies, file=sheet)
    have = _logs(root, form, studies, [reviewer])[reviewer]
    now = xlog.now()
    new = [xlog.Entry(s, k, v, now) for s, k, v in cells if have.get(s, {}).get(k) != v]
    xlog.append_entries(xlog.log_path(root, reviewer), new)
    _console().print(f"Loaded {len(cells)} values for {reviewer}: {len(new)} new or changed, {len(cells) - len(new)} unchanged.")


@extract_app.command("compare")
def compare_cmd(
    reviewers: Annotated[Optional[str], typer.Option("--reviewers", help="Two names, comma separated (default: the two logs).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Also list differences already agreed.")] = False,
) -> None:
    """List every field where the two extractors differ (exit 1 while any is not agreed).

    \b
    Example:
      review extract compare
    """
    from review.extraction.reconcile import compare, read_resolved

    root, _, form, studies = _context()
    names = [n.strip() for n in reviewers.split(",")] if reviewers else None
    logs = _logs(root, form, studies, names)
    if len(logs) != 2:
        raise UsageError(f"compare needs two extractors' logs; found {', '.join(logs) or 'none'} (use --reviewers a,b)")
    diffs = compare(form, logs, read_resolved(root, studies, form.by_key).values())
    open_ = [d for d in diffs if d.resolved is None]
    con = _console()
    for d in diffs if all_ else open_:
        con.print(str(d))
    con.print(f"{len(diffs)} differences between {' and '.join(logs)}; {len(diffs) - len(open_)} agreed, {len(open_)} open.")
    if open_:
        raise CheckFailed(f"{len(open_)} differences not agreed yet; record each with `review extract resolve`")


@extract_app.command("resolve")
def resolve_cmd(
    study: Annotated[str, typer.Argument(help="Study id.")],
    field: Annotated[str, typer.Argument(help="Field key, e.g. edss.IRL-positive.n.")],
    value: Annotated[str, typer.Argument(help="The agreed value ('' for not given).")],
    by: Annotated[str, typer.Option("--by", help="Who agreed it.")],
) -> None:
    """Record the agreed value of one field in records/extraction/_resolved.csv.

    \b
    Example:
      review extract resolve okafor2021 n 120 --by carla
    """
    from review.extraction.reconcile import resolve

    root, _, form, studies = _context()
    text = resolve(root, form, study, field, value, by, studies=list(studies))
    _console().print(f"Agreed {study} {field} = {text or '(not given)'} (by {by}).")


@extract_app.command("export")
def export_cmd(
    allow_open: Annotated[bool, typer.Option("--allow-open", help="Export even while differences are not agreed.")] = False,
    mean_method: Annotated[str, typer.Option("--mean-method", help="Median to mean: luo2018, wan2014, hozo2005, bland2015, walter2007.")] = "luo2018",
    sd_method: Annotated[str, typer.Option("--sd-method", help="Median to SD: rec (Wan 2014, Shi 2020 with all five numbers), wan2014, shi2020, hozo2005, bland2015, walter2007.")] = "rec",
) -> None:
    """Write output/extraction/<analysis>.csv for every analysis, and the risk-of-bias plots.

    \b
    Example:
      review extract export
    """
    from review.extraction import risk_of_bias as rob
    from review.extraction.export import EXPORT_DIR, export_all, export_path
    from review.extraction.reconcile import final_values, read_resolved
    from review.workspace import write_if_changed

    root, protocol, form, studies = _context()
    logs = _logs(root, form, studies)
    if form.extractors == 2 and len(logs) < 2 and not allow_open:
        raise CheckFailed(f"protocol.yaml says two extractors; only {', '.join(logs) or 'nobody'} has extracted")
    values, open_ = final_values(form, logs, read_resolved(root, studies, form.by_key).values())
    if open_ and not allow_open:
        raise CheckFailed(f"{len(open_)} differences between extractors are not agreed; run `review extract compare`")
    con = _console()
    for table in export_all(form, protocol.analyses, values, studies, (mean_method, sd_method)):
        write_if_changed(export_path(root, table.name), table.csv())
        con.print(f"{EXPORT_DIR / (table.name + '.csv')}: {len(table.rows)} studies")
        for label, why in table.skipped:
            con.print(f"  left out {label}: {why}")
    if form.risk_of_bias:
        done = [a for a in (rob.assess(form.risk_of_bias, studies[s], values.get(s, {})) for s in studies) if a]
        if done:
            rob.write_plots(form.risk_of_bias, done, root / EXPORT_DIR)
            con.print(f"{EXPORT_DIR}/rob_traffic_light.svg, rob_summary.svg: {len(done)} of {len(studies)} studies assessed")
