"""Records to CSV: one column per normalised field, plus id and source file.

Lists are joined with "; " (a ";" or "\\" inside an item is escaped with "\\"),
so `review.importers.tabular` reads the file back with every normalised field
unchanged. No BOM, "\\n" line ends, fixed column order: the same records give
the same bytes.
"""

from __future__ import annotations

import csv
from typing import IO, Iterable

from review.records import LIST_FIELDS, NORMALISED_FIELDS, Record

NAME = "csv"
SUFFIXES = (".csv",)
COLUMNS = ("id",) + NORMALISED_FIELDS + ("source_file",)


def join_list(items: Iterable[str]) -> str:
    return "; ".join(item.replace("\\", "\\\\").replace(";", "\\;") for item in items)


def row(rec: Record) -> list[str]:
    out = [rec.id]
    for name in NORMALISED_FIELDS:
        value = getattr(rec, name)
        if name in LIST_FIELDS:
            out.append(join_list(value))
        elif value is None:
            out.append("")
        else:
            out.append(str(value))
    out.append(rec.source.file)
    return out


def write(records: Iterable[Record], fh: IO[str]) -> None:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(COLUMNS)
    for rec in records:
        writer.writerow(row(rec))
