"""The review's library: every search export in protocol.yaml, imported and counted.

Pure core of `review import`: reads each search's file, tags its records with
the search they came from, and summarises what each file gave. Writing the
library (output/records.jsonl) is the command's job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from review.errors import InputError
from review.importers import ImportWarning, read_file
from review.protocol import Protocol
from review.records import Record


@dataclass
class SearchSummary:
    """What one search's file gave."""

    name: str
    database: str
    file: str
    format: str = ""
    records: int = 0
    with_title: int = 0
    with_abstract: int = 0
    with_doi: int = 0
    with_year: int = 0
    warnings: list[str] = field(default_factory=list)
    method: str = ""  # for other sources: citation searching, websites, ...

    def to_dict(self) -> dict:
        return dict(vars(self))


@dataclass
class Library:
    records: list[Record]
    summaries: list[SearchSummary]


def summarise(name: str, database: str, file: str, fmt: str, records: list[Record], warnings: list[ImportWarning]) -> SearchSummary:
    return SearchSummary(
        name=name,
        database=database,
        file=file,
        format=fmt,
        records=len(records),
        with_title=sum(1 for r in records if r.title),
        with_abstract=sum(1 for r in records if r.abstract),
        with_doi=sum(1 for r in records if r.doi),
        with_year=sum(1 for r in records if r.year),
        warnings=[str(w) for w in warnings],
    )


def import_searches(
    protocol: Protocol,
    root: Path,
    on_file: Callable[[str, Path], None] | None = None,
    on_done: Callable[[str, Path], None] | None = None,
) -> Library:
    """Import every search and other source of `protocol`, in protocol order.

    Raises InputError for the first file that is missing or unreadable; a file
    that reads with warnings (a truncated last record) is kept and its warnings
    are in its summary.
    """
    records: list[Record] = []
    summaries: list[SearchSummary] = []
    sources = [(s.name, s.database, s.file, "", s) for s in protocol.searches]
    sources += [(o.name, o.method, o.file, o.method, o) for o in protocol.other_sources if o.file]
    for name, _, file, _, item in sources:
        if not (root / "records" / "searches" / file).is_file():
            raise InputError(
                f"search {name!r} names records/searches/{file}, which is not there",
                file="protocol.yaml",
                line=item.line or None,
                field="file",
            )
    for name, database, file, method, item in sources:
        path = root / "records" / "searches" / file
        display = f"records/searches/{file}"
        if on_file:
            on_file(name, path)
        result = read_file(path, display=display)
        for rec in result.records:
            rec.source.search = name
            if not rec.database:
                rec.database = database
        summary = summarise(name, database, display, result.format, result.records, result.warnings)
        summary.method = method
        expected = getattr(item, "records", None)
        if expected is not None and expected != len(result.records):
            summary.warnings.append(
                f"{display}: protocol.yaml says the database reported {expected} records, the file has {len(result.records)}"
            )
        records.extend(result.records)
        summaries.append(summary)
        if on_done:
            on_done(name, path)
    return Library(records, summaries)
