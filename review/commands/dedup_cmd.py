"""review dedup: find duplicate records, in a review folder or standalone (--input ... --clusters)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from review.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("dedup")(dedup)


def dedup(
    inputs: Annotated[
        Optional[list[Path]],
        typer.Option("--input", "-i", help="Standalone: an export file (any format the importers read); repeat for more."),
    ] = None,
    clusters: Annotated[
        Optional[Path],
        typer.Option("--clusters", help="Standalone: write id,cluster for every input record to this CSV file."),
    ] = None,
    review: Annotated[bool, typer.Option("--review", help="Answer the possible-duplicate pairs in the terminal.")] = False,
    merged: Annotated[bool, typer.Option("--merged", help="With --review: walk the automatic merges instead.")] = False,
    reviewer: Annotated[
        Optional[str], typer.Option("--reviewer", help="Your name in protocol.yaml (default: $REVIEW_REVIEWER).")
    ] = None,
    show_overlap: Annotated[bool, typer.Option("--overlap", help="Print the overlap between databases.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
) -> None:
    """Find records that are the same work.

    In a review folder: clusters the library (re-imported when a search file
    changed), honouring every answer in records/dedup/<reviewer>.csv, prints the
    counts and writes output/dedup.json and output/dedup.csv.
    `--review` shows each possible-duplicate pair side by side and records your
    answers (s same, d different, k skip, u undo, q quit); `--review --merged`
    walks the automatic merges, where "different" splits one.

    Standalone (no review folder): `--input FILE... --clusters OUT.csv` writes
    one row per input record: its own id from its file (the ID/record_id column
    of a CSV, else its stable id) and a cluster number shared by its duplicates.

    \b
    Examples:
      review dedup
      review dedup --overlap
      review dedup --review --reviewer ana
      review dedup --input pubmed.txt --input scopus.csv --clusters clusters.csv
    """
    if inputs or clusters is not None:
        if review or merged or show_overlap:
            raise UsageError("--review, --merged and --overlap work in a review folder, not with --input/--clusters")
        _standalone(inputs, clusters)
        return
    if merged and not review:
        raise UsageError("--merged goes with --review (review dedup --review --merged)")
    from review.workspace import find_root

    root = find_root()
    if review:
        _review(root, reviewer, merged)
        return
    _in_review(root, show_overlap, json_out)


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _standalone(inputs: list[Path] | None, clusters: Path | None) -> None:
    import csv
    import io

    from review.dedup import find_duplicates, own_ids
    from review.importers import read_file
    from review.workspace import atomic_write_text

    if not inputs or clusters is None:
        raise UsageError("the standalone form needs both --input FILE (one or more) and --clusters OUT.csv")
    records = []
    for path in inputs:
        records.extend(read_file(path).records)
    result = find_duplicates(records)
    ids = own_ids(records)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "cluster"])
    for rid, c in zip(ids, result.cluster_of):
        writer.writerow([rid, c + 1])
    atomic_write_text(clusters, buf.getvalue())
    dup = sum(len(c) - 1 for c in result.clusters)
    _console(stderr=True).print(
        f"{len(records)} records, {len(result.clusters)} works, {dup} duplicates removed, "
        f"{len(result.possible())} possible duplicates left for a person; wrote {clusters}"
    )


def _in_review(root: Path, show_overlap: bool, json_out: bool) -> None:
    from review.dedup_workflow import clusters_csv, clusters_json, load_works, overlap, summary
    from review.workspace import OUTPUT_DIR, write_if_changed

    works = load_works(root)
    write_if_changed(root / OUTPUT_DIR / "dedup.json", clusters_json(works))
    write_if_changed(root / OUTPUT_DIR / "dedup.csv", clusters_csv(works))
    info = summary(works)
    ov = overlap(works) if show_overlap else None
    if json_out:
        doc = dict(info, reimported=works.reimported, files=["output/dedup.json", "output/dedup.csv"])
        if ov is not None:
            doc["overlap"] = ov.to_dict()
        print(json.dumps(doc, indent=2))
        return
    err = _console(stderr=True)
    for p in works.problems:
        err.print(f"[yellow]warning[/yellow] {p}", soft_wrap=True)
    out = _console()
    if works.reimported:
        out.print("The library was missing or older than the search files: re-imported to output/records.jsonl", soft_wrap=True)
    out.print(
        f"{info['records']} records in, {info['works']} works out, {info['duplicates_removed']} duplicates removed, "
        f"{info['possible_pairs']} possible pairs waiting for a person"
        + (f" ({info['decisions']} answers from people honoured)" if info["decisions"] else ""),
        soft_wrap=True,
    )
    out.print("Wrote output/dedup.json and output/dedup.csv")
    if info["possible_pairs"]:
        out.print("Next: review dedup --review --reviewer NAME")
    if ov is not None:
        _print_overlap(out, ov)


def _print_overlap(out, ov) -> None:
    from rich.table import Table

    table = Table(title="Searches (counted in works)", title_justify="left")
    for col in ("search", "records", "works", "only here"):
        table.add_column(col, justify="left" if col == "search" else "right", no_wrap=True)
    for s in ov.sources:
        table.add_row(s, str(ov.records[s]), str(ov.works[s]), str(ov.only[s]))
    out.print(table)
    pairs = Table(title="Found by both", title_justify="left")
    pairs.add_column("searches", no_wrap=True)
    pairs.add_column("works", justify="right")
    for (a, b), n in ov.both.items():
        pairs.add_row(f"{a} & {b}", str(n))
    pairs.add_row("every database search", str(ov.all))
    out.print(pairs)
    out.print(f"{ov.total_works} works in all.")


def _review(root: Path, reviewer: str | None, merged: bool) -> None:
    import sys

    from review.protocol import load_protocol

    protocol = load_protocol(root)
    reviewer = reviewer or os.environ.get("REVIEW_REVIEWER") or (
        protocol.reviewers[0] if len(protocol.reviewers) == 1 else None)
    if not reviewer:
        names = ", ".join(protocol.reviewers) or "a short name"
        raise UsageError(f"say who you are: --reviewer NAME ({names})")
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", reviewer):
        raise UsageError(f"reviewer {reviewer!r} must be a short name (letters, digits, - _ .)")
    if protocol.reviewers and reviewer not in protocol.reviewers:
        raise UsageError(f"reviewer {reviewer!r} is not in protocol.yaml (reviewers: {', '.join(protocol.reviewers)})")
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise UsageError("review dedup --review needs a terminal (it reads single keys)")
    from review.dedup_tui import run_review

    message = run_review(root, reviewer, merged)
    _console().print(message, soft_wrap=True)
