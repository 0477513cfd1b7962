"""The PRISMA 2020 flow diagram drawn with matplotlib, in the template's layout.

Layout follows the template of Page et al. (BMJ 2021;372:n71): phase bands
(Identification, Screening, Included) on the left with rotated labels; the
databases-and-registers column with its excluded boxes to the right; the
other-methods column beside it only when other methods were used; for an
updated review the previous-studies column on the left and the totals box at
the bottom. Every box is sized from its text as the renderer measures it, so
long reason names wrap and boxes grow instead of overflowing.

Two additions to the template, drawn only when they are not empty, keep the
other-methods column's arithmetic visible: its duplicates (records the
databases had already found) and its title-abstract screening.

matplotlib is imported inside the functions (the CLI must start fast).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from review.prisma.counts import ColumnCounts, PrismaCounts

FONT_SIZE = 9.0
LINE = FONT_SIZE * 1.28  # line height, pt
PAD_X, PAD_Y = 7.0, 6.0  # inner padding of a box, pt
INDENT = 11.0  # pt per indent level
MAIN_W = 182.0  # width of a main box, pt
SIDE_W = 212.0  # width of an excluded (side) box, pt
GAP_X = 22.0  # horizontal gap between boxes (arrow), pt
GAP_Y = 20.0  # vertical gap between rows (arrow), pt
BAND_W = 24.0
MARGIN = 10.0
MIN_H = 2 * LINE + 2 * PAD_Y

BAND_FILL = "#a9c6e8"  # light blue phase bands, as the template
DB_HEADER_FILL = "#ffc000"  # yellow header of the databases column
GREY_FILL = "#d9d9d9"  # grey headers of the other-methods and previous columns
FONTS = ("Arial", "Helvetica", "Liberation Sans", "DejaVu Sans")

Measure = Callable[[str, bool], float]


@dataclass
class Box:
    key: str
    paragraphs: list[tuple[str, int]]  # (text, indent level)
    width: float
    fill: str = "white"
    bold: bool = False
    center: bool = False
    lines: list[tuple[str, float]] = field(default_factory=list)  # wrapped: (text, x offset)
    x: float = 0.0
    y: float = 0.0  # top (y grows downward)
    h: float = 0.0
    rotate: bool = False

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Layout:
    boxes: list[Box]
    arrows: list[list[tuple[float, float]]]  # polylines, arrow head at the end
    width: float
    height: float


def n(value: int) -> str:
    return f"(n = {value})"


# ---- text ---------------------------------------------------------------------------

def font_family() -> str:
    """The first of Arial/Helvetica/Liberation Sans installed, else DejaVu Sans."""
    from matplotlib import font_manager

    for name in FONTS:
        try:
            font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
            return name
        except ValueError:
            continue
    return "DejaVu Sans"


def text_measure(family: str) -> Measure:
    """Width in pt of a line of text, from matplotlib's Agg renderer at 72 dpi."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(100, 100, 72)
    props = {b: FontProperties(family=family, size=FONT_SIZE, weight="bold" if b else "normal") for b in (False, True)}
    cache: dict[tuple[str, bool], float] = {}

    def measure(text: str, bold: bool = False) -> float:
        key = (text, bold)
        if key not in cache:
            w, _, _ = renderer.get_text_width_height_descent(text, props[bold], ismath=False)
            cache[key] = float(w)
        return cache[key]

    return measure


_WORDS = re.compile(r"\(n = \d+\)\S*|\S+")


def wrap(text: str, width: float, measure: Measure, bold: bool = False) -> list[str]:
    """Greedy word wrap to `width` pt; a word wider than a line is cut by characters."""
    words = _WORDS.findall(text)  # "(n = 12)" stays on one line
    lines: list[str] = []
    cur = ""
    for word in words:
        trial = f"{cur} {word}" if cur else word
        if measure(trial, bold) <= width:
            cur = trial
            continue
        if cur:
            lines.append(cur)
        while measure(word, bold) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and measure(word[:cut], bold) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        cur = word
    if cur or not lines:
        lines.append(cur)
    return lines


def fit(box: Box, measure: Measure) -> None:
    """Wrap the box's paragraphs to its width and set its height from the lines."""
    box.lines = []
    inner = box.width - 2 * PAD_X
    for text, level in box.paragraphs:
        indent = level * INDENT
        for i, line in enumerate(wrap(text, inner - indent - (INDENT if level else 0), measure, box.bold)):
            # continuation lines hang one step further in for list items
            box.lines.append((line, indent + (INDENT if i and level else 0)))
    box.h = max(len(box.lines) * LINE + 2 * PAD_Y, MIN_H if not box.rotate else 0)


# ---- box texts ------------------------------------------------------------------------

def _identification(col: ColumnCounts, per_database: bool, other: bool) -> list[tuple[str, int]]:
    paras: list[tuple[str, int]] = [("Records identified from:", 0)]
    if other:
        for label, _, k in col.identified:
            paras.append((f"{label} {n(k)}", 1))
        if not col.identified:
            paras.append(("(none)", 1))
        return paras
    for kind, title in (("database", "Databases"), ("register", "Registers")):
        items = [(label, k) for label, kd, k in col.identified if kd == kind]
        paras.append((f"{title} {n(sum(k for _, k in items))}", 1))
        if per_database:
            paras += [(f"{label} {n(k)}", 2) for label, k in items]
    return paras


def _removed(col: ColumnCounts, other: bool) -> list[tuple[str, int]]:
    paras = [("Records removed before screening:", 0)]
    paras.append((f"Duplicate records removed {n(col.duplicates)}", 1))
    if not other or col.removed_automation:
        paras.append((f"Records marked as ineligible by automation tools {n(col.removed_automation)}", 1))
    if not other or col.removed_other:
        paras.append((f"Records removed for other reasons {n(col.removed_other)}", 1))
    return paras


def _excluded(col: ColumnCounts) -> list[tuple[str, int]]:
    paras = [("Records excluded", 0), (n(col.excluded), 0)]
    if col.excluded_automation:
        paras = [(f"Records excluded {n(col.excluded)}:", 0),
                 (f"by a person {n(col.excluded_person)}", 1),
                 (f"by automation tools {n(col.excluded_automation)}", 1)]
    return paras


def _reasons(col: ColumnCounts) -> list[tuple[str, int]]:
    if not col.reasons:
        return [("Reports excluded", 0), (n(0), 0)]
    return [(f"Reports excluded {n(col.reports_excluded)}:", 0)] + [
        (f"{label} {n(k)}", 1) for label, k in col.reasons
    ]


# ---- layout ----------------------------------------------------------------------------

def layout(counts: PrismaCounts, per_database: bool, measure: Measure) -> Layout:
    """Place every box and arrow; sizes in pt, y downward."""
    db, oth, prev = counts.databases, counts.other, counts.updated
    other_screening = oth is not None and (oth.screened > 0 or oth.excluded > 0)
    other_removed = oth is not None and oth.removed > 0
    boxes: dict[str, Box] = {}

    def add(key: str, paras, width=MAIN_W, **kw) -> Box:
        b = Box(key, paras, width, **kw)
        fit(b, measure)
        boxes[key] = b
        return b

    new = "new " if prev else ""
    add("dbr.identified", _identification(db, per_database, False))
    add("dbr.removed", _removed(db, False), SIDE_W)
    add("dbr.screened", [("Records screened", 0), (n(db.screened), 0)])
    add("dbr.excluded", _excluded(db), SIDE_W)
    add("dbr.sought", [("Reports sought for retrieval", 0), (n(db.sought), 0)])
    add("dbr.not_retrieved", [("Reports not retrieved", 0), (n(db.not_retrieved), 0)], SIDE_W)
    add("dbr.assessed", [("Reports assessed for eligibility", 0), (n(db.assessed), 0)])
    add("dbr.reasons", _reasons(db), SIDE_W)
    add("included", [(f"{'New studies' if prev else 'Studies'} included in review {n(counts.studies)}", 0),
                     (f"Reports of {new}included studies {n(counts.reports)}", 0)])
    if prev:
        add("previous", [(f"Studies included in previous version of review {n(counts.previous_studies or 0)}", 0),
                         (f"Reports of studies included in previous version of review {n(counts.previous_reports or 0)}", 0)])
        add("total", [(f"Total studies included in review {n(counts.total_studies)}", 0),
                      (f"Reports of total included studies {n(counts.total_reports)}", 0)])
    if oth is not None:
        add("other.identified", _identification(oth, per_database, True))
        if other_removed:
            add("other.removed", _removed(oth, True), SIDE_W)
        if other_screening:
            paras = [("Records screened", 0), (n(oth.screened), 0)]
            if oth.unscreened:
                paras.append((f"Sent to retrieval without screening {n(oth.unscreened)}", 0))
            add("other.screened", paras)
            add("other.excluded", _excluded(oth), SIDE_W)
        add("other.sought", [("Reports sought for retrieval", 0), (n(oth.sought), 0)])
        add("other.not_retrieved", [("Reports not retrieved", 0), (n(oth.not_retrieved), 0)], SIDE_W)
        add("other.assessed", [("Reports assessed for eligibility", 0), (n(oth.assessed), 0)])
        add("other.reasons", _reasons(oth), SIDE_W)

    # columns, left to right
    x = MARGIN
    band_x = x
    x += BAND_W + 10
    col0 = None
    if prev:
        col0 = x
        x += MAIN_W + GAP_X
    col1 = x
    col2 = col1 + MAIN_W + GAP_X
    right = col2 + SIDE_W
    col3 = col4 = None
    if oth is not None:
        col3 = right + GAP_X * 1.5
        col4 = col3 + MAIN_W + GAP_X
        right = col4 + SIDE_W

    # headers
    headers = []
    title_db = "Identification of new studies via databases and registers" if prev else \
        "Identification of studies via databases and registers"
    headers.append(add("header.dbr", [(title_db, 0)], col2 + SIDE_W - col1, fill=DB_HEADER_FILL, bold=True, center=True))
    headers[-1].x = col1
    if oth is not None:
        title = "Identification of new studies via other methods" if prev else "Identification of studies via other methods"
        headers.append(add("header.other", [(title, 0)], right - col3, fill=GREY_FILL, bold=True, center=True))
        headers[-1].x = col3
    if prev:
        headers.append(add("header.previous", [("Previous studies", 0)], MAIN_W, fill=GREY_FILL, bold=True, center=True))
        headers[-1].x = col0
    for hb in headers:
        hb.h = len(hb.lines) * LINE + 2 * PAD_Y
    head_h = max(h.h for h in headers)
    for hb in headers:
        hb.y = MARGIN
        hb.h = head_h

    # rows: (left main, right side, other main, other side, previous)
    # a phase band must be long enough for its rotated label
    def band_min(label: str) -> float:
        return measure(label, True) * (FONT_SIZE + 1) / FONT_SIZE + 16

    rows = [
        ["dbr.identified", "dbr.removed", "other.identified", "other.removed", "previous"],
        ["dbr.screened", "dbr.excluded", "other.screened", "other.excluded", None],
        ["dbr.sought", "dbr.not_retrieved", "other.sought", "other.not_retrieved", None],
        ["dbr.assessed", "dbr.reasons", "other.assessed", "other.reasons", None],
        ["included", None, None, None, None],
    ]
    if prev:
        rows.append(["total", None, None, None, None])
    xs = [col1, col2, col3, col4, col0]
    y = MARGIN + head_h + 14
    row_spans = []
    for row in rows:
        present = [boxes[k] for k in row if k and k in boxes]
        h = max(b.h for b in present)
        if row is rows[0]:
            h = max(h, band_min("Identification"))
        if row is rows[-1]:  # the Included band spans the last row(s)
            h = max(h, band_min("Included") - (y - row_spans[4][0] if len(rows) > 5 else 0))
        for k, cx in zip(row, xs):
            if k and k in boxes:
                b = boxes[k]
                b.x = cx
                if row is rows[0]:  # the identification row: boxes of one height, as the template
                    b.h = h
                b.y = y + (h - b.h) / 2
        row_spans.append((y, y + h))
        y += h + GAP_Y
    bottom = y - GAP_Y

    # phase bands
    inc_top = row_spans[4][0]
    bands = [("Identification", row_spans[0][0], row_spans[0][1]),
             ("Screening", row_spans[1][0], row_spans[3][1]),
             ("Included", inc_top, bottom)]
    for label, top, bot in bands:
        b = Box(f"band.{label.lower()}", [(label, 0)], BAND_W, fill=BAND_FILL, bold=True, center=True, rotate=True)
        b.lines = [(label, 0.0)]
        b.x, b.y, b.h = band_x, top, bot - top
        boxes[b.key] = b

    arrows: list[list[tuple[float, float]]] = []

    def down(a: str, b: str) -> None:
        A, B = boxes[a], boxes[b]
        cx = A.x + A.width / 2
        arrows.append([(cx, A.y + A.h), (cx, B.y)])

    def side(a: str, b: str) -> None:
        A, B = boxes[a], boxes[b]
        arrows.append([(A.x + A.width, A.cy), (B.x, A.cy if B.y <= A.cy <= B.y + B.h else B.cy)])

    for a, b in (("dbr.identified", "dbr.screened"), ("dbr.screened", "dbr.sought"),
                 ("dbr.sought", "dbr.assessed"), ("dbr.assessed", "included")):
        down(a, b)
    for a, b in (("dbr.identified", "dbr.removed"), ("dbr.screened", "dbr.excluded"),
                 ("dbr.sought", "dbr.not_retrieved"), ("dbr.assessed", "dbr.reasons")):
        side(a, b)
    if oth is not None:
        chain = ["other.identified"] + (["other.screened"] if other_screening else []) + ["other.sought", "other.assessed"]
        for a, b in zip(chain, chain[1:]):
            down(a, b)
        side("other.sought", "other.not_retrieved")
        side("other.assessed", "other.reasons")
        if other_screening:
            side("other.screened", "other.excluded")
        if other_removed:
            side("other.identified", "other.removed")
        A, inc = boxes["other.assessed"], boxes["included"]
        cx = A.x + A.width / 2
        arrows.append([(cx, A.y + A.h), (cx, inc.cy), (inc.x + inc.width, inc.cy)])
    if prev:
        down("included", "total")
        P, T = boxes["previous"], boxes["total"]
        cx = P.x + P.width / 2
        arrows.append([(cx, P.y + P.h), (cx, T.cy), (T.x, T.cy)])

    return Layout(list(boxes.values()), arrows, right + MARGIN, bottom + MARGIN)


# ---- drawing ----------------------------------------------------------------------------

def figure(counts: PrismaCounts, per_database: bool = False):
    """The diagram as a matplotlib Figure (Agg canvas), 1 data unit = 1 pt."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

    family = font_family()
    lay = layout(counts, per_database, text_measure(family))
    fig = Figure(figsize=(lay.width / 72, lay.height / 72), dpi=72)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(lay.height, 0)
    ax.set_axis_off()
    for b in lay.boxes:
        if b.rotate:
            patch = FancyBboxPatch((b.x, b.y), b.width, b.h, boxstyle="round,pad=0,rounding_size=6",
                                   facecolor=b.fill, edgecolor="none", gid=f"box:{b.key}")
        else:
            patch = Rectangle((b.x, b.y), b.width, b.h, facecolor=b.fill, edgecolor="black",
                              linewidth=0.8, gid=f"box:{b.key}")
        ax.add_patch(patch)
        weight = "bold" if b.bold else "normal"
        if b.rotate:
            ax.text(b.x + b.width / 2, b.cy, b.lines[0][0], rotation=90, ha="center", va="center",
                    fontsize=FONT_SIZE + 1, fontweight=weight, family=family, gid=f"text:{b.key}")
            continue
        # text sits at the top of a box, as in the template; headers are centred
        top = b.y + ((b.h - len(b.lines) * LINE) / 2 if b.center else PAD_Y)
        for i, (line, dx) in enumerate(b.lines):
            yy = top + (i + 0.5) * LINE
            if b.center:
                ax.text(b.x + b.width / 2, yy, line, ha="center", va="center_baseline", fontsize=FONT_SIZE,
                        fontweight=weight, family=family, gid=f"text:{b.key}:{i + 1}")
            else:
                ax.text(b.x + PAD_X + dx, yy, line, ha="left", va="center_baseline", fontsize=FONT_SIZE,
                        fontweight=weight, family=family, gid=f"text:{b.key}:{i + 1}")
    for pts in lay.arrows:
        for (x0, y0), (x1, y1) in zip(pts[:-2], pts[1:-1]):
            ax.plot([x0, x1], [y0, y1], color="black", linewidth=0.8, solid_capstyle="butt")
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>,head_length=5,head_width=2.6",
                                     mutation_scale=1, color="black", linewidth=0.8, shrinkA=0, shrinkB=0))
    return fig


def save(counts: PrismaCounts, stem: Path, per_database: bool = False) -> list[Path]:
    """Write `<stem>.svg`, `.png` (300 dpi) and `.pdf`; return the paths."""
    from functools import partial

    from review.figures import draw_all, save_figure

    fig = figure(counts, per_database)
    paths = [Path(f"{stem}.{ext}") for ext in ("svg", "png", "pdf")]
    draw_all([partial(save_figure, fig, p, dpi=300, salt="prisma") for p in paths])
    return paths
