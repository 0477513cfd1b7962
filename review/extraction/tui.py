"""The terminal form of `review extract --reviewer NAME`: one field at a time.

`FormController` is pure (keys in, screen lines out; it saves through the
``save`` callback it is given), so tests drive it without a terminal;
`run_form` runs it on a tty in raw mode and always restores the terminal.

Keys: type a value and Enter to check and save it (Enter on an empty line keeps
the field as it is and moves on); Backspace edits; Up/Down (or Tab) move
between fields; PgUp/PgDn move between studies; Ctrl-X clears the field;
Esc, Ctrl-C or Ctrl-Q quits. Every saved value is one line of
records/extraction/<reviewer>.csv, so quitting at any moment loses nothing and
the form resumes at the first field still empty.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from review.extraction.form import Form, Problem, check_study, check_value, format_value, parse_value

QUIT_KEYS = ("esc", "\x03", "\x11")
ENTER_KEYS = ("\r", "\n")
BACKSPACE_KEYS = ("\x7f", "\x08")
CLEAR_KEY = "\x18"


@dataclass
class StudyInfo:
    """What the form shows about a study: label, reports, title, abstract, full-text paths."""

    id: str
    label: str
    reports: list[str] = field(default_factory=list)
    title: str = ""
    abstract: str = ""
    fulltext: list[str] = field(default_factory=list)


def typed(form: Form, values: Mapping[str, str]) -> dict[str, object]:
    """Typed values of one study's texts (texts that no longer parse are left out)."""
    out: dict[str, object] = {}
    for key, text in values.items():
        f = form.by_key.get(key)
        if f is None or text == "":
            continue
        try:
            out[key] = parse_value(f, text)
        except ValueError:
            continue
    return out


class FormController:
    """State of the form: which study and field, the line being typed, the last message."""

    def __init__(self, form: Form, studies: list[StudyInfo], values: dict[str, dict[str, str]],
                 save: Callable[[str, str, str], None], reviewer: str = "", start: str | None = None):
        self.form = form
        self.studies = studies
        self.values = values
        self.save = save
        self.reviewer = reviewer
        self.study_i = next((i for i, s in enumerate(studies) if s.id == start), 0) if start else \
            next((i for i, s in enumerate(studies) if self._first_empty(s.id) is not None), 0)
        self.field_i = self._first_empty(self.study.id) or 0
        self.buffer = ""
        self.message: tuple[str, str] = ("", "")
        self.quit = False
        self.saved = 0

    # ---- state ----------------------------------------------------------------------------
    @property
    def study(self) -> StudyInfo:
        return self.studies[self.study_i]

    @property
    def key(self) -> str:
        return self.form.fields[self.field_i].key

    def _first_empty(self, study: str) -> int | None:
        have = self.values.get(study, {})
        return next((i for i, f in enumerate(self.form.fields) if have.get(f.key, "") == ""), None)

    def missing(self, study: str | None = None) -> list[Problem]:
        """What the study still lacks or gets wrong (required fields, incomplete blocks)."""
        sid = study or self.study.id
        return check_study(self.form, sid, typed(self.form, self.values.get(sid, {})), complete=True)

    # ---- keys -----------------------------------------------------------------------------
    def feed(self, key: str) -> None:
        if key in QUIT_KEYS:
            self.quit = True
        elif key in ENTER_KEYS:
            self._enter()
        elif key in BACKSPACE_KEYS:
            self.buffer = self.buffer[:-1]
        elif key == CLEAR_KEY:
            self._store("")
        elif key in ("down", "\t"):
            self._move(1)
        elif key == "up":
            self._move(-1)
        elif key in ("pgdn", "pgup"):
            self.study_i = (self.study_i + (1 if key == "pgdn" else -1)) % len(self.studies)
            self.field_i = self._first_empty(self.study.id) or 0
            self.buffer = ""
            self.message = (f"study {self.study.id}", "")
        elif len(key) == 1 and key.isprintable():
            self.buffer += key

    def _move(self, step: int) -> None:
        self.field_i = (self.field_i + step) % len(self.form.fields)
        self.buffer = ""

    def _enter(self) -> None:
        if self.buffer.strip() == "":
            self.message = ("", "")
            self._move(1)
            return
        self._store(self.buffer)

    def _store(self, text: str) -> None:
        """Check one value (type, range, then the study's consistency) and save it if right."""
        sid, key = self.study.id, self.key
        if text.strip():
            value, problem = check_value(self.form, sid, key, text)
            if problem is not None:
                self.message = (str(problem), "red")
                return
            text = format_value(value)
        current = self.values.get(sid, {})
        before = {str(p) for p in check_study(self.form, sid, typed(self.form, current), complete=False)}
        after = check_study(self.form, sid, typed(self.form, {**current, key: text}), complete=False)
        new = [p for p in after if str(p) not in before]
        if new:
            self.message = (str(new[0]), "red")
            return
        if current.get(key, "") != text:
            self.save(sid, key, text)
            self.values.setdefault(sid, {})[key] = text
            self.saved += 1
        self.message = (f"saved {key} = {text or '(not given)'}", "green")
        self.buffer = ""
        self._move(1)

    # ---- screen ---------------------------------------------------------------------------
    def lines(self, width: int = 80, height: int = 24) -> list[tuple[str, str]]:
        """The screen as (text, style) lines."""
        s, f = self.study, self.form.fields[self.field_i]
        have = self.values.get(s.id, {})
        done = sum(1 for x in self.form.fields if have.get(x.key, "") != "")
        out = [(f"Extraction · {self.reviewer} · study {self.study_i + 1}/{len(self.studies)}: "
                f"{s.label} [{s.id}] · {done}/{len(self.form.fields)} fields", "bold")]
        out.append((f"Reports: {'; '.join(s.reports) or '-'}", "dim"))
        for t in textwrap.wrap(f"Title: {s.title}", width)[:2]:
            out.append((t, ""))
        out += [(t, "dim") for t in textwrap.wrap(f"Abstract: {s.abstract or '(none)'}", width)[:4]]
        out.append((f"Full text: {'; '.join(s.fulltext) or 'no PDF in records/fulltext/'}", ""))
        out.append(("", ""))
        ctx = max(3, (height - 18) // 2)
        lo = max(0, self.field_i - ctx)
        for i in range(lo, min(len(self.form.fields), self.field_i + ctx + 1)):
            x = self.form.fields[i]
            mark = ">" if i == self.field_i else " "
            req = "*" if x.required else " "
            shown = have.get(x.key, "")
            out.append((f"{mark}{req}{x.key:<34} {shown}"[:width], "reverse" if i == self.field_i else ""))
        out.append(("", ""))
        out.append((f"{f.label}: {f.describe()}"[:width], "cyan"))
        out.append((f"value> {self.buffer}_", "bold"))
        msg = textwrap.wrap(self.message[0], width)[:2] or [""]
        out += [(m, self.message[1]) for m in msg]
        miss = self.missing()
        summary = f"Missing or incomplete: {len(miss)}" + (f" (first: {miss[0].field})" if miss else " - study complete")
        out.append((summary[:width], "yellow" if miss else "green"))
        out.append(("Enter save/next · ↑↓ field · PgUp/PgDn study · Ctrl-X clear · Esc quit"[:width], "dim"))
        return out[:height]

    def summary(self) -> list[str]:
        """After quitting: what is still missing, per study started; how many are not started."""
        out = [f"Saved {self.saved} value(s)."]
        untouched = 0
        for s in self.studies:
            if not any(v != "" for v in self.values.get(s.id, {}).values()):
                untouched += 1
                continue
            miss = self.missing(s.id)
            if miss:
                keys = ", ".join(p.field for p in miss[:3]) + (", ..." if len(miss) > 3 else "")
                out.append(f"{s.label} [{s.id}]: {len(miss)} missing or incomplete ({keys})")
            else:
                out.append(f"{s.label} [{s.id}]: complete")
        if untouched:
            out.append(f"{untouched} of {len(self.studies)} studies not started.")
        return out


def run_keys(ctl: FormController, keys: Iterable[str], width: int = 80, height: int = 24) -> list[str]:
    """Feed keys without a terminal; the plain screen after the last one."""
    for k in keys:
        ctl.feed(k)
        if ctl.quit:
            break
    return [t for t, _ in ctl.lines(width, height)]


def run_form(ctl: FormController) -> None:
    """The key loop on a real terminal in raw mode; the terminal is restored whatever happens."""
    import signal
    import termios
    import tty

    from rich.text import Text

    from review.screening.tui import ALT_OFF, ALT_ON, HIDE, SHOW, Terminal

    term = Terminal()
    saved = termios.tcgetattr(term.fd)
    old = {}

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        old[sig] = signal.signal(sig, stop)

    def draw() -> None:
        w, h = term.size()
        term.draw([Text(t, style=st) for t, st in ctl.lines(w, h)])

    try:
        tty.setraw(term.fd)
        term.out.write(ALT_ON + HIDE)
        draw()
        while not ctl.quit:
            key = term.read_key(timeout=0.5)
            if key is None:
                continue
            ctl.feed(key)
            if not ctl.quit:
                draw()
    finally:
        termios.tcsetattr(term.fd, termios.TCSAFLUSH, saved)
        term.out.write(SHOW + ALT_OFF)
        term.out.flush()
        for sig, handler in old.items():
            signal.signal(sig, handler)


def study_infos(root: Path, studies: Mapping[str, str]) -> list[StudyInfo]:
    """StudyInfo for each study of _studies.csv, with title/abstract of its first report when known."""
    from review.extraction.studies import included_reports, read_study_rows
    from review.screening.works import FULLTEXT_DIR, safe_name

    rows = {r.id: r for r in read_study_rows(root)}
    try:
        reports = {r.id: r for r in included_reports(root)}
    except Exception:  # no library or screening yet: the form still works, without titles
        reports = {}
    out = []
    for sid, label in studies.items():
        reps = rows[sid].reports if sid in rows else []
        first = next((reports[r] for r in reps if r in reports), None)
        pdfs = [str(FULLTEXT_DIR / f"{safe_name(r)}.pdf") for r in reps
                if (Path(root) / FULLTEXT_DIR / f"{safe_name(r)}.pdf").is_file()]
        out.append(StudyInfo(sid, label, reps, first.title if first else "", first.abstract if first else "", pdfs))
    return out
