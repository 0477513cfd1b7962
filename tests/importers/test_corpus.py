"""Every real export in ../shared/corpus/exports imports with the MANIFEST's exact count.

The counts are the MANIFEST's (each made two independent ways by whoever built
the corpus), not this code's output. Skipped when ../shared is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import SHARED

EXPORTS = SHARED / "corpus" / "exports"


def manifest_rows() -> list[tuple[str, int]]:
    """(folder/file, records) for every file row of MANIFEST.md."""
    manifest = EXPORTS / "MANIFEST.md"
    if not manifest.is_file():
        return []
    rows, folder = [], None
    for line in manifest.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\S+)\s*$", line)
        if heading:
            folder = heading.group(1)
            continue
        cells = [c.strip() for c in line.split("|")]
        if folder and len(cells) > 6 and cells[1].startswith("`") and cells[5].isdigit():
            rows.append((f"{folder}/{cells[1].strip('`')}", int(cells[5])))
    return rows


ROWS = manifest_rows()


def test_manifest_lists_every_file(shared_dir):
    on_disk = {str(p.relative_to(EXPORTS)) for p in EXPORTS.rglob("*") if p.is_file() and p.name != "MANIFEST.md"}
    assert len(ROWS) == 80
    assert {r for r, _ in ROWS} == on_disk


@pytest.mark.parametrize("name,expected", ROWS, ids=[r for r, _ in ROWS])
def test_real_export_imports_with_manifest_count(shared_dir, name, expected):
    from review.importers import read_file

    result = read_file(EXPORTS / name)
    assert len(result.records) == expected, f"{name}: format {result.format}"
    # Sensible fields: nearly every record has a title; ids are unique per record object.
    titled = sum(1 for r in result.records if r.title)
    assert titled >= 0.9 * expected, f"{name}: only {titled}/{expected} records have a title"
    for rec in result.records:
        assert rec.source.position >= 1
        assert all(a.strip() for a in rec.authors)
        assert rec.doi == rec.doi.lower() and not rec.doi.startswith("http")
        assert rec.year is None or 1800 <= rec.year <= 2030
