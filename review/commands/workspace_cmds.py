"""init, check, import, convert, status: the commands of the workspace stage."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from review.errors import CheckFailed, InputError, UsageError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def register_setup(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("check")(check)
    app.command("import")(import_)


def register_tools(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("convert")(convert)


# ---- init -------------------------------------------------------------------------

def init(folder: Annotated[Path, typer.Argument(help="Folder for the new review (created if needed).")]) -> None:
    """Start a review: write a commented protocol.yaml and the records/ folders.

    \b
    Example:
      review init my-review && cd my-review && review check
    """
    from review.protocol import PROTOCOL_FILE
    from review.template import PROTOCOL_TEMPLATE
    from review.workspace import atomic_write_text

    target = folder / PROTOCOL_FILE
    if target.exists():
        raise UsageError(f"{target} already exists; not overwriting a review's protocol")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder")
    (folder / "records" / "searches").mkdir(parents=True, exist_ok=True)
    keep = folder / "records" / "searches" / ".gitkeep"
    if not keep.exists():
        keep.write_text("")
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# derived files: rebuilt by `review run`\noutput/\n")
    atomic_write_text(target, PROTOCOL_TEMPLATE)
    out = _console()
    out.print(f"Wrote {target} and {folder / 'records' / 'searches'}/")
    out.print("Next: put your search exports in records/searches/, describe them in protocol.yaml, run `review check`.")


# ---- check ------------------------------------------------------------------------

def check(json_out: JsonOpt = False) -> None:
    """Check protocol.yaml and every file it names; report every problem at once.

    Exits 0 when all is well, 1 when there are problems (each on one line:
    file, line, field, what is wrong).

    \b
    Example:
      review check
    """
    from review.importers import read_file
    from review.protocol import PROTOCOL_FILE, check_protocol
    from review.workspace import find_root

    root = find_root()
    protocol, problems = check_protocol(root / PROTOCOL_FILE)
    lines = [str(p) for p in problems]
    counts: dict[str, int] = {}
    if protocol is not None:
        items = [(s.name, s.file, s.line, s.records) for s in protocol.searches]
        items += [(o.name, o.file, o.line, None) for o in protocol.other_sources if o.file]
        for name, file, line, expected in items:
            if not file:
                continue
            path = root / "records" / "searches" / file
            if not path.is_file():
                lines.append(f"{PROTOCOL_FILE}, line {line}, field file: search {name!r} names records/searches/{file}, which is not there")
                continue
            try:
                result = read_file(path, display=f"records/searches/{file}")
            except InputError as err:
                lines.append(str(err))
                continue
            counts[name] = len(result.records)
            if expected is not None and expected != len(result.records):
                lines.append(
                    f"{PROTOCOL_FILE}, line {line}, field records: search {name!r} says {expected} records, "
                    f"records/searches/{file} has {len(result.records)}"
                )
        for analysis in protocol.analyses:
            if analysis.data and not analysis.data_path(root).is_file():
                lines.append(f"{PROTOCOL_FILE}, line {analysis.line}, field data: analysis {analysis.name!r} names {analysis.data}, which is not there")
    if json_out:
        print(json.dumps({"ok": not lines, "problems": lines, "records": counts}, indent=2))
    else:
        out = _console()
        for line in lines:
            out.print(f"[red]problem[/red] {line}", soft_wrap=True)
        if not lines:
            n = sum(counts.values())
            out.print(f"{PROTOCOL_FILE}: OK ({len(counts)} searches, {n} records)")
    if lines:
        raise SystemExit(CheckFailed.exit_code)


# ---- import -----------------------------------------------------------------------

def import_(json_out: JsonOpt = False) -> None:
    """Import every search export named in protocol.yaml into output/records.jsonl.

    Prints, per search, the records read and how many have a title, abstract,
    DOI and year, with any warnings. Running it twice changes nothing.

    \b
    Example:
      review import
    """
    from review.library import import_searches
    from review.protocol import load_protocol
    from review.workspace import LIBRARY_FILE, find_root, write_jsonl

    root = find_root()
    protocol = load_protocol(root)
    err = _console(stderr=True)
    library = _with_progress(err, lambda hooks: import_searches(protocol, root, *hooks), protocol, root, quiet=json_out)
    changed = write_jsonl(root / LIBRARY_FILE, (r.to_dict() for r in library.records))
    if json_out:
        print(json.dumps({"searches": [s.to_dict() for s in library.summaries], "records": len(library.records),
                          "library": str(LIBRARY_FILE), "changed": changed}, indent=2))
        return
    _print_import_table(library.summaries)
    state = "written" if changed else "unchanged"
    _console().print(f"{len(library.records)} records from {len(library.summaries)} searches -> {LIBRARY_FILE} ({state})")


def _with_progress(console, run, protocol, root: Path, quiet: bool = False):
    """Run the import with a progress bar weighted by file size (shown for large files)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    files = [root / "records" / "searches" / s.file for s in protocol.searches]
    files += [root / "records" / "searches" / o.file for o in protocol.other_sources if o.file]
    total = sum(p.stat().st_size for p in files if p.is_file())
    if quiet or total < 2_000_000 or not console.is_terminal:
        return run((None, None))
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("importing", total=total)

        def on_file(name, path):
            progress.update(task, description=f"importing {name}")

        def on_done(name, path):
            progress.advance(task, path.stat().st_size)

        return run((on_file, on_done))


def _print_import_table(summaries) -> None:
    from rich.table import Table

    table = Table(title="Searches imported", title_justify="left")
    table.add_column("search", no_wrap=True)
    table.add_column("database")
    table.add_column("format", no_wrap=True)
    for col in ("records", "title", "abstract", "DOI", "year"):
        table.add_column(col, justify="right")
    for s in summaries:
        table.add_row(s.name, s.database, s.format, str(s.records), str(s.with_title),
                      str(s.with_abstract), str(s.with_doi), str(s.with_year))
    out = _console()
    out.print(table)
    for s in summaries:
        for w in s.warnings:
            out.print(f"[yellow]warning[/yellow] {w}", soft_wrap=True)


# ---- convert ----------------------------------------------------------------------

def convert(
    inputs: Annotated[list[Path], typer.Argument(help="Export files in any format review reads.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output file (.csv .jsonl .ris .bib), or - for stdout.")],
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="csv, jsonl, ris or bib (default: from the suffix).")] = None,
) -> None:
    """Convert search exports to CSV, JSONL, RIS or BibTeX; no review folder needed.

    \b
    Example:
      review convert pubmed.txt scopus.csv -o all.ris
    """
    from review.importers import read_file
    from review.workspace import atomic_write_text
    from review.writers import format_from_path, writer_for

    writer = writer_for(fmt or (format_from_path(output) if str(output) != "-" else "jsonl"))
    records, warnings = [], []
    for path in inputs:
        result = read_file(path)
        records.extend(result.records)
        warnings.extend(result.warnings)
    import io

    buf = io.StringIO()
    writer.write(records, buf)
    err = _console(stderr=True)
    for w in warnings:
        err.print(f"[yellow]warning[/yellow] {w}", soft_wrap=True)
    if str(output) == "-":
        sys.stdout.write(buf.getvalue())
        return
    atomic_write_text(output, buf.getvalue())
    err.print(f"{len(records)} records from {len(inputs)} file(s) -> {output}")


# ---- status -----------------------------------------------------------------------

def status(json_out: JsonOpt = False) -> None:
    """Show where the review stands: searches and records, and each stage.

    \b
    Example:
      review status
    """
    from review.protocol import load_protocol
    from review.status import review_status
    from review.workspace import find_root

    root = find_root()
    protocol = load_protocol(root)
    info = review_status(protocol, root)
    if json_out:
        print(json.dumps(info, indent=2))
        return
    _print_status(info)


def _print_status(info: dict) -> None:
    from rich.panel import Panel
    from rich.table import Table

    out = _console()
    question = info["question"]
    out.print(Panel(f"[bold]{info['title']}[/bold]\n{question}", title="review", title_align="left"))
    table = Table(title="Searches", title_justify="left")
    for col in ("search", "database", "date", "file (records/searches/)"):
        table.add_column(col)
    table.add_column("records", justify="right")
    for s in info["searches"]:
        n = "missing file" if not s["exists"] else ("not imported" if s["records"] is None else str(s["records"]))
        table.add_row(s["name"], s["database"], s["date"], s["file"].removeprefix("records/searches/"), n)
    out.print(table)
    stages = Table(title="Stages", title_justify="left")
    stages.add_column("stage")
    stages.add_column("state")
    for name, state in info["stages"].items():
        stages.add_row(name, state)
    out.print(stages)
    if info.get("screening"):
        from review.screening.command import screening_status_lines

        for line in screening_status_lines(info["screening"]):
            out.print(line, soft_wrap=True)
    if info["next"]:
        out.print(f"Next: {info['next']}")
