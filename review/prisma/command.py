"""`review prisma`: the PRISMA 2020 flow diagram of the review in this folder.

Only typer, rich and the standard library are imported here; the counting,
matplotlib and the review's stages load inside the command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

HELP = """Draw the PRISMA 2020 flow diagram from the review's own records and decisions.

Counts every box from the imported searches, the deduplicated works and the
screening decisions, checks that each box follows from the ones above it
(a mismatch, or a record with no decision at a stage it reached, stops with a
message naming the boxes and the records), and writes
output/prisma.{svg,png,pdf} (PNG at 300 dpi), output/prisma.json (every count
and the record ids behind each box) and output/prisma.csv (the input format of
the PRISMA2020 R package and web app).

\b
Examples:
  review prisma
  review prisma --per-database
  review prisma --json
"""


def register(app: typer.Typer) -> None:
    app.command("prisma", help=HELP)(prisma)


def prisma(
    per_database: Annotated[bool, typer.Option(
        "--per-database", help="List the records identified in each database and register.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the counts as one JSON object.")] = False,
) -> None:
    from review.prisma.build import state_from_review
    from review.prisma.counts import count
    from review.prisma.export import to_csv, to_dict, to_json
    from review.workspace import atomic_write_text, find_root

    root = find_root(Path.cwd())
    counts = count(state_from_review(root))
    out = root / "output"
    out.mkdir(parents=True, exist_ok=True)
    from review.prisma.draw import save

    written = save(counts, out / "prisma", per_database=per_database)
    for name, text in (("prisma.json", to_json(counts)), ("prisma.csv", to_csv(counts))):
        path = out / name
        atomic_write_text(path, text)
        written.append(path)
    if json_out:
        data = to_dict(counts)
        data.pop("records")
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.console import Console

    con = Console(highlight=False, soft_wrap=True)
    db = counts.databases
    con.print(f"Records identified: {db.identified_total} from databases and registers"
              + (f", {counts.other.identified_total} from other methods" if counts.other else ""))
    con.print(f"Records screened: {db.screened}; excluded: {db.excluded}; reports assessed: {db.assessed}"
              + (f" (+ {counts.other.assessed} from other methods)" if counts.other else ""))
    con.print(f"Included: {counts.studies} studies ({counts.reports} reports)")
    con.print("Wrote " + ", ".join(str(p.relative_to(root)) for p in written))
