"""Screening decisions: the vocabulary, the protocol's rules, and the append-only log.

Each reviewer has one file per stage, ``records/screening/<stage>/<reviewer>.csv``::

    record_id,decision,reason,note,time
    pmid:101,include,,,2026-11-21T12:00:00Z
    pmid:102,exclude,2,adults only,2026-11-21T12:00:05Z
    pmid:102,undo,,,2026-11-21T12:00:09Z

* One confirmed decision is one line, appended, flushed and fsynced
  (`review.workspace.append_line`) before the next record is shown. The file
  is never rewritten; the header is written together with the first line.
* ``decision`` is ``include``, ``exclude`` or ``maybe``; at full text also
  ``not_retrieved`` (PRISMA counts reports not retrieved). ``reason`` is a
  reason key from protocol.yaml (required for an exclusion at full text).
* ``undo`` withdraws the reviewer's latest standing decision on that record:
  the record goes back to the decision before it, or to undecided. So the rule
  is "the last line for a record wins, and an ``undo`` line takes back the one
  it undoes". Undoing never edits earlier lines.
* Resolutions of conflicts go to ``records/screening/<stage>/_resolved.csv``
  with the same columns plus ``by``: who resolved it (a third reviewer, or
  ``alice+bob`` when both reviewers agreed together). A resolution is a
  decision like any other, with the same rules. The leading ``_`` cannot
  clash with a reviewer's name (names start with a letter or digit).

Reading never loses what was recorded: a torn last line (no trailing newline,
or the wrong number of fields: a crash or power cut mid-write) is a *warning*
and is skipped; a bad line anywhere else (unknown decision, unknown record id,
a reason key the protocol does not define) is a *problem* naming the file and
line, and every other line is still honoured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from review import logfile
from review.errors import InputError, ProtocolError
from review.logfile import LogIssue, now  # noqa: F401  (both importable from here, as before)

STAGES = ("title-abstract", "full-text")
DECISIONS = {
    "title-abstract": ("include", "exclude", "maybe"),
    "full-text": ("include", "exclude", "maybe", "not_retrieved"),
}
UNDO = "undo"
COLUMNS = ("record_id", "decision", "reason", "note", "time")
RESOLVED_COLUMNS = COLUMNS + ("by",)
RESOLVED_NAME = "_resolved"
SCREENING_DIR = Path("records") / "screening"

# Default single keys; protocol.yaml `screening: keys:` may remap any of them.
DEFAULT_KEYS = {
    "include": "i",
    "exclude": "e",
    "maybe": "m",
    "not_retrieved": "r",
    "note": "n",
    "undo": "u",
    "skip": "s",
    "back": "b",
    "open": "o",
    "help": "?",
    "quit": "q",
}


# ---- the protocol's screening rules ---------------------------------------------

@dataclass(frozen=True)
class Reason:
    """A full-text exclusion reason: the key pressed/written and its label."""

    key: str
    label: str


@dataclass(frozen=True)
class ScreeningConfig:
    """The `screening:` section of protocol.yaml, checked, with defaults."""

    stages: tuple[str, ...] = STAGES
    reviewers_per_record: int = 2
    reasons: tuple[Reason, ...] = ()
    criteria: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    include_keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    to_full_text: Any = "either"  # parsed by review.screening.agreement.parse_rule
    keys: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))

    def reason_keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.reasons)

    def reason_label(self, key: str) -> str:
        return next((r.label for r in self.reasons if r.key == key), key)


def config_problems(section: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Every problem in a `screening:` section, as (key, message) pairs."""
    problems: list[tuple[str, str]] = []
    _parse(section or {}, problems)
    return problems


def parse_config(section: Mapping[str, Any] | None) -> ScreeningConfig:
    """The checked config; raises ProtocolError naming the first problem."""
    problems: list[tuple[str, str]] = []
    cfg = _parse(section or {}, problems)
    if problems:
        key, message = problems[0]
        raise ProtocolError(message, file="protocol.yaml", field=f"screening.{key}")
    return cfg


def _strings(value: Any, key: str, problems: list) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        problems.append((key, f"{key} must be a list of texts"))
        return ()
    return tuple(str(v) for v in value)


def _parse(s: Mapping[str, Any], problems: list) -> ScreeningConfig:
    from review.screening.agreement import parse_rule  # the rule lives with its use

    stages = _strings(s.get("stages"), "stages", problems) or STAGES
    for st in stages:
        if st not in STAGES:
            problems.append(("stages", f"stage {st!r} is not one of {', '.join(STAGES)}"))
    per = s.get("reviewers_per_record", 2)
    if per not in (1, 2) or isinstance(per, bool):
        problems.append(("reviewers_per_record", f"reviewers_per_record must be 1 or 2, not {per!r}"))
        per = 2
    reasons = _reasons(s.get("reasons"), problems)
    criteria: dict[str, tuple[str, ...]] = {}
    crit = s.get("criteria") or {}
    if not isinstance(crit, dict):
        problems.append(("criteria", "criteria must have `include:` and `exclude:` lists"))
    else:
        for k, v in crit.items():
            if k not in ("include", "exclude"):
                problems.append(("criteria", f"unknown key {k!r} in criteria; known keys: include, exclude"))
            criteria[k] = _strings(v, f"criteria.{k}", problems)
    try:
        rule = parse_rule(s.get("to_full_text", "either"))
    except ValueError as err:
        problems.append(("to_full_text", str(err)))
        rule = parse_rule("either")
    keys = _keys(s.get("keys"), reasons, problems)
    return ScreeningConfig(
        stages=tuple(stages),
        reviewers_per_record=per,
        reasons=reasons,
        criteria=criteria,
        include_keywords=_strings(s.get("include_keywords"), "include_keywords", problems),
        exclude_keywords=_strings(s.get("exclude_keywords"), "exclude_keywords", problems),
        to_full_text=rule,
        keys=keys,
    )


def _reasons(value: Any, problems: list) -> tuple[Reason, ...]:
    """Reasons as a list of {key, label}, or a mapping key -> label."""
    if value is None:
        return ()
    items: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and set(item) <= {"key", "label"} and "key" in item:
                items.append((item["key"], item.get("label")))
            else:
                problems.append(("reasons", f"reason {item!r} must be {{key: ..., label: ...}}"))
    else:
        problems.append(("reasons", "reasons must be a list of {key, label}"))
    out: list[Reason] = []
    for key, label in items:
        key = str(key).strip()
        if not key or "," in key or any(ch.isspace() for ch in key):
            problems.append(("reasons", f"reason key {key!r} must be short, without spaces or commas"))
        elif key in {r.key for r in out}:
            problems.append(("reasons", f"reason key {key!r} is defined twice"))
        else:
            out.append(Reason(key, str(label or key)))
    return tuple(out)


def _keys(value: Any, reasons: tuple[Reason, ...], problems: list) -> dict[str, str]:
    keys = dict(DEFAULT_KEYS)
    if value is not None and not isinstance(value, dict):
        problems.append(("keys", "keys must map actions to keys, e.g. {include: y, exclude: x}"))
        value = None
    for action, key in (value or {}).items():
        if action not in DEFAULT_KEYS:
            problems.append(("keys", f"unknown action {action!r}; known: {', '.join(DEFAULT_KEYS)}"))
        elif not isinstance(key, (str, int)) or len(str(key)) != 1:
            problems.append(("keys", f"key for {action} must be one character, not {key!r}"))
        else:
            keys[action] = str(key)
    seen: dict[str, str] = {}
    for action, key in keys.items():
        if key in seen:
            problems.append(("keys", f"key {key!r} is used for both {seen[key]} and {action}"))
        seen[key] = action
    for r in reasons:
        if r.key in seen:
            problems.append(("reasons", f"reason key {r.key!r} is also the key for {seen[r.key]}"))
    return keys


# ---- one line of the log ---------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    """One line of a decision log: a decision, or ``undo`` of the latest one on a record.

    ``by`` is set only in the resolutions file; ``line`` is where it was read (0 if new).
    """

    record_id: str
    decision: str
    reason: str = ""
    note: str = ""
    time: str = ""
    by: str = ""
    line: int = field(default=0, compare=False)  # where it was read; not part of its identity


class LogRead(logfile.LogRead[Decision]):
    """One decision log, read (see `review.logfile.LogRead`)."""

    def standing(self) -> dict[str, Decision]:
        """Each record's decision now: last line wins, ``undo`` takes one back."""
        return fold(self.entries)[0]


def check_decision(stage: str, decision: str, reason: str, config: ScreeningConfig) -> str | None:
    """Why (stage, decision, reason) is not allowed, or None when it is."""
    if stage not in STAGES:
        return f"stage {stage!r} is not one of {', '.join(STAGES)}"
    if decision == UNDO:
        return None
    if decision not in DECISIONS[stage]:
        return f"decision {decision!r} is not one of {', '.join(DECISIONS[stage])} at {stage}"
    if reason and decision != "exclude":
        return f"a reason goes with an exclusion, not with {decision}"
    if reason and reason not in config.reason_keys():
        known = ", ".join(config.reason_keys()) or "none defined"
        return f"reason {reason!r} is not defined in protocol.yaml screening.reasons (known: {known})"
    if stage == "full-text" and decision == "exclude" and not reason and config.reasons:
        return "at full text an exclusion needs a reason key: " + ", ".join(
            f"{r.key} {r.label}" for r in config.reasons
        )
    return None


def fold(entries: Iterable[Decision]) -> tuple[dict[str, Decision], list[tuple[str, Decision | None]]]:
    """Replay a log: the standing decision per record and the undo stack.

    The stack holds (record id, decision before) for every decision not yet
    undone, oldest first. An ``undo`` line for a record takes back that
    record's latest entry on the stack (normally the top one).
    """
    standing: dict[str, Decision] = {}
    stack: list[tuple[str, Decision | None]] = []
    for e in entries:
        if e.decision == UNDO:
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == e.record_id:
                    _, before = stack.pop(i)
                    if before is None:
                        standing.pop(e.record_id, None)
                    else:
                        standing[e.record_id] = before
                    break
        else:
            stack.append((e.record_id, standing.get(e.record_id)))
            standing[e.record_id] = e
    return standing, stack


# ---- files -----------------------------------------------------------------------

def log_path(root: Path, stage: str, reviewer: str) -> Path:
    """records/screening/<stage>/<reviewer>.csv (reviewer ``_resolved`` for resolutions)."""
    if stage not in STAGES:
        raise InputError(f"stage {stage!r} is not one of {', '.join(STAGES)}")
    return Path(root) / SCREENING_DIR / stage / f"{reviewer}.csv"


def resolved_path(root: Path, stage: str) -> Path:
    return log_path(root, stage, RESOLVED_NAME)


def lock_path(root: Path, stage: str, reviewer: str) -> Path:
    """The lock a screening session holds (for review.workspace.exclusive_lock)."""
    return Path(root) / SCREENING_DIR / stage / f".{reviewer}.lock"


def format_line(entry: Decision, resolved: bool = False) -> str:
    """One CSV line, newline-terminated; notes are folded onto one line."""
    note = " ".join(entry.note.split())
    row = [entry.record_id, entry.decision, entry.reason, note, entry.time]
    if resolved:
        row.append(entry.by)
    return logfile.csv_line(row)


def append_entry(path: Path, entry: Decision, resolved: bool | None = None) -> None:
    """Append one line durably (flushed and fsynced before returning).

    A new or empty file gets the header in the same write. If the file ends in a
    torn line (no newline), a newline is written first so the torn piece stays a
    line of its own (reported on reading) and never glues onto this decision.
    """
    path = Path(path)
    if resolved is None:
        resolved = path.stem == RESOLVED_NAME
    if resolved and not entry.by:
        raise InputError("a resolution must say who made it (by)", file=str(path))
    logfile.append(path, [format_line(entry, resolved)], RESOLVED_COLUMNS if resolved else COLUMNS)


def read_log(
    path: Path,
    stage: str,
    config: ScreeningConfig,
    known_ids: Iterable[str] | None = None,
    display: str | None = None,
) -> LogRead:
    """Read one decision log; bad lines become problems or warnings, never exceptions.

    ``known_ids``: the record ids of the review (None skips that check).
    ``display``: the file name to put in messages (default: the path given).
    """
    path = Path(path)
    out = LogRead(display or str(path))
    resolved = path.stem == RESOLVED_NAME
    known = set(known_ids) if known_ids is not None else None
    undoable: dict[str, int] = {}  # record -> decisions not yet undone, to spot stray undo lines
    for row in logfile.rows(out, logfile.read_bytes(path), RESOLVED_COLUMNS if resolved else COLUMNS):
        f = row.fields
        entry = Decision(*f[:5], by=f[5] if resolved else "", line=row.line)
        bad = _line_problem(entry, stage, config, known, resolved)
        if bad:
            out.problem(row.line, bad[0], field=bad[1], record_id=entry.record_id)
            continue
        if entry.decision == UNDO:
            if not undoable.get(entry.record_id):
                out.problem(row.line, f"undo of {entry.record_id!r}, which has no decision to undo",
                            field="decision", record_id=entry.record_id)
                continue
            undoable[entry.record_id] -= 1
        else:
            undoable[entry.record_id] = undoable.get(entry.record_id, 0) + 1
        out.entries.append(entry)
    return out


@dataclass
class StageLogs:
    """Every log of one stage, read: each reviewer's own, and the resolutions."""

    reviewers: dict[str, LogRead]
    resolved: LogRead

    def standing(self) -> dict[str, dict[str, Decision]]:
        return {name: read.standing() for name, read in self.reviewers.items()}

    def issues(self) -> tuple[list[LogIssue], list[LogIssue]]:
        """(problems, warnings) over all the files, in file order."""
        reads = [*self.reviewers.values(), self.resolved]
        return [p for r in reads for p in r.problems], [w for r in reads for w in r.warnings]


def read_stage(root: Path, stage: str, config: ScreeningConfig,
               known_ids: Iterable[str] | None = None, display=None) -> StageLogs:
    """Read every ``<reviewer>.csv`` and ``_resolved.csv`` of a stage (for status and conflicts).

    ``display`` turns a path into the name shown in messages (e.g. protocol.display_path).
    Not for the screening screen itself: that reads only the reviewer's own file (blinded).
    """
    folder = Path(root) / SCREENING_DIR / stage
    known = list(known_ids) if known_ids is not None else None
    show = display or str
    reviewers = {}
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        if path.stem != RESOLVED_NAME:
            reviewers[path.stem] = read_log(path, stage, config, known, show(path))
    res = resolved_path(root, stage)
    return StageLogs(reviewers, read_log(res, stage, config, known, show(res)))


def _line_problem(e: Decision, stage: str, config: ScreeningConfig, known: set[str] | None,
                  resolved: bool) -> tuple[str, str] | None:
    """(why, column) when a line cannot be honoured, else None."""
    if not e.record_id:
        return "no record id", "record_id"
    if known is not None and e.record_id not in known:
        return f"unknown record id {e.record_id!r}", "record_id"
    if e.decision == UNDO:
        return None
    why = check_decision(stage, e.decision, e.reason, config)
    if why and why.startswith("at full text an exclusion needs"):
        return None  # kept: a missing reason is shown as unreasoned, not dropped
    if why:
        return why, "reason" if why.startswith(("a reason", "reason")) else "decision"
    if resolved and not e.by:
        return "a resolution must say who made it (column by)", "by"
    return None
