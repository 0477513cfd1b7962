"""`review screen simulate`: replay a labelled set to see what priority screening would save.

Only typer and the standard library at the top; the simulation (scikit-learn,
matplotlib) loads inside the command. Attach it to the `review screen` group
with ``register(screen_app)`` (it adds the subcommand "simulate").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

HELP = """Replay a labelled screening set: how much work would priority order have saved?

Each run starts from one random relevant and one random irrelevant record
(seeded; both count as screened), then screens the highest-ranked record next,
retraining as it goes. Reports WSS@95 and WSS@100 (work saved over random order
at 95 % / 100 % recall), RRF@10 (share of relevant records found in the first
10 %), records screened to reach 95 % recall, and where the stopping rule
(Callaghan & Mueller-Hansen 2020: random sample after the ranked phase, 95 %
recall with 95 % confidence) would have stopped, with the recall there.

DATA is one or more files in any format `review import` reads; several files
are joined. The label column holds 0/1, yes/no, included/excluded or
true/false on every row.

\b
Examples:
  review screen simulate labelled.csv --label-column label_included --runs 10
  review screen simulate a.csv b.csv --label-column label --json
  review screen simulate labelled.ris --label-column N1 --curve recall.png
"""


def register(screen_app: typer.Typer) -> None:
    """Add `simulate` to the `review screen` command group."""
    screen_app.command("simulate", help=HELP)(simulate_cmd)


def simulate_cmd(
    data: Annotated[List[Path], typer.Argument(help="Labelled file(s), any format review imports.", show_default=False)],
    label_column: Annotated[str, typer.Option(
        "--label-column", "-l", help="Column (or tag) with the labels.", show_default=False)],
    seed: Annotated[int, typer.Option("--seed", help="Seed of the first run; run r uses seed + r.")] = 0,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Number of runs.")] = 1,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object: every run and the means.")] = False,
    curve: Annotated[Optional[Path], typer.Option(
        "--curve", help="Write the recall curve here (PNG).", show_default=False)] = None,
    recall: Annotated[float, typer.Option("--recall", min=0.5, max=1.0, help="Recall target of the stopping rule.")] = 0.95,
    confidence: Annotated[float, typer.Option(
        "--confidence", min=0.5, max=0.999, help="Confidence level of the stopping rule.")] = 0.95,
) -> None:
    from review.screening.simulate import StopSettings, means, plot_curve, read_labelled, simulate

    labelled = read_labelled(data, label_column)
    settings = StopSettings(recall=recall, confidence=confidence)
    results = simulate(labelled, seed=seed, runs=runs, settings=settings, quasi=False)
    if curve is not None:
        plot_curve(results, labelled.labels, curve)
    summary = means(results)
    if json_out:
        keys = ("seed", "wss95", "wss100", "rrf10", "n_screened_95", "stop_n", "stop_recall")
        out = {
            "records": len(labelled.labels),
            "relevant": labelled.n_relevant,
            "runs": [{k: getattr(r, k) for k in keys} for r in results],
            "mean": summary,
        }
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return
    _print_table(results, summary, len(labelled.labels), labelled.n_relevant, curve)


def _print_table(results, summary, n: int, relevant: int, curve: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=True)
    table = Table(title=f"{n:,} records, {relevant} relevant: {len(results)} run(s)")
    for head in ("seed", "WSS@95", "WSS@100", "RRF@10", "screened to 95%", "rule stops at", "recall there"):
        table.add_column(head, justify="right")

    def row(label, r):
        table.add_row(label, f"{r['wss95']:.1%}", f"{r['wss100']:.1%}", f"{r['rrf10']:.1%}",
                      f"{r['n_screened_95']:.0f}", f"{r['stop_n']:.0f}", f"{r['stop_recall']:.1%}")

    for r in results:
        row(str(r.seed), vars(r))
    if len(results) > 1:
        row("mean", summary)
    console.print(table)
    if curve is not None:
        console.print(f"recall curve: {curve}")
