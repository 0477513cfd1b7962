"""The CSV template and its all-or-nothing load."""

from __future__ import annotations

import csv
import io

import pytest

from review.extraction.spreadsheet import HELP_MARK, SheetError, load, template


def _sheet(form, studies, fill):
    rows = list(csv.reader(io.StringIO(template(form, studies))))
    header = rows[0]
    for r in rows[2:]:
        for k, v in fill.get(r[0], {}).items():
            r[header.index(k)] = v
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def test_template_rows_and_help(form, studies):
    rows = list(csv.reader(io.StringIO(template(form, studies))))
    assert rows[0][:3] == ["study", "label", "country"]
    assert len(rows[0]) == 2 + len(form.fields)
    assert rows[1][0] == HELP_MARK
    assert "one of cohort | cross-sectional | case-control" in rows[1][3]
    assert [r[:2] for r in rows[2:]] == [["halvorsen2019", "Halvorsen 2019"], ["okafor2021", "Okafor 2021"], ["moreau2022", "Moreau 2022"]]


def test_load_good_sheet(form, studies):
    text = _sheet(form, studies, {"okafor2021": {"n": "120", "design": "Cohort", "field_strength": "3,0",
                                                 "edss.IRL-positive.median": "3.5", "edss.IRL-positive.q1": "2",
                                                 "edss.IRL-positive.q3": "5", "edss.IRL-positive.n": "52"}})
    got = load(text, form, studies)
    assert ("okafor2021", "design", "cohort") in got
    assert ("okafor2021", "field_strength", "3.0") in got
    assert ("okafor2021", "edss.IRL-positive.median", "3.5") in got
    assert len(got) == 7


def test_load_reports_every_error_at_once(form, studies):
    text = _sheet(form, studies, {
        "halvorsen2019": {"n": "many", "edss.IRL-positive.sd": "-1"},
        "okafor2021": {"dmt_response.IRL-positive.events": "60", "dmt_response.IRL-positive.total": "52"},
        "moreau2022": {"edss.IRL-negative.median": "4", "edss.IRL-negative.q1": "1", "edss.IRL-negative.q3": "3",
                       "design": "RCT"},
    })
    text += "smith2020,Smith 2020\n"
    with pytest.raises(SheetError) as info:
        load(text, form, studies, file="extraction.csv")
    errs = info.value.errors
    where = {(e.row, e.column) for e in errs}
    assert (3, "n") in where                       # halvorsen2019 is on CSV line 3
    assert (3, "edss.IRL-positive.sd") in where    # below its minimum 0 (sd > 0 is checked too)
    assert (4, "dmt_response.IRL-positive.events") in where
    assert (5, "edss.IRL-negative.q3") in where and (5, "design") in where
    assert (6, "study") in where
    assert len(errs) == 6
    msg = str(info.value)
    assert msg.startswith("extraction.csv: 6 problems, nothing loaded")
    assert "row 4 (study 'okafor2021'), column dmt_response.IRL-positive.events, value '60': events 60 > total 52" in msg


def test_unknown_and_duplicate_columns_and_rows(form, studies):
    text = "study,label,colour,n,n\nokafor2021,,red,1,2\nokafor2021,,,1,\n"
    with pytest.raises(SheetError) as info:
        load(text, form, studies)
    whys = [(e.column, e.why) for e in info.value.errors]
    assert ("colour", "not a field of the extraction form") in whys
    assert ("n", "column appears twice") in whys
    assert ("study", "study already on row 2") in whys


def test_semicolon_sheet_with_bom_and_crlf(form, studies):
    # Excel in a European locale: ';' between cells, ',' as decimal mark, BOM, CRLF.
    text = "\ufeffstudy;label;field_strength;edss.IRL-positive.mean\r\n(help);;;\r\nokafor2021;Okafor 2021;1,5;3,4\r\n"
    assert load(text, form, studies) == [("okafor2021", "field_strength", "1.5"), ("okafor2021", "edss.IRL-positive.mean", "3.4")]
