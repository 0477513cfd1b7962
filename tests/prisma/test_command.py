"""`review prisma` on a copy of the example review with invented screening logs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"

# reason keys of tests/data/prisma/screening.yaml for the first words of each truth category
REASON_KEY = {"wrong population": 1, "no comparison group": 2, "wrong outcome": 3, "review article": 4,
              "wrong publication type": 5, "conference abstract": 5, "animal study": 6,
              "phantom/technical mri study": 7}


def _norm(text: str) -> str:
    return "".join(ch for ch in (text or "").lower() if ch.isalnum())


@pytest.fixture(scope="module")
def review_copy(tmp_path_factory):
    pytest.importorskip("review.dedup_workflow")
    from review.dedup_workflow import load_works

    root = tmp_path_factory.mktemp("example")
    shutil.copy(REPO / "protocol.yaml", root / "protocol.yaml")
    shutil.copytree(REPO / "records" / "searches", root / "records" / "searches")
    text = (root / "protocol.yaml").read_text(encoding="utf-8")
    screening = (DATA / "prisma" / "screening.yaml").read_text(encoding="utf-8")
    (root / "protocol.yaml").write_text(text + "\n" + screening, encoding="utf-8")
    truth = json.loads((DATA / "example_truth.json").read_text(encoding="utf-8"))["works"]
    by_title = {_norm(w["title"]): w for w in truth}
    ta, ft = [], []
    for w in load_works(root):
        t = by_title[_norm(w.record.title)]
        if t["role"] in ("included", "excluded_ft"):
            ta.append(f"{w.id},include,,,2026-01-01T00:00:00Z")
            if t["role"] == "included":
                ft.append(f"{w.id},include,,,2026-01-02T00:00:00Z")
            else:
                key = REASON_KEY[t["category"].split(" (")[0].lower()]
                ft.append(f"{w.id},exclude,{key},,2026-01-02T00:00:00Z")
        else:
            ta.append(f"{w.id},exclude,,,2026-01-01T00:00:00Z")
    for stage, rows in (("title-abstract", ta), ("full-text", ft)):
        folder = root / "records" / "screening" / stage
        folder.mkdir(parents=True)
        for who in ("ana", "ben"):
            (folder / f"{who}.csv").write_text("record_id,decision,reason,note,time\n" + "\n".join(rows) + "\n")
    return root


def _run(root: Path, *args: str):
    import typer
    from typer.testing import CliRunner

    from review.prisma.command import register

    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command keeps `prisma` a subcommand
    import os

    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, ["prisma", *args])
    finally:
        os.chdir(cwd)


def test_prisma_writes_five_files_with_the_hand_counts(review_copy):
    result = _run(review_copy, "--per-database")
    assert result.exit_code == 0, result.output
    out = review_copy / "output"
    for ext in ("svg", "png", "pdf", "json", "csv"):
        assert (out / f"prisma.{ext}").stat().st_size > 0
    data = json.loads((out / "prisma.json").read_text())
    db, oth = data["databases_and_registers"], data["other_methods"]
    # the hand count of test_counts (205 records, 84 duplicates, 121 screened, 95 excluded, ...)
    assert [d["n"] for d in db["identified"]] == [70, 75, 60]
    assert (db["duplicates"], db["screened"], db["excluded"], db["sought"], db["assessed"]) == (84, 121, 95, 26, 26)
    assert db["reports_excluded"] == 13 and oth["reports_excluded"] == 5
    assert (oth["duplicates"], oth["screened"], oth["excluded"], oth["sought"]) == (3, 7, 1, 6)
    # no study grouping yet: each of the 14 included reports counts as its own study
    assert data["included"]["reports"] == 14
    assert dict((r["reason"], r["n"]) for r in db["reasons"])["Review or no original data"] == 4


def test_prisma_json_prints_counts(review_copy):
    result = _run(review_copy, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["databases_and_registers"]["screened"] == 121 and "records" not in data


def test_prisma_stops_on_a_full_text_decision_after_exclusion(review_copy, tmp_path):
    root = tmp_path / "bad"
    shutil.copytree(review_copy, root)
    ta = (root / "records/screening/title-abstract/ana.csv").read_text().splitlines()
    excluded = next(line.split(",")[0] for line in ta[1:] if ",exclude," in line)
    for who in ("ana", "ben"):
        with open(root / f"records/screening/full-text/{who}.csv", "a") as fh:
            fh.write(f"{excluded},include,,,2026-01-03T00:00:00Z\n")
    shutil.rmtree(root / "output", ignore_errors=True)
    result = _run(root)
    assert result.exit_code != 0
    assert excluded in str(result.exception) + result.output
    assert not (root / "output" / "prisma.svg").exists()
