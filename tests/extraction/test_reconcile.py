"""Two extractors: differences, agreed values, the final data."""

from __future__ import annotations

import pytest

from review.errors import InputError
from review.extraction import reconcile as rc
from review.extraction import log as xlog

ANA = {"okafor2021": {"n": "120", "design": "cohort", "field_strength": "3", "country": "Nigeria"},
       "moreau2022": {"n": "96"}}
BEN = {"okafor2021": {"n": "120", "design": "Cohort", "field_strength": "3.0", "country": "Ghana",
                      "follow_up": "2.5"},
       "moreau2022": {"n": "69"}}


def test_compare_lists_every_differing_field(form):
    diffs = rc.compare(form, {"ana": ANA, "ben": BEN})
    # design and field_strength agree as typed values ("Cohort" = "cohort", "3" = "3.0")
    assert [(d.study, d.field, d.values) for d in diffs] == [
        ("moreau2022", "n", ("96", "69")),
        ("okafor2021", "country", ("Nigeria", "Ghana")),
        ("okafor2021", "follow_up", ("", "2.5")),
    ]
    assert "(blank)" in str(diffs[2])


def test_compare_needs_two(form):
    with pytest.raises(InputError, match="two extractors"):
        rc.compare(form, {"ana": ANA})


def test_resolve_records_attributed_value_and_final(tmp_path, form, studies):
    rc.resolve(tmp_path, form, "moreau2022", "n", "96", by="carla", studies=list(studies), time="2025-05-03T09:00:00Z")
    rc.resolve(tmp_path, form, "okafor2021", "country", "Nigeria", by="carla", time="2025-05-03T09:01:00Z")
    rc.resolve(tmp_path, form, "okafor2021", "follow_up", "", by="ana", time="2025-05-03T09:02:00Z")
    text = (tmp_path / "records/extraction/_resolved.csv").read_text().splitlines()
    assert text[0] == "study,field,value,time,by"
    assert text[1] == "moreau2022,n,96,2025-05-03T09:00:00Z,carla"
    resolved = rc.read_resolved(tmp_path).values()
    final, open_ = rc.final_values(form, {"ana": ANA, "ben": BEN}, resolved)
    assert open_ == []
    assert final["moreau2022"] == {"n": "96"}
    assert final["okafor2021"] == {"n": "120", "design": "cohort", "field_strength": "3", "country": "Nigeria"}
    # with nothing agreed the three differences stay open
    _, open_ = rc.final_values(form, {"ana": ANA, "ben": BEN})
    assert len(open_) == 3


def test_resolve_checks_the_value(tmp_path, form, studies):
    with pytest.raises(InputError, match="not a whole number"):
        rc.resolve(tmp_path, form, "moreau2022", "n", "ninety", by="carla")
    with pytest.raises(InputError, match="not a study"):
        rc.resolve(tmp_path, form, "smith2020", "n", "9", by="carla", studies=list(studies))
    assert not xlog.resolved_path(tmp_path).exists()


def test_one_extractor(section):
    from review.extraction.form import parse_form

    section["extractors"] = 1
    form = parse_form(section)
    final, open_ = rc.final_values(form, {"ana": ANA})
    assert final == ANA and open_ == []


def test_three_logs_is_an_error(form):
    with pytest.raises(InputError, match="at most two"):
        rc.final_values(form, {"ana": ANA, "ben": BEN, "carla": {}})


def test_one_extractor_split_between_two_people(section):
    from review.extraction.form import parse_form

    section["extractors"] = 1
    form = parse_form(section)
    # ana did okafor2021 and moreau2022, ben okafor2021 (partly, overlapping) and halvorsen2019
    final, open_ = rc.final_values(form, {"ana": ANA, "ben": {"okafor2021": {"follow_up": "2.5", "n": "121"},
                                                              "halvorsen2019": {"n": "85"}}})
    # only a field both gave with different values must be agreed
    assert [(d.study, d.field) for d in open_] == [("okafor2021", "n")]
    assert final["okafor2021"]["follow_up"] == "2.5" and "n" not in final["okafor2021"]
    assert final["halvorsen2019"] == {"n": "85"}
