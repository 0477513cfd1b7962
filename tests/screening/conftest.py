"""Fixtures: a temporary copy of the example review (the repository root) with a screening section."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "screening"


def copy_example(dest: Path, decisions: bool = True) -> Path:
    """protocol.yaml and records/ of the example review, copied to ``dest``.

    Until protocol.yaml has its `screening:` section, the one in
    tests/data/screening/example_screening.yaml is appended.
    """
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "protocol.yaml", dest / "protocol.yaml")
    shutil.copytree(REPO / "records" / "searches", dest / "records" / "searches")
    if (REPO / "analyses").is_dir():
        shutil.copytree(REPO / "analyses", dest / "analyses")
    if decisions:
        shutil.copytree(REPO / "records" / "screening", dest / "records" / "screening",
                        ignore=shutil.ignore_patterns(".*.lock"))
    text = (dest / "protocol.yaml").read_text(encoding="utf-8")
    if "\nscreening:" not in text:
        extra = (DATA / "example_screening.yaml").read_text(encoding="utf-8")
        (dest / "protocol.yaml").write_text(text.rstrip("\n") + "\n\n" + extra, encoding="utf-8")
    return dest


@pytest.fixture
def example(tmp_path) -> Path:
    """The example review with its screening decisions, in a temporary folder."""
    return copy_example(tmp_path / "review")


@pytest.fixture
def example_open(tmp_path) -> Path:
    """The example review before carla settled its last title-abstract conflict (pmid:99126180)."""
    root = copy_example(tmp_path / "review")
    resolved = root / "records" / "screening" / "title-abstract" / "_resolved.csv"
    lines = resolved.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith("pmid:99126180,")]
    assert len(kept) == len(lines) - 1
    resolved.write_text("".join(kept), encoding="utf-8")
    return root


@pytest.fixture
def fresh_example(tmp_path) -> Path:
    """The example review without any screening decisions."""
    return copy_example(tmp_path / "review", decisions=False)


@pytest.fixture(scope="session")
def truth() -> dict:
    return json.loads((REPO / "tests" / "data" / "example_truth.json").read_text(encoding="utf-8"))


def truth_work_ids(truth: dict, records) -> dict[str, str]:
    """Ground-truth key -> work id, through the database ids (the title for citation-only works)."""
    by_title = {w.title.lower().rstrip("."): w.id for w in records.works}
    out = {}
    for w in truth["works"]:
        ids = []
        if w.get("pubmed"):
            ids.append("pmid:" + w["pubmed"]["pmid"])
        if w.get("doi"):
            ids.append("doi:" + w["doi"].lower())
        if w.get("scopus"):
            ids.append("eid:" + w["scopus"]["eid"])
        if w.get("wos"):
            ids.append("wos:" + w["wos"]["ut"].replace("WOS:", ""))
        found = {records.resolve(i) for i in ids} - {None}
        if not found:
            found = {by_title.get(w["title"].lower().rstrip("."))} - {None}
        assert len(found) == 1, (w["key"], found)
        out[w["key"]] = found.pop()
    return out
