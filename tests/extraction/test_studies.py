"""records/extraction/_studies.csv."""

from __future__ import annotations

import pytest

from review.errors import InputError
from review.extraction.studies import read_studies


def _write(root, text):
    (root / "records/extraction").mkdir(parents=True, exist_ok=True)
    (root / "records/extraction/_studies.csv").write_text(text, encoding="utf-8")


def test_read(tmp_path):
    _write(tmp_path, "study,label,reports\nhalvorsen2019,Halvorsen 2019,halvorsen2019;halvorsen2023\nokafor2021,,okafor2021\n\n")
    assert read_studies(tmp_path) == {"halvorsen2019": "Halvorsen 2019", "okafor2021": "okafor2021"}


@pytest.mark.parametrize("text,match,line", [
    ("id,label\n", "header", 1),
    ("study,label\na b,X\n", "must be letters", 2),
    ("study,label\na,X\nb,Y\na,Z\n", "listed twice", 4),
])
def test_bad(tmp_path, text, match, line):
    _write(tmp_path, text)
    with pytest.raises(InputError, match=match) as info:
        read_studies(tmp_path)
    assert info.value.line == line


def test_missing(tmp_path):
    with pytest.raises(InputError, match="no list of studies"):
        read_studies(tmp_path)
