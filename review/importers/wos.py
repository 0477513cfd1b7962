"""Web of Science plain text ("FN Clarivate Analytics Web of Science" / "VR 1.0").

Also the same tagged format from other databases on the WoS platform
(Zoological Record, SciELO Citation Index, MEDLINE, BIOSIS ...) and the .ciw
files EndNote calls "ISI CE". Each line is a two-character tag, a space and
a value; a value runs on over lines indented by three spaces (one author per
line for AU/AF, structured-abstract headings as lines of their own); a record
ends with "ER" and the file with "EF". Header variants seen: "Thomson Reuters
Web of Knowledge", "Thomson Reuters Web of Science™", "Clarivate Analytics Web
of Science". Values may end in a stray tab (SciELO); it is dropped.

    title TI   abstract AB   authors AU (else AF)   year PY (else PD, EA)
    journal SO   journal_abbrev JI (else J9)   volume VL   issue IS
    pages BP-EP (else AR, the article number, or Zoological Record's PS)   doi DI   pmid PM
    wos_ut UT "WOS:..."; another collection's UT (ZOOREC:, SCIELO:, ...) or AN is the accession
    issn SN, EI   keywords DE then ID (Keywords Plus)   mesh MH   language LA
    pub_types DT split on ";"   url UR   database from the UT's collection

The tab-delimited export (first line "PT\\tAU\\t...") is another importer's.
"""

from __future__ import annotations

import re

from review.importers.ris import fast_text, gc_paused, language_name, unique
from review.records import (
    Record,
    Source,
    normalise_author,
    normalise_doi,
    normalise_issn,
    normalise_pages,
    normalise_pmid,
    normalise_ut,
    parse_year,
)

NAME = "wos"
LABEL = "Web of Science plain text"

_FN = re.compile(r"\AFN [^\n]*\n(?:\s*\n)*VR \d")
_PT = re.compile(r"^PT [A-Z]\s*$", re.M)
_ER = re.compile(r"^ER\s*$", re.M)
_PAGES_PREFIX = re.compile(r"^(?:UNSP\s+|pp?\.\s*)")
_EMAIL = re.compile(r"\s*\([^()]*@[^()]*\)")

# UT prefix -> the database on the WoS platform it names
COLLECTIONS = {
    "WOS": "Web of Science", "MEDLINE": "MEDLINE", "ZOOREC": "Zoological Record",
    "SCIELO": "SciELO Citation Index", "BCI": "BIOSIS Citation Index",
    "BIOSIS": "BIOSIS Previews", "CCC": "Current Contents Connect",
    "KJD": "KCI-Korean Journal Database", "RSCI": "Russian Science Citation Index",
    "DIIDW": "Derwent Innovations Index", "CABI": "CAB Abstracts", "INSPEC": "Inspec",
    "FSTA": "FSTA", "DRCI": "Data Citation Index", "GRANTS": "Grants Index",
}


def sniff(head: str) -> float:
    if _FN.search(head.lstrip("\ufeff\n")):
        return 0.95
    if "\t" in head[:200].split("\n", 1)[0]:
        return 0.0  # the tab-delimited export
    pts = len(_PT.findall(head))
    if pts and _ER.search(head) and re.search(r"^(?:AU|TI|SO) \S", head, re.M):
        return 0.8
    return 0.0


def parse(text: str, ctx) -> list[Record]:
    with gc_paused():
        return _parse(text, ctx)


def _parse(text: str, ctx) -> list[Record]:
    records: list[Record] = []
    raw: dict[str, list[str]] | None = None
    have: list[str] | None = None
    start = 0
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if line[:1] == " " or line[:1] == "\t":
            if have is not None:
                have.append(line.strip())  # continuation: one list item per line
            continue
        tag = line[:2]
        value = line[3:].strip()
        if tag == "ER" and line[2:].strip() == "":
            if raw is not None:
                records.append(record_from_raw(_join(raw), Source(position=len(records) + 1, line=start)))
            raw, have = None, None
            continue
        if tag in ("FN", "VR", "EF") and raw is None:
            continue
        if line[2:3] not in (" ", "") or not tag.isalnum() or not tag.isupper():
            if raw is None:
                raise ctx.error(f"expected a Web of Science tag such as 'PT J', found {line[:30]!r}", line=n)
            have = raw.setdefault("__", [])
            have.append(line.strip())
            continue
        if raw is None:
            raw, start = {}, n
        have = [value]  # this tag line and its continuation lines
        items = raw.get(tag)
        if items is None:
            raw[tag] = [have]
        else:
            items.append(have)
    if raw is not None:
        ctx.warn("the last record has no 'ER' line (file cut short?); kept what is there", line=start)
        records.append(record_from_raw(_join(raw), Source(position=len(records) + 1, line=start)))
    return records


# Tags whose continuation lines are separate values (one author, address or reference per line).
_LIST_TAGS = {"AU", "AF", "BA", "BF", "CA", "GP", "ED", "C1", "C3", "CR", "RI", "OI", "EM", "FU"}


def _join(raw) -> dict[str, list[str]]:
    """Lines -> values: AU/AF/CR... one value per line; other tags one value per tag line."""
    out: dict[str, list[str]] = {}
    for tag, items in raw.items():
        if tag == "__":
            continue
        if tag in _LIST_TAGS:
            out[tag] = [s for item in items for s in item if s]
        else:
            out[tag] = ["\n".join(s for s in item if s) for item in items]
    return out


def record_from_raw(raw: dict[str, list[str]], source: Source) -> Record:
    g = raw.get
    rec = Record(raw=raw, source=source)
    rec.title = fast_text(_one(raw, "TI"))
    rec.abstract = fast_text(" ".join(g("AB", ())))
    names = g("AU") or g("AF") or ()
    rec.authors = [a for a in (normalise_author(_EMAIL.sub("", v)) for v in names) if a]
    rec.year = parse_year(_one(raw, "PY") or _one(raw, "PD") or _one(raw, "EA"))
    rec.journal = fast_text(_one(raw, "SO"))
    rec.journal_abbrev = fast_text(_one(raw, "JI") or _one(raw, "J9"))
    rec.volume = fast_text(_one(raw, "VL"))
    rec.issue = fast_text(_one(raw, "IS"))
    bp, ep = fast_text(_one(raw, "BP")), fast_text(_one(raw, "EP"))
    if bp and ep:
        rec.pages = normalise_pages(f"{bp}-{ep}")
    elif bp:
        rec.pages = normalise_pages(bp)
    else:
        ar = fast_text(_one(raw, "AR") or _one(raw, "PS"))  # article number; Zoological Record's PS
        ar = _PAGES_PREFIX.sub("", ar)  # "UNSP 1722034", "pp. 126-142"
        rec.pages = normalise_pages(ar)
    rec.doi = normalise_doi(_one(raw, "DI"))
    rec.pmid = normalise_pmid(_one(raw, "PM"))
    issn: list[str] = []
    for v in (g("SN") or []) + (g("EI") or []):
        for x in normalise_issn(v):
            if x not in issn:
                issn.append(x)
    rec.issn = issn
    rec.keywords = unique(p for tag in ("DE", "ID") for v in g(tag, ()) for p in v.replace("\n", " ").split(";"))
    rec.mesh = unique(p for v in g("MH", ()) for p in v.replace("\n", " ").split(";"))
    rec.language = language_name(p for v in g("LA", ()) for p in v.split(";"))
    rec.pub_types = unique(p for v in g("DT", ()) for p in v.split(";"))
    rec.url = fast_text(_one(raw, "UR"))
    ut = fast_text(_one(raw, "UT"))
    prefix = ut.split(":", 1)[0].upper() if ":" in ut else ("WOS" if ut else "")
    if prefix == "WOS":
        rec.wos_ut = normalise_ut(ut)
    elif prefix == "MEDLINE":
        rec.pmid = rec.pmid or normalise_pmid(ut)
    elif ut:
        rec.accession = ut.split(":", 1)[1].strip()
    an = fast_text(_one(raw, "AN"))
    if an and not rec.accession:
        rec.accession = an
    rec.database = COLLECTIONS.get(prefix, "Web of Science")
    return rec


def _one(raw: dict, tag: str) -> str:
    v = raw.get(tag)
    return v[0] if v else ""
