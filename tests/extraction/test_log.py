"""records/extraction/<reviewer>.csv: append-only, last value wins, torn and bad lines."""

from __future__ import annotations

import pytest

from review.errors import InputError
from review.extraction import log as xlog

T = "2025-05-02T10:00:00Z"


def test_append_read_last_wins_and_clear(tmp_path):
    xlog.append_value(tmp_path, "ana", "okafor2021", "n", "120", T)
    xlog.append_value(tmp_path, "ana", "okafor2021", "country", "Nigeria", T)
    xlog.append_value(tmp_path, "ana", "okafor2021", "n", "121", T)
    xlog.append_value(tmp_path, "ana", "okafor2021", "country", "", T)
    path = tmp_path / "records/extraction/ana.csv"
    lines = path.read_text().splitlines()
    assert lines[0] == "study,field,value,time" and len(lines) == 5
    read = xlog.read_log(path)
    assert not read.problems and not read.warnings
    assert read.values() == {"okafor2021": {"n": "121"}}


def test_values_with_commas_and_quotes_round_trip(tmp_path):
    xlog.append_value(tmp_path, "ben", "s1", "country", 'Norway, "Oslo"', T)
    assert xlog.read_log(tmp_path / "records/extraction/ben.csv").values() == {"s1": {"country": 'Norway, "Oslo"'}}


def test_torn_last_line_is_a_warning_and_next_append_does_not_glue(tmp_path):
    path = tmp_path / "records/extraction/ana.csv"
    xlog.append_value(tmp_path, "ana", "s1", "n", "10", T)
    with open(path, "a") as fh:
        fh.write("s1,n,2")  # a crash mid-line
    read = xlog.read_log(path)
    assert read.values() == {"s1": {"n": "10"}}
    assert len(read.warnings) == 1 and read.warnings[0].line == 3 and "no line end" in read.warnings[0].message
    xlog.append_value(tmp_path, "ana", "s1", "n", "12", T)
    read = xlog.read_log(path)
    assert read.values() == {"s1": {"n": "12"}}
    # the torn piece is now a line of its own in the middle: a problem, not a warning
    assert [p.line for p in read.problems] == [3] and not read.warnings


def test_bad_line_is_a_problem_with_file_and_line(tmp_path):
    path = tmp_path / "ana.csv"
    path.write_text("study,field,value,time\n"
                    f"s1,n,10,{T}\n"
                    "s1,n,11\n"            # line 3: 3 fields
                    "s1,n,12,yesterday\n"  # line 4: bad time
                    f",n,13,{T}\n"         # line 5: no study
                    f"s9,n,14,{T}\n"       # line 6: unknown study
                    f"s1,colour,red,{T}\n"  # line 7: unknown field
                    f"s1,country,Peru,{T}\n")
    read = xlog.read_log(path, display="records/extraction/ana.csv", known_studies={"s1"}, known_fields={"n", "country"})
    assert [p.line for p in read.problems] == [3, 4, 5, 6, 7]
    assert str(read.problems[0]).startswith("records/extraction/ana.csv, line 3: 3 fields")
    assert read.values() == {"s1": {"n": "10", "country": "Peru"}}


def test_resolved_needs_by(tmp_path):
    with pytest.raises(InputError, match="by"):
        xlog.append_entries(xlog.resolved_path(tmp_path), [xlog.Entry("s1", "n", "3", T)])
    xlog.append_entries(xlog.resolved_path(tmp_path), [xlog.Entry("s1", "n", "3", T, by="carla")])
    text = (tmp_path / "records/extraction/_resolved.csv").read_text()
    assert text == f"study,field,value,time,by\ns1,n,3,{T},carla\n"


def test_reviewer_names(tmp_path):
    with pytest.raises(InputError, match="short name"):
        xlog.log_path(tmp_path, "../etc")
    xlog.append_value(tmp_path, "ben", "s", "n", "1", T)
    xlog.append_value(tmp_path, "ana", "s", "n", "1", T)
    xlog.append_entries(xlog.resolved_path(tmp_path), [xlog.Entry("s", "n", "1", T, by="x")])
    assert xlog.reviewers(tmp_path) == ["ana", "ben"]
