"""Moderators to a model matrix, as R's ``model.matrix`` with treatment contrasts."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from review.errors import InputError

# --------------------------------------------------------------------------------------------
# moderators -> model matrix (R's model.matrix with treatment contrasts)


def _r_sort_key(x):
    """Approximate R's locale-aware sort of factor levels: case-insensitive first, then exact."""
    s = str(x)
    return (s.casefold(), s)


@dataclass(frozen=True)
class _Column:
    name: str
    levels: tuple | None  # None = numeric; else factor levels (first = reference unless full coding)
    full: bool = False     # all levels coded (first factor of a model without intercept)


@dataclass(frozen=True)
class DesignSpec:
    """How ``mods`` became the model matrix, so that ``predict(newmods)`` codes new rows alike."""

    columns: tuple
    intercept: bool
    keep: tuple | None = None  # columns kept after dropping redundant predictors (None = all)

    def rows(self, cols: dict, n: int) -> tuple[np.ndarray, list[str]]:
        parts, names = [], []
        if self.intercept:
            parts.append(np.ones((n, 1)))
            names.append("intrcpt")
        for col in self.columns:
            vals = cols[col.name]
            if col.levels is None:
                arr = _numeric_column(vals, col.name)
                parts.append(arr[:, None])
                names.append(col.name)
                continue
            vals = [_level_key(x) for x in vals]
            keys = [_level_key(x) for x in col.levels]
            unknown = sorted({str(x) for x in vals if x not in keys})
            if unknown:
                raise InputError(f"moderator {col.name!r}: level(s) {', '.join(unknown)} not in the model",
                                 field=col.name)
            use = col.levels if col.full else col.levels[1:]
            for lev in use:
                key = _level_key(lev)
                parts.append(np.array([1.0 if x == key else 0.0 for x in vals])[:, None])
                names.append(f"{col.name}{_level_label(lev)}")
        return (np.hstack(parts) if parts else np.empty((n, 0))), names

    def new_rows(self, newmods, p: int) -> np.ndarray:
        cols, n = _mods_columns(newmods, [c.name for c in self.columns])
        X, _ = self.rows(cols, n)
        if self.keep is not None:
            X = X[:, list(self.keep)]
        if X.shape[1] != p:
            raise InputError(f"newmods give {X.shape[1]} columns, the model has {p}")
        return X


def _level_key(x):
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (float, np.floating)) and float(x).is_integer():
        return int(x)
    return x


def _level_label(x) -> str:
    if isinstance(x, (bool, np.bool_)):
        return "TRUE" if x else "FALSE"
    return str(x)


def _numeric_column(vals, name: str) -> np.ndarray:
    try:
        arr = np.asarray(vals, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InputError(f"moderator {name!r} mixes numbers and text", field=name) from None
    if not np.all(np.isfinite(arr)):
        bad = ", ".join(str(int(i) + 1) for i in np.flatnonzero(~np.isfinite(arr)))
        raise InputError(f"moderator {name!r} is missing or not a number in row(s) {bad}", field=name)
    return arr


def _mods_columns(mods, default_names: list[str] | None = None) -> tuple[dict, int]:
    """Split ``mods`` (array, DataFrame, dict) into named columns; return (columns, n rows)."""
    if hasattr(mods, "columns") and hasattr(mods, "__getitem__"):  # pandas DataFrame
        cols = {str(c): mods[c] for c in mods.columns}
    elif isinstance(mods, dict):
        cols = {str(c): v for c, v in mods.items()}
    else:
        arr = np.asarray(mods, dtype=object)
        if arr.ndim == 1:
            name = default_names[0] if default_names else "mods"
            cols = {name: list(arr)}
        elif arr.ndim == 2:
            names = default_names or [f"X{j + 1}" for j in range(arr.shape[1])]
            if len(names) != arr.shape[1]:
                raise InputError(f"mods has {arr.shape[1]} columns, expected {len(names)}", field="mods")
            cols = {names[j]: list(arr[:, j]) for j in range(arr.shape[1])}
        else:
            raise InputError("mods must be a vector, a matrix, a DataFrame or a dict of columns", field="mods")
    lengths = {len(v) for v in cols.values()}
    if len(lengths) > 1:
        raise InputError("moderator columns differ in length", field="mods")
    return cols, (lengths.pop() if lengths else 0)


def _is_numeric(vals) -> bool:
    dtype = getattr(vals, "dtype", None)
    if dtype is not None and str(dtype) in ("category", "bool", "boolean"):
        return False
    if dtype is not None and getattr(dtype, "kind", "O") in "iuf":
        return True
    items = list(vals)
    return bool(items) and all(isinstance(x, (int, float, np.integer, np.floating))
                               and not isinstance(x, (bool, np.bool_)) for x in items)


def factor_levels(vals, name: str = "group") -> tuple:
    """Levels of a categorical column in R's order: pandas Categorical order (unused levels
    dropped, as ``factor()`` does), FALSE/TRUE for bools, else sorted like R's ``sort``."""
    cats = getattr(getattr(vals, "cat", None), "categories", None)
    items = [_level_key(x) for x in list(vals)]
    missing = [i + 1 for i, x in enumerate(items) if x is None or (isinstance(x, float) and math.isnan(x))]
    if missing:
        raise InputError(f"{name!r} is missing in row(s) {', '.join(map(str, missing))}", field=name)
    present = set(items)
    if cats is not None:
        return tuple(_level_key(c) for c in cats if _level_key(c) in present)
    if all(isinstance(x, bool) for x in items):
        return tuple(x for x in (False, True) if x in present)
    return tuple(sorted(present, key=_r_sort_key))


def build_design(mods, k: int, intercept: bool = True) -> tuple[np.ndarray, list[str], DesignSpec]:
    """Model matrix and coefficient names for ``mods`` (R's ``model.matrix(~ ...)`` conventions).

    Numeric columns enter as they are; other columns (text, bool, pandas Categorical) are
    dummy-coded with treatment contrasts, the first level (Categorical order, else R-like sorted
    order) being the reference; without an intercept the first factor keeps all its levels
    (R's ``~ factor(g) - 1``). Names are ``<column><level>``; a 1-D array is named "mods" and the
    columns of an unnamed 2-D array "X1", "X2", ...
    """
    if mods is None:
        if not intercept:
            raise InputError("a model without moderators needs the intercept", field="mods")
        return np.ones((k, 1)), ["intrcpt"], DesignSpec((), True)
    cols, n = _mods_columns(mods)
    if n != k:
        raise InputError(f"mods have {n} rows for {k} studies", field="mods")
    spec_cols = []
    full_used = intercept
    for name, vals in cols.items():
        if _is_numeric(vals):
            spec_cols.append(_Column(name, None))
            continue
        levels = factor_levels(vals, name)
        if len(levels) < 2:
            raise InputError(f"moderator {name!r} has only one level ({_level_label(levels[0])}); "
                             "a factor needs two or more", field=name)
        spec_cols.append(_Column(name, levels, full=not full_used))
        full_used = True
    spec = DesignSpec(tuple(spec_cols), intercept)
    X, names = spec.rows(cols, k)
    return X, names, spec
