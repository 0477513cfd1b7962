"""Append-only decision logs: the one reader and writer behind every ``records/<stage>/<reviewer>.csv``.

Dedup answers, screening decisions and extraction values are all kept the same
way: a CSV file with a header, one line per decision, appended and fsynced,
never rewritten. This module knows the file; each stage knows its columns'
meaning. Reading never raises for the content:

* a BOM, CRLF line ends, blank lines and repeated header lines are passed over;
* a header that names other columns is a problem on its line;
* the last line is a *warning* and skipped when it was cut off by a crash: it has
  no line end (the tool writes each line and its newline in one fsynced write,
  so such a line was never confirmed), the wrong number of fields, or is not
  readable CSV; a line of zero bytes (left by a crash) is a warning too;
* any other line with the wrong number of fields or broken quoting is a
  *problem* naming file and line, and every other line is still read.

A stage walks `rows()` and adds its own problems (unknown id, bad value) to the
same `LogRead`, so all issues come out in line order.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from review.errors import InputError

E = TypeVar("E")

SKIPPED = "; line skipped"
TORN_SKIPPED = "; skipped, the rest kept"


@dataclass(frozen=True)
class LogIssue:
    """A line that was not honoured: where it is, why, and (when known) which column and record.

    ``str()`` is the one line a user sees: ``file, line n: message``. The
    column is kept for programs (``field``); the message already names it.
    """

    file: str
    line: int
    message: str
    field: str = ""
    record_id: str = ""

    def __str__(self) -> str:
        return str(InputError(self.message, file=self.file, line=self.line))


@dataclass
class LogRead(Generic[E]):
    """What one log holds: the valid entries in order, and the lines that were skipped."""

    file: str
    entries: list[E] = field(default_factory=list)
    problems: list[LogIssue] = field(default_factory=list)
    warnings: list[LogIssue] = field(default_factory=list)

    def problem(self, line: int, why: str, *, field: str = "", record_id: str = "") -> None:
        """Skip a bad line: `why` says what is wrong with it."""
        self.problems.append(LogIssue(self.file, line, why + SKIPPED, field, record_id))

    def warning(self, line: int, why: str) -> None:
        """Skip a line a crash left behind (torn or zero-filled)."""
        self.warnings.append(LogIssue(self.file, line, why + TORN_SKIPPED))

    def issues(self) -> list[LogIssue]:
        """Problems and warnings together, in line order."""
        return sorted([*self.problems, *self.warnings], key=lambda i: i.line)


@dataclass(frozen=True)
class Row:
    """One well-formed line: its number in the file and its fields, stripped, one per column."""

    line: int
    fields: tuple[str, ...]


def now(fraction: bool = False) -> str:
    """The time column: UTC, ISO 8601 with a Z, to the second (or microsecond with `fraction`)."""
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if fraction else "%Y-%m-%dT%H:%M:%SZ"
    return _dt.datetime.now(_dt.timezone.utc).strftime(fmt)


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when there is no file yet (an empty log)."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None


def rows(read: LogRead, data: bytes | str | None, columns: Sequence[str]) -> Iterator[Row]:
    """The well-formed lines of a log's content, in order; the others become issues on `read`.

    `data` is the file's bytes (UTF-8; a byte that is not becomes U+FFFD) or
    its text. A line is well formed when it is readable CSV with one field per
    column. The header (matched without regard to case or spaces) may stand on
    any line; a first line whose first field is the first column's name but
    whose other fields are not the header is reported as a wrong header.
    """
    if not data:
        return
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    text = text.removeprefix("\ufeff")
    torn = not text.endswith("\n")
    lines = text.split("\n")
    if not torn:
        lines.pop()  # the empty piece after the final newline
    header = [c.lower() for c in columns]
    width = len(columns)
    names = ", ".join(columns)
    first = True
    for n, raw in enumerate(lines, start=1):
        raw = raw.removesuffix("\r")
        if not raw.strip():
            continue
        if not raw.strip("\x00"):
            read.warning(n, "zero bytes (left by a crash?)")
            continue
        try:
            fields: list[str] | None = next(csv.reader([raw], strict=True), [])
            error = ""
        except csv.Error as err:
            fields, error = None, str(err)
        if fields is not None and [f.strip().lower() for f in fields] == header:
            first = False
            continue
        if n == len(lines) and (torn or fields is None or len(fields) != width):
            why = ("has no line end" if torn else "is not readable CSV" if fields is None
                   else f"has {len(fields)} fields, not {width}")
            read.warning(n, f"last line {why} (an incomplete write, cut off by a crash?)")
            continue
        was_first, first = first, False
        if was_first and fields and fields[0].strip().lower() == header[0]:
            read.problem(n, f"header must be {','.join(columns)}")
            continue
        if fields is None:
            read.problem(n, f"unreadable CSV ({error}), expected {width} fields ({names})")
            continue
        if len(fields) != width:
            read.problem(n, f"{len(fields)} fields, expected {width} fields ({names})")
            continue
        yield Row(n, tuple(f.strip() for f in fields))


def csv_line(values: Iterable[str]) -> str:
    """One CSV line, newline-terminated, quoted as needed (free text must not hold a newline)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(list(values))
    return buf.getvalue()


def append(path: Path, lines: Sequence[str], columns: Sequence[str]) -> None:
    """Append whole lines durably in one write (flushed and fsynced before returning).

    A new or empty file gets the header in the same write. If the file ends in a
    torn line (no newline), a newline goes first, so the torn piece stays a line
    of its own (reported on reading) and never glues onto the new data.
    """
    from review.workspace import append_line

    if not lines:
        return
    path = Path(path)
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    size = path.stat().st_size if path.exists() else 0
    if size == 0:
        text = ",".join(columns) + "\n" + text
    else:
        with open(path, "rb") as fh:
            fh.seek(-1, 2)
            if fh.read(1) != b"\n":
                text = "\n" + text
    append_line(path, text)
