"""PubMed's MEDLINE format ("PubMed format", .nbib, .medline, .txt).

A record is a block of lines "TAG - value", the tag left-justified in four
columns ("PMID- ", "TI  - ", "FAU - "), blocks separated by blank lines. A value
runs on over lines indented by six spaces. Tags repeat (AU, FAU, AD, MH, PT,
IS, AID, OT). What the normalised fields come from:

    title TI (BTI for books)     abstract AB            authors AU (else FAU), then CN
    year DP (else DEP)           journal JT             journal_abbrev TA
    volume VI   issue IP   pages PG                     doi AID/LID "... [doi]"
    pmid PMID   pmcid PMC        issn IS (Print, Electronic, Linking)
    keywords OT                  mesh MH without the "*" major-topic marks
    language LA ("eng" -> "English")                    pub_types PT

`database` is "PubMed". A last record cut short (no SO line, PubMed's last
tag) is kept with a warning.

Speed (benchmarks/README.md): a file is read in chunks of bytes; one regex per
block picks out only the tags above (C walks the text, Python sees about 30
matches per record), and ``raw`` keeps the block's bytes, split into every tag
only when read (`review.records.RawFields`); for a large file, only where the
block lies in the file (`review.importers._filetext`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from sys import intern

from review.importers.ris import INITIALS, NOT_PLAIN, fast_text, gc_paused, language_name, unique
from review.records import (
    RawFields,
    Record,
    Source,
    normalise_author,
    normalise_doi,
    normalise_issn,
    normalise_pages,
    normalise_pmcid,
    normalise_pmid,
    parse_year,
)

NAME = "medline"
LABEL = "PubMed MEDLINE"

_PMID_LINE = re.compile(r"^PMID- ?\d", re.M)
_MEDLINE_TAG = re.compile(r"^(?:FAU |STAT|OWN |JT  |TA  |DP  |EDAT|CRDT|JID |PST )- ", re.M)
_RIS_TY = re.compile(r"^TY  -", re.M)


def sniff(head: str) -> float:
    if _RIS_TY.search(head):
        return 0.0
    if _PMID_LINE.search(head):
        return 0.95
    kinds = {m.group(0)[:4] for m in _MEDLINE_TAG.finditer(head)}
    return 0.6 if len(kinds) >= 3 else 0.0


def parse(text: str, ctx) -> list[Record]:
    """Blocks separated by blank lines (or starting with PMID-), each one record."""
    with gc_paused():
        return parse_stream([text], ctx)


def parse_stream(chunks, ctx) -> list[Record]:
    """The records of a file given as chunks (``str``, or UTF-8 ``bytes`` with "\\n"
    line ends, cut anywhere but between CR and LF): the records are built as the
    chunks come, so a large file is never held whole. With bytes, each record
    keeps its block as bytes for ``raw`` (UTF-8 is about half the size of a
    Python string of non-ASCII text). A ``UnicodeDecodeError`` means the bytes
    are not UTF-8 (the caller reads the file another way)."""
    records: list[Record] = []
    state = _State()
    state.source = getattr(chunks, "source", None)  # a large file: raw text read back from it
    buf = None
    at = None  # the file offset of buf[0] while buf is the file's own bytes (see _filetext), else None
    for chunk in chunks:
        origin = chunks.origin if state.source is not None else None
        if buf is None:
            nl = "\n" if isinstance(chunk, str) else b"\n"
            buf = nl + chunk  # every block then follows a newline
            line = 0  # the line number of buf[0] (the added newline is "line 0")
            at = None if origin is None else origin - 1  # (buf[0] itself is not in the file)
            continue
        joined = at is not None and origin == at + len(buf)  # buf + chunk are the file's bytes
        cut = buf.rfind(nl + nl)  # blocks before the last blank line are whole
        if cut < 0:
            buf += chunk
            at = at if joined else None
            continue
        while cut > 0 and buf[cut - 1:cut] == nl:  # the first newline of a run of blank lines
            cut -= 1
        line = _read_blocks(buf, cut, line, records, state, ctx, at)
        buf = buf[cut + 1:] + chunk
        at = at + cut + 1 if joined else None
    if buf is not None:
        _read_blocks(buf, len(buf), line, records, state, ctx, at)
    if not records:
        first = state.first_text_line
        if first:
            raise ctx.error("no MEDLINE records: expected lines such as 'PMID- 12345678'", line=first)
    elif len(records) > 1 and not _SO_LINE.search(state.last[1]) and _SO_LINE.search(state.last[0]):
        pmid = records[-1].pmid or "?"
        ctx.warn(f"the last record (PMID {pmid}) is cut short: it has no SO line; kept what is there",
                 line=records[-1].source.line)
    return records


class _State:
    __slots__ = ("last", "first_text_line", "source")

    def __init__(self):
        self.source = None
        self.last = ["", ""]  # the texts of the last two records (is the last one cut short?)
        self.first_text_line = 0  # the first line with text on it, for "no records" errors


def _read_blocks(buf, stop: int, line: int, records: list[Record], state: _State, ctx,
                 at: int | None = None) -> int:
    """The records in buf[:stop]; buf[0] is a newline on line `line`; buf[i] is
    at offset at + i in the file when `at` is given. Returns the line of buf[stop]
    (so that each byte is counted once)."""
    nl = b"\n" if isinstance(buf, bytes) else "\n"
    pos = 0
    for start, end in _blocks(buf, stop, nl):
        line += buf.count(nl, pos, start)
        pos = start
        # the block with the newline before it: "\nPMID- 1\nTI  - ...", so every tag follows "\n"
        _read_block(buf[start - 1:end], line, records, state, ctx, True, None if at is None else at + start)
    return line + buf.count(nl, pos, stop + 1)


def _read_block(block, line: int, records: list[Record], state: _State, ctx, whole: bool = True,
                at: int | None = None) -> None:
    """One block between blank lines (str, or UTF-8 bytes; it starts with a newline);
    `at`: the file offset of the block's text after that newline, when raw is to be read back from the file."""
    text = block.decode("utf-8") if isinstance(block, bytes) else block
    if not state.first_text_line and not text.isspace():
        state.first_text_line = line
    fields = _wanted(text)
    if fields is None:
        if text.strip():
            ctx.warn("not a MEDLINE record (no 'TAG - value' lines); skipped", line=line)
        return
    if whole and len(fields.get("PMID", ())) > 1:
        # two records with no blank line between them: cut before each "PMID-" line after the first
        nl = b"\n" if isinstance(block, bytes) else "\n"
        pmid = nl + (b"PMID-" if nl == b"\n" else "PMID-")
        cuts = [0]
        i = block.find(pmid, 1)
        while i >= 0:
            cuts.append(i)
            i = block.find(pmid, i + 1)
        if len(cuts) > 1:
            for k, at in enumerate(cuts):
                piece = block[at:cuts[k + 1] + 1] if k + 1 < len(cuts) else block[at:]
                _read_block(piece, line + block.count(nl, 1, at + 1), records, state, ctx, whole=False)
            return
    last = state.last
    last[0] = last[1]
    last[1] = text
    if "AU" not in fields and "FAU" not in fields:
        au = _fields(text).get("FAU")  # no AU: FAU is the authors (rare, so not in _WANTED)
        if au:
            fields["FAU"] = au
    rec = record_from_raw(fields, Source(position=len(records) + 1, line=line))
    if at is None or not whole:
        rec.raw = RawFields(block, _raw_fields)
    else:  # the same text (without the newline before it), read back from the file when used
        rec.raw = RawFields((state.source, at, len(block) - 1), _file_fields)
    records.append(rec)


_BLANK_LINES = re.compile(r"\n\n+")
_BLANK_LINES_BYTES = re.compile(rb"\n\n+")


def _blocks(buf, stop: int, nl):
    """(start, end) of each block between blank lines in buf[:stop]; buf[0] is a
    newline. (A regex over the whole buffer: twice as quick as ``find`` for
    "\\n\\n", which stops at every newline.) Two records with no blank line
    between them are cut apart by `_read_block`, which sees their two PMID lines."""
    blank = _BLANK_LINES_BYTES if isinstance(buf, bytes) else _BLANK_LINES
    pos = 0  # buf[pos] is the newline before the next block
    for m in blank.finditer(buf, 0, stop):
        start = m.start()
        if start > pos + 1:
            yield pos + 1, start
        pos = m.end() - 1
    if stop > pos + 1:
        yield pos + 1, stop


# The tags the normalised fields come from, each with its value and (in one
# match) the lines that continue it or repeat the tag (MH, PT, IS, AID runs).
# The C regex engine walks the block; Python only sees ~33 matches per record
# (~15 of them AU lines, which FAU and AD lines keep apart).
_WANTED_TAGS = "PMID|PMC|PG|PT|TI|TA|AB|AID|BTI|CN|DP|DEP|JT|VI|IP|IS|LID|OT|MH|LA"
# the same tags as a trie: the regex engine rejects a line after one or two letters (~15% quicker)
_WANTED_TRIE = r"P(?:MID|MC|G|T)|T[IA]|A(?:B|ID)|BTI|CN|D(?:P|EP)|JT|VI|I[PS]|LID|OT|MH|LA"
_TAG_END = r" *-(?: |(?=\n)|$)"
_ANY_TAG_LINE = r"[A-Z][A-Z0-9]{1,3} *-(?: |\n|$)"
_WANTED_RE = re.compile(
    rf"\n({_WANTED_TRIE}){_TAG_END}(.*(?:\n(?:\1{_TAG_END}|(?!{_ANY_TAG_LINE})).*)*)"
)
# the same with AU (a pattern of its own before): one pass of the regex engine over the block, not two
_WANTED_AU_RE = re.compile(
    rf"\n({_WANTED_TRIE}|AU){_TAG_END}(.*(?:\n(?:\1{_TAG_END}|(?!{_ANY_TAG_LINE})).*)*)"
)
_SO_LINE = re.compile(rf"\nSO{_TAG_END}")  # looked for in the last two records only
_HAS_TAG = re.compile(rf"\n[A-Z][A-Z0-9]{{1,3}}{_TAG_END}")
_RUN_SPLIT: dict[str, re.Pattern] = {}
_SEPARATORS: dict[str, tuple[str, str]] = {}


def _wanted(text: str) -> dict[str, list[str]] | None:
    """The wanted tags' values (and AU's), exactly as `_fields` gives them; None
    when the block has no tag at all (not a record). One regex pass; a match is a
    tag's line with its continuation lines, or a run of one tag's lines (MH, PT)."""
    pairs = _WANTED_AU_RE.findall(text)
    if not pairs and not _HAS_TAG.search(text):
        return None
    out: dict[str, list[str]] = {}
    get = out.get
    for tag, v in pairs:
        have = get(tag)
        if "\n" in v:
            if have is None:
                out[tag] = _values(tag, v)
            else:
                have.extend(_values(tag, v))
        elif have is None:
            out[tag] = [v]
        else:
            have.append(v)
    return out


def _values(tag: str, run: str) -> list[str]:
    """A run of one tag's lines ("A\\nMH  - B") as values, continuation lines joined."""
    seps = _SEPARATORS.get(tag)
    if seps is None:
        seps = _SEPARATORS[tag] = ("\n" + tag, f"\n{tag:<4}- ")
    if seps[0] not in run:  # continuation lines only (TI, AB)
        return [_join_lines(run)]
    parts = run.split(seps[1])  # the usual spelling of the tag
    if run.count("\n") == len(parts) - 1:  # no other line breaks: the values as they are
        return parts
    split = _RUN_SPLIT.get(tag)
    if split is None:
        split = _RUN_SPLIT[tag] = re.compile(rf"\n{tag}{_TAG_END}")
    return [_join_lines(v) if "\n" in v else v for v in split.split(run)]


def _join_lines(value: str) -> str:
    """A value's continuation lines joined with a space (NLM leaves a space before a line break, or not)."""
    value = value.replace(" \n      ", " ").replace("\n      ", " ")
    if "\n" in value:  # odd indentation, or the block's last newline
        value = " ".join(s for s in (p.strip() for p in value.split("\n")) if s)
    return value


def _raw_fields(text: str) -> dict[str, list[str]]:
    """Every tag of a block (as kept in RawFields: with its leading newline)."""
    return _fields(text[1:]) or {}


def _file_fields(text: str) -> dict[str, list[str]]:
    """Every tag of a block read back from the file (without the newline before it)."""
    return _fields(text) or {}


_TAG_BREAK = re.compile(r"\n([A-Z][A-Z0-9]{1,3}) *-(?: |(?=\n)|$)")


def _fields(block: str) -> dict[str, list[str]] | None:
    """tag -> values, continuation lines joined with a space.

    One regex split cuts the block before every tag (in C); a value keeps
    its continuation lines until they are joined here.
    """
    parts = _TAG_BREAK.split("\n" + block)
    if len(parts) < 3:
        return None
    raw: dict[str, list[str]] = {}
    it = iter(parts)
    next(it)  # text before the first tag: "" in a well-formed block
    for tag, value in zip(it, it):
        if "\n" in value:
            value = _join_lines(value)
        have = raw.get(tag)
        if have is None:
            raw[intern(tag)] = [value]  # one key object for all records: less memory
        else:
            have.append(value)
    return raw


# MEDLINE's initials are one to three capitals; "JR", "SR", "II" are initials too
# (NLM writes suffixes "Jr", "Sr", "2nd", "3rd"), where normalise_author would
# take them for suffixes and drop them ("Brown JR" -> "Brown", FAU "Brown, John Robert").
_INITIALS = INITIALS
_NOT_PLAIN = NOT_PLAIN


# All names "Family INI" at once, joined with "|": each must end in a space and
# one to three capitals; a name with no lower-case letter may be an all-capitals
# family name (normalise_author's case), so it goes name by name.
_NO_LOWER_CASE = re.compile(r"\|[^a-z|]*(?=\||$)")  # searched in "|" + names: a "|" prefix is quick to find
# The commonest case in one match: every name "Family INI" with a one-word family
# name (a lower-case letter in it, none of ,;()<& nor white space, up to 60
# characters); then the one space in each name is where the comma goes.
_ONE_WORD_NAME = r"(?=[^ |]*[a-z])[^\s|,;()<&]{1,60} [A-Z]{1,3}"
_ONE_WORD_NAMES = re.compile(rf"{_ONE_WORD_NAME}(?:\|{_ONE_WORD_NAME})*")
_SPACE_BEFORE_INITIALS = re.compile(r" (?=[A-Z]{1,3}(?:\||$))")


def _plain(j: str) -> bool:
    """No character that would make normalise_author do more than add a comma."""
    return not (
        "," in j or ";" in j or "(" in j or ")" in j or "<" in j or "&" in j or "  " in j
        or "| " in j or " |" in j or "||" in j or j[:1] in (" ", "|", "") or j[-1:] in (" ", "|")
    ) and j.isprintable()


def medline_authors(values: list[str]) -> list[str]:
    """normalise_author over MEDLINE's "Family INI" names, in bulk.

    When every name is a family name (not all capitals, no punctuation, single
    spaces) then one to three capital initials, normalise_author would only put
    a comma between them: do that for all at once. Otherwise name by name.
    One deliberate difference: initials "JR", "SR", "II", "III", "IV" are kept
    (normalise_author drops them as suffixes; in MEDLINE they are initials).
    """
    j = "|".join(values)
    if _ONE_WORD_NAMES.fullmatch(j) and j.isprintable():
        out = j.replace(" ", ", ").split("|")
        if len(out) == len(values):  # (no "|" in a name)
            return out
    if (
        _plain(j)
        and j.count("|") == len(values) - 1
        and max(map(len, values)) <= 62  # so no family name is over 60 characters
        and not _NO_LOWER_CASE.search("|" + j)
    ):
        out, n = _SPACE_BEFORE_INITIALS.subn(", ", j)
        if n == len(values):
            return out.split("|")
    parts = [v.rpartition(" ") for v in values]
    families = [p[0] for p in parts]
    initials = [p[2] for p in parts]
    if (
        all(map(_INITIALS.__contains__, initials))
        and not any(map(str.isupper, families))
        and max(map(len, families), default=0) <= 60
        and not _NOT_PLAIN.search("\n".join(families))
    ):
        return [f"{f}, {i}" for f, i in zip(families, initials)]
    return [a for a in map(medline_author, values) if a]


def medline_author(value: str) -> str:
    """One name: the same test as `medline_authors`, else normalise_author."""
    family, _, ini = value.rpartition(" ")
    if ini in _INITIALS and not family.isupper() and len(family) <= 60 and not _NOT_PLAIN.search(family):
        return f"{family}, {ini}"
    return normalise_author(value)


def record_from_raw(raw: dict[str, list[str]], source: Source) -> Record:
    """The normalised record. Values from small vocabularies (journals, MeSH terms,
    publication types, languages, ISSNs) are interned: one string object for
    every record that has them (about 1.3 kB less per record)."""
    g = raw.get
    rec = Record(raw=raw, source=source, database="PubMed")
    v = g("PMID")
    if v:
        rec.pmid = normalise_pmid(v[0])
    v = _one(raw, "TI") or _one(raw, "BTI")
    if v:
        rec.title = fast_text(v)
    v = g("AB")
    if v:
        rec.abstract = fast_text(v[0] if len(v) == 1 else " ".join(v))
    au = g("AU") or g("FAU")
    authors = medline_authors(au) if au else []
    cn = g("CN")
    if cn:
        authors.extend(a for a in map(fast_text, cn) if a)
    rec.authors = authors
    v = g("DP") or g("DEP")
    if v:
        rec.year = parse_year(v[0] or _one(raw, "DEP"))
    else:
        rec.year = None
    v = g("JT")
    if v:
        rec.journal = intern(fast_text(v[0]))
    v = g("TA")
    if v:
        rec.journal_abbrev = intern(fast_text(v[0]))
    v = g("VI")
    if v:
        rec.volume = fast_text(v[0])
    v = g("IP")
    if v:
        rec.issue = fast_text(v[0])
    v = g("PG")
    if v and v[0]:
        rec.pages = normalise_pages(v[0])
    ids = g("AID") or []
    lid = g("LID")
    if lid:
        ids = ids + lid
    for v in ids:
        if v.endswith("[doi]"):
            rec.doi = normalise_doi(v[:-5])
            if rec.doi:
                break
    v = g("PMC")
    if v and v[0]:
        rec.pmcid = normalise_pmcid(v[0])
    v = g("IS")
    if v:
        rec.issn = list(_issns(" ".join(v)))
    v = g("OT")
    if v:
        rec.keywords = unique(v)
    v = g("MH")
    if v:
        j = "\n".join(v)
        rec.mesh = _terms(j.replace("*", "").split("\n") if "*" in j else v)
    v = g("LA")
    if v:
        rec.language = _language(v[0]) if len(v) == 1 else intern(language_name(v))
    v = g("PT")
    if v:
        rec.pub_types = _terms(v)
    return rec


# Clean MeSH terms and publication types seen so far (a vocabulary of some tens of
# thousands), each mapped to its one interned copy.
_TERMS: dict[str, str] = {}


def _terms(values: list[str]) -> list[str]:
    """``[*map(intern, unique(values))]``, for values from a vocabulary: when every
    value is one already seen clean and they differ even ignoring case, they are
    the answer as they are (one dict look-up each instead of cleaning them)."""
    get = _TERMS.get
    out = [get(v) for v in values]
    if None not in out and len(set(map(str.lower, out))) == len(out):
        return out
    if len(_TERMS) < 200_000:
        for v in values:
            if v and v not in _TERMS and fast_text(v) == v:
                _TERMS[v] = intern(v)
    return [*map(intern, unique(values))]


@lru_cache(maxsize=4096)
def _issns(value: str) -> tuple[str, ...]:
    """normalise_issn, once per distinct IS text (journals recur), interned."""
    return tuple(map(intern, normalise_issn(value)))


@lru_cache(maxsize=1024)
def _language(value: str) -> str:
    return intern(language_name([value]))


def _one(raw: dict, tag: str) -> str:
    v = raw.get(tag)
    return v[0] if v else ""
