"""Every analysis of a review's protocol.yaml: fits, tables and plots under output/.

Used by `review pool` and by the pooling stage of `review run`. The models
take milliseconds; drawing and saving the forest and funnel plots (SVG, PNG,
PDF each) is nearly all the time, so on Linux with more than one core the
figures are drawn by forked worker processes, one figure per task, in
parallel. Forked workers inherit the fitted analyses and the imported
libraries, so nothing is pickled but the task's number and nothing is
imported twice. Elsewhere (no ``fork``) they are drawn in turn; the files are
the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.errors import InputError

EXTENSIONS = ("svg", "png", "pdf")


@dataclass
class Pooled:
    """What pooling a review wrote: one fitted analysis per protocol entry, and the files."""

    names: list[str]
    results: list[Any]
    tables: dict[str, Path]
    plots: list[Path] = field(default_factory=list)


def pool_review(root: Path, protocol: Any, *, jobs: int | None = None) -> Pooled:
    """Fit every analysis in ``protocol.analyses``, write output/pooled.* and every plot.

    Raises InputError naming the data file of an analysis whose table is
    missing (`review extract export` writes it) or wrong.
    """
    from review.pool.api import meta_analysis
    from review.pool.tables import write_tables
    from review.workspace import output_dir

    out_dir = output_dir(root)
    results, tasks = [], []
    for a in protocol.analyses:
        path = a.data_path(root)
        if not path.is_file():
            raise InputError(f"analysis {a.name!r} has no data table; `review extract export` writes it",
                             file=path)
        ma = meta_analysis(path, a.measure, method=a.method or "REML", hk=a.hk, subgroup=a.subgroup,
                           outcome=a.outcome, groups=a.groups, favours=a.favours)
        results.append(ma)
        tasks.append(("forest", ma, [out_dir / f"forest_{a.name}.{ext}" for ext in EXTENSIONS]))
        if ma.k >= 3:
            tasks.append(("funnel", ma, [out_dir / f"funnel_{a.name}.{ext}" for ext in EXTENSIONS]))
    names = [a.name for a in protocol.analyses]
    tables = write_tables(results, out_dir, names=names)
    draw(tasks, jobs)
    return Pooled(names, results, tables, [p for _, _, paths in tasks for p in paths])


def draw(tasks: list[tuple[str, Any, list[Path]]], jobs: int | None = None) -> None:
    """Draw each (kind, analysis, paths) task: ``analysis.forest(paths)`` or ``.funnel(paths)``."""
    from functools import partial

    from review.figures import draw_all

    draw_all([partial(getattr(ma, kind), paths) for kind, ma, paths in tasks], jobs)
