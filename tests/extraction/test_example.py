"""The example review's extraction (tests/data/extraction/example/, invented) end to end.

Two extractors' sheets are loaded, compared, their four disagreements agreed,
and exported; the exported tables must equal tests/data/extraction/expected/*.csv
(written from the ground truth's study_data) for every study reported as mean/SD, and pooling them must
give R metafor's results (expected/metafor_pooled.csv).
"""

from __future__ import annotations

import csv
import shutil

import pytest
import typer
import yaml
from typer.testing import CliRunner

from review.extraction.command import register

from .conftest import DATA, HERE

REPO = HERE.parents[1]
EXAMPLE = DATA / "example"
EXPECTED = DATA / "expected"


@pytest.fixture
def review(tmp_path, monkeypatch):
    protocol = yaml.safe_load((REPO / "protocol.yaml").read_text(encoding="utf-8"))
    for a in protocol["analyses"]:
        a.pop("data", None)  # read output/extraction/<name>.csv
    protocol["extraction"] = yaml.safe_load((DATA / "form.yaml").read_text())["extraction"]
    (tmp_path / "protocol.yaml").write_text(yaml.safe_dump(protocol, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (tmp_path / "records/extraction").mkdir(parents=True)
    shutil.copy(EXAMPLE / "_studies.csv", tmp_path / "records/extraction/_studies.csv")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _app():
    a = typer.Typer()
    register(a)
    a.command("noop", hidden=True)(lambda: None)
    return a


def _ok(app, *args):
    r = CliRunner().invoke(app, list(args))
    assert r.exit_code == 0, (r.output, r.exception)
    return r.output


def _table(path, key="study"):
    with open(path, encoding="utf-8") as fh:
        return {row[key]: row for row in csv.DictReader(fh)}


def test_example_extraction(review):
    app = _app()
    _ok(app, "extract", "load", str(EXAMPLE / "ana.csv"), "--reviewer", "ana")
    _ok(app, "extract", "load", str(EXAMPLE / "ben.csv"), "--reviewer", "ben")
    r = CliRunner().invoke(app, ["extract", "compare"])
    assert r.exit_code != 0 and "4 differences between ana and ben; 0 agreed, 4 open." in r.output
    with open(EXAMPLE / "resolutions.csv") as fh:
        for row in csv.DictReader(fh):
            _ok(app, "extract", "resolve", row["study"], row["field"], row["value"], "--by", row["by"])
    assert "4 agreed, 0 open" in _ok(app, "extract", "compare")
    out = _ok(app, "extract", "export")
    assert "left out" not in out

    converted = {"Kurokawa 2019", "Moreau 2022"}  # EDSS reported as median/IQR
    for name in ("edss", "wmlv", "brain_volume", "relapse_rate", "dmt_response"):
        got = _table(review / f"output/extraction/{name}.csv")
        want = _table(EXPECTED / f"{name}.csv")
        assert set(got) == set(want), name
        for study, row in want.items():
            if name == "edss" and study in converted:
                assert "median/IQR" in got[study]["note"]
                assert got[study]["e_n"] == row["e_n"] and got[study]["c_n"] == row["c_n"]
                continue
            for col, value in row.items():
                if col == "treatment":
                    assert got[study][col] == value
                elif col != "study":
                    assert float(got[study][col]) == pytest.approx(float(value)), (name, study, col)
    # Kurokawa 2019, IRL-positive: median 2.5, IQR 1.5-4.0, n 15.
    # Luo: w = 0.7 + 0.39/15 = 0.726; mean = 0.726 x 2.75 + 0.274 x 2.5 = 2.6815
    assert float(_table(review / "output/extraction/edss.csv")["Kurokawa 2019"]["e_mean"]) == pytest.approx(2.6815)

    assert (review / "output/extraction/rob_traffic_light.svg").exists()
    _check_pooled(review / "output/extraction")


def _check_pooled(tables):
    """The exported tables pool as R metafor pools them (expected/metafor_pooled.csv, written
    by expected/metafor.R): the example's studies differ (I2 25-67%), IRL-positive patients fare worse."""
    from review.pool.api import meta_analysis

    ref = _table(EXPECTED / "metafor_pooled.csv", key="analysis")
    cols = ("estimate", "se", "ci_lower", "ci_upper", "tau2", "i2", "q", "q_pval")
    for name in ("edss", "wmlv", "brain_volume", "relapse_rate", "dmt_response"):
        want = ref[name]
        result = meta_analysis(tables / f"{name}.csv", want["measure"], subgroup="treatment" if name == "dmt_response" else None)
        got = result.summary.iloc[0]
        assert result.k == int(want["k"]) == len(_table(EXPECTED / f"{name}.csv")), name
        for col in cols:
            assert float(got[col]) == pytest.approx(float(want[col]), rel=1e-5, abs=1e-7), (name, col)
        assert 20 < float(got["i2"]) < 70, name
    # DMT response by treatment: one tau2 common to the subgroups, as metafor's rma(mods = ~ treatment - 1)
    sub = result.subgroups.set_index("subgroup")
    for g in ("high-efficacy", "other"):
        want = ref[f"dmt_response[{g}]"]
        assert int(sub.loc[g, "k"]) == int(want["k"])
        for col in ("estimate", "se", "ci_lower", "ci_upper", "tau2"):
            assert float(sub.loc[g, col]) == pytest.approx(float(want[col]), rel=1e-5, abs=1e-7), (g, col)
    want = ref["dmt_response[test]"]
    assert result.subgroup_test["q"] == pytest.approx(float(want["q"]), rel=1e-5)
    assert result.subgroup_test["pval"] == pytest.approx(float(want["q_pval"]), rel=1e-5)
