"""The example review at the repo root: its studies and its reconciled, exported extraction.

Runs on a copy of the repo's protocol.yaml and records/ (searches, screening,
extraction). Expected numbers come from tests/data/example_truth.json (written
independently of this code): 14 reports included at full text in 13 studies,
halvorsen2019 and halvorsen2023 being two reports of study S01, and the
full-text EDSS values of `study_data`.
"""

from __future__ import annotations

import csv
import json
import shutil

import pytest
import typer
from typer.testing import CliRunner

from .conftest import HERE

REPO = HERE.parents[1]
TRUTH = json.loads((REPO / "tests/data/example_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    if not (REPO / "records/extraction/_studies.csv").is_file():
        pytest.skip("the example's extraction records are not there")
    root = tmp_path_factory.mktemp("example")
    shutil.copy(REPO / "protocol.yaml", root / "protocol.yaml")
    shutil.copytree(REPO / "records", root / "records")
    return root


def _work_ids(root) -> dict[str, str]:
    """Truth key -> work id, found through the PMID or DOI the truth gives."""
    from review.dedup_workflow import load_works

    works = load_works(root)
    out = {}
    for t in TRUTH["works"]:
        if t["role"] != "included":
            continue
        keys = [f"pmid:{t['pubmed']['pmid']}"] if t.get("pubmed") else []
        keys += [f"doi:{t['doi']}"] if t.get("doi") else []
        out[t["key"]] = next(w for w in (works.work_of(k) for k in keys) if w)
    return out


def test_studies_and_reports(review):
    from review.extraction.studies import all_studies, study_map

    rows = all_studies(review)
    assert len(rows) == len(TRUTH["studies"]) == 13
    assert sum(len(r.reports) for r in rows) == 14
    mapping = study_map(review)
    ids = _work_ids(review)
    assert set(mapping) == set(ids.values())
    # the truth's grouping, study by study, is the grouping of _studies.csv
    for truth_study, keys in TRUTH["studies"].items():
        assert len({mapping[ids[k]] for k in keys}) == 1, truth_study
    assert mapping[ids["halvorsen2019"]] == mapping[ids["halvorsen2023"]]
    assert len(set(mapping.values())) == 13


def test_prisma_counts_studies(review):
    """review/prisma/build.py reads the grouping (the example's screening is not complete
    enough for `count`, so the included works of the state are checked)."""
    from review.prisma.build import state_from_review

    included = [w for w in state_from_review(review).works if w.full_text == "include"]
    assert len(included) == 14 and len({w.study or w.id for w in included}) == 13


def _app():
    from review.extraction.command import register

    a = typer.Typer()
    register(a)
    a.command("noop", hidden=True)(lambda: None)
    return a


def test_reconciled_and_exported(review, monkeypatch):
    monkeypatch.chdir(review)
    app = _app()
    r = CliRunner().invoke(app, ["extract", "compare"])
    assert r.exit_code == 0 and "0 open" in r.output, r.output
    r = CliRunner().invoke(app, ["extract", "export"])
    assert r.exit_code == 0, r.output
    with open(review / "output/extraction/edss.csv", encoding="utf-8") as fh:
        got = {row["study"]: row for row in csv.DictReader(fh)}
    assert len(got) == 13
    # Moreau 2022 and Kurokawa 2019 give EDSS as median (IQR) in the full text (both
    # extractors' sheets, tests/data/extraction/example/); the others as mean (SD).
    medians = {"Moreau 2022", "Kurokawa 2019"}
    data = TRUTH["study_data"]["studies"]
    assert {d["label"] for d in data.values()} == set(got)
    for d in data.values():
        e, row = d["edss"], got[d["label"]]
        assert (int(row["e_n"]), int(row["c_n"])) == (e["n_pos"], e["n_neg"])
        if d["label"] in medians:
            continue
        want = (e["mean_pos"], e["sd_pos"], e["mean_neg"], e["sd_neg"])
        assert tuple(float(row[c]) for c in ("e_mean", "e_sd", "c_mean", "c_sd")) == pytest.approx(want), d["label"]
    for name in ("wmlv", "brain_volume", "relapse_rate", "dmt_response"):
        assert (review / f"output/extraction/{name}.csv").is_file()


def test_studies_command(review, monkeypatch):
    monkeypatch.chdir(review)
    r = CliRunner().invoke(_app(), ["extract", "studies"])
    assert r.exit_code == 0, r.output
    assert "13 studies from 14 reports" in r.output
    r = CliRunner().invoke(_app(), ["extract", "link", "pmid:0", "--study", "x"])
    assert r.exit_code != 0 and "not a report included at full text" in str(r.exception)
