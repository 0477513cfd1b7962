"""Embase.com plain text ("RECORD 1", then headings such as "TITLE" on their own line).

A heading stands alone on a line; its value follows, the first line indented
(two spaces, one for AUTHOR KEYWORDS), hard-wrapped at about 75 columns with
the wrapped lines not indented. A wrapped line ends in a space when the break
fell between words; a line that does not is a real line break (one address
per line). An upper-case wrapped line ("CARE IN CHILDHOOD CANCER IN PERU")
is not a heading: a line is a heading only when it is a known Embase field
name, or looks like one and the next line is indented.

    title TITLE   abstract ABSTRACT   authors AUTHOR NAMES (";"-separated, "Family I.")
    year PUBLICATION YEAR   journal SOURCE TITLE   volume VOLUME   issue ISSUE
    pages FIRST PAGE-LAST PAGE   doi DOI   pmid MEDLINE PMID   accession PUI
    issn ISSN   keywords AUTHOR KEYWORDS   mesh the EMTREE ... INDEX TERMS
    language LANGUAGE OF ARTICLE   pub_types PUBLICATION TYPE   url EMBASE LINK
    database "Embase"
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
    normalise_pmid,
    parse_year,
)

NAME = "embase_txt"
LABEL = "Embase.com plain text"

_RECORD = re.compile(r"^RECORD (\d+)[ \t]*$", re.M)
_HEADING_LIKE = re.compile(r"^[A-Z][A-Za-z]*(?:[ /][A-Z(][A-Za-z()/-]*)*$")
HEADINGS = {
    "TITLE", "ORIGINAL (NON-ENGLISH) TITLE", "AUTHOR NAMES", "AUTHOR ADDRESSES",
    "CORRESPONDENCE ADDRESS", "EDITORS", "SOURCE", "SOURCE TITLE", "PUBLICATION YEAR",
    "VOLUME", "ISSUE", "FIRST PAGE", "LAST PAGE", "DATE OF PUBLICATION", "PUBLICATION TYPE",
    "ISSN", "ISBN", "BOOK PUBLISHER", "ABSTRACT", "EMTREE DRUG INDEX TERMS (MAJOR FOCUS)",
    "EMTREE DRUG INDEX TERMS", "EMTREE MEDICAL INDEX TERMS (MAJOR FOCUS)",
    "EMTREE MEDICAL INDEX TERMS", "DRUG TRADE NAMES", "DRUG MANUFACTURERS",
    "DEVICE TRADE NAMES", "DEVICE MANUFACTURERS", "CAS REGISTRY NUMBERS",
    "EMBASE CLASSIFICATIONS", "LANGUAGE OF ARTICLE", "LANGUAGE OF SUMMARY",
    "EMBASE ACCESSION NUMBER", "PUI", "MEDLINE PMID", "DOI", "FULL TEXT LINK", "EMBASE LINK",
    "COPYRIGHT", "AiP/IP ENTRY DATE", "FULL RECORD ENTRY DATE", "CONFERENCE NAME",
    "CONFERENCE LOCATION", "CONFERENCE DATE", "CLINICAL TRIAL NUMBERS", "AUTHOR KEYWORDS",
    "MOLECULAR SEQUENCE NUMBERS", "CONFERENCE EDITOR", "DEVICE INDEX TERMS",
    "EMTREE DEVICE INDEX TERMS", "SOURCE TITLE ABBREVIATION", "ARTICLE NUMBER",
}
# Values made of short items, where an upper-case wrapped line could pass for a heading.
_LIST_FIELDS = {"DRUG TRADE NAMES", "DRUG MANUFACTURERS", "DEVICE TRADE NAMES",
                "DEVICE MANUFACTURERS", "CAS REGISTRY NUMBERS", "CLINICAL TRIAL NUMBERS"}


def sniff(head: str) -> float:
    m = _RECORD.search(head)
    if not m:
        return 0.0
    nxt = head[m.end(): m.end() + 200].lstrip("\n").split("\n", 1)[0].strip()
    return 0.95 if nxt in HEADINGS else 0.0


def parse(text: str, ctx) -> list[Record]:
    return record_blocks(
        text, ctx, _RECORD, _fields, record_from_raw,
        missing="no 'RECORD n' lines: not an Embase.com text export",
        empty=lambda m: f"RECORD {m.group(1)} is empty",
    )


def _fields(block: str) -> dict[str, list[str]]:
    """A record's lines into {heading: [values]} (see the module's note on headings)."""
    lines = block.split("\n")
    raw: dict[str, list[str]] = {}
    heading = ""
    parts: list[str] = []

    def close() -> None:
        if heading:
            raw.setdefault(heading, []).append(_join(parts))

    for i, s in enumerate(lines):
        bare = s.strip()
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if s and s[0] != " " and (
            bare in HEADINGS
            or (heading not in _LIST_FIELDS and _HEADING_LIKE.match(bare) and bare.upper() == bare
                and nxt.startswith(" "))
        ):
            close()
            heading, parts = bare, []
        elif heading and s:
            parts.append(s)
    close()
    return raw


def _join(parts: list[str]) -> str:
    """Wrapped lines back into one value; lines that ended without a space stay lines."""
    out = ""
    for p in parts:
        p = p.lstrip(" ") if not out else p
        if not out:
            out = p
        elif out.endswith(" "):
            out += p
        else:
            out += "\n" + p.strip()
    return out.strip()


def _is_initials(word: str) -> bool:
    """"M.J.", "A.-F.A.", "Á.", "Ch.": Embase writes initials with a full stop after each."""
    if not word.endswith("."):
        return False
    pieces = word.replace("-", "").split(".")[:-1]
    return all(p and len(p) <= 2 and p.isalpha() and p[0].isupper() for p in pieces)


def comma_name(name: str) -> str:
    """Embase's "Mentis A.-F.A." -> "Mentis, A.-F.A.": Embase dots every initial, so only the
    last word is initials and a short capitalised surname stays in the family name
    ("Garces PAZ D.F.", where normalise_author alone would take PAZ for initials)."""
    name = name.strip()
    family, _, last = name.rpartition(" ")
    if family and "," not in name and _is_initials(last):
        return f"{family}, {last}"
    return name


def _terms(values) -> list[str]:
    return [t for v in values for t in (x.strip() for x in v.replace("\n", ";").split(";")) if t]


def record_from_raw(raw: dict[str, list[str]], source: Source) -> Record:
    g = raw.get
    rec = Record(raw=raw, source=source, database="Embase")
    rec.title = fast_text(first(raw, "TITLE"))
    rec.abstract = fast_text(" ".join(g("ABSTRACT", ())))
    names = " ".join(g("AUTHOR NAMES", ())).replace("\n", " ").split(";")
    rec.authors = [a for a in (normalise_author(comma_name(n)) for n in names) if a]
    rec.year = parse_year(first(raw, "PUBLICATION YEAR") or first(raw, "DATE OF PUBLICATION"))
    rec.journal = fast_text(first(raw, "SOURCE TITLE"))
    rec.journal_abbrev = fast_text(first(raw, "SOURCE TITLE ABBREVIATION"))
    rec.volume = fast_text(first(raw, "VOLUME"))
    rec.issue = fast_text(first(raw, "ISSUE"))
    start, end = fast_text(first(raw, "FIRST PAGE")), fast_text(first(raw, "LAST PAGE"))
    rec.pages = normalise_pages(f"{start}-{end}" if start and end else start or _article_number(raw))
    rec.doi = normalise_doi(first(raw, "DOI"))
    rec.pmid = normalise_pmid(first(raw, "MEDLINE PMID"))
    rec.accession = fast_text(first(raw, "PUI"))
    rec.issn = normalise_issn(" ".join(g("ISSN", ())))
    rec.keywords = unique(_terms(g("AUTHOR KEYWORDS", ())))
    rec.mesh = unique(_terms(
        v for h in ("EMTREE DRUG INDEX TERMS (MAJOR FOCUS)", "EMTREE DRUG INDEX TERMS",
                    "EMTREE MEDICAL INDEX TERMS (MAJOR FOCUS)", "EMTREE MEDICAL INDEX TERMS")
        for v in g(h, ())
    ))
    rec.language = language_name(t for v in _terms(g("LANGUAGE OF ARTICLE", ())) for t in v.split(", "))
    rec.pub_types = unique(_terms(g("PUBLICATION TYPE", ())))
    rec.url = fast_text(first(raw, "EMBASE LINK"))
    return rec


_ART_NO = re.compile(r"Article Number: (\S+?)\.?(?:\s|$)")
_SRC_PAGES = re.compile(r"^.*?\(\d{4}\)(?: [^()]*?)? \(([^()]+)\)\.")


def _article_number(raw: dict) -> str:
    """With no FIRST PAGE, SOURCE may say "Article Number: e32158" or "(2026) (215653332614)"."""
    source = fast_text(first(raw, "SOURCE"))
    m = _ART_NO.search(source) or _SRC_PAGES.match(source)
    return m.group(1) if m else first(raw, "ARTICLE NUMBER")
