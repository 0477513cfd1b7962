"""Screening across reviewers: status, conflicts, resolutions and export subsets.

Pure functions over the review folder (they read files, never print). The
commands in `review.screening.command` render what these return.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from review.errors import InputError, UsageError
from review.screening.agreement import Conflict, conflicts, route, summarise
from review.screening.decisions import (
    STAGES,
    Decision,
    ScreeningConfig,
    StageLogs,
    append_entry,
    check_decision,
    now,
    parse_config,
    read_stage,
    resolved_path,
)
from review.screening.state import Session
from review.screening.works import RecordSet, load_record_set, stage_queue


@dataclass
class Context:
    """What every screening command needs: the folder, the rules and the works."""

    root: Path
    config: ScreeningConfig
    records: RecordSet
    reviewers: list[str]
    section: dict = field(default_factory=dict)  # protocol.screening as written (order, stopping)


def load_context(root: Path, records: RecordSet | None = None) -> Context:
    from review.protocol import load_protocol

    protocol = load_protocol(root)
    config = parse_config(protocol.screening)
    return Context(Path(root), config, records or load_record_set(root), list(protocol.reviewers),
                   dict(protocol.screening or {}))


def check_stage(stage: str, config: ScreeningConfig) -> str:
    if stage not in STAGES:
        raise UsageError(f"--stage {stage!r}: use one of {', '.join(STAGES)}")
    if stage not in config.stages:
        raise UsageError(f"protocol.yaml screening.stages does not include {stage}")
    return stage


def check_reviewer(name: str, ctx: Context, flag: str = "--reviewer") -> str:
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+-]*", name or ""):
        raise UsageError(f"{flag} {name!r}: a name is letters, digits, '.', '_', '-' or '+', starting with a letter or digit")
    if ctx.reviewers and name not in ctx.reviewers and "+" not in name:
        raise UsageError(f"{flag} {name!r} is not one of the reviewers in protocol.yaml ({', '.join(ctx.reviewers)})")
    return name


def read_logs(ctx: Context, stage: str) -> StageLogs:
    from review.protocol import display_path

    return read_stage(ctx.root, stage, ctx.config, ctx.records.known_ids(), display_path)


def by_work(standing: Mapping[str, Decision], records: RecordSet) -> dict[str, Decision]:
    """Decisions keyed by work id: a line naming a member's id counts for its work (latest time wins)."""
    out: dict[str, Decision] = {}
    for rid, d in standing.items():
        wid = records.resolve(rid) or rid
        if wid in out and out[wid].time > d.time:
            continue
        out[wid] = replace(d, record_id=wid) if wid != rid else d
    return out


def stage_decisions(ctx: Context, stage: str) -> tuple[dict[str, dict[str, Decision]], dict[str, Decision], StageLogs]:
    logs = read_logs(ctx, stage)
    standing = {name: by_work(d, ctx.records) for name, d in logs.standing().items()}
    return standing, by_work(logs.resolved.standing(), ctx.records), logs


# ---- status -------------------------------------------------------------------------

def screening_status(root: Path, records: RecordSet | None = None) -> dict:
    """Per stage: screened by each reviewer, agreement (%, kappa + 95 % CI, PABAK),
    conflicts open and resolved, records waiting, outcomes, and skipped lines.

    For `review status`; every number is plain JSON. A review with no
    `screening:` section still gets the default rules.
    """
    ctx = load_context(root, records)
    out: dict[str, Any] = {"records": len(ctx.records), "record_set": ctx.records.source, "stages": {}}
    for stage in ctx.config.stages:
        queue = stage_queue(ctx.root, stage, ctx.records, ctx.config)
        standing, resolved, logs = stage_decisions(ctx, stage)
        s = summarise(queue, standing, resolved, ctx.config.to_full_text, ctx.config.reviewers_per_record, stage)
        problems, warnings = logs.issues()
        agr = None
        if s.agreement is not None and s.agreement.n:
            a = s.agreement
            agr = {"reviewers": sorted(standing), "n": a.n, "percent": a.percent, "kappa": a.kappa,
                   "ci_low": a.ci_low, "ci_high": a.ci_high, "pabak": a.pabak}
        out["stages"][stage] = {
            "records": len(queue),
            "screened": s.screened,
            "agreement": agr,
            "conflicts_open": s.conflicts_open,
            "conflicts_resolved": s.conflicts_resolved,
            "waiting": s.waiting,
            "outcomes": dict(sorted(s.outcomes.items())),
            "stopping": _stopping(queue, standing, ctx.section),
            "problems": [str(p) for p in problems],
            "warnings": [str(w) for w in warnings],
        }
    return out


def _stopping(queue: list[str], standing: dict, section: dict) -> dict:
    """Each reviewer's stopping verdict at the protocol's recall target (see priority.decisions_verdict)."""
    from review.screening.priority import decisions_verdict, stopping_settings

    recall, confidence = stopping_settings(section)
    out = {}
    for name, decisions in sorted(standing.items()):
        v = decisions_verdict(queue, decisions, recall, confidence)
        out[name] = {"stop": v.stop, "recall_target": recall, "confidence": confidence, "p_value": v.p_value,
                     "method": v.method, "screened": v.screened, "relevant_found": v.relevant_found,
                     "estimated_remaining": v.estimated_remaining, "upper_remaining": v.upper_remaining,
                     "streak": v.streak, "text": v.text}
    return out


def status_lines(info: dict) -> list[str]:
    """`screening_status` as short lines of text (for `review status`)."""
    lines = []
    for stage, s in info["stages"].items():
        who = ", ".join(f"{n} {k}" for n, k in s["screened"].items()) or "nobody yet"
        line = f"{stage}: {s['records']} records; screened by {who}"
        a = s["agreement"]
        if a:
            kappa = "kappa n/a" if a["kappa"] is None else f"kappa {a['kappa']:.2f} (95% CI {a['ci_low']:.2f} to {a['ci_high']:.2f})"
            line += f"; agreement {a['percent']:.1f}%, {kappa}, PABAK {a['pabak']:.2f}"
        line += f"; conflicts open {s['conflicts_open']} (resolved {s['conflicts_resolved']}); waiting {s['waiting']}"
        lines.append(line)
        for name, v in s.get("stopping", {}).items():
            lines.append(f"  stopping rule, {name}: {v['text']}")
        skipped = s["problems"] + s["warnings"]
        for p in skipped[:3]:
            lines.append(f"  skipped: {p}")
        if len(skipped) > 3:
            lines.append(f"  ... {len(skipped) - 3} more skipped lines (`review status --json` lists them)")
    return lines


# ---- conflicts ------------------------------------------------------------------------

def stage_conflicts(ctx: Context, stage: str, include_resolved: bool = False) -> list[Conflict]:
    """The disagreements of a stage among the records in its queue."""
    queue = set(stage_queue(ctx.root, stage, ctx.records, ctx.config))
    standing, resolved, _ = stage_decisions(ctx, stage)
    return [c for c in conflicts(standing, resolved, include_resolved) if c.record_id in queue]


def resolve(ctx: Context, stage: str, record: str, decision: str, by: str, reason: str = "",
            note: str = "", time: str | None = None) -> Decision:
    """Record a resolution (a decision by ``by``) in the stage's _resolved.csv."""
    wid = ctx.records.resolve(record)
    if wid is None:
        raise InputError(f"record {record!r} is not in this review")
    why = check_decision(stage, decision, reason, ctx.config)
    if why:
        raise InputError(why, field="decision")
    entry = Decision(wid, decision, reason, note, time or now(), by=by)
    append_entry(resolved_path(ctx.root, stage), entry, resolved=True)
    return entry


class ResolveSession(Session):
    """A `Session` over the open conflicts whose decisions go to _resolved.csv, signed ``by``."""

    def __init__(self, ctx: Context, stage: str, by: str):
        every = stage_conflicts(ctx, stage, include_resolved=True)
        self.conflicts = {c.record_id: c for c in every}
        from review.protocol import display_path

        super().__init__(ctx.root, stage, "_resolved", [c.record_id for c in every], ctx.config,
                         known_ids=ctx.records.known_ids(), display=display_path,
                         translate=ctx.records.resolve)
        self.by = by

    def _commit(self, entry: Decision) -> Decision:
        return super()._commit(replace(entry, by=self.by))


# ---- export subsets -----------------------------------------------------------------------

EXPORT_DECISIONS = ("included", "excluded", "maybe")


def export_ids(ctx: Context, stage: str, which: str) -> list[str]:
    """Work ids of a stage's outcome: included (title-abstract: sent to full text),
    excluded, or maybe (any reviewer or the resolution said maybe)."""
    if which not in EXPORT_DECISIONS:
        raise UsageError(f"--decision {which!r}: use one of {', '.join(EXPORT_DECISIONS)}")
    queue = stage_queue(ctx.root, stage, ctx.records, ctx.config)
    standing, resolved, _ = stage_decisions(ctx, stage)
    names = sorted(standing)
    out = []
    for rid in queue:
        ds = [standing[n][rid] for n in names if rid in standing[n]]
        if which == "maybe":
            if any(d.decision == "maybe" for d in ds) or (rid in resolved and resolved[rid].decision == "maybe"):
                out.append(rid)
            continue
        o = route(ds, ctx.config.to_full_text, ctx.config.reviewers_per_record, resolved.get(rid), stage)
        if which == "included" and o in ("full-text", "included"):
            out.append(rid)
        elif which == "excluded" and o == "excluded":
            out.append(rid)
    return out
