"""`review screen` (the UI, conflicts, import) and `review export`.

Only typer and the standard library are imported here; the screening core,
rich and the record set load inside the commands.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from review.errors import InputError, UsageError

StageOpt = Annotated[str, typer.Option("--stage", help="title-abstract or full-text.")]

screen_app = typer.Typer(
    name="screen",
    invoke_without_command=True,
    no_args_is_help=False,
)


def register(app: typer.Typer) -> None:
    from review.screening.simulate_command import register as register_simulate

    register_simulate(screen_app)  # review screen simulate
    app.add_typer(screen_app, name="screen")
    app.command("export")(export)


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _root() -> Path:
    from review.workspace import find_root

    return find_root()


# ---- review screen -------------------------------------------------------------------

@screen_app.callback()
def screen(
    ctx: typer.Context,
    stage: StageOpt = "title-abstract",
    reviewer: Annotated[Optional[str], typer.Option("--reviewer", "-r", help="Your name, as in protocol.yaml reviewers.")] = None,
    order: Annotated[Optional[str], typer.Option(
        "--order", help="priority (default: most likely relevant first, once you have an include and an exclude), "
                        "random or file. Default from protocol.yaml screening.order.")] = None,
) -> None:
    """Screen one record at a time in a full-screen terminal UI.

    Keys (remappable in protocol.yaml screening.keys): i include, e exclude,
    m maybe, digits exclude with a reason (full text), r report not retrieved,
    n note, u undo, s skip, b back, o open the PDF, ? help, q quit. Every
    decision is saved to records/screening/<stage>/<reviewer>.csv before the
    next record shows; you see only your own decisions.

    Priority order ranks your undecided records by a model retrained on your
    own decisions in the background; the top of the screen shows the stopping
    rule (Callaghan & Mueller-Hansen 2020) at the recall target in
    screening.stopping.recall (default 95%).

    \b
    Examples:
      review screen --reviewer ana
      review screen --stage full-text --reviewer ben
      review screen --reviewer ana --order file
      review screen conflicts --stage title-abstract
    """
    if ctx.invoked_subcommand is not None:
        return
    if not reviewer:
        raise UsageError("give --reviewer NAME (your name as in protocol.yaml reviewers)")
    run_screen(_root(), stage, reviewer, order)


def run_screen(root: Path, stage: str, reviewer: str, order: str | None = None) -> None:
    """Open the reviewer's session under the lock and run the UI on this terminal."""
    from review.screening.decisions import lock_path
    from review.screening.manage import check_reviewer, check_stage, load_context
    from review.screening.tui import Controller, open_session, run_terminal
    from review.workspace import exclusive_lock

    from review.screening.priority import parse_order, stopping_settings

    context = load_context(root)
    check_stage(stage, context.config)
    check_reviewer(reviewer, context)
    try:
        order = parse_order(order if order is not None else context.section.get("order"))
    except InputError as err:
        if order is not None:
            raise UsageError(f"--order {order!r}: use one of priority, random, file") from err
        raise InputError(err.message, file="protocol.yaml", field="screening.order") from err
    stopping = stopping_settings(context.section)
    with exclusive_lock(lock_path(root, stage, reviewer), f"review screen for {reviewer} at {stage}"):
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError("review screen needs a terminal; to record decisions from a file use `review screen import`")
        session, records = open_session(root, stage, reviewer, context.config, context.records, order)
        if not session.state.queue:
            what = "no record has been sent to full text yet (title-abstract decisions decide that)" if stage == "full-text" else "no records: run `review import`"
            raise UsageError(f"nothing to screen at {stage}: {what}")
        ctl = Controller(session, records, root, reviewer, context.config, ordering=_ordering(order, session, records),
                         stopping=stopping)
        try:
            run_terminal(ctl)
        finally:
            _after(session, stage, reviewer)


def _ordering(order: str, session, records):
    """Priority order: a background ranker over the stage's records. When the reviewer
    already has decisions to learn from (resuming), the first ranking is awaited
    (up to 20 s) so the first record shown is already the top-ranked one."""
    from review.screening.priority import Ordering, RankWorker, can_rank, labels_in_order
    from review.screening.rank import record_text

    if order != "priority":
        return Ordering(order)
    queue = session.state.queue
    texts = {rid: record_text(records.get(rid)) for rid in queue}
    ordering = Ordering(order, RankWorker(texts, seed=0))
    if can_rank(labels_in_order(session.state)):
        ordering.request(session.state)
        if ordering.worker.wait(ordering.requested, timeout=20):
            ordering.apply(session.state)
    return ordering


def _after(session, stage: str, reviewer: str) -> None:
    err = _console(stderr=True)
    for issue in [*session.read.problems, *session.read.warnings]:
        err.print(f"[yellow]skipped[/yellow] {issue}")
    p = session.state.progress()
    err.print(f"{stage}, {reviewer}: {p.done} of {p.total} decided, {p.left} left; saved in {session.path}")


# ---- review screen conflicts -----------------------------------------------------------

@screen_app.command("conflicts")
def conflicts_cmd(
    stage: StageOpt = "title-abstract",
    resolve: Annotated[bool, typer.Option("--resolve", help="Resolve the open conflicts (full-screen, or --record with --decision).")] = False,
    by: Annotated[Optional[str], typer.Option("--by", help="Who resolves: a third reviewer, or 'ana+ben' for both together.")] = None,
    record: Annotated[Optional[str], typer.Option("--record", help="With --resolve: the record to resolve, without the UI.")] = None,
    decision: Annotated[Optional[str], typer.Option("--decision", help="With --record: include, exclude, maybe, not_retrieved.")] = None,
    reason: Annotated[str, typer.Option("--reason", help="With --decision exclude: a reason key from protocol.yaml.")] = "",
    note: Annotated[str, typer.Option("--note", help="A note kept with the resolution.")] = "",
    all_: Annotated[bool, typer.Option("--all", help="List resolved conflicts too.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the records on which reviewers disagree; resolve them.

    A resolution is a decision of its own, attributed to who made it, in
    records/screening/<stage>/_resolved.csv.

    \b
    Examples:
      review screen conflicts --stage title-abstract
      review screen conflicts --resolve --by carla
      review screen conflicts --resolve --by carla --record pmid:99153718 --decision include
    """
    from review.screening.manage import check_reviewer, check_stage, load_context, stage_conflicts

    root = _root()
    context = load_context(root)
    check_stage(stage, context.config)
    if resolve:
        if not by:
            raise UsageError("--resolve needs --by NAME (who resolves)")
        for name in by.split("+"):
            check_reviewer(name, context, "--by")
        if record or decision:
            _resolve_one(context, stage, by, record, decision, reason, note)
        else:
            _resolve_ui(context, stage, by)
        return
    if record or decision:
        raise UsageError("--record and --decision go with --resolve --by NAME")
    found = stage_conflicts(context, stage, include_resolved=all_)
    if json_out:
        print(json.dumps([_conflict_dict(c) for c in found], indent=2))
        return
    _print_conflicts(context, stage, found)


def _conflict_dict(c) -> dict:
    res = c.resolution
    return {
        "record_id": c.record_id, "kind": c.kind,
        "decisions": {name: {"decision": d.decision, "reason": d.reason, "note": d.note} for name, d in c.decisions},
        "resolution": None if res is None else {"decision": res.decision, "reason": res.reason, "by": res.by, "time": res.time},
    }


def _print_conflicts(context, stage: str, found) -> None:
    from rich.table import Table

    out = _console()
    if not found:
        out.print(f"{stage}: no open conflicts")
        return
    table = Table(title=f"Conflicts at {stage}", title_justify="left")
    table.add_column("record", no_wrap=True)
    table.add_column("title")
    names = sorted({n for c in found for n, _ in c.decisions})
    for n in names:
        table.add_column(n, no_wrap=True)
    table.add_column("resolved", no_wrap=True)
    for c in found:
        w = context.records.get(c.record_id)
        ds = dict(c.decisions)
        cells = [(ds[n].decision + (f" ({ds[n].reason})" if ds[n].reason else "")) if n in ds else "" for n in names]
        res = c.resolution
        table.add_row(c.record_id, (w.title if w else "")[:70], *cells,
                      f"{res.decision} by {res.by}" if res else "open")
    out.print(table)
    n_open = sum(1 for c in found if c.open)
    out.print(f"{n_open} open; resolve with `review screen conflicts --stage {stage} --resolve --by NAME`")


def _resolve_one(context, stage, by, record, decision, reason, note) -> None:
    from review.screening.manage import resolve, stage_conflicts

    if not (record and decision):
        raise UsageError("--record and --decision go together (or give neither to resolve on screen)")
    wid = context.records.resolve(record)
    if wid is None:
        raise InputError(f"record {record!r} is not in this review", field="--record")
    if wid not in {c.record_id for c in stage_conflicts(context, stage, include_resolved=True)}:
        raise UsageError(f"{wid} is not a conflict at {stage}; see `review screen conflicts --stage {stage}`")
    from review.screening.decisions import RESOLVED_NAME, lock_path
    from review.workspace import exclusive_lock

    with exclusive_lock(lock_path(context.root, stage, RESOLVED_NAME), f"resolving conflicts at {stage}"):
        entry = resolve(context, stage, wid, decision, by, reason, note)
    _console(stderr=True).print(f"{stage}: {wid} resolved as {entry.decision}{' (' + entry.reason + ')' if entry.reason else ''} by {by}")


def _resolve_ui(context, stage: str, by: str) -> None:
    from review.screening.decisions import RESOLVED_NAME, lock_path
    from review.screening.manage import ResolveSession
    from review.screening.tui import Controller, run_terminal
    from review.workspace import exclusive_lock

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("resolving on screen needs a terminal; use --record ID --decision D")
    with exclusive_lock(lock_path(context.root, stage, RESOLVED_NAME), f"resolving conflicts at {stage}"):
        session = ResolveSession(context, stage, by)
        if not session.state.queue:
            raise UsageError(f"{stage}: no conflicts to resolve")
        ctl = Controller(session, context.records, context.root, f"resolving as {by}", context.config,
                         others=session.conflicts)
        try:
            run_terminal(ctl)
        finally:
            p = session.state.progress()
            _console(stderr=True).print(f"{stage}: {p.done} of {p.total} conflicts resolved; saved in {session.path}")


# ---- review screen import ---------------------------------------------------------------

@screen_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="CSV with a record column (record_id, DOI or PMID), a decision and maybe a reason.")],
    reviewer: Annotated[str, typer.Option("--reviewer", "-r", help="Whose decisions these are.")],
    stage: StageOpt = "title-abstract",
    keep_good: Annotated[bool, typer.Option("--skip-bad", help="Import the good rows even when some rows are bad.")] = False,
) -> None:
    """Add decisions from a CSV (a Rayyan or ASReview export, a spreadsheet) to a reviewer's log.

    Rows whose decision already stands are not written again, so importing a
    file twice changes nothing. A bad row (unknown record, decision or reason)
    is reported with file and line, and nothing is written unless --skip-bad.

    \b
    Example:
      review screen import asreview_export.csv --reviewer ben
    """
    from review.protocol import display_path
    from review.screening.decisions import append_entry, lock_path, log_path, now, read_log
    from review.screening.importer import read_decisions
    from review.screening.manage import by_work, check_reviewer, check_stage, load_context
    from review.workspace import exclusive_lock

    root = _root()
    context = load_context(root)
    check_stage(stage, context.config)
    check_reviewer(reviewer, context)
    got = read_decisions(file, stage, context.records, context.config, display_path(file))
    err = _console(stderr=True)
    for p in got.problems:
        err.print(f"[red]problem[/red] {p}")
    if got.problems and not keep_good:
        raise InputError(f"{len(got.problems)} bad rows; nothing imported (fix them, or add --skip-bad to import the other {len(got.decisions)})",
                         file=display_path(file))
    path = log_path(root, stage, reviewer)
    with exclusive_lock(lock_path(root, stage, reviewer), f"review screen for {reviewer} at {stage}"):
        standing = by_work(read_log(path, stage, context.config, context.records.known_ids()).standing(), context.records)
        written = same = 0
        for d in got.decisions:
            old = standing.get(d.record_id)
            if old is not None and (old.decision, old.reason) == (d.decision, d.reason):
                same += 1
                continue
            entry = type(d)(d.record_id, d.decision, d.reason, d.note, now())
            append_entry(path, entry)
            standing[d.record_id] = entry
            written += 1
    err.print(f"{written} decisions written to {display_path(path)}; {same} already there; "
              f"{got.skipped_empty} rows without a decision skipped" + (f"; {len(got.problems)} bad rows skipped" if got.problems else ""))


# ---- review export ------------------------------------------------------------------------

def export(
    stage: Annotated[str, typer.Option("--stage", help="title-abstract or full-text.")],
    decision: Annotated[str, typer.Option("--decision", help="included, excluded or maybe.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="ris, bib or csv.")] = "ris",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Output file (default: stdout).")] = None,
) -> None:
    """Write the records of a screening outcome for a reference manager.

    included at title-abstract = sent to full text; at full text = included in
    the review. excluded = excluded at that stage. maybe = marked maybe by a
    reviewer or a resolution. One merged record per work.

    \b
    Example:
      review export --stage full-text --decision included --format ris -o included.ris
    """
    import io

    from review.screening.manage import check_stage, export_ids, load_context
    from review.workspace import atomic_write_text
    from review.writers import writer_for

    if fmt.lower() not in ("ris", "bib", "bibtex", "csv"):
        raise UsageError(f"--format {fmt!r}: use ris, bib or csv")
    writer = writer_for(fmt)
    root = _root()
    context = load_context(root)
    check_stage(stage, context.config)
    ids = export_ids(context, stage, decision)
    records = [context.records[i].record for i in ids]
    buf = io.StringIO()
    writer.write(records, buf)
    if output is None:
        sys.stdout.write(buf.getvalue())
    else:
        atomic_write_text(output, buf.getvalue())
    _console(stderr=True).print(f"{len(records)} records ({stage}, {decision}) -> {output or 'stdout'}")


# ---- for `review status` ----------------------------------------------------------------

def screening_status(root: Path) -> dict:
    """Per stage: screened by each reviewer, agreement (%, Cohen's kappa with 95 % CI,
    PABAK), conflicts open and resolved, records waiting (see manage.screening_status)."""
    from review.screening.manage import screening_status as status

    return status(Path(root))


def screening_status_lines(info: dict) -> list[str]:
    """`screening_status` as one line per stage (plus any skipped decision lines)."""
    from review.screening.manage import status_lines

    return status_lines(info)
