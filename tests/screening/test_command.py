"""`review screen conflicts|import` and `review export` on a copy of the example review."""

from __future__ import annotations

import csv
import io
import os

import pytest
import typer
from typer.testing import CliRunner

from review.errors import ReviewError
from review.screening.command import register
from review.screening.decisions import log_path, read_log, resolved_path
from review.screening.manage import load_context

from .conftest import truth_work_ids

app = typer.Typer()
register(app)


def run(root, *args):
    """Run a command in ``root``; a ReviewError becomes exit code + one line, as review.cli.main does."""
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        os.chdir(old)
    if isinstance(result.exception, ReviewError):
        return result.exception.exit_code, str(result.exception), result
    return result.exit_code, result.output, result


def test_conflicts_list_the_open_one(example_open, truth):
    example = example_open
    code, out, res = run(example, "screen", "conflicts", "--stage", "title-abstract", "--json")
    assert code == 0, out
    import json

    found = json.loads(res.stdout)
    assert len(found) == 1
    irrelevant = {w["key"] for w in truth["works"] if w["role"] == "irrelevant"}
    wid = truth_work_ids(truth, load_context(example).records)
    assert found[0]["record_id"] in {wid[k] for k in irrelevant}
    assert found[0]["resolution"] is None and set(found[0]["decisions"]) == {"ana", "ben"}


def test_resolving_is_a_decision_by_who_made_it(example_open):
    example = example_open
    code, out, res = run(example, "screen", "conflicts", "--json")
    import json

    rid = json.loads(res.stdout)[0]["record_id"]
    code, out, _ = run(example, "screen", "conflicts", "--resolve", "--by", "carla", "--record", rid, "--decision", "exclude")
    assert code == 0, out
    last = resolved_path(example, "title-abstract").read_text().splitlines()[-1].split(",")
    assert last[:2] == [rid, "exclude"] and last[-1] == "carla"
    code, out, _ = run(example, "screen", "conflicts")
    assert code == 0 and "no open conflicts" in out
    code, out, _ = run(example, "screen", "conflicts", "--resolve", "--by", "zoe", "--record", rid, "--decision", "include")
    assert code == 2 and "zoe" in out and "not one of the reviewers" in out


def test_import_reports_unknown_ids_with_file_and_line_and_writes_nothing(example):
    ctx = load_context(example)
    some = ctx.records.works[:3]
    f = example / "asreview.csv"
    # ASReview's layout: its own record_id (a row number), title, doi, included (1/0/empty)
    f.write_text("record_id,title,doi,included\n"
                 f"0,{some[0].title!r},https://doi.org/{some[0].doi},1\n"
                 "1,Unknown,10.5555/nothing,0\n"
                 f"2,x,{some[1].doi},0\n"
                 f"3,y,{some[2].doi},\n", encoding="utf-8")
    code, out, _ = run(example, "screen", "import", "asreview.csv", "--reviewer", "carla")
    assert code == 2 and out.startswith("asreview.csv: 1 bad rows; nothing imported")
    assert not log_path(example, "title-abstract", "carla").exists()
    code, out, res = run(example, "screen", "import", "asreview.csv", "--reviewer", "carla", "--skip-bad")
    assert code == 0, out
    assert "asreview.csv, line 3: record 1 / 10.5555/nothing is not in this review" in res.stderr
    got = read_log(log_path(example, "title-abstract", "carla"), "title-abstract", ctx.config).entries
    assert [(e.record_id, e.decision) for e in got] == [(some[0].id, "include"), (some[1].id, "exclude")]
    code, out, res = run(example, "screen", "import", "asreview.csv", "--reviewer", "carla", "--skip-bad")
    assert "0 decisions written" in res.stderr and "2 already there" in res.stderr  # twice changes nothing


def test_import_full_text_reasons_by_key_or_label(example):
    ctx = load_context(example)
    w = ctx.records.works[0]
    f = example / "rayyan.csv"
    f.write_text("key,decision,exclusion_reason\n"
                 f"{w.id},excluded,Animal study\n"
                 f"{w.id},excluded,9\n", encoding="utf-8")
    code, out, res = run(example, "screen", "import", "rayyan.csv", "--reviewer", "carla", "--stage", "full-text")
    assert code == 2
    assert "rayyan.csv, line 3: reason '9' is not defined in protocol.yaml screening.reasons" in res.stderr


def test_export_included_at_full_text_are_the_truths_included(example, truth):
    code, out, res = run(example, "export", "--stage", "full-text", "--decision", "included", "--format", "csv")
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    included = {w["title"].rstrip(".").lower() for w in truth["works"] if w["role"] == "included"}
    assert {r["title"].rstrip(".").lower() for r in rows} == included
    out_file = example / "excluded.ris"
    code, out, _ = run(example, "export", "--stage", "full-text", "--decision", "excluded", "--format", "ris", "-o", str(out_file))
    assert code == 0
    assert out_file.read_text().count("ER  -") == sum(1 for w in truth["works"] if w["role"] == "excluded_ft")


@pytest.mark.parametrize("args, message", [
    (["export", "--stage", "title-abstract", "--decision", "kept", "--format", "ris"], "--decision 'kept'"),
    (["export", "--stage", "abstracts", "--decision", "included", "--format", "ris"], "--stage 'abstracts'"),
    (["screen", "conflicts", "--resolve"], "--resolve needs --by NAME"),
    (["screen"], "give --reviewer NAME"),
    (["screen", "--reviewer", "ana"], "review screen needs a terminal"),  # CliRunner's stdin is no tty
    (["screen", "--reviewer", "zoe"], "--reviewer 'zoe' is not one of the reviewers in protocol.yaml (ana, ben, carla)"),
])
def test_bad_usage_is_one_line_exit_2(example, args, message):
    code, out, _ = run(example, *args)
    assert code == 2 and message in out and "\n" not in out.strip()
