"""The terminal UI of `review dedup --review`: a thin layer over `ReviewSession`.

`Controller` turns single keys into answers and writes each answer to the
reviewer's log before the next pair is shown; it needs no terminal, so tests
drive it directly. `render` draws one pair side by side with rich, the
differences highlighted. `run_review` puts the terminal in raw mode (termios)
and always restores it, on q, on Ctrl-C and on a crash.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from review.dedup_workflow import (
    DEDUP_DIR,
    ReviewSession,
    Works,
    append_answer,
    field_rows,
    load_works,
    review_queue,
)

KEYS = {"s": "same", "d": "different", "k": "skip"}
HELP = [
    ("s", "same: the two records are one work (merge them)"),
    ("d", "different: two works (keep apart; on a merged pair, split it)"),
    ("k", "skip: decide later (asked again after the others)"),
    ("u", "undo the last answer and show that pair again"),
    ("q", "quit (every answer is already saved); Ctrl-C too"),
    ("?", "show or hide this help"),
]


@dataclass
class Controller:
    """Keys in, state out. `append(a, b, answer)` must make the answer durable before returning."""

    session: ReviewSession
    append: Callable[[str, str, str], None]
    message: str = ""
    show_help: bool = False
    quit: bool = False
    written: list[tuple[str, str, str]] = field(default_factory=list)

    def key(self, k: str) -> None:
        """Handle one key press."""
        if k in ("q", "Q", "\x03", "\x04"):
            self.quit = True
            return
        if k == "?":
            self.show_help = not self.show_help
            return
        k = k.lower()
        if k in KEYS:
            if self.session.done:
                self.message = "No pair left: u to undo, q to quit."
                return
            n = self.session.pos + 1
            line = self.session.answer(KEYS[k])
            self._write(line)
            self.message = f"Pair {n}: {KEYS[k]} (saved)."
            return
        if k == "u":
            line = self.session.undo()
            if line is None:
                self.message = "Nothing to undo in this session."
                return
            self._write(line)
            self.message = f"Undone: pair {self.session.pos + 1} is back; answer it again."
            return
        self.message = f"Unknown key {k!r}: s same, d different, k skip, u undo, q quit, ? help."

    def _write(self, line: tuple[str, str, str]) -> None:
        self.append(*line)
        self.written.append(line)


# ---- drawing -------------------------------------------------------------------------


def _diff_texts(x: str, y: str):
    """Two rich Texts with the words that differ highlighted (case and punctuation ignored)."""
    from rich.text import Text

    from review.records import fold

    wx, wy = x.split(), y.split()
    fx, fy = [fold(w) for w in wx], [fold(w) for w in wy]
    tx, ty = Text(), Text()
    style = "bold black on yellow"
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, fx, fy, autojunk=False).get_opcodes():
        for words, text, lo, hi in ((wx, tx, i1, i2), (wy, ty, j1, j2)):
            for w in words[lo:hi]:
                if text.plain:
                    text.append(" ")
                text.append(w, style=None if op == "equal" else style)
    return tx, ty


def render(ctrl: Controller, works: Works, rec_of: dict, reviewer: str):
    """The whole screen for the current pair (or the end of the queue)."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    s = ctrl.session
    keys_line = Text.from_markup(
        "[bold]s[/] same   [bold]d[/] different   [bold]k[/] skip   [bold]u[/] undo   [bold]q[/] quit   [bold]?[/] help")
    parts = []
    rp = s.current()
    if rp is None:
        c = s.counts()
        parts.append(Panel(
            f"All {len(s.pairs)} pairs seen. This session: {c['same']} same, {c['different']} different, "
            f"{c['skip']} skipped.\nPress u to undo the last answer, q to quit.",
            title=f"review dedup --review · {reviewer}", title_align="left"))
    else:
        kind = "merged automatically: same work?" if rp.kind == "merged" else "possible duplicate: same work?"
        head = Text(f"Pair {s.pos + 1} of {len(s.pairs)} · {kind} · {rp.reason}")
        a, b = rec_of[rp.a], rec_of[rp.b]
        table = Table(expand=True, show_lines=True)
        table.add_column("", style="bold", no_wrap=True, width=18)
        table.add_column(f"A  {rp.a}", ratio=1)
        table.add_column(f"B  {rp.b}", ratio=1)
        for label, x, y, same in field_rows(a, b):
            if same:
                table.add_row(label, x or "—", y or "—")
            else:
                tx, ty = _diff_texts(x, y)
                table.add_row(Text(label + " ≠", style="bold red"), tx if x else Text("— (missing)", style="red"),
                              ty if y else Text("— (missing)", style="red"))
        parts.append(Panel(Group(head, table), title=f"review dedup --review · {reviewer}", title_align="left"))
    if ctrl.show_help:
        help_table = Table(show_header=False, box=None)
        for k, what in HELP:
            help_table.add_row(f"[bold]{k}[/]", what)
        parts.append(Panel(help_table, title="keys", title_align="left"))
    parts.append(keys_line)
    if ctrl.message:
        parts.append(Text(ctrl.message, style="green"))
    return Group(*parts)


# ---- the terminal ------------------------------------------------------------------------


@contextlib.contextmanager
def raw_terminal(fd: int):
    """Raw mode for single keys (no echo, no line editing, Ctrl-C as a key), output still
    translated so rich can draw; the old mode comes back however the block ends."""
    import termios
    import tty

    old = termios.tcgetattr(fd)
    handlers = {}

    def _restore_and_exit(signum, frame):
        raise SystemExit(128 + signum)

    try:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            handlers[sig] = signal.signal(sig, _restore_and_exit)
        tty.setraw(fd, termios.TCSANOW)
        attrs = termios.tcgetattr(fd)
        attrs[1] |= termios.OPOST | termios.ONLCR
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
        for sig, h in handlers.items():
            signal.signal(sig, h)


def read_key(fd: int) -> str:
    """One key press; escape sequences (arrows) come back whole and are ignored by the controller."""
    import select

    data = os.read(fd, 1)
    if not data:
        return "\x04"
    if data == b"\x1b":
        while select.select([fd], [], [], 0.02)[0]:
            more = os.read(fd, 8)
            if not more:
                break
            data += more
    return data.decode("utf-8", errors="replace")


def run_review(root: Path, reviewer: str, merged: bool = False) -> str:
    """Show the pairs one by one until q; returns the line to print afterwards."""
    import sys

    from rich.console import Console

    from review.workspace import exclusive_lock

    root = Path(root)
    with exclusive_lock(root / DEDUP_DIR / f".{reviewer}.lock", f"review dedup --review for {reviewer}"):
        works = load_works(root)
        queue = review_queue(works, reviewer, merged)
        what = "automatic merges" if merged else "possible-duplicate pairs"
        if not queue:
            return f"No {what} waiting for a person."
        previous = {p: e.answer for p, e in works.answers.items() if e.reviewer == reviewer}
        group = {k: works.work_of(k) or k for k in works.keys}
        ctrl = Controller(ReviewSession(queue, previous, group),
                          lambda a, b, ans: append_answer(root, reviewer, a, b, ans))
        rec_of = dict(zip(works.keys, works.records))
        console = Console(highlight=False)
        fd = sys.stdin.fileno()
        with raw_terminal(fd), console.screen(hide_cursor=True) as screen:
            while not ctrl.quit:
                with contextlib.suppress(OSError):  # the real size, even if $COLUMNS/$LINES say otherwise
                    console.size = os.get_terminal_size(sys.stdout.fileno())
                screen.update(render(ctrl, works, rec_of, reviewer))
                ctrl.key(read_key(fd))
    c = ctrl.session.counts()
    left = len(queue) - ctrl.session.pos
    return (f"Saved to {DEDUP_DIR.as_posix()}/{reviewer}.csv: {c['same']} same, {c['different']} different, "
            f"{c['skip']} skipped; {left} of {len(queue)} {what} left. Run `review dedup` to apply.")
