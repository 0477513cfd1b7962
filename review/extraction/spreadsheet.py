"""The spreadsheet round trip: a CSV template per study, and an all-or-nothing load.

The template has a row per study and a column per field (after ``study`` and
``label``), and a second header row of help (starting ``(help)``) saying what
each column takes. :func:`load` checks every cell and every study's blocks and
raises :class:`SheetError` listing ALL problems (row, column, value, why) when
any is wrong; otherwise it returns the values to append to the reviewer's log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from review.errors import InputError
from review.extraction.form import Form, check_study, check_value, format_value

HELP_MARK = "(help)"
FIXED = ("study", "label")


@dataclass(frozen=True)
class CellError:
    row: int  # line in the CSV file (the header is 1)
    column: str
    value: str
    why: str
    study: str = ""

    def __str__(self) -> str:
        study = f" (study {self.study!r})" if self.study else ""
        value = f", value {self.value!r}" if self.value != "" else ""
        return f"row {self.row}{study}, column {self.column}{value}: {self.why}"


class SheetError(InputError):
    """Every bad cell of a sheet; nothing was written."""

    def __init__(self, errors: Sequence[CellError], file: str | Path | None = None):
        self.errors = list(errors)
        lines = "\n".join(f"  {e}" for e in self.errors)
        super().__init__(f"{len(self.errors)} problem{'s' if len(self.errors) != 1 else ''}, nothing loaded:\n{lines}", file=file)


def _labels(studies: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    if isinstance(studies, Mapping):
        return {str(k): str(v) for k, v in studies.items()}
    return {str(s): "" for s in studies}


def template(form: Form, studies: Sequence[str] | Mapping[str, str],
             values: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """CSV text: header, help row, then a row per study (prefilled from ``values`` if given).

    ``studies`` is a list of study ids or a mapping id -> label ("Author Year").
    """
    labels = _labels(studies)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*FIXED, *(f.key for f in form.fields)])
    w.writerow([HELP_MARK, "study label (not loaded)", *(f"{f.label}: {f.describe()}" for f in form.fields)])
    for sid, label in labels.items():
        have = (values or {}).get(sid, {})
        w.writerow([sid, label, *(have.get(f.key, "") for f in form.fields)])
    return buf.getvalue()


def load(csv_text: str, form: Form, studies: Sequence[str] | Mapping[str, str],
         file: str | Path | None = None) -> list[tuple[str, str, str]]:
    """Check a filled template; return (study, field, value) for every non-empty cell.

    Raises SheetError with every problem when any cell is wrong: an unknown
    column or study, a study twice, a value of the wrong type or out of range,
    and each study's block checks (sd > 0, events <= total, q1 <= median <= q3,
    ...). Blank cells are "not given" (a sheet may be filled in several
    sittings, so what is missing is reported by the summary, not here).
    """
    known = _labels(studies)
    text = csv_text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:  # a spreadsheet saved with a European list separator, or as TSV
        delimiter = ";" if ";" in first else "\t" if "\t" in first else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as err:
        raise InputError(f"not a readable CSV: {err}", file=file) from None
    numbered = [(i, r) for i, r in enumerate(rows, start=1) if any(c.strip() for c in r)]
    if not numbered:
        raise InputError("the sheet is empty", file=file)
    _, header = numbered[0]
    header = [h.strip() for h in header]
    errors: list[CellError] = []
    if not header or header[0] != "study":
        raise InputError(f"the first column must be 'study', not {header[0] if header else ''!r}", file=file, line=1)
    columns: list[str | None] = []
    for h in header:
        if h in FIXED:
            columns.append(None)
        elif h in form.by_key:
            columns.append(h)
        else:
            columns.append(None)
            errors.append(CellError(1, h or "(blank)", "", "not a field of the extraction form"))
    dup = {h for h in header if h and header.count(h) > 1}
    for h in sorted(dup):
        errors.append(CellError(1, h, "", "column appears twice"))
    out: list[tuple[str, str, str]] = []
    seen: dict[str, int] = {}
    for line, row in numbered[1:]:
        sid = row[0].strip() if row else ""
        if sid == HELP_MARK:
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            errors.append(CellError(line, f"column {len(header) + 1}", row[len(header)].strip(), "a cell beyond the last header column"))
        if sid not in known:
            errors.append(CellError(line, "study", sid, "not an included study of this review" if sid else "study is empty"))
            continue
        if sid in seen:
            errors.append(CellError(line, "study", sid, f"study already on row {seen[sid]}", sid))
            continue
        seen[sid] = line
        typed: dict[str, object] = {}
        cells: dict[str, str] = {}
        for col, cell in zip(columns, row):
            if col is None or not cell.strip():
                continue
            value, problem = check_value(form, sid, col, cell)
            if problem:
                errors.append(CellError(line, col, cell.strip(), problem.message, sid))
                continue
            typed[col] = value
            cells[col] = format_value(value)
        for p in check_study(form, sid, typed, complete=False):
            errors.append(CellError(line, p.field, p.value, p.message, sid))
        out.extend((sid, k, v) for k, v in cells.items())
    if errors:
        raise SheetError(errors, file=file)
    return out
