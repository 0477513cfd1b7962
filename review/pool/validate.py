"""Reading a table for pooling: which column is which, and are the cells numbers.

A pooling table has one row per study. Its columns may use the names of the
`review` issue (``e_events, e_total, c_events, c_total``, ...) or the names of
R's metafor (``ai, bi, ci, di, n1i, n2i, ...``), in any letter case. This module
finds the columns a measure needs, turns the cells into numbers and reports
every bad cell at once: file, CSV line number, study label, column and value.
Range checks that depend on the measure (a negative SD, events above the total)
are made by :func:`review.pool.effects.escalc`; :func:`problems_error` turns its
row problems into the same one-line-per-row message.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.errors import InputError

MEASURES = ("RR", "OR", "RD", "PETO", "MD", "SMD", "ROM", "ZCOR", "IRR", "GEN")
BINARY = ("RR", "OR", "RD", "PETO")
CONTINUOUS = ("MD", "SMD", "ROM")

# role (metafor's argument name) -> accepted column names, the name first.
ALIASES: dict[str, tuple[str, ...]] = {
    "ai": ("e_events", "ai"),
    "bi": ("e_nonevents", "bi"),
    "n1i": ("e_total", "e_n", "n1i"),
    "ci": ("c_events", "ci"),
    "di": ("c_nonevents", "di"),
    "n2i": ("c_total", "c_n", "n2i"),
    "m1i": ("e_mean", "m1i"),
    "sd1i": ("e_sd", "sd1i"),
    "m2i": ("c_mean", "m2i"),
    "sd2i": ("c_sd", "sd2i"),
    "ri": ("r", "ri"),
    "ni": ("n", "ni"),
    "x1i": ("e_events", "x1i"),
    "t1i": ("e_time", "e_persontime", "t1i"),
    "x2i": ("c_events", "x2i"),
    "t2i": ("c_time", "c_persontime", "t2i"),
    "yi": ("yi",),
    "vi": ("vi",),
    "sei": ("sei", "se"),
    "estimate": ("estimate",),
    "ci_lb": ("ci_lower", "ci_lb", "ci.lb"),
    "ci_ub": ("ci_upper", "ci_ub", "ci.ub"),
}

# The name for a role, used in messages and in tidy results.
DISPLAY = {role: names[0] for role, names in ALIASES.items()}

MISSING_TOKENS = {"", "na", "nan", "n/a", "null", "none", ".", "-"}


@dataclass(frozen=True)
class CellProblem:
    """One bad cell: where it is and what is wrong."""

    line: int | None
    study: str | None
    column: str | None
    value: Any
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.study is not None:
            where.append(f"study '{self.study}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class PoolInputError(InputError):
    """Bad pooling input: ``.problems`` lists every bad cell, one line each in the message."""

    def __init__(self, problems: Sequence[CellProblem], file: str | Path | None = None):
        self.problems = list(problems)
        if len(self.problems) == 1:
            p = self.problems[0]
            study = f"study '{p.study}': " if p.study is not None else ""
            super().__init__(study + p.message, file=file, line=p.line, field=p.column)
        else:
            lines = "\n".join(f"  {p}" for p in self.problems)
            super().__init__(f"{len(self.problems)} problems:\n{lines}", file=file)


@dataclass
class PoolData:
    """A checked pooling table: numbers by metafor role, labels, and where each row came from.

    ``values`` maps a role (``ai``, ``n1i``, ``m1i``, ...) to a float array;
    ``lines`` holds the CSV line number of each row (``None`` for a DataFrame
    that did not come from a file); ``extra`` keeps the other columns as text.
    """

    studies: list[str]
    values: dict[str, Any]
    columns: dict[str, str]
    lines: list[int | None]
    source: str | None = None
    subgroup: list[str] | None = None
    extra: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def k(self) -> int:
        return len(self.studies)

    def line_of(self, study: str) -> int | None:
        """The CSV line of the first row with this study label."""
        for label, line in zip(self.studies, self.lines):
            if label == study:
                return line
        return None


def required_roles(measure: str, present: set[str]) -> list[tuple[str, ...]]:
    """The roles a measure needs; a tuple lists alternatives (the first present one is used)."""
    m = measure.upper()
    if m in BINARY:
        return [("ai",), ("n1i", "bi"), ("ci",), ("n2i", "di")]
    if m in CONTINUOUS:
        return [("m1i",), ("sd1i",), ("n1i",), ("m2i",), ("sd2i",), ("n2i",)]
    if m == "ZCOR":
        return [("ri",), ("ni",)]
    if m == "IRR":
        return [("x1i",), ("t1i",), ("x2i",), ("t2i",)]
    if m == "GEN":
        if "yi" in present or "estimate" not in present:
            return [("yi",), ("vi", "sei")]
        return [("estimate",), ("ci_lb",), ("ci_ub",)]
    raise InputError(f"unknown measure '{measure}'; use one of {', '.join(MEASURES)}")


def _find(role: str, lookup: Mapping[str, str]) -> list[str]:
    return [lookup[name] for name in ALIASES[role] if name in lookup]


def resolve_columns(
    header: Sequence[str],
    measure: str,
    columns: Mapping[str, str] | None = None,
    file: str | Path | None = None,
) -> dict[str, str]:
    """Map each role the measure needs to a column of ``header``.

    ``columns`` overrides the lookup (role or issue name -> column name), e.g.
    ``{"ai": "tpos", "bi": "tneg", "ci": "cpos", "di": "cneg"}``. Column names
    match case-insensitively. Raises InputError naming the missing column and
    the columns that are there.
    """
    lookup = {str(h).strip().lower(): str(h) for h in header}
    override: dict[str, str] = {}
    wanted_roles = {r for alts in required_roles(measure, set(ALIASES)) for r in alts}
    wanted_roles |= {r for alts in required_roles(measure, set()) for r in alts}
    for key, col in (columns or {}).items():
        roles = [r for r, names in ALIASES.items() if key.lower() == r or key.lower() in names]
        if not roles:
            raise InputError(f"'{key}' is not a column role; use one of {', '.join(ALIASES)}")
        role = next((r for r in roles if r in wanted_roles), roles[0])
        if str(col).lower() not in lookup:
            raise InputError(
                f"column '{col}' (given for {key}) is not in the file; columns are: {', '.join(map(str, header))}",
                file=file, line=1 if file else None,
            )
        override[role] = lookup[str(col).lower()]
    present = set(override)
    for role in ALIASES:
        if _find(role, lookup):
            present.add(role)
    found: dict[str, str] = {}
    for alternatives in required_roles(measure, present):
        role = next((r for r in alternatives if r in present), None)
        if role is None:
            wanted = " or ".join(
                "/".join(ALIASES[r]) for r in alternatives
            )
            raise InputError(
                f"{measure.upper()} needs a column {wanted}; columns are: {', '.join(map(str, header))}",
                file=file, line=1 if file else None, field=DISPLAY[alternatives[0]],
            )
        if role in override:
            found[role] = override[role]
            continue
        hits = _find(role, lookup)
        if len(set(hits)) > 1:
            raise InputError(
                f"columns {' and '.join(hits)} both give {DISPLAY[role]}; keep one",
                file=file, line=1 if file else None, field=DISPLAY[role],
            )
        found[role] = hits[0]
    return found


def _number(value: Any) -> tuple[float | None, bool]:
    """(number, ok): (None, True) for a missing cell, (None, False) for text that is not a number."""
    if value is None:
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, (int, float)):
        x = float(value)
        return (None, True) if math.isnan(x) else (x, True)
    try:
        import numpy as np

        if isinstance(value, np.number):
            x = float(value)
            return (None, True) if math.isnan(x) else (x, True)
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    text = str(value).strip()
    if text.lower() in MISSING_TOKENS:
        return None, True
    if re.fullmatch(r"[-+]?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        x = float(text)
    except ValueError:
        return None, False
    if math.isnan(x):
        return None, True
    if math.isinf(x):
        return None, False
    return x, True


def _is_missing(value: Any) -> bool:
    num, ok = _number(value)
    return ok and num is None


def read_table(path: str | Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Read a CSV (comma, semicolon or tab separated; UTF-8 with or without BOM).

    Returns the header, the rows as text and each row's line number in the
    file (the header is line 1). Blank lines are skipped.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text ({err.reason} at byte {err.start})", file=path) from None
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    for record in reader:
        line = start
        start = reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [h.strip() for h in record]
            continue
        if len(record) > len(header):
            extra = [c for c in record[len(header):] if c.strip()]
            if extra:
                raise InputError(
                    f"{len(record)} cells but the header has {len(header)}", file=path, line=line
                )
        record = (record + [""] * len(header))[: len(header)]
        rows.append(record)
        lines.append(line)
    if header is None:
        raise InputError("the file is empty", file=path)
    if not rows:
        raise InputError("no data rows under the header", file=path, line=1)
    return header, rows, lines


def check_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    measure: str,
    *,
    study_col: str = "study",
    columns: Mapping[str, str] | None = None,
    subgroup: str | None = None,
    lines: Sequence[int | None] | None = None,
    file: str | Path | None = None,
) -> PoolData:
    """Resolve the columns of a table and turn its cells into numbers.

    Every missing or non-numeric cell in a needed column, a missing study label
    and a missing subgroup value is collected; one :class:`PoolInputError`
    lists them all.
    """
    import numpy as np

    header = [str(h) for h in header]
    lower = {h.strip().lower(): i for i, h in enumerate(header)}
    if lines is None:
        lines = [None] * len(rows)
    where_line = 1 if file else None
    if study_col.lower() not in lower:
        raise InputError(
            f"no '{study_col}' column (one label per study is required); columns are: {', '.join(header)}",
            file=file, line=where_line, field=study_col,
        )
    roles = resolve_columns(header, measure, columns, file=file)
    sub_idx = None
    if subgroup is not None:
        if subgroup.lower() not in lower:
            raise InputError(
                f"no subgroup column '{subgroup}'; columns are: {', '.join(header)}",
                file=file, line=where_line, field=subgroup,
            )
        sub_idx = lower[subgroup.lower()]
    study_idx = lower[study_col.lower()]
    index = {h: i for i, h in enumerate(header)}
    problems: list[CellProblem] = []
    studies: list[str] = []
    for n, row in enumerate(rows):
        label = row[study_idx]
        text = "" if _is_missing(label) else str(label).strip()
        if not text:
            text = f"row {n + 1}"
            problems.append(CellProblem(lines[n], None, study_col, label, f"{study_col} is empty"))
        studies.append(text)
    values: dict[str, Any] = {}
    for role, col in roles.items():
        i = index[col]
        out = np.full(len(rows), np.nan)
        for n, row in enumerate(rows):
            num, ok = _number(row[i])
            if num is not None:
                out[n] = num
            elif ok:
                problems.append(CellProblem(lines[n], studies[n], col, row[i], f"{col} is missing"))
            else:
                problems.append(
                    CellProblem(lines[n], studies[n], col, row[i], f"{col} = '{row[i]}' is not a number")
                )
        values[role] = out
    groups = None
    if sub_idx is not None:
        groups = []
        for n, row in enumerate(rows):
            value = row[sub_idx]
            if _is_missing(value):
                problems.append(
                    CellProblem(lines[n], studies[n], header[sub_idx], value, f"{header[sub_idx]} is missing")
                )
                groups.append("")
            else:
                groups.append(str(value).strip())
    if problems:
        raise PoolInputError(problems, file=file)
    used = set(roles.values()) | {header[study_idx]}
    extra = {h: [row[i] for row in rows] for h, i in index.items() if h not in used}
    return PoolData(
        studies=studies,
        values=values,
        columns=roles,
        lines=list(lines),
        source=str(file) if file is not None else None,
        subgroup=groups,
        extra=extra,
    )


def load_csv(
    path: str | Path,
    measure: str,
    *,
    study_col: str = "study",
    columns: Mapping[str, str] | None = None,
    subgroup: str | None = None,
) -> PoolData:
    """Read and check a pooling CSV; errors name the file, line, study and value."""
    header, rows, lines = read_table(path)
    return check_table(
        header, rows, measure, study_col=study_col, columns=columns,
        subgroup=subgroup, lines=lines, file=path,
    )


def from_frame(
    data: Any,
    measure: str,
    *,
    study_col: str = "study",
    columns: Mapping[str, str] | None = None,
    subgroup: str | None = None,
    file: str | Path | None = None,
    lines: Sequence[int | None] | None = None,
) -> PoolData:
    """Check a pandas DataFrame (or a mapping of columns) as :func:`check_table` does."""
    if hasattr(data, "columns") and hasattr(data, "itertuples"):
        header = [str(c) for c in data.columns]
        rows = [list(r) for r in data.itertuples(index=False, name=None)]
    elif isinstance(data, Mapping):
        header = [str(c) for c in data]
        cols = [list(v) for v in data.values()]
        rows = [list(r) for r in zip(*cols)] if cols else []
    else:
        raise InputError("data must be a pandas DataFrame or a mapping of columns")
    if not rows:
        raise InputError("no studies in the data", file=file)
    return check_table(
        header, rows, measure, study_col=study_col, columns=columns,
        subgroup=subgroup, lines=lines, file=file,
    )


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float):
        return f"{value:g}" if math.isfinite(value) else str(value)
    return str(value)


def problems_error(problems: Sequence[Any], data: PoolData) -> PoolInputError:
    """Turn row problems from ``effects.escalc`` (study, column, value, message, row) into a PoolInputError.

    The row position (or else the study label) gives the CSV line; metafor role
    names become the column names of the user's file.
    """
    out = []
    for p in problems:
        study = getattr(p, "study", None)
        column = getattr(p, "column", None)
        row = getattr(p, "row", None)
        line = None
        if isinstance(row, int) and 0 <= row < len(data.lines):
            line = data.lines[row]
            study = data.studies[row]
        elif study is not None:
            line = data.line_of(str(study))
        col = data.columns.get(column, column) if column else None
        value = getattr(p, "value", None)
        message = str(getattr(p, "message", p))
        if col:
            message = f"{col} {message}" if value is None else f"{col} = {_show(value)} {message}"
        out.append(CellProblem(line, str(study) if study is not None else None, col, value, message))
    return PoolInputError(out, file=data.source)
