"""The PRISMA diagram: every count drawn, boxes apart, text inside its box, hard cases still draw."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from review.prisma.counts import ReviewState, SourceInfo, Work, count
from review.prisma.draw import figure, save
from review.prisma.export import to_dict
from tests.prisma.example import example_state

LONG = ("Reports that describe the same cohort as an already included study but with a shorter "
        "follow-up and a subset of the outcomes of interest")


def stress_state(n_reasons: int = 12, with_other: bool = True, previous: bool = True) -> ReviewState:
    """Twelve reasons (some very long), automation, not retrieved, a register, a search with no
    records, other methods sent straight to retrieval, and a previous version."""
    reasons = [f"{LONG} (variant {i}, see protocol)" if i % 4 == 0 else f"Reason {i}" for i in range(n_reasons)]
    works = []
    for i in range(40 + 2 * n_reasons):
        recs = ((f"a{i}", "medline"),) + (((f"b{i}", "trials"),) if i % 5 == 0 else ())
        if i < 6:
            works.append(Work(f"w{i}", recs, title_abstract="exclude", excluded_by="automation" if i < 2 else "person"))
        elif i < 8:
            works.append(Work(f"w{i}", recs, removed="automation"))
        elif i < 10:
            works.append(Work(f"w{i}", recs, title_abstract="include", full_text="not_retrieved"))
        elif i < 10 + 2 * n_reasons:
            works.append(Work(f"w{i}", recs, title_abstract="include", full_text="exclude", reason=reasons[i % n_reasons]))
        else:
            works.append(Work(f"w{i}", recs, title_abstract="include", full_text="include", study=f"s{i // 2}"))
    sources = [SourceInfo("medline", "MEDLINE (Ovid) 1946 to present with daily update", "database"),
               SourceInfo("empty", "CINAHL", "database"),
               SourceInfo("trials", "ClinicalTrials.gov", "register")]
    if with_other:
        works += [Work("x1", (("x1", "web"),), full_text="include"),
                  Work("x2", (("x2", "web"),), full_text="not_retrieved")]
        sources += [SourceInfo("web", "Websites", "website"), SourceInfo("org", "Organisations", "organisation")]
    return ReviewState(sources, works, previous_studies=7 if previous else None,
                       previous_reports=9 if previous else None)


def zero_state() -> ReviewState:
    """A search that found nothing at all: every box is zero."""
    return ReviewState([SourceInfo("db", "Embase", "database")], [])


CASES = {
    "example": (example_state, True),
    "example_plain": (example_state, False),
    "stress": (stress_state, True),
    "no_other": (lambda: stress_state(3, with_other=False, previous=False), False),
    "zero": (zero_state, True),
}


def _numbers(obj, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k != "records":
                _numbers(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _numbers(v, out)
    elif isinstance(obj, int) and not isinstance(obj, bool):
        out.append(obj)
    return out


def _svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()
    parts = [t.text or "" for t in root.iter() if t.tag.endswith("text")]
    return " ".join(" ".join(parts).split())


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_count_appears_in_the_svg(case, tmp_path):
    make, per_db = CASES[case]
    counts = count(make())
    save(counts, tmp_path / "p", per_database=per_db)
    text = _svg_text(tmp_path / "p.svg")
    data = to_dict(counts)
    if not per_db:  # per-database counts are drawn only with --per-database
        data["databases_and_registers"]["identified"] = []
    for value in _numbers(data, []):
        assert f"(n = {value})" in text, value
    for col in ("databases_and_registers", "other_methods"):
        for r in (data[col] or {}).get("reasons", []):
            assert f"{r['reason']} (n = {r['n']})" in text
    assert (tmp_path / "p.png").stat().st_size > 10_000 and (tmp_path / "p.pdf").stat().st_size > 1_000
    ids = [e.get("id") for e in ET.parse(tmp_path / "p.svg").getroot().iter() if e.get("id")]
    assert len(ids) == len(set(ids))  # an SVG id names one element


def _extents(fig, dpi):
    fig.set_dpi(dpi)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = {p.get_gid()[4:]: p.get_window_extent(renderer) for p in fig.axes[0].patches
             if (p.get_gid() or "").startswith("box:")}
    # text gids are "text:<box key>" (rotated band labels) or "text:<box key>:<line number>"
    texts = [(t.get_gid()[5:].split(":")[0], t.get_text(), t.get_window_extent(renderer))
             for t in fig.axes[0].texts]
    return boxes, texts


@pytest.mark.parametrize("dpi", [72, 300])
@pytest.mark.parametrize("case", sorted(CASES))
def test_no_overlap_and_no_text_outside_its_box(case, dpi):
    make, per_db = CASES[case]
    fig = figure(count(make()), per_database=per_db)
    boxes, texts = _extents(fig, dpi)
    assert len(boxes) >= 12
    keys = sorted(boxes)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            A, B = boxes[a], boxes[b]
            overlap_w = min(A.x1, B.x1) - max(A.x0, B.x0)
            overlap_h = min(A.y1, B.y1) - max(A.y0, B.y0)
            assert overlap_w <= 0 or overlap_h <= 0, f"{a} overlaps {b}"
    fig_box = fig.bbox
    slack = 0.5 * dpi / 72
    for key, line, ext in texts:
        box = boxes[key]
        assert box.x0 - slack <= ext.x0 and ext.x1 <= box.x1 + slack, f"{line!r} leaves {key} sideways"
        assert box.y0 - slack <= ext.y0 and ext.y1 <= box.y1 + slack, f"{line!r} leaves {key} vertically"
        assert fig_box.x0 <= ext.x0 and ext.x1 <= fig_box.x1


def test_long_reasons_wrap_and_the_box_grows():
    fig = figure(count(stress_state()), per_database=True)
    boxes, texts = _extents(fig, 72)
    lines = [t for k, t, _ in texts if k == "dbr.reasons"]
    assert len(lines) > 13  # a heading and 12 reasons, the long ones over several lines
    assert boxes["dbr.reasons"].height > boxes["dbr.assessed"].height * 4


def test_other_column_only_when_used():
    _, with_other = _extents(figure(count(stress_state())), 72)
    _, without = _extents(figure(count(stress_state(3, with_other=False))), 72)
    assert any(k.startswith("other.") for k, _, _ in with_other)
    assert not any(k.startswith("other.") for k, _, _ in without)
    assert not any("other methods" in t for _, t, _ in without)


def test_previous_version_boxes():
    _, texts = _extents(figure(count(stress_state())), 72)
    joined = " ".join(t for _, t, _ in texts)
    assert "previous version of review" in joined and "Total studies included in review" in joined
    assert "New studies included in review" in joined
    _, texts = _extents(figure(count(example_state())), 72)
    joined = " ".join(t for _, t, _ in texts)
    assert "previous" not in joined.lower() and re.search(r"Studies included in review", joined)


def test_phase_bands_in_template_order():
    boxes, texts = _extents(figure(count(example_state())), 72)
    bands = [(boxes[k].y1, t) for k, t, _ in texts if k.startswith("band.")]
    assert [t for _, t in sorted(bands, reverse=True)] == ["Identification", "Screening", "Included"]
    # the bands are left of every box, the excluded boxes right of their main boxes
    left = max(boxes[k].x1 for k in boxes if k.startswith("band."))
    assert all(boxes[k].x0 > left for k in boxes if not k.startswith("band."))
    assert boxes["dbr.reasons"].x0 > boxes["dbr.assessed"].x1
    assert boxes["other.sought"].x0 > boxes["dbr.reasons"].x1
