"""Risk-of-bias tools, Newcastle-Ottawa scoring, and the robvis-style plots."""

from __future__ import annotations

import pytest

from review.errors import InputError
from review.extraction import risk_of_bias as rob


def _nos(stars):
    keys = ["representativeness", "non_exposed", "exposure", "outcome_absent", "comparability",
            "assessment", "follow_up_length", "follow_up_adequacy"]
    return {f"rob.{k}": str(s) for k, s in zip(keys, stars)}


def test_tools_and_fields():
    assert len(rob.rob_fields("rob2")) == 6 and len(rob.rob_fields("robins-i")) == 8
    assert rob.rob_fields("robins-i")[0].options == ("Low", "Moderate", "Serious", "Critical", "No information")
    assert rob.rob_fields("rob2")[-1].key == "rob.overall"
    nos = rob.rob_fields("Newcastle-Ottawa")
    assert len(nos) == 8 and nos[4].options == ("0", "1", "2")  # comparability: up to two stars
    assert len(rob.rob_fields("nos-case-control")) == 8
    with pytest.raises(InputError):
        rob.tool_name("jadad")


@pytest.mark.parametrize("stars,total,domains,overall", [
    # 4 selection, 2 comparability, 3 outcome = 9 stars: all good
    ((1, 1, 1, 1, 2, 1, 1, 1), 9, ("Good", "Good", "Good"), "Good"),
    # 2 selection stars -> fair selection; comparability 1, outcome 2 -> fair overall (AHRQ)
    ((1, 1, 0, 0, 1, 1, 1, 0), 5, ("Fair", "Good", "Good"), "Fair"),
    # comparability 0 -> poor overall whatever else
    ((1, 1, 1, 1, 0, 1, 1, 1), 7, ("Good", "Poor", "Good"), "Poor"),
    # 1 outcome star -> poor
    ((1, 1, 1, 0, 2, 1, 0, 0), 6, ("Good", "Good", "Poor"), "Poor"),
])
def test_nos_ahrq_conversion(stars, total, domains, overall):
    a = rob.assess("nos-cohort", "s", _nos(stars))
    assert (a.stars, a.domains, a.overall) == (total, domains, overall)


def test_incomplete_assessment_is_none():
    assert rob.assess("nos-cohort", "s", _nos((1, 1, 1))) is None
    assert rob.assess("rob2", "s", {"rob.D1": "Low"}) is None


def test_summary_shares_by_hand():
    a = [rob.Assessment("a", ("Low",) * 5, "Low"), rob.Assessment("b", ("High", "Low", "Low", "Low", "Some concerns"), "High"),
         rob.Assessment("c", ("Some concerns", "Low", "Low", "Low", "Low"), "Some concerns"), rob.Assessment("d", ("Low",) * 5, "Low")]
    rows = dict(rob.summary_table("rob2", a))
    d1 = rows["Bias arising from the randomization process"]
    assert d1 == {"Low": 50.0, "Some concerns": 25.0, "High": 25.0}
    # weighted: weights 1, 3, 0, 0 -> D1 is 25 % low, 75 % high
    w = dict(rob.summary_table("rob2", a, weights=[1, 3, 0, 0]))
    assert w["Bias arising from the randomization process"] == {"Low": 25.0, "Some concerns": 0.0, "High": 75.0}
    assert w["Overall risk of bias"]["High"] == 75.0


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_plots_are_written(tmp_path, suffix):
    a = [rob.assess("nos-cohort", "Halvorsen 2019", _nos((1, 1, 1, 1, 2, 1, 1, 1))),
         rob.assess("nos-cohort", "Okafor 2021", _nos((1, 1, 0, 0, 1, 1, 1, 0))),
         rob.assess("nos-cohort", "Moreau 2022", _nos((1, 1, 1, 1, 0, 1, 1, 1)))]
    tl, sm = tmp_path / f"tl.{suffix}", tmp_path / f"sum.{suffix}"
    rob.traffic_light("nos-cohort", a, tl)
    rob.summary_plot("nos-cohort", a, sm)
    head = tl.read_bytes()[:8]
    assert head.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in tl.read_bytes()[:400] or head.startswith(b"<?xml")
    assert sm.stat().st_size > 1000
    with pytest.raises(InputError, match="svg, .png or .pdf"):
        rob.summary_plot("nos-cohort", a, tmp_path / "x.jpg")


def test_rob2_in_a_form_and_assessed():
    from review.extraction.form import check_study, parse_form

    form = parse_form({"risk_of_bias": "RoB 2"})
    assert [f.key for f in form.fields] == ["rob.D1", "rob.D2", "rob.D3", "rob.D4", "rob.D5", "rob.overall"]
    values = {"rob.D1": "Low", "rob.D2": "Some concerns", "rob.D3": "Low", "rob.D4": "High", "rob.D5": "Low", "rob.overall": "High"}
    assert check_study(form, "s", values) == []
    a = rob.assess("rob2", "Trial 2020", values)
    assert a.domains[3] == "High" and a.overall == "High"
    missing = check_study(form, "s", {"rob.D1": "Low"})
    assert {p.field for p in missing} == {"rob.D2", "rob.D3", "rob.D4", "rob.D5", "rob.overall"}
