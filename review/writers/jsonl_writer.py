"""Records to JSON Lines: `Record.to_dict()`, one record per line, keys sorted.

UTF-8 is written as it is (names stay readable in a diff); only U+FEFF and
U+FFFD are escaped, because the reader drops byte-order marks wherever they
appear and takes a file full of U+FFFD for a binary one.
`review.importers.jsonl` reads it back with `Record.from_dict`.
"""

from __future__ import annotations

import json
from typing import IO, Iterable

from review.records import Record

NAME = "jsonl"
SUFFIXES = (".jsonl", ".ndjson")


def dumps(rec: Record) -> str:
    line = json.dumps(rec.to_dict(), sort_keys=True, ensure_ascii=False)
    return line.replace("\ufeff", "\\ufeff").replace("\ufffd", "\\ufffd")


def write(records: Iterable[Record], fh: IO[str]) -> None:
    for rec in records:
        fh.write(dumps(rec) + "\n")
