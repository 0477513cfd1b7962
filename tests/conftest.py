"""Shared fixtures: where ../shared is, and skipping when a user's clone has none."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repository; tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository (a user's clone has none)")
    return SHARED


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
