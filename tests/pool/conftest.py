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
