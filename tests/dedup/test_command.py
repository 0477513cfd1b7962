"""`review dedup`: the standalone form on a small hand-made CSV, and the in-review form.

tests/data/dedup/small.csv: r1 and r2 are one article (full journal name vs
abbreviation, pages 611-618 vs 611-8); r3 has the same title but another
volume and pages; r4 is an erratum; r5 and r6 are two editorials with
different pages. So five works: {r1, r2}, {r3}, {r4}, {r5}, {r6}.

The in-review form runs on a copy of the example review; its expected counts
(215 records, 128 works, 87 duplicates) are the ground truth's
(tests/data/example_truth.json), not this code's output.
"""

from __future__ import annotations

import csv
import json

import pytest
import typer
from typer.testing import CliRunner

from review.commands import dedup_cmd
from review.errors import UsageError

from .test_workflow import TRUTH, copy_example


def _app() -> typer.Typer:
    app = typer.Typer()
    dedup_cmd.register(app)

    @app.callback()
    def main() -> None:  # a callback keeps "dedup" a named sub-command
        pass

    return app


def test_clusters_file_has_every_record_and_the_one_duplicate(tmp_path, data_dir):
    out = tmp_path / "clusters.csv"
    result = CliRunner().invoke(_app(), ["dedup", "--input", str(data_dir / "dedup" / "small.csv"), "--clusters", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert [r["id"] for r in rows] == ["r1", "r2", "r3", "r4", "r5", "r6"]
    cluster = {r["id"]: r["cluster"] for r in rows}
    assert cluster["r1"] == cluster["r2"]
    assert len(set(cluster.values())) == 5


@pytest.mark.parametrize("args", [
    ["--input", "x.csv"],  # no --clusters
    ["--clusters", "out.csv"],  # no --input
    ["--input", "x.csv", "--clusters", "out.csv", "--review"],
    ["--merged"],  # --merged without --review
])
def test_wrong_option_combinations_are_usage_errors(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(_app(), ["dedup", *args])
    assert isinstance(result.exception, UsageError), result.output


def test_in_review_counts_and_byte_stable_outputs(tmp_path, monkeypatch):
    root = copy_example(tmp_path / "review")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(_app(), ["dedup", "--json", "--overlap"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    c = TRUTH["counts"]
    assert (info["records"], info["works"], info["duplicates_removed"]) == (c["records_total"], c["unique_works"], c["duplicates"])
    assert info["overlap"]["both"]["pubmed&scopus"] == c["overlap"]["pubmed&scopus"]
    first = {n: (root / "output" / n).read_bytes() for n in ("dedup.json", "dedup.csv")}
    doc = json.loads(first["dedup.json"])
    assert len(doc["clusters"]) == 128 and sum(len(w["members"]) for w in doc["clusters"]) == 215
    assert [w["work"] for w in doc["clusters"]] == sorted(w["work"] for w in doc["clusters"])
    rows = list(csv.DictReader(first["dedup.csv"].decode().splitlines()))
    assert len(rows) == 215 and len({r["work"] for r in rows}) == 128
    result = CliRunner().invoke(_app(), ["dedup"])
    assert result.exit_code == 0, result.output
    assert "215 records in, 128 works out, 87 duplicates removed, 0 possible pairs" in result.output
    assert {n: (root / "output" / n).read_bytes() for n in first} == first


def test_overlap_table(tmp_path, monkeypatch):
    monkeypatch.chdir(copy_example(tmp_path / "review"))
    result = CliRunner().invoke(_app(), ["dedup", "--overlap"])
    assert result.exit_code == 0, result.output
    assert "pubmed & scopus" in result.output and "every database search" in result.output


def test_review_needs_a_known_reviewer_and_a_terminal(tmp_path, monkeypatch):
    monkeypatch.chdir(copy_example(tmp_path / "review"))
    monkeypatch.delenv("REVIEW_REVIEWER", raising=False)
    for args, word in ((["--review"], "--reviewer"), (["--review", "--reviewer", "zoe"], "not in protocol.yaml"),
                       (["--review", "--reviewer", "ana"], "terminal")):
        result = CliRunner().invoke(_app(), ["dedup", *args])
        assert isinstance(result.exception, UsageError) and word in str(result.exception), (args, result.exception)
