"""The example form (tests/data/extraction/form.yaml, the sample in /work/notes) and helpers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from review.extraction.form import parse_form

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "extraction"


@pytest.fixture
def section() -> dict:
    return yaml.safe_load((DATA / "form.yaml").read_text(encoding="utf-8"))["extraction"]


@pytest.fixture
def form(section):
    return parse_form(section)


@pytest.fixture
def studies() -> dict[str, str]:
    return {"halvorsen2019": "Halvorsen 2019", "okafor2021": "Okafor 2021", "moreau2022": "Moreau 2022"}
