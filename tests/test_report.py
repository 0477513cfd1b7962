"""output/report.html: every section, every figure inline, no network, same bytes twice."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TRUTH = json.loads((REPO / "tests" / "data" / "example_truth.json").read_text(encoding="utf-8"))
SECTIONS = ("question", "searches", "prisma", "screening", "characteristics", "risk-of-bias", "pooled", "plots", "software")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from review.run import run_review

    root = tmp_path_factory.mktemp("report")
    shutil.copy(REPO / "protocol.yaml", root / "protocol.yaml")
    shutil.copytree(REPO / "records", root / "records")
    run_review(root)
    return root, (root / "output" / "report.html").read_text(encoding="utf-8")


def test_every_section_is_there(built):
    _, page = built
    for sid in SECTIONS:
        assert f'id="{sid}"' in page, sid
    assert "Cohen&#x27;s kappa" in page or "Cohen's kappa" in page
    assert "@media print" in page
    assert "Figure not available" not in page


def test_every_figure_is_inline_svg(built):
    root, page = built
    # 1 PRISMA + 2 risk-of-bias + a forest plot per analysis + a funnel plot where k >= 3
    expected = 1 + 2 + len(list((root / "output").glob("forest_*.svg"))) + len(list((root / "output").glob("funnel_*.svg")))
    assert expected == 13  # five analyses in protocol.yaml, each with >= 3 studies
    assert len(re.findall(r"<svg\b", page)) == expected
    assert "<img" not in page and "<script" not in page and "<link" not in page


def test_no_network_references(built):
    _, page = built
    assert not re.search(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//', page)
    assert "url(http" not in page and "@import" not in page


def test_ids_are_unique_across_figures(built):
    _, page = built
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for ref in set(re.findall(r'url\(#([^)]+)\)', page)) | set(re.findall(r'href="#([^"]+)"', page)):
        assert ref in ids, ref


def test_search_table_has_each_search(built):
    _, page = built
    section = page.split('id="searches"')[1].split("</section>")[0]
    for s in TRUTH["searches"]:
        assert s["date"] in section
        assert f'<td class="num">{s["records"]}</td>' in section  # counts from the example's generator


def test_characteristics_table_has_every_study(built):
    _, page = built
    section = page.split('id="characteristics"')[1].split("</section>")[0]
    assert section.count("<tr>") - 1 == TRUTH["counts"]["included_studies"]  # minus the header row


def test_version_and_command(built):
    from review import __version__

    _, page = built
    footer = page.split('id="software"')[1]
    assert __version__ in footer and "<code>review run</code>" in footer


def test_second_write_is_byte_identical(built):
    from review.report import write_report

    root, page = built
    before = (root / "output" / "report.html").read_bytes()
    write_report(root)
    assert (root / "output" / "report.html").read_bytes() == before
    assert not re.search(r"20\d\d-\d\d-\d\d[T ]\d\d:\d\d", page)  # no timestamp


def test_inline_svg_renames_ids_and_references():
    from review.report import inline_svg

    text = ('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "x" "y">\n<svg><metadata>date</metadata>'
            '<defs><clipPath id="p1a"><rect/></clipPath><path id="g"/></defs>'
            '<g clip-path="url(#p1a)"><use xlink:href="#g"/><use href="#other"/></g></svg>')
    out = inline_svg(text, "f")
    assert out.startswith("<svg>") and "metadata" not in out and "DOCTYPE" not in out
    assert 'id="f-1"' in out and 'id="f-2"' in out
    assert "url(#f-1)" in out and 'xlink:href="#f-2"' in out
    assert 'href="#other"' in out  # a reference to no id in the figure is left alone


def test_inline_svg_makes_repeated_ids_unique():
    from review.report import inline_svg

    out = inline_svg('<svg><text id="t"/><text id="t"/><use href="#t"/></svg>', "p")
    assert out == '<svg><text id="p-1"/><text id="p-2"/><use href="#p-1"/></svg>'


def test_characteristics_participants_add_up_to_the_example_total(built):
    _, page = built
    section = page.split('id="characteristics"')[1].split("</section>")[0]
    head = re.findall(r"<th>(.*?)</th>", section)
    col = head.index("Participants analysed")
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", section)[1:]]
    assert sum(int(r[col]) for r in rows) == TRUTH["counts"]["patients_in_included_studies"]  # 902
    assert "Date extracted" not in head
