"""BibTeX (.bib) from Scopus, Web of Science, the Cochrane Library and reference managers.

bibtexparser 2.x splits the file into entries (it copes with text before the
first entry, Cochrane's "Record #n of N" lines, tab-indented fields, ``@article{
ISI:...,`` keys and capitalised WoS field names). Entries it flags as failed
because their key or a field name repeats are still records: the 11 duplicated
keys in a Scopus file are 11 different papers. EndNote's broken stubs
``@misc{lisher},`` close at once, their fields and a stray ``}`` follow outside
the entry; the fields are recovered from that trailing text, with a warning.

LaTeX in values is decoded here rather than with bibtexparser's
LatexDecodingMiddleware: pylatexenc reads an unescaped ``%`` as a comment (it
drops the rest of a Scopus abstract) and blanks a raw ``&``, and real exports
contain both. Author lists go through bibtexparser's BibTeX name splitting,
except Scopus' and Cochrane's comma-separated lists (``D'Ambrosio, A.a , Aria,
M.a`` and ``Smith, SR, Newton, K, and Hill, J``), which are not BibTeX syntax.

Which database: an explicit ``database`` field (as ``review convert`` writes it)
is taken as it is, and then every field means exactly what its name says. Without
it the database is inferred (``source = {Scopus}``, a WoS ``Unique-ID``, a
Cochrane Library DOI or "Record #" lines) and so are a few fields: the Scopus EID
from the Scopus URL, pages from an article number, Cochrane keywords as MeSH.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from contextlib import contextmanager

from review.records import (
    Record,
    Source,
    clean_text,
    dedupe_list,
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

NAME = "bibtex"
LABEL = "BibTeX"

_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.M)
_NOT_RECORDS = {"comment", "string", "preamble"}
_RECORD_LINE = re.compile(r"^Record #\d+ of \d+\s*$", re.M)


def sniff(head: str) -> float:
    """0.9 when an ``@type{`` entry starts a line, else 0."""
    for m in _ENTRY_START.finditer(head):
        if m.group(1).lower() not in _NOT_RECORDS:
            return 0.9
    return 0.0


# ---- LaTeX to Unicode ----------------------------------------------------------

_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "d": "\u0323",
    "b": "\u0331", "k": "\u0328", "r": "\u030a", "t": "\u0361",
}
_SYMBOLS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ",
    "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "textbackslash": "\\", "backslash": "\\", "textasciitilde": "~", "sim": "~", "textasciicircum": "^",
    "textbraceleft": "{", "lbrace": "{", "textbraceright": "}", "rbrace": "}", "textunderscore": "_",
    "textless": "<", "textgreater": ">", "lt": "<", "gt": ">", "textbar": "|", "textendash": "–",
    "textemdash": "—", "textquoteright": "’", "textquoteleft": "‘", "textquotedblleft": "“",
    "textquotedblright": "”", "textquotesingle": "'", "textquotedbl": '"', "textregistered": "®",
    "texttrademark": "™", "textcopyright": "©", "copyright": "©", "textdegree": "°", "degree": "°",
    "textmu": "µ", "textpm": "±", "pm": "±", "times": "×", "texttimes": "×", "div": "÷", "le": "≤",
    "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "infty": "∞",
    "cdot": "·", "ldots": "…", "dots": "…", "textellipsis": "…", "S": "§", "P": "¶", "dag": "†",
    "ddag": "‡", "pounds": "£", "textsterling": "£", "euro": "€", "texteuro": "€",
    "textperthousand": "‰", "textbullet": "•", "circ": "∘", "prime": "′", "rightarrow": "→",
    "to": "→", "leftarrow": "←", "uparrow": "↑", "downarrow": "↓", "guillemotleft": "«",
    "guillemotright": "»", "textexclamdown": "¡", "textquestiondown": "¿", "quad": " ",
    "qquad": " ", "enspace": " ", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ",
    "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ",
    "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ",
    "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
# Commands whose argument is the text (their braces go with the other braces).
_DROP = {
    "textit", "emph", "textbf", "textrm", "textsc", "textsf", "texttt", "textup", "textmd",
    "textnormal", "mathrm", "mathit", "mathbf", "mathsf", "mathcal", "mathbb", "mbox", "text",
    "textsuperscript", "textsubscript", "url", "uppercase", "lowercase", "MakeUppercase",
    "MakeLowercase", "ensuremath", "protect", "relax", "em", "it", "bf", "sc", "rm", "sf", "tt",
    "textsl", "slshape", "itshape", "bfseries", "upshape", "normalfont", "ifmmode", "fi", "else",
}
_ESCAPED = {"\\": " ", ",": " ", ";": " ", ":": " ", "!": "", "-": "", "/": "", " ": " ", "\n": " "}

_TOKEN = re.compile(
    r"\\(?P<sacc>['`^\"~=.])\s*(?:\{\s*(?P<sarg>\\[ij](?![A-Za-z])|[^\W\d_]?)\s*\}|(?P<sbare>\\[ij](?![A-Za-z])|[^\W\d_]))"
    r"|\\(?P<lacc>[uvHcdbkrt])(?![A-Za-z])(?:\s*\{\s*(?P<larg>\\[ij](?![A-Za-z])|[^\W\d_]?)\s*\}|\s+(?P<lbare>[^\W\d_]))"
    r"|\\(?P<cmd>[A-Za-z]+)(?P<cmdtail>\{\}|[ \t]*)"
    r"|\\(?P<esc>[^A-Za-z])"
    r"|(?P<brace>[{}])"
    r"|(?P<tilde>~)",
    re.S,
)
_MATH = re.compile(r"(?<!\\)\$(?P<inner>[^$]*?)(?<!\\)\$")


def _accent(accent: str, base: str | None) -> str:
    if not base:
        return accent if accent in "'`^\"~=." else ""
    if base in ("\\i", "\\j"):
        base = base[1]
    return unicodedata.normalize("NFC", base + _ACCENTS[accent])


def _replace(m: re.Match) -> str:
    kind = m.lastgroup
    if m.group("sacc"):
        return _accent(m.group("sacc"), m.group("sarg") or m.group("sbare"))
    if m.group("lacc"):
        return _accent(m.group("lacc"), m.group("larg") or m.group("lbare"))
    cmd = m.group("cmd")
    if cmd:
        if cmd in _SYMBOLS:
            return _SYMBOLS[cmd]
        if cmd in _DROP:
            return ""
        return cmd + m.group("cmdtail").replace("{}", "")
    if m.group("esc") is not None:
        char = m.group("esc")
        return _ESCAPED.get(char, char)
    if kind == "brace":
        return ""
    return " "  # ~ is a non-breaking space


def _math(m: re.Match) -> str:
    return re.sub(r"(?<!\\)[_^]", "", m.group("inner"))


def decode_latex(value: str) -> str:
    """LaTeX markup to plain Unicode text: accents, escapes, symbols; braces and ``$`` dropped."""
    if not value:
        return ""
    if "\\" not in value and "{" not in value and "}" not in value and "$" not in value and "~" not in value:
        return value
    if "$" in value:
        value = _MATH.sub(_math, value)
    return _TOKEN.sub(_replace, value)


_VERBATIM = re.compile(r"\\(textbackslash|textasciitilde|textless|textgreater)(?:\{\})?|\\([_%&#${}~^])|(?<!\\)[{}]")
_VERBATIM_CMDS = {"textbackslash": "\\", "textasciitilde": "~", "textless": "<", "textgreater": ">"}


def decode_verbatim(value: str) -> str:
    """URLs and DOIs: undo escapes (``{\\_}`` -> ``_``) but keep ``~`` and ``%`` as they are."""
    if "\\" not in value and "{" not in value and "}" not in value:
        return value.strip()

    def rep(m: re.Match) -> str:
        if m.group(1):
            return _VERBATIM_CMDS[m.group(1)]
        return m.group(2) or ""

    return _VERBATIM.sub(rep, value).strip()


def _unwrap_angle(value: str) -> str:
    """EndNote titles that are a PDF's name, ``<Creep Crack Initiation.pdf>``: keep the name.

    (records.clean_text would drop the whole value as if it were a markup tag.)
    """
    v = value.strip()
    if v.startswith("<") and v.endswith(">") and "<" not in v[1:-1] and ">" not in v[1:-1]:
        return v[1:-1]
    return value


def _text(value: str) -> str:
    return clean_text(decode_latex(_unwrap_angle(value)))


# ---- authors -----------------------------------------------------------------------

_AFFIL = re.compile(r"^(.*\.)\s*[a-z](?:\s+[a-z])*\s*$", re.S)  # Scopus "L.Z.a  b" -> "L.Z."
_GIVEN = re.compile(r"^(?:[A-Z\u00c0-\u00de](?:[a-z]?\.)?[\s\-\u2010]*){1,5}$")  # SR, A., L.Z., Yu.
_SUFFIX = {"Jr", "Jr.", "jr.", "Sr", "Sr.", "III"}
_AND = re.compile(r"\s+and\s+", re.I)


def _strip_affiliation(name: str) -> str:
    m = _AFFIL.match(name.strip())
    return m.group(1) if m else name.strip()


def _top_level(value: str) -> str:
    """The value with every brace group blanked, to look at separators outside braces."""
    out, depth = [], 0
    for ch in value:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        out.append(ch if depth == 0 and ch != "}" else "_")
    return "".join(out)


def _person(family: str, given: str, braced: bool = False) -> str:
    family = clean_text(decode_latex(family))
    given = clean_text(decode_latex(given))
    if not family:
        return normalise_author(given)
    if not given:
        if braced or " " in family:
            return family
        return normalise_author(family)
    return normalise_author(f"{family}, {given}")


def _comma_list(value: str) -> list[str]:
    """Scopus "A, B.a , C, D.b" and Cochrane "A, B, C, D, and E, F" lists."""
    tokens = []
    for part in value.split(","):
        for piece in _AND.split(" " + part + " "):
            piece = piece.strip()
            if piece.lower().startswith("and "):
                piece = piece[4:].strip()
            if piece and piece.lower() != "and":
                tokens.append(_strip_affiliation(piece))
    authors, i = [], 0
    while i < len(tokens):
        family = tokens[i]
        if i + 1 < len(tokens) and _GIVEN.match(tokens[i + 1]) and not _GIVEN.match(family):
            authors.append(_person(family, tokens[i + 1]))
            i += 2
        else:
            authors.append(_person(family, ""))
            i += 1
    return [a for a in authors if a]


def split_bibtex_authors(value: str) -> list[str]:
    """An author field as "Family, Initials" names."""
    from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

    value = value.strip()
    if not value:
        return []
    top = _top_level(value)
    has_and = _AND.search(top) is not None
    if top.count(",") >= 2 and (not has_and or re.search(r",\s*and\s", top, re.I)):
        tokens = {t.strip() for t in top.split(",")}
        if not tokens & _SUFFIX:
            return _comma_list(value)
    authors = []
    for name in split_multiple_persons_names(value):
        name = _strip_affiliation(name)
        if not name or name.lower() == "others":
            continue
        try:
            parts = parse_single_name_into_parts(name, strict=False)
        except ValueError:
            authors.append(normalise_author(decode_latex(name)))
            continue
        family = " ".join(parts.von + parts.last)
        braced = not parts.first and family.startswith("{") and family.endswith("}")
        authors.append(_person(family, " ".join(parts.first), braced))
    return [a for a in authors if a]


# ---- fields to a Record ------------------------------------------------------------

def _first(fields: dict[str, list[str]], *names: str) -> str:
    for name in names:
        for value in fields.get(name, ()):
            if value and value.strip():
                return value
    return ""


_SEMICOLON = re.compile(r"(?<!\\);")
_ISSN_LINE = re.compile(r"\s*\d{4}-?\d{3}[\dXx]\s*")


def _split_list(value: str, semicolon_only: bool = False) -> list[str]:
    """Split on ";" (on "," when there is none); ``\\;`` is a ";" inside an item."""
    if semicolon_only or _SEMICOLON.search(value):
        items = _SEMICOLON.split(value)
    else:
        items = value.split(",")
    return [_text(v.replace("\\;", ";")) for v in items]


def _list_field(fields: dict[str, list[str]], *names: str, semicolon_only: bool = False) -> list[str]:
    out: list[str] = []
    for name in names:
        for value in fields.get(name, ()):
            out.extend(_split_list(value, semicolon_only))
    return dedupe_list(out)


def detect_database(fields: dict[str, list[str]], cochrane_file: bool = False) -> str:
    """The database a record without a ``database`` field came from, from its fields."""
    if _text(_first(fields, "source")).lower() == "scopus":
        return "Scopus"
    ut = _first(fields, "unique-id")
    if re.match(r"\s*\{?\s*(?:ISI|WOS):", ut) or "web-of-science-categories" in fields:
        return "Web of Science"
    doi = _first(fields, "doi")
    journal = _text(_first(fields, "journal")).lower()
    if cochrane_file or "10.1002/14651858" in doi or journal.startswith("cochrane database of systematic reviews"):
        return "Cochrane Library"
    return ""


def fields_to_record(fields: dict[str, list[str]], entry_type: str = "", cochrane_file: bool = False) -> Record:
    """Normalised fields from an entry's fields (lower-case names -> raw values)."""
    explicit = "database" in fields
    database = _text(_first(fields, "database")) if explicit else detect_database(fields, cochrane_file)
    inferred = "" if explicit else database

    rec = Record(database=database)
    rec.title = _text(_first(fields, "title"))
    abstract = _text(_first(fields, "abstract"))
    if inferred == "Cochrane Library" and abstract.startswith("Abstract - "):
        abstract = abstract[len("Abstract - "):]
    rec.abstract = abstract
    rec.authors = split_bibtex_authors(_first(fields, "author"))
    rec.year = parse_year(_text(_first(fields, "year")) or _text(_first(fields, "date")))
    container = ("journal", "journaltitle") if entry_type == "article" else ("journal", "journaltitle", "booktitle")
    rec.journal = _text(_first(fields, *container))
    rec.journal_abbrev = _text(
        _first(fields, "shortjournal", "journal-iso", "abbrev_source_title", "journal_abbrev", "journal-abbreviation")
    )
    rec.volume = _text(_first(fields, "volume"))
    rec.issue = _text(_first(fields, "number", "issue"))
    pages = _first(fields, "pages")
    if not pages and not explicit:
        pages = _first(fields, "art_number", "article-number")
    rec.pages = normalise_pages(decode_latex(pages))
    rec.doi = normalise_doi(decode_verbatim(_first(fields, "doi")))
    # EndNote writes "urXl" in some styles. Only white space is cleaned: clean_text would
    # read "&para=" in a query string as an HTML entity.
    rec.url = " ".join(decode_verbatim(_first(fields, "url", "urxl")).split())
    if not rec.doi and not explicit and re.search(r"doi\.org/10\.", rec.url):
        rec.doi = normalise_doi(rec.url)
    eprint_type = _text(_first(fields, "eprinttype")).lower()
    pmid = _first(fields, "pmid", "pubmed_id", "pubmed-id", "pubmedid")
    if not pmid and eprint_type in ("pubmed", "pmid"):
        pmid = _first(fields, "eprint")
    rec.pmid = normalise_pmid(decode_latex(pmid))
    rec.pmcid = normalise_pmcid(_first(fields, "pmcid", "pmc"))
    eid = _first(fields, "scopus-eid", "scopus_eid", "eid")
    if not eid and not explicit and "2-s2.0-" in rec.url:
        eid = rec.url
    rec.eid = normalise_eid(eid)
    ut = _text(_first(fields, "unique-id", "wos-ut", "ut"))
    if explicit or inferred == "Web of Science" or ut.upper().startswith(("WOS:", "ISI:")):
        rec.wos_ut = normalise_ut(ut)
    rec.accession = _text(_first(fields, "accession", "accession-number", "accession_number", "an"))
    if not rec.accession and inferred == "Cochrane Library":
        m = re.search(r"14651858\.(CD\d+)", rec.doi, re.I)
        rec.accession = m.group(1).upper() if m else ""
    issn = normalise_issn(" ".join(fields.get("issn", []) + fields.get("eissn", [])))
    if not explicit:  # Mendeley files ISSNs under isbn, one a line
        lines = (line for value in fields.get("isbn", ()) for line in value.split("\n"))
        issn += [i for line in lines if _ISSN_LINE.fullmatch(line) for i in normalise_issn(line)]
    rec.issn = dedupe_list(issn)
    if explicit:
        rec.keywords = _list_field(fields, "keywords")
        rec.mesh = _list_field(fields, "mesh", semicolon_only=True)
    elif inferred == "Cochrane Library":
        rec.mesh = _list_field(fields, "keywords", "mesh", semicolon_only=True)
    else:
        rec.keywords = _list_field(fields, "author_keywords", "keywords", "keywords-plus", "mendeley-tags")
        rec.mesh = _list_field(fields, "mesh", "mesh_terms", semicolon_only=True)
    rec.language = _text(_first(fields, "language", "langid"))
    rec.pub_types = _list_field(fields, "type", "document_type", "pubtype", semicolon_only=True)
    return rec


# ---- the file ---------------------------------------------------------------------

def _stack():
    from bibtexparser.middlewares import RemoveEnclosingMiddleware, ResolveStringReferencesMiddleware

    return [ResolveStringReferencesMiddleware(True), RemoveEnclosingMiddleware(True)]


def _entry_of(block):
    from bibtexparser import model
    from bibtexparser.middlewares import RemoveEnclosingMiddleware

    if isinstance(block, model.Entry):
        return block
    if isinstance(block, model.ParsingFailedBlock) and isinstance(block.ignore_error_block, model.Entry):
        # A repeated key or field name: still a record. The parse stack did not run on
        # it, so its values are still in their braces.
        return RemoveEnclosingMiddleware(True).transform_entry(block.ignore_error_block, None)
    return None


def _reparse(text: str):
    """The first entry bibtexparser finds in `text`, or None."""
    import bibtexparser

    for block in bibtexparser.parse_string(text, parse_stack=_stack()).blocks:
        entry = _entry_of(block)
        if entry is not None:
            return entry
    return None


@contextmanager
def _quiet():
    """bibtexparser logs every syntax error it recovers from; the warnings here say it once."""
    names = ["bibtexparser", "bibtexparser.splitter"]
    names += [n for n in logging.root.manager.loggerDict if n.startswith("bibtexparser.")]
    logs = [logging.getLogger(n) for n in dict.fromkeys(names)]
    was = [log.disabled for log in logs]
    for log in logs:
        log.disabled = True
    try:
        yield
    finally:
        for log, disabled in zip(logs, was):
            log.disabled = disabled


def _close(raw: str) -> str:
    """A cut-short entry with its open braces closed."""
    depth = 0
    for m in re.finditer(r"(?<!\\)[{}]", raw):
        depth += 1 if m.group(0) == "{" else -1
    return raw + "}" * max(depth, 1) + "\n"


def parse(text: str, ctx) -> list:
    with _quiet():
        return _parse(text, ctx)


def _parse(text: str, ctx) -> list:
    import bibtexparser
    from bibtexparser import model

    blocks = bibtexparser.parse_string(text, parse_stack=_stack()).blocks
    cochrane_file = any(
        isinstance(b, model.ImplicitComment) and _RECORD_LINE.search(b.comment) for b in blocks[:5]
    )
    records: list[Record] = []
    stubs: list[int] = []
    skipped: list[int] = []
    for i, block in enumerate(blocks):
        entry = _entry_of(block)
        line = (block.start_line or 0) + 1
        if entry is None:
            if isinstance(block, model.ParsingFailedBlock):
                raw = (block.raw or "").rstrip()
                entry = _reparse(_close(raw)) if raw.startswith("@") else None
                if entry is None:
                    skipped.append(line)
                    continue
                ctx.warn("entry is not closed (truncated?); kept the fields read", line=line)
            else:
                continue
        if entry.entry_type.lower() in _NOT_RECORDS:
            continue
        fields_list = list(entry.fields)
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if not fields_list and isinstance(nxt, model.ImplicitComment) and nxt.comment.lstrip().startswith(","):
            stub = _reparse(f"@{entry.entry_type}{{stub{nxt.comment.strip()}\n")
            if stub is not None:
                fields_list = list(stub.fields)
                stubs.append(line)
        fields: dict[str, list[str]] = {}
        m = re.match(r"@\s*(\w+)", block.raw or "")
        raw: dict[str, list[str]] = {"ENTRYTYPE": [m.group(1) if m else entry.entry_type], "ID": [entry.key]}
        for f in fields_list:
            value = f.value if isinstance(f.value, str) else str(f.value)
            fields.setdefault(f.key.lower(), []).append(value)
            raw.setdefault(f.key, []).append(value)
        rec = fields_to_record(fields, entry.entry_type.lower(), cochrane_file)
        rec.raw = raw
        rec.source = Source(position=len(records) + 1, line=line, format=NAME)
        records.append(rec)
    if stubs:
        where = ", ".join(str(n) for n in stubs[:10]) + (", ..." if len(stubs) > 10 else "")
        ctx.warn(
            f"{len(stubs)} broken EndNote entries ('@misc{{lisher}},' with their fields after the "
            f"closing brace) at lines {where}: fields recovered",
            line=stubs[0],
        )
    if skipped:
        where = ", ".join(str(n) for n in skipped[:10])
        ctx.warn(f"{len(skipped)} blocks could not be read as entries and were skipped (lines {where})", line=skipped[0])
    return records
