"""The terminal form's controller, driven by keys without a terminal."""

from __future__ import annotations

from review.extraction.tui import FormController, StudyInfo, run_keys

STUDIES = [StudyInfo("okafor2021", "Okafor 2021", ["pmid:1"], "Rims and disability", "An abstract."),
           StudyInfo("moreau2022", "Moreau 2022", ["pmid:2"])]


def _ctl(form, values=None, start=None):
    saved = []
    ctl = FormController(form, STUDIES, values if values is not None else {}, lambda *a: saved.append(a), "ana", start)
    return ctl, saved


def _type(text):
    return [*text, "\r"]


def test_values_are_checked_and_saved_one_at_a_time(form):
    ctl, saved = _ctl(form)
    screen = run_keys(ctl, _type("Nigeria"))
    assert saved == [("okafor2021", "country", "Nigeria")]
    assert any("Title: Rims and disability" in line for line in screen)
    screen = run_keys(ctl, _type("trial"))  # design is a choice
    assert ctl.key == "design" and len(saved) == 1
    assert any("study 'okafor2021', field design, value 'trial'" in line for line in screen)
    run_keys(ctl, ["\x7f"] * 5 + _type("cohort") + _type("0"))  # n has min 1
    assert saved[-1] == ("okafor2021", "design", "cohort") and ctl.key == "n"
    assert "n" in ctl.message[0] and ctl.message[1] == "red"
    run_keys(ctl, ["\x7f"] + _type("120"))
    assert saved[-1] == ("okafor2021", "n", "120") and ctl.key == "field_strength"


def test_block_consistency_is_checked_as_typed(form):
    ctl, saved = _ctl(form)
    keys = [f.key for f in form.fields]
    run_keys(ctl, ["down"] * keys.index("edss.IRL-positive.median") + _type("3") + _type("3.5"))
    # q1 3.5 above the median 3: refused, nothing saved for it
    assert saved == [("okafor2021", "edss.IRL-positive.median", "3.0")]
    assert ctl.key == "edss.IRL-positive.q1" and "q1 3.5 is above the median 3" in ctl.message[0]


def test_resumes_at_the_first_empty_field_and_summarises(form):
    values = {"okafor2021": {"country": "Nigeria", "design": "cohort"}}
    ctl, _ = _ctl(form, values)
    assert (ctl.study.id, ctl.key) == ("okafor2021", "n")
    ctl2, _ = _ctl(form, values, start="moreau2022")
    assert (ctl2.study.id, ctl2.key) == ("moreau2022", "country")
    run_keys(ctl, ["\x11"])
    assert ctl.quit
    summary = ctl.summary()
    # required in form.yaml: design, n, field_strength, technique and the 8 NOS items;
    # design is given, so 3 + 8 = 11 are missing (outcomes are optional)
    assert summary == ["Saved 0 value(s).", "Okafor 2021 [okafor2021]: 11 missing or incomplete (n, field_strength, technique, ...)",
                       "1 of 2 studies not started."]


def test_clear_and_skip(form):
    ctl, saved = _ctl(form, {"okafor2021": {"country": "Nigeria"}}, start="okafor2021")
    run_keys(ctl, ["up"] * len(form.fields))  # wraps round to the first field
    assert ctl.key == "design"  # resumed at design, went all the way round
    run_keys(ctl, ["up", "\x18"])
    assert saved == [("okafor2021", "country", "")] and ctl.key == "design"
    run_keys(ctl, ["\r"])  # Enter on an empty line moves on
    assert ctl.key == "n" and len(saved) == 1
