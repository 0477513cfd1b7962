"""The form from protocol.yaml and the checks of one value and one study."""

from __future__ import annotations

import pytest

from review.errors import InputError
from review.extraction.form import check_study, check_value, parse_form, parse_value


def test_fields_come_in_form_order(form):
    keys = [f.key for f in form.fields]
    assert keys[:3] == ["country", "design", "n"]
    # edss allows mean_sd and median_iqr: mean, sd, n, median, q1, q3 per group
    assert keys[keys.index("edss.IRL-positive.mean"):keys.index("edss.IRL-positive.mean") + 6] == [
        "edss.IRL-positive.mean", "edss.IRL-positive.sd", "edss.IRL-positive.n",
        "edss.IRL-positive.median", "edss.IRL-positive.q1", "edss.IRL-positive.q3"]
    assert "relapse_rate.IRL-negative.person_time" in keys
    assert "dmt_response.IRL-positive.total" in keys
    # Newcastle-Ottawa cohort: 8 items
    assert len([k for k in keys if k.startswith("rob.")]) == 8
    assert form.extractors == 2 and form.groups == ("IRL-positive", "IRL-negative")


@pytest.mark.parametrize("change,match", [
    ({"extractors": 3}, "extractors must be 1 or 2"),
    ({"fields": [{"name": "x", "type": "colour"}]}, "type 'colour'"),
    ({"fields": [{"name": "x", "type": "choice"}]}, "needs options"),
    ({"fields": [{"name": "x", "lable": "X"}]}, "unknown key 'lable'"),
    ({"fields": [{"name": "x"}, {"name": "x"}]}, "defined twice"),
    ({"fields": [{"name": "2x"}]}, "field name"),
    ({"fields": [{"name": "x", "type": "number", "min": 5, "max": 1}]}, "above max"),
    ({"outcomes": [{"name": "o", "type": "means"}]}, "must be from"),
    ({"risk_of_bias": "jadad"}, "not one of"),
    ({"groups": ["a.b"]}, "groups must be"),
])
def test_bad_sections(section, change, match):
    section.update(change)
    with pytest.raises(InputError, match=match):
        parse_form(section)


def test_parse_value_types(form):
    f = form.by_key
    assert parse_value(f["n"], " 85 ") == 85
    assert parse_value(f["field_strength"], "1,5") == 1.5
    assert parse_value(f["design"], "Cohort") == "cohort"
    assert parse_value(f["blinded_rating"], "Y") == "yes"
    assert parse_value(f["extraction_date"], "2025-05-02") == "2025-05-02"
    assert parse_value(f["technique"], "swi; qsm") == ("SWI", "QSM")
    assert parse_value(f["country"], "") is None
    for key, text, why in [
        ("n", "85.5", "not a whole number"),
        ("n", "0", "below the minimum 1"),
        ("field_strength", "15", "above the maximum 11.7"),
        ("field_strength", "three", "not a number"),
        ("design", "RCT", "not one of"),
        ("blinded_rating", "maybe", "not yes or no"),
        ("extraction_date", "02/05/2025", "not a date"),
        ("technique", "SWI; MPRAGE", "'MPRAGE'"),
        ("edss.IRL-positive.mean", "11", "above the maximum 10"),
    ]:
        with pytest.raises(ValueError, match=why):
            parse_value(f[key], text)


def test_check_value_message_names_study_field_value(form):
    value, problem = check_value(form, "okafor2021", "n", "eighty")
    assert value is None
    text = str(problem)
    assert "okafor2021" in text and "field n" in text and "'eighty'" in text and "not a whole number" in text
    _, problem = check_value(form, "okafor2021", "nope", "1")
    assert "no such field" in str(problem)


def _typed(form, study, raw):
    out = {}
    for k, v in raw.items():
        value, problem = check_value(form, study, k, v)
        assert problem is None, problem
        out[k] = value
    return out


def test_block_consistency(form):
    raw = {
        "edss.IRL-positive.median": "3", "edss.IRL-positive.q1": "3.5", "edss.IRL-positive.q3": "4", "edss.IRL-positive.n": "20",
        "wmlv.IRL-positive.mean": "10", "wmlv.IRL-positive.sd": "0", "wmlv.IRL-positive.n": "20",
        "dmt_response.IRL-positive.events": "30", "dmt_response.IRL-positive.total": "25",
        "relapse_rate.IRL-negative.events": "3", "relapse_rate.IRL-negative.person_time": "0",
    }
    problems = check_study(form, "moreau2022", _typed(form, "moreau2022", raw), complete=False)
    text = "\n".join(map(str, problems))
    assert "field edss.IRL-positive.q1, value '3.5': q1 3.5 is above the median 3" in text
    assert "field wmlv.IRL-positive.sd, value '0.0': sd must be > 0" in text
    assert "events 30 > total 25" in text
    assert "person-time must be > 0" in text
    assert all(p.study == "moreau2022" for p in problems)
    assert len(problems) == 4


def test_required_and_incomplete(form):
    raw = {"country": "Norway", "edss.IRL-positive.mean": "2.8", "edss.IRL-positive.n": "38"}
    problems = check_study(form, "halvorsen2019", _typed(form, "halvorsen2019", raw))
    fields = {p.field for p in problems}
    assert {"design", "n", "field_strength", "technique"} <= fields
    assert "country" not in fields
    assert "rob.comparability" in fields
    assert any(p.field == "edss.IRL-positive" and "incomplete" in p.message for p in problems)
    # the same values, not asked to be complete: nothing wrong
    assert check_study(form, "halvorsen2019", _typed(form, "halvorsen2019", raw), complete=False) == []


def test_range_block_and_estimate():
    form = parse_form({"groups": ["a", "b"], "outcomes": [
        {"name": "x", "types": ["median_range", "median_iqr"]}, {"name": "y", "type": "estimate_ci"}]})
    typed = {"x.a.median": 5.0, "x.a.min": 6.0, "x.a.max": 9.0, "x.a.n": 0,
             "y.estimate": 2.0, "y.lower": 2.5, "y.upper": 3.0, "y.scale": "ratio"}
    text = "\n".join(map(str, check_study(form, "s", typed, complete=False)))
    assert "min 6 is above the median 5" in text
    assert "n must be >= 1" in text
    assert "not within its CI" in text


def test_field_and_outcome_with_one_name(section):
    section["fields"].append({"name": "edss"})
    with pytest.raises(InputError, match="both a field and an outcome"):
        parse_form(section)
