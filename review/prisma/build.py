"""Build the `ReviewState` of a review folder: dedup works + screening decisions.

The works come from `review.dedup_workflow.load_works` (each work's member
record keys ``<record id>@<search name>``); the decisions from the screening
logs through `review.screening.manage.stage_decisions` and the routing rule of
`review.screening.agreement.route`. Reason keys become the protocol's labels.

Not yet known here (later stages): which included reports belong to the same
study (each report counts as its own study until extraction groups them; pass
``studies``), and which exclusions were made by automation tools (all count as
made by a person).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

from review.errors import InputError
from review.prisma.counts import ReviewState, SourceInfo, Work

_REGISTER = re.compile(r"clinicaltrials|trials? regist|regist(er|ry)|ictrp|isrctn|ctri\b|euctr", re.I)

TA_OUTCOME = {"full-text": "include", "excluded": "exclude"}
FT_OUTCOME = {"included": "include", "excluded": "exclude", "not_retrieved": "not_retrieved"}


def source_kind(method: str) -> str:
    """The PRISMA kind of an other source from its free-text `method`."""
    m = method.lower()
    if "citation" in m or "reference" in m or "cited" in m:
        return "citation"
    if "website" in m or "web site" in m or "web search" in m or "google" in m:
        return "website"
    if "organi" in m or "expert" in m or "contact" in m or "author" in m:
        return "organisation"
    return "other"


def sources_of(protocol) -> list[SourceInfo]:
    """Every search and other source of protocol.yaml, in protocol order."""
    out = []
    for s in protocol.searches:
        kind = "register" if s.kind == "register" or _REGISTER.search(s.database or "") else "database"
        out.append(SourceInfo(s.name, s.database or s.name, kind))
    for o in protocol.other_sources:
        label = (o.method or o.name).strip()
        out.append(SourceInfo(o.name, label[:1].upper() + label[1:], o.kind or source_kind(o.method or "")))
    return out


def _search_of(key: str) -> str:
    """'pmid:1@scopus' -> 'scopus' ('#2' suffixes for repeated ids dropped)."""
    return key.rpartition("@")[2].split("#")[0]


def state_from_review(root: Path, studies: Mapping[str, str] | None = None) -> ReviewState:
    """The review's state from its files; raises InputError for an unusable protocol or log."""
    from review.dedup_workflow import load_works
    from review.protocol import load_protocol
    from review.screening.agreement import route
    from review.screening.manage import load_context, stage_decisions
    from review.screening.works import RecordSet, work_from_record

    root = Path(root)
    protocol = load_protocol(root)
    sources = sources_of(protocol)
    works = load_works(root)
    record_set = RecordSet([work_from_record(w.id, w.record, tuple(w.merged.member_ids), tuple(w.databases))
                            for w in works], "dedup_workflow", resolver=works.work_of)
    ctx = load_context(root, record_set)
    cfg = ctx.config
    decided: dict[str, dict[str, tuple[str, str]]] = {}
    for stage in cfg.stages:
        standing, resolved, logs = stage_decisions(ctx, stage)
        problems, _ = logs.issues()
        if problems:
            p = problems[0]
            raise InputError(f"{p.message} (fix the screening log before drawing PRISMA)", file=p.file, line=p.line)
        names = sorted(standing)
        out = decided.setdefault(stage, {})
        for w in works:
            ds = [standing[n][w.id] for n in names if w.id in standing[n]]
            res = resolved.get(w.id)
            if not ds and res is None:
                continue
            outcome = route(ds, cfg.to_full_text, cfg.reviewers_per_record, res, stage)
            reason = (res or (ds[0] if ds else None)).reason if (res or ds) else ""
            out[w.id] = (outcome, cfg.reason_label(reason) if reason else "")
    if studies is None and (root / "records" / "extraction" / "_studies.csv").is_file():
        from review.extraction.studies import study_map  # the study grouping of `review extract link`

        studies = study_map(root)
    studies = studies or {}
    state_works = []
    for w in works:
        records = tuple((key, _search_of(key)) for key in w.members)
        if "title-abstract" in cfg.stages:
            ta_raw = decided["title-abstract"].get(w.id, (None, ""))[0]
            ta = TA_OUTCOME.get(ta_raw, ta_raw) if ta_raw else None
        else:
            ta = "include"  # no title-abstract stage: every work goes to full text
        ft_raw, reason = decided.get("full-text", {}).get(w.id, (None, ""))
        ft = FT_OUTCOME.get(ft_raw, ft_raw) if ft_raw else None
        state_works.append(Work(w.id, records, title_abstract=ta, full_text=ft,
                                reason=reason if ft == "exclude" else "", study=studies.get(w.id, "")))
    prev = protocol.previous or {}
    return ReviewState(sources, state_works, prev.get("studies"), prev.get("reports"))
