"""`review pool` as a user runs it: a CSV on its own, a review folder, bad input.

Expected numbers come from R metafor 3.8 (metafor_reference.json, whose R call is
named beside each check) or from the R call written in a comment.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.errors import InputError, UsageError

DATA = Path(__file__).resolve().parents[1] / "data" / "pool"
REPO = Path(__file__).resolve().parents[2]


def run(args, cwd, rc=None):
    env = dict(os.environ, COLUMNS="200")
    out = subprocess.run([sys.executable, "-m", "review", *map(str, args)], cwd=cwd, capture_output=True,
                         text=True, env=env)
    if rc is not None:
        assert out.returncode == rc, out.stdout + out.stderr
    return out


@pytest.fixture
def bcg_csv(tmp_path, shared_dir) -> Path:
    """bcg.csv from the benchmarks with the issue's column names (e_events, e_total, ...)."""
    src = shared_dir / "benchmarks" / "meta" / "bcg.csv"
    with src.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = tmp_path / "bcg.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["study", "e_events", "e_total", "c_events", "c_total", "alloc"])
        for r in rows:
            w.writerow([f"{r['author']} {r['year']}", r["tpos"], int(r["tpos"]) + int(r["tneg"]),
                        r["cpos"], int(r["cpos"]) + int(r["cneg"]), r["alloc"]])
    return out


def approx_fit(out: dict, vals: dict, call: str, rel: float = 1e-6) -> None:
    for ours, theirs in [("estimate", "estimate"), ("se", "se"), ("ci_lower", "ci.lb"), ("ci_upper", "ci.ub"),
                         ("pval", "pval"), ("tau2", "tau2"), ("i2", "I2"), ("q", "QE")]:
        assert out[ours] == pytest.approx(vals[theirs], rel=rel, abs=1e-12), f"{ours}: {call}"
    assert out["k"] == vals["k"]


def test_importing_the_cli_loads_no_heavy_library():
    code = ("import sys, review.cli; "
            "print([m for m in ('pandas', 'scipy', 'matplotlib', 'numpy') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.stdout.strip() == "[]", out.stderr


def test_help_has_an_example():
    result = CliRunner().invoke(app, ["pool", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Examples:" in result.output and "review pool trials.csv --measure RR" in result.output


def test_json_matches_metafor(bcg_csv, metafor_ref):
    case = metafor_ref["results"]["bcg_RR_REML"]
    result = CliRunner().invoke(app, ["pool", str(bcg_csv), "--measure", "RR", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"k", "estimate", "se", "ci_lower", "ci_upper", "pval", "tau2", "tau2_ci_lower",
                        "tau2_ci_upper", "i2", "h2", "q", "q_df", "q_pval", "pi_lower", "pi_upper", "exp"}
    approx_fit(out, case["values"], case["call"])
    assert out["pi_lower"] == pytest.approx(case["values"]["predict"]["pi.lb"], rel=1e-6)
    assert out["tau2_ci_upper"] == pytest.approx(case["values"]["confint"]["tau2"]["ci.ub"], rel=1e-6)
    assert set(out["exp"]) == {"estimate", "ci_lower", "ci_upper", "pi_lower", "pi_upper"}


def test_python_m_review_pool_json(bcg_csv, metafor_ref, tmp_path):
    case = metafor_ref["results"]["bcg_RR_DL_knha"]
    out = run(["pool", bcg_csv, "--measure", "rr", "--method", "DL", "--hk", "--json"], tmp_path, 0)
    approx_fit(json.loads(out.stdout), case["values"], case["call"], rel=1e-10)


def test_mh_through_the_cli(bcg_csv, metafor_ref):
    case = metafor_ref["results"]["bcg_OR_MH"]
    result = CliRunner().invoke(app, ["pool", str(bcg_csv), "--measure", "OR", "--method", "MH", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    for ours, theirs in [("estimate", "estimate"), ("se", "se"), ("q", "QE"), ("i2", "I2")]:
        assert out[ours] == pytest.approx(case["values"][theirs], rel=1e-10), case["call"]
    assert out["tau2"] == 0 and out["pi_lower"] is None


def test_table_output_and_plots(bcg_csv, tmp_path):
    forest, funnel = tmp_path / "forest.png", tmp_path / "funnel.svg"
    result = CliRunner().invoke(app, ["pool", str(bcg_csv), "--measure", "RR", "--subgroup", "alloc",
                                      "--forest", str(forest), "--funnel", str(funnel)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Aronson 1948" in text and "Total (k = 13)" in text
    # R: exp(coef(rma(yi, vi, data=escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)))) = 0.489
    assert "0.49 [0.34, 0.70]" in text
    assert "Heterogeneity: Tau² = 0.31; Chi² = 152.23, df = 12" in text
    assert "Test for subgroup differences" in text
    assert forest.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in funnel.read_text()


# ---- bad input ------------------------------------------------------------------------


def test_negative_sd_exit_2_one_line(tmp_path):
    out = run(["pool", DATA / "continuous_bad.csv", "--measure", "SMD"], tmp_path, 2)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert "continuous_bad.csv, line 3, field e_sd" in lines[0]
    assert "Orpington-Mild" in lines[0] and "-7" in lines[0]
    assert "Traceback" not in out.stderr


def test_events_above_total():
    result = CliRunner().invoke(app, ["pool", str(DATA / "events_over_total.csv"), "--measure", "RR"])
    assert isinstance(result.exception, InputError) and result.exception.exit_code == 2
    assert "line 3" in str(result.exception) and "306" in str(result.exception)


def test_missing_column(tmp_path):
    out = run(["pool", DATA / "missing_column.csv", "--measure", "RR"], tmp_path, 2)
    assert "c_total" in out.stderr and "missing_column.csv" in out.stderr


def test_missing_file_and_missing_measure(tmp_path):
    out = run(["pool", tmp_path / "nope.csv", "--measure", "RR"], tmp_path, 2)
    assert "file not found" in out.stderr
    result = CliRunner().invoke(app, ["pool", str(DATA / "two.csv")])
    assert isinstance(result.exception, UsageError) and "--measure" in str(result.exception)
    result = CliRunner().invoke(app, ["pool", str(DATA / "two.csv"), "--measure", "XX"])
    assert isinstance(result.exception, UsageError)


def test_single_study_warns_and_reports_its_estimate():
    result = CliRunner().invoke(app, ["pool", str(DATA / "single.csv"), "--measure", "RR", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # R: rma(yi, vi, data=escalc("RR", ai=4, n1i=123, ci=11, n2i=139)) -> b = -0.88931133392020523
    assert out["k"] == 1 and out["estimate"] == pytest.approx(-0.88931133392020523, rel=1e-10)
    assert "Warning" in result.stderr and "one study" in result.stderr


def test_two_studies_work():
    result = CliRunner().invoke(app, ["pool", str(DATA / "two.csv"), "--measure", "RR", "--json"])
    assert result.exit_code == 0, result.output
    # R: rma(yi, vi, data=escalc("RR", ai=c(4,6), n1i=c(123,306), ci=c(11,29), n2i=c(139,303)))
    assert json.loads(result.stdout)["estimate"] == pytest.approx(-1.3250034422448751, rel=1e-6)


# ---- inside a review --------------------------------------------------------------------


PROTOCOL = textwrap.dedent("""\
    title: BCG vaccine and tuberculosis
    question: Does BCG vaccination prevent tuberculosis?
    searches:
      - name: pubmed
        database: PubMed
        file: pubmed.nbib
        date: 2024-01-01
        query: BCG AND tuberculosis
    analyses:
      - name: tb
        outcome: Tuberculosis
        measure: RR
        data: analyses/bcg.csv
        groups: [Vaccinated, Control]
        favours: [vaccine, control]
      - name: tb_alloc
        outcome: Tuberculosis by allocation
        measure: RR
        method: DL
        data: analyses/bcg.csv
        subgroup: alloc
    """)


def test_review_folder_runs_every_analysis(bcg_csv, tmp_path, monkeypatch, metafor_ref):
    root = tmp_path / "review"
    (root / "analyses").mkdir(parents=True)
    (root / "protocol.yaml").write_text(PROTOCOL, encoding="utf-8")
    (root / "analyses" / "bcg.csv").write_bytes(bcg_csv.read_bytes())
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["pool"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output + repr(result.exception)
    out = root / "output"
    for name in ("pooled.csv", "pooled.md", "pooled.html", "pooled.json"):
        assert (out / name).is_file(), name
    for kind in ("forest", "funnel"):
        for a in ("tb", "tb_alloc"):
            for ext in ("svg", "png", "pdf"):
                assert (out / f"{kind}_{a}.{ext}").stat().st_size > 0
    blob = json.loads((out / "pooled.json").read_text())
    assert [a["name"] for a in blob["analyses"]] == ["tb", "tb_alloc"]
    for a, key in zip(blob["analyses"], ("bcg_RR_REML", "bcg_RR_DL")):
        approx_fit(a, metafor_ref["results"][key]["values"], metafor_ref["results"][key]["call"])
    md = (out / "pooled.md").read_text()
    assert "| Tuberculosis | 13 |" in md and "RR 0.49 (0.34 to 0.70)" in md
    assert "Favours vaccine" in (out / "forest_tb.svg").read_text()
    # a second run gives the same files
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".svg", ".pdf", ".json", ".csv")}
    assert CliRunner().invoke(app, ["pool"]).exit_code == 0
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".svg", ".pdf", ".json", ".csv")}
    assert before == after


def test_review_folder_options_need_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["pool", "--measure", "RR"])
    assert isinstance(result.exception, UsageError)


def test_outside_a_review_without_data(tmp_path):
    out = run(["pool"], tmp_path, 2)
    assert "protocol.yaml" in out.stderr
