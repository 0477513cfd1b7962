"""Append-only extraction logs: records/extraction/<reviewer>.csv in long form.

Columns ``study,field,value,time`` (UTC ISO 8601 with Z); the agreed values of
two extractors go to ``_resolved.csv`` with a fifth column ``by``. A value is
never rewritten: a correction is a new line and the last line wins; an empty
value clears the field. Reading never raises for the content: a torn last line
(a crash mid-write) is a warning and skipped, a bad line elsewhere is a problem
naming file and line, and every other line is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from review import logfile
from review.errors import InputError
from review.logfile import LogIssue, now  # noqa: F401  (both importable from here, as before)

EXTRACTION_DIR = Path("records") / "extraction"
RESOLVED_NAME = "_resolved"
COLUMNS = ("study", "field", "value", "time")
RESOLVED_COLUMNS = (*COLUMNS, "by")
_REVIEWER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@dataclass(frozen=True)
class Entry:
    study: str
    field: str
    value: str
    time: str = ""
    by: str = ""
    line: int = 0


class LogRead(logfile.LogRead[Entry]):
    """One extraction log, read (see `review.logfile.LogRead`)."""

    def values(self) -> dict[str, dict[str, str]]:
        """{study: {field: value}} now: the last line wins, an empty value clears."""
        return current(self.entries)


def log_path(root: Path, reviewer: str) -> Path:
    """records/extraction/<reviewer>.csv; the reviewer name must be a short name."""
    if reviewer != RESOLVED_NAME and not _REVIEWER.match(reviewer or ""):
        raise InputError(f"reviewer {reviewer!r} must be a short name (letters, digits, - _ .)")
    return Path(root) / EXTRACTION_DIR / f"{reviewer}.csv"


def resolved_path(root: Path) -> Path:
    return log_path(root, RESOLVED_NAME)


def current(entries: Iterable[Entry]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for e in entries:
        fields = out.setdefault(e.study, {})
        if e.value == "":
            fields.pop(e.field, None)
        else:
            fields[e.field] = e.value
    return {s: f for s, f in out.items() if f}


def format_line(e: Entry, resolved: bool = False) -> str:
    value = " ".join(e.value.split("\n")).replace("\r", " ")
    row = [e.study, e.field, value, e.time or now()]
    if resolved:
        row.append(e.by)
    return logfile.csv_line(row)


def append_entries(path: Path, entries: Iterable[Entry]) -> int:
    """Append lines durably in one write (header first in a new file); returns how many.

    A torn last line gets a newline first so it never glues onto new data.
    """
    path = Path(path)
    resolved = path.stem == RESOLVED_NAME
    lines = []
    for e in entries:
        if not e.study or not e.field:
            raise InputError("a log line needs a study and a field", file=str(path))
        if resolved and not e.by:
            raise InputError("an agreed value must say who agreed it (by)", file=str(path), field=e.field)
        lines.append(format_line(e, resolved))
    logfile.append(path, lines, RESOLVED_COLUMNS if resolved else COLUMNS)
    return len(lines)


def append_value(root: Path, reviewer: str, study: str, field_key: str, value: str, time: str = "") -> None:
    """Append one value to a reviewer's log (saved before returning)."""
    append_entries(log_path(root, reviewer), [Entry(study, field_key, value, time or now())])


def read_log(path: Path, display: str | None = None, known_studies: Iterable[str] | None = None,
             known_fields: Iterable[str] | None = None) -> LogRead:
    """Read a log; bad lines become problems, a torn last line a warning; never raises for content."""
    path = Path(path)
    out = LogRead(display or str(path))
    resolved = path.stem == RESOLVED_NAME
    studies = set(known_studies) if known_studies is not None else None
    fields = set(known_fields) if known_fields is not None else None
    for row in logfile.rows(out, logfile.read_bytes(path), RESOLVED_COLUMNS if resolved else COLUMNS):
        e = Entry(*row.fields[:4], by=row.fields[4] if resolved else "", line=row.line)
        why, col = "", ""
        if not e.study or not e.field:
            why, col = "study and field must not be empty", "study" if not e.study else "field"
        elif not _TIME.match(e.time):
            why, col = f"time {e.time!r} is not YYYY-MM-DDThh:mm:ssZ", "time"
        elif resolved and not e.by:
            why, col = "an agreed value must say who agreed it (by)", "by"
        elif studies is not None and e.study not in studies:
            why, col = f"study {e.study!r} is not a study of this review", "study"
        elif fields is not None and e.field not in fields:
            why, col = f"field {e.field!r} is not in the extraction form", "field"
        if why:
            out.problem(row.line, why, field=col)
            continue
        out.entries.append(e)
    return out


def reviewers(root: Path) -> list[str]:
    """Reviewers with a log under records/extraction/, sorted (not _resolved)."""
    folder = Path(root) / EXTRACTION_DIR
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.csv") if p.stem != RESOLVED_NAME and _REVIEWER.match(p.stem))
