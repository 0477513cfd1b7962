"""End-to-end numbers of review.pool.api.meta_analysis against R metafor 3.8.

Every expected value comes from ../shared/benchmarks/meta/metafor_reference.json
(computed by R metafor 3.8-1 from the CSVs beside it; each case's R call is in
the test id's reference entry and repeated in the assertion message) or, for
the small fixtures in tests/data/pool, from the R call written beside the value.
The data go through the whole user path: CSV file -> column resolution ->
escalc -> rma / rma.mh / rma.peto -> tidy results.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from review.errors import InputError
from review.pool.api import JSON_KEYS, meta_analysis
from review.pool.validate import PoolInputError
from .conftest import META_DIR, load_reference

DATA = Path(__file__).resolve().parents[1] / "data" / "pool"
REF = load_reference()

# label column of each benchmark CSV
STUDY_COL = {"bcg": "trial", "nielweise2007": "study", "normand1999": "study", "curtis1998": "id",
             "molloy2014": "authors", "hackshaw1998": "study"}
CLOSED_FORM = {"FE", "EE", "DL", "HE", "HS", "SJ", "MH", "PETO"}


def _columns(dataset: str) -> dict[str, str]:
    cols = REF["datasets"][dataset]["columns"]
    return {k: v for k, v in cols.items() if isinstance(v, str)}


def _cases() -> list[tuple[str, dict]]:
    if REF is None:
        return []
    return sorted(REF["results"].items())


def _close(actual, expected, rel, what, call):
    if expected is None:
        assert actual is None or (isinstance(actual, float) and math.isnan(actual)), f"{what}: {call}"
        return
    assert actual == pytest.approx(expected, rel=rel, abs=1e-12), f"{what} vs R: {call}"


def _run(case: dict) -> object:
    dataset = case["dataset"]
    measure = case["measure"].split()[0]
    fn = case["function"]
    vals = case["values"]
    if fn == "rma.mh":
        method = "MH"
    elif fn == "rma.peto":
        method, measure = "PETO", "OR"
    else:
        method = vals["method"]
    return meta_analysis(
        META_DIR / f"{dataset}.csv", measure, method=method, hk=vals.get("test") == "knha",
        study_col=STUDY_COL[dataset], columns=_columns(dataset),
    )


@pytest.mark.parametrize("case_id,case", _cases(), ids=[c[0] for c in _cases()])
def test_reference_fit(case_id, case):
    """Every fit in metafor_reference.json reproduced through meta_analysis (CSV in, JSON out)."""
    vals = case["values"]
    call = case["call"]
    method = "MH" if case["function"] == "rma.mh" else "PETO" if case["function"] == "rma.peto" else vals["method"]
    rel = 1e-10 if method in CLOSED_FORM else 1e-6
    ma = _run(case)
    out = ma.to_json()
    assert set(out) == set(JSON_KEYS) | {"exp"}
    assert out["k"] == vals["k"]
    for ours, theirs in [("estimate", "estimate"), ("se", "se"), ("ci_lower", "ci.lb"), ("ci_upper", "ci.ub"),
                         ("pval", "pval"), ("tau2", "tau2"), ("i2", "I2"), ("h2", "H2"), ("q", "QE"),
                         ("q_pval", "QEp")]:
        _close(out[ours], vals[theirs], rel, ours, call)
    assert out["q_df"] == vals["QE.df"]
    pred = vals.get("predict")
    if pred is not None:
        _close(out["pi_lower"], pred["pi.lb"], rel, "pi_lower", call)
        _close(out["pi_upper"], pred["pi.ub"], rel, "pi_upper", call)
    conf = vals.get("confint")
    if conf is not None:
        # confint(res): Q-profile (metafor's uniroot; same algorithm, so 1e-6 holds)
        _close(out["tau2_ci_lower"], conf["tau2"]["ci.lb"], 1e-6, "tau2_ci_lower", call)
        _close(out["tau2_ci_upper"], conf["tau2"]["ci.ub"], 1e-6, "tau2_ci_upper", call)
    w = ma.studies["weight_pct"].to_numpy(float)
    np.testing.assert_allclose(w, np.asarray(vals["weights_pct"], float), rtol=max(rel, 1e-9), atol=1e-10,
                               err_msg=f"weights(res) vs R: {call}")
    if vals.get("stat_type") == "t":
        assert ma.row()["stat_type"] == "t"
        assert ma.row()["stat"] == pytest.approx(vals["stat"], rel=rel)


@pytest.mark.parametrize("case_id", ["bcg_RR_REML", "curtis1998_ROM_DL", "nielweise2007_OR_MH", "bcg_OR_PETO"])
def test_exp_block_back_transforms(case_id, metafor_ref):
    """"exp" holds exp() of R's log-scale estimate and CI (predict(res, transf=exp))."""
    case = metafor_ref["results"][case_id]
    vals = case["values"]
    out = _run(case).to_json()
    assert out["exp"]["estimate"] == pytest.approx(math.exp(vals["estimate"]), rel=1e-6), case["call"]
    assert out["exp"]["ci_lower"] == pytest.approx(math.exp(vals["ci.lb"]), rel=1e-6), case["call"]
    assert out["exp"]["ci_upper"] == pytest.approx(math.exp(vals["ci.ub"]), rel=1e-6), case["call"]
    pred = vals.get("predict") or {}
    if pred.get("pi.lb") is not None:
        assert out["exp"]["pi_lower"] == pytest.approx(math.exp(pred["pi.lb"]), rel=1e-6)


def test_zcor_exp_block_is_r(metafor_ref):
    """ZCOR: "exp" is the z -> r back-transformation (predict(res, transf=transf.ztor))."""
    case = metafor_ref["results"]["molloy2014_ZCOR_REML"]
    out = _run(case).to_json()
    assert out["exp"]["estimate"] == pytest.approx(math.tanh(case["values"]["estimate"]), rel=1e-6)
    assert out["exp"]["ci_upper"] == pytest.approx(math.tanh(case["values"]["ci.ub"]), rel=1e-6)


def test_difference_measures_have_no_exp(metafor_ref):
    out = _run(metafor_ref["results"]["normand1999_SMD_REML"]).to_json()
    assert out["exp"] is None


@pytest.mark.parametrize("method", ["FE", "DL", "REML"])
def test_subgroups_separate_tau2(method, metafor_ref):
    """Subgroups with their own tau2 and Q_between, as R meta / RevMan (reference 'separate_tau2')."""
    ref = metafor_ref["subgroup"]["bcg_RR_alloc"][method]["separate_tau2"]
    ma = meta_analysis(META_DIR / "bcg.csv", "RR", method=method, subgroup="alloc", study_col="trial",
                       columns=_columns("bcg"), tau2_subgroup="separate")
    sub = ma.subgroups.set_index("subgroup")
    for g in ref["groups"]:
        row = sub.loc[g["level"]]
        assert row["k"] == g["k"]
        for ours, theirs in [("estimate", "estimate"), ("se", "se"), ("ci_lower", "ci.lb"), ("ci_upper", "ci.ub"),
                             ("tau2", "tau2"), ("q", "QE"), ("i2", "I2"), ("pval", "pval")]:
            assert row[ours] == pytest.approx(g[theirs], rel=1e-6, abs=1e-12), f"{ours}: {g['call']}"
    assert ma.subgroup_test["q"] == pytest.approx(ref["Q_between"], rel=1e-6), ref["Q_between_call"]
    assert ma.subgroup_test["df"] == ref["Q_between_df"]
    assert ma.subgroup_test["pval"] == pytest.approx(ref["Q_between_p"], rel=1e-6)
    # study weights shown are those of the overall model: the subtotals add up to 100
    assert ma.subgroups["weight_pct"].sum() == pytest.approx(100.0)


def test_subgroups_common_tau2(metafor_ref):
    """tau2_subgroup='common': metafor's rma(yi, vi, mods = ~ factor(alloc)) QM test."""
    ref = metafor_ref["subgroup"]["bcg_RR_alloc"]["REML"]["common_tau2"]
    ma = meta_analysis(META_DIR / "bcg.csv", "RR", method="REML", subgroup="alloc", study_col="trial",
                       columns=_columns("bcg"), tau2_subgroup="common")
    assert ma.subgroup_test["q"] == pytest.approx(ref["QM"], rel=1e-6), ref["call"]
    assert ma.subgroup_test["pval"] == pytest.approx(ref["QMp"], rel=1e-6), ref["call"]
    est = ma.subgroups.set_index("subgroup")["estimate"]
    np.testing.assert_allclose(est.to_numpy(float), ref["group_estimate"], rtol=1e-6, err_msg=ref["group_call"])


def test_studies_frame_is_tidy(metafor_ref):
    """Study rows: escalc yi/vi as R gives them, CI = yi -/+ qnorm(.975) sqrt(vi)."""
    ref = metafor_ref["escalc"]["bcg_RR"]
    ma = meta_analysis(META_DIR / "bcg.csv", "RR", study_col="trial", columns=_columns("bcg"))
    s = ma.studies
    np.testing.assert_allclose(s["yi"], ref["yi"], rtol=1e-10, err_msg=ref["call"])
    np.testing.assert_allclose(s["vi"], ref["vi"], rtol=1e-10, err_msg=ref["call"])
    z = 1.959963984540054  # qnorm(0.975)
    np.testing.assert_allclose(s["ci_lower"], np.asarray(ref["yi"]) - z * np.sqrt(ref["vi"]), rtol=1e-10)
    assert list(s["e_events"][:2]) == [4, 6]  # tpos of the first two trials in bcg.csv
    assert {"study", "yi", "vi", "se", "ci_lower", "ci_upper", "weight_pct"} <= set(s.columns)
    assert ma.summary.shape[0] == 1
    # RevMan's I2 = (Q - df) / Q from R's QE for rma(yi, vi, data=dat) (REML): not metafor's I2
    qe = metafor_ref["results"]["bcg_RR_REML"]["values"]["QE"]
    assert ma.row()["i2_q"] == pytest.approx(100 * (qe - 12) / qe, rel=1e-10)


# ---- small fixtures: expected numbers from the R calls written beside them ---------


def test_k2_works():
    ma = meta_analysis(DATA / "two.csv", "RR")
    out = ma.to_json()
    # R: r2 <- rma(yi, vi, data=escalc("RR", ai=c(4,6), n1i=c(123,306), ci=c(11,29), n2i=c(139,303)))
    assert out["k"] == 2
    assert out["estimate"] == pytest.approx(-1.3250034422448751, rel=1e-6)
    assert out["se"] == pytest.approx(0.34898877228738301, rel=1e-6)
    assert out["q"] == pytest.approx(0.9314790774491557, rel=1e-10)
    assert out["tau2"] == pytest.approx(0.0, abs=1e-12)
    # R: predict(r2) -> pi.lb -2.0090088669369957 (tau2 = 0, so PI = CI)
    assert out["pi_lower"] == pytest.approx(-2.0090088669369957, rel=1e-6)


def test_single_study_gives_its_estimate_with_warning():
    ma = meta_analysis(DATA / "single.csv", "RR")
    out = ma.to_json()
    # R: rma(yi, vi, data=escalc("RR", ai=4, n1i=123, ci=11, n2i=139)) -> b = -0.88931133392020523
    assert out["k"] == 1
    assert out["estimate"] == pytest.approx(-0.88931133392020523, rel=1e-10)
    assert out["se"] == pytest.approx(0.57060035489295069, rel=1e-10)
    assert any("one study" in w for w in ma.warnings)
    assert out["pi_lower"] is None


def test_hk_dl_on_five_studies():
    ma = meta_analysis(DATA / "bcg5.csv", "RR", method="DL", hk=True)
    r = ma.row()
    # R: r5 <- rma(yi, vi, data=escalc("RR", ai=c(4,6,3,62,33), n1i=c(123,306,231,13598,5069),
    #              ci=c(11,29,11,248,47), n2i=c(139,303,220,12867,5808)), method="DL", test="knha")
    assert r["estimate"] == pytest.approx(-1.0659896418275381, rel=1e-10)
    assert r["ci_lower"] == pytest.approx(-1.8045605426147047, rel=1e-10)
    assert r["pval"] == pytest.approx(0.016032749109639238, rel=1e-10)
    assert r["tau2"] == pytest.approx(0.42287207260527615, rel=1e-10)
    assert r["stat_type"] == "t" and r["df"] == 4
    # R: predict(r5) -> pi.lb -3.0166968694475074 (t with k - 1 df under knha, metafor 3.8)
    assert r["pi_lower"] == pytest.approx(-3.0166968694475074, rel=1e-10)


# ---- bad input ---------------------------------------------------------------------


def test_negative_sd_names_file_line_study_and_value():
    with pytest.raises(InputError) as err:
        meta_analysis(DATA / "continuous_bad.csv", "SMD")
    msg = str(err.value)
    assert "continuous_bad.csv" in msg
    assert "line 3" in msg            # header is line 1, Orpington-Mild is on line 3
    assert "Orpington-Mild" in msg and "-7" in msg and "e_sd" in msg


def test_events_above_total():
    with pytest.raises(InputError) as err:
        meta_analysis(DATA / "events_over_total.csv", "OR")
    msg = str(err.value)
    assert "line 3" in msg and "Ferguson & Simes 1949" in msg and "306" in msg


def test_every_bad_cell_listed():
    with pytest.raises(PoolInputError) as err:
        meta_analysis(DATA / "cells_bad.csv", "RR")
    probs = err.value.problems
    assert [(p.line, p.study, p.column) for p in probs] == [
        (3, "Ferguson & Simes 1949", "e_events"), (4, "Rosenthal et al 1960", "e_total")]
    assert "'six' is not a number" in str(err.value)
    assert "e_total is missing" in str(err.value)


def test_missing_column_names_what_is_needed():
    with pytest.raises(InputError) as err:
        meta_analysis(DATA / "missing_column.csv", "RR")
    msg = str(err.value)
    assert "missing_column.csv" in msg and "c_total" in msg and "n2i" in msg


def test_dataframe_input_and_unknown_method():
    df = pd.read_csv(DATA / "bcg5.csv")
    assert meta_analysis(df, "RR").k == 5
    with pytest.raises(InputError, match="unknown method"):
        meta_analysis(df, "RR", method="XYZ")
    with pytest.raises(InputError, match="Mantel-Haenszel"):
        meta_analysis(df, "SMD", method="MH")
    with pytest.raises(InputError, match="Hartung-Knapp"):
        meta_analysis(df, "RR", method="MH", hk=True)


# ---- convention="revman" -----------------------------------------------------------


def test_revman_smd_convention(shared_dir):
    """RevMan 5 SMD: Hedges' g with J = 1 - 3/(4N - 9) and v = 1/n1 + 1/n2 + g^2 / (2 (N - 3.94))."""
    ma = meta_analysis(shared_dir / "benchmarks" / "meta" / "normand1999.csv", "SMD", method="DL",
                       convention="revman")
    # R: d <- read.csv("normand1999.csv"); N <- d$n1i + d$n2i
    #    sp <- sqrt(((d$n1i-1)*d$sd1i^2 + (d$n2i-1)*d$sd2i^2)/(N-2))
    #    g <- (d$m1i-d$m2i)/sp * (1 - 3/(4*N-9)); v <- 1/d$n1i + 1/d$n2i + g^2/(2*(N-3.94))
    #    rma(g, v, method="DL")$b  -> -0.529284683314238
    assert ma.row()["estimate"] == pytest.approx(-0.529284683314238, rel=1e-10)


def test_revman_mh_convention(shared_dir):
    """RevMan 5 MH OR: 0.5 added to every cell of zero-cell studies, double-zero studies left out."""
    ma = meta_analysis(shared_dir / "benchmarks" / "meta" / "nielweise2007.csv", "OR", method="MH",
                       convention="revman")
    # R (by hand on dat.nielweise2007): a, b = n1i - ai, c, d = n2i - ci; keep <- !(a == 0 & c == 0)
    #    z <- keep & (a==0 | b==0 | c==0 | d==0); add 0.5 to a, b, c, d where z; n <- a+b+c+d
    #    log(sum((a*d/n)[keep]) / sum((b*c/n)[keep]))  -> -1.14857722594113
    assert ma.row()["estimate"] == pytest.approx(-1.14857722594113, rel=1e-10)


# ---- reading the table (review.pool.validate) -------------------------------------------


def test_semicolon_bom_and_metafor_names(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_bytes("\ufeffStudy;AI;n1i;ci;N2I\nA;4;123;11;139\nB;6;306;29;303\n".encode("utf-8"))
    ma = meta_analysis(path, "RR")
    # same two studies as two.csv: R rma(...) estimate -1.3250034422448751 (see test_k2_works)
    assert ma.row()["estimate"] == pytest.approx(-1.3250034422448751, rel=1e-6)


def test_issue_names_as_overrides_and_ambiguous_columns(tmp_path):
    df = pd.DataFrame({"study": ["A", "B"], "tpos": [4, 6], "n1": [123, 306], "cpos": [11, 29], "n2": [139, 303]})
    ma = meta_analysis(df, "RR", columns={"e_events": "tpos", "e_total": "n1", "c_events": "cpos", "c_total": "n2"})
    assert ma.k == 2
    both = df.rename(columns={"tpos": "e_events", "n1": "e_total", "cpos": "c_events", "n2": "c_total"})
    both["ai"] = both["e_events"]
    with pytest.raises(InputError, match="both give e_events"):
        meta_analysis(both, "RR")
    with pytest.raises(InputError, match="no 'study' column"):
        meta_analysis(both.drop(columns="study"), "RR")
    with pytest.raises(InputError, match="no subgroup column 'dose'"):
        meta_analysis(both.drop(columns="ai"), "RR", subgroup="dose")


def test_bias_methods_use_the_analysis(metafor_ref):
    """ma.egger() / ma.trimfill() / ma.ranktest() run metafor's regtest/trimfill/ranktest on the same fit."""
    ref = metafor_ref["bias"]["bcg_RR"]
    ma = meta_analysis(META_DIR / "bcg.csv", "RR", method="REML", study_col="trial", columns=_columns("bcg"))
    assert ma.egger().stat == pytest.approx(ref["regtest_REML"]["zval"], rel=1e-6), ref["regtest_REML"]["call"]
    tf = ma.trimfill()
    assert tf.k0 == ref["trimfill_REML"]["k0"], ref["trimfill_REML"]["call"]
    assert float(tf.fit.beta[0]) == pytest.approx(ref["trimfill_REML"]["estimate"], rel=1e-6)
    assert ma.ranktest().pval == pytest.approx(ref["ranktest"]["pval"], rel=1e-10), ref["ranktest"]["call"]
