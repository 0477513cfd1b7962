"""Priority order (ranked queue, blinding, --order) and the stopping line on the screen, without a terminal."""

from __future__ import annotations

import os

import pytest
import typer
from typer.testing import CliRunner

from review.errors import InputError
from review.screening.decisions import parse_config
from review.screening.priority import (
    Ordering,
    RankWorker,
    labels_in_order,
    parse_order,
    ranked_ids,
    reorder,
    stopping_settings,
)
from review.screening.rank import Ranker, record_text
from review.screening.state import ScreeningState, Session
from review.screening.tui import Controller, run_keys
from review.screening.works import RecordSet, Work

CFG = parse_config({})
# Two topics, written so that only shared words can tell them apart. File order:
# one iron-rim study, then ten mouse-diet studies, then nine more iron-rim studies.
RIM = "Iron rim lesions on susceptibility weighted MRI in multiple sclerosis patients, cohort {}"
MOUSE = "High fat diet and liver steatosis in a mouse model, experiment {}"
WORKS = ([Work("r0", title=RIM.format(0))]
         + [Work(f"m{i}", title=MOUSE.format(i)) for i in range(10)]
         + [Work(f"r{i}", title=RIM.format(i)) for i in range(1, 10)])
IDS = [w.id for w in WORKS]


def texts() -> dict[str, str]:
    return {w.id: record_text(w) for w in WORKS}


def controller(root, reviewer: str = "ana", order: str = "priority") -> Controller:
    records = RecordSet(list(WORKS))
    session = Session(root, "title-abstract", reviewer, records.ids, CFG, known_ids=records.known_ids())
    worker = RankWorker(texts(), seed=0) if order == "priority" else None
    return Controller(session, records, root, reviewer, CFG, ordering=Ordering(order, worker), stopping=(0.95, 0.95))


def test_queue_reorders_after_decisions(tmp_path):
    ctl = controller(tmp_path)
    # File order until there is an include and an exclude.
    run_keys(ctl, ["i"])
    assert ctl.view.work.id == "m0" and ctl.ordering.requested == 0
    run_keys(ctl, ["e"])  # r0 relevant, m0 irrelevant: a ranking is asked for
    assert ctl.ordering.requested > 0
    assert ctl.ordering.worker.wait(ctl.ordering.requested, timeout=30)
    assert ctl.view.work.id == "m1"  # the record on screen does not change under the reviewer
    run_keys(ctl, ["e"])  # the finished ranking is used from the next record on
    # The nine iron-rim studies share their words with the one include: they come next.
    assert ctl.view.work.id.startswith("r"), ctl.view.work.id
    assert ctl.ordering.label() == "priority order"
    queue = ctl.session.state.queue
    assert queue[:3] == ["r0", "m0", "m1"]  # decided, in the order decided
    assert {q[0] for q in queue[3:12]} == {"r"} and {q[0] for q in queue[12:]} == {"m"}


def test_file_order_never_reorders(tmp_path):
    ctl = controller(tmp_path, order="file")
    run_keys(ctl, ["i", "e", "e", "e"])
    assert ctl.session.state.queue == IDS and ctl.view.work.id == "m3"


def test_reorder_keeps_a_revisited_record_on_screen():
    st = ScreeningState("title-abstract", list(IDS), CFG)
    st.decide("include")
    st.back()  # looking at r0 again (decided)
    assert not reorder(st, list(reversed(IDS[1:])))
    assert st.current == "r0" and st.queue == IDS
    st.decide("include")  # re-decided: now on m0, undecided
    assert reorder(st, list(reversed(IDS[1:])))
    assert st.queue == ["r0", *reversed(IDS[1:])] and st.current == "r9"


def test_blinding_other_reviewers_decisions_do_not_change_the_order(tmp_path):
    records = RecordSet(list(WORKS))

    def ana_ranking(root):
        s = Session(root, "title-abstract", "ana", records.ids, CFG, known_ids=records.known_ids())
        labels = labels_in_order(s.state)
        undecided = [r for r in s.state.queue if r not in s.state.decisions]
        return labels, ranked_ids(Ranker(corpus=list(texts().values()), seed=0), texts(), labels, undecided)

    alone, shared = tmp_path / "alone", tmp_path / "shared"
    for root in (alone, shared):
        ana = Session(root, "title-abstract", "ana", records.ids, CFG, known_ids=records.known_ids())
        ana.decide("include")  # r0
        ana.decide("exclude")  # m0
    ben = Session(shared, "title-abstract", "ben", records.ids, CFG, known_ids=records.known_ids())
    for d in ["exclude", "include", "include", "include", "include"]:  # the opposite view
        ben.decide(d)
    labels_alone, order_alone = ana_ranking(alone)
    labels_shared, order_shared = ana_ranking(shared)
    assert labels_alone == labels_shared == [("r0", 1), ("m0", 0)]
    assert order_alone == order_shared
    assert order_alone[0].startswith("r")  # ana's own include decides, not ben's


@pytest.mark.parametrize("given,expected", [(None, "priority"), ("", "priority"), ("Random", "random"),
                                            (" file ", "file"), ("priority", "priority")])
def test_parse_order(given, expected):
    assert parse_order(given) == expected


def test_parse_order_rejects_other_values():
    with pytest.raises(InputError, match="priority, random, file"):
        parse_order("best-first")


def test_stopping_settings():
    assert stopping_settings(None) == (0.95, 0.95)
    assert stopping_settings({"stopping": {"recall": 0.9, "confidence": 99}}) == (0.9, 0.99)
    with pytest.raises(InputError, match="screening.stopping.recall"):
        stopping_settings({"stopping": {"recall": "most"}})


def test_cli_rejects_an_unknown_order(example):
    from review.screening.command import register

    app = typer.Typer()
    register(app)
    old = os.getcwd()
    os.chdir(example)
    try:
        result = CliRunner().invoke(app, ["screen", "--reviewer", "ana", "--order", "sideways"])
    finally:
        os.chdir(old)
    assert result.exit_code != 0
    assert "--order 'sideways'" in str(result.exception)


def test_stopping_line_on_the_rendered_screen(tmp_path):
    ctl = controller(tmp_path, order="file")
    screen = run_keys(ctl, ["i", "e", "e", "e"])[-1]
    # Counted by hand: one include, then three excludes.
    assert "3 irrelevant in a row since the last relevant" in screen
    assert "stopping rule (95% recall): keep screening" in screen
    assert "file order" in screen
    ctl.feed("m")  # maybe counts as relevant: the streak starts again
    assert "0 irrelevant in a row since the last relevant" in ctl.view.stopping


def test_no_stopping_line_when_not_asked(tmp_path):
    records = RecordSet(list(WORKS))
    session = Session(tmp_path, "title-abstract", "ana", records.ids, CFG, known_ids=records.known_ids())
    screen = run_keys(Controller(session, records, tmp_path, "ana", CFG), ["i"])[-1]
    assert "stopping rule" not in screen


def test_decisions_keep_coming_while_the_ranker_retrains(tmp_path):
    """3,000 records: 60 decisions in a row while the ranker fits in the background; none is lost
    or blocked. (How long each key takes is measured, not asserted: see benchmarks/README.md.)"""
    import random

    rng = random.Random(1)
    words = [f"w{i}" for i in range(3000)]
    works = [Work(f"x{i}", title=" ".join(rng.choices(words, k=12)), abstract=" ".join(rng.choices(words, k=150)))
             for i in range(3000)]
    records = RecordSet(works)
    session = Session(tmp_path, "title-abstract", "ana", records.ids, CFG, known_ids=records.known_ids())
    worker = RankWorker({w.id: record_text(w) for w in works}, seed=0)
    ctl = Controller(session, records, tmp_path, "ana", CFG, ordering=Ordering("priority", worker), stopping=(0.95, 0.95))
    from review.screening.tui import timed_feed

    for k in "ie" * 30:
        timed_feed(ctl, k, 80, 24)
    assert ctl.session.state.progress().done == 60
    log = (tmp_path / "records" / "screening" / "title-abstract" / "ana.csv").read_text().splitlines()
    assert len(log) == 61  # header + one line per decision, each on disk before the next record showed


def test_status_gives_each_reviewers_stopping_verdict(example):
    from review.screening.manage import screening_status, status_lines

    info = screening_status(example)
    ta = info["stages"]["title-abstract"]["stopping"]
    # In the example both reviewers decided all 128 title-abstract records: nothing is left.
    assert set(ta) == {"ana", "ben"}
    assert ta["ana"]["stop"] and ta["ana"]["estimated_remaining"] == 0 and ta["ana"]["upper_remaining"] == 0
    assert ta["ana"]["recall_target"] == 0.95
    lines = status_lines(info)
    assert any(line.startswith("  stopping rule, ana: Safe to stop") for line in lines)


def test_random_order_is_a_seeded_shuffle(fresh_example):
    from review.screening.manage import load_context
    from review.screening.tui import open_session

    ctx = load_context(fresh_example)
    file_q = open_session(fresh_example, "title-abstract", "ana", ctx.config, ctx.records, "file")[0].state.queue
    rand_q = open_session(fresh_example, "title-abstract", "ana", ctx.config, ctx.records, "random")[0].state.queue
    again = open_session(fresh_example, "title-abstract", "ana", ctx.config, ctx.records, "random")[0].state.queue
    other = open_session(fresh_example, "title-abstract", "ben", ctx.config, ctx.records, "random")[0].state.queue
    assert sorted(rand_q) == sorted(file_q) and rand_q != file_q
    assert again == rand_q and other != rand_q


def test_a_slow_verdict_is_computed_in_the_background(tmp_path, monkeypatch):
    import review.screening.priority as priority

    monkeypatch.setattr(priority, "SYNC_RELEVANT", 0)  # every verdict in the background
    ctl = controller(tmp_path, order="file")
    run_keys(ctl, ["i", "e"])
    assert ctl.stopping.wait(10)
    assert ctl.tick()  # the finished verdict reaches the screen between keys
    assert "1 irrelevant in a row since the last relevant" in ctl.view.stopping
    assert "stopping rule (95% recall): keep screening" in ctl.view.stopping
    assert not ctl.tick()  # nothing new
