"""Records out as RIS, such that review's RIS importer reads every normalised field back unchanged.

One record per "TY  - " ... "ER  - " block, a blank line between records,
one value per line (values never hold a line break: normalised fields are
single-line text). Tags, in the order written:

    TY  type: the record's own TY when it came from RIS, else from pub_types
        (CONF, BOOK, CHAP, THES) or JOUR
    TI  title                         AU  each author ("Family, I.N.")
    PY  year                          T2  journal (full name)
    J2  journal_abbrev                VL  volume          IS  issue
    SP  pages; EP the last page when pages is "first-last"
    DO  doi                           SN  each ISSN
    AB  abstract                      KW  each keyword
    MH  each MeSH/Emtree term (not a standard RIS tag; review reads it back as mesh)
    LA  language                      M3  each publication type
    UR  url                           AN  accession (the database's own number)
    DB  database, written even when empty: an empty DB tells the importer the
        file names no database, so it does not guess one from the URL or AN
    U1  identifiers with a label, as Dimensions writes them:
        "<pmid> [PMID]", "<pmcid> [PMCID]", "<eid> [EID]", "<wos_ut> [UT]"
    ER

The importer reads KW as keywords here because the writer uses none of the
tags that mark a thesaurus export (U2 "L...", C3, an Ovid L2 link). Limits of
the round trip: pub types are split on ";" when read (a type holding ";" comes
back as two); keyword and term lists lose case-insensitive repeats (as
dedupe_list does); an empty EID next to a scopus.com link holding "eid=2-s2.0-..."
is filled in from the link; database names are canonicalised ("Medline" ->
"MEDLINE", "psyh" -> "PsycInfo").
"""

from __future__ import annotations

NAME = "ris"
SUFFIXES = (".ris",)

_TYPES = (
    ("conference", "CONF"), ("proceedings", "CONF"), ("book chapter", "CHAP"),
    ("chapter", "CHAP"), ("book", "BOOK"), ("thesis", "THES"), ("dissertation", "THES"),
)


def _type(rec) -> str:
    ty = (rec.raw.get("TY") or [""])[0].strip() if rec.source.format == "ris" else ""
    if ty:
        return ty
    for pt in rec.pub_types:
        low = pt.lower()
        for word, code in _TYPES:
            if word in low:
                return code
    return "JOUR"


def _dotted(author: str) -> str:
    """"Smith, JA" -> "Smith, J.A.", the usual RIS form; normalise_author reads it back
    as "Smith, JA" even with five or more initials, which it would cut to one undotted."""
    family, sep, initials = author.rpartition(", ")
    if sep and initials.isalpha() and initials.isupper():
        return f"{family}, {'.'.join(initials)}."
    return author


def _line(out: list[str], tag: str, value) -> None:
    value = "" if value is None else " ".join(str(value).split())
    if value:
        out.append(f"{tag}  - {value}")


def record_lines(rec) -> list[str]:
    """The RIS lines of one record, TY to ER."""
    out = [f"TY  - {_type(rec)}"]
    _line(out, "TI", rec.title)
    for a in rec.authors:
        _line(out, "AU", _dotted(a))
    _line(out, "PY", rec.year)
    _line(out, "T2", rec.journal)
    _line(out, "J2", rec.journal_abbrev)
    _line(out, "VL", rec.volume)
    _line(out, "IS", rec.issue)
    first, sep, last = rec.pages.partition("-")
    if sep and first and last and "-" not in last and " " not in rec.pages:
        _line(out, "SP", first)
        _line(out, "EP", last)
    else:
        _line(out, "SP", rec.pages)
    _line(out, "DO", rec.doi)
    for issn in rec.issn:
        _line(out, "SN", issn)
    _line(out, "AB", rec.abstract)
    for kw in rec.keywords:
        _line(out, "KW", kw)
    for term in rec.mesh:
        _line(out, "MH", term)
    _line(out, "LA", rec.language)
    for pt in rec.pub_types:
        _line(out, "M3", pt)
    _line(out, "UR", rec.url)
    _line(out, "AN", rec.accession)
    out.append(f"DB  - {rec.database}" if rec.database else "DB  - ")
    for value, label in ((rec.pmid, "PMID"), (rec.pmcid, "PMCID"), (rec.eid, "EID"), (rec.wos_ut, "UT")):
        if value:
            _line(out, "U1", f"{value} [{label}]")
    out.append("ER  - ")
    return out


def write(records, fh) -> None:
    """Write `records` to the open text file `fh` as RIS."""
    for rec in records:
        fh.write("\n".join(record_lines(rec)))
        fh.write("\n\n")
