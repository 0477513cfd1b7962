"""RIS ("TY  - JOUR" ... "ER  - "), as written by databases and reference managers.

One reader for every RIS dialect in the wild: Scopus, Web of Science, Embase,
Ovid, EBSCOhost (CINAHL, PsycInfo, ...), Cochrane CENTRAL, Dimensions, Lens,
ProQuest, IEEE, EndNote, Zotero, Mendeley and Rayyan. What differs between them:

- a field runs on over untagged lines (abstracts, Rayyan's keyword lists,
  WoS's 3-space continuations); such lines belong to the tag above them;
- tags repeat (AU, KW, SN, DO, DB, AB) and nonstandard tags appear (WoS WE PU
  J9 JI; Embase A1 M1 M3 U2 C5); all of them are kept in ``raw``;
- text outside records: Ovid's "1." / "3001. " counters and "Link to ..."
  lines, Cochrane's "Record #n of N" / "Provider:" / "Content:" preambles, and
  Ovid's ``NL  -`` line written after ``ER  -`` (it is given to the record above);
- "TY  -  JOUR" (Cochrane) and "ER  -" with or without a trailing space;
- EBSCO writes a second AB that is only "Copyright of ... is the property
  of ..."; the real abstract is kept;
- identifiers live in different tags per database: see ``_identifiers``;
- KW holds free keywords, except in thesaurus exports (Embase.com's U2 "L...",
  Cochrane CENTRAL's C3, an Ovid MEDLINE/Embase link), where it holds MeSH or
  Emtree terms and fills ``mesh``; the writer's own MH tag also fills ``mesh``.

`database` comes from DB (canonical names such as "Scopus" or EBSCO codes
such as "psyh"), else from hints: a scopus.com or embase.com link, a "CN-"
(Cochrane CENTRAL) or "WOS:" accession, a Dimensions or Lens link, an Ovid link's
database code, EndNote's "DP - NLM" (PubMed). An explicit empty ``DB  -`` means
"no database" (that is what review's own RIS writer writes).

The helpers at the top (`fast_text`, `unique`, `gc_paused`, `language_name`,
`canonical_database`, `INITIALS`, `NOT_PLAIN`) are shared by the other
tagged-text importers.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from functools import lru_cache
from sys import intern

from review.records import (
    RawFields,
    Record,
    Source,
    clean_text,
    normalise_author,
    normalise_doi,
    normalise_eid,
    normalise_issn,
    normalise_pages,
    normalise_pmcid,
    normalise_pmid,
    normalise_ut,
    parse_year,
)

NAME = "ris"
LABEL = "RIS"

# ---- helpers shared by the tagged-text importers -----------------------------------


_ASCII_SPACES = ("\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def fast_text(value: str) -> str:
    """Exactly ``clean_text(value)``, many times faster on values that need nothing.

    clean_text only changes a value that holds markup ("<" then a letter or
    "/"), an entity ("&" then a letter or "#"), or white space other than
    single spaces between words. Such values go through clean_text (markup)
    or ``" ".join(value.split())``, which splits on the same characters as the
    regex ``\\s``; a value already clean is returned as it is. ``isprintable``
    is False for every white-space character except the space; on long ASCII
    text a few substring searches are quicker than it.
    """
    if ("<" in value or "&" in value) and _has_markup(value):
        return clean_text(value)
    if "  " in value or value[:1] == " " or value[-1:] == " ":
        if _only_spaces(value):  # then "".split() would only cut at runs of " ": collapse them in place
            while "  " in value:
                value = value.replace("  ", " ")
            return value.strip(" ")
        return " ".join(value.split())
    if len(value) < 256 or not value.isascii():
        return value if value.isprintable() else " ".join(value.split())
    for c in _ASCII_SPACES:
        if c in value:
            return " ".join(value.split())
    return value


def _only_spaces(value: str) -> bool:
    """No white space in `value` but " " (``isprintable`` is False for every other
    white-space character; on ASCII text a few substring searches are quicker)."""
    if value.isascii():
        for c in _ASCII_SPACES:
            if c in value:
                return False
        return True
    return value.isprintable()


def _has_markup(value: str) -> bool:
    """Could clean_text's tag pattern or html.unescape change this value?"""
    for mark in ("<", "&"):
        i = value.find(mark)
        while i >= 0:
            c = value[i + 1: i + 2]
            if (c.isascii() and c.isalpha()) or c == ("/" if mark == "<" else "#"):
                return True
            i = value.find(mark, i + 1)
    return False


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while records are built.

    A parser allocates millions of small lists, dicts and Records and no
    reference cycles; the collector's repeated passes over them cost as much
    as the parsing itself on a 100,000-record file (measured: 9,400 -> 17,400
    MEDLINE records/s). Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def fast_texts(values: list[str]) -> list[str]:
    """``[fast_text(v) for v in values]``, tested in one pass over all of them.

    Joined with "|" (not white space, not markup), the values are all clean
    exactly when the joined text is: no markup, no white space but single
    spaces inside values, none at a value's ends (" |", "| ").
    """
    j = "|".join(values)
    if (
        "<" in j or "&" in j or "  " in j or " |" in j or "| " in j
        or j[:1] == " " or j[-1:] == " " or not j.isprintable()
    ):
        return [fast_text(v) for v in values]
    return values[:]


def unique(values) -> list[str]:
    """Cleaned values, blanks and case-insensitive repeats dropped, order kept (as dedupe_list)."""
    if not isinstance(values, list):
        values = list(values)
    vals = fast_texts(values)
    if all(vals) and len(set(map(str.lower, vals))) == len(vals):
        return vals
    seen: set[str] = set()
    out = []
    for v in vals:
        key = v.lower()
        if v and key not in seen:
            seen.add(key)
            out.append(v)
    return out


LANGUAGES = {
    "eng": "English", "fre": "French", "fra": "French", "ger": "German", "deu": "German",
    "spa": "Spanish", "ita": "Italian", "por": "Portuguese", "rus": "Russian", "jpn": "Japanese",
    "chi": "Chinese", "zho": "Chinese", "dut": "Dutch", "nld": "Dutch", "pol": "Polish",
    "swe": "Swedish", "dan": "Danish", "nor": "Norwegian", "fin": "Finnish", "cze": "Czech",
    "ces": "Czech", "hun": "Hungarian", "kor": "Korean", "tur": "Turkish", "gre": "Greek",
    "ell": "Greek", "heb": "Hebrew", "ara": "Arabic", "per": "Persian", "fas": "Persian",
    "hrv": "Croatian", "srp": "Serbian", "slv": "Slovenian", "slo": "Slovak", "slk": "Slovak",
    "rum": "Romanian", "ron": "Romanian", "bul": "Bulgarian", "ukr": "Ukrainian",
    "lit": "Lithuanian", "lav": "Latvian", "est": "Estonian", "ice": "Icelandic",
    "ind": "Indonesian", "tha": "Thai", "vie": "Vietnamese", "afr": "Afrikaans",
    "cat": "Catalan", "glg": "Galician", "baq": "Basque", "wel": "Welsh", "gle": "Irish",
    "lat": "Latin", "mul": "Multiple languages", "und": "Undetermined",
}


def language_name(values) -> str:
    """Languages as names ("eng" -> "English"), several joined by "; "."""
    out = []
    for v in values:
        v = fast_text(v)
        if not v:
            continue
        v = LANGUAGES.get(v.lower(), v) if len(v) == 3 else v
        if v not in out:
            out.append(v)
    return "; ".join(out)


# Names review uses for databases; a DB value that is one of these is kept as it is.
CANONICAL_DATABASES = (
    "PubMed", "MEDLINE", "Embase", "Scopus", "Web of Science", "Cochrane CENTRAL",
    "Cochrane CDSR", "PsycInfo", "CINAHL", "ERIC", "Dimensions", "Lens", "CAB Abstracts",
    "Zoological Record", "SciELO Citation Index", "IEEE Xplore", "ProQuest",
)
_DB_ALIASES = {name.lower(): name for name in CANONICAL_DATABASES}
_DB_ALIASES.update({
    # EBSCOhost database codes (DB tag) and common spellings
    "psyh": "PsycInfo", "apa psycinfo": "PsycInfo", "psycinfo": "PsycInfo",
    "cmedm": "MEDLINE", "mdc": "MEDLINE", "mnh": "MEDLINE", "medline": "MEDLINE",
    "c8h": "CINAHL", "ccm": "CINAHL", "rzh": "CINAHL", "cin20": "CINAHL",
    "cinahl complete": "CINAHL", "cinahl plus with full text": "CINAHL",
    "aph": "Academic Search Premier", "a9h": "Academic Search Complete",
    "i3h": "Criminal Justice Abstracts", "sih": "SocINDEX", "bth": "Business Source Premier",
    "pbh": "Psychology and Behavioral Sciences Collection", "pdh": "PsycArticles",
    "eric": "ERIC", "embase": "Embase", "embase.com": "Embase", "scopus": "Scopus",
    "pubmed": "PubMed", "nlm": "PubMed", "wos": "Web of Science",
    "web of science core collection": "Web of Science",
    "cochrane central register of controlled trials": "Cochrane CENTRAL",
})
# Ovid's database codes, as in a link's "D=psyc16" (matched by prefix).
_OVID_CODES = (
    ("psyc", "PsycInfo"), ("pmnm", "MEDLINE"), ("prem", "MEDLINE"), ("mesz", "MEDLINE"),
    ("med", "MEDLINE"), ("emed", "Embase"), ("emez", "Embase"), ("emba", "Embase"),
    ("oemezd", "Embase"), ("caba", "CAB Abstracts"), ("cagh", "CAB Abstracts"),
    ("cctr", "Cochrane CENTRAL"), ("coch", "Cochrane CDSR"), ("amed", "AMED"),
    ("zoor", "Zoological Record"),
)


def canonical_database(value: str) -> str:
    """"psyh" -> "PsycInfo", "Ovid MEDLINE(R) <2022>" -> "MEDLINE"; unknown names kept."""
    value = fast_text(value)
    hit = _DB_ALIASES.get(value.lower())
    if hit:
        return hit
    low = value.lower()
    if low.startswith("ovid ") or "<" in value:
        for word, name in (("medline", "MEDLINE"), ("embase", "Embase"), ("psycinfo", "PsycInfo"),
                           ("cab abstracts", "CAB Abstracts"), ("central", "Cochrane CENTRAL")):
            if word in low:
                return name
    return value


def ovid_database(url: str) -> str:
    """The database of an Ovid link ("...&D=psyc16&..." -> "PsycInfo"), or ""."""
    i = url.find("D=")
    if i < 0 or "ovid" not in url.lower():
        return ""
    code = url[i + 2:].split("&", 1)[0].lower()
    for prefix, name in _OVID_CODES:
        if code.startswith(prefix):
            return name
    return ""


# ---- reading ------------------------------------------------------------------------

_TY = re.compile(r"^TY  -", re.M)
_ER = re.compile(r"^ER  -[ \t]*(?:\n|$)", re.M)
# a field is a line "XX  - value" (or "XX  -" with nothing after it) and the untagged lines after it
_ANY_TAG = re.compile(r"^[A-Z][A-Z0-9]  -(?:[ \t]|$)", re.M)
_FIELD = re.compile(r"^([A-Z][A-Z0-9])  -(?:[ \t]|(?=\n)|$)(.*(?:\n(?![A-Z][A-Z0-9]  -(?:[ \t]|\n|$)).*)*)", re.M)
_LABELLED_ID = re.compile(r"^(.*?)\s*\[([A-Za-z ]+)\]$")
_PUBMED_IN_TEXT = re.compile(r"PUBMED\s+(\d+)", re.I)
_OVID_CLASS = re.compile(r"\[\d{4}\]$")  # PsycInfo classification codes in Ovid's M3


def sniff(head: str) -> float:
    """High for text with "TY  -" lines among "XX  - " tagged lines."""
    if not _TY.search(head):
        if head.count("\nER  -") >= 1 and len(_ANY_TAG.findall(head)) >= 5:
            return 0.5
        return 0.0
    tagged = len(_ANY_TAG.findall(head, 0, 20000))
    return 0.9 if tagged >= 3 else 0.4


def parse(text: str, ctx) -> list[Record]:
    """Every record between a "TY  -" line and its "ER  -" line."""
    with gc_paused():
        return parse_stream([text], ctx)


def parse_stream(chunks, ctx) -> list[Record]:
    """The records of a file given as chunks (``str``, or UTF-8 ``bytes`` with "\\n"
    line ends, cut anywhere but between CR and LF), built as the chunks come so
    that a large file is never held whole. Each record keeps its own lines
    (bytes when given bytes) for ``raw``, split into fields when first read.
    A ``UnicodeDecodeError`` means the bytes are not UTF-8."""
    source = getattr(chunks, "source", None)  # a large file: raw text read back from it (see _filetext)
    it = iter(chunks)
    buf = next(it, None)
    if buf is None:
        return _parse("", ctx)
    at = chunks.origin if source is not None else None  # the file offset of buf[0], while buf is the file's own bytes
    is_bytes = isinstance(buf, bytes)
    ty = b"\nTY  -" if is_bytes else "\nTY  -"
    nl = b"\n" if is_bytes else "\n"
    first = 0 if buf[:5] == ty[1:] else buf.find(ty) + 1
    if first == 0 and buf[:5] != ty[1:]:  # no "TY" in the first chunk: an odd file, read whole
        rest = buf[:0].join([buf, *it])
        return _parse(rest.decode("utf-8") if is_bytes else rest, ctx)
    records: list[Record] = []
    line = buf.count(nl, 0, first) + 1  # the line of buf[first]
    buf = buf[first:]
    if at is not None:
        at += first
    for chunk in it:
        joined = at is not None and chunks.origin == at + len(buf)  # buf + chunk are the file's bytes
        cut = buf.rfind(ty)  # the records before the last "TY" line are whole
        if cut <= 0:
            buf += chunk
            at = at if joined else None
            continue
        line = _read_blocks(buf, cut + 1, line, records, ctx, False, source, at)
        buf = buf[cut + 1:] + chunk
        at = at + cut + 1 if joined else None
    _read_blocks(buf, len(buf), line, records, ctx, True, source, at)
    return records


def _read_blocks(buf, stop: int, line: int, records: list[Record], ctx, final: bool,
                 source=None, at: int | None = None) -> int:
    """The records in buf[:stop], which starts at a "TY" line on line `line`;
    returns the line of buf[stop]. buf[i] is at offset at + i in `source`'s file
    when `at` is given."""
    is_bytes = isinstance(buf, bytes)
    ty = b"\nTY  -" if is_bytes else "\nTY  -"
    nl = b"\n" if is_bytes else "\n"
    start = 0
    while start < stop:
        i = buf.find(ty, start + 1, stop)
        end = stop if i < 0 else i + 1
        _read_block(buf[start:end], line, records, ctx, final and i < 0, None if at is None else (source, at + start))
        line += buf.count(nl, start, end)
        start = end
    return line


def _parse(text: str, ctx) -> list[Record]:
    """A text with no "TY  -" line near its start: records from the first tagged line."""
    records: list[Record] = []
    starts = _starts(text)
    if not starts:
        m = _ANY_TAG.search(text)
        if not m:
            raise ctx.error("no RIS records: expected lines such as 'TY  - JOUR'", line=1)
        starts = [m.start()]
        ctx.warn("the first record has no 'TY  -' line", line=text.count("\n", 0, m.start()) + 1)
    line = text.count("\n", 0, starts[0]) + 1
    pos = starts[0]
    starts.append(len(text))
    for k in range(len(starts) - 1):
        start, end = starts[k], starts[k + 1]
        line += text.count("\n", pos, start)
        pos = start
        _read_block(text[start:end], line, records, ctx, last=k == len(starts) - 2)
    return records


def _starts(text: str) -> list[int]:
    """Where each "TY  -" line starts (str.find: far quicker than a multi-line regex)."""
    out = [0] if text.startswith("TY  -") else []
    i = text.find("\nTY  -")
    while i >= 0:
        out.append(i + 1)
        i = text.find("\nTY  -", i + 6)
    return out


def _read_block(block, line: int, records: list[Record], ctx, last: bool, place: tuple | None = None) -> None:
    """One "TY" line up to the next (str, or UTF-8 bytes): a record, then what lies outside it.
    `place`: (source, file offset of the block), when raw is to be read back from the file."""
    is_bytes = isinstance(block, bytes)
    j = block.find(b"\nER  -" if is_bytes else "\nER  -")
    if j < 0:
        body, trailer = block, block[:0]
        where = "the last record" if last else "this record"
        ctx.warn(f"{where} has no 'ER  -' line; kept what is there (file cut short?)", line=line)
    else:
        body = block[:j]
        k = block.find(b"\n" if is_bytes else "\n", j + 1)
        trailer = block[k + 1:] if k >= 0 else block[:0]
    text = body.decode("utf-8") if is_bytes else body
    rec = record_from_raw(_fields(text, str), Source(position=len(records) + 1, line=line))
    rec.raw = RawFields(body if place is None else (place[0], place[1], len(body)), _fields)
    records.append(rec)
    if trailer and not trailer.isspace():  # (the blank line after "ER" is nothing to read, and valid UTF-8)
        at = line + block.count(b"\n" if is_bytes else "\n", 0, len(block) - len(trailer))
        if is_bytes:
            trailer = trailer.decode("utf-8")  # decoded even when unused: a check that the file is UTF-8
        if "  -" in trailer:
            _read_trailer(trailer, at, records, ctx)


def _read_trailer(trailer: str, line: int, records: list[Record], ctx) -> None:
    """Tagged lines after "ER": Ovid's NL belongs to the record above; a whole
    record without its "TY" line (it has its own "ER") is read with a warning."""
    m = _ANY_TAG.search(trailer)
    if m is None:
        return
    rest = trailer[m.start():]
    at = line + trailer.count("\n", 0, m.start())
    er = _ER.search(rest)
    if er is None:  # single tagged lines (Ovid's NL); untagged lines here are not continuations
        raw = {}
        for m2 in _ANY_TAG.finditer(rest):
            eol = rest.find("\n", m2.end())
            value = rest[m2.end(): eol if eol >= 0 else len(rest)].strip()
            raw.setdefault(rest[m2.start(): m2.start() + 2], []).append(value)
        prev = records[-1]
        for tag, values in raw.items():
            prev.raw.setdefault(tag, []).extend(values)
        if "NL" in raw and not prev.journal_abbrev:
            prev.journal_abbrev = fast_text(raw["NL"][0])
        return
    ctx.warn("a record has no 'TY  -' line; read it anyway", line=at)
    raw = _fields(rest[: er.start()])
    records.append(record_from_raw(raw, Source(position=len(records) + 1, line=at)))
    _read_trailer(rest[er.end():], at + rest.count("\n", 0, er.end()), records, ctx)


def _fields(body: str, key=intern) -> dict[str, list[str]]:
    """tag -> values; a value keeps its untagged continuation lines after a newline.

    One regex finds every "XX  - value" line with the untagged lines after it
    (in C); the character after "  -" (a space, a tab) is not part of the value.
    Tags are interned (`key`) in dicts that are kept (raw fields); not in the
    ones a record is built from (``key=str``).
    """
    raw: dict[str, list[str]] = {}
    get = raw.get
    for tag, value in _FIELD.findall(body):
        value = value.strip()
        if "\n" in value:
            value = "\n".join(s for s in (p.strip() for p in value.split("\n")) if s)
        have = get(tag)
        if have is None:
            raw[key(tag)] = [value]  # interned: one key object for all records, less memory
        else:
            have.append(value)
    return raw


@lru_cache(maxsize=4096)
def _issns(value: str) -> tuple[str, ...]:
    """normalise_issn, once per distinct SN text (journals recur), interned."""
    return tuple(map(intern, normalise_issn(value)))


@lru_cache(maxsize=1024)
def _language(value: str) -> str:
    return intern(language_name([value]))


def _first(raw: dict, *tags: str) -> str:
    """The first non-empty value of the first of `tags` that has one."""
    get = raw.get
    for tag in tags:
        values = get(tag)
        if values:
            if values[0]:
                return values[0]
            for v in values:
                if v:
                    return v
    return ""


def record_from_raw(raw: dict[str, list[str]], source: Source) -> Record:
    """The normalised record for one RIS record's fields.

    Speed: each field's usual case (its first tag present, its first value not
    empty) is read inline; anything else goes through `_first`, which gives the
    same value. Tags that are absent are tested with ``in`` before any loop."""
    g = raw.get
    rec = Record(raw=raw, source=source)
    v = g("TI")
    rec.title = fast_text(v[0] if v and v[0] else _first(raw, "TI", "T1", "CT", "BT"))
    rec.abstract = _abstract(raw)
    au = g("AU") or g("A1")
    if au:
        rec.authors = _authors(au)
    v = g("PY")
    rec.year = parse_year(v[0] if v and v[0] else _first(raw, "PY", "Y1", "DA"))
    _journal(rec, raw, g)
    v = g("VL")
    rec.volume = fast_text(v[0] if v and v[0] else _first(raw, "VL", "VO"))
    v = g("IS")
    rec.issue = fast_text(v[0] if v and v[0] else _first(raw, "IS"))
    rec.pages = _pages(raw, g)
    v = g("DO")
    if v:
        for v in v:
            doi = normalise_doi(v)
            if doi:
                rec.doi = doi
                break
    sn = g("SN")
    if sn:
        if len(sn) == 1:
            rec.issn = list(_issns(sn[0]))
        else:
            issn: list[str] = []
            for v in sn:
                for x in _issns(v):
                    if x not in issn:
                        issn.append(x)
            rec.issn = issn
    kws = g("KW")
    if kws:
        terms = unique(p for v in kws for p in v.split("\n")) if "\n" in "\t".join(kws) else unique(kws)
        indexed = False
        if "U2" in raw or "C3" in raw or "L2" in raw:  # else neither test below can be true
            indexed = _indexed(raw)
            if indexed or any(ovid_database(u) for u in g("L2", ())):
                terms = unique(t.lstrip("*") for t in terms)  # Ovid and Cochrane mark major topics "*"
        if indexed:
            rec.mesh = terms
        else:
            rec.keywords = terms
    if "MH" in raw:
        rec.mesh = unique(g("MH"))
    la = g("LA")
    if la:
        rec.language = _language(la[0]) if len(la) == 1 else language_name(la)
    if "M3" in raw:
        rec.pub_types = unique(p for v in g("M3") if not _OVID_CLASS.search(v) for p in v.split(";"))
    v = g("UR")
    rec.url = fast_text(v[0] if v and v[0] else _first(raw, "UR"))
    _identifiers(rec, raw, g)
    rec.database = _database(rec, raw, g)
    return rec


_GROUP_WORDS = ("group", "consortium", "committee", "collaborat", "investigators", "network",
                "society", "association", "organization", "organisation", "study", "team",
                "trialists", "council", "working party", "panel", "institute", "writing")


_CAPS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# One to three capitals: initials as databases write them ("JA", "JR", "WSM").
INITIALS = frozenset(
    [a for a in _CAPS] + [a + b for a in _CAPS for b in _CAPS] + [a + b + c for a in _CAPS for b in _CAPS for c in _CAPS]
)
# What in a family name would make normalise_author do more than join it to the initials.
NOT_PLAIN = re.compile(r"[,;()<&]|[^\S\n ]|  |^ | $|^$", re.M)


# "Family, INI" names joined with "|", all already as normalise_author gives them
# (see _author); a name with no lower-case letter may be an all-capitals family.
_PLAIN_NAME = r"[^\s,;()<&|]+(?: [^\s,;()<&|]+)*, [A-Z]{1,3}"
# each name also up to 63 characters (so no family name is over 60) and with a
# lower-case letter (else it may be an all-capitals family name), tested ahead
_CHECKED_NAME = rf"(?=[^|]{{1,63}}(?:\||$))(?=[^|]*[a-z]){_PLAIN_NAME}"
_PLAIN_NAMES = re.compile(rf"{_CHECKED_NAME}(?:\|{_CHECKED_NAME})*")


def _authors(values: list[str]) -> list[str]:
    """``_author`` over a record's names, tested all at once when they are all plain."""
    j = "|".join(values)
    if _PLAIN_NAMES.fullmatch(j) and j.count("|") == len(values) - 1:
        return values[:]
    return [a for a in map(_author, values) if a]


def _author(value: str) -> str:
    """normalise_author, except that a group name without a comma stays as it is.

    "Family, INI" (WoS, Zotero, Cochrane) is already normalised: it is kept
    without calling normalise_author when nothing in it would change.
    """
    family, sep, given = value.partition(", ")
    if sep and given in INITIALS and not family.isupper() and len(family) <= 60 and not NOT_PLAIN.search(family):
        return value
    if "," not in value and len(value) > 12:
        low = value.lower()
        if any(w in low for w in _GROUP_WORDS):
            return fast_text(value)
    return normalise_author(value)


def _indexed(raw: dict) -> bool:
    """True when KW holds a thesaurus's index terms (MeSH, Emtree), not free keywords:
    Embase.com (U2 "L..."), Ovid MEDLINE/Embase (an Ovid link), Cochrane CENTRAL (C3).
    review's own writer uses none of these tags, so its KW stay keywords."""
    u2 = _first(raw, "U2")
    if u2[:1] == "L" and u2[1:].strip().isdigit():
        return True
    if "C3" in raw and _first(raw, "AN").startswith("CN-"):
        return True
    for u in raw.get("L2", ()):
        if ovid_database(u) in ("MEDLINE", "Embase"):
            return True
    return False


_ABSTRACT_TEXT = re.compile(
    r"<AbstractText(?:\s+Label=\"([^\"]*)\")?[^<>]*>|</AbstractText>"
    r"|<CopyrightInformation>.*?</CopyrightInformation>",
    re.S,
)


def _abstract(raw: dict) -> str:
    """AB (without EBSCO's "Copyright of ..." notice), else N2.

    Lens passes on PubMed's ``<AbstractText Label="BACKGROUND">`` sections; the
    label becomes a heading ("BACKGROUND: ...") as in PubMed's own text, and the
    ``<CopyrightInformation>`` notice is dropped (PubMed keeps it out of AB too).
    """
    abstracts = raw.get("AB")
    if abstracts and len(abstracts) == 1:
        text = abstracts[0]  # (what the join below gives for one value, a notice or not)
    elif abstracts:
        real = [v for v in abstracts if not v.startswith("Copyright of ")]
        text = " ".join(real or abstracts)
    else:
        text = " ".join(raw.get("N2", ()))
    if "<" in text and ("<AbstractText" in text or "<CopyrightInformation" in text):
        text = _ABSTRACT_TEXT.sub(lambda m: f" {m.group(1)}: " if m.group(1) else " ", text)
    text = fast_text(text.replace("\n", " ") if "\n" in text else text)
    return "" if text == "[No abstract available]" else text  # Scopus's placeholder


def _journal(rec: Record, raw: dict, g) -> None:
    """Full name from JF, T2, JO or JA; abbreviation from J2, JI, J9, J1, NL or a second name."""
    full_tag = ""
    for t in ("JF", "T2", "JO", "JA"):
        v = g(t)
        if v:
            v = v[0] or _first(raw, t)
            if v:
                full_tag, rec.journal = t, fast_text(v)
                break
    abbrev = ""
    for t in ("J2", "JI", "J9", "J1", "NL"):
        v = g(t)
        if v:
            abbrev = v[0] or _first(raw, t)
            if abbrev:
                break
    if not abbrev:
        for t in ("JO", "JA"):
            v = _first(raw, t)
            if v and t != full_tag and fast_text(v) != rec.journal:
                abbrev = v
                break
    rec.journal_abbrev = fast_text(abbrev)


def _pages(raw: dict, g) -> str:
    v = g("SP")
    sp = fast_text(v[0] if v and v[0] else _first(raw, "SP"))
    v = g("EP")
    ep = fast_text(v[0] if v and v[0] else _first(raw, "EP"))
    if sp.lower() == "no" and ep.lower() == "specified":  # Ovid's "Not specified" split in two
        return ""
    if sp and ep and "-" not in sp:
        return normalise_pages(f"{sp}-{ep}")
    if sp:
        return normalise_pages(sp)
    return normalise_pages(_first(raw, "C7") or ep)


def _identifiers(rec: Record, raw: dict, g) -> None:
    """PMID, PMCID, EID, WoS UT and the database's own accession number."""
    for tag in ("U1", "U2", "U3", "U4", "U5"):  # Dimensions and review: "35957633 [PMID]"
        if tag not in raw:
            continue
        for v in g(tag):
            m = _LABELLED_ID.match(v)
            if not m:
                continue
            value, label = m.group(1), m.group(2).upper()
            if label == "PMID":
                rec.pmid = rec.pmid or normalise_pmid(value)
            elif label == "PMCID":
                rec.pmcid = rec.pmcid or normalise_pmcid(value)
            elif label == "EID":
                rec.eid = rec.eid or normalise_eid(value)
            elif label in ("UT", "WOS"):
                rec.wos_ut = rec.wos_ut or normalise_ut(value)
    if not rec.eid and "UR" in raw:
        for u in g("UR"):
            if "2-s2.0-" in u:
                rec.eid = normalise_eid(u)
                break
    an = _first(raw, "AN")
    if an:
        an = fast_text(an)
        if an.upper().startswith("WOS:"):
            rec.wos_ut = rec.wos_ut or normalise_ut(an)
        elif _first(raw, "DP").upper() == "NLM" and an.isdigit():
            rec.pmid = rec.pmid or normalise_pmid(an)
        else:
            rec.accession = an.split(";")[0].strip()
    if not rec.accession and "ID" in raw:
        ident = fast_text(_first(raw, "ID"))
        if ident and not (ident.isdigit() and len(ident) < 7):  # EndNote's own record numbers
            rec.accession = ident
    if not rec.accession and "U2" in raw:
        u2 = fast_text(_first(raw, "U2"))
        if u2[:1] == "L" and u2[1:].isdigit():  # Embase PUI
            rec.accession = u2
    if not rec.pmid and "C5" in raw:
        c5 = fast_text(_first(raw, "C5"))
        if c5.isdigit() and rec.accession[:1] == "L":  # Embase.com writes the PMID in C5
            rec.pmid = normalise_pmid(c5)
    if not rec.pmid and "C3" in raw:
        for v in g("C3"):  # Cochrane CENTRAL: "PUBMED 34176716,EMBASE 2013267276"
            m = _PUBMED_IN_TEXT.search(v)
            if m:
                rec.pmid = m.group(1)
                break
    if not rec.pmid and "L2" in raw:
        for u in g("L2"):  # Ovid MEDLINE: the PMID is the AN of the record's Ovid link
            if ovid_database(u) == "MEDLINE":
                m = re.search(r"[?&]AN=(\d+)", u)
                if m:
                    rec.pmid = normalise_pmid(m.group(1))
                    if rec.accession == m.group(1):
                        rec.accession = ""
                break


def _database(rec: Record, raw: dict, g) -> str:
    db = g("DB")
    dbs = [v for v in db if v.strip()] if db else None
    links = g("UR") or []
    if "L2" in raw:
        links = links + raw["L2"]
    if dbs:
        names = [canonical_database(v) for v in dbs]
        if "Embase" in names:
            return "Embase"
        if dbs[0] == "Medline" and any("embase.com" in u for u in links):
            return "Embase"  # Embase.com marks records it took from MEDLINE "Medline"
        return names[0]
    if "DB" in raw:
        return ""  # an explicit empty DB: the file says it has no database
    for u in links:
        low = u.lower()
        if "scopus.com" in low:
            return "Scopus"
        if "embase.com" in low:
            return "Embase"
        if "app.dimensions.ai" in low:
            return "Dimensions"
        if "lens.org" in low:
            return "Lens"
        ovid = ovid_database(u)
        if ovid:
            return ovid
    an = _first(raw, "AN")
    if an.startswith("CN-"):
        return "Cochrane CENTRAL"
    if an.upper().startswith("WOS:") or "WE" in raw:
        return "Web of Science"
    if an.startswith("pub.") and an[4:].isdigit():
        return "Dimensions"
    dp = _first(raw, "DP")
    if dp.upper() == "NLM":
        return "PubMed"
    return ""
