"""PRISMA 2020 counts as a pure function of the review's state, with the box arithmetic checked.

The unit changes on the way down, as in the template: the identification boxes
count *records* (one per line of a search export), everything from "Records
screened" on counts *works* (one per group of duplicates, what the screeners
saw), and the included box counts *studies* and their *reports*.

A work belongs to the databases-and-registers column when any of its records
came from a database or register search, otherwise to the other-methods column
(citation searching, websites, organisations). Other-method records of a work
the databases also found are duplicates of it, shown in the other column as
"already identified via databases". Works found only by other methods may be
screened on title and abstract, or go straight to retrieval as the template
draws it.

Nothing here reads files: the command builds a `ReviewState` from the library,
the dedup works and the screening logs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from review.errors import ReviewError

DATABASE_KINDS = ("database", "register")
OTHER_KINDS = ("website", "organisation", "citation", "other")
KINDS = DATABASE_KINDS + OTHER_KINDS
NO_REASON = "Reason not recorded"


class PrismaError(ReviewError):
    """The review's decisions do not add up to a PRISMA diagram; names boxes and records."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = "; ".join(problems[:4])
        more = f" (and {len(problems) - 4} more problems)" if len(problems) > 4 else ""
        super().__init__(f"PRISMA counts do not add up: {shown}{more}")


# ---- the input ----------------------------------------------------------------------

@dataclass(frozen=True)
class SourceInfo:
    """One search or other source: its protocol name, the label shown, and its kind."""

    name: str
    label: str
    kind: str  # database, register, website, organisation, citation, other

    @property
    def column(self) -> str:
        return "databases" if self.kind in DATABASE_KINDS else "other"


@dataclass(frozen=True)
class Work:
    """One deduplicated work and the decisions on it.

    ``records``: every (record id, source name) that dedup put in this work.
    ``removed``: "" (kept), "automation" or "other": removed before screening.
    ``title_abstract``: "include" (sent on to full text), "exclude", or None
    (no decision yet; any other text, e.g. "conflict", also counts as none).
    ``excluded_by``: "person" or "automation", for a title-abstract exclusion.
    ``full_text``: "include", "exclude", "not_retrieved" or None.
    ``reason``: the label of the full-text exclusion reason.
    ``study``: the study an included report belongs to (default: its own id).
    """

    id: str
    records: tuple[tuple[str, str], ...]
    removed: str = ""
    title_abstract: str | None = None
    excluded_by: str = "person"
    full_text: str | None = None
    reason: str = ""
    study: str = ""


@dataclass
class ReviewState:
    sources: list[SourceInfo]
    works: list[Work]
    previous_studies: int | None = None
    previous_reports: int | None = None


# ---- the output -----------------------------------------------------------------------

@dataclass
class ColumnCounts:
    """The boxes of one column of the template (databases and registers, or other methods)."""

    identified: list[tuple[str, str, int]] = field(default_factory=list)  # (label, kind, records)
    duplicates: int = 0
    removed_automation: int = 0
    removed_other: int = 0
    screened: int = 0  # works with a title-abstract decision
    excluded_person: int = 0
    excluded_automation: int = 0
    sought: int = 0
    not_retrieved: int = 0
    assessed: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)  # full-text exclusions
    included_reports: int = 0
    unscreened: int = 0  # other methods only: works sent to retrieval without screening

    @property
    def identified_total(self) -> int:
        return sum(n for _, _, n in self.identified)

    @property
    def removed(self) -> int:
        return self.duplicates + self.removed_automation + self.removed_other

    @property
    def excluded(self) -> int:
        return self.excluded_person + self.excluded_automation

    @property
    def reports_excluded(self) -> int:
        return sum(n for _, n in self.reasons)

    def kind_total(self, *kinds: str) -> int:
        return sum(n for _, k, n in self.identified if k in kinds)


@dataclass
class PrismaCounts:
    databases: ColumnCounts
    other: ColumnCounts | None  # None when no other method was used
    studies: int  # new studies included (both columns)
    reports: int  # reports of new included studies
    previous_studies: int | None = None
    previous_reports: int | None = None
    ids: dict[str, list[str]] = field(default_factory=dict)  # box -> record/work/study ids

    @property
    def updated(self) -> bool:
        return self.previous_studies is not None or self.previous_reports is not None

    @property
    def total_studies(self) -> int:
        return self.studies + (self.previous_studies or 0)

    @property
    def total_reports(self) -> int:
        return self.reports + (self.previous_reports or 0)


# ---- counting ---------------------------------------------------------------------------

def _show(ids: list[str], limit: int = 8) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def count(state: ReviewState) -> PrismaCounts:
    """Every PRISMA 2020 box from the review's state; raises PrismaError if it does not add up."""
    sources = {s.name: s for s in state.sources}
    problems: list[str] = []
    bad_kind = [s.name for s in state.sources if s.kind not in KINDS]
    if bad_kind:
        problems.append(f"sources {_show(bad_kind)} have a kind that is not one of {', '.join(KINDS)}")
    unknown = sorted({src for w in state.works for _, src in w.records if src not in sources})
    if unknown:
        recs = [rid for w in state.works for rid, src in w.records if src not in sources]
        problems.append(f"records {_show(recs)} come from sources not in the protocol: {_show(unknown)}")
    if problems:
        raise PrismaError(problems)

    ids: dict[str, list[str]] = {}
    cols = {"dbr": ColumnCounts(), "other": ColumnCounts()}
    for s in state.sources:
        prefix = "dbr" if s.column == "databases" else "other"
        recs = [rid for w in state.works for rid, src in w.records if src == s.name]
        cols[prefix].identified.append((s.label, s.kind, len(recs)))
        ids[f"{prefix}.identified.{s.name}"] = recs

    def put(box: str, item: str) -> None:
        ids.setdefault(box, []).append(item)

    included: dict[str, list[str]] = {}  # study -> reports
    missing: dict[str, list[str]] = {}  # "box: what is missing" -> works
    for w in state.works:
        db_recs = [rid for rid, src in w.records if sources[src].column == "databases"]
        other_recs = [rid for rid, src in w.records if sources[src].column == "other"]
        if not w.records:
            problems.append(f"work {w.id} has no records")
            continue
        p = "dbr" if db_recs else "other"
        col = cols[p]
        # duplicates: every record of the work but the one kept for it
        if p == "dbr":
            for rid in db_recs[1:]:
                put("dbr.duplicates", rid)
            for rid in other_recs:
                put("other.duplicates", rid)  # already identified via databases
        else:
            for rid in other_recs[1:]:
                put("other.duplicates", rid)
        _follow(w, p, col, put, problems, included, missing)

    for p, col in cols.items():
        col.duplicates = len(ids.get(f"{p}.duplicates", []))
        col.removed_automation = len(ids.get(f"{p}.removed_automation", []))
        col.removed_other = len(ids.get(f"{p}.removed_other", []))
        col.screened = len(ids.get(f"{p}.screened", []))
        col.excluded_person = len(ids.get(f"{p}.excluded_person", []))
        col.excluded_automation = len(ids.get(f"{p}.excluded_automation", []))
        col.sought = len(ids.get(f"{p}.sought", []))
        col.not_retrieved = len(ids.get(f"{p}.not_retrieved", []))
        col.assessed = len(ids.get(f"{p}.assessed", []))
        col.included_reports = len(ids.get(f"{p}.included_reports", []))
        col.unscreened = len(ids.get(f"{p}.unscreened", []))
        reasons = Counter()
        for key, items in ids.items():
            if key.startswith(f"{p}.excluded_reason."):
                reasons[key.split(".", 2)[2]] = len(items)
        col.reasons = _reason_order(reasons)
    for what, works in sorted(missing.items()):  # "Records ..." before "Reports ..."
        noun = "work" if len(works) == 1 else f"{len(works)} works"
        problems.append(f"{what} on {noun}: {_show(works)}")
    if problems:
        raise PrismaError(problems)

    for study, reports in included.items():
        ids.setdefault("included_studies", []).append(study)
    ids["included_reports"] = [r for reps in included.values() for r in reps]
    used_other = any(s.column == "other" for s in state.sources)
    counts = PrismaCounts(
        databases=cols["dbr"],
        other=cols["other"] if used_other else None,
        studies=len(included),
        reports=sum(len(r) for r in included.values()),
        previous_studies=state.previous_studies,
        previous_reports=state.previous_reports,
        ids=ids,
    )
    check(counts)
    return counts


def _reason_order(reasons: Counter) -> list[tuple[str, int]]:
    """Most frequent first, then by name; 'Reason not recorded' last."""
    def natural(text: str) -> list:
        return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text.lower())]

    items = sorted(reasons.items(), key=lambda kv: (kv[0] == NO_REASON, -kv[1], natural(kv[0])))
    return list(items)


_STATUS = {"waiting": "waiting for another reviewer", "conflict": "reviewers disagree, not resolved",
           "maybe": "maybe, not resolved"}


def _follow(w: Work, p: str, col: ColumnCounts, put, problems: list[str], included: dict,
            missing: dict[str, list[str]]) -> None:
    """Walk one work down its column, putting its id in each box it reaches."""
    ta = w.title_abstract if w.title_abstract in ("include", "exclude") else None
    ft = w.full_text if w.full_text in ("include", "exclude", "not_retrieved") else None
    if w.removed:
        if w.removed not in ("automation", "other"):
            problems.append(f"work {w.id}: removed must be 'automation' or 'other', not {w.removed!r}")
            return
        put(f"{p}.removed_{w.removed}", w.id)
        if w.title_abstract or w.full_text:
            problems.append(f"work {w.id} was removed before screening but has a screening decision")
        return
    if ta is None and not (p == "other" and w.title_abstract is None and ft is not None):
        what = f" ({_STATUS.get(w.title_abstract, w.title_abstract)})" if w.title_abstract else ""
        missing.setdefault(f"Records screened: no title-abstract decision{what}", []).append(w.id)
        return
    if ta is not None:
        put(f"{p}.screened", w.id)
    else:
        put(f"{p}.unscreened", w.id)
    if ta == "exclude":
        by = "automation" if w.excluded_by == "automation" else "person"
        put(f"{p}.excluded_{by}", w.id)
        if w.full_text:
            problems.append(
                f"work {w.id} was excluded at title-abstract (Records excluded) "
                f"but has a full-text decision ({w.full_text})"
            )
        return
    put(f"{p}.sought", w.id)
    if ft is None:
        what = f" ({_STATUS.get(w.full_text, w.full_text)})" if w.full_text else ""
        missing.setdefault(f"Reports sought for retrieval: no full-text decision{what}", []).append(w.id)
        return
    if ft == "not_retrieved":
        put(f"{p}.not_retrieved", w.id)
        return
    put(f"{p}.assessed", w.id)
    if ft == "exclude":
        put(f"{p}.excluded_reason.{w.reason.strip() or NO_REASON}", w.id)
        return
    put(f"{p}.included_reports", w.id)
    included.setdefault(w.study or w.id, []).append(w.id)


# ---- the arithmetic --------------------------------------------------------------------------

def check(counts: PrismaCounts) -> None:
    """Every box follows from the ones above it; raises PrismaError naming the boxes.

    identified - removed before screening = screened (+ sent on unscreened, other
    methods); screened - excluded = sought; sought - not retrieved = assessed;
    assessed - excluded = included reports; and each box's n equals the ids
    behind it when those are known.
    """
    problems: list[str] = []
    cols = [("databases and registers", "dbr", counts.databases)]
    if counts.other is not None:
        cols.append(("other methods", "other", counts.other))
    for name, p, c in cols:
        removed = c.removed
        if c.identified_total - removed != c.screened + c.unscreened:
            problems.append(
                f"{name}: Records identified ({c.identified_total}) - Records removed before screening "
                f"({removed}) = {c.identified_total - removed}, but Records screened is "
                f"{c.screened}" + (f" (+ {c.unscreened} not screened)" if c.unscreened else "")
            )
        if c.screened + c.unscreened - c.excluded != c.sought:
            problems.append(
                f"{name}: Records screened ({c.screened + c.unscreened}) - Records excluded ({c.excluded}) "
                f"= {c.screened + c.unscreened - c.excluded}, but Reports sought for retrieval is {c.sought}"
            )
        if c.sought - c.not_retrieved != c.assessed:
            problems.append(
                f"{name}: Reports sought for retrieval ({c.sought}) - Reports not retrieved ({c.not_retrieved}) "
                f"= {c.sought - c.not_retrieved}, but Reports assessed for eligibility is {c.assessed}"
            )
        if c.assessed - c.reports_excluded != c.included_reports:
            problems.append(
                f"{name}: Reports assessed for eligibility ({c.assessed}) - Reports excluded "
                f"({c.reports_excluded}) = {c.assessed - c.reports_excluded}, but it has "
                f"{c.included_reports} included reports"
            )
        for box, n in _boxes(p, c):
            if box in counts.ids and len(counts.ids[box]) != n:
                problems.append(f"{name}: box {box} says {n} but {len(counts.ids[box])} records are behind it")
    col_reports = counts.databases.included_reports + (counts.other.included_reports if counts.other else 0)
    if col_reports != counts.reports:
        problems.append(
            f"Reports of new included studies ({counts.reports}) is not the included reports of the "
            f"columns ({col_reports})"
        )
    if counts.studies > counts.reports:
        problems.append(f"New studies included ({counts.studies}) exceed their reports ({counts.reports})")
    if counts.reports and not counts.studies:
        problems.append(f"{counts.reports} reports are included but no study")
    if problems:
        raise PrismaError(problems)


def _boxes(p: str, c: ColumnCounts) -> list[tuple[str, int]]:
    out = [
        (f"{p}.duplicates", c.duplicates),
        (f"{p}.removed_automation", c.removed_automation),
        (f"{p}.removed_other", c.removed_other),
        (f"{p}.screened", c.screened),
        (f"{p}.excluded_person", c.excluded_person),
        (f"{p}.excluded_automation", c.excluded_automation),
        (f"{p}.sought", c.sought),
        (f"{p}.not_retrieved", c.not_retrieved),
        (f"{p}.assessed", c.assessed),
        (f"{p}.included_reports", c.included_reports),
    ]
    out += [(f"{p}.excluded_reason.{label}", n) for label, n in c.reasons]
    return out
