"""Deduplication inside a review: the decisions log, load_works, overlap, the review queue.

Independent source for the numbers: tests/data/example_truth.json, written by the
script that invented the example's search exports. Each of its works lists the
position of every copy in every file (pubmed/scopus/wos/citations_ris), so the true
duplicate structure is known record by record: 215 records, 128 works, 87
duplicates, and six tricky pairs that must stay apart. Overlap counts are counted
here from those per-file positions, not from the code under test.

tests/data/dedup/extra_search/embase.ris is a small invented "Embase" export made
for these tests: seven copies of seven PubMed-only works of the example, each
degraded so the rules cannot settle it (no DOI/PMID, and a year off by one, a
year missing, other authors, another journal or a reworded title). By design six
are the same work as their PubMed record; the third (Restless legs, authors
Lindgren/Okonkwo/Varga) is a different work with the same title.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import defaultdict
from pathlib import Path

import pytest

from review.dedup_workflow import (
    ReviewPair,
    ReviewSession,
    append_answer,
    bare_id,
    decisions_from,
    field_rows,
    latest_answers,
    load_works,
    overlap,
    parse_log,
    review_queue,
)
from review.errors import InputError
from review.records import Record

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
TRUTH = json.loads((DATA / "example_truth.json").read_text(encoding="utf-8"))
FILE_TO_SEARCH = {"pubmed": "pubmed", "scopus": "scopus", "wos": "wos", "citations_ris": "citations"}

EMBASE_SEARCH = """  - name: embase
    database: Embase
    file: embase.ris
    date: 2025-03-18
    query: "'multiple sclerosis'/exp AND iron:ti,ab"

other_sources:"""


def copy_example(dest: Path, extra: bool = False) -> Path:
    """A copy of the example review (protocol + search files, no output/); `extra` adds the Embase search."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "protocol.yaml", dest / "protocol.yaml")
    shutil.copytree(REPO / "records" / "searches", dest / "records" / "searches")
    if extra:
        shutil.copy(DATA / "dedup" / "extra_search" / "embase.ris", dest / "records" / "searches" / "embase.ris")
        text = (dest / "protocol.yaml").read_text(encoding="utf-8")
        assert "\nother_sources:" in text
        (dest / "protocol.yaml").write_text(text.replace("\nother_sources:", "\n" + EMBASE_SEARCH, 1), encoding="utf-8")
    return dest


def truth_of(works) -> dict[str, str]:
    """Record key -> true work key, matched on (search, position in its file)."""
    where = {}
    for w in TRUTH["works"]:
        for f, search in FILE_TO_SEARCH.items():
            if w.get(f):
                where[(search, w[f]["position"])] = w["key"]
    return {k: where[(r.source.search, r.source.position)]
            for k, r in zip(works.keys, works.records) if (r.source.search, r.source.position) in where}


def keys_of_truth(works, truth_key: str) -> list[str]:
    return sorted(k for k, t in truth_of(works).items() if t == truth_key)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    return copy_example(tmp_path_factory.mktemp("example") / "review")


@pytest.fixture(scope="module")
def example_works(example):
    return load_works(example)


# ---- the decisions log -----------------------------------------------------------

KNOWN = {"pmid:1@pubmed", "doi:10.1/x@scopus", "h:abc@wos", "pmid:2@pubmed"}


def test_log_last_answer_wins_and_pairs_are_unordered():
    text = ("a,b,answer,time\n"
            "pmid:1@pubmed,doi:10.1/x@scopus,same,2025-01-01T10:00:00Z\n"
            "h:abc@wos,pmid:2@pubmed,skip,2025-01-01T10:01:00Z\n"
            "doi:10.1/x@scopus,pmid:1@pubmed,different,2025-01-01T10:02:00Z\n")
    entries, problems = parse_log(text, "records/dedup/ana.csv", KNOWN, "ana")
    assert problems == []
    assert len(entries) == 3
    decisions = decisions_from(entries)
    # the skip is no decision; the later "different" replaces the "same" (written the other way round)
    assert [(d.a, d.b, d.same) for d in decisions] == [("doi:10.1/x@scopus", "pmid:1@pubmed", False)]


def test_each_bad_line_is_one_problem_with_file_and_line_and_the_rest_count():
    text = ("a,b,answer,time\n"
            "pmid:1@pubmed,doi:10.1/x@scopus,same,2025-01-01T10:00:00Z\n"  # line 2: good
            "pmid:1@pubmed,pmid:9@nowhere,same,2025-01-01T10:00:01Z\n"  # line 3: unknown record
            "pmid:1@pubmed,h:abc@wos,maybe,2025-01-01T10:00:02Z\n"  # line 4: unknown answer
            "pmid:1@pubmed,h:abc@wos,different\n"  # line 5: three fields
            "h:abc@wos,pmid:2@pubmed,same,2025-01-01T10:00:04Z\n"  # line 6: good
            "pmid:2@pubmed,doi:10.1/x@scop")  # line 7: torn last line (no newline, cut mid-key)
    entries, problems = parse_log(text, "records/dedup/ben.csv", KNOWN, "ben")
    assert [e.line for e in entries] == [2, 6]
    assert len(problems) == 4
    for line, word in ((3, "unknown record"), (4, "unknown answer"), (5, "expected 4 fields"), (7, "incomplete")):
        match = [p for p in problems if p.startswith(f"records/dedup/ben.csv, line {line}:")]
        assert len(match) == 1 and word in match[0], problems



def test_whole_looking_last_line_without_line_end_is_skipped_and_listed():
    # a crash can cut the write just before its "\n": the line looks whole but may lack its
    # last characters (here the time could be cut anywhere), so it counts for nothing
    text = ("a,b,answer,time\n"
            "pmid:1@pubmed,h:abc@wos,same,2025-01-01T10:00:00Z\n"
            "pmid:2@pubmed,h:abc@wos,same,2025-01-01T10:00:01Z")
    entries, problems = parse_log(text, "records/dedup/ana.csv", KNOWN, "ana")
    assert [e.line for e in entries] == [2]
    assert len(problems) == 1 and problems[0].startswith("records/dedup/ana.csv, line 3:")
    assert "no line end" in problems[0]

def test_between_reviewers_the_latest_answer_wins():
    ana, _ = parse_log("a,b,answer,time\npmid:1@pubmed,h:abc@wos,same,2025-02-01T09:00:00Z\n", "ana.csv", KNOWN, "ana")
    ben, _ = parse_log("a,b,answer,time\npmid:1@pubmed,h:abc@wos,different,2025-02-01T08:00:00Z\n", "ben.csv", KNOWN, "ben")
    assert latest_answers(ben + ana)[("h:abc@wos", "pmid:1@pubmed")].reviewer == "ana"
    assert latest_answers(ana + ben)[("h:abc@wos", "pmid:1@pubmed")].answer == "same"


def test_append_answer_writes_header_once_and_ends_a_torn_line(tmp_path):
    append_answer(tmp_path, "ana", "pmid:1@pubmed", "h:abc@wos", "same", "2025-01-01T00:00:00Z")
    path = tmp_path / "records" / "dedup" / "ana.csv"
    with open(path, "a") as fh:
        fh.write("pmid:2@pubmed,h:ab")  # a crash in the middle of a write
    append_answer(tmp_path, "ana", "pmid:2@pubmed", "h:abc@wos", "different", "2025-01-01T00:00:01Z")
    lines = path.read_text().splitlines()
    assert lines[0] == "a,b,answer,time"
    assert lines[1] == "h:abc@wos,pmid:1@pubmed,same,2025-01-01T00:00:00Z"
    assert lines[3] == "h:abc@wos,pmid:2@pubmed,different,2025-01-01T00:00:01Z"
    entries, problems = parse_log(path.read_text(), "ana.csv", KNOWN)
    assert len(entries) == 2 and len(problems) == 1 and "line 3" in problems[0]
    with pytest.raises(ValueError):
        append_answer(tmp_path, "ana", "pmid:2@pubmed", "h:abc@wos", "maybe")


# ---- load_works on the example -------------------------------------------------------


def test_example_counts_match_the_truth(example_works):
    counts = TRUTH["counts"]
    assert len(example_works.records) == counts["records_total"] == 215
    assert len(example_works) == counts["unique_works"] == 128
    assert example_works.duplicates == counts["duplicates"] == 87
    assert example_works.reimported  # the copy has no output/: the library was built


def test_example_clusters_are_the_true_works(example_works):
    truth = truth_of(example_works)
    assert len(truth) == 215
    found = defaultdict(set)
    for key, true_work in truth.items():
        found[true_work].add(example_works.work_of(key))
    assert {k: v for k, v in found.items() if len(v) > 1} == {}  # no true work split
    assert len(set(example_works.work_of(k) for k in truth)) == len(found)  # and none joined


@pytest.mark.parametrize("pair", TRUTH["tricky_non_duplicates"], ids=lambda p: f"{p['a']}-{p['b']}")
def test_tricky_pairs_stay_apart(example_works, pair):
    a = keys_of_truth(example_works, pair["a"])
    b = keys_of_truth(example_works, pair["b"])
    assert a and b
    assert {example_works.work_of(k) for k in a}.isdisjoint({example_works.work_of(k) for k in b})


def test_work_of_any_member_id(example_works):
    # halvorsen2019 is in PubMed, Scopus and WoS (truth: databases "PSW"), PMID 99153718
    keys = keys_of_truth(example_works, "halvorsen2019")
    assert len(keys) == 3
    wid = example_works.work_of(keys[0])
    assert all(example_works.work_of(k) == wid for k in keys)
    assert example_works.work_of("pmid:99153718") == wid
    assert example_works.work_of(wid) == wid
    work = example_works.get(keys[-1])
    assert work.members == keys and work.searches == ["pubmed", "scopus", "wos"]
    assert work.record.doi == "10.99999/1352458518710050"
    assert example_works.work_of("pmid:0") is None


def test_overlap_counted_from_the_truth(example_works):
    presence = [{s for f, s in FILE_TO_SEARCH.items() if w.get(f)} for w in TRUTH["works"]]
    ov = overlap(example_works)
    assert ov.sources == ["pubmed", "scopus", "wos", "citations"]
    assert ov.records == {"pubmed": 70, "scopus": 75, "wos": 60, "citations": 10}  # truth records_per_file
    for s in ov.sources:
        assert ov.only[s] == sum(1 for p in presence if p == {s})
        assert ov.works[s] == sum(1 for p in presence if s in p)
    for (a, b), n in ov.both.items():
        assert n == sum(1 for p in presence if {a, b} <= p)
    assert ov.all == sum(1 for p in presence if {"pubmed", "scopus", "wos"} <= p)
    # and the truth's own summary figures
    o = TRUTH["counts"]["overlap"]
    assert (ov.both[("pubmed", "scopus")], ov.both[("pubmed", "wos")], ov.both[("scopus", "wos")], ov.all) == (
        o["pubmed&scopus"], o["pubmed&wos"], o["scopus&wos"], o["pubmed&scopus&wos"])
    assert (ov.only["pubmed"], ov.only["scopus"], ov.only["wos"], ov.only["citations"]) == (22, 23, 18, 7)


def test_decisions_split_and_join_and_a_bad_line_is_reported(tmp_path, example_works):
    root = copy_example(tmp_path / "r")
    ok = load_works(root)
    okafor = keys_of_truth(ok, "okafor2021")[0]
    okafor_abs = keys_of_truth(ok, "okafor2020abs")[0]  # the conference abstract (truth: not a duplicate)
    h = keys_of_truth(ok, "halvorsen2019")  # three records of one work
    log = root / "records" / "dedup" / "ana.csv"
    log.parent.mkdir(parents=True)
    log.write_text("a,b,answer,time\n"
                   f"{okafor},{okafor_abs},same,2025-05-01T10:00:00Z\n"
                   f"{h[0]},{h[1]},different,2025-05-01T10:00:01Z\n"
                   f"{h[0]},{h[2]},different,2025-05-01T10:00:02Z\n"
                   f"{h[0]},pmid:1@nowhere,same,2025-05-01T10:00:03Z\n")
    w = load_works(root)
    assert w.problems and len(w.problems) == 1 and w.problems[0].startswith("records/dedup/ana.csv, line 5:")
    assert w.work_of(okafor) == w.work_of(okafor_abs)  # a person's "same" joins
    assert w.work_of(h[0]) not in (w.work_of(h[1]), w.work_of(h[2]))  # "different" splits off h[0]
    assert w.work_of(h[1]) == w.work_of(h[2])
    assert len(w) == 128 - 1 + 1


def test_stale_library_is_reimported_and_fresh_one_is_not(tmp_path):
    root = copy_example(tmp_path / "r")
    assert load_works(root).reimported
    assert not load_works(root).reimported
    later = time.time() + 5
    os.utime(root / "records" / "searches" / "wos.txt", (later, later))
    assert load_works(root).reimported


def test_a_missing_search_file_is_an_input_error(tmp_path):
    root = copy_example(tmp_path / "r")
    (root / "records" / "searches" / "wos.txt").unlink()
    with pytest.raises(InputError, match="wos.txt"):
        load_works(root)


def test_work_keeps_its_id_when_a_new_search_adds_a_member(tmp_path):
    root = copy_example(tmp_path / "r")
    before = load_works(root)
    work = before.get("pmid:99178637")  # Abdullah 2019, PubMed only (truth: databases "P")
    assert work.members == ["pmid:99178637@pubmed"]
    extra = copy_example(tmp_path / "e", extra=True)
    first = load_works(extra)
    embase = next(k for k, r in zip(first.keys, first.records)
                  if r.source.search == "embase" and r.title.startswith("Anaemia"))
    assert first.work_of(embase) != work.id  # a possible pair only, until a person answers
    # the new member's id (a content hash, "h:...") is not preferred over the PMID
    append_answer(extra, "ana", embase, "pmid:99178637@pubmed", "same")
    after = load_works(extra)
    assert after.work_of(embase) == after.work_of("pmid:99178637") == work.id


# ---- the review queue ---------------------------------------------------------------------


@pytest.fixture()
def extra_review(tmp_path):
    return copy_example(tmp_path / "x", extra=True)


def test_extra_search_gives_seven_possible_pairs_one_per_embase_record(extra_review):
    w = load_works(extra_review)
    queue = review_queue(w, "ana")
    assert len(queue) == 7
    for rp in queue:
        searches = sorted(k.split("@")[1] for k in (rp.a, rp.b))
        assert searches == ["embase", "pubmed"]
    merged = review_queue(w, "ana", merged=True)
    assert len(merged) == 87  # one pair per record that is not the first of its work (truth: 87 duplicates)


def test_session_answer_undo_and_joined_pairs():
    pairs = [ReviewPair("a", "b", "possible", ""), ReviewPair("b", "c", "possible", ""),
             ReviewPair("a", "c", "possible", ""), ReviewPair("c", "d", "possible", "")]
    group = {"a": "A", "b": "B", "c": "C", "d": "D"}
    s = ReviewSession(pairs, {}, group)
    assert s.answer("same") == ("a", "b", "same")
    assert s.answer("same") == ("b", "c", "same")
    # a-c is now joined through b: passed over
    assert s.current() == pairs[3]
    assert s.undo() == ("b", "c", "skip")  # no earlier answer: withdrawn with a skip
    assert s.current() == pairs[1]
    assert s.answer("different") == ("b", "c", "different")
    assert s.current() == pairs[2]  # a-c is no longer joined
    s.answer("skip")
    s.answer("same")
    assert s.done and s.counts() == {"same": 2, "different": 1, "skip": 1}
    assert ReviewSession([]).undo() is None


def test_undo_restores_an_earlier_answer():
    s = ReviewSession([ReviewPair("a", "b", "merged", "")], previous={("a", "b"): "same"})
    s.answer("different")
    assert s.undo() == ("a", "b", "same")


def test_field_rows_flag_differences_but_not_abbreviations():
    a = Record(title="Iron rims.", authors=["Smith, J"], year=2020, journal="Journal of Neurology", doi="10.1/a")
    b = Record(title="Iron Rims", authors=["Smith, J"], year=2021, journal_abbrev="J Neurol", database="Embase")
    rows = {label: same for label, _, _, same in field_rows(a, b)}
    assert rows["title"] and rows["authors"] and rows["journal"] and rows["database"]
    assert not rows["year"] and not rows["DOI"]


def test_bare_id():
    assert bare_id("pmid:1@scopus#2") == "pmid:1"
    assert bare_id("doi:10.1/a#b@wos") == "doi:10.1/a#b"
