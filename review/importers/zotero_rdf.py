"""Zotero RDF (RDF/XML written by Zotero's "Export Collection > Zotero RDF").

The records are the top-level nodes that carry a ``z:itemType`` other than
attachment or note (``bib:Article``, ``bib:Book``, ``rdf:Description``...);
journals, attachments (``z:Attachment``), notes (``bib:Memo``) and collections
are not records. A journal is either nested in ``dcterms:isPartOf`` or a
top-level node the item points to with ``rdf:resource``. Old Zotero wrote
``foaf:givenname``, newer ``foaf:givenName``; both are read.

``raw`` keys are the prefixed element names below the item (``dc:title``,
``dcterms:isPartOf/bib:Journal/prism:volume``), authors as "surname, given".
"""

from __future__ import annotations

import re

from review.records import (
    Record,
    Source,
    clean_text,
    dedupe_list,
    normalise_author,
    normalise_doi,
    normalise_issn,
    normalise_pages,
    normalise_pmcid,
    normalise_pmid,
    parse_year,
)

NAME = "zotero_rdf"
LABEL = "Zotero RDF"

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "z": "http://www.zotero.org/namespaces/export#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "bib": "http://purl.org/net/biblio#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prism": "http://prismstandard.org/namespaces/1.2/basic/",
    "link": "http://purl.org/rss/1.0/modules/link/",
    "vcard": "http://nwalsh.com/rdf/vCard#",
}
_PREFIX = {uri: p for p, uri in NS.items()}
_RDF_ABOUT = f"{{{NS['rdf']}}}about"
_RDF_RESOURCE = f"{{{NS['rdf']}}}resource"
_NOT_ITEMS = {"attachment", "note"}
_START_TAG = re.compile(r"<(/?)([A-Za-z][\w.:-]*)([^>]*?)(/?)>")


def sniff(head: str) -> float:
    if "<rdf:RDF" in head and (NS["z"] in head or NS["bib"] in head):
        return 0.95
    return 0.0


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _short(tag: str) -> str:
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        return f"{_PREFIX.get(uri, uri)}:{local}"
    return tag


def _text(el) -> str:
    return clean_text("".join(el.itertext())) if el is not None else ""


def _all(el, name: str) -> list[str]:
    return [t for t in (_text(c) for c in el.findall(name, NS)) if t]


def _one(el, name: str) -> str:
    values = _all(el, name) if el is not None else []
    return values[0] if values else ""


def _raw(item) -> dict[str, list[str]]:
    raw: dict[str, list[str]] = {}

    def walk(el, path: str) -> None:
        for child in el:
            sub = f"{path}/{_short(child.tag)}" if path else _short(child.tag)
            if len(child):
                walk(child, sub)
            else:
                value = (child.text or "").strip() or child.get(_RDF_RESOURCE, "")
                if value:
                    raw.setdefault(sub, []).append(value)

    walk(item, "")
    return raw


def _person(person) -> str:
    surname = _one(person, "foaf:surname")
    given = _one(person, "foaf:givenName") or _one(person, "foaf:givenname")
    if not given:
        return surname  # a group author (Zotero's single-field name)
    return normalise_author(f"{surname}, {given}")


def _identifiers(values: list[str]) -> dict[str, list[str]]:
    """Zotero writes "DOI 10.xxx", "ISSN 1234-5678", "ISBN ..." in dc:identifier."""
    out: dict[str, list[str]] = {}
    for value in values:
        m = re.match(r"(DOI|ISSN|ISBN|PMID|PMCID)\s+(.+)", value, re.I)
        if m:
            out.setdefault(m.group(1).upper(), []).append(m.group(2).strip())
    return out


def _urls(el) -> list[str]:
    out = []
    for ident in el.findall("dc:identifier", NS):
        for value in ident.iter(_q("rdf:value")):
            if _text(value):
                out.append(_text(value))
    return out


def to_record(item, by_about: dict) -> Record:
    rec = Record(raw=_raw(item))
    container = None
    part = item.find("dcterms:isPartOf", NS)
    if part is not None:
        container = next(iter(part), None)
        if container is None:
            container = by_about.get(part.get(_RDF_RESOURCE, ""))
    rec.title = _one(item, "dc:title")
    rec.abstract = _one(item, "dcterms:abstract")
    authors = item.find("bib:authors", NS)
    if authors is not None:
        rec.authors = [a for a in (_person(p) for p in authors.iter(_q("foaf:Person"))) if a]
    rec.year = parse_year(_one(item, "dc:date"))
    ids = _identifiers(_all(item, "dc:identifier"))
    if container is not None:
        rec.journal = _one(container, "dc:title")
        rec.journal_abbrev = _one(container, "dcterms:alternative")
        rec.volume = _one(container, "prism:volume")
        rec.issue = _one(container, "prism:number")
        for kind, values in _identifiers(_all(container, "dc:identifier")).items():
            ids.setdefault(kind, []).extend(values)
        about = container.get(_RDF_ABOUT, "")
        if about.startswith("urn:issn:"):
            ids.setdefault("ISSN", []).append(about[9:])
    rec.volume = rec.volume or _one(item, "prism:volume")
    rec.issue = rec.issue or _one(item, "prism:number")
    rec.pages = normalise_pages(_one(item, "bib:pages"))
    rec.doi = normalise_doi((ids.get("DOI") or [""])[0])
    rec.issn = dedupe_list(i for v in ids.get("ISSN", []) for i in normalise_issn(v))
    extra = " ".join(_all(item, "dc:description"))  # Zotero's "Extra": "PMID: 123", "PMCID: PMC456"
    m = re.search(r"PMID:\s*(\d+)", extra)
    rec.pmid = normalise_pmid((ids.get("PMID") or [m.group(1) if m else ""])[0])
    m = re.search(r"PMCID:\s*(PMC\d+)", extra, re.I)
    rec.pmcid = normalise_pmcid((ids.get("PMCID") or [m.group(1) if m else ""])[0])
    urls = _urls(item)
    rec.url = urls[0] if urls else ""
    if not rec.doi:
        rec.doi = next((normalise_doi(u) for u in urls if "doi.org/" in u), "")
    keywords = []
    for subject in item.findall("dc:subject", NS):
        keywords.append(_text(subject))  # a plain tag, or z:AutomaticTag/rdf:value
    rec.keywords = dedupe_list(keywords)
    rec.language = _one(item, "z:language")
    rec.database = _one(item, "z:libraryCatalog")
    # "journalArticle" -> "Journal Article", as EndNote and RIS importers name types
    item_type = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", _one(item, "z:itemType")).title()
    rec.pub_types = dedupe_list([item_type] + _all(item, "z:type"))
    return rec


def parse(text: str, ctx) -> list[Record]:
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        line = err.position[0] if getattr(err, "position", None) else None
        raise ctx.error(f"not well-formed RDF/XML ({err})", line=line) from None
    if _short(root.tag) != "rdf:RDF":
        raise ctx.error(f"expected <rdf:RDF> as the root element, found <{_short(root.tag)}>", line=1)
    nodes = list(root)
    by_about = {n.get(_RDF_ABOUT): n for n in nodes if n.get(_RDF_ABOUT)}
    typed = [n for n in nodes if n.find("z:itemType", NS) is not None]
    if typed:
        items = [n for n in typed if _one(n, "z:itemType") not in _NOT_ITEMS]
    else:  # RDF without Zotero's item types: bibliographic nodes with a title
        skip = {"bib:Journal", "bib:Periodical", "bib:Series", "bib:Memo", "z:Attachment", "z:Collection"}
        items = [n for n in nodes if _short(n.tag) not in skip and n.find("dc:title", NS) is not None]
    records = []
    for node in items:
        rec = to_record(node, by_about)
        rec.source = Source(position=len(records) + 1, format=NAME)
        records.append(rec)
    _set_lines(text, nodes, items, records)
    return records


def _set_lines(text: str, nodes: list, items: list, records: list[Record]) -> None:
    """Line of each record: the n-th top-level start tag in the text is the n-th node."""
    starts = []
    depth, line, pos = 0, 1, 0
    for m in _START_TAG.finditer(text):
        closing, selfclosing = m.group(1), m.group(4)
        if closing:
            depth -= 1
            continue
        if depth == 1:
            line += text.count("\n", pos, m.start())
            pos = m.start()
            starts.append(line)
        if not selfclosing:
            depth += 1
    index = {id(n): i for i, n in enumerate(nodes)}
    for node, rec in zip(items, records):
        i = index[id(node)]
        rec.source.line = starts[i] if i < len(starts) else 0
