"""The example review as a ReviewState, built from tests/data/example_truth.json.

The ground truth gives each work's databases (P = PubMed, S = Scopus, W = Web
of Science, R = citation searching) and its role. The screening outcomes are
invented from the roles: "included" and "excluded_ft" went on to full text
(included, or excluded for the reason named by the first words of their
category), "excluded_ta" and "irrelevant" were excluded at title-abstract.
"""

from __future__ import annotations

import json
from pathlib import Path

from review.prisma.counts import ReviewState, SourceInfo, Work

TRUTH = Path(__file__).resolve().parents[1] / "data" / "example_truth.json"
LETTERS = {"P": "pubmed", "S": "scopus", "W": "wos", "R": "citations"}
SOURCES = [
    SourceInfo("pubmed", "PubMed", "database"),
    SourceInfo("scopus", "Scopus", "database"),
    SourceInfo("wos", "Web of Science Core Collection", "database"),
    SourceInfo("citations", "Citation searching", "citation"),
]


def reason_label(category: str) -> str:
    """'review article (Part 1 of a two-part review)' -> 'Review article'."""
    head = category.split(" (")[0]
    return head[:1].upper() + head[1:]


def example_works() -> list[dict]:
    return json.loads(TRUTH.read_text(encoding="utf-8"))["works"]


def example_state() -> ReviewState:
    works = []
    for w in example_works():
        records = tuple((f"{LETTERS[ch]}:{w['key']}", LETTERS[ch]) for ch in w["databases"])
        role = w["role"]
        if role in ("included", "excluded_ft"):
            works.append(Work(
                id=w["key"], records=records, title_abstract="include",
                full_text="include" if role == "included" else "exclude",
                reason=reason_label(w["category"]) if role == "excluded_ft" else "",
                study=w.get("study") or "",
            ))
        else:
            works.append(Work(id=w["key"], records=records, title_abstract="exclude"))
    return ReviewState(SOURCES, works)
