"""`review run`: every stage of the review, in order, without asking anything.

Calls each stage's own core (import, dedup with the recorded pair answers,
screening state from the decision files, extraction export, PRISMA, pooling,
report). A stage that cannot finish raises `StageStopped`, naming the stage,
the records and the command that fixes it; files written by earlier stages stay.
Never prints: progress goes through the `on_stage` callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from review.errors import ReviewError

STAGES = ("import", "dedup", "screening", "extraction", "prisma", "pooling", "report")


class StageStopped(ReviewError):
    """A stage cannot finish; the message names the stage, records and the fixing command."""

    exit_code = 1

    def __init__(self, stage: str, problem: str, records: list[str], fix: str):
        self.stage, self.problem, self.records, self.fix = stage, problem, list(records), fix
        shown = ", ".join(records[:8]) + (f" and {len(records) - 8} more" if len(records) > 8 else "")
        msg = f"stopped at {stage}: {problem}" + (f" ({shown})" if shown else "") + f"; fix with `{fix}`"
        super().__init__(msg)


@dataclass
class RunSummary:
    """What a run did: the counts a person checks and where the outputs are."""

    records: int = 0
    works: int = 0
    duplicates: int = 0
    screened: int = 0
    included_studies: int = 0
    included_reports: int = 0
    analyses: int = 0
    outputs: list[str] = field(default_factory=list)
    stages_done: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(vars(self))


def _rel(root: Path, p: Path) -> str:
    try:
        return Path(p).relative_to(root).as_posix()
    except ValueError:
        return str(p)


def stage_import(root: Path, protocol, summary: RunSummary) -> None:
    from review.library import import_searches
    from review.workspace import LIBRARY_FILE, write_jsonl

    library = import_searches(protocol, root)
    write_jsonl(root / LIBRARY_FILE, (r.to_dict() for r in library.records))
    summary.records = len(library.records)
    summary.outputs.append(LIBRARY_FILE.as_posix())


def stage_dedup(root: Path, protocol, summary: RunSummary) -> None:
    from review.dedup_workflow import clusters_csv, clusters_json, load_works
    from review.dedup_workflow import summary as dedup_summary
    from review.workspace import OUTPUT_DIR, write_if_changed

    works = load_works(root, reimport=False)
    write_if_changed(root / OUTPUT_DIR / "dedup.json", clusters_json(works))
    write_if_changed(root / OUTPUT_DIR / "dedup.csv", clusters_csv(works))
    info = dedup_summary(works)
    summary.works = int(info["works"])
    summary.duplicates = int(info["duplicates_removed"])
    summary.outputs += ["output/dedup.json", "output/dedup.csv"]


def stage_screening(root: Path, protocol, summary: RunSummary) -> dict:
    """Screening state from the decision files; stops on an open conflict or an unscreened record."""
    from review.screening.manage import load_context, stage_conflicts, screening_status

    info = screening_status(root)
    stages = info.get("stages", {})
    for name, st in stages.items():
        if st.get("conflicts_open"):
            ids = [c.record_id for c in stage_conflicts(load_context(root), name)]
            raise StageStopped(
                "screening", f"{st['conflicts_open']} open {name} conflict(s)", ids,
                f"review screen conflicts --stage {name} --resolve --by NAME",
            )
    for name, st in stages.items():
        if st.get("waiting"):
            raise StageStopped(
                "screening", f"{st['waiting']} record(s) not yet screened at {name}", [],
                f"review screen --stage {name} --reviewer NAME",
            )
    first = next(iter(stages.values()), {})
    summary.screened = int(first.get("records", 0))
    return info


def stage_extraction(root: Path, protocol, summary: RunSummary) -> None:
    """Write output/extraction/<analysis>.csv and the risk-of-bias plots (as `review extract export`)."""
    from review.extraction import log as xlog
    from review.extraction import risk_of_bias as rob
    from review.extraction.export import EXPORT_DIR, export_all, export_path
    from review.extraction.form import parse_form
    from review.extraction.reconcile import final_values, read_resolved
    from review.extraction.studies import read_studies
    from review.workspace import write_if_changed

    if not protocol.extraction:
        return
    form = parse_form(protocol.extraction)
    studies = read_studies(root)
    logs = {}
    for name in xlog.reviewers(root):
        read = xlog.read_log(xlog.log_path(root, name), display=str(xlog.EXTRACTION_DIR / f"{name}.csv"),
                             known_studies=studies, known_fields=form.by_key)
        logs[name] = read.values()
    if form.extractors == 2 and len(logs) < 2:
        raise StageStopped("extraction", "protocol.yaml says two extractors; only "
                           + (", ".join(logs) or "nobody") + " has extracted", [],
                           "review extract --reviewer NAME")
    values, open_ = final_values(form, logs, read_resolved(root, studies, form.by_key).values())
    if open_:
        ids = sorted({getattr(d, "study", str(d)) for d in open_})
        raise StageStopped("extraction", f"{len(open_)} extraction difference(s) not agreed", ids,
                           "review extract compare")
    for table in export_all(form, protocol.analyses, values, studies, ("luo2018", "rec")):
        write_if_changed(export_path(root, table.name), table.csv())
        summary.outputs.append(_rel(root, export_path(root, table.name)))
    if form.risk_of_bias:
        done = [a for a in (rob.assess(form.risk_of_bias, studies[s], values.get(s, {})) for s in studies) if a]
        if done:
            summary.outputs += [_rel(root, p) for p in rob.write_plots(form.risk_of_bias, done, root / EXPORT_DIR)]


def stage_prisma(root: Path, protocol, summary: RunSummary) -> None:
    from review.prisma.build import state_from_review
    from review.prisma.counts import PrismaError, count
    from review.prisma.draw import save
    from review.prisma.export import to_csv, to_json
    from review.workspace import atomic_write_text

    try:
        counts = count(state_from_review(root))
    except PrismaError as err:
        raise StageStopped("prisma", str(err), [], "review screen conflicts --stage full-text") from err
    out = root / "output"
    out.mkdir(parents=True, exist_ok=True)
    written = save(counts, out / "prisma")
    for name, text in (("prisma.json", to_json(counts)), ("prisma.csv", to_csv(counts))):
        atomic_write_text(out / name, text)
        written.append(out / name)
    summary.included_studies = int(counts.studies)
    summary.included_reports = int(counts.reports)
    summary.outputs += [_rel(root, p) for p in written]


def stage_pooling(root: Path, protocol, summary: RunSummary) -> None:
    from review.pool.analyses import pool_review

    if not protocol.analyses:
        return
    for a in protocol.analyses:
        path = a.data_path(root)
        if not path.is_file():
            raise StageStopped("pooling", f"analysis {a.name!r} has no data file {_rel(root, path)}", [],
                               "review extract export")
    pooled = pool_review(root, protocol)
    summary.outputs += [_rel(root, p) for p in pooled.tables.values()]
    summary.outputs += [_rel(root, p) for p in pooled.plots]
    summary.analyses = len(pooled.results)


def stage_report(root: Path, protocol, summary: RunSummary, command: str = "review run") -> None:
    from review.report import write_report

    path = write_report(root, command=command)
    summary.outputs.append(_rel(root, path))


def run_review(root: Path, on_stage: Callable[[str, str], None] | None = None,
               command: str = "review run") -> RunSummary:
    """Run every stage on the review at `root`; return what it did.

    `on_stage(stage, "start"|"done")` is called around each stage (for a
    progress display). Raises StageStopped when a stage cannot finish.
    """
    from review.protocol import load_protocol

    root = Path(root)
    protocol = load_protocol(root)
    summary = RunSummary()
    steps = {
        "import": stage_import, "dedup": stage_dedup, "screening": stage_screening,
        "extraction": stage_extraction, "prisma": stage_prisma, "pooling": stage_pooling,
    }
    for name in STAGES:
        if on_stage:
            on_stage(name, "start")
        if name == "report":
            stage_report(root, protocol, summary, command)
        else:
            steps[name](root, protocol, summary)
        summary.stages_done.append(name)
        if on_stage:
            on_stage(name, "done")
    return summary
