"""EndNote XML (``<xml><records><record>...``), as EndNote and Mendeley write it.

Also reads the legacy upper-case dialect (``<XML><RECORDS><RECORD><REFERENCE_TYPE>``,
no XML declaration, ``SECONDARY_TITLE`` and ``AUTHOR_ADDRESS`` elements
directly under the record): tag names are lower-cased and ``_`` becomes ``-``,
so both dialects share one reader. Values may be wrapped in ``<style face=...>``
elements (EndNote) or not (Mendeley); the text of all of them is joined.

``raw`` keys are element paths below ``<record>`` (``titles/title``,
``periodical/full-title``, ``contributors/authors/author``), plus
``ref-type@name``. A file that is not well-formed XML is read record by record
so that one broken record costs only itself.
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
    normalise_pmid,
    parse_year,
)

NAME = "endnote_xml"
LABEL = "EndNote XML"

_HEAD = re.compile(r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<xml>\s*<records[\s>/]", re.I | re.S)
_RECORD_START = re.compile(r"<record[\s>]", re.I)
_RECORD = re.compile(r"<record[\s>].*?</record\s*>", re.I | re.S)
_BAD_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LEGACY = {"reference-type": "ref-type", "refnum": "rec-number", "author-address": "auth-address"}
_PUBMED_URL = re.compile(r"(?:ncbi\.nlm\.nih\.gov/(?:pubmed|entrez)[^\s]*?(?:/|list_uids=)|pubmed\.ncbi\.nlm\.nih\.gov/)(\d{1,9})")


def sniff(head: str) -> float:
    return 0.95 if _HEAD.match(head) else 0.0


def _tag(tag: str) -> str:
    tag = tag.lower().replace("_", "-")
    return _LEGACY.get(tag, tag)


def _flatten(record) -> dict[str, list[str]]:
    """Element path below the record -> texts, for every element that holds a value."""
    out: dict[str, list[str]] = {}

    def walk(el, path: str) -> None:
        for child in el:
            tag = _tag(child.tag)
            if tag == "style":
                continue
            sub = f"{path}/{tag}" if path else tag
            for key, value in child.attrib.items():
                if key == "name" and tag in ("ref-type", "database", "source-app"):
                    out.setdefault(f"{sub}@name", []).append(value)
            value_children = [c for c in child if _tag(c.tag) != "style"]
            if value_children:  # a container (inline markup in EndNote is always <style>)
                walk(child, sub)
            else:
                text = "".join(child.itertext())
                if text.strip():
                    out.setdefault(sub, []).append(text)

    walk(record, "")
    return out


def _get(raw: dict[str, list[str]], *suffixes: str) -> list[str]:
    """Values of the paths ending in the first suffix that has any (``title`` matches ``titles/title``)."""
    for suffix in suffixes:
        values = [v for path, vals in raw.items() if path == suffix or path.endswith("/" + suffix) for v in vals]
        if values:
            return values
    return []


def _one(raw: dict[str, list[str]], *suffixes: str) -> str:
    values = _get(raw, *suffixes)
    return clean_text(values[0]) if values else ""


def _title(value: str) -> str:
    """A title that is only a PDF's file name, ``<Creep Crack Initiation.pdf>``: keep the name."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">") and "<" not in v[1:-1] and ">" not in v[1:-1]:
        v = v[1:-1]
    return clean_text(v)


_GROUP = re.compile(
    r"\b(?:group|consortium|committee|collaboration|collaborators|network|society|association|"
    r"organi[sz]ation|investigators|study|trial|team|council|institute|foundation|panel)\b",
    re.I,
)


def _author(name: str) -> str:
    """An author; a group without a comma ("Iron Rim Study Group") is kept as written."""
    if "," not in name and _GROUP.search(name):
        return clean_text(name)
    return normalise_author(name)


def to_record(raw: dict[str, list[str]]) -> Record:
    rec = Record(raw=raw)
    titles = _get(raw, "titles/title", "title")
    rec.title = _title(titles[0]) if titles else ""
    rec.abstract = _one(raw, "abstract")
    rec.authors = [a for a in (_author(v) for v in _get(raw, "authors/author")) if a]
    rec.year = parse_year(_one(raw, "dates/year", "year")) or parse_year(_one(raw, "pub-dates/date"))
    rec.journal = _one(raw, "secondary-title", "periodical/full-title", "alt-periodical/full-title")
    rec.journal_abbrev = _one(raw, "periodical/abbr-1", "alt-periodical/abbr-1", "alt-periodical/full-title")
    if not rec.journal_abbrev and "journal" in _one(raw, "ref-type@name").lower():
        rec.journal_abbrev = _one(raw, "alt-title")  # EndNote's "Alternate Journal"
    rec.volume = _one(raw, "volume")
    rec.issue = _one(raw, "number", "issue")
    rec.pages = normalise_pages(_one(raw, "pages"))
    urls = [clean_text(u) for u in _get(raw, "related-urls/url", "web-urls/url", "url")]
    rec.doi = normalise_doi(_one(raw, "electronic-resource-num"))
    if not rec.doi:
        rec.doi = next((d for d in (normalise_doi(u) for u in urls if u.startswith("10.") or "doi.org/" in u) if d), "")
    rec.url = next((u for u in urls if re.match(r"(?:https?|ftp)://", u)), "")
    rec.accession = _one(raw, "accession-num")
    rec.database = _one(raw, "remote-database-name")
    provider = f"{rec.database} {_one(raw, 'remote-database-provider')}".lower()
    if rec.accession.isdigit() and any(k in provider for k in ("pubmed", "medline", "nlm")):
        rec.pmid = normalise_pmid(rec.accession)
    else:
        m = next((m for m in map(_PUBMED_URL.search, urls) if m), None)
        rec.pmid = normalise_pmid(m.group(1)) if m else ""
    issn: list[str] = []
    for value in _get(raw, "isbn"):
        for line in re.split(r"[\r\n;]+", value):
            if re.match(r"\s*\d{4}-?\d{3}[\dXx]\b", line):
                issn += normalise_issn(line)
    rec.issn = dedupe_list(issn)
    rec.keywords = dedupe_list(k for v in _get(raw, "keywords/keyword", "keyword") for k in v.split("\r"))
    rec.language = _one(raw, "language")
    rec.pub_types = dedupe_list(_get(raw, "ref-type@name") + _get(raw, "work-type"))
    return rec


def _line_starts(text: str) -> list[int]:
    lines, pos, line = [], 0, 1
    for m in _RECORD_START.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        lines.append(line)
    return lines


def _records_of(root) -> list:
    return [el for el in root.iter() if isinstance(el.tag, str) and el.tag.lower() == "record"]


def parse(text: str, ctx) -> list[Record]:
    import xml.etree.ElementTree as ET

    lines = _line_starts(text)
    try:
        elements = _records_of(ET.fromstring(text))
    except ET.ParseError as err:
        elements = _recover(text, lines, err, ctx)
    records = []
    for i, el in enumerate(elements):
        if el is None:
            continue
        rec = to_record(_flatten(el))
        rec.source = Source(position=len(records) + 1, line=lines[i] if i < len(lines) else 0, format=NAME)
        records.append(rec)
    return records


def _recover(text: str, lines: list[int], err, ctx) -> list:
    """Not well-formed: parse record by record, keep what parses, warn about the rest."""
    import xml.etree.ElementTree as ET

    line = err.position[0] if getattr(err, "position", None) else None
    chunks = [m.group(0) for m in _RECORD.finditer(text)]
    if not chunks:
        raise ctx.error(f"not well-formed EndNote XML ({err}) and no complete <record> in it", line=line)
    elements, bad = [], []
    for i, chunk in enumerate(chunks):
        try:
            elements.append(ET.fromstring(_BAD_XML_CHARS.sub(" ", chunk)))
        except ET.ParseError:
            elements.append(None)
            bad.append(lines[i] if i < len(lines) else 0)
    open_records = len(lines)
    if open_records > len(chunks):
        ctx.warn(f"{open_records - len(chunks)} record(s) not closed (file cut short?); skipped", line=lines[-1])
    if bad:
        ctx.warn(f"{len(bad)} record(s) are not well-formed XML and were skipped (lines {bad[:10]})", line=bad[0])
    elif open_records == len(chunks):
        ctx.warn(f"not well-formed XML outside the records ({err}); every record was read", line=line)
    return elements
