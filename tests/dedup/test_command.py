"""`review dedup --input FILE --clusters OUT.csv`, on a small hand-made CSV.

tests/data/dedup/small.csv: r1 and r2 are one article (full journal name vs
abbreviation, pages 611-618 vs 611-8); r3 has the same title but another
volume and pages; r4 is an erratum; r5 and r6 are two editorials with
different pages. So five works: {r1, r2}, {r3}, {r4}, {r5}, {r6}.
"""

from __future__ import annotations

import csv

import typer
from typer.testing import CliRunner

from review.commands import dedup_cmd


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


def test_missing_options_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(_app(), ["dedup"])
    assert result.exit_code != 0
