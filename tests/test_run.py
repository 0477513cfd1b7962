"""`review run` on copies of the example review at the repository root.

Expected counts come from tests/data/example_truth.json (written by the
generator of the invented example, not by this code).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TRUTH = json.loads((REPO / "tests" / "data" / "example_truth.json").read_text(encoding="utf-8"))
CONFLICT = "pmid:99126180"  # the example's last title-abstract conflict, resolved by carla

def cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "review", *args], cwd=cwd, capture_output=True, text=True)


def copy_example(dest: Path) -> Path:
    shutil.copy(REPO / "protocol.yaml", dest / "protocol.yaml")
    shutil.copytree(REPO / "records", dest / "records")
    return dest


def reopen_conflict(root: Path) -> Path:
    """The example as it was before carla settled its last title-abstract conflict."""
    resolved = root / "records" / "screening" / "title-abstract" / "_resolved.csv"
    lines = resolved.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith(CONFLICT + ",")]
    assert len(kept) == len(lines) - 1
    resolved.write_text("".join(kept), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def stopped(tmp_path_factory):
    root = reopen_conflict(copy_example(tmp_path_factory.mktemp("stopped")))
    return root, cli(["run"], root)


@pytest.fixture(scope="module")
def complete(tmp_path_factory):
    root = copy_example(tmp_path_factory.mktemp("complete"))
    return root, cli(["run"], root)


def test_open_conflict_stops_the_run_with_the_fixing_command(stopped):
    root, out = stopped
    assert out.returncode == 1
    lines = [ln for ln in out.stderr.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1, out.stderr
    line = lines[0]
    assert "screening" in line and CONFLICT in line
    assert "review screen conflicts --stage title-abstract --resolve --by NAME" in line
    assert "Traceback" not in out.stderr


def test_earlier_stages_stay_and_later_ones_are_not_written(stopped):
    root, _ = stopped
    lib = (root / "output" / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lib) == TRUTH["counts"]["records_total"]
    assert (root / "output" / "dedup.json").is_file()
    assert not (root / "output" / "prisma.svg").exists()
    assert not (root / "output" / "report.html").exists()


def test_library_stop_names_stage_and_records(tmp_path):
    from review.run import StageStopped, run_review

    root = reopen_conflict(copy_example(tmp_path))
    seen = []
    with pytest.raises(StageStopped) as info:
        run_review(root, on_stage=lambda stage, what: seen.append((stage, what)))
    assert info.value.stage == "screening"
    assert info.value.records == [CONFLICT]
    assert seen[-1] == ("screening", "start")
    assert ("dedup", "done") in seen


def test_full_run_summary_matches_the_example_truth(complete):
    root, out = complete
    assert out.returncode == 0, out.stderr
    counts = TRUTH["counts"]
    text = " ".join(out.stdout.replace("│", " ").split())
    assert f"Records imported {counts['records_total']}" in text
    assert f"Duplicates removed {counts['duplicates']}" in text
    assert f"Included studies {counts['included_studies']} ({counts['included_reports']} reports)" in text
    assert "Analyses 5" in text  # five analyses in protocol.yaml: edss, wmlv, brain_volume, relapse_rate, dmt_response
    for stage in ("import", "dedup", "screening", "extraction", "prisma", "pooling", "report"):
        assert f"✓ {stage}" in out.stderr


def test_full_run_writes_every_output(complete):
    root, _ = complete
    for rel in ("output/report.html", "output/prisma.svg", "output/pooled.html",
                "output/forest_edss.svg", "output/extraction/edss.csv"):
        assert (root / rel).is_file(), rel


def test_second_run_changes_no_byte(complete):
    root, _ = complete
    files = [p for p in sorted((root / "output").rglob("*")) if p.is_file()]  # PNG and PDF too
    before = {p: p.read_bytes() for p in files}
    again = cli(["run"], root)
    assert again.returncode == 0, again.stderr
    changed = [str(p.relative_to(root)) for p in files if p.read_bytes() != before[p]]
    assert changed == []


def test_missing_extractor_stops_at_extraction(tmp_path):
    from review.run import StageStopped, run_review

    root = copy_example(tmp_path)
    (root / "records" / "extraction" / "ben.csv").unlink()  # protocol.yaml asks for two extractors
    with pytest.raises(StageStopped) as info:
        run_review(root)
    assert info.value.stage == "extraction"
    assert "review extract" in str(info.value)
    assert (root / "output" / "dedup.json").is_file()
    assert not (root / "output" / "prisma.svg").exists()


def test_disagreeing_extractors_stop_at_extraction_naming_the_study(tmp_path):
    from review.run import StageStopped, run_review

    root = copy_example(tmp_path)
    with (root / "records" / "extraction" / "ben.csv").open("a", encoding="utf-8") as f:
        f.write("halvorsen2019,n,86,2026-11-21T14:00:00Z\n")  # ana says 85
    with pytest.raises(StageStopped) as info:
        run_review(root)
    assert info.value.stage == "extraction"
    assert info.value.records == ["halvorsen2019"]
    assert "review extract compare" in str(info.value)
