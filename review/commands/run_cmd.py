"""`review run` (every stage, no questions) and `review report` (output/report.html)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("report")(report)


def _command() -> str:
    """The command as typed, normalised to start with `review` (not the script's path)."""
    return " ".join(["review"] + [shlex.quote(a) for a in sys.argv[1:]])


def run() -> None:
    """Run the whole review: import, dedup, screening state, extraction, PRISMA, pooling, report.

    Asks nothing. Stops with one line naming the stage, the records and the
    command that fixes it when a stage cannot finish (exit 1); what earlier
    stages wrote stays.

    \b
    Example:
      review run
    """
    from rich.console import Console
    from rich.live import Live
    from rich.table import Table
    from rich.text import Text

    from review.run import run_review
    from review.workspace import find_root

    root = find_root(Path.cwd())
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    status = None

    def on_stage(stage: str, what: str) -> None:
        nonlocal status
        if what == "start":
            # Drawn once, without rich's refresh thread: the figure stages fork worker
            # processes, and a process should not fork while another thread runs.
            status = Live(Text(f"… {stage}"), console=err, auto_refresh=False, transient=True)
            status.start(refresh=True)
        else:
            if status is not None:
                status.stop()
            err.print(f"[green]✓[/green] {stage}")

    from review.run import StageStopped

    try:
        summary = run_review(root, on_stage=on_stage, command=_command())
    except StageStopped as stop:
        if status is not None:
            status.stop()
        err.print(f"[red]✗[/red] {stop.stage}")
        raise
    finally:
        if status is not None:
            status.stop()
    t = Table(title="Review run", title_justify="left", show_header=False, show_edge=False)
    t.add_column("What")
    t.add_column("Value")
    outs = summary.outputs
    forests = sum(1 for o in outs if o.startswith("output/forest_") and o.endswith(".svg"))
    funnels = sum(1 for o in outs if o.startswith("output/funnel_") and o.endswith(".svg"))
    for label, value in (
        ("Records imported", summary.records), ("Duplicates removed", summary.duplicates),
        ("Works screened", summary.screened), ("Included studies", f"{summary.included_studies} ({summary.included_reports} reports)"),
        ("Analyses", summary.analyses),
        ("Report", "output/report.html"),
        ("PRISMA diagram", "output/prisma.svg .png .pdf"),
        ("Pooled results", "output/pooled.html .csv .md .json"),
        ("Forest, funnel plots", f"{forests} + {funnels}: output/forest_*.svg .png .pdf"),
        ("Files written", f"{len(set(outs))} under output/"),
    ):
        t.add_row(label, str(value))
    Console(highlight=False, soft_wrap=True).print(t)


def report() -> None:
    """Write output/report.html from the outputs already built (run `review run` for all of them).

    \b
    Example:
      review report
    """
    from rich.console import Console

    from review.report import write_report
    from review.workspace import find_root

    root = find_root(Path.cwd())
    path = write_report(root, command=_command())
    Console(highlight=False, soft_wrap=True).print(f"Wrote {path.relative_to(root).as_posix()}")
