"""The decision log: exact bytes written, and reading that never loses a good line."""

from __future__ import annotations

import shutil

import pytest

from review.errors import InputError, ProtocolError
from review.screening.decisions import (
    Decision,
    append_entry,
    config_problems,
    log_path,
    parse_config,
    read_log,
    resolved_path,
)

CONFIG = parse_config({"reasons": [
    {"key": 1, "label": "Wrong population"},
    {"key": 2, "label": "Wrong intervention"},
    {"key": 3, "label": "Wrong design"},
]})
IDS = [f"pmid:{i}" for i in range(1, 7)]


def test_log_bytes_exact(tmp_path):
    path = log_path(tmp_path, "full-text", "alice")
    assert path == tmp_path / "records" / "screening" / "full-text" / "alice.csv"
    append_entry(path, Decision("pmid:1", "include", time="2026-11-21T10:00:00Z"))
    append_entry(path, Decision("pmid:2", "exclude", "2", "adults, not\nchildren", "2026-11-21T10:00:07Z"))
    append_entry(path, Decision("pmid:2", "undo", time="2026-11-21T10:00:09Z"))
    append_entry(path, Decision("doi:10.1/x", "not_retrieved", note='said "no"', time="2026-11-21T10:01:00Z"))
    assert path.read_bytes() == (
        b"record_id,decision,reason,note,time\n"
        b"pmid:1,include,,,2026-11-21T10:00:00Z\n"
        b'pmid:2,exclude,2,"adults, not children",2026-11-21T10:00:07Z\n'
        b"pmid:2,undo,,,2026-11-21T10:00:09Z\n"
        b'doi:10.1/x,not_retrieved,,"said ""no""",2026-11-21T10:01:00Z\n'
    )


def test_resolution_file_names_who_resolved(tmp_path):
    path = resolved_path(tmp_path, "title-abstract")
    assert path.name == "_resolved.csv"
    append_entry(path, Decision("pmid:3", "include", note="discussed", time="2026-11-21T11:00:00Z", by="carol"))
    append_entry(path, Decision("pmid:4", "exclude", time="2026-11-21T11:00:05Z", by="alice+bob"))
    assert path.read_bytes() == (
        b"record_id,decision,reason,note,time,by\n"
        b"pmid:3,include,,discussed,2026-11-21T11:00:00Z,carol\n"
        b"pmid:4,exclude,,,2026-11-21T11:00:05Z,alice+bob\n"
    )
    with pytest.raises(InputError, match="who made it"):
        append_entry(path, Decision("pmid:5", "include", time="t"))
    read = read_log(path, "title-abstract", CONFIG)
    assert read.standing()["pmid:4"].by == "alice+bob"
    assert not read.problems and not read.warnings


def test_hand_edited_bad_lines_each_named_rest_kept(data_dir, tmp_path):
    path = tmp_path / "hand_edited.csv"
    shutil.copy(data_dir / "screening" / "hand_edited.csv", path)
    read = read_log(path, "title-abstract", CONFIG, known_ids=IDS, display="records/screening/title-abstract/bob.csv")
    msgs = [str(p) for p in read.problems]
    assert [p.line for p in read.problems] == [4, 5, 6, 7]
    assert msgs[0].startswith("records/screening/title-abstract/bob.csv, line 4: decision 'inclde'")
    assert "unknown record id 'pmid:999'" in msgs[1]
    assert "reason '7' is not defined" in msgs[2]
    assert "2 fields, expected 5" in msgs[3]
    assert read.warnings == []
    standing = read.standing()
    assert sorted(standing) == ["pmid:1", "pmid:2", "pmid:6"]
    assert standing["pmid:1"].decision == "exclude" and standing["pmid:1"].line == 9  # last line wins
    assert standing["pmid:2"].reason == "2" and standing["pmid:2"].note == "adults only"
    assert standing["pmid:6"].note == "unsure, ask Bob"


def test_torn_last_line_is_a_warning_and_skipped(data_dir, tmp_path):
    path = tmp_path / "torn.csv"
    shutil.copy(data_dir / "screening" / "torn.csv", path)
    read = read_log(path, "title-abstract", CONFIG, known_ids=IDS)
    assert read.problems == []
    assert [(w.line, "no line end" in w.message) for w in read.warnings] == [(4, True)]
    assert sorted(read.standing()) == ["pmid:1", "pmid:2"]
    # Appending after a torn line never glues the new decision onto it.
    append_entry(path, Decision("pmid:3", "include", time="2026-11-21T12:00:00Z"))
    assert path.read_bytes().endswith(b"pmid:3,incl\npmid:3,include,,,2026-11-21T12:00:00Z\n")
    read = read_log(path, "title-abstract", CONFIG, known_ids=IDS)
    assert [p.line for p in read.problems] == [4]  # the torn piece is now a bad middle line
    assert read.standing()["pmid:3"].decision == "include"


def test_last_line_with_wrong_field_count_or_zero_fill(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"record_id,decision,reason,note,time\npmid:1,include,,,t1\npmid:2,excl\n")
    read = read_log(path, "title-abstract", CONFIG)
    assert [w.line for w in read.warnings] == [3] and "2 fields" in read.warnings[0].message
    path.write_bytes(b"record_id,decision,reason,note,time\npmid:1,include,,,t1\n\x00\x00\x00\x00")
    read = read_log(path, "title-abstract", CONFIG)
    assert read.warnings and sorted(read.standing()) == ["pmid:1"]


def test_full_text_decisions_and_reasons(tmp_path):
    path = tmp_path / "ft.csv"
    path.write_text(
        "record_id,decision,reason,note,time\n"
        "pmid:1,not_retrieved,,,t\n"
        "pmid:2,exclude,3,,t\n"
        "pmid:3,exclude,,,t\n"  # no reason: kept, shown as unreasoned
        "pmid:4,include,2,,t\n"  # a reason on an inclusion
    )
    read = read_log(path, "full-text", CONFIG)
    assert [p.line for p in read.problems] == [5]
    assert sorted(read.standing()) == ["pmid:1", "pmid:2", "pmid:3"]
    ta = read_log(path, "title-abstract", CONFIG)
    assert "not_retrieved" in str(ta.problems[0]) and ta.problems[0].line == 2


def test_missing_file_reads_empty(tmp_path):
    read = read_log(tmp_path / "none.csv", "title-abstract", CONFIG)
    assert read.entries == [] and read.problems == [] and read.warnings == []


def test_config_defaults_and_problems():
    cfg = parse_config({})
    assert cfg.stages == ("title-abstract", "full-text") and cfg.reviewers_per_record == 2
    assert cfg.keys["include"] == "i" and cfg.keys["undo"] == "u"
    cfg = parse_config({"keys": {"include": "y", "exclude": "x"}, "reasons": {"a": "Animal study"}})
    assert cfg.keys["include"] == "y" and cfg.reason_label("a") == "Animal study"
    problems = config_problems({
        "stages": ["screening"],
        "reviewers_per_record": 3,
        "reasons": [{"key": 1, "label": "x"}, {"key": 1, "label": "y"}, {"key": "u", "label": "clash"}],
        "to_full_text": "sometimes",
        "keys": {"include": "e", "jump": "j"},
    })
    text = "\n".join(m for _, m in problems)
    for expected in ("stage 'screening'", "must be 1 or 2", "defined twice", "to_full_text 'sometimes'",
                     "unknown action 'jump'", "'e' is used for both include and exclude",
                     "reason key 'u' is also the key for undo"):
        assert expected in text
    with pytest.raises(ProtocolError, match="screening.stages"):
        parse_config({"stages": ["screening"]})


def test_stray_undo_is_a_problem(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("record_id,decision,reason,note,time\npmid:1,undo,,,t\npmid:1,include,,,t\npmid:1,undo,,,t\npmid:1,undo,,,t\n")
    read = read_log(path, "title-abstract", CONFIG)
    assert [p.line for p in read.problems] == [2, 5]
    assert "no decision to undo" in read.problems[0].message
    assert read.standing() == {}


def test_read_stage_reads_every_reviewer_and_resolutions(tmp_path):
    from review.screening.decisions import read_stage

    append_entry(log_path(tmp_path, "title-abstract", "alice"), Decision("pmid:1", "include", time="t"))
    append_entry(log_path(tmp_path, "title-abstract", "bob"), Decision("pmid:1", "exclude", time="t"))
    append_entry(resolved_path(tmp_path, "title-abstract"), Decision("pmid:1", "include", time="t", by="carol"))
    logs = read_stage(tmp_path, "title-abstract", CONFIG, known_ids=IDS)
    assert sorted(logs.reviewers) == ["alice", "bob"]
    assert logs.standing()["bob"]["pmid:1"].decision == "exclude"
    assert logs.resolved.standing()["pmid:1"].by == "carol"
    assert logs.issues() == ([], [])
