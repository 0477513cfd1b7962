"""The records screened: the review's deduplicated works, and the queue of each stage.

Screening decides on *works* (a paper found by several databases is screened
once). The works come from `review.dedup_workflow.load_works` when that module
is present; otherwise from the fallback below, which deduplicates the imported
library itself (see `_fallback_works`).

A `RecordSet` also resolves the ids people bring from elsewhere (a member
record's id, ``doi:...``, ``pmid:...``, a bare DOI or PMID) to a work id, for
`review screen import` and for decision lines written before a merge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from review.errors import InputError

FULLTEXT_DIR = Path("records") / "fulltext"


@dataclass(frozen=True)
class Work:
    """What the screen shows of one work, and the ids that lead to it."""

    id: str
    title: str = ""
    abstract: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    journal: str = ""
    keywords: tuple[str, ...] = ()
    mesh: tuple[str, ...] = ()
    pub_types: tuple[str, ...] = ()
    doi: str = ""
    pmid: str = ""
    member_ids: tuple[str, ...] = ()
    databases: tuple[str, ...] = ()
    record: Any = field(default=None, compare=False, repr=False)  # the merged Record, for export


@dataclass
class RecordSet:
    """The works of a review in screening order, with id lookup."""

    works: list[Work]
    source: str = ""  # "dedup_workflow" or "fallback"
    resolver: Callable[[str], str | None] | None = None  # dedup_workflow's work_of, when used
    problems: list[str] = field(default_factory=list)  # bad lines of the dedup decision logs
    _by_id: dict[str, Work] = field(default_factory=dict, init=False, repr=False)
    _alias: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for w in self.works:
            self._by_id[w.id] = w
        for w in self.works:
            keys = [w.id, *w.member_ids]
            if w.doi:
                keys += [f"doi:{w.doi}", w.doi]
            if w.pmid:
                keys += [f"pmid:{w.pmid}", w.pmid]
            for k in keys:
                self._alias.setdefault(k.lower(), w.id)

    @property
    def ids(self) -> list[str]:
        return [w.id for w in self.works]

    def get(self, work_id: str) -> Work | None:
        return self._by_id.get(work_id)

    def __getitem__(self, work_id: str) -> Work:
        return self._by_id[work_id]

    def __len__(self) -> int:
        return len(self.works)

    def resolve(self, identifier: str) -> str | None:
        """The work id for a work id, member id, ``doi:``/``pmid:`` id, a bare DOI or PMID."""
        key = identifier.strip()
        if not key:
            return None
        found = self._alias.get(key.lower())
        if found:
            return found
        if self.resolver is not None:
            found = self.resolver(key)
            if found in self._by_id:
                return found
        doi = _bare_doi(key)
        if doi:
            return self._alias.get(doi) or self._alias.get(f"doi:{doi}")
        return None

    def known_ids(self) -> list[str]:
        """Every id a decision line may name: work ids and their members' ids."""
        out = dict.fromkeys(self.ids)
        for w in self.works:
            out.update(dict.fromkeys(w.member_ids))
        return list(out)


_DOI = re.compile(r"(10\.\d{4,9}/\S+)", re.I)


def _bare_doi(text: str) -> str:
    m = _DOI.search(text)
    return m.group(1).rstrip(".").lower() if m else ""


def work_from_record(work_id: str, rec: Any, member_ids: Sequence[str] = (), databases: Sequence[str] = ()) -> Work:
    """A `Work` from a review.records.Record (the merged record of a cluster)."""
    return Work(
        id=work_id,
        title=rec.title,
        abstract=rec.abstract,
        authors=tuple(rec.authors),
        year=rec.year,
        journal=rec.journal or rec.journal_abbrev,
        keywords=tuple(rec.keywords),
        mesh=tuple(rec.mesh),
        pub_types=tuple(rec.pub_types),
        doi=rec.doi,
        pmid=rec.pmid,
        member_ids=tuple(member_ids),
        databases=tuple(databases),
        record=rec,
    )


def load_record_set(root: Path) -> RecordSet:
    """The review's works: from review.dedup_workflow when present, else the fallback."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("review.dedup_workflow") is None:  # only when the module is absent
        return RecordSet(_fallback_works(root), "fallback")
    dedup_workflow = importlib.import_module("review.dedup_workflow")
    works, source = _from_dedup_workflow(dedup_workflow, root)
    return RecordSet(works, "dedup_workflow", resolver=source.work_of, problems=list(source.problems))


def _from_dedup_workflow(module: Any, root: Path) -> tuple[list[Work], Any]:
    works = module.load_works(Path(root))
    out = []
    for w in works:
        out.append(work_from_record(w.id, w.record, tuple(w.merged.member_ids), tuple(w.databases)))
    return out, works


# ---- FALLBACK: used only while review.dedup_workflow is absent --------------------

def _fallback_works(root: Path) -> list[Work]:
    """FALLBACK record set: the imported library deduplicated here, without a person's
    duplicate decisions. The work id is the merged record's stable id (PMID, else DOI,
    else EID/UT, else a hash), so it is stable while the clusters are.

    Reads output/records.jsonl when `review import` has written it, else imports the
    searches in memory.
    """
    from review.dedup import find_duplicates, merge
    from review.records import Record
    from review.workspace import LIBRARY_FILE, read_jsonl

    root = Path(root)
    lib = root / LIBRARY_FILE
    if lib.is_file():
        records = [Record.from_dict(d) for d in read_jsonl(lib)]
    else:
        from review.library import import_searches
        from review.protocol import load_protocol

        records = import_searches(load_protocol(root), root).records
    result = find_duplicates(records)
    works: list[Work] = []
    seen: set[str] = set()
    for cluster in result.clusters:
        merged = merge([records[i] for i in cluster])
        wid = merged.record.id
        if wid in seen:  # two clusters sharing an id (a person kept them apart): keep both
            wid = f"{wid}#{cluster[0]}"
        seen.add(wid)
        works.append(work_from_record(wid, merged.record, merged.member_ids, merged.databases))
    return works


# ---- queues ---------------------------------------------------------------------------

def fulltext_path(root: Path, work: Work) -> Path | None:
    """records/fulltext/<id>.pdf for the work or one of its members, if there is one.

    Ids hold ':' and '/', which file names cannot: both are tried as given and with
    every character outside [A-Za-z0-9._-] replaced by '_'.
    """
    folder = Path(root) / FULLTEXT_DIR
    if not folder.is_dir():
        return None
    for rid in (work.id, *work.member_ids):
        for name in (rid, safe_name(rid)):
            if "/" in name:
                continue
            p = folder / f"{name}.pdf"
            if p.is_file():
                return p
    return None


def safe_name(record_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", record_id)


def fulltext_queue(record_ids: Iterable[str], ta_logs: Any, config: Any) -> list[str]:
    """The works sent to full text by the title-abstract decisions (agreement.route)."""
    from review.screening.agreement import route

    standing = ta_logs.standing()
    resolved = ta_logs.resolved.standing()
    names = sorted(standing)
    out = []
    for rid in record_ids:
        ds = [standing[n][rid] for n in names if rid in standing[n]]
        if route(ds, config.to_full_text, config.reviewers_per_record, resolved.get(rid), "title-abstract") == "full-text":
            out.append(rid)
    return out


def stage_queue(root: Path, stage: str, records: RecordSet, config: Any) -> list[str]:
    """Work ids to screen at a stage, in screening order."""
    if stage == "title-abstract":
        return records.ids
    if stage == "full-text":
        from review.screening.decisions import read_stage

        ta = read_stage(root, "title-abstract", config, records.known_ids())
        return fulltext_queue(records.ids, ta, config)
    raise InputError(f"stage {stage!r} is not one of title-abstract, full-text")
