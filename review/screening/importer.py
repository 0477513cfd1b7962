"""`review screen import`: decisions made elsewhere (Rayyan, ASReview, a spreadsheet) into a reviewer's log.

The CSV needs a column naming the record and one giving the decision; a
reason column is optional. Column names are matched without regard to case,
spaces or underscores:

* record: ``record_id``, ``id``, ``key``, ``doi``, ``pmid`` (or ``pubmed_id``);
  when a row has several, the first that names a work of this review wins
  (ASReview's own ``record_id`` is a row number, so its DOI is tried too);
* decision: ``decision``, ``label``, ``included`` (ASReview), ``screening_decision``;
  values include/included/yes/y/1/true, exclude/excluded/no/n/0/false,
  maybe/undecided/unsure, not_retrieved; an empty value is an unscreened row and is skipped;
* reason: ``reason``, ``exclusion_reason``, ``exclusion_reasons`` (Rayyan): a reason key
  of protocol.yaml or its label.

Rows are checked first; any bad row (unknown record, unknown decision or
reason) is reported with file and line and nothing is written unless the
caller asks to keep the good rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from review.errors import InputError
from review.screening.decisions import Decision, ScreeningConfig, check_decision
from review.screening.works import RecordSet

ID_COLUMNS = ("record_id", "id", "key", "work_id", "doi", "pmid", "pubmed_id")
DECISION_COLUMNS = ("decision", "label", "included", "screening_decision", "label_included")
REASON_COLUMNS = ("reason", "exclusion_reason", "exclusion_reasons", "reason_key")
VALUES = {
    "include": "include", "included": "include", "yes": "include", "y": "include", "1": "include", "true": "include",
    "exclude": "exclude", "excluded": "exclude", "no": "exclude", "n": "exclude", "0": "exclude", "false": "exclude",
    "maybe": "maybe", "undecided": "maybe", "unsure": "maybe", "conflict": "maybe",
    "not_retrieved": "not_retrieved", "not retrieved": "not_retrieved",
}


@dataclass
class Imported:
    decisions: list[Decision] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped_empty: int = 0


def _norm(name: str) -> str:
    return "_".join(name.strip().lstrip("\ufeff").lower().replace("-", " ").split())


def read_decisions(path: Path, stage: str, records: RecordSet, config: ScreeningConfig,
                   display: str | None = None) -> Imported:
    """Every row as a Decision (keyed by work id), and one problem line per bad row."""
    shown = display or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as err:
        raise InputError(f"cannot read it: {err.strerror}", file=shown) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text; save the CSV as UTF-8", file=shown) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        raise InputError("the file is empty", file=shown)
    header = [_norm(h) for h in rows[0]]
    ids = [header.index(c) for c in ID_COLUMNS if c in header]
    dec = next((header.index(c) for c in DECISION_COLUMNS if c in header), None)
    rea = next((header.index(c) for c in REASON_COLUMNS if c in header), None)
    if not ids:
        raise InputError(f"no record column; name one of: {', '.join(ID_COLUMNS)}", file=shown, line=1)
    if dec is None:
        raise InputError(f"no decision column; name one of: {', '.join(DECISION_COLUMNS)}", file=shown, line=1)
    labels = {r.label.lower(): r.key for r in config.reasons}
    out = Imported()
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cell = lambda i: row[i].strip() if i is not None and i < len(row) else ""  # noqa: E731
        value = cell(dec).lower()
        if not value:
            out.skipped_empty += 1
            continue
        given = [cell(i) for i in ids if cell(i)]
        wid = next((w for w in (records.resolve(g) for g in given) if w), None)
        if wid is None:
            what = " / ".join(given) or "(empty)"
            out.problems.append(str(InputError(f"record {what} is not in this review", file=shown, line=n)))
            continue
        decision = VALUES.get(value)
        if decision is None:
            out.problems.append(str(InputError(f"decision {cell(dec)!r} is not include, exclude, maybe or not_retrieved",
                                               file=shown, line=n)))
            continue
        reason = cell(rea)
        if reason and reason not in config.reason_keys():
            reason = labels.get(reason.lower(), reason)
        if reason and decision != "exclude":
            reason = ""  # a reason kept beside an include (Rayyan keeps old labels): not ours to record
        why = check_decision(stage, decision, reason, config)
        if why and not why.startswith("at full text an exclusion needs"):
            out.problems.append(str(InputError(why, file=shown, line=n)))
            continue
        out.decisions.append(Decision(wid, decision, reason, f"imported from {Path(path).name}", line=n))
    return out
