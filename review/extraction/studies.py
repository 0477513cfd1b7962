"""The studies extraction works on: records/extraction/_studies.csv.

Columns ``study,label,reports``: a short id (letters, digits, - _ .), the label
tables and plots show ("Author Year"), and the ids of the reports (records
included at full text) that belong to the study, separated by ``;``. Until
`review extract link` writes this file from the full-text decisions, it is
written by hand.
"""

from __future__ import annotations

import csv
import io
import re
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
