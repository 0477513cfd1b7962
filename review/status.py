"""Where a review stands: a pure summary of its files, for `review status`."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from review.protocol import Protocol
from review.workspace import LIBRARY_FILE


def _question_text(q: dict[str, str]) -> str:
    if "text" in q and len(q) == 1:
        return q["text"]
    return "; ".join(f"{k}: {v}" for k, v in q.items() if v)


def review_status(protocol: Protocol, root: Path) -> dict:
    """Counts per search from the imported library, and the state of each stage."""
    library = root / LIBRARY_FILE
    per_search: Counter[str] | None = None
    if library.is_file():
        per_search = Counter()
        with open(library, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    per_search[json.loads(line)["source"]["search"]] += 1
    searches = []
    for s in protocol.searches:
        searches.append({
            "name": s.name, "database": s.database, "date": s.date, "file": f"records/searches/{s.file}",
            "exists": s.path(root).is_file(),
            "records": None if per_search is None else per_search.get(s.name, 0),
        })
    for o in protocol.other_sources:
        searches.append({
            "name": o.name, "database": o.method, "date": o.date, "file": f"records/searches/{o.file}" if o.file else "",
            "exists": bool(o.file) and (root / "records" / "searches" / o.file).is_file(),
            "records": None if per_search is None else per_search.get(o.name, 0),
        })
    total = None if per_search is None else sum(per_search.values())
    dedup = _dedup_counts(root)
    stages = {
        "import": "not run" if total is None else f"{total} records from {len(searches)} searches",
        "dedup": "not run" if dedup is None else (
            f"{dedup['works']} works, {dedup['duplicates_removed']} duplicates removed, "
            f"{dedup['possible_pairs']} pairs waiting for a person"),
        "analyses": f"{len(protocol.analyses)} planned" if protocol.analyses else "none planned",
    }
    nxt = ""
    if any(not s["exists"] for s in searches if s["file"]):
        nxt = "add the missing search files to records/searches/ (see `review check`)"
    elif total is None:
        nxt = "review import"
    elif dedup is None:
        nxt = "review dedup"
    elif dedup["possible_pairs"]:
        nxt = "review dedup --review --reviewer NAME"
    screening = None
    if protocol.screening or (root / "records" / "screening").is_dir():
        from review.screening.command import screening_status

        screening = screening_status(root)
    return {
        "title": protocol.title,
        "screening": screening,
        "question": _question_text(protocol.question),
        "searches": searches,
        "records": total,
        "dedup": dedup,
        "stages": stages,
        "next": nxt,
    }


def _dedup_counts(root: Path) -> dict | None:
    """The counts `review dedup` wrote last, or None if it has not run."""
    path = root / "output" / "dedup.json"
    if not path.is_file():
        return None
    with open(path, encoding="utf-8") as fh:
        return json.load(fh).get("counts")
