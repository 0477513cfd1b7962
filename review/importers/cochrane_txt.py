"""Cochrane Library plain text ("Record #1 of 271", then "XX: value" lines).

Both the reviews (CDSR, ids "CD...") and the trials register (CENTRAL, ids
"CN-...") export this way. Tags: ID AU TI SO YR VL NO PG PB KY DOI AB US CC
(and PM/XR for CENTRAL's links to PubMed/Embase). Authors are written family
name first with given names in full and no comma ("Van Ryswyk Emer", "Crowther
Caroline A"); `_author` turns them into "Family, Initials". KY holds ";"-joined
index terms with "[checkword]" markers, which are dropped.

    title TI   abstract AB   authors AU   year YR   journal SO   volume VL
    issue NO   pages PG   doi DOI   pmid PM/XR "PUBMED n"   accession ID
    keywords KY   pub_types PT   url US   database from the ID (CENTRAL or CDSR)
"""

from __future__ import annotations

import re

from review.importers._text import first, record_blocks, tagged_fields
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

NAME = "cochrane_txt"
LABEL = "Cochrane Library plain text"

_RECORD = re.compile(r"^Record #(\d+) of (\d+)\s*$", re.M)
_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}): ?(.*)$")
_PUBMED = re.compile(r"PUBMED\s+(\d+)", re.I)
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "dalla", "du", "la",
              "le", "dos", "das", "do", "ter", "ten", "el", "al", "bin", "ibn", "y", "i", "e", "st", "mac"}


def sniff(head: str) -> float:
    m = _RECORD.search(head)
    if not m:
        return 0.0
    after = head[m.end(): m.end() + 400]
    if re.search(r"^(?:ID|AU|TI|SO|YR): ", after, re.M) and "TY  -" not in after:
        return 0.95
    return 0.0


def parse(text: str, ctx) -> list[Record]:
    return record_blocks(
        text, ctx, _RECORD, lambda block: tagged_fields(block, _TAG), record_from_raw,
        missing="no 'Record #n of N' lines: not a Cochrane Library text export",
        empty=lambda m: f"record #{m.group(1)} is empty",
        stated="the file says {stated} records but holds {held}",
    )


def record_from_raw(raw: dict[str, list[str]], source: Source) -> Record:
    g = raw.get
    rec = Record(raw=raw, source=source)
    rec.accession = fast_text(first(raw, "ID"))
    rec.title = fast_text(first(raw, "TI"))
    rec.abstract = fast_text(" ".join(g("AB", ())))
    rec.authors = [a for a in (_author(v) for v in g("AU", ())) if a]
    rec.year = parse_year(first(raw, "YR"))
    rec.journal = fast_text(first(raw, "SO"))
    rec.volume = fast_text(first(raw, "VL"))
    rec.issue = fast_text(first(raw, "NO"))
    rec.pages = normalise_pages(first(raw, "PG"))
    rec.doi = normalise_doi(first(raw, "DOI"))
    rec.issn = normalise_issn(" ".join(g("SN", ())))
    rec.keywords = unique(
        p.replace("[checkword]", "") for v in g("KY", ()) for p in v.replace("\n", " ").split(";")
    )
    rec.language = language_name(g("LA", ()))
    rec.pub_types = unique(p for v in g("PT", ()) for p in v.split(";"))
    rec.url = fast_text(first(raw, "US"))
    for v in (g("PM") or []) + (g("XR") or []):
        m = _PUBMED.search(v)
        if m:
            rec.pmid = m.group(1).lstrip("0")
            break
    if rec.accession.startswith("CN-"):
        rec.database = "Cochrane CENTRAL"
    elif rec.accession.startswith("CD"):
        rec.database = "Cochrane CDSR"
    return rec


def _author(value: str) -> str:
    """"Crowther Caroline A" -> "Crowther, CA"; "van de Wetering Marianne D" -> "van de Wetering, MD".

    The family name is the first word with any particles before or after it
    ("Roqué i Figuls Marta"); when initials close the name, every full word but
    the last belongs to the family name ("Amorim Adegboye Amanda R").
    """
    value = fast_text(value)
    if not value or "," in value:
        return normalise_author(value)
    words = value.split()
    if len(words) == 1:
        return normalise_author(value)
    n_initials = 0
    while n_initials < len(words) - 1 and _is_initials(words[len(words) - 1 - n_initials]):
        n_initials += 1
    full = words[: len(words) - n_initials]
    if n_initials:
        cut = len(full) - 1 if len(full) >= 2 else len(full)
    else:
        last = len(full) - 1  # at least one word stays a given name
        cut = 0
        while cut < last and full[cut].lower() in _PARTICLES:
            cut += 1
        cut += 1  # the family word itself
        while cut < last and full[cut].lower() in _PARTICLES:  # "Roqué i Figuls", "Pineda de la Losa"
            while cut < last and full[cut].lower() in _PARTICLES:
                cut += 1
            cut += 1
        cut = min(cut, last)
    family = " ".join(words[:cut])
    given = " ".join(words[cut:])
    if not given:
        return normalise_author(value)
    return normalise_author(f"{family}, {given}")


def _is_initials(word: str) -> bool:
    w = word.replace(".", "").replace("-", "")
    return 0 < len(w) <= 3 and w.isalpha() and w.isupper()
