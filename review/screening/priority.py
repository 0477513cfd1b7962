"""Screening order for `review screen`: file, random, or priority (ranked by relevance).

Priority order re-ranks the reviewer's undecided records with `rank.Ranker`,
trained on that reviewer's own decisions at that stage only (blinding: nothing
here reads another reviewer's log). Training runs in a background thread
(`RankWorker`); the screen never waits for it and uses the last finished
ranking, applied right after a decision so the record on screen never changes
under the reviewer's eyes. Until the reviewer has at least one relevant and
one irrelevant decision there is nothing to learn from and the order stays as
in the file.

Relevant = include or maybe, irrelevant = exclude; "not retrieved" is neither.
The stopping verdict (`stopping.verdict`) is computed from the same labels in
the order decided.
"""

from __future__ import annotations

import random
import threading
from typing import Any, Callable, Mapping, Sequence

ORDERS = ("priority", "random", "file")
RELEVANT = ("include", "maybe")
IRRELEVANT = ("exclude",)


def parse_order(value: str | None) -> str:
    """The order named on the command line or in protocol.yaml (default priority)."""
    from review.errors import InputError

    if value is None or value == "":
        return "priority"
    v = str(value).strip().lower()
    if v not in ORDERS:
        raise InputError(f"unknown screening order {value!r}; expected one of {', '.join(ORDERS)}",
                         field="screening.order")
    return v


def stopping_settings(screening: Mapping[str, Any] | None) -> tuple[float, float]:
    """(recall target, confidence) from protocol.screening.stopping (defaults 0.95, 0.95)."""
    from review.errors import InputError

    stop = (screening or {}).get("stopping") or {}
    if not isinstance(stop, Mapping):
        raise InputError("screening.stopping must be a mapping with recall and confidence", field="screening.stopping")
    out = []
    for key in ("recall", "confidence"):
        raw = stop.get(key, 0.95)
        try:
            v = float(raw)
        except (TypeError, ValueError):
            v = -1.0
        if v > 1 and v < 100:  # written as a percentage
            v = v / 100
        if not 0 < v < 1 and not (key == "recall" and v == 1):
            raise InputError(f"screening.stopping.{key} must be a share between 0 and 1 (got {raw!r})",
                             field=f"screening.stopping.{key}")
        out.append(v)
    return out[0], out[1]


def random_order(queue: Sequence[str], seed: str) -> list[str]:
    """The queue shuffled with a seed (the same reviewer and stage get the same order)."""
    out = list(queue)
    random.Random(seed).shuffle(out)
    return out


def labels_in_order(state) -> list[tuple[str, int]]:
    """(record id, 1 relevant / 0 irrelevant) for the state's standing decisions in the order made."""
    out = []
    queued = state._index
    for rid, d in state.decisions.items():
        if rid not in queued:
            continue
        if d.decision in RELEVANT:
            out.append((rid, 1))
        elif d.decision in IRRELEVANT:
            out.append((rid, 0))
    return out


def can_rank(labels: Sequence[tuple[str, int]]) -> bool:
    ys = {y for _, y in labels}
    return ys == {0, 1}


def ranked_ids(ranker, texts: Mapping[str, str], labels: Sequence[tuple[str, int]],
               undecided: Sequence[str]) -> list[str]:
    """`undecided` ids, most likely relevant first, by a ranker trained on `labels` (pure)."""
    if not undecided:
        return []
    ranker.fit([texts[r] for r, _ in labels], [y for _, y in labels])
    order = ranker.rank([texts[r] for r in undecided])
    return [undecided[i] for i in order]


def reorder(state, ranked: Sequence[str]) -> bool:
    """Put the state's undecided records in `ranked` order after its decided ones.

    Decided records keep their relative order (so "back" walks back through
    them); undecided ones missing from `ranked` (e.g. decided-then-undone since
    the ranking started) follow in their current order. The cursor goes to the
    first undecided record. Returns False (and changes nothing) when the record
    on screen is a decided one (the reviewer went back to look at it).
    """
    if state.current is not None and state.current in state.decisions:
        return False
    decided = [r for r in state.queue if r in state.decisions]
    undecided = set(state.queue) - set(decided)
    head = [r for r in ranked if r in undecided]
    seen = set(head)
    tail = [r for r in state.queue if r in undecided and r not in seen]
    state.queue[:] = decided + head + tail
    state._index = {rid: i for i, rid in enumerate(state.queue)}
    state.position = len(decided) if len(decided) < len(state.queue) else None
    return True


class RankWorker:
    """Retrains a ranker in a daemon thread; `submit` never blocks, `latest` returns the newest result.

    Requests coalesce: while one training runs, only the most recent request
    waits, so retraining happens as often as the machine allows ("every few
    decisions") without a backlog.
    """

    def __init__(self, texts: Mapping[str, str], seed: int = 0, make_ranker: Callable[..., Any] | None = None):
        self.texts = dict(texts)
        self.seed = seed
        self._make = make_ranker
        self._ranker = None
        self._cond = threading.Condition()
        self._pending: tuple[int, list, list] | None = None
        self._result: tuple[int, list[str]] | None = None
        self._busy = False
        self._version = 0
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="review-rank", daemon=True)
        self._thread.start()

    def submit(self, labels: Sequence[tuple[str, int]], undecided: Sequence[str]) -> int:
        """Ask for a ranking of `undecided` trained on `labels`; returns the request's version."""
        with self._cond:
            self._version += 1
            self._pending = (self._version, list(labels), list(undecided))
            self._cond.notify_all()
            return self._version

    def latest(self) -> tuple[int, list[str]] | None:
        """(version, ranked ids) of the newest finished ranking, or None."""
        with self._cond:
            return self._result

    def wait(self, version: int, timeout: float) -> bool:
        """Block until the ranking of `version` (or a newer one) is finished; for start-up and tests."""
        with self._cond:
            return self._cond.wait_for(lambda: (self._result is not None and self._result[0] >= version)
                                       or self.error is not None, timeout)

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None)
                version, labels, undecided = self._pending
                self._pending = None
            try:
                if self._ranker is None:
                    if self._make is not None:
                        self._ranker = self._make()
                    else:
                        from review.screening.rank import Ranker

                        self._ranker = Ranker(corpus=list(self.texts.values()), seed=self.seed)
                ranked = ranked_ids(self._ranker, self.texts, labels, undecided)
            except Exception as err:  # noqa: BLE001 - shown on screen; the order stays as it was
                with self._cond:
                    self.error = err
                    self._cond.notify_all()
                continue
            with self._cond:
                self._result = (version, ranked)
                self._cond.notify_all()


class Ordering:
    """What the controller needs: when to ask for a ranking and when to apply one."""

    def __init__(self, order: str, worker: RankWorker | None = None):
        self.order = order
        self.worker = worker
        self.applied = 0  # version of the ranking in use (0: none, file order)
        self.requested = 0

    @property
    def active(self) -> bool:
        return self.order == "priority" and self.worker is not None

    def request(self, state) -> None:
        """Ask the worker for a fresh ranking when the reviewer's labels allow one (never blocks)."""
        if not self.active:
            return
        labels = labels_in_order(state)
        if not can_rank(labels):
            return
        undecided = [r for r in state.queue if r not in state.decisions]
        self.requested = self.worker.submit(labels, undecided)

    def apply(self, state) -> bool:
        """Use the newest finished ranking, if newer than the one in use; True if the queue changed."""
        if not self.active:
            return False
        got = self.worker.latest()
        if got is None or got[0] <= self.applied:
            return False
        if reorder(state, got[1]):
            self.applied = got[0]
            return True
        return False

    def label(self) -> str:
        if self.order != "priority":
            return self.order + " order"
        if self.worker is not None and self.worker.error is not None:
            return "file order (ranking failed)"
        return "priority order" if self.applied else "file order until ranked"


def stopping_verdict(state, recall: float = 0.95, confidence: float = 0.95):
    """`stopping.verdict` for the reviewer's decisions at this stage, in the order made."""
    return decisions_verdict(state.queue, state.decisions, recall, confidence)


def decisions_verdict(queue: Sequence[str], decisions: Mapping[str, Any], recall: float = 0.95,
                      confidence: float = 0.95):
    """`stopping.verdict` from one reviewer's standing decisions (record id -> Decision, in the
    order made) over a stage's queue.

    The set is the queue's records decided relevant or irrelevant plus those
    undecided ("not retrieved" counts as neither). Without a random sample the
    ranked quasi-sampling test is used (see `stopping`).
    """
    from review.screening.stopping import verdict

    queued = set(queue)
    labels = [1 if d.decision in RELEVANT else 0 for rid, d in decisions.items()
              if rid in queued and d.decision in RELEVANT + IRRELEVANT]
    undecided = sum(1 for r in queue if r not in decisions)
    return verdict(labels, len(labels) + undecided, recall, confidence)


def stopping_text(v, streak: int | None = None) -> str:
    """One short line for the screen: the verdict, relevant records left, and the streak
    (parts separated by " · ", which the screen may wrap on). `streak` overrides the verdict's."""
    rule = f"stopping rule ({v.recall_target:.0%} recall)"
    head = f"{rule}: safe to stop, p={v.p_value:.3f}" if v.stop else f"{rule}: keep screening, p={v.p_value:.2f}"
    streak = v.streak if streak is None else streak
    return (f"{head} · ~{v.estimated_remaining:.0f} relevant left (≤{v.upper_remaining})"
            f" · {streak} irrelevant in a row since the last relevant")


SYNC_RELEVANT = 100  # up to this many relevant decisions the verdict takes a few ms: computed at once


class StoppingLine:
    """The stopping line, kept current without blocking the screen.

    The test costs about (relevant found)^2 steps: 4 ms with 100 relevant, 30 ms
    with 300, 120 ms with 600. Up to `SYNC_RELEVANT` it is computed at once;
    past that in a daemon thread, and the screen shows the last finished verdict
    with the current "irrelevant in a row" count.
    """

    def __init__(self, recall: float = 0.95, confidence: float = 0.95):
        self.recall, self.confidence = recall, confidence
        self._cond = threading.Condition()
        self._job: tuple[list[str], dict] | None = None
        self._done = None
        self.finished = 0  # verdicts computed in the background so far
        self._thread: threading.Thread | None = None

    def text(self, state) -> str:
        from review.screening.stopping import irrelevant_streak

        labels = labels_in_order(state)
        streak = irrelevant_streak([y for _, y in labels])
        if sum(y for _, y in labels) <= SYNC_RELEVANT:
            v = stopping_verdict(state, self.recall, self.confidence)
            with self._cond:
                self._done = v
            return stopping_text(v)
        with self._cond:
            self._job = (list(state.queue), dict(state.decisions))
            self._cond.notify_all()
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="review-stopping", daemon=True)
                self._thread.start()
            done = self._done
        if done is None:
            return f"stopping rule ({self.recall:.0%} recall): computing… · {streak} irrelevant in a row since the last relevant"
        return stopping_text(done, streak)

    def last_text(self, state) -> str:
        """The last finished verdict with the current streak, computing nothing."""
        from review.screening.stopping import irrelevant_streak

        with self._cond:
            done = self._done
        if done is None:
            return ""
        return stopping_text(done, irrelevant_streak([y for _, y in labels_in_order(state)]))

    def wait(self, timeout: float) -> bool:
        """Until no verdict is being computed (tests)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._job is None, timeout)

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._job is not None)
                queue, decisions = self._job
            v = decisions_verdict(queue, decisions, self.recall, self.confidence)
            with self._cond:
                self._done = v
                self.finished += 1
                if self._job is not None and self._job[0] is queue:
                    self._job = None
                self._cond.notify_all()
