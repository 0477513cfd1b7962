"""The Record: one bibliographic record from one search export, normalised.

Every importer turns its format into `Record`s. Normalised fields are what the
later stages use (dedup, screening, PRISMA); `raw` keeps every field as the file
gave it, so nothing is lost; `source` says where the record came from. `id` is
stable across re-imports so that people's decisions stay attached to it.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field, fields

# Fields that hold one string each, and fields that hold a list of strings.
TEXT_FIELDS = (
    "title",
    "abstract",
    "journal",
    "journal_abbrev",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "eid",
    "wos_ut",
    "accession",
    "language",
    "url",
    "database",
)
LIST_FIELDS = ("authors", "issn", "keywords", "mesh", "pub_types")
NORMALISED_FIELDS = ("title", "abstract", "authors", "year") + tuple(
    f for f in TEXT_FIELDS + LIST_FIELDS if f not in ("title", "abstract", "authors")
)


class RawFields(MutableMapping):
    """A record's raw fields (tag -> list of values), kept as the record's text until read.

    Importers of tagged text (MEDLINE, RIS) give each record its block of the
    file (``str``, or UTF-8 ``bytes`` to halve the memory of non-ASCII text)
    and the format's function that splits such a block into fields; the split
    happens on first access, so a 100,000-record import keeps one string per
    record instead of a dict of lists of all its tags. For a large file the text
    may also be ``(source, offset, length)``: where the record's bytes lie in
    the file, read back with ``source.read(offset, length)`` on first access
    (`review.importers._filetext`). It compares equal to the plain dict it
    stands for, and pickles and serialises (``Record.to_dict``) as that dict's
    content.
    """

    __slots__ = ("_text", "_split", "_dict")

    def __init__(self, text: str | bytes | tuple, split: Callable[[str], dict[str, list[str]]]):
        self._text = text
        self._split = split
        self._dict: dict[str, list[str]] | None = None

    @property
    def data(self) -> dict[str, list[str]]:
        """The fields as a plain dict (split on first use, then kept)."""
        d = self._dict
        if d is None:
            text = self._text
            if text.__class__ is tuple:  # (source, offset, length) in the export file
                text = text[0].read(text[1], text[2])
            d = self._dict = self._split(text.decode("utf-8") if isinstance(text, bytes) else text)
            self._text = None
        return d

    def __getitem__(self, key: str) -> list[str]:
        return self.data[key]

    def __setitem__(self, key: str, value: list[str]) -> None:
        self.data[key] = value

    def __delitem__(self, key: str) -> None:
        del self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def _absent(self, key: object) -> bool:
        """True when `key` cannot be a field: not split yet, and not in the text at all
        (every tag is written in its record's text). Spares a split for a look-up
        such as ``raw.get("_id")`` on every record."""
        text = self._text
        if self._dict is not None or not isinstance(key, str):
            return False
        if text.__class__ is tuple:
            text = text[0].read(text[1], text[2])
        return (key.encode("utf-8") if isinstance(text, bytes) else key) not in text

    def __contains__(self, key: object) -> bool:
        return False if self._absent(key) else key in self.data

    def get(self, key, default=None):
        return default if self._absent(key) else self.data.get(key, default)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RawFields):
            other = other.data
        return self.data == other if isinstance(other, dict) else NotImplemented

    __hash__ = None  # mutable, like dict

    def __repr__(self) -> str:
        return f"RawFields({self.data!r})"

    def __reduce__(self):
        if self._dict is None:
            text = self._text
            if text.__class__ is tuple:
                text = text[0].read(text[1], text[2])
            return (RawFields, (text, self._split))
        return (dict, (self._dict,))


@dataclass(slots=True)
class Source:
    """Where a record came from: the search (from protocol.yaml), the file, its place in it."""

    file: str = ""
    position: int = 0  # 1-based order of the record in its file
    line: int = 0  # line on which the record starts (0 when the format has no lines)
    format: str = ""  # importer name, e.g. "medline", "ris", "scopus_csv"
    search: str = ""  # the search's name in protocol.yaml, "" outside a review


@dataclass(slots=True)
class Record:
    """One record, with normalised fields, the raw fields and provenance.

    ``authors`` are "Family, Initials" strings (``"Smith, JA"``); ``doi`` is
    lower-case with no resolver prefix; ``year`` is an int or None; ``pages`` is
    "first-last" with the last page written in full where the file abbreviated it.
    ``database`` is the database the record came from as the export says it
    (PubMed, Scopus, Web of Science, Embase, ...), or "" if the file does not say.
    """

    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    journal_abbrev: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    eid: str = ""  # Scopus EID, 2-s2.0-...
    wos_ut: str = ""  # Web of Science accession, WOS:000... (prefix kept off: digits/letters only)
    accession: str = ""  # any other database's accession number (Embase PUI, Cochrane CN-, Ovid UI, ...)
    issn: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)  # MeSH or Emtree terms
    language: str = ""
    pub_types: list[str] = field(default_factory=list)
    url: str = ""
    database: str = ""
    raw: MutableMapping[str, list[str]] = field(default_factory=dict)  # a dict, or RawFields
    source: Source = field(default_factory=Source)

    # ---- identity ---------------------------------------------------------
    @property
    def id(self) -> str:
        """A stable id: PMID, else DOI, else Scopus EID or WoS UT, else a content hash."""
        return record_id(self)

    def normalised(self) -> dict:
        """The normalised fields only, as plain data (for comparisons and exports)."""
        return {name: getattr(self, name) for name in NORMALISED_FIELDS}

    def to_dict(self) -> dict:
        """Everything, as plain JSON-ready data (JSONL library, caches)."""
        out = {"id": self.id}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "source":
                value = {sf.name: getattr(value, sf.name) for sf in fields(value)}
            elif f.name == "raw" and isinstance(value, RawFields):
                value = value.data
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Record":
        kwargs = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name == "source":
                value = Source(**value)
            elif f.name in LIST_FIELDS:
                value = list(value or [])
            elif f.name == "raw":
                value = {k: list(v) for k, v in (value or {}).items()}
            kwargs[f.name] = value
        return cls(**kwargs)


# ---- stable ids -------------------------------------------------------------

def record_id(rec: Record) -> str:
    """``pmid:N``, ``doi:10...``, ``eid:2-s2.0-...``, ``wos:...``, else ``h:`` + 12 hex digits.

    The hash covers the normalised title, year and first author's family name,
    so the same record re-imported from the same export gets the same id.
    """
    if rec.pmid:
        return f"pmid:{rec.pmid}"
    if rec.doi:
        return f"doi:{rec.doi}"
    if rec.eid:
        return f"eid:{rec.eid}"
    if rec.wos_ut:
        return f"wos:{rec.wos_ut}"
    first = rec.authors[0].split(",")[0] if rec.authors else ""
    key = "|".join([fold(rec.title), str(rec.year or ""), fold(first), fold(rec.journal), rec.pages])
    if not key.strip("|"):
        key = "|".join([rec.source.file, str(rec.source.position), rec.abstract[:200]])
    return "h:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


# ---- normalisation helpers shared by every importer --------------------------

# Only markup that databases really put in titles and abstracts (HTML, JATS, MathML):
# an EndNote title such as "<Creep crack growth.pdf>" is text, not a tag.
_TAGS = re.compile(
    r"</?(?:i|b|u|em|strong|sup|sub|p|br|span|scp|inf|div|a|h\d|ul|ol|li|(?:jats|mml):[\w.-]+)(?:\s[^<>]*)?/?>",
    re.I,
)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+\d*);")


def clean_text(value: str | None) -> str:
    """Collapse white space, drop markup tags (JATS/HTML in Lens abstracts), unescape entities."""
    if not value:
        return ""
    value = str(value)
    if "<" in value:
        value = _TAGS.sub(" ", value)
    if "&" in value:
        value = _ENTITY.sub(lambda m: html.unescape(m.group(0)), value)
    return " ".join(value.split())


def fold(value: str) -> str:
    """Lower-case ASCII letters and digits only: a key for comparing titles and names."""
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(c for c in value if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()


_DOI_PREFIX = re.compile(
    r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|(?:dx\.)?doi\.org/|https?://doi\.[a-z]+/)", re.I
)
_DOI_IN_TEXT = re.compile(r"10\.\d{4,9}/\S+", re.I)


def normalise_doi(value: str | None) -> str:
    """Lower-case, no resolver prefix, no trailing punctuation; "" when it is not a DOI."""
    if not value:
        return ""
    v = value.strip() if isinstance(value, str) else ""
    if v[:3] == "10." and v.isprintable() and " " not in v and "<" not in v and "&" not in v:
        return v.rstrip(".,;").lower()  # the common case: a bare DOI, nothing to clean
    value = clean_text(value).strip()
    value = _DOI_PREFIX.sub("", value).strip()
    if not value.lower().startswith("10."):
        m = _DOI_IN_TEXT.search(value)
        if not m:
            return ""
        value = m.group(0)
    value = value.split()[0] if " " in value else value
    value = value.rstrip(".,;")
    return value.lower()


_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


def parse_year(value: str | int | None) -> int | None:
    """The first plausible four-digit year in a value ("2019 Mar 4", "2019/03/04/"), or None."""
    if value is None:
        return None
    if value.__class__ is str and len(value) == 4 and value.isdigit() and value.isascii():
        y = int(value)  # the common "2019": what the pattern gives, without it
        return y if 1500 <= y <= 2099 else None
    if isinstance(value, int):
        return value if 1500 <= value <= 2100 else None
    m = _YEAR.search(str(value))
    return int(m.group(1)) if m else None


_DASHES = re.compile(r"\s*-+\s*")
_PAGE_RANGE = re.compile(r"([A-Za-z]*)(\d+)-([A-Za-z]*)(\d+)")


def normalise_pages(value: str | None) -> str:
    """"123-9" -> "123-129", "e1234" stays, en dashes become hyphens, "123-123" -> "123"."""
    if isinstance(value, str) and value.isascii():
        if value.isdigit():  # one page, nothing to do
            return value
        first, dash, last = value.partition("-")
        if dash and first.isdigit() and last.isdigit():  # "123-129", "123-9": what the pattern below gives
            if len(last) < len(first):
                last = first[: len(first) - len(last)] + last
            return first if first == last else f"{first}-{last}"
    value = clean_text(value).replace("\u2010", "-").replace("\u2013", "-").replace("\u2014", "-")
    if "-" in value:
        value = _DASHES.sub("-", value)
    m = _PAGE_RANGE.fullmatch(value)
    if m:
        pre1, first, pre2, last = m.groups()
        if len(last) < len(first) and not pre2:
            last = first[: len(first) - len(last)] + last
        if first == last and pre1 == (pre2 or pre1):
            return f"{pre1}{first}"
        return f"{pre1}{first}-{pre2 or pre1}{last}"
    return value


def first_page(pages: str) -> str:
    return pages.split("-")[0].strip() if pages else ""


_PMID = re.compile(r"\d{1,9}")
_PMCID = re.compile(r"PMC\s*(\d+)", re.I)
_EID = re.compile(r"2-s2\.0-\d+")
_ISSN = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")


def normalise_pmid(value: str | None) -> str:
    if isinstance(value, str) and len(value) <= 9 and value.isdigit() and value.isascii():
        return value.lstrip("0")
    m = _PMID.search(value or "")
    return m.group(0).lstrip("0") if m else ""


def normalise_pmcid(value: str | None) -> str:
    m = _PMCID.search(value or "")
    return f"PMC{m.group(1)}" if m else ""


def normalise_eid(value: str | None) -> str:
    m = _EID.search(value or "")
    return m.group(0) if m else ""


def normalise_ut(value: str | None) -> str:
    """WoS UT without its collection prefix: "WOS:000186671900001" -> "000186671900001"."""
    value = clean_text(value)
    if not value:
        return ""
    if ":" in value:
        value = value.split(":", 1)[1]
    return value.strip().upper()


def normalise_issn(value: str | None) -> list[str]:
    out = []
    for m in _ISSN.finditer(value or ""):
        issn = f"{m.group(1)}-{m.group(2).upper()}"
        if issn not in out:
            out.append(issn)
    return out


# ---- author names ------------------------------------------------------------

_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "du", "la", "le", "dos", "das", "ter", "ten", "el", "al", "bin", "ibn"}
_GROUP_WORDS = re.compile(
    r"\b(?:group|consortium|committee|collaborat\w*|network|society|organi[sz]ation|investigators|study|trial|team|"
    r"association|council|institute|working|panel|initiative|editorial)\b",
    re.I,
)
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "2nd", "3rd"}
_ROMAN = {"ii", "iii", "iv"}


def _initials(given: str, family_caps: bool) -> str:
    """"John Andrew" -> "JA"; "J.-P." -> "JP"; "JA" (already initials) -> "JA".

    A run of capitals is initials kept whole when it stands beside a given name
    ("Cornelis JHM" -> "CJHM"), or alone when the family name is not in
    capitals ("Montandon, ACDOES"); in an all-capitals name a run longer than
    four is a given name ("SMITH, ROBERT" -> "R").
    """
    parts = given.replace(".", " ").replace("-", " ").split()
    if len(parts) == 1 and parts[0].isupper() and (len(parts[0]) <= 4 or not family_caps):
        return parts[0]
    if any(not p.isupper() for p in parts):  # a given name in the mix: capitals beside it are initials
        return "".join(p if p.isalpha() and p.isupper() else p[0].upper() for p in parts if p[0].isalpha())
    return "".join(p[0].upper() for p in parts if p[0].isalpha())


# a word to capitalise: letters with any combining marks ("İ" lowers to "i" + U+0307)
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")


def _family_case(family: str) -> str:
    """WoS and old exports write SMITH or ÖZTÜRK; give "Smith", "Öztürk", keeping O'Brien readable."""
    if family.isupper() and len(family) > 1:
        return _WORD.sub(lambda m: m.group(0).capitalize(), family.lower())
    return family


def _is_suffix(part: str) -> bool:
    """"Jr.", "Jr", "Sr." are suffixes; all-capital "JR", "SR", "IV" are initials."""
    return part.lower() in _SUFFIXES and not part.replace(".", "").isupper()


def _is_any_suffix(part: str) -> bool:
    """A suffix in a place where initials cannot stand: "Jr." or "III" after a second comma
    ("Thompson, F.R., III") or between a family name and dotted initials ("Thompson III F.R.")."""
    word = part.lower().rstrip(".")
    return word in _ROMAN or (word in _SUFFIXES and not part.replace(".", "").isupper())


# initials of any alphabet, dotted or hyphenated: "JA", "J.A.", "J.-P.", "Á.", "M.Â."
_INITIALS = re.compile(r"^(?:[^\W\d_]\.?-?)+$")


def _is_initials(token: str, most: int = 4) -> bool:
    letters = token.replace(".", "").replace("-", "")
    return bool(_INITIALS.match(token)) and letters.isupper() and len(letters) <= most


@functools.lru_cache(maxsize=1 << 16)  # the same name recurs across records and files
def normalise_author(name: str | None) -> str:
    """One author as "Family, Initials".

    Handles "Smith, John A." (RIS, FAU), "Smith JA" (MEDLINE AU), "Smith, J.A."
    and "Lewis G. F." (Scopus, ASySD), "SMITH, JA" (WoS), "John A. Smith",
    "van der Berg, Anna" and "Baumgartner W.A., Jr.". Group authors and
    anything unparseable are returned cleaned, as they are.
    """
    name = clean_text(name).strip(" ;,")
    if not name:
        return ""
    name = re.sub(r"\s*\(\d+\)$", "", name)  # Scopus "Smith J. (1234567)"
    if "," not in name and _GROUP_WORDS.search(name):
        return name  # "Iron Rim Study Group" is a group author, not "Group, IRS"
    if "," in name:
        family, given = name.split(",", 1)
        given = given.strip()
        g_parts = [g.strip() for g in given.split(",")]
        if len(g_parts) > 1 and _is_any_suffix(g_parts[-1]):  # "Thompson, F.R., III"
            given = ",".join(g_parts[:-1])
        elif _is_suffix(given):  # "Baumgartner W.A., Jr."; but "Smith, SR" and "Li, IV" are initials
            return normalise_author(family)
        family = family.strip()
    else:
        tokens = name.split()
        if len(tokens) == 1:
            return _family_case(tokens[0])
        if len(tokens) >= 3 and tokens[-1].lower() in _SUFFIXES:  # "Longini IM Jr"; "Vest JR" is initials
            tokens.pop()
        if len(tokens) >= 3 and _is_any_suffix(tokens[-2]) and "." in tokens[-1] and _is_initials(tokens[-1]):
            del tokens[-2]  # Scopus "Thompson III F.R.", "Tucker Jr. J.W."
        # trailing initials: "Smith JA", "Smith J.A.", "Lewis G. F.", "Pierie J.-P.E.N.", "Danza Á."
        i = len(tokens)
        while i > 1 and _is_initials(tokens[i - 1]):
            i -= 1
        if i == len(tokens) and tokens[-1].isalpha() and _is_initials(tokens[-1], most=99) \
                and not " ".join(tokens[:-1]).isupper():
            i -= 1  # "Montandon ACDOES": a long run of initials after a family name not in capitals
        if i < len(tokens) and (i == len(tokens) - 1 or all(len(t.replace(".", "").replace("-", "")) == 1 for t in tokens[i:])):
            family, given = " ".join(tokens[:i]), "".join(tokens[i:])
        else:
            # "John A. Smith" / "Anna van der Berg"
            i = len(tokens) - 1
            while i > 1 and tokens[i - 1].lower() in _PARTICLES:
                i -= 1
            family, given = " ".join(tokens[i:]), " ".join(tokens[:i])
    if len(family) > 60 or not given.strip():
        return _family_case(family) if not given.strip() else name
    initials = _initials(given, family.isupper())
    return f"{_family_case(family)}, {initials}" if initials else _family_case(family)


def split_authors(value: str | None, sep: str | None = None) -> list[str]:
    """Split an author list on ";" (most exports), " and " (BibTeX) or a given separator."""
    value = clean_text(value)
    if not value:
        return []
    if sep is None:
        if ";" in value:
            sep = ";"
        elif " and " in value:
            sep = " and "
        else:
            sep = ";"
    return [a for a in (normalise_author(p) for p in value.split(sep)) if a]


def dedupe_list(values) -> list[str]:
    """Keep order, drop blanks and repeats (case-insensitive)."""
    seen: set[str] = set()
    out = []
    for v in values:
        v = clean_text(v)
        if v and v.lower() not in seen:
            seen.add(v.lower())
            out.append(v)
    return out
