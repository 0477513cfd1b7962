"""review dedup: find duplicate records (standalone form: --input FILE... --clusters OUT.csv)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from review.errors import UsageError


def register(app: typer.Typer) -> None:
    app.command("dedup")(dedup)


def dedup(
    inputs: Annotated[
        Optional[list[Path]],
        typer.Option("--input", "-i", help="An export file (any format the importers read); repeat for more."),
    ] = None,
    clusters: Annotated[
        Optional[Path],
        typer.Option("--clusters", help="Write id,cluster for every input record to this CSV file."),
    ] = None,
) -> None:
    """Find records that are the same work, across every file given.

    Writes one row per input record: the record's own id from its file (the
    ID/record_id column of a CSV, else the record's stable id) and a cluster
    number shared by its duplicates. No review folder is needed.

    \b
    Example:
      review dedup --input pubmed.txt --input scopus.csv --clusters clusters.csv
    """
    import csv

    from rich.console import Console

    from review.dedup import find_duplicates, own_ids
    from review.importers import read_file
    from review.workspace import atomic_write_text

    if not inputs or clusters is None:
        raise UsageError("give --input FILE (one or more) and --clusters OUT.csv; "
                         "the in-review form of `review dedup` is not available yet")
    records = []
    for path in inputs:
        records.extend(read_file(path).records)
    result = find_duplicates(records)
    ids = own_ids(records)
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "cluster"])
    for rid, c in zip(ids, result.cluster_of):
        writer.writerow([rid, c + 1])
    atomic_write_text(clusters, buf.getvalue())
    dup = sum(len(c) - 1 for c in result.clusters)
    Console(stderr=True, highlight=False).print(
        f"{len(records)} records, {len(result.clusters)} works, {dup} duplicates removed, "
        f"{len(result.possible())} possible duplicates left for a person; wrote {clusters}"
    )
