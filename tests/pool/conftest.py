"""Fixtures for the pooling tests: the R metafor 3.8 reference values and their CSVs.

The reference lives beside the repository in ../shared/benchmarks/meta (a user's
fresh clone has none, so every test that needs it skips).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
META_DIR = REPO.parent / "shared" / "benchmarks" / "meta"
REFERENCE = META_DIR / "metafor_reference.json"


def load_reference() -> dict | None:
    """The parsed reference JSON, or None when ../shared is absent (for parametrising at import)."""
    if not REFERENCE.is_file():
        return None
    with REFERENCE.open(encoding="utf-8") as fh:
        return json.load(fh)


def read_benchmark_csv(name: str) -> list[dict[str, str]]:
    """Rows of ``<name>.csv`` beside the reference, as dicts of strings ("NA" kept as is).

    Skips the calling test when the file is absent.
    """
    path = META_DIR / f"{name}.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent (no ../shared beside the repository)")
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def metafor_ref() -> dict:
    """metafor_reference.json as a dict; skips when ../shared is absent."""
    ref = load_reference()
    if ref is None:
        pytest.skip(f"{REFERENCE} is absent (no ../shared beside the repository)")
    return ref


@pytest.fixture(scope="session")
def benchmark_csv():
    """Function ``name -> list of row dicts`` for the CSVs beside the reference."""
    return read_benchmark_csv


# tolerances of issue 8: closed forms to 1e-10, iterative estimators (and uniroot/Q-profile) to 1e-6
CLOSED_FORM = ("FE", "EE", "CE", "DL", "HE", "HS", "SJ")
ABS_FLOOR = 1e-14  # for expected values that are exactly 0


def rel_tol(method: str) -> float:
    """Relative tolerance for values of a fit with ``method``."""
    return 1e-10 if method in CLOSED_FORM else 1e-6


def compare(expected, got, rel: float, label: str, failures: list[str]) -> int:
    """Compare one reference value (number or list; None = no value in R) with ours.

    Appends a line per mismatch to ``failures`` and returns how many numbers were compared.
    """
    if expected is None:
        if got is not None and not _isnan(got):
            failures.append(f"{label}: R gives no value (NULL/NA), we give {got!r}")
        return 1
    if isinstance(expected, (list, tuple)):
        got_list = list(got) if got is not None else []
        if len(got_list) != len(expected):
            failures.append(f"{label}: {len(expected)} values in R, {len(got_list)} here")
            return len(expected)
        return sum(compare(e, g, rel, f"{label}[{i}]", failures) for i, (e, g) in enumerate(zip(expected, got_list)))
    if isinstance(expected, str):
        if expected != got:
            failures.append(f"{label}: R {expected!r}, here {got!r}")
        return 1
    if got is None or _isnan(got) or abs(float(got) - expected) > max(rel * abs(expected), ABS_FLOOR):
        failures.append(f"{label}: R {expected!r}, here {got!r}")
    return 1


def _isnan(x) -> bool:
    try:
        return x != x
    except TypeError:
        return False
