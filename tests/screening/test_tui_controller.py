"""The screen without a terminal: keys in, decision lines and screens out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from review.screening.decisions import log_path, parse_config
from review.screening.state import Session
from review.screening.tui import Controller, run_keys
from review.screening.view import plain, render
from review.screening.works import RecordSet, Work

CONFIG = {
    "criteria": {"include": ["Adults with MS"], "exclude": ["Animal studies"]},
    "include_keywords": ["iron rim*"],
    "exclude_keywords": ["mouse"],
    "reasons": [{"key": 1, "label": "Wrong population"}, {"key": 2, "label": "No comparison group"}],
}
WORKS = [Work(f"pmid:{100 + i}", title=f"Study number {i} of iron rims", abstract=f"Abstract {i}. A mouse.",
              authors=("Smith, J", "Jones, K"), year=2020, journal="Mult Scler") for i in range(30)]


def make(root: Path, stage: str = "title-abstract", config: dict | None = None, opened=None):
    cfg = parse_config(config if config is not None else CONFIG)
    records = RecordSet(list(WORKS))
    session = Session(root, stage, "ana", records.ids, cfg, known_ids=records.known_ids())
    return Controller(session, records, root, "ana", cfg, opener=(opened.append if opened is not None else None))


def lines(root: Path, stage: str = "title-abstract") -> list[str]:
    return log_path(root, stage, "ana").read_text().splitlines()[1:]


def test_twenty_decisions_undo_twice_quit_resume(tmp_path):
    ctl = make(tmp_path)
    screens = run_keys(ctl, list("iem" * 6 + "ie") + ["u", "u"])
    assert "Study number 18 " in screens[-1] and "18/30 done" in screens[-1]
    assert "undone: pmid:118 is undecided again" in screens[-1]
    got = [ln.split(",")[:2] for ln in lines(tmp_path)]
    assert len(got) == 22 and got[0] == ["pmid:100", "include"] and got[2] == ["pmid:102", "maybe"]
    assert got[20:] == [["pmid:119", "undo"], ["pmid:118", "undo"]]
    run_keys(ctl, ["q"])
    assert ctl.quit
    again = make(tmp_path)  # restart: the same record, the same count
    assert again.view.work.id == "pmid:118" and again.view.done == 18


def test_full_text_exclusion_asks_for_a_reason(tmp_path):
    ctl = make(tmp_path, "full-text")
    screen = run_keys(ctl, ["e"])[-1]
    assert "Exclude because?" in screen and "Wrong population" in screen
    run_keys(ctl, ["x"])  # not a reason: still asking, nothing written
    assert ctl.view.mode == "reason" and not log_path(tmp_path, "full-text", "ana").exists()
    run_keys(ctl, ["2", "1", "r", "e", "esc"])
    assert [ln.split(",")[:3] for ln in lines(tmp_path, "full-text")] == [
        ["pmid:100", "exclude", "2"], ["pmid:101", "exclude", "1"], ["pmid:102", "not_retrieved", ""]]
    assert ctl.view.work.id == "pmid:103" and ctl.view.message == "exclusion cancelled"


def test_note_goes_with_the_decision_and_onto_a_decided_record(tmp_path):
    ctl = make(tmp_path)
    run_keys(ctl, ["n", *"check, methods", "\x7f", "s", "\r", "i"])
    assert lines(tmp_path)[0].startswith('pmid:100,include,,"check, methods",')
    run_keys(ctl, ["b", "n", *"later", "\r"])  # back to the decided record, a note on it
    assert lines(tmp_path)[1].startswith("pmid:100,include,,later,")


def test_skip_back_and_every_record_decided(tmp_path):
    ctl = make(tmp_path)
    run_keys(ctl, ["s"])
    assert ctl.view.work.id == "pmid:101"
    run_keys(ctl, ["b"])
    assert ctl.view.work.id == "pmid:100"
    screen = run_keys(ctl, ["i"] * 30)[-1]
    assert "Every record of this stage is decided (30)" in screen
    assert "30/30 done" in screen


def test_open_the_pdf_and_say_when_there_is_none(tmp_path):
    opened = []
    ctl = make(tmp_path, "full-text", opened=opened)
    screen = run_keys(ctl, ["o"])[-1]
    assert "no PDF for this record" in screen and opened == []
    pdf = tmp_path / "records" / "fulltext" / "pmid_100.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.4\n")
    ctl.refresh()
    screen = run_keys(ctl, ["o"])[-1]
    assert opened == [pdf] and "records/fulltext/pmid_100.pdf" in screen


def test_remapped_keys_and_help_lists_every_key(tmp_path):
    cfg = dict(CONFIG, keys={"include": "y", "exclude": "x", "help": "h"})
    ctl = make(tmp_path, config=cfg)
    screen = run_keys(ctl, ["i"])[-1]
    assert "'i' does nothing here; h lists the keys" in screen
    help_screen = run_keys(ctl, ["h"])[-1]
    for key in ("y", "x", "m", "n", "u", "s", "b", "o", "h", "q", "1", "2"):
        assert any(line.split()[:1] == [key] for line in help_screen.splitlines()), key
    run_keys(ctl, ["z", "y"])  # any key leaves help, then y includes
    assert lines(tmp_path)[0].startswith("pmid:100,include")


def test_ctrl_c_quits(tmp_path):
    ctl = make(tmp_path)
    run_keys(ctl, ["\x03"])
    assert ctl.quit


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (60, 20), (40, 12)])
def test_every_size_fits_and_keeps_title_help_and_progress(tmp_path, size):
    width, height = size
    ctl = make(tmp_path)
    out = render(ctl.view, width, height)
    assert len(out) == height and all(line.cell_len <= width for line in out)
    text = plain(out)
    assert "Study number 0" in text and "0/30 done" in text
    assert " ? " in text  # the help key is always on screen
    side = any(" │ Include if" in line for line in text.splitlines())
    assert side == (width >= 100)  # criteria beside the record only on a wide terminal


def test_bad_lines_in_the_log_are_shown_and_the_rest_kept(tmp_path):
    path = log_path(tmp_path, "title-abstract", "ana")
    path.parent.mkdir(parents=True)
    # by hand: line 2 good, line 3 an unknown decision, line 4 good, line 5 torn by a crash
    path.write_text("record_id,decision,reason,note,time\n"
                    "pmid:100,include,,,2026-11-21T10:00:00Z\n"
                    "pmid:101,inclued,,,2026-11-21T10:00:01Z\n"
                    "pmid:102,exclude,,,2026-11-21T10:00:02Z\n"
                    "pmid:103,excl")
    ctl = make(tmp_path)
    assert ctl.view.done == 2 and ctl.view.work.id == "pmid:103"  # resumes after the last decision
    screen = plain(render(ctl.view, 250, 30))
    assert f"skipped: {path}, line 3: decision 'inclued' is not one of include, exclude, maybe" in screen
    assert "(and 1 more; listed when you quit)" in screen


def test_resolving_on_screen_shows_both_reviewers_and_signs_the_line(example_open):
    example = example_open
    from review.screening.manage import ResolveSession, load_context
    from review.screening.decisions import resolved_path

    ctx = load_context(example)
    session = ResolveSession(ctx, "title-abstract", "carla")
    ctl = Controller(session, ctx.records, example, "resolving as carla", ctx.config, others=session.conflicts)
    # five resolved conflicts come first as done; the open one is on screen
    assert (ctl.view.done, ctl.view.left) == (5, 1)
    screen = plain(render(ctl.view, 80, 24))
    assert "ana exclude" in screen and "ben maybe" in screen
    rid = ctl.view.work.id
    run_keys(ctl, ["e"])
    last = resolved_path(example, "title-abstract").read_text().splitlines()[-1].split(",")
    assert last[:2] == [rid, "exclude"] and last[-1] == "carla"


def test_a_line_naming_a_member_record_counts_for_its_work(tmp_path):
    # pmid:100 and doi:10.1/x are one work after dedup: a decision logged under the
    # member's id (written before the merge) decides the work.
    works = [Work("doi:10.1/x", title="Merged", member_ids=("doi:10.1/x", "pmid:100")), Work("pmid:200", title="Other")]
    records = RecordSet(works)
    cfg = parse_config(CONFIG)
    path = log_path(tmp_path, "title-abstract", "ana")
    path.parent.mkdir(parents=True)
    path.write_text("record_id,decision,reason,note,time\npmid:100,include,,,2026-11-21T10:00:00Z\n")
    session = Session(tmp_path, "title-abstract", "ana", records.ids, cfg, known_ids=records.known_ids(),
                      translate=records.resolve)
    assert session.state.decision("doi:10.1/x").decision == "include"
    assert session.state.current == "pmid:200" and session.read.problems == []


@pytest.mark.parametrize("size", [(80, 24), (80, 14), (60, 12)])
def test_help_shows_every_key_even_on_a_short_screen(tmp_path, size):
    ctl = make(tmp_path, "full-text")
    run_keys(ctl, ["?"])
    text = plain(render(ctl.view, *size))
    for key, what in [("i", "include"), ("e", "exclude"), ("m", "maybe"), ("1", "exclude: W"),
                      ("2", "exclude: N"), ("r", "report not"), ("o", "open the"), ("n", "write a"),
                      ("u", "undo the"), ("s", "skip"), ("b", "back to"), ("?", "this help"), ("q", "quit")]:
        assert re.search(rf"(^| ) {re.escape(key)} +  {re.escape(what)}", text, re.M), key


def test_help_shows_the_criteria_at_80_by_24(tmp_path):
    ctl = make(tmp_path, "full-text")
    run_keys(ctl, ["?"])
    text = plain(render(ctl.view, 80, 24))
    assert "Adults with MS" in text and "Animal studies" in text
