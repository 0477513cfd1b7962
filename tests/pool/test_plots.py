"""Forest and funnel plots: files are written and valid, the text is all there, nothing overlaps.

Most tests draw hand-made result objects (no model fitting), so they check the
drawing alone; one test draws the BCG data through the whole API.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.errors import InputError
from review.pool.api import MetaAnalysis
from review.pool.plots import forest_plot, funnel_plot, save_figure

SVG_NS = "{http://www.w3.org/2000/svg}"


def fake(k=4, measure="RR", labels=None, groups=None, method="REML", yi=None, weights=None, hk=False):
    """A MetaAnalysis filled by hand: study i has log RR -0.2*i and SE 0.3."""
    labels = labels or [f"Study {i + 1}" for i in range(k)]
    yi = np.asarray(yi if yi is not None else [-0.2 * i for i in range(k)], float)
    vi = np.full(k, 0.09)
    w = np.asarray(weights if weights is not None else np.full(k, 100 / k), float)
    ratio = measure in ("RR", "OR")
    t = np.exp if ratio else (np.tanh if measure == "ZCOR" else (lambda x: x))
    z = 1.959963984540054
    studies = pd.DataFrame({"study": labels, "yi": yi, "vi": vi, "se": np.sqrt(vi),
                            "ci_lower": yi - z * 0.3, "ci_upper": yi + z * 0.3, "weight_pct": w})
    if measure in ("RR", "OR"):
        studies["e_events"] = np.arange(k) + 3
        studies["e_total"] = 100 + np.arange(k) * 7
        studies["c_events"] = np.arange(k) + 5
        studies["c_total"] = 101 + np.arange(k) * 3
    elif measure == "SMD":
        for col, base in (("e_mean", 5.5), ("e_sd", 1.25), ("e_n", 20), ("c_mean", 6.0), ("c_sd", 1.5), ("c_n", 21)):
            studies[col] = base + np.arange(k)
    elif measure == "ZCOR":
        studies["r"] = np.tanh(yi)
        studies["n"] = 50 + np.arange(k)
    studies["effect"] = t(yi)
    studies["effect_ci_lower"] = t(studies["ci_lower"].to_numpy())
    studies["effect_ci_upper"] = t(studies["ci_upper"].to_numpy())
    est = float(np.average(yi, weights=w))
    row = {"k": k, "estimate": est, "se": 0.1, "ci_lower": est - 0.2, "ci_upper": est + 0.2, "pval": 0.012,
           "tau2": 0.05, "tau2_ci_lower": 0.0, "tau2_ci_upper": 0.4, "i2": 40.0, "h2": 1.7, "q": 12.5,
           "q_df": k - 1, "q_pval": 0.03, "pi_lower": est - 0.6, "pi_upper": est + 0.6, "stat": -2.5,
           "stat_type": "t" if hk else "z", "df": k - 1 if hk else None, "tau": 0.22, "n": 500.0,
           "i2_q": max(0.0, 100 * (12.5 - (k - 1)) / 12.5),
           "measure": measure, "method": method}
    subgroups = test = None
    if groups:
        studies["subgroup"] = [groups[i % len(groups)] for i in range(k)]
        recs = []
        for g in sorted(set(studies["subgroup"])):
            part = studies[studies["subgroup"] == g]
            e = float(part["yi"].mean())
            recs.append({"subgroup": g, "k": len(part), "estimate": e, "se": 0.15, "ci_lower": e - 0.3,
                         "ci_upper": e + 0.3, "pval": 0.2, "stat": 1.3, "stat_type": "z", "tau2": 0.01,
                         "i2": 10.0, "h2": 1.1, "q": 3.0, "q_df": len(part) - 1, "q_pval": 0.4,
                         "pi_lower": None, "pi_upper": None, "n": 200.0,
                         "weight_pct": float(part["weight_pct"].sum())})
        subgroups = pd.DataFrame(recs)
        test = {"q": 1.86, "df": len(recs) - 1, "pval": 0.39, "i2": 0.0, "tau2_mode": "separate"}
    return MetaAnalysis(measure=measure, method=method, hk=hk, level=95, studies=studies,
                        summary=pd.DataFrame([row]), subgroups=subgroups, subgroup_test=test,
                        ratio=ratio, outcome="Outcome")


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def text_boxes(fig):
    """Window extents of every visible, non-empty text in the figure (figure texts and tick labels)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.texts]
    for ax in fig.axes:
        texts += [t for t in ax.get_xticklabels() if t.get_visible()]
        texts += list(ax.texts)
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text().strip()]


def assert_no_overlap(fig):
    boxes = text_boxes(fig)
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        # shrink by half a pixel: touching edges are fine
        if ba.width and bb.width:
            overlap = (min(ba.x1, bb.x1) - max(ba.x0, bb.x0) > 0.5) and (min(ba.y1, bb.y1) - max(ba.y0, bb.y0) > 0.5)
            assert not overlap, f"{a!r} overlaps {b!r}"
    renderer = fig.canvas.get_renderer()
    panel = fig.axes[0].get_window_extent(renderer)
    for text, box in boxes:
        if box in [t.get_window_extent(renderer) for t in fig.axes[0].get_xticklabels()]:
            continue
        inside = (min(box.x1, panel.x1) - max(box.x0, panel.x0) > 0.5) and (min(box.y1, panel.y1) - max(box.y0, panel.y0) > 0.5)
        assert not inside, f"{text!r} is drawn over the plot panel"


# ---- files ----------------------------------------------------------------------------


def test_forest_writes_valid_svg_png_pdf(tmp_path):
    from PIL import Image

    ma = fake(6, labels=["Aronson 1948", "Ferguson & Simes 1949", "Rosenthal <et al> 1960", "Hart 1977",
                         "Stein $5 1953", "TPT Madras 1980"])
    paths = [tmp_path / "f.svg", tmp_path / "f.png", tmp_path / "f.pdf"]
    forest_plot(ma, paths)
    texts = svg_texts(paths[0])
    joined = "\n".join(texts)
    for label in ma.studies["study"]:
        assert label in texts, label                    # labels kept as text, '<', '&' and '$' intact
    pooled = "{:.2f} [{:.2f}, {:.2f}]".format(*np.exp([ma.row()["estimate"], ma.row()["ci_lower"],
                                                      ma.row()["ci_upper"]]))
    assert pooled in texts
    assert "Total (95% CI)" in texts and "Heterogeneity: Tau²" in joined and "Test for overall effect" in joined
    with Image.open(paths[1]) as img:
        img.verify()
    with Image.open(paths[1]) as img:
        assert img.format == "PNG" and round(img.info["dpi"][0]) >= 200
    data = paths[2].read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-64:]


def test_svg_and_pdf_are_reproducible(tmp_path):
    ma = fake(5)
    forest_plot(ma, [tmp_path / "a.svg", tmp_path / "a.pdf"])
    forest_plot(ma, [tmp_path / "b.svg", tmp_path / "b.pdf"])
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_unknown_suffix_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=r"\.svg, \.png or \.pdf"):
        forest_plot(fake(3), tmp_path / "plot.jpg")


# ---- layout ---------------------------------------------------------------------------


def test_ratio_axis_is_log_with_readable_ticks():
    fig = forest_plot(fake(5))                           # estimates 1 .. exp(-0.8) = 0.45
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.2", "0.5", "1", "2", "5"]
    assert ax.get_xlim() == pytest.approx((0.2, 5.0))
    fig = forest_plot(fake(5), xlim=(0.1, 10))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0.1", "1", "10"]


def test_difference_axis_is_linear_and_symmetric():
    ax = forest_plot(fake(4, measure="SMD")).axes[0]
    assert ax.get_xscale() == "linear"
    lo, hi = ax.get_xlim()
    assert lo == -hi


def test_clipped_whiskers_get_arrows_and_squares_scale_with_weight():
    ma = fake(3, yi=[0.0, -0.3, 2.5], weights=[60.0, 30.0, 10.0])
    fig = forest_plot(ma, xlim=(0.2, 5))                 # study 3: RR 12.2, CI up to 22 -> beyond 5
    ax = fig.axes[0]
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == 1                              # only the third study's right whisker
    squares = [ln for ln in ax.lines if ln.get_marker() == "s"]
    sizes = sorted(ln.get_markersize() for ln in squares)
    assert len(sizes) == 2                               # the third square lies outside the axis
    assert sizes[1] / sizes[0] == pytest.approx(math.sqrt(60 / 30))   # area proportional to weight


def test_subgroups_have_headers_subtotals_and_test(tmp_path):
    ma = fake(7, groups=["random", "systematic"])
    forest_plot(ma, tmp_path / "s.svg")
    texts = svg_texts(tmp_path / "s.svg")
    assert texts.count("Subtotal (95% CI)") == 2
    assert "random" in texts and "systematic" in texts
    assert any(t.startswith("Test for subgroup differences: Chi² = 1.86, df = 1 (P = 0.39)") for t in texts)
    diamonds = [p for p in forest_plot(ma).axes[0].patches if p.__class__.__name__ == "Polygon"]
    assert len(diamonds) == 3                            # two subtotals and the total


def test_fixed_effect_has_no_tau2_and_no_prediction_interval(tmp_path):
    ma = fake(4, method="MH")
    forest_plot(ma, tmp_path / "mh.svg")
    texts = svg_texts(tmp_path / "mh.svg")
    assert "M-H, Fixed, 95% CI" in texts
    assert not any("Tau²" in t for t in texts) and "Prediction interval" not in texts


def test_hk_overall_effect_is_a_t_test(tmp_path):
    forest_plot(fake(4, hk=True), tmp_path / "hk.svg")
    assert any(t.startswith("Test for overall effect: t = 2.50, df = 3") for t in svg_texts(tmp_path / "hk.svg"))


def test_height_grows_with_k():
    h = [forest_plot(fake(k)).get_size_inches()[1] for k in (3, 10, 40)]
    assert h[0] < h[1] < h[2]


label_text = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP &-.,'()0123456789é"),
                     min_size=1, max_size=45)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(labels=st.lists(label_text, min_size=1, max_size=14), measure=st.sampled_from(["RR", "SMD", "ZCOR"]),
       sub=st.booleans(), names=st.tuples(label_text, label_text), fav=st.tuples(label_text, label_text))
def test_text_never_overlaps(labels, measure, sub, names, fav):
    k = len(labels)
    ma = fake(k, measure=measure, labels=labels, groups=["first group", "g2"] if sub and k > 1 else None,
              yi=np.linspace(-1.5, 1.2, k))
    fig = forest_plot(ma, groups=names, favours=fav)
    assert_no_overlap(fig)


def test_bcg_forest_layout_has_no_overlaps(tmp_path):
    ma = fake(13, labels=["Frimodt-Moller et al 1973", "Comstock & Webster 1969"] + [f"Trial {i}" for i in range(11)],
              groups=["alternate", "random", "systematic"], yi=np.linspace(-1.6, 0.45, 13))
    assert_no_overlap(forest_plot(ma))


# ---- funnel ---------------------------------------------------------------------------


@dataclass
class FakeFill:
    k0: int
    filled_yi: np.ndarray
    filled_vi: np.ndarray
    fit: object


@dataclass
class FakeFit:
    beta: np.ndarray


def test_funnel_marks_filled_studies_as_open_circles(tmp_path):
    ma = fake(8)
    tf = FakeFill(2, np.array([0.6, 0.9]), np.array([0.09, 0.2]), FakeFit(np.array([-0.3])))
    fig = funnel_plot(ma, [tmp_path / "fun.png", tmp_path / "fun.svg"], trimfill=tf)
    ax = fig.axes[0]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]          # SE axis inverted: 0 at the top
    assert ax.get_xscale() == "log"
    open_pts = [c for c in ax.collections
                if len(c.get_offsets()) == 2 and np.allclose(c.get_facecolors()[:, :3], 1.0)]
    assert len(open_pts) == 1
    assert np.allclose(open_pts[0].get_offsets()[:, 0], np.exp([0.6, 0.9]))
    assert (tmp_path / "fun.png").stat().st_size > 1000
    assert any("trim-and-fill" in t for t in svg_texts(tmp_path / "fun.svg"))


def test_funnel_without_trimfill(tmp_path):
    fig = funnel_plot(fake(5, measure="SMD"), tmp_path / "f.pdf", trimfill=False)
    assert fig.axes[0].get_xscale() == "linear"
    assert (tmp_path / "f.pdf").read_bytes().startswith(b"%PDF")


# ---- through the API --------------------------------------------------------------------


def test_bcg_forest_and_funnel_through_the_api(tmp_path, shared_dir):
    from review.pool.api import meta_analysis

    bcg = shared_dir / "benchmarks" / "meta" / "bcg.csv"
    cols = {"ai": "tpos", "bi": "tneg", "ci": "cpos", "di": "cneg"}
    df = pd.read_csv(bcg)
    df["study"] = df["author"] + " " + df["year"].astype(str)
    ma = meta_analysis(df, "RR", "REML", columns=cols, subgroup="alloc")
    fig = ma.forest(tmp_path / "bcg.svg")
    assert_no_overlap(fig)
    texts = svg_texts(tmp_path / "bcg.svg")
    for label in df["study"]:
        assert label in texts
    # R: exp(coef(rma(yi, vi, data=escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg))))
    #    = 0.4894 [0.3441, 0.6962]
    assert "0.49 [0.34, 0.70]" in texts
    ma.funnel(tmp_path / "bcg_funnel.svg")
    assert (tmp_path / "bcg_funnel.svg").is_file()


def test_save_figure_rejects_other_formats(tmp_path):
    fig = forest_plot(fake(2))
    with pytest.raises(InputError):
        save_figure(fig, tmp_path / "x.gif")
    assert save_figure(fig, tmp_path / "x.png", dpi=100).is_file()   # raised to 200 dpi


def test_i2_choice_in_heterogeneity_line(tmp_path):
    forest_plot(fake(4), tmp_path / "a.svg")
    forest_plot(fake(4), tmp_path / "b.svg", i2="q")
    # metafor's I2 is the 40.0 given to the fake; (Q - df) / Q = (12.5 - 3) / 12.5 = 76%
    assert any(t.endswith("I² = 40%") for t in svg_texts(tmp_path / "a.svg"))
    assert any(t.endswith("I² = 76%") for t in svg_texts(tmp_path / "b.svg"))
