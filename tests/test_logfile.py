"""review.logfile: the one reader and writer of the append-only decision logs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from review import logfile
from review.logfile import LogRead

COLS = ("id", "answer", "time")


def read(data, columns=COLS):
    """(rows as (line, fields), problems as (line, message), warnings as (line, message))."""
    out: LogRead = LogRead("log.csv")
    got = [(r.line, r.fields) for r in logfile.rows(out, data, columns)]
    return got, [(p.line, p.message) for p in out.problems], [(w.line, w.message) for w in out.warnings]


def test_empty_file_and_no_file_have_nothing(tmp_path):
    assert read(b"") == ([], [], [])
    assert read(None) == ([], [], [])
    assert logfile.read_bytes(tmp_path / "missing.csv") is None


def test_header_only_with_or_without_line_end():
    assert read(b"id,answer,time\n") == ([], [], [])
    # A file holding just the header, no newline (made by hand): still just a header, not a torn line.
    assert read(b"id,answer,time") == ([], [], [])


def test_rows_are_numbered_by_physical_line_and_stripped():
    got, problems, warnings = read(b"id,answer,time\n\nx1, yes ,t1\nx2,no,t2\n")
    # line 2 is blank and passed over, so the rows are lines 3 and 4
    assert got == [(3, ("x1", "yes", "t1")), (4, ("x2", "no", "t2"))]
    assert problems == [] and warnings == []


def test_bom_is_not_part_of_the_header_or_the_first_id():
    assert read("\ufeffid,answer,time\nx1,yes,t1\n".encode()) == ([(2, ("x1", "yes", "t1"))], [], [])
    # no header: the BOM must not stick to the first id
    assert read("\ufeffx1,yes,t1\n".encode())[0] == [(1, ("x1", "yes", "t1"))]


def test_crlf_line_ends_read_like_lf():
    got, problems, warnings = read(b"id,answer,time\r\nx1,yes,t1\r\nx2,no,t2\r\n")
    assert got == [(2, ("x1", "yes", "t1")), (3, ("x2", "no", "t2"))]
    assert problems == [] and warnings == []


def test_torn_last_line_is_one_warning_and_the_rest_is_kept():
    got, problems, warnings = read(b"id,answer,time\nx1,yes,t1\nx2,n")
    assert got == [(2, ("x1", "yes", "t1"))] and problems == []
    assert len(warnings) == 1 and warnings[0][0] == 3
    assert warnings[0][1].startswith("last line has no line end") and "incomplete" in warnings[0][1]


def test_unterminated_last_line_is_torn_even_when_it_looks_whole():
    # The writer puts a line and its newline in one fsynced write, so a line without
    # its newline was never confirmed: here the time "t" may be a cut-off "t12".
    got, _, warnings = read(b"id,answer,time\nx1,yes,t1\nx2,no,t")
    assert got == [(2, ("x1", "yes", "t1"))] and [w[0] for w in warnings] == [3]


def test_last_line_with_too_few_fields_is_torn_but_a_middle_one_is_a_problem():
    got, problems, warnings = read(b"id,answer,time\nx1,yes\nx2,no,t2\nx3\n")
    assert got == [(3, ("x2", "no", "t2"))]
    assert problems == [(2, "2 fields, expected 3 fields (id, answer, time); line skipped")]
    assert warnings == [(4, "last line has 1 fields, not 3 (an incomplete write, cut off by a crash?); "
                            "skipped, the rest kept")]


def test_bad_quoting_is_a_problem_naming_the_line():
    got, problems, warnings = read(b'id,answer,time\n"x1"z,yes,t1\nx2,no,t2\n')
    assert got == [(3, ("x2", "no", "t2"))] and warnings == []
    assert [p[0] for p in problems] == [2] and problems[0][1].startswith("unreadable CSV")


def test_zero_filled_tail_left_by_a_crash_is_a_warning():
    got, problems, warnings = read(b"id,answer,time\nx1,yes,t1\n\x00\x00\x00\x00")
    assert got == [(2, ("x1", "yes", "t1"))] and problems == []
    assert [w[0] for w in warnings] == [3] and warnings[0][1].startswith("zero bytes")


def test_wrong_header_is_a_problem_on_line_one():
    got, problems, _ = read(b"id,decision,time\nx1,yes,t1\n")
    assert got == [(2, ("x1", "yes", "t1"))]
    assert problems == [(1, "header must be id,answer,time; line skipped")]


def test_header_in_any_case_and_repeated_later_is_passed_over():
    # two logs joined by hand while merging branches: the second header is no data
    got, problems, warnings = read(b"ID, Answer ,TIME\nx1,yes,t1\nid,answer,time\nx2,no,t2\n")
    assert [g[0] for g in got] == [2, 4] and problems == [] and warnings == []


def test_a_stage_adds_its_own_problem_with_the_column_and_all_issues_come_in_line_order():
    out: LogRead = LogRead("records/x/ana.csv")
    for row in logfile.rows(out, b"id,answer,time\nx1,maybe,t1\nx2\nx3,yes,t3\n\x00\n", COLS):
        if row.fields[1] not in ("yes", "no"):
            out.problem(row.line, f"unknown answer {row.fields[1]!r}", field="answer", record_id=row.fields[0])
    issues = out.issues()
    assert [(i.line, i.field) for i in issues] == [(2, "answer"), (3, ""), (5, "")]
    assert issues[0].record_id == "x1"
    assert str(issues[0]) == "records/x/ana.csv, line 2: unknown answer 'maybe'; line skipped"


def test_text_is_read_like_bytes():
    data = b"id,answer,time\nx1,yes,t1\nx2,n"
    assert read(data.decode()) == read(data)


def test_append_writes_header_once_and_ends_a_torn_line_first(tmp_path):
    path = tmp_path / "sub" / "ana.csv"
    logfile.append(path, [logfile.csv_line(["x1", "yes", "t1"])], COLS)
    logfile.append(path, ["x2,no,t2"], COLS)  # a line without its newline gets one
    assert path.read_bytes() == b"id,answer,time\nx1,yes,t1\nx2,no,t2\n"
    with open(path, "ab") as fh:
        fh.write(b"x3,ye")  # a crash in the middle of a write
    logfile.append(path, ["x4,yes,t4", "x5,no,t5"], COLS)
    assert path.read_bytes().endswith(b"x3,ye\nx4,yes,t4\nx5,no,t5\n")
    got, problems, warnings = read(path.read_bytes())
    assert [g[1][0] for g in got] == ["x1", "x2", "x4", "x5"]
    assert [p[0] for p in problems] == [4] and warnings == []  # the torn piece is now a middle line
    logfile.append(path, [], COLS)  # nothing to write: the file is untouched
    assert path.read_bytes().endswith(b"x5,no,t5\n")


def test_append_to_an_empty_file_writes_the_header(tmp_path):
    path = tmp_path / "ana.csv"
    path.write_bytes(b"")
    logfile.append(path, ["x1,yes,t1"], COLS)
    assert path.read_bytes() == b"id,answer,time\nx1,yes,t1\n"


def test_now_is_utc_iso_with_z():
    import re

    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", logfile.now())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", logfile.now(fraction=True))


# Free text as the stages write it: one line (they fold newlines), any other character.
_text = st.text(st.characters(blacklist_characters="\r\n\x00", blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_text, _text, _text), max_size=8))
def test_what_is_appended_is_read_back_as_written(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("log") / "ana.csv"
    logfile.append(path, [logfile.csv_line(v) for v in values], COLS)
    got, problems, warnings = read(logfile.read_bytes(path))
    # fields come back stripped; a row that reads as the header is taken for one
    header = [c.lower() for c in COLS]
    kept = [tuple(f.strip() for f in v) for v in values if [f.strip().lower() for f in v] != header]
    assert [g[1] for g in got] == kept
    assert problems == [] and warnings == []
