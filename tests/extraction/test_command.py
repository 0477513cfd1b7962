"""`review extract template|load|compare|resolve|export` end to end in a small review folder."""

from __future__ import annotations

import csv
import io

import pytest
import typer
import yaml
from typer.testing import CliRunner

from review.errors import ReviewError
from review.extraction.command import register

from .conftest import DATA

G = ("IRL-positive", "IRL-negative")


@pytest.fixture
def app():
    a = typer.Typer()
    register(a)

    @a.command("noop", hidden=True)
    def _noop() -> None:  # a second command keeps `extract` a sub-command
        pass

    return a


@pytest.fixture
def review(tmp_path, monkeypatch):
    section = yaml.safe_load((DATA / "form.yaml").read_text())["extraction"]
    protocol = {
        "title": "t", "question": "q", "reviewers": ["ana", "ben", "carla"],
        "searches": [{"name": "pubmed", "database": "PubMed", "file": "pubmed.txt", "date": "2025-03-14", "query": "x"}],
        "analyses": [
            {"name": "edss", "outcome": "EDSS", "measure": "SMD", "groups": list(G)},
            {"name": "dmt_response", "outcome": "DMT", "measure": "RR", "groups": list(G), "subgroup": "treatment"},
        ],
        "extraction": section,
    }
    (tmp_path / "protocol.yaml").write_text(yaml.safe_dump(protocol, sort_keys=False))
    (tmp_path / "records/extraction").mkdir(parents=True)
    (tmp_path / "records/extraction/_studies.csv").write_text(
        "study,label,reports\nhalvorsen2019,Halvorsen 2019,halvorsen2019;halvorsen2023\nokafor2021,Okafor 2021,okafor2021\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


NOS = {"rob.representativeness": "1", "rob.non_exposed": "1", "rob.exposure": "1", "rob.outcome_absent": "1",
       "rob.comparability": "2", "rob.assessment": "1", "rob.follow_up_length": "1", "rob.follow_up_adequacy": "0"}
DATA_ROWS = {
    "halvorsen2019": {"country": "Norway", "design": "cohort", "n": "85", "field_strength": "3", "technique": "SWI; phase",
                      "treatment": "other",
                      "edss.IRL-positive.mean": "2.8", "edss.IRL-positive.sd": "1.5", "edss.IRL-positive.n": "38",
                      "edss.IRL-negative.mean": "2.0", "edss.IRL-negative.sd": "1.3", "edss.IRL-negative.n": "47",
                      "dmt_response.IRL-positive.events": "9", "dmt_response.IRL-positive.total": "35",
                      "dmt_response.IRL-negative.events": "21", "dmt_response.IRL-negative.total": "44", **NOS},
    "okafor2021": {"country": "Nigeria", "design": "cohort", "n": "120", "field_strength": "3", "technique": "QSM",
                   "treatment": "high-efficacy",
                   "edss.IRL-positive.median": "3.5", "edss.IRL-positive.q1": "2.5", "edss.IRL-positive.q3": "4.5",
                   "edss.IRL-positive.n": "52",
                   "edss.IRL-negative.mean": "2.5", "edss.IRL-negative.sd": "1.5", "edss.IRL-negative.n": "68",
                   "dmt_response.IRL-positive.events": "27", "dmt_response.IRL-positive.total": "52",
                   "dmt_response.IRL-negative.events": "49", "dmt_response.IRL-negative.total": "68",
                   **NOS, "rob.comparability": "0"},
}


def _fill(template_text, data):
    rows = list(csv.reader(io.StringIO(template_text)))
    header = rows[0]
    for r in rows[2:]:
        for k, v in data.get(r[0], {}).items():
            r[header.index(k)] = v
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _run(app, *args):
    result = CliRunner().invoke(app, list(args))
    return result


def test_round_trip(app, review):
    r = _run(app, "extract", "template", "-o", "sheet.csv")
    assert r.exit_code == 0, r.output
    template = (review / "sheet.csv").read_text()
    (review / "ana.csv").write_text(_fill(template, DATA_ROWS))
    ben = {s: dict(v) for s, v in DATA_ROWS.items()}
    ben["okafor2021"]["edss.IRL-positive.n"] = "25"   # a disagreement
    ben["halvorsen2019"]["field_strength"] = "3.0"    # the same value written differently
    (review / "ben.csv").write_text(_fill(template, ben))
    assert _run(app, "extract", "load", "ana.csv", "--reviewer", "ana").exit_code == 0
    r = _run(app, "extract", "load", "ben.csv", "--reviewer", "ben")
    assert r.exit_code == 0 and "new or changed" in r.output
    # loading the same sheet again appends nothing
    before = (review / "records/extraction/ben.csv").read_text()
    assert _run(app, "extract", "load", "ben.csv", "--reviewer", "ben").exit_code == 0
    assert (review / "records/extraction/ben.csv").read_text() == before

    r = _run(app, "extract", "compare")
    assert isinstance(r.exception, ReviewError) and r.exception.exit_code == 1
    assert "study 'okafor2021', field edss.IRL-positive.n: '52' vs '25'" in r.output
    assert "field_strength" not in r.output
    r = _run(app, "extract", "export")
    assert isinstance(r.exception, ReviewError) and "not agreed" in str(r.exception)

    assert _run(app, "extract", "resolve", "okafor2021", "edss.IRL-positive.n", "52", "--by", "carla").exit_code == 0
    assert _run(app, "extract", "compare").exit_code == 0
    r = _run(app, "extract", "export")
    assert r.exit_code == 0, r.output
    out = review / "output/extraction"
    edss = list(csv.DictReader(open(out / "edss.csv")))
    assert [e["study"] for e in edss] == ["Halvorsen 2019", "Okafor 2021"]
    assert "median/IQR" in edss[1]["note"] and edss[1]["e_n"] == "52"
    dmt = (out / "dmt_response.csv").read_text().splitlines()
    assert dmt[0] == "study,e_events,e_total,c_events,c_total,treatment,note"
    assert dmt[2] == "Okafor 2021,27,52,49,68,high-efficacy,"
    assert (out / "rob_traffic_light.png").stat().st_size > 1000 and (out / "rob_summary.svg").exists()


def test_load_with_errors_writes_nothing(app, review):
    assert _run(app, "extract", "template", "-o", "sheet.csv").exit_code == 0
    bad = {"halvorsen2019": {"n": "-3", "edss.IRL-positive.sd": "0"}}
    (review / "bad.csv").write_text(_fill((review / "sheet.csv").read_text(), bad))
    r = _run(app, "extract", "load", "bad.csv", "--reviewer", "ana")
    assert r.exception is not None and r.exception.exit_code == 2
    assert "2 problems, nothing loaded" in str(r.exception)
    assert not (review / "records/extraction/ana.csv").exists()


def test_unknown_reviewer_and_study(app, review):
    (review / "s.csv").write_text("study,label,n\nhalvorsen2019,,85\n")
    r = _run(app, "extract", "load", "s.csv", "--reviewer", "zoe")
    assert "not in protocol.yaml reviewers" in str(r.exception)
    r = _run(app, "extract", "resolve", "smith2020", "n", "3", "--by", "carla")
    assert "not a study of this review" in str(r.exception)
