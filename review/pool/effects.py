"""Per-study effect sizes and their sampling variances, as R's ``metafor::escalc``.

The formulas, defaults and zero-cell conventions follow metafor 3.8 so that the
numbers agree with it to rounding error: 1/2 is added to every cell of a study
with a zero cell (``add=0.5, to="only0"``), double-zero studies are kept unless
``drop00=True``, Hedges' g uses the exact small-sample correction (a ratio of
gamma functions), ratio measures are on the log scale and correlations on
Fisher's z scale for ZCOR.

Bad input is collected row by row and raised once, as :class:`EffectSizeError`
with one :class:`RowProblem` per offending cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from review.errors import InputError

__all__ = [
    "MEASURES",
    "RATIO_MEASURES",
    "EffectSizes",
    "EffectSizeError",
    "RowProblem",
    "columns_from_frame",
    "escalc",
    "hedges_correction",
]

MEASURES = ("RR", "OR", "RD", "PETO", "MD", "SMD", "SMDH", "ROM", "ZCOR", "COR", "IRR", "GEN")
#: measures whose yi is a log ratio (exponentiate to report)
RATIO_MEASURES = frozenset({"RR", "OR", "PETO", "ROM", "IRR"})

_BINARY = ("RR", "OR", "RD", "PETO")
_CONTINUOUS = ("MD", "SMD", "SMDH", "ROM")
_VTYPES = {
    "RR": ("LS",),
    "OR": ("LS",),
    "PETO": ("LS",),
    "RD": ("LS", "UB"),
    "MD": ("LS", "HO"),
    "SMD": ("LS", "UB", "LS2", "RM5"),
    "SMDH": ("LS",),
    "ROM": ("LS", "HO"),
    "ZCOR": ("LS",),
    "COR": ("LS",),
    "IRR": ("LS",),
    "GEN": ("LS",),
}


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class RowProblem:
    """One bad cell: which study, which column, the value found and what is wrong.

    ``str()`` gives the line a user sees, e.g.
    ``study 'Smith 2010': sd1i = -2.1 must be > 0``. ``row`` is the 0-based
    position of the study in the input. When the data have no study labels,
    ``study`` is ``"row 3"`` (1-based, for people) and ``labelled`` is False.
    """

    study: str
    column: str
    value: Any
    message: str
    row: int | None = None
    labelled: bool = True

    def __str__(self) -> str:
        who = f"study '{self.study}'" if self.labelled else self.study
        if self.value is None:
            return f"{who}: {self.column} {self.message}"
        return f"{who}: {self.column} = {_fmt(self.value)} {self.message}"


class EffectSizeError(InputError):
    """Bad rows in effect-size input; ``.problems`` lists every one of them.

    The message has one line per problem, in row order.
    """

    def __init__(self, problems: Sequence[RowProblem], file: str | None = None):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems), file=file)


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float):
        return f"{value:g}" if math.isfinite(value) else str(value)
    return str(value)


# --------------------------------------------------------------------------- result


@dataclass
class EffectSizes:
    """Per-study effect sizes: ``yi`` (model scale) and sampling variances ``vi``.

    ``notes`` has one entry per study ("" when there is nothing to say), e.g. that a
    continuity correction was added or that a double-zero study was dropped. Dropped
    or inestimable studies have ``yi = vi = nan`` and stay in place, as in metafor.
    """

    measure: str
    yi: np.ndarray
    vi: np.ndarray
    studies: tuple[str, ...]
    notes: tuple[str, ...]
    vtype: str = "LS"

    @property
    def sei(self) -> np.ndarray:
        """Standard errors, ``sqrt(vi)``."""
        return np.sqrt(self.vi)

    @property
    def k(self) -> int:
        return int(self.yi.shape[0])

    @property
    def log_scale(self) -> bool:
        """True for ratio measures (yi is a log ratio)."""
        return self.measure in RATIO_MEASURES

    @property
    def estimable(self) -> np.ndarray:
        """Boolean mask of studies with finite yi and vi."""
        return np.isfinite(self.yi) & np.isfinite(self.vi)

    def to_frame(self):
        """A tidy DataFrame: study, yi, vi, sei, note."""
        import pandas as pd

        return pd.DataFrame(
            {"study": list(self.studies), "yi": self.yi, "vi": self.vi, "sei": self.sei, "note": list(self.notes)}
        )


# --------------------------------------------------------------------------- input checks


class _Rows:
    """Converts columns to float arrays and collects problems per row."""

    def __init__(self, k: int, studies: Sequence[str] | None, names: Mapping[str, str] | None):
        self.k = k
        self.labelled = studies is not None
        self.studies = tuple(str(s) for s in studies) if studies is not None else tuple(
            f"row {i + 1}" for i in range(k)
        )
        self.names = dict(names or {})
        self.problems: list[tuple[int, int, RowProblem]] = []
        self._order = 0

    def add(self, i: int, column: str, value: Any, message: str) -> None:
        self._order += 1
        prob = RowProblem(self.studies[i], self.names.get(column, column), value, message, i, self.labelled)
        self.problems.append((i, self._order, prob))

    def numeric(self, column: str, values: Any) -> np.ndarray:
        """Float array of ``values``; missing or non-numeric cells become problems (and nan)."""
        arr = np.asarray(values)
        if arr.ndim == 0:
            arr = arr.reshape(1)
        if arr.shape[0] != self.k:
            raise InputError(f"column {self.names.get(column, column)} has {arr.shape[0]} values, expected {self.k}")
        not_number: set[int] = set()
        if arr.dtype.kind in "fiub":
            out = arr.astype(float)
        else:
            out = np.empty(self.k)
            for i, v in enumerate(arr.tolist()):
                out[i] = _to_float(v)
                if math.isnan(out[i]) and not _is_missing(v):
                    self.add(i, column, v, "is not a number")
                    not_number.add(i)
        for i in np.flatnonzero(np.isnan(out)):
            if int(i) not in not_number:
                self.add(int(i), column, None, "is missing")
        for i in np.flatnonzero(np.isinf(out)):
            self.add(int(i), column, float(out[i]), "must be finite")
        return out

    def check(self, column: str, values: np.ndarray, bad: np.ndarray, message: str) -> None:
        """Record a problem for every row where ``bad`` is true (nan rows are skipped)."""
        bad = np.asarray(bad) & ~np.isnan(values)
        for i in np.flatnonzero(bad):
            self.add(int(i), column, _py(values[i]), message)

    def raise_if_any(self) -> None:
        if self.problems:
            self.problems.sort(key=lambda t: (t[0], t[1]))
            raise EffectSizeError([p for _, _, p in self.problems])


def _py(v: float) -> int | float:
    v = float(v)
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and v.strip().upper() in ("", "NA", "NAN", "N/A", "NULL", "."):
        return True
    return type(v).__name__ in ("NAType", "NaTType")


def _to_float(v: Any) -> float:
    if _is_missing(v):
        return math.nan
    if isinstance(v, str):
        v = v.strip()
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


# --------------------------------------------------------------------------- corrections


def hedges_correction(m: Any, exact: bool = True) -> np.ndarray:
    """Hedges' small-sample correction factor J(m) for m degrees of freedom.

    Exact: ``J(m) = Gamma(m/2) / (sqrt(m/2) * Gamma((m-1)/2))`` (metafor, R's meta).
    Approximate: ``1 - 3/(4m - 1)`` (Hedges 1981; RevMan 5 writes it
    ``1 - 3/(4N - 9)`` with ``N = m + 2``). ``nan`` where m <= 1.

    References
    ----------
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size
    and related estimators. Journal of Educational Statistics, 6(2), 107-128.
    """
    from scipy.special import gammaln

    m = np.asarray(m, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if exact:
            j = np.exp(gammaln(m / 2) - np.log(np.sqrt(m / 2)) - gammaln((m - 1) / 2))
        else:
            j = 1 - 3 / (4 * m - 1)
    return np.where(m > 1, j, np.nan)


def _correct_cells(cells: list[np.ndarray], zero: np.ndarray, add: float, to: str, notes: list[str]):
    """Add ``add`` to every cell of the studies ``to`` selects (metafor's add/to)."""
    if to not in ("all", "only0", "if0all", "none"):
        raise InputError(f"to = {to!r} must be one of 'all', 'only0', 'if0all', 'none'", field="to")
    if to == "none" or add == 0:
        return cells, np.zeros_like(zero)
    if to == "all":
        sel = np.ones_like(zero)
    elif to == "only0":
        sel = zero.copy()
    else:  # if0all
        sel = np.full_like(zero, bool(zero.any()))
    for i in np.flatnonzero(sel & zero):
        _note(notes, int(i), f"{add:g} added to each cell (zero cell)")
    return [c + np.where(sel, add, 0.0) for c in cells], sel


def _note(notes: list[str], i: int, text: str) -> None:
    notes[i] = f"{notes[i]}; {text}" if notes[i] else text


# --------------------------------------------------------------------------- escalc


def escalc(
    measure: str,
    *,
    ai: Any = None,
    bi: Any = None,
    ci: Any = None,
    di: Any = None,
    n1i: Any = None,
    n2i: Any = None,
    m1i: Any = None,
    m2i: Any = None,
    sd1i: Any = None,
    sd2i: Any = None,
    ri: Any = None,
    ni: Any = None,
    x1i: Any = None,
    x2i: Any = None,
    t1i: Any = None,
    t2i: Any = None,
    yi: Any = None,
    vi: Any = None,
    sei: Any = None,
    estimate: Any = None,
    ci_lb: Any = None,
    ci_ub: Any = None,
    ratio: bool = False,
    level: float = 95,
    add: float = 0.5,
    to: str = "only0",
    drop00: bool = False,
    vtype: str = "LS",
    correct: bool | str = True,
    studies: Sequence[Any] | None = None,
    slab: Sequence[Any] | None = None,
    column_names: Mapping[str, str] | None = None,
) -> EffectSizes:
    """Effect sizes and sampling variances per study, as ``metafor::escalc``.

    Parameters
    ----------
    measure : {"RR", "OR", "RD", "PETO", "MD", "SMD", "SMDH", "ROM", "ZCOR", "COR", "IRR", "GEN"}
        RR/OR/RD/PETO from 2x2 counts (``ai, ci`` with ``bi, di`` or ``n1i, n2i``);
        MD, SMD (Hedges' g), SMDH (Bonett's g for unequal variances) and ROM (log
        ratio of means) from ``m1i, sd1i, n1i, m2i, sd2i, n2i``; ZCOR (Fisher's z)
        and COR from ``ri, ni``; IRR (log incidence rate ratio) from events
        ``x1i, x2i`` and person-time ``t1i, t2i``; GEN from ``yi`` with ``vi`` or
        ``sei``, or from ``estimate`` with ``ci_lb, ci_ub``.
    ratio : bool
        GEN only: ``estimate, ci_lb, ci_ub`` are ratios (OR, RR, HR); yi is then
        ``log(estimate)`` and ``sei = (log ub - log lb) / (2 z)``.
    level : float
        GEN only: confidence level of the given interval (95 -> z = qnorm(.975)).
    add, to, drop00 : float, str, bool
        Zero-cell handling for 2x2 tables and IRR, as metafor: ``add`` is added to
        every cell of the studies ``to`` selects ("only0": studies with a zero cell,
        the default; "all"; "if0all": all studies if any has a zero cell; "none").
        ``drop00=True`` sets yi/vi of studies without events (or without non-events)
        in both groups to nan before any correction.
    vtype : str
        Variance estimator: "LS" (default, large-sample) everywhere; "UB" for RD
        (divides by n-1) and SMD (unbiased); "HO" for MD and ROM (pooled SD);
        "LS2" for SMD (metafor's ``cmi^2 (1/n1 + 1/n2 + d^2/(2N))``); "RM5" for SMD
        (RevMan 5: ``1/n1 + 1/n2 + g^2 / (2 (N - 3.94))``).
    correct : bool or "approx"
        SMD/SMDH small-sample correction: True is metafor's exact gamma-function
        factor; "approx" is Hedges' ``1 - 3/(4m - 1)`` that RevMan uses; False none.
    studies, slab : sequence, optional
        Study labels used in notes and error messages (``slab`` is metafor's name).
    column_names : mapping, optional
        metafor name -> the user's column name, so messages name the user's column.

    Returns
    -------
    EffectSizes

    Raises
    ------
    EffectSizeError
        Listing every bad cell (missing, not a number, negative count, events above
        the group size, SD <= 0, n < 2, r outside [-1, 1], ...).

    References
    ----------
    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package.
    Journal of Statistical Software, 36(3), 1-48.
    Hedges, L. V. (1981). Journal of Educational Statistics, 6(2), 107-128.
    Bonett, D. G. (2009). Meta-analytic interval estimation for standardized and
    unstandardized mean differences. Psychological Methods, 14(3), 225-238.

    Examples
    --------
    >>> es = escalc("OR", ai=[4, 0], bi=[119, 20], ci=[11, 3], di=[128, 17])
    >>> round(float(es.yi[0]), 4), es.notes[1]
    (-0.9387, '0.5 added to each cell (zero cell)')
    """
    measure = str(measure).upper()
    if measure not in MEASURES:
        raise InputError(f"measure {measure!r} is not one of {', '.join(MEASURES)}", field="measure")
    vtype = str(vtype).upper()
    if vtype not in _VTYPES[measure]:
        raise InputError(
            f"vtype {vtype!r} is not available for {measure} (use {', '.join(_VTYPES[measure])})", field="vtype"
        )
    given = {
        name: val
        for name, val in dict(
            ai=ai, bi=bi, ci=ci, di=di, n1i=n1i, n2i=n2i, m1i=m1i, m2i=m2i, sd1i=sd1i, sd2i=sd2i,
            ri=ri, ni=ni, x1i=x1i, x2i=x2i, t1i=t1i, t2i=t2i, yi=yi, vi=vi, sei=sei,
            estimate=estimate, ci_lb=ci_lb, ci_ub=ci_ub,
        ).items()
        if val is not None
    }
    if not given:
        raise InputError(f"measure {measure} needs data columns; none were given")
    if studies is None and slab is not None:
        studies = slab
    if studies is not None:
        studies = [str(s) for s in studies]
    k = _length(next(iter(given.values())))
    if studies is not None and len(studies) != k:
        raise InputError(f"{len(studies)} study labels for {k} rows")
    rows = _Rows(k, studies, column_names)
    notes = [""] * k
    if measure in _BINARY:
        y, v = _binary(measure, rows, given, notes, add, to, drop00, vtype)
    elif measure in _CONTINUOUS:
        y, v = _continuous(measure, rows, given, vtype, correct)
    elif measure in ("ZCOR", "COR"):
        y, v = _correlation(measure, rows, given)
    elif measure == "IRR":
        y, v = _irr(rows, given, notes, add, to, drop00)
    else:
        y, v = _generic(rows, given, notes, ratio, level)
    bad = ~(np.isfinite(y) & np.isfinite(v))
    for i in np.flatnonzero(bad):
        if not notes[i]:
            _note(notes, int(i), "not estimable")
    y = np.where(bad, np.nan, y)
    v = np.where(bad, np.nan, v)
    return EffectSizes(measure, y, v, rows.studies, tuple(notes), vtype)


def _length(values: Any) -> int:
    return int(np.atleast_1d(np.asarray(values, dtype=object)).shape[0])


def _need(rows: _Rows, given: Mapping[str, Any], measure: str, *names: str) -> list[np.ndarray]:
    missing = [n for n in names if n not in given]
    if missing:
        cols = ", ".join(rows.names.get(n, n) for n in missing)
        raise InputError(f"measure {measure} needs {cols}", field=missing[0])
    return [rows.numeric(n, given[n]) for n in names]


def _binary(measure, rows, given, notes, add, to, drop00, vtype):
    (a, c) = _need(rows, given, measure, "ai", "ci")
    groups = []
    for ev, non, tot in (("ai", "bi", "n1i"), ("ci", "di", "n2i")):
        e = a if ev == "ai" else c
        rows.check(ev, e, e < 0, "must be >= 0")
        if non in given:
            b = rows.numeric(non, given[non])
            rows.check(non, b, b < 0, "must be >= 0")
        elif tot in given:
            n = rows.numeric(tot, given[tot])
            rows.check(tot, n, n <= 0, "must be > 0")
            over = (e > n) & (n > 0) & ~np.isnan(e)
            for i in np.flatnonzero(over):
                rows.add(int(i), ev, _py(e[i]), f"is more than {rows.names.get(tot, tot)} = {_py(n[i])}")
            b = n - e
        else:
            raise InputError(
                f"measure {measure} needs {rows.names.get(non, non)} or {rows.names.get(tot, tot)}", field=tot
            )
        groups.append(b)
    b, d = groups
    if "n1i" not in given:
        rows.check("bi", b, (a + b == 0) & (a == 0), "leaves group 1 without participants")
    if "n2i" not in given:
        rows.check("di", d, (c + d == 0) & (c == 0), "leaves group 2 without participants")
    rows.raise_if_any()
    both0 = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    for i in np.flatnonzero(both0):
        what = "no events in either group" if a[i] == 0 and c[i] == 0 else "everyone had the event in both groups"
        _note(notes, int(i), what + ("; dropped (drop00)" if drop00 else ""))
    keep = ~both0 if drop00 else np.ones(rows.k, bool)
    zero = ((a == 0) | (b == 0) | (c == 0) | (d == 0)) & keep
    (a, b, c, d), _ = _correct_cells([a, b, c, d], zero, add, to, notes)
    n1, n2 = a + b, c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "RR":
            y = np.log(a / n1) - np.log(c / n2)
            v = 1 / a - 1 / n1 + 1 / c - 1 / n2
        elif measure == "OR":
            y = np.log(a * d / (b * c))
            v = 1 / a + 1 / b + 1 / c + 1 / d
        elif measure == "RD":
            p1, p2 = a / n1, c / n2
            y = p1 - p2
            if vtype == "UB":
                v = p1 * (1 - p1) / (n1 - 1) + p2 * (1 - p2) / (n2 - 1)
            else:
                v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
        else:  # PETO: (O - E) / V, 1 / V with the hypergeometric variance V
            n = n1 + n2
            xt, yt = a + c, b + d
            ei = xt * n1 / n
            vv = xt * yt * (n1 / n) * (n2 / n) / (n - 1)
            y = (a - ei) / vv
            v = 1 / vv
    y = np.where(keep, y, np.nan)
    v = np.where(keep, v, np.nan)
    return y, v


def _continuous(measure, rows, given, vtype, correct):
    m1, sd1, n1, m2, sd2, n2 = _need(rows, given, measure, "m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")
    for name, sd in (("sd1i", sd1), ("sd2i", sd2)):
        rows.check(name, sd, sd <= 0, "must be > 0")
    for name, n in (("n1i", n1), ("n2i", n2)):
        rows.check(name, n, n < 2, "must be >= 2")
    if measure == "ROM":
        for name, m in (("m1i", m1), ("m2i", m2)):
            rows.check(name, m, m <= 0, "must be > 0 for ROM (log ratio of means)")
    rows.raise_if_any()
    big_n = n1 + n2
    pooled_var = ((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (big_n - 2)
    if measure == "MD":
        y = m1 - m2
        v = pooled_var * (1 / n1 + 1 / n2) if vtype == "HO" else sd1**2 / n1 + sd2**2 / n2
        return y, v
    if measure == "ROM":
        y = np.log(m1 / m2)
        if vtype == "HO":
            v = pooled_var / (n1 * m1**2) + pooled_var / (n2 * m2**2)
        else:
            v = sd1**2 / (n1 * m1**2) + sd2**2 / (n2 * m2**2)
        return y, v
    mi = big_n - 2
    if correct is True or correct == "exact":
        cmi = hedges_correction(mi)
    elif correct == "approx":
        cmi = hedges_correction(mi, exact=False)
    elif correct is False or correct == "none":
        cmi = np.ones_like(mi)
    else:
        raise InputError(f"correct = {correct!r} must be True, False or 'approx'", field="correct")
    if measure == "SMDH":
        s2 = (sd1**2 + sd2**2) / 2
        d = (m1 - m2) / np.sqrt(s2)
        y = cmi * d
        # Bonett (2009) variance; metafor 3.8 scales it by cmi^2 (kept, to agree with it)
        v = cmi**2 * (
            y**2 * (sd1**4 / (n1 - 1) + sd2**4 / (n2 - 1)) / (8 * s2**2)
            + (sd1**2 / (n1 - 1) + sd2**2 / (n2 - 1)) / s2
        )
        return y, v
    d = (m1 - m2) / np.sqrt(pooled_var)
    y = cmi * d
    if vtype == "UB":
        v = 1 / n1 + 1 / n2 + (1 - (mi - 2) / (mi * cmi**2)) * y**2
    elif vtype == "LS2":
        v = cmi**2 * (1 / n1 + 1 / n2 + d**2 / (2 * big_n))
    elif vtype == "RM5":
        v = 1 / n1 + 1 / n2 + y**2 / (2 * (big_n - 3.94))
    else:
        v = 1 / n1 + 1 / n2 + y**2 / (2 * big_n)
    return y, v


def _correlation(measure, rows, given):
    r, n = _need(rows, given, measure, "ri", "ni")
    if measure == "ZCOR":
        rows.check("ri", r, np.abs(r) >= 1, "must be between -1 and 1 (exclusive) for ZCOR")
        rows.check("ni", n, n <= 3, "must be > 3 for ZCOR (variance 1/(n-3))")
    else:
        rows.check("ri", r, np.abs(r) > 1, "must be between -1 and 1")
        rows.check("ni", n, n < 2, "must be >= 2")
    rows.raise_if_any()
    if measure == "ZCOR":
        return np.arctanh(r), 1 / (n - 3)
    return r.copy(), (1 - r**2) ** 2 / (n - 1)


def _irr(rows, given, notes, add, to, drop00):
    x1, t1, x2, t2 = _need(rows, given, "IRR", "x1i", "t1i", "x2i", "t2i")
    for name, x in (("x1i", x1), ("x2i", x2)):
        rows.check(name, x, x < 0, "must be >= 0")
    for name, t in (("t1i", t1), ("t2i", t2)):
        rows.check(name, t, t <= 0, "must be > 0")
    rows.raise_if_any()
    both0 = (x1 == 0) & (x2 == 0)
    for i in np.flatnonzero(both0):
        _note(notes, int(i), "no events in either group" + ("; dropped (drop00)" if drop00 else ""))
    keep = ~both0 if drop00 else np.ones(rows.k, bool)
    zero = ((x1 == 0) | (x2 == 0)) & keep
    (x1, x2), _ = _correct_cells([x1, x2], zero, add, to, notes)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(x1 / t1) - np.log(x2 / t2)
        v = 1 / x1 + 1 / x2
    return np.where(keep, y, np.nan), np.where(keep, v, np.nan)


def _generic(rows, given, notes, ratio, level):
    from review import dist

    if "yi" in given:
        (y,) = _need(rows, given, "GEN", "yi")
        if "vi" in given:
            (v,) = _need(rows, given, "GEN", "vi")
            rows.check("vi", v, v <= 0, "must be > 0")
        elif "sei" in given:
            (s,) = _need(rows, given, "GEN", "sei")
            rows.check("sei", s, s <= 0, "must be > 0")
            v = s**2
        else:
            raise InputError("measure GEN needs vi or sei beside yi", field="vi")
        rows.raise_if_any()
        return y, v
    if "estimate" not in given:
        raise InputError("measure GEN needs yi with vi or sei, or estimate with ci_lb and ci_ub", field="yi")
    est, lb, ub = _need(rows, given, "GEN", "estimate", "ci_lb", "ci_ub")
    if ratio:
        for name, x in (("estimate", est), ("ci_lb", lb), ("ci_ub", ub)):
            rows.check(name, x, x <= 0, "must be > 0 for a ratio (it is log-transformed)")
    rows.check("ci_ub", ub, ub <= lb, "must be above ci_lb")
    rows.raise_if_any()
    if ratio:
        est, lb, ub = np.log(est), np.log(lb), np.log(ub)
    z = dist.norm_ppf(1 - (1 - level / 100) / 2)
    se = (ub - lb) / (2 * z)
    outside = (est < lb) | (est > ub)
    lopsided = np.abs((ub - est) - (est - lb)) > 0.1 * (ub - lb)
    for i in np.flatnonzero(outside):
        _note(notes, int(i), "estimate lies outside its CI")
    for i in np.flatnonzero(lopsided & ~outside):
        scale = "log" if ratio else "given"
        _note(notes, int(i), f"CI is not symmetric around the estimate on the {scale} scale")
    return est, se**2


# --------------------------------------------------------------------------- data frames

#: metafor name -> other column names accepted (the issue's user-facing names first)
_ALIASES: dict[str, tuple[str, ...]] = {
    "ai": ("e_events",),
    "bi": ("e_nonevents",),
    "ci": ("c_events",),
    "di": ("c_nonevents",),
    "n1i": ("e_total", "e_n"),
    "n2i": ("c_total", "c_n"),
    "m1i": ("e_mean",),
    "m2i": ("c_mean",),
    "sd1i": ("e_sd",),
    "sd2i": ("c_sd",),
    "ri": ("r",),
    "ni": ("n",),
    "x1i": ("e_events",),
    "x2i": ("c_events",),
    "t1i": ("e_time", "e_persontime", "e_person_time"),
    "t2i": ("c_time", "c_persontime", "c_person_time"),
    "yi": (),
    "vi": (),
    "sei": ("se",),
    "estimate": ("est",),
    "ci_lb": ("ci_lower", "lower"),
    "ci_ub": ("ci_upper", "upper"),
}

#: per measure: the inputs, each a tuple of alternatives (the first one found is used)
_NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    **{m: (("ai",), ("bi", "n1i"), ("ci",), ("di", "n2i")) for m in _BINARY},
    **{m: (("m1i",), ("sd1i",), ("n1i",), ("m2i",), ("sd2i",), ("n2i",)) for m in _CONTINUOUS},
    "ZCOR": (("ri",), ("ni",)),
    "COR": (("ri",), ("ni",)),
    "IRR": (("x1i",), ("t1i",), ("x2i",), ("t2i",)),
}

_STUDY_COLUMNS = ("study", "slab", "label")


def columns_from_frame(df: Any, measure: str, study: str | None = None) -> dict[str, Any]:
    """Map a DataFrame's columns (the issue's names or metafor's) to :func:`escalc` keywords.

    Accepted names, matched case-insensitively: binary ``e_events, e_total,
    c_events, c_total`` (or ``ai, bi|n1i, ci, di|n2i``); continuous ``e_mean, e_sd,
    e_n, c_mean, c_sd, c_n`` (or ``m1i, sd1i, n1i, m2i, sd2i, n2i``); correlations
    ``r, n`` (or ``ri, ni``); IRR ``e_events, e_time, c_events, c_time`` (or
    ``x1i, t1i, x2i, t2i``); GEN ``yi`` with ``vi`` or ``sei``/``se``, or
    ``estimate`` with ``ci_lb, ci_ub``. The study label comes from ``study`` (or
    the column named by ``study``).

    Returns the keyword dict, including ``studies`` (labels, or None) and
    ``column_names`` (metafor name -> the frame's column), so that
    ``escalc(measure, **columns_from_frame(df, measure))`` names the user's columns
    in its messages.

    Raises
    ------
    InputError
        Naming the first required column that is not there.
    """
    measure = str(measure).upper()
    if measure not in MEASURES:
        raise InputError(f"measure {measure!r} is not one of {', '.join(MEASURES)}", field="measure")
    by_lower = {}
    for col in df.columns:
        by_lower.setdefault(str(col).strip().lower(), col)

    def find(name: str) -> Any:
        for cand in _ALIASES.get(name, ()) + (name,):
            if cand in by_lower:
                return by_lower[cand]
        return None

    out: dict[str, Any] = {}
    names: dict[str, str] = {}
    if measure == "GEN":
        if find("yi") is not None:
            groups: tuple[tuple[str, ...], ...] = (("yi",), ("vi", "sei"))
        elif find("estimate") is not None:
            groups = (("estimate",), ("ci_lb",), ("ci_ub",))
        else:
            raise InputError("measure GEN needs a column yi (with vi or sei) or estimate (with ci_lb, ci_ub)", field="yi")
    else:
        groups = _NEEDS[measure]
    for alts in groups:
        for name in alts:
            col = find(name)
            if col is not None:
                out[name] = df[col].to_numpy(dtype=object)
                names[name] = str(col)
                break
        else:
            wanted = " or ".join(_display(n, measure) for n in alts)
            raise InputError(f"measure {measure} needs a column {wanted}; it is not in the data", field=alts[0])
    if study is not None:
        if study not in df.columns:
            raise InputError(f"study column '{study}' is not in the data", field=study)
        scol = study
    else:
        scol = next((by_lower[s] for s in _STUDY_COLUMNS if s in by_lower), None)
    out["studies"] = [str(s) for s in df[scol].tolist()] if scol is not None else None
    out["column_names"] = names
    return out


def _display(name: str, measure: str) -> str:
    """The user-facing name of an input for messages (metafor's name in brackets)."""
    alias = _ALIASES.get(name, ())
    if measure in _CONTINUOUS and name in ("n1i", "n2i"):
        alias = ("e_n",) if name == "n1i" else ("c_n",)
    return f"'{alias[0]}' (metafor '{name}')" if alias else f"'{name}'"
