"""PubMed's MEDLINE format ("PubMed format", .nbib, .medline, .txt).

A record is a block of lines "TAG - value", the tag left-justified in four
columns ("PMID- ", "TI  - ", "FAU - "), blocks separated by blank lines. A value
runs on over lines indented by six spaces. Tags repeat (AU, FAU, AD, MH, PT,
IS, AID, OT). What the normalised fields come from:

    title TI (BTI for books)     abstract AB            authors AU (else FAU), then CN
    year DP (else DEP)           journal JT             journal_abbrev TA
    volume VI   issue IP   pages PG                     doi AID/LID "... [doi]"
    pmid PMID   pmcid PMC        issn IS (Print, Electronic, Linking)
    keywords OT                  mesh MH without the "*" major-topic marks
    language LA ("eng" -> "English")                    pub_types PT

`database` is "PubMed". A last record cut short (no SO line, PubMed's last
tag) is kept with a warning.
"""

from __future__ import annotations

import re
from sys import intern

from review.importers.ris import INITIALS, NOT_PLAIN, fast_text, gc_paused, language_name, unique
from review.records import (
    Record,
    Source,
    normalise_author,
    normalise_doi,
    normalise_issn,
    normalise_pages,
    normalise_pmcid,
    normalise_pmid,
    parse_year,
)

NAME = "medline"
LABEL = "PubMed MEDLINE"

_PMID_LINE = re.compile(r"^PMID- ?\d", re.M)
_MEDLINE_TAG = re.compile(r"^(?:FAU |STAT|OWN |JT  |TA  |DP  |EDAT|CRDT|JID |PST )- ", re.M)
_RIS_TY = re.compile(r"^TY  -", re.M)


def sniff(head: str) -> float:
    if _RIS_TY.search(head):
        return 0.0
    if _PMID_LINE.search(head):
        return 0.95
    kinds = {m.group(0)[:4] for m in _MEDLINE_TAG.finditer(head)}
    return 0.6 if len(kinds) >= 3 else 0.0


def parse(text: str, ctx) -> list[Record]:
    """Blocks separated by blank lines (or starting with PMID-), each one record."""
    with gc_paused():
        return _parse(text, ctx)


def _parse(text: str, ctx) -> list[Record]:
    records: list[Record] = []
    line = 1
    pos = 0
    for start, end in _blocks(text):
        line += text.count("\n", pos, start)
        pos = start
        block = text[start:end]
        raw = _fields(block)
        if raw is None:
            if block.strip():
                ctx.warn("not a MEDLINE record (no 'TAG - value' lines); skipped", line=line)
            continue
        records.append(record_from_raw(raw, Source(position=len(records) + 1, line=line)))
    if not records and text.strip():
        first = next(i for i, s in enumerate(text.split("\n"), 1) if s.strip())
        raise ctx.error("no MEDLINE records: expected lines such as 'PMID- 12345678'", line=first)
    if records and "SO" not in records[-1].raw and len(records) > 1 and "SO" in records[-2].raw:
        pmid = records[-1].pmid or "?"
        ctx.warn(f"the last record (PMID {pmid}) is cut short: it has no SO line; kept what is there",
                 line=records[-1].source.line)
    return records


def _blocks(text: str):
    """(start, end) of each block between blank lines; a block holding two PMID
    lines (no blank line between records) is cut before the second. (str.find,
    not a regex: this runs over every byte of the file.)"""
    n = len(text)
    pos = 0
    while pos < n:
        while pos < n and text[pos] == "\n":
            pos += 1
        if pos >= n:
            break
        i = text.find("\n\n", pos)
        end = n if i < 0 else i
        cut = text.find("\nPMID-", pos, end)
        while cut >= 0:
            yield pos, cut + 1
            pos = cut + 1
            cut = text.find("\nPMID-", pos, end)
        yield pos, end
        pos = end


_TAG_BREAK = re.compile(r"\n([A-Z][A-Z0-9]{1,3}) *-(?: |(?=\n)|$)")


def _fields(block: str) -> dict[str, list[str]] | None:
    """tag -> values, continuation lines joined with a space.

    One regex split cuts the block before every tag (in C); a value keeps
    its continuation lines until they are joined here.
    """
    parts = _TAG_BREAK.split("\n" + block)
    if len(parts) < 3:
        return None
    raw: dict[str, list[str]] = {}
    it = iter(parts)
    next(it)  # text before the first tag: "" in a well-formed block
    for tag, value in zip(it, it):
        if "\n" in value:  # NLM leaves a space before a line break, or not
            value = value.replace(" \n      ", " ").replace("\n      ", " ")
            if "\n" in value:  # odd indentation, or the block's last newline
                value = " ".join(s for s in (p.strip() for p in value.split("\n")) if s)
        have = raw.get(tag)
        if have is None:
            raw[intern(tag)] = [value]  # one key object for all records: less memory
        else:
            have.append(value)
    return raw


# MEDLINE's initials are one to three capitals; "JR", "SR", "II" are initials too
# (NLM writes suffixes "Jr", "Sr", "2nd", "3rd"), where normalise_author would
# take them for suffixes and drop them ("Brown JR" -> "Brown", FAU "Brown, John Robert").
_INITIALS = INITIALS
_NOT_PLAIN = NOT_PLAIN


def medline_authors(values: list[str]) -> list[str]:
    """normalise_author over MEDLINE's "Family INI" names, in bulk.

    When every name is a family name (not all capitals, no punctuation, single
    spaces) then one to three capital initials, normalise_author would only put
    a comma between them: do that for all at once. Otherwise name by name.
    One deliberate difference: initials "JR", "SR", "II", "III", "IV" are kept
    (normalise_author drops them as suffixes; in MEDLINE they are initials).
    """
    parts = [v.rpartition(" ") for v in values]
    families = [p[0] for p in parts]
    initials = [p[2] for p in parts]
    if (
        all(map(_INITIALS.__contains__, initials))
        and not any(map(str.isupper, families))
        and max(map(len, families), default=0) <= 60
        and not _NOT_PLAIN.search("\n".join(families))
    ):
        return [f"{f}, {i}" for f, i in zip(families, initials)]
    return [a for a in map(medline_author, values) if a]


def medline_author(value: str) -> str:
    """One name: the same test as `medline_authors`, else normalise_author."""
    family, _, ini = value.rpartition(" ")
    if ini in _INITIALS and not family.isupper() and len(family) <= 60 and not _NOT_PLAIN.search(family):
        return f"{family}, {ini}"
    return normalise_author(value)


def record_from_raw(raw: dict[str, list[str]], source: Source) -> Record:
    g = raw.get
    rec = Record(raw=raw, source=source, database="PubMed")
    rec.pmid = normalise_pmid(_one(raw, "PMID"))
    rec.title = fast_text(_one(raw, "TI") or _one(raw, "BTI"))
    ab = g("AB")
    if ab:
        rec.abstract = fast_text(ab[0] if len(ab) == 1 else " ".join(ab))
    au = g("AU") or g("FAU")
    authors = medline_authors(au) if au else []
    cn = g("CN")
    if cn:
        authors.extend(a for a in map(fast_text, cn) if a)
    rec.authors = authors
    rec.year = parse_year(_one(raw, "DP") or _one(raw, "DEP"))
    rec.journal = fast_text(_one(raw, "JT"))
    rec.journal_abbrev = fast_text(_one(raw, "TA"))
    rec.volume = fast_text(_one(raw, "VI"))
    rec.issue = fast_text(_one(raw, "IP"))
    pg = _one(raw, "PG")
    if pg:
        rec.pages = normalise_pages(pg)
    for v in (g("AID") or []) + (g("LID") or []):
        if v.endswith("[doi]"):
            rec.doi = normalise_doi(v[:-5])
            if rec.doi:
                break
    pmc = _one(raw, "PMC")
    if pmc:
        rec.pmcid = normalise_pmcid(pmc)
    issn = g("IS")
    if issn:
        rec.issn = normalise_issn(" ".join(issn))
    if "OT" in raw:
        rec.keywords = unique(g("OT"))
    if "MH" in raw:
        rec.mesh = unique([v.replace("*", "") for v in g("MH")])
    if "LA" in raw:
        rec.language = language_name(g("LA"))
    if "PT" in raw:
        rec.pub_types = unique(g("PT"))
    return rec


def _one(raw: dict, tag: str) -> str:
    v = raw.get(tag)
    return v[0] if v else ""
