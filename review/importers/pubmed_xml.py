"""PubMed XML (``<PubmedArticleSet>``, NLM's pubmed DTD), from "Send to > File > XML" or E-utilities efetch.

One record per ``PubmedArticle`` (and per ``PubmedBookArticle``). Titles and
abstracts may hold inline markup (``<i>``, ``<sup>``): its text is kept.
Structured abstracts become "LABEL: text" sections joined by spaces. MeSH
headings are written as MEDLINE's MH lines write them (``*Neoplasms/drug
therapy``, ``Brain/*physiology``), so a record reads the same from both formats.

``raw`` keys are element names (``PMID``, ``ArticleTitle``, ``AbstractText``,
``Author`` as "LastName, ForeName", ``ArticleId.doi``, ``ISSN.Print``, ...).
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

NAME = "pubmed_xml"
LABEL = "PubMed XML"

_MARK = re.compile(r"<(?:!DOCTYPE\s+)?Pubmed(?:Article|BookArticle)Set[\s>]|<PubmedArticle[\s>]")
_ARTICLE_START = re.compile(r"<Pubmed(?:Book)?Article[\s>]")
_TYPE_ATTRS = ("IdType", "EIdType", "IssnType")


def sniff(head: str) -> float:
    return 0.95 if _MARK.search(head[:20000]) else 0.0


def _text(el) -> str:
    return clean_text("".join(el.itertext())) if el is not None else ""


def _find_text(el, path: str) -> str:
    return _text(el.find(path)) if el is not None else ""


def _raw(article) -> dict[str, list[str]]:
    """Element name (``.type`` for typed ids) -> texts, for every element that holds text."""
    raw: dict[str, list[str]] = {}
    inline = {"i", "b", "u", "sup", "sub", "mml:math"}
    for el in article.iter():
        if el is article or el.tag in inline:
            continue
        children = [c for c in el if c.tag not in inline]
        if children:
            continue
        text = "".join(el.itertext()).strip()
        if not text:
            continue
        key = el.tag
        for attr in _TYPE_ATTRS:
            if attr in el.attrib:
                key = f"{key}.{el.attrib[attr]}"
                break
        if el.tag == "AbstractText" and el.get("Label"):
            text = f"{el.get('Label')}: {text}"
        raw.setdefault(key, []).append(text)
    for author in article.iter("Author"):
        name = _author_raw(author)
        if name:
            raw.setdefault("Author", []).append(name)
    return raw


def _author_raw(author) -> str:
    collective = _find_text(author, "CollectiveName")
    if collective:
        return collective
    last, fore = _find_text(author, "LastName"), _find_text(author, "ForeName")
    return f"{last}, {fore}" if fore else last


def _author(author) -> str:
    collective = _find_text(author, "CollectiveName")
    if collective:
        return collective
    last = _find_text(author, "LastName")
    initials = _find_text(author, "Initials")
    if not last:
        return ""
    if initials:
        return normalise_author(f"{last}, {initials}")
    return normalise_author(f"{last}, {_find_text(author, 'ForeName')}")


def _abstract(abstract) -> str:
    if abstract is None:
        return ""
    parts = []
    for section in abstract.findall("AbstractText"):
        text = _text(section)
        label = section.get("Label")
        if text:
            parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


def _mesh(heading) -> str:
    descriptor = heading.find("DescriptorName")
    if descriptor is None:
        return ""
    term = ("*" if descriptor.get("MajorTopicYN") == "Y" else "") + _text(descriptor)
    for qualifier in heading.findall("QualifierName"):
        term += "/" + ("*" if qualifier.get("MajorTopicYN") == "Y" else "") + _text(qualifier)
    return term


def _pages(article) -> str:
    pages = _find_text(article, "Pagination/MedlinePgn")
    if not pages:
        start, end = _find_text(article, "Pagination/StartPage"), _find_text(article, "Pagination/EndPage")
        pages = f"{start}-{end}" if start and end else start
    return normalise_pages(pages)


def _ids(node) -> dict[str, str]:
    """The article's own ids (not those of its references) by type: doi, pmc, pubmed, pii."""
    ids: dict[str, str] = {}
    for path in ("PubmedData/ArticleIdList/ArticleId", "PubmedBookData/ArticleIdList/ArticleId"):
        for el in node.findall(path):
            kind = el.get("IdType", "")
            if kind and kind not in ids:
                ids[kind] = _text(el)
    return ids


def to_record(node) -> Record:
    """One ``PubmedArticle`` or ``PubmedBookArticle`` element as a Record."""
    rec = Record(database="PubMed", raw=_raw(node))
    citation = node.find("MedlineCitation")
    if citation is None:
        citation = node.find("BookDocument")
    if citation is None:
        citation = node
    article = citation.find("Article")
    book = citation.find("Book")
    body = article if article is not None else citation
    rec.pmid = normalise_pmid(_find_text(citation, "PMID"))
    rec.title = _find_text(body, "ArticleTitle") or _find_text(body, "VernacularTitle") or _find_text(book, "BookTitle")
    rec.abstract = _abstract(body.find("Abstract"))
    author_list = body.find("AuthorList")
    if author_list is None and book is not None:
        author_list = book.find("AuthorList")
    if author_list is not None:
        rec.authors = [a for a in (_author(el) for el in author_list.findall("Author")) if a]
    journal = body.find("Journal")
    if journal is not None:
        rec.journal = _find_text(journal, "Title")
        rec.journal_abbrev = _find_text(journal, "ISOAbbreviation")
        rec.volume = _find_text(journal, "JournalIssue/Volume")
        rec.issue = _find_text(journal, "JournalIssue/Issue")
        date = journal.find("JournalIssue/PubDate")
        rec.year = parse_year(_find_text(date, "Year") or _find_text(date, "MedlineDate"))
        rec.issn = dedupe_list(i for el in journal.findall("ISSN") for i in normalise_issn(_text(el)))
    elif book is not None:
        rec.journal = _find_text(book, "CollectionTitle")
        rec.year = parse_year(_find_text(book, "PubDate/Year") or _find_text(book, "PubDate/MedlineDate"))
    if not rec.journal_abbrev:
        rec.journal_abbrev = _find_text(citation, "MedlineJournalInfo/MedlineTA")
    rec.issn = dedupe_list(rec.issn + normalise_issn(_find_text(citation, "MedlineJournalInfo/ISSNLinking")))
    if rec.year is None:
        rec.year = parse_year(_find_text(body, "ArticleDate/Year"))
    rec.pages = _pages(body)
    ids = _ids(node)
    elocation = [
        _text(el) for el in body.findall("ELocationID") if el.get("EIdType") == "doi" and el.get("ValidYN", "Y") == "Y"
    ]
    rec.doi = normalise_doi(next((d for d in elocation if d), "") or ids.get("doi", ""))
    rec.pmcid = normalise_pmcid(ids.get("pmc", ""))
    if not rec.pmid:
        rec.pmid = normalise_pmid(ids.get("pubmed", ""))
    rec.language = _find_text(body, "Language") or _find_text(citation, "Language")
    rec.pub_types = dedupe_list(_text(el) for el in body.iter("PublicationType"))
    rec.mesh = dedupe_list(_mesh(h) for h in citation.iter("MeshHeading"))
    rec.keywords = dedupe_list(_text(k) for k in citation.iter("Keyword"))
    return rec


def parse(text: str, ctx) -> list[Record]:
    import xml.etree.ElementTree as ET

    lines, pos, line = [], 0, 1
    for m in _ARTICLE_START.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        lines.append(line)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        root = _recover(text, err, ctx)
    nodes = [el for el in root.iter() if el.tag in ("PubmedArticle", "PubmedBookArticle")]
    records = []
    for i, node in enumerate(nodes):
        rec = to_record(node)
        rec.source = Source(position=i + 1, line=lines[i] if i < len(lines) else 0, format=NAME)
        records.append(rec)
    return records


def _recover(text: str, err, ctx):
    """A cut-short file: keep every complete article, warn about the rest."""
    import xml.etree.ElementTree as ET

    line = err.position[0] if getattr(err, "position", None) else None
    bodies = [m.group(0) for m in re.finditer(r"<(PubmedArticle|PubmedBookArticle)[\s>].*?</\1>", text, re.S)]
    if not bodies:
        raise ctx.error(f"not well-formed PubMed XML ({err}) and no complete <PubmedArticle> in it", line=line)
    root = ET.Element("PubmedArticleSet")
    skipped = 0
    for body in bodies:
        try:
            root.append(ET.fromstring(body))
        except ET.ParseError:
            skipped += 1
    started = len(_ARTICLE_START.findall(text))
    lost = started - len(bodies) + skipped
    ctx.warn(f"not well-formed XML ({err}); kept {len(root)} complete articles, skipped {lost}", line=line)
    return root
