"""Records out as BibTeX, readable again by review.importers.bibtex without loss.

One entry per record, keys like ``smith2020title`` (first author's family name,
year, first long title word; repeats get ``a``, ``b``, ... appended). Text is
written as UTF-8 with LaTeX's special characters escaped (``\\&``, ``\\%``,
``\\_``, ``\\{``; ``\\textbackslash{}`` and friends), titles in double braces so
that BibTeX styles keep their capitals, DOIs and URLs verbatim.

Where each normalised field goes (the importer reads these names back)::

    title          title = {{...}}
    abstract       abstract
    authors        author, " and " between names; "{van der Berg}, A." for a
                   family name with spaces, "{World Health Organization}" for a group
    year           year
    journal        journal (booktitle in @inproceedings / @incollection)
    journal_abbrev shortjournal (biblatex's name)
    volume, issue  volume, number
    pages          pages, "--" between first and last page
    doi, url       doi, url
    pmid, pmcid    pmid, pmcid
    eid            scopus-eid (not biblatex's "eid", which is an article number)
    wos_ut         unique-id = {WOS:...} (as Web of Science writes it)
    accession      accession
    issn           issn, ", " between ISSNs
    keywords       keywords, "; " between keywords
    mesh           mesh, "; " between terms
    language       language
    pub_types      type, "; " between types
    database       database; also written empty when the importer would
                   otherwise guess one (a Cochrane DOI, a WoS unique-id), since
                   a ``database`` field tells it to take every field as written.

Lists are split on ";" when read back, so a ";" inside a keyword, MeSH term
or publication type is written ``\\;``, and a single keyword that holds a comma
gets a trailing ";" (a list without one is split on commas, as Zotero writes it).
The entry type follows pub_types: @inproceedings (conference), @incollection
(book section, chapter), @phdthesis, @book, else @article.
"""

from __future__ import annotations

import re

from review.records import Record, fold, normalise_author

NAME = "bib"
SUFFIXES = (".bib", ".bibtex")

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}
_SPECIAL_RE = re.compile(r"[\\%&$#_~^<>{}]")
_STOP = {"a", "an", "the", "of", "on", "in", "and", "for", "to", "with", "at", "by", "from"}


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def escape(text: str) -> str:
    """Plain text to BibTeX text: special characters escaped, braces kept balanced."""
    if not _SPECIAL_RE.search(text):
        return text
    braces = {"{": r"\{", "}": r"\}"} if _balanced(text) else {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
    return _SPECIAL_RE.sub(lambda m: _SPECIAL.get(m.group(0)) or braces[m.group(0)], text)


def escape_verbatim(text: str) -> str:
    """DOIs and URLs: only what would break the entry (backslashes, braces) is escaped."""
    return text.replace("\\", r"\textbackslash{}").replace("{", r"\{").replace("}", r"\}")


def _item(text: str) -> str:
    """One keyword, MeSH term or type in a "; "-separated list: its own ";" as ``\\;``."""
    return escape(text).replace(";", r"\;")


def _author(name: str) -> str:
    """"Smith, JA" -> "Smith, J. A."; anything else (a group, a long name) whole in braces."""
    family, _, initials = name.partition(", ")
    if initials.isalpha() and "," not in family and normalise_author(name) == name:
        family = escape(family)
        if " " in family or "{" in family:
            family = "{" + family + "}"
        return f"{family}, " + " ".join(c + "." for c in initials)
    return "{" + escape(name) + "}"


def _entry_type(rec: Record) -> str:
    kinds = " ".join(rec.pub_types).lower()
    if "conference" in kinds or "proceedings" in kinds:
        return "inproceedings"
    if "book section" in kinds or "chapter" in kinds:
        return "incollection"
    if "thesis" in kinds or "dissertation" in kinds:
        return "phdthesis"
    if "book" in kinds:
        return "book"
    return "article"


def _base_key(rec: Record) -> str:
    family = rec.authors[0].split(",")[0] if rec.authors else ""
    family = fold(family).replace(" ", "") or "anon"
    words = fold(rec.title).split()
    word = next((w for w in words if w not in _STOP and len(w) > 2), words[0] if words else "")
    return f"{family[:30]}{rec.year or ''}{word[:20]}"


def _suffix(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(97 + r) + out
    return out


def entry_fields(rec: Record, entry_type: str) -> list[tuple[str, str]]:
    """(name, BibTeX value without the outer braces) for every non-empty normalised field."""
    out: list[tuple[str, str]] = []

    def put(name: str, value: str) -> None:
        if value:
            out.append((name, value))

    put("author", " and ".join(_author(a) for a in rec.authors))
    put("title", "{" + escape(rec.title) + "}" if rec.title else "")
    container = "booktitle" if entry_type in ("inproceedings", "incollection") else "journal"
    put(container, escape(rec.journal))
    put("shortjournal", escape(rec.journal_abbrev))
    put("year", str(rec.year) if rec.year is not None else "")
    put("volume", escape(rec.volume))
    put("number", escape(rec.issue))
    put("pages", escape(rec.pages).replace("-", "--"))  # BibTeX's page-range dash
    put("doi", escape_verbatim(rec.doi))
    put("pmid", escape(rec.pmid))
    put("pmcid", escape(rec.pmcid))
    put("scopus-eid", escape(rec.eid))
    put("unique-id", "WOS:" + escape(rec.wos_ut) if rec.wos_ut else "")
    put("accession", escape(rec.accession))
    put("issn", ", ".join(escape(i) for i in rec.issn))
    keywords = "; ".join(_item(k) for k in rec.keywords)
    if len(rec.keywords) == 1 and "," in keywords:
        keywords += ";"  # one keyword with a comma: the ";" says the list is split on ";"
    put("keywords", keywords)
    put("mesh", "; ".join(_item(m) for m in rec.mesh))
    put("language", escape(rec.language))
    put("type", "; ".join(_item(t) for t in rec.pub_types))
    put("url", escape_verbatim(rec.url))
    put("abstract", escape(rec.abstract))
    return out


def _needs_database_field(rec: Record, fields: list[tuple[str, str]], entry_type: str) -> bool:
    """True when reading the entry back without a database field would change a field."""
    from review.importers.bibtex import fields_to_record

    back = fields_to_record({k: [v] for k, v in fields}, entry_type)
    return back.normalised() != rec.normalised()


def format_entry(rec: Record, key: str) -> str:
    entry_type = _entry_type(rec)
    fields = entry_fields(rec, entry_type)
    if rec.database or _needs_database_field(rec, fields, entry_type):
        fields.append(("database", escape(rec.database)))
    width = max((len(k) for k, _ in fields), default=0)
    body = ",\n".join(f"  {k.ljust(width)} = {{{v}}}" for k, v in fields)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def write(records, fh) -> None:
    """Write `records` to the open text file `fh` as BibTeX entries."""
    used: set[str] = set()
    first = True
    for rec in records:
        base = _base_key(rec)
        key, n = base, 0
        while key in used:
            n += 1
            key = base + _suffix(n)
        used.add(key)
        if not first:
            fh.write("\n")
        fh.write(format_entry(rec, key))
        first = False
