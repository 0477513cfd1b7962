"""Drawing the screening screen: a pure function from what is on screen to lines of rich Text.

`render(view, width, height)` returns exactly ``height`` lines, none wider than
``width``. Wide terminals (>= 100 columns) get the criteria in a side panel;
narrower ones get them below the record, shortened as the height requires. The
abstract takes the lines left over and scrolls when it does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from rich.text import Text

from review.screening.decisions import Decision, ScreeningConfig
from review.screening.highlight import Highlighter
from review.screening.keys import Keymap
from review.screening.works import Work

SIDE_MIN_WIDTH = 100  # from here the criteria go beside the record
SIDE_WIDTH = 38
INCLUDE_STYLE = "bold black on green"
EXCLUDE_STYLE = "bold white on red"
DECISION_STYLE = {"include": "bold green", "exclude": "bold red", "maybe": "bold yellow", "not_retrieved": "bold magenta"}


@dataclass
class View:
    """Everything the screen shows; the controller fills it, `render` draws it."""

    stage: str
    reviewer: str
    config: ScreeningConfig
    keymap: Keymap
    highlighter: Highlighter
    work: Work | None = None
    done: int = 0
    left: int = 0
    position: int = 0  # 1-based place of the record on screen in the queue
    decision: Decision | None = None
    fulltext: str | None = None  # path shown, when a PDF is there
    message: str = ""
    message_style: str = ""
    mode: str = "normal"  # normal, reason, note, help
    note_buffer: str = ""
    pending_note: str = ""
    scroll: int = 0
    others: list = field(default_factory=list)  # (reviewer, Decision) when resolving conflicts
    order: str = ""  # e.g. "priority order"
    stopping: str = ""  # the stopping rule's line (priority.stopping_text)
    # written by render: how far the abstract can scroll
    max_scroll: int = field(default=0, init=False)


def highlighted(text: str, hl: Highlighter, style: str = "") -> Text:
    out = Text(text, style=style)
    for s in hl.spans(text):
        out.stylize(INCLUDE_STYLE if s.kind == "include" else EXCLUDE_STYLE, s.start, s.end)
    return out


def wrap(text: Text, width: int) -> list[Text]:
    """Word-wrapped lines of at most ``width`` cells (pure; no console needed)."""
    console = _measure_console(width)
    lines = text.wrap(console, max(width, 1), overflow="fold")
    return [line.copy() for line in lines] or [Text("")]


_CONSOLES: dict[int, object] = {}


def _measure_console(width: int):
    from rich.console import Console

    c = _CONSOLES.get(width)
    if c is None:
        c = _CONSOLES[width] = Console(width=width, file=_Null(), color_system=None, force_terminal=False)
    return c


class _Null:
    def write(self, _s: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def crop(text: Text, width: int) -> Text:
    t = text.copy()
    if t.cell_len > width:
        t.truncate(max(width - 1, 0))
        t.append("…")
    return t


def _label(s: str) -> Text:
    return Text(s, style="bold cyan")


def record_header(view: View, width: int, tall: bool = True) -> list[Text]:
    """Title, authors, year/journal/id, keywords, MeSH, the decision so far, full text."""
    w = view.work
    hl = view.highlighter
    lines: list[Text] = []
    if w is None:
        return lines
    lines += wrap(highlighted(w.title or "(no title)", hl, "bold"), width)[:4]
    authors = list(w.authors[:6])
    who = "; ".join(authors) + (f"; … ({len(w.authors)} authors)" if len(w.authors) > 6 else "")
    lines.append(crop(Text.assemble(_label("Authors "), who or "(none)"), width))
    bits = [str(w.year) if w.year else "no year", w.journal or "no journal", w.id]
    if w.pub_types:
        bits.insert(2, ", ".join(w.pub_types[:2]))
    lines.append(crop(Text(" · ".join(bits), style="dim"), width))
    if w.keywords:
        kw = wrap(Text.assemble(_label("Keywords "), highlighted("; ".join(w.keywords), hl)), width)
        lines += kw[:2] if tall else [_more(kw, width)]
    if w.mesh:
        mesh = wrap(Text.assemble(_label("MeSH "), highlighted("; ".join(w.mesh), hl)), width)
        lines += mesh[:2] if tall else [_more(mesh, width)]
    if view.stage == "full-text" or view.fulltext:
        if view.fulltext:
            ft = Text.assemble(_label("Full text "), view.fulltext, Text(f"  ({view.keymap.keys['open']} opens it)", style="dim"))
        else:
            ft = Text.assemble(_label("Full text "), Text("no PDF in records/fulltext/", style="dim"),
                               Text(f"  ({view.keymap.keys['not_retrieved']}: report not retrieved)", style="dim")
                               if view.stage == "full-text" else "")
        lines.append(crop(ft, width))
    for name, od in view.others:
        t = Text.assemble(_label(f"{name} "), Text(od.decision, style=DECISION_STYLE.get(od.decision, "bold")))
        if od.reason:
            t.append(f"  reason {od.reason}: {view.config.reason_label(od.reason)}")
        if od.note:
            t.append(f"  note: {od.note}")
        lines.append(crop(t, width))
    d = view.decision
    if d is not None:
        said = Text.assemble(_label("Your decision "), Text(d.decision, style=DECISION_STYLE.get(d.decision, "bold")))
        if d.reason:
            said.append(f"  reason {d.reason}: {view.config.reason_label(d.reason)}")
        if d.note:
            said.append(f"  note: {d.note}")
        lines.append(crop(said, width))
    if view.pending_note:
        lines.append(crop(Text.assemble(_label("Note "), view.pending_note, Text("  (saved with the decision)", style="dim")), width))
    return lines


def _more(lines: list[Text], width: int) -> Text:
    """The first line, with an ellipsis when more followed."""
    if len(lines) == 1:
        return lines[0]
    t = lines[0].copy()
    t.append(" …")
    return crop(t, width)


def abstract_lines(view: View, width: int) -> list[Text]:
    w = view.work
    if w is None:
        return []
    if not w.abstract:
        return [Text("(no abstract)", style="dim italic")]
    out: list[Text] = []
    for para in w.abstract.split("\n"):
        if para.strip():
            out += wrap(highlighted(para.strip(), view.highlighter), width)
    return out


def criteria_lines(view: View, width: int, compact: bool) -> list[Text]:
    """Inclusion and exclusion criteria, the reasons (full text) and the keyword colours.

    ``compact`` (below the record on a narrow terminal): one line per criterion,
    the heading in a left margin.
    """
    cfg = view.config
    out: list[Text] = []

    def items(title: str, style: str, values: Sequence[str]) -> None:
        if not values:
            return
        if compact:
            for n, v in enumerate(values):
                head = Text(f"{title:<8}" if n == 0 else " " * 8, style=style)
                out.append(crop(Text.assemble(head, "• ", v), width))
            return
        out.append(Text(title + " if", style=style))
        for v in values:
            lines = wrap(Text(v), width - 2)
            out.append(Text.assemble("• ", lines[0]))
            out.extend(Text.assemble("  ", rest) for rest in lines[1:])

    items("Include", "bold green", cfg.criteria.get("include", ()))
    items("Exclude", "bold red", cfg.criteria.get("exclude", ()))
    if view.stage == "full-text" and cfg.reasons:
        pieces = [Text.assemble(Text(f" {r.key} ", style="reverse"), " ", r.label) for r in cfg.reasons]
        if compact:
            out.extend(pack([Text("Reasons", style="bold"), *pieces], width, sep="  "))
        else:
            out.append(Text("Exclusion reasons (key)", style="bold"))
            out.extend(crop(p, width) for p in pieces)
    if cfg.include_keywords or cfg.exclude_keywords:
        out.append(crop(Text.assemble(Text(" include word ", style=INCLUDE_STYLE), " ",
                                      Text(" exclude word ", style=EXCLUDE_STYLE)), width))
    return out


def criteria_brief(view: View, width: int) -> list[Text]:
    """Inclusion and exclusion criteria on one line each, cropped (small screens)."""
    out = []
    for key, title, style in (("include", "Include", "bold green"), ("exclude", "Exclude", "bold red")):
        values = view.config.criteria.get(key, ())
        if values:
            out.append(crop(Text.assemble(Text(f"{title:<8}", style=style), " • ".join(values)), width))
    if out:
        hint = Text(f" ({view.keymap.keys['help']}: all)", style="dim")
        last = crop(out[-1], width - hint.cell_len)
        out[-1] = Text.assemble(last, hint)
    return out


def footer_lines(view: View, width: int) -> list[Text]:
    if view.mode == "reason":
        pieces = [Text("Exclude because?", style="bold")]
        pieces += [crop(Text.assemble(Text(f" {r.key} ", style="reverse"), f" {r.label}"), max(width // 2 - 2, 12))
                   for r in view.config.reasons]
        pieces.append(Text("(Esc cancels)", style="dim"))
        return pack(pieces, width, sep="  ")
    if view.mode == "note":
        t = Text.assemble(Text("Note: ", style="bold"), view.note_buffer, Text("█", style="blink"),
                          Text("  (Enter keeps it, Esc cancels)", style="dim"))
        return wrap(t, width)[-2:]
    hints = view.keymap.hints()
    for labels in (None, SHORT):
        lines = pack([_hint(k, labels.get(a, a) if labels else a) for k, a in hints], width, sep=" ")
        if len(lines) <= 2:
            return lines
    # Still too narrow: keep what fits on two lines, and always the help key.
    help_key = view.keymap.keys["help"]
    kept = [(k, SHORT.get(a, a)) for k, a in hints if k != help_key]
    while kept and len(pack([*(_hint(k, a) for k, a in kept), _hint(help_key, "all keys")], width)) > 2:
        kept.pop()
    return pack([*(_hint(k, a) for k, a in kept), _hint(help_key, "all keys")], width)[:2]


SHORT = {"include": "incl", "exclude": "excl", "reason": "why", "not retrieved": "not found",
         "open PDF": "pdf", "help": "keys"}


def _hint(key: str, label: str) -> Text:
    return Text.assemble(Text(f" {key} ", style="reverse bold"), f" {label}")


def pack(pieces: list[Text], width: int, sep: str = " ") -> list[Text]:
    """Pieces on lines of at most ``width`` cells, never splitting a piece."""
    lines: list[Text] = []
    cur = Text()
    for p in pieces:
        if cur.cell_len and cur.cell_len + len(sep) + p.cell_len > width:
            lines.append(cur)
            cur = Text()
        if cur.cell_len:
            cur.append(sep)
        cur.append(p)
    if cur.cell_len:
        lines.append(cur)
    return [crop(line, width) for line in lines] or [Text("")]


def progress_line(view: View, width: int) -> Text:
    total = view.done + view.left
    pct = 100 * view.done / total if total else 100.0
    label = f" {view.done}/{total} done · {view.left} left · {pct:.0f}%"
    barw = max(width - len(label) - 1, 5)
    filled = round(barw * view.done / total) if total else barw
    return crop(Text.assemble(Text("━" * filled, style="green"), Text("━" * (barw - filled), style="grey35"), label), width)


def stopping_lines(view: View, width: int, most: int) -> list[Text]:
    """The screening order and the stopping rule's line, on at most `most` lines."""
    safe = "safe to stop" in view.stopping
    pieces = [Text(" " + view.order, style="dim")] if view.order else []
    pieces += [Text(p, style="bold green" if safe and i == 0 else "cyan")
               for i, p in enumerate(view.stopping.split(" · "))]
    lines = pack(pieces, width - 1, sep=" · ")
    lines = lines[:1] + [Text(" ") + line for line in lines[1:]]
    if len(lines) <= most:
        return lines
    if most == 1:
        return [crop(Text(" · ").join(pieces), width)]
    return lines[:most]


def title_line(view: View, width: int) -> Text:
    left = Text.assemble(Text(" review screen ", style="bold reverse"), f" {view.stage} · {view.reviewer}")
    right = f"record {view.position} of {view.done + view.left} " if view.work else "all decided "
    pad = width - left.cell_len - len(right)
    if pad >= 1:
        return Text.assemble(left, " " * pad, Text(right, style="dim"))
    return crop(left, width)


def help_screen(view: View, width: int, height: int) -> list[Text]:
    """Every key, then the criteria; keys in two columns when one column leaves no room."""
    rows = view.keymap.help_rows()
    keyw = max(len(k) for k, _ in rows) + 2
    head = Text.assemble(Text("Keys", style="bold"), Text("   (press any key to go back)", style="dim"))

    def row(key: str, what: str, w: int) -> Text:
        return crop(Text.assemble(Text(f" {key} ".ljust(keyw), style="reverse bold"), "  ", what), w)

    full = criteria_lines(view, width, compact=False)
    compact = criteria_lines(view, width, compact=True)
    if 1 + len(rows) + 1 + len(compact) > height and width >= 60:
        half = (len(rows) + 1) // 2
        colw = (width - 2) // 2
        left = [row(k, w, colw) for k, w in rows[:half]]
        right = [row(k, w, colw) for k, w in rows[half:]]
        keys = _beside(left, right, colw, half, sep="  ")
    else:
        keys = [row(k, w, width) for k, w in rows]
    lines = [head, *keys]
    room = height - len(lines) - 1
    crit = full if len(full) <= room else compact
    if crit:
        lines += [Text(""), *crit]
    notes = [Text(""), crop(Text("Each decision is saved (fsynced) before the next record shows.", style="dim"), width),
             crop(Text("You see only your own decisions; `review screen conflicts` compares reviewers.", style="dim"), width)]
    if height - len(lines) >= len(notes):
        lines += notes
    return lines[:height]


def render(view: View, width: int, height: int) -> list[Text]:
    """The screen as exactly ``height`` lines of at most ``width`` cells."""
    width = max(width, 20)
    height = max(height, 6)
    if view.mode == "help":
        return _pad(help_screen(view, width, height), height)
    top = [title_line(view, width), progress_line(view, width)]
    if view.stopping and height >= 12:
        top += stopping_lines(view, width, 2 if height >= 20 else 1)
    foot = footer_lines(view, width)
    msg = crop(Text(view.message, style=view.message_style), width) if view.message else Text("")
    bottom = [*foot, msg]
    avail = height - len(top) - len(bottom)
    side = width >= SIDE_MIN_WIDTH
    mainw = width - SIDE_WIDTH - 3 if side else width
    body = _body(view, mainw, avail, side)
    if side:
        crit = criteria_lines(view, SIDE_WIDTH, compact=False)[:avail]
        body = _beside(body, crit, mainw, avail)
    return _pad([*top, *body[:avail], *bottom], height)


def _body(view: View, width: int, avail: int, side: bool) -> list[Text]:
    if view.work is None:
        done = Text(f"Every record of this stage is decided ({view.done}).", style="bold green")
        k = view.keymap.keys
        return [Text(""), done, Text(f"{k['back']} goes back to a record, {k['undo']} undoes the last decision, {k['quit']} quits.")]
    head = record_header(view, width, tall=avail >= 26)
    absl = abstract_lines(view, width)
    crit: list[Text] = []
    if not side:
        crit = criteria_lines(view, width, compact=True)
        # The abstract comes first: the criteria one line each when there is room,
        # else one line for inclusion and one for exclusion (all of them behind the help key).
        spare = avail - len(head) - 2 - len(absl)
        if len(crit) > spare:
            crit = criteria_brief(view, width)
        crit = ([Text("─" * width, style="grey35")] + crit) if crit else []
    room = max(avail - len(head) - 1 - len(crit), 1)
    view.max_scroll = max(len(absl) - room, 0)
    view.scroll = min(max(view.scroll, 0), view.max_scroll)
    shown = absl[view.scroll: view.scroll + room]
    if view.max_scroll:
        below = len(absl) - view.scroll - len(shown)
        marker = Text(f"▼ {below} more lines (space scrolls)" if below else "▲ top: up arrow", style="dim")
        if len(shown) == room and room > 1:
            shown = shown[:-1] + [marker]
    gap = [Text("")]
    filler = max(avail - len(head) - len(gap) - len(shown) - len(crit), 0)
    return [*head, *gap, *shown, *([Text("")] * filler), *crit]


def _beside(left: list[Text], right: list[Text], leftw: int, height: int, sep: str = " │ ") -> list[Text]:
    out = []
    for i in range(height):
        a = left[i].copy() if i < len(left) else Text("")
        a = crop(a, leftw)
        a.pad_right(leftw - a.cell_len)
        b = right[i] if i < len(right) else Text("")
        out.append(Text.assemble(a, Text(sep, style="grey35"), b))
    return out


def _pad(lines: list[Text], height: int) -> list[Text]:
    return (lines + [Text("")] * height)[:height]


def plain(lines: list[Text]) -> str:
    """The screen as plain text (tests)."""
    return "\n".join(line.plain.rstrip() for line in lines)
