"""The studies extraction works on: records/extraction/_studies.csv.

Columns ``study,label,reports``: a short id (letters, digits, - _ .), the label
tables and plots show ("Author Year"), and the work ids of the reports (works
included at full text) that belong to the study, separated by ``;``.
`review extract link REPORT --study STUDY` rewrites the file (atomically);
an included report that no row lists is a study of its own, with the id
``<family name><year>`` and the label "Author Year" (`all_studies`,
`study_map`, which PRISMA uses to count studies and reports).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from review.errors import InputError
from review.extraction.log import EXTRACTION_DIR

STUDIES_FILE = EXTRACTION_DIR / "_studies.csv"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def read_studies(root: Path) -> dict[str, str]:
    """{study id: label} in file order; InputError naming file and line for a bad row."""
    path = Path(root) / STUDIES_FILE
    shown = str(STUDIES_FILE)
    if not path.is_file():
        raise InputError(f"no list of studies; write {shown} (columns study,label,reports)", file=shown)
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or [h.strip() for h in rows[0][:2]] != ["study", "label"]:
        raise InputError("the header must start study,label", file=shown, line=1)
    out: dict[str, str] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        sid = row[0].strip()
        if not _ID.match(sid):
            raise InputError(f"study id {sid!r} must be letters, digits, - _ .", file=shown, line=n, field="study")
        if sid in out:
            raise InputError(f"study {sid!r} is listed twice", file=shown, line=n, field="study")
        out[sid] = (row[1].strip() if len(row) > 1 else "") or sid
    return out


# ---- reports included at full text, and linking them into studies -----------------------

@dataclass(frozen=True)
class Report:
    """A work included at full text: its work id and what identifies it on screen."""

    id: str
    author: str  # first author's family name as printed ("Van den Berghe")
    year: int | None
    title: str = ""
    abstract: str = ""


@dataclass
class StudyRow:
    id: str
    label: str
    reports: list[str] = field(default_factory=list)


def included_reports(root: Path) -> list[Report]:
    """The works included at full text (work ids from `load_works`), in screening order."""
    from review.dedup_workflow import load_works
    from review.screening.manage import export_ids, load_context
    from review.screening.works import RecordSet, work_from_record

    works = load_works(Path(root))
    record_set = RecordSet([work_from_record(w.id, w.record, tuple(w.merged.member_ids), tuple(w.databases))
                            for w in works], "dedup_workflow", resolver=works.work_of)
    ctx = load_context(Path(root), record_set)
    if "full-text" not in ctx.config.stages:
        raise InputError("protocol.yaml screening.stages has no full-text stage; no report is included yet",
                         file="protocol.yaml", field="screening.stages")
    out = []
    for wid in export_ids(ctx, "full-text", "included"):
        rec = works.get(wid).record
        author = rec.authors[0].split(",")[0].strip() if rec.authors else ""
        out.append(Report(wid, author, rec.year, rec.title, rec.abstract))
    return out


def default_id(report: Report) -> str:
    """'Schlüter-Brandt', 2024 -> 'schluterbrandt2024' (ASCII letters of the family name + year)."""
    folded = unicodedata.normalize("NFKD", report.author).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z]", "", folded.lower()) or "study"
    return f"{stem}{report.year or ''}"


def default_label(report: Report) -> str:
    return f"{report.author or report.id} {report.year or ''}".strip()


def read_study_rows(root: Path) -> list[StudyRow]:
    """The rows of _studies.csv (checked as `read_studies` checks them); [] when the file is absent."""
    path = Path(root) / STUDIES_FILE
    if not path.is_file():
        return []
    labels = read_studies(root)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    out = []
    for row in rows[1:]:
        if not any(c.strip() for c in row):
            continue
        sid = row[0].strip()
        reports = [r.strip() for r in (row[2] if len(row) > 2 else "").split(";") if r.strip()]
        out.append(StudyRow(sid, labels[sid], reports))
    return out


def complete_rows(rows: list[StudyRow], reports: list[Report]) -> list[StudyRow]:
    """`rows` plus a study of its own for every included report no row lists.

    A default id already taken gets a letter (b, c, ...) so ids stay unique.
    """
    out = [StudyRow(r.id, r.label, list(r.reports)) for r in rows]
    linked = {rid for r in out for rid in r.reports}
    taken = {r.id for r in out}
    for rep in reports:
        if rep.id in linked:
            continue
        base = sid = default_id(rep)
        n = 1
        while sid in taken:
            n += 1
            sid = f"{base}{chr(ord('a') + n - 1)}"
        taken.add(sid)
        out.append(StudyRow(sid, default_label(rep), [rep.id]))
    return out


def format_rows(rows: list[StudyRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["study", "label", "reports"])
    for r in rows:
        w.writerow([r.id, r.label, ";".join(r.reports)])
    return buf.getvalue()


def link(root: Path, report: str, study: str, label: str | None = None,
         reports: list[Report] | None = None) -> tuple[StudyRow, str]:
    """Put `report` (a work id or any member record id) into `study` and rewrite _studies.csv atomically.

    The report leaves the study it was in (a study left with no report is
    dropped); every other included report keeps its study or gets its default
    one. Returns the study row and the report's work id.
    """
    from review.dedup_workflow import load_works
    from review.workspace import atomic_write_text

    root = Path(root)
    if not _ID.match(study or ""):
        raise InputError(f"study id {study!r} must be letters, digits, - _ .", field="study")
    reports = included_reports(root) if reports is None else reports
    by_id = {r.id: r for r in reports}
    wid = report if report in by_id else (load_works(root).work_of(report) or report)
    if wid not in by_id:
        raise InputError(f"{report!r} is not a report included at full text", field="report")
    rows = complete_rows(read_study_rows(root), [r for r in reports if r.id != wid])
    for r in rows:
        if wid in r.reports:
            r.reports.remove(wid)
    rows = [r for r in rows if r.reports or r.id == study]
    target = next((r for r in rows if r.id == study), None)
    if target is None:
        target = StudyRow(study, label or default_label(by_id[wid]), [])
        rows.append(target)
    elif label:
        target.label = label
    target.reports.append(wid)
    atomic_write_text(root / STUDIES_FILE, format_rows(rows))
    return target, wid


def all_studies(root: Path) -> list[StudyRow]:
    """Every study: the rows of _studies.csv, then a study per included report not linked."""
    return complete_rows(read_study_rows(root), included_reports(root))


def study_map(root: Path) -> dict[str, str]:
    """{work id: study id} for every report included at full text (for PRISMA's study counts)."""
    included = {r.id for r in included_reports(root)}
    return {rid: s.id for s in all_studies(root) for rid in s.reports if rid in included}
