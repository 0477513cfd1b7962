"""Meta-regression against R metafor 3.8: the `metareg` block of metafor_reference.json.

yi/vi are the reference's escalc values; moderators are read from the benchmark CSVs.
"""

from __future__ import annotations

import numpy as np
import pytest

from review.errors import InputError
from review.pool.models import rma

from .conftest import load_reference, read_benchmark_csv
from .test_models import check_fit_values

_REF = load_reference()
_CASES = [pytest.param(mid, id=f"{mid} | {m['call']}") for mid, m in (_REF or {}).get("metareg", {}).items()] or [
    pytest.param(None, marks=pytest.mark.skip(reason="../shared/benchmarks/meta is absent"))]


def _inputs(ref: dict, mid: str):
    m = ref["metareg"][mid]
    es = ref["escalc"][f"{m['dataset']}_{m['measure']}"]
    rows = read_benchmark_csv(m["dataset"])
    names = m["values"]["coef_names"][1:]
    mods = {name: [float(r[name]) for r in rows] for name in names}
    return m, es, mods


@pytest.mark.parametrize("mid", _CASES)
def test_metareg_matches_metafor(metafor_ref, mid):
    m, es, mods = _inputs(metafor_ref, mid)
    v = m["values"]
    fit = rma(es["yi"], es["vi"], mods=mods, method=v["method"], test=v["test"])
    n, fails = check_fit_values(fit, v, f"{m['call']} after {m['escalc_call']}")
    assert n > 30
    assert not fails, "\n".join(fails)


def test_design_matrix_and_dataframe_give_the_same_fit(metafor_ref):
    """mods as a plain (k, 1) array, a 1-D array, a dict and a DataFrame: same REML fit as R."""
    import pandas as pd

    m, es, mods = _inputs(metafor_ref, "bcg_RR_ablat_REML")
    v = m["values"]
    ablat = np.array(mods["ablat"])
    for form in (ablat, ablat[:, None], pd.DataFrame({"ablat": ablat}), {"ablat": ablat.tolist()}):
        fit = rma(es["yi"], es["vi"], mods=form)
        assert fit.beta == pytest.approx(v["estimate"], rel=1e-6), m["call"]
        assert fit.qm == pytest.approx(v["QM"], rel=1e-6), m["call"]
    assert rma(es["yi"], es["vi"], mods=ablat).coef_names == ["intrcpt", "mods"]
    assert rma(es["yi"], es["vi"], mods=ablat[:, None]).coef_names == ["intrcpt", "X1"]


def test_predict_with_newmods(metafor_ref):
    """At ablat = 0 the prediction is the intercept (R: estimate[0], se[0]); elsewhere b0 + b1 x."""
    m, es, mods = _inputs(metafor_ref, "bcg_RR_ablat_REML")
    v = m["values"]
    fit = rma(es["yi"], es["vi"], mods=mods)
    pr = fit.predict(newmods=[[0.0], [33.46]])
    assert pr.pred[0] == pytest.approx(v["estimate"][0], rel=1e-6), m["call"]
    assert pr.se[0] == pytest.approx(v["se"][0], rel=1e-6), m["call"]
    assert pr.pred[1] == pytest.approx(v["estimate"][0] + 33.46 * v["estimate"][1], rel=1e-6)
    half = 1.959963984540054 * np.sqrt(v["tau2"] + v["se"][0] ** 2)
    assert pr.pi_lb[0] == pytest.approx(v["estimate"][0] - half, rel=1e-6)
    pr2 = fit.predict(newmods={"ablat": [0.0]})
    assert pr2.pred[0] == pytest.approx(v["estimate"][0], rel=1e-6)


def test_categorical_moderator_from_dataframe(metafor_ref):
    """A text column is dummy-coded like R's model.matrix(~ factor(alloc)): first level as reference."""
    import pandas as pd

    sub = metafor_ref["subgroup"]["bcg_RR_alloc"]["REML"]["common_tau2"]
    es = metafor_ref["escalc"]["bcg_RR"]
    alloc = [r["alloc"] for r in read_benchmark_csv("bcg")]
    fit = rma(es["yi"], es["vi"], mods=pd.DataFrame({"factor(alloc)": alloc}))
    assert fit.coef_names == sub["coef_names"], sub["call"]
    assert fit.beta == pytest.approx(sub["coef"], rel=1e-6), sub["call"]
    assert fit.se == pytest.approx(sub["coef_se"], rel=1e-6), sub["call"]
    assert fit.qm == pytest.approx(sub["QM"], rel=1e-6), sub["call"]
    # pandas Categorical order decides the reference level
    cat = pd.Categorical(alloc, categories=["random", "alternate", "systematic"])
    fit2 = rma(es["yi"], es["vi"], mods=pd.DataFrame({"a": cat}))
    assert fit2.coef_names == ["intrcpt", "aalternate", "asystematic"]
    assert fit2.qm == pytest.approx(sub["QM"], rel=1e-6)  # same model, other parametrisation


def test_redundant_moderator_is_dropped_with_a_warning():
    """metafor 3.8 (checked live with R): rma(yi, vi, mods = ~ a + b) with b = 2a drops b and warns
    "Redundant predictors dropped from the model."; the fit is then the one with a alone."""
    yi, vi, a = [0.1, 0.2, 0.3, 0.5, 0.4], [0.1, 0.05, 0.2, 0.1, 0.3], [1.0, 2.0, 3.0, 4.0, 2.5]
    fit = rma(yi, vi, mods={"a": a, "b": [2 * t for t in a]}, method="DL")
    assert fit.coef_names == ["intrcpt", "a"]
    assert any("redundant" in w and "b" in w for w in fit.warnings)
    alone = rma(yi, vi, mods={"a": a}, method="DL")
    assert fit.beta == pytest.approx(alone.beta, rel=1e-12)
    assert fit.predict(newmods={"a": [1.5], "b": [3.0]}).pred == pytest.approx(alone.predict(newmods=[[1.5]]).pred)


def test_one_level_factor_is_an_input_error():
    """R: 'contrasts can be applied only to factors with 2 or more levels'."""
    with pytest.raises(InputError, match="only one level"):
        rma([0.1, 0.2, 0.3], [0.1] * 3, mods={"g": ["x", "x", "x"]})


def test_missing_moderator_value_names_the_row():
    with pytest.raises(InputError, match=r"row\(s\) 2$"):
        rma([0.1, 0.2, 0.3, 0.5], [0.1] * 4, mods={"a": [1.0, float("nan"), 3.0, 4.0]})
