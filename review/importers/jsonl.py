"""JSON Lines as `review.writers.jsonl_writer` writes it: one `Record.to_dict()` per line.

Provenance (`source`) is kept as written, so records converted to JSONL and read
back still name the export they first came from.
"""

from __future__ import annotations

import json

from review.records import Record

NAME = "jsonl"
LABEL = "JSON Lines"


def sniff(head: str) -> float:
    """0.95 when the first line is a JSON object with a "title" or "id" key."""
    lines = head.lstrip("\ufeff").split("\n")
    i = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if i is None or not lines[i].lstrip().startswith("{"):
        return 0.0
    first = lines[i].strip()
    try:
        obj = json.loads(first)
    except ValueError:
        # A first record longer than the sniffed head is cut short: look at its keys
        # (sorted by the writer, so a long "abstract" comes before "id" and "title").
        cut = i == len(lines) - 1
        keyed = first.startswith('{"abstract": ') or '"title": ' in first or '"id": ' in first
        return 0.9 if cut and first.startswith('{"') and keyed else 0.0
    return 0.95 if isinstance(obj, dict) and ("title" in obj or "id" in obj) else 0.0


def parse(text: str, ctx) -> list[Record]:
    records: list[Record] = []
    lines = text.split("\n")
    last = max((i for i, ln in enumerate(lines) if ln.strip()), default=-1)
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        lineno = i + 1
        try:
            obj = json.loads(line)
        except ValueError as err:
            if not records and i == last:
                raise ctx.error(f"not a JSON object ({err.msg})", line=lineno) from None
            what = "truncated last line" if i == last else "line is not valid JSON"
            ctx.warn(f"{what} ({err.msg}); skipped", line=lineno)
            continue
        if not isinstance(obj, dict):
            ctx.warn("line is not a JSON object; skipped", line=lineno)
            continue
        try:
            rec = Record.from_dict(obj)
        except (TypeError, ValueError) as err:
            raise ctx.error(f"not a record ({err})", line=lineno) from None
        if not rec.source.line:
            rec.source.line = lineno
        if not rec.source.position:
            rec.source.position = len(records) + 1
        records.append(rec)
    return records
