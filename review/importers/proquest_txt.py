"""ProQuest "Report" plain text ("Report Information from ProQuest").

A header block and a table of contents, then one block per document:
"Document n of N", the title alone, "Field: value" paragraphs separated by
blank lines (a paragraph without a known label continues the field above:
a second link, a second abstract paragraph), and a rule of underscores. A
"Bibliography" section may follow the last document (the same records again
as BibTeX); it is not read.

    title Title (else the line after "Document n of N")   abstract Abstract
    authors Author (";"-separated)   year Publication year (else Publication date)
    journal Publication title   volume Volume   issue Issue   pages Pages
    doi DOI   issn ISSN, e-ISSN   accession ProQuest document ID
    keywords Identifier / keyword, Subject   mesh MeSH   language Language (of publication)
    pub_types Document type   url Document URL (else the docview link)   database Database
"""

from __future__ import annotations

import re

from review.importers._text import first, record_blocks
from review.importers.ris import fast_text, language_name, unique
from review.records import (
    Record,
    Source,
    normalise_author,
    normalise_doi,
    normalise_issn,
    normalise_pages,
    parse_year,
)

NAME = "proquest_txt"
LABEL = "ProQuest report (plain text)"

_DOC = re.compile(r"^Document (\d+) of (\d+)[ \t]*$", re.M)
_RULE = re.compile(r"^_{20,}[ \t]*$", re.M)
_LABEL = re.compile(r"^([A-Z][A-Za-z0-9 /()&.-]{0,40}?):(?:\s|$)")
LABELS = {
    "Author", "Editor", "Advisor", "Committee member", "Abstract", "Links", "Title",
    "Publication title", "Volume", "Issue", "Pages", "First page", "Number of pages",
    "Publication year", "Publication date", "Year", "Publisher", "Place of publication",
    "Country of publication", "Publication subject", "ISSN", "e-ISSN", "ISBN", "Source type",
    "Language of publication", "Language", "Document type", "DOI", "ProQuest document ID",
    "Document URL", "Copyright", "Last updated", "Database", "Identifier / keyword", "Subject",
    "MeSH", "Classification", "Degree", "Degree date", "Department", "Dissertation/thesis number",
    "School code", "Source", "University/institution", "University location", "Section",
    "Location", "Company / organization", "Person", "Supplement", "Conference title",
    "Accession number", "Update", "Publication history", "Online publication date",
    "First posted date", "Peer reviewed", "Scholarly", "Feature", "Dateline",
    "Document feature", "Notes", "Credit", "Corporate author", "Sponsor", "Contact",
    "Journal subset", "Population group", "Age group", "Methodology", "Tests and measures",
    "Grant information", "Correction date", "Publication note", "Keywords", "Loaded date",
}


def sniff(head: str) -> float:
    if "Report Information from ProQuest" in head[:2000]:
        return 0.95
    if _DOC.search(head) and "ProQuest document ID:" in head:
        return 0.9
    return 0.0


def parse(text: str, ctx) -> list[Record]:
    return record_blocks(
        text, ctx, _DOC, _fields, record_from_raw, stop=_RULE,
        missing="no 'Document n of N' lines: not a ProQuest report",
        empty=lambda m: f"document {m.group(1)} is empty",
        stated="the report says {stated} documents but holds {held}",
    )


def _fields(block: str) -> dict[str, list[str]]:
    """Paragraphs -> field: the first unlabelled one is the heading title, a bare
    URL (outside Links) is the document link, others continue the field above."""
    raw: dict[str, list[str]] = {}
    current: list[str] | None = None
    for para in re.split(r"\n[ \t]*\n", block.strip("\n")):
        para = para.strip()
        if not para:
            continue
        m = _LABEL.match(para)
        if m and m.group(1) in LABELS:
            current = raw.setdefault(m.group(1), [])
            current.append(para[m.end():].strip())
        elif para.startswith("http") and current is not raw.get("Links"):
            raw.setdefault("_link", []).append(para)  # the document's link, under the author
        elif current is None:
            raw.setdefault("_heading", []).append(para)
        else:
            current[-1] = f"{current[-1]}\n{para}"
    return raw


def record_from_raw(raw: dict[str, list[str]], source: Source) -> Record:
    g = raw.get
    rec = Record(raw=raw, source=source)
    rec.title = fast_text(first(raw, "Title") or first(raw, "_heading"))
    rec.abstract = fast_text(" ".join(g("Abstract", ())))
    rec.authors = [a for a in (normalise_author(p) for v in g("Author", ()) for p in v.split(";")) if a]
    rec.year = parse_year(first(raw, "Publication year") or first(raw, "Year") or first(raw, "Publication date"))
    rec.journal = fast_text(first(raw, "Publication title"))
    rec.volume = fast_text(first(raw, "Volume"))
    rec.issue = fast_text(first(raw, "Issue"))
    rec.pages = normalise_pages(first(raw, "Pages") or first(raw, "First page"))
    rec.doi = normalise_doi(first(raw, "DOI"))
    rec.issn = normalise_issn(" ".join((g("ISSN") or []) + (g("e-ISSN") or [])))
    rec.accession = fast_text(first(raw, "ProQuest document ID"))
    rec.keywords = unique(
        p for tag in ("Identifier / keyword", "Subject") for v in g(tag, ())
        for p in re.split(r"[;,]\s", v.replace("\n", " "))
    )
    rec.mesh = unique(p for v in g("MeSH", ()) for p in v.split(";"))
    rec.language = language_name(g("Language of publication") or g("Language") or ())
    rec.pub_types = unique(p for v in g("Document type", ()) for p in v.split(","))
    rec.url = fast_text(first(raw, "Document URL") or first(raw, "_link").split("\n")[0])
    rec.database = fast_text(first(raw, "Database"))
    return rec
