"""`review screen`: the full-screen screening UI, a thin skin over `state.Session`.

`Controller` turns key presses into session actions and fills a `view.View`;
it needs no terminal, so tests drive it with a list of keys. `run_terminal`
reads single keys in raw mode (termios/tty), draws only when something
changed, and always gives the terminal back as it found it: on quit, on
Ctrl-C (a key in raw mode), on SIGTERM/SIGHUP and on any exception.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterable

from review.errors import InputError
from review.screening.decisions import ScreeningConfig
from review.screening.highlight import Highlighter
from review.screening.keys import Keymap
from review.screening.state import Session
from review.screening.view import View, render
from review.screening.works import RecordSet, fulltext_path

ALT_ON, ALT_OFF = "\x1b[?1049h", "\x1b[?1049l"
HIDE, SHOW = "\x1b[?25l", "\x1b[?25h"
ESCAPES = {b"[A": "up", b"[B": "down", b"[5~": "pgup", b"[6~": "pgdn", b"OA": "up", b"OB": "down"}


class Controller:
    """Key presses in, session actions out; keeps the `View` up to date."""

    def __init__(self, session: Session, records: RecordSet, root: Path, reviewer: str,
                 config: ScreeningConfig, opener: Callable[[Path], None] | None = None,
                 others: dict | None = None, ordering=None, stopping: tuple[float, float] | None = None):
        from review.screening.priority import Ordering

        self.session = session
        self.records = records
        self.root = Path(root)
        self.config = config
        self.keymap = Keymap(session.state.stage, config)
        self.opener = opener or open_file
        self.others = others or {}  # resolving: record id -> agreement.Conflict (both reviewers' decisions)
        self.view = View(session.state.stage, reviewer, config, self.keymap,
                         Highlighter(config.include_keywords, config.exclude_keywords))
        self.quit = False
        self.ordering = ordering or Ordering("file")
        from review.screening.priority import StoppingLine

        # (recall target, confidence); None: no stopping line (resolving conflicts)
        self.stopping = StoppingLine(*stopping) if stopping is not None else None
        self._stopping_seen = 0
        self.ordering.request(session.state)
        issues = [*session.read.problems, *session.read.warnings]
        if issues:
            more = f" (and {len(issues) - 1} more; listed when you quit)" if len(issues) > 1 else ""
            self.say(f"skipped: {issues[0]}{more}", "yellow")
        self.refresh()

    # ---- what is on screen ------------------------------------------------------
    def say(self, message: str, style: str = "") -> None:
        self.view.message, self.view.message_style = message, style

    def refresh(self) -> None:
        st = self.session.state
        v = self.view
        rid = st.current
        if rid != getattr(v.work, "id", None):
            v.scroll = 0
        v.work = self.records.get(rid) if rid else None
        p = st.progress()
        v.done, v.left = p.done, p.left
        v.position = (st.position or 0) + 1
        v.decision = st.decision(rid) if rid else None
        conflict = self.others.get(rid) if rid else None
        v.others = list(conflict.decisions) if conflict is not None else []
        path = fulltext_path(self.root, v.work) if v.work else None
        v.fulltext = _shown_path(path, self.root) if path else None
        v.order = self.ordering.label()
        if self.stopping is not None:
            v.stopping = self.stopping.text(st)

    def tick(self) -> bool:
        """Between keys: take up a stopping verdict finished in the background; True if the screen changed."""
        s = self.stopping
        if s is None or s.finished == self._stopping_seen:
            return False
        self._stopping_seen = s.finished
        text = s.last_text(self.session.state)
        if not text or text == self.view.stopping:
            return False
        self.view.stopping = text
        return True

    # ---- keys --------------------------------------------------------------------
    def feed(self, key: str) -> None:
        """Handle one key press."""
        v = self.view
        if v.mode == "help":
            v.mode = "normal"
            return
        if v.mode == "note":
            self._note_key(key)
            return
        if v.mode == "reason":
            action, arg = self.keymap.lookup(key)
            if action == "reason":
                self._decide("exclude", arg)
            elif key in ("esc", "\x03") or action == "quit":
                self.say("exclusion cancelled")
            else:
                self.say(f"{key!r} is not a reason key; press one of {', '.join(self.config.reason_keys())} or Esc", "red")
                return
            v.mode = "normal"
            return
        action, arg = self.keymap.lookup(key)
        if not action:
            if key not in ("esc",):
                self.say(f"{_show_key(key)} does nothing here; {self.keymap.keys['help']} lists the keys", "yellow")
            return
        getattr(self, f"_do_{action}")(arg)

    def _do_include(self, _arg: str) -> None:
        self._decide("include")

    def _do_maybe(self, _arg: str) -> None:
        self._decide("maybe")

    def _do_not_retrieved(self, _arg: str) -> None:
        self._decide("not_retrieved")

    def _do_exclude(self, _arg: str) -> None:
        if self.session.state.current is None:
            return self._nothing()
        if self.session.state.stage == "full-text" and self.config.reasons:
            self.view.mode = "reason"
            self.say("")
            return
        self._decide("exclude")

    def _do_reason(self, arg: str) -> None:
        self._decide("exclude", arg)

    def _decide(self, decision: str, reason: str = "") -> None:
        rid = self.session.state.current
        if rid is None:
            return self._nothing()
        try:
            self.session.decide(decision, reason, self.view.pending_note)
        except InputError as err:
            self.say(err.message, "red")
            return
        what = decision + (f" ({self.config.reason_label(reason)})" if reason else "")
        self.say(f"saved: {rid} {what}", "green")
        self.ordering.apply(self.session.state)  # the last finished ranking; never waits
        self.ordering.request(self.session.state)
        self.view.pending_note = ""
        self.refresh()

    def _do_note(self, _arg: str) -> None:
        if self.session.state.current is None:
            return self._nothing()
        self.view.mode = "note"
        self.view.note_buffer = self.view.pending_note
        self.say("")

    def _note_key(self, key: str) -> None:
        v = self.view
        if key in ("\r", "\n"):
            v.mode = "normal"
            text = " ".join(v.note_buffer.split())
            st = self.session.state
            if text and st.current and st.decision(st.current) is not None:
                self.session.note(text)  # re-records this decision with the note
                self.say(f"note saved on {st.current}", "green")
                self.refresh()
            else:
                v.pending_note = text
                self.say("the note goes with your decision on this record" if text else "note cleared")
        elif key in ("esc", "\x03"):
            v.mode = "normal"
            self.say("note cancelled")
        elif key in ("\x7f", "\x08"):
            v.note_buffer = v.note_buffer[:-1]
        elif len(key) == 1 and key.isprintable():
            v.note_buffer += key

    def _do_undo(self, _arg: str) -> None:
        entry = self.session.undo()
        if entry is None:
            self.say("nothing to undo", "yellow")
            return
        self.view.pending_note = ""
        self.ordering.request(self.session.state)
        back_to = self.session.state.decision(entry.record_id)
        now_ = f"back to {back_to.decision}" if back_to else "undecided again"
        self.say(f"undone: {entry.record_id} is {now_}", "yellow")
        self.refresh()

    def _do_skip(self, _arg: str) -> None:
        before = self.session.state.current
        self.session.skip()
        self.say(f"skipped {before}; it comes back later" if before and before != self.session.state.current else "no other record is waiting")
        self.view.pending_note = ""
        self.refresh()

    def _do_back(self, _arg: str) -> None:
        self.session.back()
        self.view.pending_note = ""
        self.say("")
        self.refresh()

    def _do_open(self, _arg: str) -> None:
        w = self.view.work
        path = fulltext_path(self.root, w) if w else None
        if path is None:
            self.say("no PDF for this record in records/fulltext/", "yellow")
            return
        try:
            self.opener(path)
        except OSError as err:
            self.say(f"could not open {path}: {err}", "red")
            return
        self.say(f"opened {_shown_path(path, self.root)}")

    def _do_help(self, _arg: str) -> None:
        self.view.mode = "help"

    def _do_quit(self, _arg: str) -> None:
        self.quit = True

    def _do_scroll(self, arg: str) -> None:
        self.view.scroll += 5 * int(arg)

    def _nothing(self) -> None:
        self.say("every record is decided: b goes back, u undoes, q quits", "yellow")


def _show_key(key: str) -> str:
    return repr(key) if len(key) == 1 and not key.isprintable() else f"'{key}'"


def _shown_path(path: Path, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


def open_file(path: Path) -> None:
    """Open a file in the system viewer without waiting and without its output on the screen."""
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    subprocess.Popen([opener, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)


# ---- the terminal --------------------------------------------------------------------

class Terminal:
    """Raw single-key input and whole-screen output on a tty."""

    def __init__(self, fd_in: int = 0, out=None):
        self.fd = fd_in
        self.out = out or sys.stdout
        self._console = None
        self._size = (0, 0)

    def size(self) -> tuple[int, int]:
        try:
            s = os.get_terminal_size(self.out.fileno())
        except (OSError, ValueError):
            return 80, 24
        return s.columns, s.lines

    def read_key(self, timeout: float | None = None) -> str | None:
        """One key: a character, or up/down/pgup/pgdn/esc; None on timeout."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return None
        b = os.read(self.fd, 1)
        if not b:
            raise EOFError
        if b == b"\x1b":
            seq = b""
            while select.select([self.fd], [], [], 0.03)[0] and len(seq) < 6:
                seq += os.read(self.fd, 1)
                if seq[-1:].isalpha() or seq.endswith(b"~"):
                    break
            return ESCAPES.get(seq, "esc")
        if b[0] >= 0xC0:  # the rest of a UTF-8 character
            need = 1 if b[0] < 0xE0 else 2 if b[0] < 0xF0 else 3
            b += os.read(self.fd, need)
        return b.decode("utf-8", errors="replace")

    def draw(self, lines) -> None:
        """Write the whole screen in one go: home, each line cleared to its end."""
        import io

        from rich.console import Console

        width, height = self.size()
        if self._console is None or self._console.width != width:
            self._console = Console(file=io.StringIO(), width=width, force_terminal=True,
                                    color_system=_color_system(), legacy_windows=False, highlight=False)
        c = self._console
        c.file = io.StringIO()
        parts = []
        for line in lines:
            with c.capture() as cap:
                c.print(line, end="", no_wrap=True, overflow="crop", crop=True, soft_wrap=True)
            parts.append(cap.get())
        self.out.write("\x1b[H" + "\x1b[K\r\n".join(parts) + "\x1b[K\x1b[J")
        self.out.flush()


def _color_system() -> str | None:
    if os.environ.get("NO_COLOR"):
        return None
    term = os.environ.get("TERM", "")
    if term in ("dumb", ""):
        return None
    if os.environ.get("COLORTERM") in ("truecolor", "24bit"):
        return "truecolor"
    return "256" if "256" in term else "standard"


def run_terminal(ctl: Controller, term: Terminal | None = None) -> None:
    """The key loop on a real terminal; the terminal is restored whatever happens."""
    import termios
    import tty

    term = term or Terminal()
    fd = term.fd
    saved = termios.tcgetattr(fd)
    old_handlers = {}

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        old_handlers[sig] = signal.signal(sig, stop)
    try:
        tty.setraw(fd)
        term.out.write(ALT_ON + HIDE)
        size = term.size()
        _draw(ctl, term, size)
        while not ctl.quit:
            key = term.read_key(timeout=0.5)
            if key is None:
                if ctl.tick() or term.size() != size:  # a verdict came in, or the window was resized
                    size = term.size()
                    _draw(ctl, term, size)
                continue
            ctl.feed(key)
            if ctl.quit:
                break
            size = term.size()
            _draw(ctl, term, size)
    finally:
        termios.tcsetattr(fd, termios.TCSAFLUSH, saved)
        term.out.write(SHOW + ALT_OFF)
        term.out.flush()
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)


def _draw(ctl: Controller, term: Terminal, size: tuple[int, int]) -> None:
    width, height = size
    term.draw(render(ctl.view, width, height))


def run_keys(ctl: Controller, keys: Iterable[str], width: int = 80, height: int = 24) -> list[str]:
    """Feed keys without a terminal; the plain screen after each key (tests, demos)."""
    from review.screening.view import plain

    screens = []
    for k in keys:
        ctl.feed(k)
        screens.append(plain(render(ctl.view, width, height)))
        if ctl.quit:
            break
    return screens


def open_session(root: Path, stage: str, reviewer: str, config: ScreeningConfig,
                 records: RecordSet | None = None, order: str = "file") -> tuple[Session, RecordSet]:
    """The reviewer's session at a stage: the stage's queue, replayed from their own log.

    ``order="random"`` shuffles the queue (seeded by stage and reviewer); priority
    order starts from the file order and is re-ranked by `priority.Ordering`.
    """
    from review.screening.works import load_record_set, stage_queue

    records = records or load_record_set(root)
    queue = stage_queue(root, stage, records, config)
    if order == "random":
        from review.screening.priority import random_order

        queue = random_order(queue, f"{stage}:{reviewer}")
    from review.protocol import display_path

    session = Session(root, stage, reviewer, queue, config, known_ids=records.known_ids(), display=display_path,
                      translate=records.resolve)
    return session, records


def timed_feed(ctl: Controller, key: str, width: int, height: int) -> float:
    """Seconds from a key press to the next screen rendered (benchmarks)."""
    t = time.perf_counter()
    ctl.feed(key)
    render(ctl.view, width, height)
    return time.perf_counter() - t
