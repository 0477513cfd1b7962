"""The screening state machine for one reviewer at one stage: pure, no files, no terminal.

`ScreeningState` holds the queue (record ids in the order given), the record
on screen, the reviewer's own standing decisions and the undo stack. Each
action that changes a decision returns the `Decision` line to append to the
reviewer's log; `Session` is the thin "apply" that appends it durably before
the state moves on. Replaying a log through the same transitions rebuilds
the state, so resuming is reading the file.

Blinded: a state is built from one reviewer's own log only; nothing here
reads another reviewer's decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

from review.errors import InputError
from review.screening.decisions import (
    UNDO,
    Decision,
    LogRead,
    ScreeningConfig,
    append_entry,
    check_decision,
    log_path,
    now,
    read_log,
)


@dataclass(frozen=True)
class Progress:
    done: int
    left: int

    @property
    def total(self) -> int:
        return self.done + self.left


@dataclass
class ScreeningState:
    """Queue, cursor, decisions and undo stack for one reviewer and stage."""

    stage: str
    queue: list[str]
    config: ScreeningConfig = field(default_factory=ScreeningConfig)
    decisions: dict[str, Decision] = field(default_factory=dict)
    stack: list[tuple[str, Decision | None]] = field(default_factory=list)
    # index into queue of the record on screen; None when every record is decided
    position: int | None = field(default=None, init=False)
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if len(set(self.queue)) != len(self.queue):
            raise ValueError("the queue holds a record id twice")
        self._index = {rid: i for i, rid in enumerate(self.queue)}
        self.position = self._next_undecided(-1)

    # ---- building -----------------------------------------------------------
    @classmethod
    def replay(cls, stage: str, queue: Sequence[str], entries: Iterable[Decision],
               config: ScreeningConfig | None = None) -> "ScreeningState":
        """The state after the given log lines: resume is replaying the file."""
        state = cls(stage, list(queue), config or ScreeningConfig())
        for e in entries:
            state._apply(e)
        return state

    # ---- reading ------------------------------------------------------------
    @property
    def current(self) -> str | None:
        """The record on screen, or None when every record in the queue is decided."""
        return None if self.position is None else self.queue[self.position]

    def decision(self, record_id: str) -> Decision | None:
        return self.decisions.get(record_id)

    def progress(self) -> Progress:
        done = sum(1 for rid in self.queue if rid in self.decisions)
        return Progress(done, len(self.queue) - done)

    def can_undo(self) -> bool:
        return bool(self.stack)

    # ---- actions ------------------------------------------------------------
    def make_decision(self, decision: str, reason: str = "", note: str = "", time: str = "") -> Decision:
        """The line that deciding the record on screen would write; checks it, changes nothing."""
        rid = self.current
        if rid is None:
            raise InputError("every record in this stage is decided; nothing is on screen")
        if decision == UNDO:
            raise ValueError("use undo() to take a decision back")
        why = check_decision(self.stage, decision, reason, self.config)
        if why:
            raise InputError(why, field="decision")
        return Decision(rid, decision, reason, note, time)

    def make_note(self, text: str, time: str = "") -> Decision:
        """The line re-recording the on-screen record's decision with a note (the UI's note key
        normally collects the note before the decision instead)."""
        rid = self.current
        prev = self.decisions.get(rid) if rid else None
        if prev is None:
            raise InputError("decide the record first, or give the note with the decision")
        return Decision(rid, prev.decision, prev.reason, text, time)

    def make_undo(self, time: str = "") -> Decision | None:
        """The ``undo`` line for the latest standing decision, or None when there is none."""
        return Decision(self.stack[-1][0], UNDO, time=time) if self.stack else None

    def decide(self, decision: str, reason: str = "", note: str = "", time: str = "") -> Decision:
        """Decide the record on screen and move to the next undecided; returns the line to append."""
        entry = self.make_decision(decision, reason, note, time)
        self._apply(entry)
        return entry

    def note(self, text: str, time: str = "") -> Decision:
        entry = self.make_note(text, time)
        self._apply(entry)
        return entry

    def undo(self, time: str = "") -> Decision | None:
        """Take back the latest standing decision; its record comes back on screen.

        Repeatable: each call takes back one more. Returns the ``undo`` line to
        append, or None when there is nothing left to undo.
        """
        entry = self.make_undo(time)
        if entry is not None:
            self._apply(entry)
        return entry

    def skip(self) -> str | None:
        """Leave the record on screen undecided and show the next undecided one."""
        if self.position is not None:
            nxt = self._next_undecided(self.position, exclude_self=True)
            self.position = nxt if nxt is not None else self.position
        return self.current

    def back(self) -> str | None:
        """Show the record before this one in the queue (decided or not), to revisit it."""
        if self.position is None:
            self.position = len(self.queue) - 1 if self.queue else None
        elif self.position > 0:
            self.position -= 1
        return self.current

    def goto(self, record_id: str) -> None:
        if record_id not in self._index:
            raise InputError(f"record {record_id!r} is not in this stage's queue")
        self.position = self._index[record_id]

    # ---- transitions shared by live actions and replay -------------------------
    def _apply(self, e: Decision) -> None:
        if e.decision == UNDO:
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i][0] == e.record_id:
                    _, before = self.stack.pop(i)
                    if before is None:
                        self.decisions.pop(e.record_id, None)
                    else:
                        self.decisions[e.record_id] = before
                    break
            if e.record_id in self._index:
                self.position = self._index[e.record_id]
            return
        self.stack.append((e.record_id, self.decisions.get(e.record_id)))
        self.decisions[e.record_id] = e
        start = self._index.get(e.record_id, -1)
        self.position = self._next_undecided(start)

    def _next_undecided(self, start: int, exclude_self: bool = False) -> int | None:
        """The first undecided record after `start`, wrapping round to earlier skipped ones."""
        n = len(self.queue)
        for step in range(1, n + 1):
            i = (start + step) % n
            if exclude_self and i == start:
                continue
            if self.queue[i] not in self.decisions:
                return i
        return None


class Session:
    """A state bound to the reviewer's log: every decision is on disk before the state moves.

    The caller holds the lock (`review.workspace.exclusive_lock` on
    `decisions.lock_path`) for as long as the session is open. ``known_ids``
    (default: the queue) are the ids a log line may name; the CLI should pass
    every record id of the library, so that a record leaving the queue keeps
    its decision instead of becoming an "unknown record id" problem.
    Problems and warnings from reading the log are in ``self.read``; ``display``
    turns the log's path into the name used in them (e.g. protocol.display_path).
    ``translate`` maps a logged record id to the queue's id (a member's id to its
    work's id, after a merge changed which id names the work).
    """

    def __init__(self, root: Path, stage: str, reviewer: str, queue: Sequence[str],
                 config: ScreeningConfig | None = None, known_ids: Iterable[str] | None = None,
                 clock: Callable[[], str] = now, display: Callable[[Path], str] | None = None,
                 translate: Callable[[str], str | None] | None = None):
        self.path = log_path(root, stage, reviewer)
        self.clock = clock
        cfg = config or ScreeningConfig()
        self.read: LogRead = read_log(self.path, stage, cfg, known_ids=known_ids if known_ids is not None else queue,
                                      display=display(self.path) if display else None)
        entries = self.read.entries
        if translate is not None:  # a line naming a record that is now part of a work counts for the work
            entries = [replace(e, record_id=translate(e.record_id) or e.record_id) for e in entries]
        self.state = ScreeningState.replay(stage, queue, entries, cfg)

    def decide(self, decision: str, reason: str = "", note: str = "") -> Decision:
        return self._commit(self.state.make_decision(decision, reason, note, self.clock()))

    def note(self, text: str) -> Decision:
        return self._commit(self.state.make_note(text, self.clock()))

    def undo(self) -> Decision | None:
        entry = self.state.make_undo(self.clock())
        return None if entry is None else self._commit(entry)

    def _commit(self, entry: Decision) -> Decision:
        """On disk (fsynced) first, then the state moves: a crash loses nothing confirmed."""
        append_entry(self.path, entry)
        self.state._apply(entry)
        return entry

    def skip(self) -> str | None:
        return self.state.skip()

    def back(self) -> str | None:
        return self.state.back()
