"""Save matplotlib figures one way everywhere: the same bytes every run, text kept as text.

Every figure the tool writes (forest, funnel, PRISMA, risk of bias) goes
through :func:`save_figure`, so the settings that make outputs reproducible
live in one place:

* SVG keeps text as ``<text>`` (``svg.fonttype = none``), so it stays
  searchable and editable, with ids salted by a fixed string instead of a
  random one, and no date;
* PDF has no creation date, and its fonts are embedded as vector glyphs
  (Type 3) with a Unicode map, so the text can be searched and copied. The
  TrueType alternative (Type 42) makes matplotlib subset the whole DejaVu font
  with fontTools for every file, about 0.3 s per PDF, which was most of
  `review run`'s time on the example;
* PNG carries no date, is drawn at 200 dpi or more (300 for PRISMA, as
  journals ask) and compressed at zlib level 3 (faster than 6, files
  within about 20 %).

matplotlib is imported inside the function, so importing this module is cheap.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from review.errors import InputError

FORMATS = (".svg", ".png", ".pdf")
_METADATA = {".svg": {"Date": None}, ".pdf": {"CreationDate": None, "ModDate": None}, ".png": {}}
# Agg cannot draw past 2**16 pixels a side
_MAX_PIXELS = 60000
# The tasks of `draw_all`, set just before the workers fork (they read them; nothing is sent).
_TASKS: Sequence[Callable[[], Any]] = ()


def save_figure(fig: Any, path: str | Path, *, dpi: int = 200, salt: str = "review",
                tight: bool = False) -> Path:
    """Save ``fig`` as SVG, PNG or PDF by the file's suffix; the same figure gives the same bytes.

    ``salt`` seeds the SVG's element ids: two figures inlined in one HTML page
    need different salts (the report also renames ids). A PNG taller than
    60,000 pixels at ``dpi`` is saved at the resolution that fits.
    """
    import matplotlib

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"plot file must end in .svg, .png or .pdf, not '{path.suffix or path.name}'",
                         file=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    dpi = max(int(dpi), 200)
    if suffix == ".png":
        dpi = min(dpi, int(_MAX_PIXELS / max(fig.get_size_inches())))
    extra = {"bbox_inches": "tight"} if tight else {}
    if suffix == ".png":
        # zlib level 3 instead of 6: a third less time, files within about 20 %
        extra["pil_kwargs"] = {"compress_level": 3}
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt, "pdf.fonttype": 3}):
        fig.savefig(path, format=suffix[1:], dpi=dpi, metadata=_METADATA[suffix], facecolor="white",
                    **extra)
    return path


def draw_all(tasks: Sequence[Callable[[], Any]], jobs: int | None = None) -> None:
    """Run figure-drawing ``tasks`` (callables that draw and save), in parallel where that is safe.

    Drawing and saving plots is nearly all the time `review run` takes, and
    the figures do not depend on each other. On Linux with more than one core
    and no other thread running, the tasks run in forked worker processes, one
    task at a time each: the workers inherit the fitted analyses, the figures
    and the imported libraries, so nothing is pickled but the task's number
    and nothing is imported twice. Otherwise they run in turn. The files are
    the same either way; an exception in a task is raised here.
    """
    global _TASKS

    import threading

    jobs = min(len(tasks), jobs or os.cpu_count() or 1)
    # fork copies only the calling thread: with other threads running (a caller's GUI, a
    # progress bar) a lock one of them holds could stay locked in the child, so run in turn
    if jobs < 2 or not sys.platform.startswith("linux") or threading.active_count() > 1:
        for task in tasks:
            task()
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _TASKS = tasks
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            for _ in pool.map(_run_task, range(len(tasks))):
                pass
    finally:
        _TASKS = ()


def _run_task(i: int) -> None:
    _TASKS[i]()
