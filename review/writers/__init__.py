"""Writers: records out to CSV, JSONL, RIS or BibTeX (`review convert`).

Each writer module provides ``NAME``, ``SUFFIXES`` and ``def write(records, fh)``
writing text to an open text file handle. Every normalised field survives a
round trip through the matching importer.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from review.errors import UsageError

WRITERS = {"csv": "csv_writer", "jsonl": "jsonl_writer", "ris": "ris_writer", "bib": "bibtex_writer"}
ALIASES = {"bibtex": "bib", "json": "jsonl", "txt": "ris"}


def writer_for(fmt: str):
    key = ALIASES.get(fmt.lower().lstrip("."), fmt.lower().lstrip("."))
    if key not in WRITERS:
        raise UsageError(f"unknown output format {fmt!r}; choose csv, jsonl, ris or bib")
    return importlib.import_module(f"review.writers.{WRITERS[key]}")


def format_from_path(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if not suffix:
        raise UsageError(f"cannot tell the output format of {path}: give it a suffix (.csv .jsonl .ris .bib) or --format")
    return suffix
