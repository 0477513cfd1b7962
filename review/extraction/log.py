"""Append-only extraction logs: records/extraction/<reviewer>.csv in long form.

Columns ``study,field,value,time`` (UTC ISO 8601 with Z); the agreed values of
two extractors go to ``_resolved.csv`` with a fifth column ``by``. A value is
never rewritten: a correction is a new line and the last line wins; an empty
value clears the field. Reading never raises for the content: a torn last line
(a crash mid-write) is a warning and skipped, a bad line elsewhere is a problem
naming file and line, and every other line is kept.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from review.errors import InputError

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


@dataclass(frozen=True)
class LogIssue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return str(InputError(self.message, file=self.file, line=self.line))


@dataclass
class LogRead:
    file: str
    entries: list[Entry] = field(default_factory=list)
    problems: list[LogIssue] = field(default_factory=list)
    warnings: list[LogIssue] = field(default_factory=list)

    def values(self) -> dict[str, dict[str, str]]:
        """{study: {field: value}} now: the last line wins, an empty value clears."""
        return current(self.entries)


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)
    return buf.getvalue()


def append_entries(path: Path, entries: Iterable[Entry]) -> int:
    """Append lines durably in one write (header first in a new file); returns how many.

    A torn last line gets a newline first so it never glues onto new data.
    """
    from review.workspace import append_line

    path = Path(path)
    resolved = path.stem == RESOLVED_NAME
    lines = []
    for e in entries:
        if not e.study or not e.field:
            raise InputError("a log line needs a study and a field", file=str(path))
        if resolved and not e.by:
            raise InputError("an agreed value must say who agreed it (by)", file=str(path), field=e.field)
        lines.append(format_line(e, resolved))
    if not lines:
        return 0
    text = "".join(lines)
    size = path.stat().st_size if path.exists() else 0
    if size == 0:
        text = ",".join(RESOLVED_COLUMNS if resolved else COLUMNS) + "\n" + text
    else:
        with open(path, "rb") as fh:
            fh.seek(-1, 2)
            if fh.read(1) != b"\n":
                text = "\n" + text
    append_line(path, text)
    return len(lines)


def append_value(root: Path, reviewer: str, study: str, field_key: str, value: str, time: str = "") -> None:
    """Append one value to a reviewer's log (saved before returning)."""
    append_entries(log_path(root, reviewer), [Entry(study, field_key, value, time or now())])


def read_log(path: Path, display: str | None = None, known_studies: Iterable[str] | None = None,
             known_fields: Iterable[str] | None = None) -> LogRead:
    """Read a log; bad lines become problems, a torn last line a warning; never raises for content."""
    path = Path(path)
    shown = display or str(path)
    out = LogRead(shown)
    if not path.exists():
        return out
    data = path.read_bytes()
    torn = not data.endswith(b"\n")
    lines = data.decode("utf-8", errors="replace").split("\n")
    if not torn:
        lines = lines[:-1]
    resolved = path.stem == RESOLVED_NAME
    cols = RESOLVED_COLUMNS if resolved else COLUMNS
    header = ",".join(cols)
    studies = set(known_studies) if known_studies is not None else None
    fields = set(known_fields) if known_fields is not None else None
    last = len(lines)
    for n, raw in enumerate(lines, start=1):
        raw = raw.removesuffix("\r")
        if not raw.strip() or raw.lstrip("\ufeff") == header:
            continue
        if not raw.strip("\x00"):
            out.warnings.append(LogIssue(shown, n, "zero bytes (left by a crash?); skipped, the rest kept"))
            continue
        try:
            row = next(csv.reader([raw], strict=True), [])
        except csv.Error:
            row = None
        if n == last and (torn or row is None or len(row) != len(cols)):
            why = "has no line end" if torn else "is incomplete"
            out.warnings.append(LogIssue(shown, n, f"last line {why} (cut off by a crash?); skipped, the rest kept"))
            continue
        if row is None or len(row) != len(cols):
            got = "unreadable CSV" if row is None else f"{len(row)} fields"
            out.problems.append(LogIssue(shown, n, f"{got}, expected {len(cols)} ({', '.join(cols)}); line skipped"))
            continue
        e = Entry(*(x.strip() for x in row[:4]), by=row[4].strip() if resolved else "", line=n)
        why = ""
        if not e.study or not e.field:
            why = "study and field must not be empty"
        elif not _TIME.match(e.time):
            why = f"time {e.time!r} is not YYYY-MM-DDThh:mm:ssZ"
        elif resolved and not e.by:
            why = "an agreed value must say who agreed it (by)"
        elif studies is not None and e.study not in studies:
            why = f"study {e.study!r} is not a study of this review"
        elif fields is not None and e.field not in fields:
            why = f"field {e.field!r} is not in the extraction form"
        if why:
            out.problems.append(LogIssue(shown, n, why + "; line skipped"))
            continue
        out.entries.append(e)
    return out


def reviewers(root: Path) -> list[str]:
    """Reviewers with a log under records/extraction/, sorted (not _resolved)."""
    folder = Path(root) / EXTRACTION_DIR
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.csv") if p.stem != RESOLVED_NAME and _REVIEWER.match(p.stem))
