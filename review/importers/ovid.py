"""Ovid field-tagged exports ("Citavi" and "EndNote" styles), e.g. Embase via Ovid.

A record starts with a counter line "<3001. >", then "XX  - value" lines as in
MEDLINE format (VN DB UI ST TI SO AU IN AD ... MH ... AB ... YR). A value runs
on over lines indented by six spaces (affiliations) or over untagged lines
(the "EndNote" style splits structured abstracts that way). SO packs the
journal, volume, issue, pages and year together:

    Embase:  "BMC Proceedings. Conference: .... 12 (Supplement 3) (no pagination), 2018."
             "Journal of X. 45 (3) (pp 100-110), 2019. Date of Publication: ..."
    MEDLINE: "Journal of X. 45(3):100-10, 2019 Mar."

    title TI   abstract AB   authors AU   year YR (else SO)   journal/volume/issue/pages SO
    (JN, VO, IP, PG win where present)   doi DO   issn IS, ES   mesh MH (no "*")
    keywords KW   language LG   pub_types PT   url UR   accession UI (the PMID for MEDLINE)
    database DB ("Embase", "Ovid MEDLINE(R)" -> "MEDLINE", ...)
"""

from __future__ import annotations

import re

from review.importers._text import first, record_blocks, tagged_fields
from review.importers.embase_txt import comma_name
from review.importers.ris import canonical_database, fast_text, language_name, unique
from review.records import (
    Record,
    Source,
    normalise_author,
    normalise_doi,
    normalise_issn,
    normalise_pages,
    normalise_pmid,
    parse_year,
)

NAME = "ovid"
LABEL = "Ovid (Citavi/EndNote tagged)"

_COUNTER = re.compile(r"^<\d+\.? ?>[ \t]*$", re.M)
_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_SO_EMBASE = re.compile(
    r"(?:^|\.\s+)(?P<v>[^.()]*?)\s*(?:\((?P<i>[^()]*)\))?\s*\((?P<p>[^()]*)\),\s*(?P<y>\d{4})"
)
_SO_MEDLINE = re.compile(
    r"\.\s+(?P<v>[^.():\s]*)(?:\((?P<i>[^()]*)\))?:(?P<p>[A-Za-z]?\d[^,\s]*),\s*(?P<y>\d{4})"
)


def sniff(head: str) -> float:
    m = _COUNTER.search(head)
    if not m:
        return 0.0
    after = head[m.end(): m.end() + 600]
    if re.search(r"^(?:VN|DB|UI|TI|AU)  - ", after, re.M):
        return 0.95
    return 0.0


def parse(text: str, ctx) -> list[Record]:
    return record_blocks(
        text, ctx, _COUNTER, lambda block: tagged_fields(block, _TAG), record_from_raw,
        missing="no '<1. >' record counters: not an Ovid tagged export",
        empty=lambda m: "an empty record",
    )


def record_from_raw(raw: dict[str, list[str]], source: Source) -> Record:
    g = raw.get
    rec = Record(raw=raw, source=source)
    rec.title = fast_text(first(raw, "TI"))
    rec.abstract = fast_text(" ".join(g("AB", ())))
    rec.authors = [a for a in (normalise_author(comma_name(v)) for v in g("AU", ())) if a]
    so = fast_text(first(raw, "SO"))
    m = _SO_EMBASE.search(so) or _SO_MEDLINE.search(so)
    journal = volume = issue = pages = ""
    if m:
        journal = so[: m.start()].split(". Conference:")[0].strip()
        volume, issue = (m.group("v") or "").strip(), (m.group("i") or "").strip()
        pages = m.group("p").strip()
        pages = "" if pages.lower() == "no pagination" else pages.removeprefix("pp ")
    rec.journal = fast_text(first(raw, "JN")) or journal
    rec.volume = fast_text(first(raw, "VO")) or volume
    rec.issue = fast_text(first(raw, "IP")) or issue
    rec.pages = normalise_pages(first(raw, "PG") or pages)
    rec.year = parse_year(first(raw, "YR")) or (int(m.group("y")) if m else parse_year(so))
    for v in g("DO", ()):
        rec.doi = normalise_doi(v)
        if rec.doi:
            break
    rec.issn = normalise_issn(" ".join((g("IS") or []) + (g("ES") or [])))
    rec.mesh = unique(v.replace("*", "") for v in g("MH", ()))
    rec.keywords = unique(p for v in g("KW", ()) for p in v.replace("\n", ";").split(";"))
    rec.language = language_name(g("LG", ()))
    rec.pub_types = unique(g("PT", ()))
    rec.url = fast_text(first(raw, "UR"))
    rec.database = canonical_database(first(raw, "DB"))
    ui = fast_text(first(raw, "UI") or first(raw, "AN"))
    if rec.database == "MEDLINE" and ui.isdigit():
        rec.pmid = normalise_pmid(ui)
    else:
        rec.accession = ui
        if not rec.pmid:
            rec.pmid = normalise_pmid(first(raw, "PM"))
    return rec
