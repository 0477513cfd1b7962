"""Column maps for every CSV/TSV export layout that `tabular` recognises.

A `Layout` says which header names feed which normalised field, how the layout
is recognised from its header, and how to finish a record where one cell packs
several fields (PubMed's "Citation", Embase's "Source", WoS's BP/EP). The
reading of rows, quirks and normalisation of plain cells live in `tabular`.

Header names are compared as *keys*: lower-case, surrounding quotes and white
space dropped, inner white space collapsed ("Source title" -> "source title").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from review.records import (
    NORMALISED_FIELDS,
    Record,
    dedupe_list,
    normalise_doi,
    normalise_issn,
    normalise_pages,
    normalise_pmcid,
    normalise_pmid,
    normalise_ut,
    parse_year,
)

Get = Callable[[str], str]  # header key -> the row's cleaned-up cell ("" when absent)


def header_key(name: str) -> str:
    return " ".join(name.strip().strip('"').strip().lower().split())


@dataclass(frozen=True)
class Layout:
    name: str  # also Record.source.format
    database: str
    # normalised field -> header keys. Text fields take the first non-empty cell
    # in this order; list fields join every listed column.
    columns: dict[str, tuple[str, ...]]
    detect: Callable[[set[str], list[str]], bool]
    authors: str = "semicolon"  # splitter name, see tabular.AUTHOR_SPLITTERS
    splitters: dict[str, str] = field(default_factory=dict)  # list field -> splitter name
    finish: Callable[[Record, Get], None] | None = None
    id_columns: tuple[str, ...] = ()  # own record id, kept as raw["_id"]
    first_present_only: bool = False  # generic: one column per field, chosen per file
    verbatim: bool = False  # this tool's own CSV: cells are already normalised
    tab_plain: bool = False  # tab-delimited, no quoting (WoS)


def pages_from(start: str, end: str) -> str:
    start, end = start.strip(), end.strip().strip("+")
    if start and end:
        return normalise_pages(f"{start}-{end}")
    return normalise_pages(start or end)


# ---- PubMed "Save > CSV" (2020+) ---------------------------------------------

# "2024 Aug 19;41(2):146-155. doi: ..." / "2020 Mar 21:ciaa310. doi: ..." / "2020 Mar 26. doi:"
_CITATION = re.compile(
    r"^\s*(?P<date>[^;:]*?)\s*(?:;(?P<vol>[^:(]*?)\s*(?:\((?P<iss>[^)]*)\))?)?\s*(?::\s*(?P<pages>[^\s;]*?))?\.(?:\s|$)"
)


def parse_citation(citation: str, journal: str) -> dict[str, str]:
    """Volume, issue, pages and date from a PubMed citation line.

    PubMed writes "<journal abbrev>. <date>;<volume>(<issue>):<pages>. doi: ...".
    An online-ahead-of-print record has "<date>:<elocation>" and no volume: the
    elocation is not a page range, so it is left out.
    """
    rest = citation.strip()
    if journal and rest.startswith(journal):
        rest = rest[len(journal) :].lstrip(". ")
    else:
        # The journal ends at the first ". " that is followed by a year.
        m = re.search(r"\.\s+(?=(?:1[5-9]|20)\d\d\b)", rest)
        rest = rest[m.end() :] if m else rest
    m = _CITATION.match(rest)
    if not m:
        return {}
    out = {"date": m.group("date") or ""}
    if m.group("vol") is not None:
        out["volume"] = (m.group("vol") or "").strip()
        out["issue"] = (m.group("iss") or "").strip()
        out["pages"] = normalise_pages(m.group("pages") or "")
    doi = re.search(r"\bdoi:\s*(\S+?)\.?(?:\s|$)", citation)
    if doi:
        out["doi"] = normalise_doi(doi.group(1))
    return out


def _finish_pubmed(rec: Record, get: Get) -> None:
    cit = parse_citation(get("citation"), get("journal/book"))
    for name in ("volume", "issue", "pages", "doi"):
        if cit.get(name) and not getattr(rec, name):
            setattr(rec, name, cit[name])
    if rec.year is None:
        rec.year = parse_year(cit.get("date"))


def _detect_pubmed(keys: set[str], header: list[str]) -> bool:
    return {"pmid", "title", "authors", "citation"} <= keys


PUBMED = Layout(
    name="pubmed_csv",
    database="PubMed",
    columns={
        "title": ("title",),
        "authors": ("authors",),
        "journal": ("journal/book",),
        "journal_abbrev": ("journal/book",),
        "year": ("publication year",),
        "pmid": ("pmid",),
        "pmcid": ("pmcid",),
        "doi": ("doi",),
    },
    detect=_detect_pubmed,
    authors="pubmed",
    finish=_finish_pubmed,
)


# ---- legacy (pre-2020) PubMed CSV ----------------------------------------------


def _finish_pubmed_legacy(rec: Record, get: Get) -> None:
    short = get("shortdetails")  # "Pediatr Allergy Immunol.  2019"
    journal = re.sub(r"\s+(?:1[5-9]|20)\d\d\s*$", "", short).strip().rstrip(".").strip()
    if journal:
        rec.journal = rec.journal or journal
        rec.journal_abbrev = rec.journal_abbrev or journal
    cit = parse_citation(get("details"), journal)
    for name in ("volume", "issue", "pages", "doi"):
        if cit.get(name) and not getattr(rec, name):
            setattr(rec, name, cit[name])
    rec.year = parse_year(short) or parse_year(cit.get("date"))
    ids = get("identifiers")  # "PMID:31301691" or "PMID:123 | PMCID:PMC456"
    if not rec.pmid:
        m = re.search(r"PMID:\s*(\d+)", ids)
        rec.pmid = m.group(1) if m else ""
    rec.pmcid = rec.pmcid or normalise_pmcid(ids)
    url = get("url")
    if url.startswith("/"):
        rec.url = "https://www.ncbi.nlm.nih.gov" + url


def _detect_pubmed_legacy(keys: set[str], header: list[str]) -> bool:
    return {"title", "url", "description", "details", "shortdetails", "identifiers"} <= keys


PUBMED_LEGACY = Layout(
    name="pubmed_csv_legacy",
    database="PubMed",
    columns={
        "title": ("title",),
        "authors": ("description",),
        "pmid": ("entrezuid",),
        "url": ("url",),
    },
    detect=_detect_pubmed_legacy,
    authors="pubmed",
    finish=_finish_pubmed_legacy,
)


# ---- Scopus ------------------------------------------------------------------------


def _finish_scopus(rec: Record, get: Get) -> None:
    rec.pages = pages_from(get("page start"), get("page end")) or normalise_pages(get("art. no."))
    link = get("link")
    if link and (not rec.eid or not rec.doi):
        query = parse_qs(urlsplit(link).query)
        if not rec.eid:
            rec.eid = (query.get("eid") or [""])[0]
        if not rec.doi and query.get("doi"):
            rec.doi = normalise_doi(unquote(query["doi"][0]))


def _detect_scopus(keys: set[str], header: list[str]) -> bool:
    if "eid" in keys and ("source title" in keys or "title" in keys):
        return True
    return "source title" in keys and "authors" in keys and ("link" in keys or "abbreviated source title" in keys)


SCOPUS = Layout(
    name="scopus_csv",
    database="Scopus",
    columns={
        "title": ("title",),
        "abstract": ("abstract",),
        "authors": ("author full names", "authors"),
        "year": ("year",),
        "journal": ("source title",),
        "journal_abbrev": ("abbreviated source title",),
        "volume": ("volume",),
        "issue": ("issue",),
        "doi": ("doi",),
        "pmid": ("pubmed id",),
        "eid": ("eid",),
        "issn": ("issn",),
        "keywords": ("author keywords", "index keywords"),
        "language": ("language of original document",),
        "pub_types": ("document type",),
        "url": ("link",),
    },
    detect=_detect_scopus,
    authors="scopus",
    finish=_finish_scopus,
)


# ---- Web of Science tab-delimited (Core Collection and other WoS databases) --------

# The collection prefix of UT says which WoS-platform database a row is from.
WOS_DATABASES = {
    "WOS": "Web of Science",
    "MEDLINE": "MEDLINE",
    "ZOOREC": "Zoological Record",
    "BCI": "BIOSIS Citation Index",
    "BIOSIS": "BIOSIS Previews",
    "CCC": "Current Contents Connect",
    "CABI": "CAB Abstracts",
    "INSPEC": "Inspec",
    "KJD": "KCI-Korean Journal Database",
    "RSCI": "Russian Science Citation Index",
    "SCIELO": "SciELO Citation Index",
    "DIIDW": "Derwent Innovations Index",
    "PQDT": "ProQuest Dissertations & Theses",
    "FSTA": "FSTA",
    "GEOREF": "GeoRef",
    "PPRN": "Preprint Citation Index",
}


def zoorec_descriptors(value: str) -> list[str]:
    """Zoological Record DE: "Taxon [Descriptor / Subdescriptor / Note] [...]. Taxon2 [...]".

    The taxa and every non-empty part of the bracketed descriptors, in order.
    """
    terms = []
    for taxon, groups in re.findall(r"([^\[\]]*)((?:\[[^\]]*\]\s*)*)", value):
        terms.extend(re.split(r"[.;]\s+", taxon.strip(" .;")))
        for group in re.findall(r"\[([^\]]*)\]", groups):
            terms.extend(re.split(r"\s*[/;]\s*", group))
    return dedupe_list(t.strip(" .") for t in terms)


def _finish_wos(rec: Record, get: Get) -> None:
    rec.pages = pages_from(get("bp"), get("ep")) or normalise_pages(get("ps")) or normalise_pages(get("ar"))
    ut = get("ut")
    prefix = ut.split(":", 1)[0].upper() if ":" in ut else "WOS"
    rec.database = WOS_DATABASES.get(prefix, "Web of Science")
    if prefix == "WOS":
        rec.wos_ut = normalise_ut(ut)
    elif prefix == "MEDLINE":
        rec.pmid = rec.pmid or normalise_pmid(get("an") or ut)  # AN is the PMID
    else:
        rec.accession = get("an") or ut
    if prefix == "ZOOREC" and get("de"):
        rec.keywords = zoorec_descriptors(get("de"))
    if rec.year is None:
        rec.year = parse_year(get("pd")) or parse_year(get("ea"))


def _detect_wos(keys: set[str], header: list[str]) -> bool:
    tags = [h for h in header if re.fullmatch(r"[A-Z][A-Z0-9]", h.strip())]
    return bool(header) and header[0].strip() == "PT" and len(tags) >= 0.8 * len([h for h in header if h.strip()]) and (
        "ti" in keys or "ut" in keys
    )


WOS = Layout(
    name="wos_tab",
    database="Web of Science",
    columns={
        "title": ("ti",),
        "abstract": ("ab",),
        "authors": ("au", "af"),
        "year": ("py",),
        "journal": ("so",),
        "journal_abbrev": ("ji", "j9"),
        "volume": ("vl",),
        "issue": ("is",),
        "doi": ("di", "d2"),
        "pmid": ("pm",),
        "issn": ("sn", "ei"),
        "keywords": ("de", "id"),
        "mesh": ("mh",),
        "language": ("la",),
        "pub_types": ("dt",),
        "url": ("ur",),
    },
    detect=_detect_wos,
    splitters={"mesh": "period", "keywords": "semicolon_dot"},
    finish=_finish_wos,
    tab_plain=True,
)


# ---- Embase.com CSV ------------------------------------------------------------------

# "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014"
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.*?)\s*\((?P<year>\d{4})\)\s*(?P<vol>[^\s:(]+)?(?::(?P<iss>[^\s(]+))?\s*(?:\((?P<pages>[^)]*)\))?"
)


def parse_embase_source(source: str) -> dict[str, str]:
    m = _EMBASE_SOURCE.match(source.strip())
    if not m:
        return {}
    return {k: (v or "").strip().rstrip(".") for k, v in m.groupdict().items()}


def _finish_embase(rec: Record, get: Get) -> None:
    src = parse_embase_source(get("source"))
    if src:
        rec.journal = rec.journal or src["journal"]
        rec.year = rec.year or parse_year(src["year"])
        rec.volume = rec.volume or src["vol"]
        rec.issue = rec.issue or src["iss"]
        rec.pages = rec.pages or normalise_pages(src["pages"])
    if rec.year is None:
        rec.year = parse_year(get("date of publication"))
    if not rec.pages:
        rec.pages = pages_from(get("first page"), get("last page"))
    link = get("open url link")  # an OpenURL with issn=..., id=doi:...
    if link:
        query = parse_qs(urlsplit(link).query)
        if not rec.doi:
            for value in query.get("id", []):
                if value.startswith("doi:"):
                    rec.doi = normalise_doi(value[4:])
        if not rec.issn:
            rec.issn = normalise_issn(" ".join(query.get("issn", [])))
        if not rec.journal_abbrev and query.get("stitle"):
            rec.journal_abbrev = query["stitle"][0].strip()
    if rec.keywords and rec.mesh:
        # Some Embase exports repeat the Emtree terms in a "keywords" column.
        emtree = {m.lower() for m in rec.mesh}
        rec.keywords = [k for k in rec.keywords if k.lower() not in emtree]


def _detect_embase(keys: set[str], header: list[str]) -> bool:
    emtree = any(k.startswith("emtree") for k in keys)
    return ("author names" in keys and (emtree or "source" in keys)) or "embase accession id" in keys


EMBASE = Layout(
    name="embase_csv",
    database="Embase",
    columns={
        "title": ("title",),
        "abstract": ("abstract",),
        "authors": ("author names",),
        "year": ("publication year",),
        "journal": ("source title",),
        "volume": ("volume",),
        "issue": ("issue",),
        "doi": ("doi",),
        "pmid": ("medline pmid",),
        "accession": ("embase accession id", "pui"),
        "issn": ("issn",),
        "keywords": ("author keywords", "keywords"),
        "mesh": (
            "emtree drug index terms (major focus)",
            "emtree drug index terms",
            "emtree medical index terms (major focus)",
            "emtree medical index terms",
        ),
        "language": ("article language",),
        "pub_types": ("publication type",),
        "url": ("full record link", "embase link"),
    },
    detect=_detect_embase,
    authors="comma",
    splitters={"mesh": "comma_outside_parens", "keywords": "comma_outside_parens"},
    finish=_finish_embase,
)


# ---- IEEE Xplore ----------------------------------------------------------------------


def _finish_pages(rec: Record, get: Get) -> None:
    if not rec.pages:
        rec.pages = pages_from(get("start page"), get("end page"))


IEEE = Layout(
    name="ieee_csv",
    database="IEEE Xplore",
    columns={
        "title": ("document title",),
        "abstract": ("abstract",),
        "authors": ("authors",),
        "year": ("publication year",),
        "journal": ("publication title",),
        "volume": ("volume",),
        "issue": ("issue",),
        "doi": ("doi",),
        "issn": ("issn",),
        "keywords": ("author keywords", "ieee terms", "inspec controlled terms"),
        "mesh": ("mesh_terms", "mesh terms"),
        "pub_types": ("document identifier",),
        "url": ("pdf link",),
    },
    detect=lambda keys, header: {"document title", "publication title"} <= keys
    and bool(keys & {"pdf link", "ieee terms", "document identifier", "inspec controlled terms"}),
    finish=_finish_pages,
)


# ---- SpringerLink ---------------------------------------------------------------------

SPRINGER = Layout(
    name="springer_csv",
    database="SpringerLink",
    columns={
        "title": ("item title",),
        "authors": ("authors",),
        "year": ("publication year",),
        "journal": ("publication title",),
        "volume": ("journal volume",),
        "issue": ("journal issue",),
        "doi": ("item doi",),
        "pub_types": ("content type",),
        "url": ("url",),
    },
    detect=lambda keys, header: {"item title", "item doi"} <= keys or {"item title", "content type"} <= keys,
    authors="concatenated",
)


# ---- Zotero ------------------------------------------------------------------------


def _finish_zotero(rec: Record, get: Get) -> None:
    extra = get("extra")  # "Place: England PMID: 516334  PMCID: PMC9151451"
    if extra:
        if not rec.pmid:
            m = re.search(r"\bPMID:\s*(\d+)", extra)
            rec.pmid = m.group(1).lstrip("0") if m else ""
        rec.pmcid = rec.pmcid or normalise_pmcid(extra)
        if not rec.doi:
            m = re.search(r"\bDOI:\s*(\S+)", extra, re.I)
            rec.doi = normalise_doi(m.group(1)) if m else ""
    if rec.year is None:
        rec.year = parse_year(get("date"))


ZOTERO = Layout(
    name="zotero_csv",
    database="Zotero",
    columns={
        "title": ("title",),
        "abstract": ("abstract note",),
        "authors": ("author",),
        "year": ("publication year",),
        "journal": ("publication title",),
        "journal_abbrev": ("journal abbreviation",),
        "volume": ("volume",),
        "issue": ("issue",),
        "pages": ("pages",),
        "doi": ("doi",),
        "issn": ("issn",),
        "keywords": ("manual tags", "automatic tags"),
        "language": ("language",),
        "pub_types": ("item type",),
        "url": ("url",),
    },
    detect=lambda keys, header: {"key", "item type", "title", "author", "abstract note"} <= keys,
    finish=_finish_zotero,
    id_columns=("key",),
)


# ---- this tool's own CSV (review convert -o x.csv) --------------------------------------

REVIEW_COLUMNS = ("id",) + NORMALISED_FIELDS + ("source_file",)

REVIEW = Layout(
    name="review_csv",
    database="",
    columns={name: (name,) for name in NORMALISED_FIELDS},
    detect=lambda keys, header: set(REVIEW_COLUMNS) <= keys,
    id_columns=("id",),
    verbatim=True,
)


# ---- generic: Publish or Perish, Rayyan, Covidence, ASReview, ASySD, bib-dedupe, ... -----

GENERIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": (
        "title", "article title", "document title", "item title", "primary title", "title of article", "ti", "t1",
    ),
    "abstract": ("abstract", "abstract note", "abstracts", "ab"),
    "authors": ("authors", "author", "author(s)", "author names", "author list", "au", "a1", "creators"),
    "year": (
        "year", "publication year", "published year", "pub year", "pubyear", "py", "publication date", "date", "pubdate",
    ),
    "journal": (
        "journal",
        "journal title",
        "journal name",
        "source title",
        "publication title",
        "journal/book",
        "secondary title",
        "booktitle",
        "book title",
        "publication",
        "venue",
        "t2",
        "jo",
        "so",
        "source",
    ),
    "journal_abbrev": (
        "journal abbreviation", "journal abbrev", "journal_abbrev", "abbreviated source title", "j2", "ja",
    ),
    "volume": ("volume", "vol", "vl"),
    "issue": ("issue", "number", "issue number", "no", "is"),
    "pages": ("pages", "page", "page range", "pg", "sp"),
    "doi": ("doi", "item doi", "di"),
    "pmid": ("pmid", "pubmed id", "pubmed_id", "pubmedid"),
    "pmcid": ("pmcid", "pmc id", "pmc_id"),
    "eid": ("eid",),
    "wos_ut": ("ut", "wos ut", "unique-id"),
    "accession": ("accession number", "accession", "an"),
    "issn": ("issn", "eissn", "e-issn", "sn"),
    "keywords": ("keywords", "author keywords", "keyword", "kw", "tags", "manual tags"),
    "mesh": ("mesh", "mesh terms", "mesh_terms", "mh"),
    "language": ("language", "lang", "la"),
    "pub_types": (
        "type", "document type", "publication type", "item type", "entrytype", "content type", "type of work",
    ),
    "url": ("url", "link", "articleurl", "article url", "ur"),
    "database": ("database", "source database", "db", "database provider"),
}
GENERIC_ID_COLUMNS = (
    "id",
    "record_id",
    "record id",
    "recordid",
    "key",
    "covidence #",
    "rayyan id",
    "ref",
    "refid",
    "ref id",
    "study id",
)
TITLE_KEYS = GENERIC_COLUMNS["title"]


def _finish_generic(rec: Record, get: Get) -> None:
    if not rec.pages:
        rec.pages = pages_from(
            get("start page") or get("startpage") or get("page start") or get("first page") or get("bp"),
            get("end page") or get("endpage") or get("page end") or get("last page") or get("ep"),
        )
    if rec.issn == [] and get("isbn"):
        # ASySD keeps ISSNs in "isbn" ("0957-9672 (Print)\n0957-9672"); real ISBNs are left alone.
        value = re.sub(r"\((?:print|electronic|linking)\)", " ", get("isbn"), flags=re.I)
        if re.fullmatch(r"(?:\s*\d{4}-?\d{3}[\dXx]\s*[;,]?)+", value):
            rec.issn = normalise_issn(value)
    if not rec.database and (get("gsrank") or get("citesurl")):
        rec.database = "Google Scholar"  # Publish or Perish


GENERIC = Layout(
    name="csv",
    database="",
    columns=GENERIC_COLUMNS,
    detect=lambda keys, header: bool(keys & set(TITLE_KEYS)),
    authors="generic",
    finish=_finish_generic,
    id_columns=GENERIC_ID_COLUMNS,
    first_present_only=True,
)


# Most specific first; GENERIC last.
LAYOUTS = (REVIEW, WOS, PUBMED, PUBMED_LEGACY, SCOPUS, EMBASE, IEEE, SPRINGER, ZOTERO, GENERIC)


def detect_layout(header: list[str]) -> Layout | None:
    keys = {header_key(h) for h in header}
    for layout in LAYOUTS:
        if layout.detect(keys, header):
            return layout
    return None
