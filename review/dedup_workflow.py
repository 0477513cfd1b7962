"""Deduplication inside a review: people's decisions, the deduplicated works, database overlap.

The core (`review.dedup`) clusters records; this module puts it to work in a
review folder. People's answers live in `records/dedup/<reviewer>.csv`, an
append-only log (`a,b,answer,time`) that is never rewritten; the last answer
for a pair wins. `load_works(root)` gives the later stages (screening,
extraction, PRISMA) the deduplicated set, with a stable id per work that any
member's record id resolves to. The review queue (`ReviewSession`) is pure, so
the terminal UI is a thin layer over it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Iterable, Sequence

from review.dedup import DUPLICATE, DedupResult, Decision, MergedRecord, Pair, find_duplicates, journals_match, merge
from review.errors import InputError
from review.logfile import LogRead, append, csv_line, now, rows
from review.records import Record

DEDUP_DIR = Path("records") / "dedup"
HEADER = ["a", "b", "answer", "time"]
ANSWERS = ("same", "different", "skip")


# ---- record keys ------------------------------------------------------------------


def record_keys(records: Sequence[Record]) -> list[str]:
    """A key per record, ``<id>@<search>``, with ``#n`` for an id repeated within one search.

    Unlike a running count over the whole library, the key does not change
    when another search is added or the searches are reordered.
    """
    seen: dict[str, int] = defaultdict(int)
    out = []
    for rec in records:
        base = f"{rec.id}@{rec.source.search}" if rec.source.search else rec.id
        seen[base] += 1
        out.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return out


def bare_id(key: str) -> str:
    """The record id inside a key: ``pmid:1@scopus#2`` -> ``pmid:1``."""
    m = _KEY.fullmatch(key)
    return m.group(1) if m else _REPEAT.sub("", key)


_KEY = re.compile(r"(.+)@[A-Za-z0-9][A-Za-z0-9_.-]*(?:#\d+)?")
_REPEAT = re.compile(r"#\d+$")


# ---- the decisions log -------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    """One answer from a log: the pair (sorted), the answer, when, who, and where it was written."""

    a: str
    b: str
    answer: str
    time: str
    reviewer: str = ""
    file: str = ""
    line: int = 0

    @property
    def pair(self) -> tuple[str, str]:
        return (self.a, self.b)


def pair_of(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def log_path(root: Path, reviewer: str) -> Path:
    return Path(root) / DEDUP_DIR / f"{reviewer}.csv"


def parse_log(text: str | bytes, file: str, known: set[str] | None = None,
              reviewer: str = "") -> tuple[list[LogEntry], list[str]]:
    """Entries and problems of one log's content; a bad line is one problem, the rest still count.

    A line is bad when it has the wrong number of fields, an unknown answer, a
    record key not in `known` (when given), or the same record twice; a torn
    last line (see `review.logfile`) is skipped too. Problems come in line order.
    """
    read: LogRead[LogEntry] = LogRead(file)
    for row in rows(read, text, HEADER):
        a, b, answer, time = row.fields
        bad = _bad_fields(a, b, answer, known)
        if bad:
            read.problem(row.line, bad[0], field=bad[1])
            continue
        a, b = pair_of(a, b)
        read.entries.append(LogEntry(a, b, answer.lower(), time, reviewer, file, row.line))
    return read.entries, [str(issue) for issue in read.issues()]


def _bad_fields(a: str, b: str, answer: str, known: set[str] | None) -> tuple[str, str] | None:
    """(why, column) when a line's answer or keys cannot be honoured."""
    if answer.lower() not in ANSWERS:
        return f"unknown answer {answer!r} (use same, different or skip)", "answer"
    if not a or not b:
        return "a record key is empty", "a" if not a else "b"
    if a == b:
        return f"a record is paired with itself ({a})", "b"
    if known is not None:
        for col, k in (("a", a), ("b", b)):
            if k not in known:
                return f"unknown record {k!r} (not in the library; was a search file replaced?)", col
    return None


def read_logs(root: Path, known: set[str] | None = None) -> tuple[list[LogEntry], list[str]]:
    """Every reviewer's log under records/dedup/, in reviewer order, with every problem."""
    folder = Path(root) / DEDUP_DIR
    entries: list[LogEntry] = []
    problems: list[str] = []
    if not folder.is_dir():
        return entries, problems
    for path in sorted(folder.glob("*.csv")):
        got, bad = parse_log(path.read_bytes(), f"{DEDUP_DIR.as_posix()}/{path.name}", known, reviewer=path.stem)
        entries.extend(got)
        problems.extend(bad)
    return entries, problems


def latest_answers(entries: Iterable[LogEntry]) -> dict[tuple[str, str], LogEntry]:
    """The answer in force per pair: within one log the last line wins; between logs, the latest time."""
    per_log: dict[tuple[str, tuple[str, str]], LogEntry] = {}
    for e in entries:
        per_log[(e.file, e.pair)] = e
    out: dict[tuple[str, str], LogEntry] = {}
    for e in sorted(per_log.values(), key=lambda e: (e.time, e.file)):
        out[e.pair] = e
    return out


def decisions_from(entries: Iterable[LogEntry]) -> list[Decision]:
    """Decisions for the core: each pair's answer in force, skips left out."""
    return [Decision(e.a, e.b, e.answer == "same")
            for e in latest_answers(entries).values() if e.answer in ("same", "different")]


def format_line(a: str, b: str, answer: str, time: str | None = None) -> str:
    """One CSV line of the log (no newline)."""
    if answer not in ANSWERS:
        raise ValueError(f"unknown answer {answer!r}")
    return csv_line([*pair_of(a, b), answer, time or now(fraction=True)]).removesuffix("\n")


def append_answer(root: Path, reviewer: str, a: str, b: str, answer: str, time: str | None = None) -> LogEntry:
    """Append one answer to the reviewer's log (header first if new); durable on return."""
    line = format_line(a, b, answer, time)
    append(log_path(root, reviewer), [line], HEADER)
    x, y = pair_of(a, b)
    return LogEntry(x, y, answer, line.rsplit(",", 1)[1], reviewer)


# ---- the library -------------------------------------------------------------------


def library_is_stale(root: Path, protocol) -> bool:
    """True when output/records.jsonl is missing or older than protocol.yaml or a search file."""
    from review.protocol import PROTOCOL_FILE
    from review.workspace import LIBRARY_FILE

    root = Path(root)
    lib = root / LIBRARY_FILE
    if not lib.is_file():
        return True
    mtime = lib.stat().st_mtime
    inputs = [root / PROTOCOL_FILE]
    inputs += [root / "records" / "searches" / s.file for s in protocol.searches]
    inputs += [root / "records" / "searches" / o.file for o in protocol.other_sources if o.file]
    return any(p.is_file() and p.stat().st_mtime > mtime for p in inputs)


def load_library(root: Path, protocol=None, reimport: bool = True) -> tuple[list[Record], bool]:
    """The library's records, re-imported (and rewritten) when stale; (records, reimported)."""
    from review.library import import_searches
    from review.protocol import load_protocol
    from review.workspace import LIBRARY_FILE, read_jsonl, write_jsonl

    root = Path(root)
    protocol = protocol or load_protocol(root)
    if reimport and library_is_stale(root, protocol):
        records = import_searches(protocol, root).records
        write_jsonl(root / LIBRARY_FILE, (r.to_dict() for r in records))
        return records, True
    if not (root / LIBRARY_FILE).is_file():
        raise InputError("no library yet: run `review import`", file=str(LIBRARY_FILE))
    return [Record.from_dict(d) for d in read_jsonl(root / LIBRARY_FILE)], False


# ---- works ---------------------------------------------------------------------------


@dataclass
class Work:
    """One work: the merged record, its member keys and where it was found."""

    id: str
    merged: MergedRecord
    members: list[str]
    searches: list[str]
    databases: list[str]

    @property
    def record(self) -> Record:
        return self.merged.record


@dataclass
class Works:
    """The deduplicated set of a review, for the later stages."""

    works: list[Work]
    records: list[Record]
    keys: list[str]
    result: DedupResult
    problems: list[str] = field(default_factory=list)
    reimported: bool = False
    search_order: list[str] = field(default_factory=list)
    database_searches: list[str] = field(default_factory=list)
    answers: dict[tuple[str, str], LogEntry] = field(default_factory=dict)
    _index: dict[str, str] = field(default_factory=dict, repr=False)
    _by_id: dict[str, Work] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        by_bare: dict[str, set[str]] = defaultdict(set)
        for w in self.works:
            self._by_id[w.id] = w
            self._index[w.id] = w.id
            for k in w.members:
                self._index[k] = w.id
                by_bare[bare_id(k)].add(w.id)
        for rid, wids in by_bare.items():
            self._index.setdefault(rid, min(wids))

    def __iter__(self):
        return iter(self.works)

    def __len__(self) -> int:
        return len(self.works)

    def work_of(self, any_id: str) -> str | None:
        """The work id for a record key, a bare record id or a work id; None when unknown."""
        return self._index.get(any_id)

    def get(self, any_id: str) -> Work | None:
        wid = self.work_of(any_id)
        return self._by_id.get(wid) if wid else None

    def possible(self) -> list[Pair]:
        """Possible-duplicate pairs that still need a person."""
        return self.result.possible()

    @property
    def duplicates(self) -> int:
        return len(self.records) - len(self.works)


_ID_RANK = {"pmid": 0, "doi": 1, "eid": 2, "wos": 3}


def _id_rank(rid: str) -> tuple[int, str]:
    """Work ids prefer a PMID, then a DOI, Scopus EID, WoS UT; a content hash last."""
    return (_ID_RANK.get(rid.split(":", 1)[0], 9), rid)


def build_works(records: Sequence[Record], decisions: Iterable[Decision] = (), keys: Sequence[str] | None = None,
                search_order: Sequence[str] = ()) -> tuple[list[Work], DedupResult, list[str]]:
    """Cluster `records` and make one Work per cluster (pure)."""
    keys = list(keys) if keys is not None else record_keys(records)
    result = find_duplicates(records, decisions, keys)
    rank = {s: n for n, s in enumerate(search_order)}
    works: list[Work] = []
    taken: set[str] = set()
    for members in result.clusters:
        recs = [records[i] for i in members]
        mkeys = sorted(keys[i] for i in members)
        wid = min((bare_id(k) for k in mkeys), key=_id_rank)
        if wid in taken:  # a person split records that share an id: fall back to the full key
            wid = min(mkeys, key=_id_rank)
        taken.add(wid)
        searches = sorted({r.source.search for r in recs if r.source.search}, key=lambda s: (rank.get(s, len(rank)), s))
        merged = merge(recs)
        works.append(Work(wid, merged, mkeys, searches, merged.databases))
    works.sort(key=lambda w: w.id)
    return works, result, keys


def load_works(root: Path, *, reimport: bool = True) -> Works:
    """The review's deduplicated works, honouring every reviewer's dedup decisions."""
    from review.protocol import load_protocol

    root = Path(root)
    protocol = load_protocol(root)
    records, reimported = load_library(root, protocol, reimport)
    keys = record_keys(records)
    entries, problems = read_logs(root, set(keys))
    order = [s.name for s in protocol.searches] + [o.name for o in protocol.other_sources]
    works, result, keys = build_works(records, decisions_from(entries), keys, order)
    return Works(works, records, keys, result, problems, reimported, order,
                 [s.name for s in protocol.searches], latest_answers(entries))


# ---- overlap between databases -------------------------------------------------------


@dataclass
class Overlap:
    """Works found by each search, only by it, by each pair, and by every database search."""

    sources: list[str]
    records: dict[str, int]
    works: dict[str, int]
    only: dict[str, int]
    both: dict[tuple[str, str], int]
    all: int
    patterns: dict[str, int]
    total_works: int

    def to_dict(self) -> dict:
        return {
            "sources": self.sources, "records": self.records, "works": self.works, "only": self.only,
            "both": {f"{a}&{b}": n for (a, b), n in self.both.items()}, "all_databases": self.all,
            "patterns": self.patterns, "total_works": self.total_works,
        }


def overlap(works: Works, sources: Sequence[str] | None = None) -> Overlap:
    """Overlap between the searches of a review, counted in works (as reviewers report it)."""
    sources = list(sources) if sources is not None else list(works.search_order)
    for w in works:
        for s in w.searches:
            if s not in sources:
                sources.append(s)
    found = [set(w.searches) for w in works]
    records = {s: sum(1 for r in works.records if r.source.search == s) for s in sources}
    per = {s: sum(1 for f in found if s in f) for s in sources}
    only = {s: sum(1 for f in found if f == {s}) for s in sources}
    both = {(a, b): sum(1 for f in found if a in f and b in f) for a, b in combinations(sources, 2)}
    dbs = set(works.database_searches) or set(sources)
    every = sum(1 for f in found if dbs <= f)
    patterns: dict[str, int] = defaultdict(int)
    for f in found:
        patterns["+".join(s for s in sources if s in f)] += 1
    return Overlap(sources, records, per, only, both, every, dict(sorted(patterns.items())), len(works))


# ---- outputs -----------------------------------------------------------------------------


def summary(works: Works) -> dict:
    """The counts `review dedup` prints."""
    return {
        "records": len(works.records),
        "works": len(works),
        "duplicates_removed": works.duplicates,
        "possible_pairs": len(works.possible()),
        "decisions": sum(1 for e in works.answers.values() if e.answer != "skip"),
        "problems": list(works.problems),
    }


def clusters_json(works: Works) -> str:
    """output/dedup.json: every work with its members and where each came from (byte-stable)."""
    rec_of = dict(zip(works.keys, works.records))
    out = []
    for w in works:
        members = []
        for k in w.members:
            r = rec_of[k]
            members.append({"key": k, "id": r.id, "search": r.source.search, "database": r.database,
                            "file": r.source.file, "position": r.source.position})
        out.append({"work": w.id, "title": w.record.title, "year": w.record.year, "searches": w.searches,
                    "databases": w.databases, "members": members})
    pairs = []
    for p in works.possible():
        a, b = pair_of(works.keys[p.i], works.keys[p.j])
        pairs.append({"a": a, "b": b, "reason": p.reason})
    pairs.sort(key=lambda d: (d["a"], d["b"]))
    counts = {k: v for k, v in summary(works).items() if k != "problems"}
    doc = {"counts": counts, "clusters": out, "possible_pairs": pairs}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def clusters_csv(works: Works) -> str:
    """output/dedup.csv: record key, record id, work id, one row per library record, sorted."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["record", "id", "work"])
    for k in sorted(works.keys):
        w.writerow([k, bare_id(k), works.work_of(k)])
    return buf.getvalue()


# ---- the review queue (pure; the terminal UI drives it) --------------------------------


@dataclass(frozen=True)
class ReviewPair:
    """A pair shown to a person: record keys, why it is shown, and the core's reason."""

    a: str
    b: str
    kind: str  # "possible" or "merged"
    reason: str


def review_queue(works: Works, reviewer: str, merged: bool = False) -> list[ReviewPair]:
    """Pairs for a person, in a stable order.

    Possible duplicates: pairs in two different works that no one has answered
    same/different; pairs this reviewer skipped come last. Merged
    (`merged=True`): for every work of two or more records, each member beside
    the work's first member, unless a person already answered that pair.
    """
    keys = works.keys
    answered = {p for p, e in works.answers.items() if e.answer in ("same", "different")}
    skipped = {p for p, e in works.answers.items() if e.answer == "skip" and e.reviewer == reviewer}
    out: list[ReviewPair] = []
    if merged:
        why = {pair_of(keys[p.i], keys[p.j]): p.reason for p in works.result.pairs if p.status == DUPLICATE}
        for w in works:
            for k in w.members[1:]:
                p = pair_of(w.members[0], k)
                if p not in answered:
                    out.append(ReviewPair(p[0], p[1], "merged", why.get(p, "joined through another record of the work")))
        return out
    seen = set()
    for p in works.possible():
        a, b = pair_of(keys[p.i], keys[p.j])
        if (a, b) in answered or (a, b) in seen:
            continue
        seen.add((a, b))
        out.append(ReviewPair(a, b, "possible", p.reason))
    out.sort(key=lambda rp: ((rp.a, rp.b) in skipped, rp.a, rp.b))
    return out


@dataclass
class ReviewSession:
    """Walk a queue of pairs: answer, undo, and what to append to the log for each step.

    `previous` holds this reviewer's answer in force for each pair before the
    session, so an undo can put it back. `group` maps each record key to its
    work at the start: a pair whose two records an earlier "same" answer in this
    session already joined is passed over. The session never writes: each step
    returns the (a, b, answer) line the caller appends before showing the next pair.
    """

    pairs: list[ReviewPair]
    previous: dict[tuple[str, str], str] = field(default_factory=dict)
    group: dict[str, str] = field(default_factory=dict)
    pos: int = 0
    history: list[tuple[int, str]] = field(default_factory=list)  # (index, answer given)

    def __post_init__(self) -> None:
        self._advance()

    @property
    def done(self) -> bool:
        return self.pos >= len(self.pairs)

    def current(self) -> ReviewPair | None:
        return None if self.done else self.pairs[self.pos]

    def answer(self, answer: str) -> tuple[str, str, str]:
        """Answer the current pair and move on; returns the log line to append."""
        if answer not in ANSWERS:
            raise ValueError(f"unknown answer {answer!r}")
        rp = self.current()
        if rp is None:
            raise IndexError("no pair left to answer")
        self.history.append((self.pos, answer))
        self.pos += 1
        self._advance()
        return (rp.a, rp.b, answer)

    def undo(self) -> tuple[str, str, str] | None:
        """Go back to the last answered pair; returns the log line that restores the earlier
        answer (``skip`` when there was none), or None when nothing can be undone."""
        if not self.history:
            return None
        index, _ = self.history.pop()
        self.pos = index
        rp = self.pairs[index]
        return (rp.a, rp.b, self.previous.get((rp.a, rp.b), "skip"))

    def counts(self) -> dict[str, int]:
        c = {a: 0 for a in ANSWERS}
        for _, a in self.history:
            c[a] += 1
        return c

    def _advance(self) -> None:
        """Pass over possible pairs whose records this session's "same" answers already joined."""
        if not self.group:
            return
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            x = self.group.get(x, x)
            while parent.get(x, x) != x:
                x = parent[x]
            return x

        for index, ans in self.history:
            if ans == "same":
                p = self.pairs[index]
                ra, rb = find(p.a), find(p.b)
                if ra != rb:
                    parent[ra] = rb
        while not self.done and self.pairs[self.pos].kind == "possible":
            p = self.pairs[self.pos]
            if find(p.a) != find(p.b):
                break
            self.pos += 1


def field_rows(a: Record, b: Record) -> list[tuple[str, str, str, bool]]:
    """(label, value in a, value in b, same?) for the side-by-side view; same = equal once folded."""
    from review.records import fold

    def vip(r: Record) -> str:
        parts = [f"vol {r.volume}" if r.volume else "", f"issue {r.issue}" if r.issue else "",
                 f"pp {r.pages}" if r.pages else ""]
        return ", ".join(p for p in parts if p)

    def journal(r: Record) -> str:
        if r.journal and r.journal_abbrev and fold(r.journal) != fold(r.journal_abbrev):
            return f"{r.journal} ({r.journal_abbrev})"
        return r.journal or r.journal_abbrev

    rows = [
        ("title", a.title, b.title),
        ("authors", "; ".join(a.authors), "; ".join(b.authors)),
        ("year", str(a.year or ""), str(b.year or "")),
        ("journal", journal(a), journal(b)),
        ("vol/issue/pages", vip(a), vip(b)),
        ("DOI", a.doi, b.doi),
        ("PMID", a.pmid, b.pmid),
        ("type", "; ".join(a.pub_types), "; ".join(b.pub_types)),
        ("database", f"{a.database} ({a.source.search} #{a.source.position})",
         f"{b.database} ({b.source.search} #{b.source.position})"),
    ]
    out = [(label, x, y, fold(x) == fold(y)) for label, x, y in rows]
    # Full name vs abbreviation is not a difference; the database row is provenance, never flagged.
    ja, jb = fold(a.journal or a.journal_abbrev), fold(b.journal or b.journal_abbrev)
    same_journal = journals_match(ja, jb) or journals_match(fold(a.journal_abbrev), fold(b.journal_abbrev))
    return [(label, x, y, same or (label == "journal" and same_journal) or label == "database")
            for label, x, y, same in out]
