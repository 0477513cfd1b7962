"""Delimited tables: every CSV/TSV export, recognised by its header.

One reader for PubMed "Save > CSV" (2020+ and legacy), Scopus CSV (every header
generation), Web of Science tab-delimited (Core Collection, MEDLINE and
Zoological Record on the WoS platform), Embase.com, IEEE Xplore, SpringerLink,
Zotero, this tool's own CSV, and generic tables with common column names
(Publish or Perish, Rayyan, Covidence, ASReview, ASySD, bib-dedupe). The column
maps are in `tabular_layouts`; this module reads rows, copes with the quirks and
normalises cells.

Python's csv module does the reading (exact quoting, embedded newlines in quoted
cells, C speed). The delimiter is the one of comma, tab and semicolon that splits
the header into most cells. WoS tab-delimited files are split on tabs with no
quoting at all, because their cells may start with a literal '"'.

Quirks handled: a trailing delimiter on every row (legacy PubMed, WoS), Scopus
rows with more cells than the header (unnamed extra 'Funding Text' columns;
realigned by what the cells hold, so values do not shift into the wrong column),
100 KB cells, an Excel "sep=;" first line, R's "NA" for empty cells in generic
tables. Other rows whose width differs from the header are kept, with a warning.
"""

from __future__ import annotations

import csv
import io
import re

from review.importers.tabular_layouts import (
    GENERIC_COLUMNS,
    SCOPUS,
    Layout,
    detect_layout,
    header_key,
)
from review.records import (
    LIST_FIELDS,
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

NAME = "tabular"
LABEL = "CSV/TSV table"

_DELIMITERS = (",", "\t", ";")
_FIELD_LIMIT = 2**31 - 1


# ---- sniffing ----------------------------------------------------------------------

# First lines that belong to the tagged formats, not to a table.
_NOT_A_TABLE = re.compile(
    r"^(?:[A-Z][A-Z0-9] {1,2}- |[A-Z]{2,4} *- |(?:FN|VR|PT|ER|AU|TI) \S|%[0-9A-Z] |Record #|<|\{|\[|@)"
)


def sniff(head: str) -> float:
    """How sure this is a table we read, from the first line and the row widths.

    0.99 for WoS tab-delimited, 0.95 for a known export layout, 0.9 for a table
    with a title column (0.25 if most rows do not match the header's width), 0.3
    for another consistent table (read, then refused for having no title column),
    0 for anything else: the tagged formats' first lines never look like a header.
    """
    head = head.lstrip("\ufeff")
    lines = head.split("\n", 60)
    first_i = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first_i is None:
        return 0.0
    first = lines[first_i].rstrip("\r")
    if first.startswith("sep=") and len(first) <= 6:
        first_i += 1
        first = lines[first_i].rstrip("\r") if first_i < len(lines) else ""
    if _NOT_A_TABLE.match(first):
        return 0.0
    if first.startswith("PT\t"):
        return 0.99 if detect_layout(first.split("\t")) is not None else 0.0
    delim = _delimiter(first)
    header = _clean_header(next(csv.reader([first], delimiter=delim), []))
    named = [h for h in header if h]
    if len(named) < 2 or max(len(h) for h in named) > 100:
        return 0.0
    layout = detect_layout(header)
    body = "\n".join(lines[first_i + 1 :])
    cut = len(head) >= 65536
    widths = _sample_widths(body, delim, drop_last=cut)
    n = len(header)
    consistent = sum(1 for w in widths if n <= w <= n + 1 or (layout is SCOPUS and w > n))
    if layout is not None:
        # A recognised header is strong evidence; a few odd rows are warned about later.
        if widths and consistent < 0.5 * len(widths):
            return 0.25
        return 0.9 if layout.name == "csv" else 0.95
    if widths and consistent < 0.8 * len(widths):
        return 0.0
    if not widths or sum(1 for h in named if re.fullmatch(r"[\d.,\s-]+", h)) > len(named) / 2:
        return 0.0
    return 0.3


def _sample_widths(body: str, delim: str, drop_last: bool) -> list[int]:
    widths = []
    reader = csv.reader(io.StringIO(body), delimiter=delim)
    try:
        for row in reader:
            if any(c.strip() for c in row):
                widths.append(len(row))
            if len(widths) >= 40:
                return widths
    except csv.Error:
        return widths
    if drop_last and widths:
        widths.pop()
    return widths


def _delimiter(line: str) -> str:
    best, most = ",", 1
    for delim in _DELIMITERS:
        count = len(next(csv.reader([line], delimiter=delim), []))
        if count > most:
            best, most = delim, count
    return best


def _clean_header(cells: list[str]) -> list[str]:
    return [c.replace("\ufeff", "").strip().strip('"').strip() for c in cells]


# ---- reading rows --------------------------------------------------------------------


def _csv_rows(text: str, delim: str, ctx):
    """(line where the row starts, cells) for each row, quoted newlines included."""
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as err:
        raise ctx.error(f"cannot read this table ({err})", line=reader.line_num) from None


def _tab_rows(text: str):
    for i, line in enumerate(text.split("\n"), 1):
        yield i, line.split("\t")


# ---- cells to fields -------------------------------------------------------------------


_SPACED_INITIALS = re.compile(r"(?<=\s)((?:[A-Z]\.\s+)+[A-Z]\.?)$")
_TITLES = re.compile(r"^(?:(?:Prof|Dr|Mr|Mrs|Ms)\.?\s+)+")


_HYPHEN_INITIALS = re.compile(r"(?:[A-Z]\.-?)*[A-Z]\.-[A-Z]\.(?:-?[A-Z]\.)*")
_SUFFIX_ONLY = {"jr", "sr", "ii", "iii", "iv", "et al"}
_CAPS_INITIALS = re.compile(r"[A-Z]{1,4}")
_INITIALS_THEN_SUFFIX = re.compile(r"^(.*\s[A-Z]{1,4})\s+(?:Jr|Sr|2nd|3rd|II|III|IV)\.?$")
_TRAILING_SUFFIX = re.compile(r"^(.*\S)\s*,\s*(?:Jr|Sr|II|III|IV)\.?$")


def _author(name: str) -> str:
    """normalise_author, after some pre-cleaning it does not do (yet).

    Drops "Prof. Dr." and a ", Jr." after initials; writes "Lewis G. F." as
    "Lewis G.F."; writes MEDLINE-style "Vest JR" as "Vest, JR" (normalise_author
    would take JR for "Jr."); turns Scopus's "Pierie J.-P.E.N." into
    "Pierie, J.-P.E.N." so the initials are not taken for a family name.
    """
    name = name.strip()
    if name[:1] in "PDM":
        name = _TITLES.sub("", name)
    if ". " in name:
        name = _SPACED_INITIALS.sub(lambda m: re.sub(r"\s+", "", m.group(1)), name)
    if name.count(",") == 1:
        m = _TRAILING_SUFFIX.match(name)
        if m and " " in m.group(1):
            name = m.group(1)  # Scopus "Baumgartner W.A., Jr.", not "Li, IV"
    if "," not in name:
        m = _INITIALS_THEN_SUFFIX.match(name)
        if m:
            name = m.group(1)  # "Longini IM Jr"
        family, _, last = name.rpartition(" ")
        if family and _CAPS_INITIALS.fullmatch(last):
            name = f"{family}, {last}"  # "Vest JR", "Bogoch II": initials, not Jr. or II
    if ".-" in name and "," not in name:
        family, _, last = name.rpartition(" ")
        if family and _HYPHEN_INITIALS.fullmatch(last):
            name = f"{family}, {last}"
    return normalise_author(name)


def _split_names(value: str, sep: str) -> list[str]:
    out = []
    for part in value.split(sep):
        part = part.strip()
        if not part or part.startswith("[No author") or part.lower().rstrip(".") in _SUFFIX_ONLY:
            continue  # "Baumgartner W.A., Jr." in a comma-separated list
        name = _author(part)
        if name:
            out.append(name)
    return out


def _authors_semicolon(value: str) -> list[str]:
    return _split_names(value, ";")


def _authors_comma(value: str) -> list[str]:
    return _split_names(value, ",")


_PUBMED_PERSON = re.compile(r"\S+(?: \S+){0,4} [A-Z]{1,4}(?: (?:Jr|Sr|2nd|3rd|II|III|IV))?")
_PUBMED_GLUED = re.compile(r"( [A-Z]{1,3}?)(?=[A-Z][a-z])")


def _authors_pubmed(value: str) -> list[str]:
    """PubMed CSV: "Guo YR, Cao QD, Yan Y; Some Study Group."

    People are "Family Initials" joined by ", "; collective (group) authors follow
    after "; " and may hold commas themselves, so a run of pieces that are not
    "Family Initials" is put back together as one group name and kept as it is.
    StatPearls rows glue people together ("Cascella MRajnik M"): split those first.
    """
    value = re.sub(r"\.?\s*Electronic address:[^;]*", "", value.strip().rstrip("."))
    value = re.sub(r"\[No authors? (?:listed|name available)\]|(?:,\s*)?\bet al\.?$", "", value)
    out: list[str] = []
    for segment in value.split(";"):
        if "," not in segment and _PUBMED_GLUED.search(segment):
            segment = _PUBMED_GLUED.sub(r"\1,", segment)
        pieces = [p.strip() for p in segment.split(",") if p.strip()]
        group: list[str] = []
        for piece in pieces:
            if _PUBMED_PERSON.fullmatch(piece):
                if group:
                    out.append(clean_text(", ".join(group)))
                    group = []
                name = _author(piece)
                if name:
                    out.append(name)
            else:
                group.append(piece)
        if group:
            out.append(clean_text(", ".join(group)))
    return out


_SCOPUS_ID = re.compile(r"\(\d+\)")


def _authors_scopus(value: str) -> list[str]:
    """2023+: "Hao J.; High R." or "Hao, Jie (5722...); ..."; older: "Phillips J.C., Braun R."."""
    return _split_names(value, ";" if ";" in value or _SCOPUS_ID.search(value) else ",")


_GLUED = re.compile(r"(?<=\.)(?=[A-Z][a-z])")  # "Adeli K.Lewis G. F." (ASySD)
_CAMEL = re.compile(r"(?<=[a-z\u00df-\u00ff.])(?=[A-Z\u00c0-\u00de])")
_NAME_PREFIXES = {"Mc", "Mac", "De", "Di", "Da", "Du", "Le", "La", "Van", "Von", "Fitz", "O'", "D'"}


def _authors_concatenated(value: str) -> list[str]:
    """SpringerLink glues names together: "Araz R. AlievNigar T. Ismayilova".

    Split where a lower-case letter meets a capital, unless what comes before is a
    name prefix (McDonald, DeVries) or the piece so far has no space (one word is
    not yet a full name), so "Prof. Rafik A. AlievProf. Dr. Janusz Kacprzyk" gives
    two names.
    """
    value = clean_text(value)
    if not value:
        return []
    if ";" in value:
        return _split_names(value, ";")
    pieces, start = [], 0
    for m in _CAMEL.finditer(value):
        cut = m.start()
        piece = value[start:cut]
        last_word = piece.rsplit(" ", 1)[-1]
        if value[cut - 1] == "." and not re.search(r"[a-z]{2}\.$", piece):
            continue  # "J.R." initials or "Prof.Dr."
        if " " not in _TITLES.sub("", piece).strip() or last_word in _NAME_PREFIXES:
            continue
        pieces.append(piece)
        start = cut
    pieces.append(value[start:])
    return [a for a in (_author(p) for p in pieces) if a]


def _authors_generic(value: str) -> list[str]:
    """";" or " and " lists; ASySD's glued "Adeli K.Lewis G. F."; or commas.

    A comma list is a list of names when every piece has two words ("J Smith,
    A Doe", "Smith J, Doe A"); otherwise it is "Family, Given" pairs.
    """
    value = clean_text(value)
    if not value:
        return []
    if ";" in value:
        return _split_names(value, ";")
    if " and " in value:
        return _split_names(value, " and ")
    if "," not in value and _GLUED.search(value):
        return [a for a in (_author(p) for p in _GLUED.split(value)) if a]
    if "," in value:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if all(len(p.split()) >= 2 for p in parts):
            return [a for a in (_author(p) for p in parts) if a]
        if len(parts) % 2 == 0 and len(parts) > 2:
            pairs = [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts), 2)]
            return [a for a in (_author(p) for p in pairs) if a]
    name = _author(value)
    return [name] if name else []


AUTHOR_SPLITTERS = {
    "semicolon": _authors_semicolon,
    "comma": _authors_comma,
    "pubmed": _authors_pubmed,
    "scopus": _authors_scopus,
    "concatenated": _authors_concatenated,
    "generic": _authors_generic,
}


def _split_semicolon(value: str) -> list[str]:
    return value.split(";")


def _split_semicolon_dot(value: str) -> list[str]:
    return [v.strip().rstrip(".") for v in value.split(";")]


def _split_period(value: str) -> list[str]:
    """WoS MEDLINE MH: "Animals. *Birds / growth & development; physiology. Fires"."""
    return [v.strip().rstrip(".") for v in re.split(r"\.\s+", value)]


def _split_comma_outside_parens(value: str) -> list[str]:
    """Emtree: "cyst (diagnosis, surgery), colonoscopy" -> two terms."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(value):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch == "," and depth == 0:
            out.append(value[start:i])
            start = i + 1
    out.append(value[start:])
    return out


def split_review_list(value: str) -> list[str]:
    """This tool's CSV list cells: items joined by "; ", with "\\;" and "\\\\" escaped."""
    if not value:
        return []
    items, buf, i = [], [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            buf.append(value[i + 1])
            i += 2
            continue
        if ch == ";":
            items.append("".join(buf))
            buf = []
            i += 2 if value[i + 1 : i + 2] == " " else 1
            continue
        buf.append(ch)
        i += 1
    items.append("".join(buf))
    return items


LIST_SPLITTERS = {
    "semicolon": _split_semicolon,
    "semicolon_dot": _split_semicolon_dot,
    "period": _split_period,
    "comma_outside_parens": _split_comma_outside_parens,
}

_TEXT_NORMALISERS = {
    "doi": normalise_doi,
    "pmid": normalise_pmid,
    "pmcid": normalise_pmcid,
    "eid": normalise_eid,
    "wos_ut": normalise_ut,
    "pages": normalise_pages,
}


# ---- the plan for one file ------------------------------------------------------------


class _Plan:
    """Which column indices feed which field, worked out once per file."""

    def __init__(self, layout: Layout, header: list[str]):
        self.layout = layout
        self.header = header
        self.index: dict[str, int] = {}
        for i, name in enumerate(header):
            self.index.setdefault(header_key(name), i)
        self.fields: list[tuple[str, list[int]]] = []
        for field_name, keys in layout.columns.items():
            present = [self.index[k] for k in keys if k in self.index]
            if layout.first_present_only:
                present = present[:1]
            if present:
                self.fields.append((field_name, present))
        self.id_index = next((self.index[k] for k in layout.id_columns if k in self.index), None)
        self.authors = AUTHOR_SPLITTERS[layout.authors]
        self.na = layout.name == "csv"  # R writes NA for empty cells


def _record(plan: _Plan, cells: list[str], line: int, position: int, extra: dict[str, list[str]]) -> Record:
    layout = plan.layout
    header = plan.header
    ncells = len(cells)
    na = plan.na

    def cell(i: int) -> str:
        if i >= ncells:
            return ""
        v = cells[i]
        return "" if na and v == "NA" else v

    raw: dict[str, list[str]] = {}
    for i, value in enumerate(cells[: len(header)]):
        if value and not value.isspace():
            raw.setdefault(header[i] or f"_column{i + 1}", []).append(value)
    raw.update(extra)
    rec = Record(raw=raw, source=Source(position=position, line=line, format=layout.name))
    if layout.verbatim:
        _fill_verbatim(rec, plan, cell)
    else:
        _fill(rec, plan, cell)
    if plan.id_index is not None:
        own = cell(plan.id_index)
        own = own if layout.verbatim else own.strip()
        if own:
            raw["_id"] = [own]
    if layout.finish is not None:

        def get(key: str) -> str:
            i = plan.index.get(key)
            return cell(i).strip() if i is not None else ""

        layout.finish(rec, get)
    if not rec.database:
        rec.database = layout.database
    if _NO_ABSTRACT.match(rec.abstract):
        rec.abstract = ""  # Scopus writes "[No abstract available]" where there is none
    return rec


_NO_ABSTRACT = re.compile(r"^\[?no abstract( available)?\.?\]?$", re.I)


def _fill(rec: Record, plan: _Plan, cell) -> None:
    layout = plan.layout
    for name, idxs in plan.fields:
        if name in LIST_FIELDS:
            values = [cell(i) for i in idxs]
            if name == "authors":
                value = next((v for v in values if v.strip()), "")
                rec.authors = plan.authors(value) if value else []
            elif name == "issn":
                rec.issn = normalise_issn(" ".join(values))
            else:
                split = LIST_SPLITTERS[layout.splitters.get(name, "semicolon")]
                items = [item for v in values if v.strip() for item in split(v)]
                setattr(rec, name, dedupe_list(items))
            continue
        value = ""
        for i in idxs:
            value = cell(i)
            if value.strip():
                break
        if not value.strip():
            continue
        if name == "year":
            rec.year = parse_year(value)
        elif name in _TEXT_NORMALISERS:
            setattr(rec, name, _TEXT_NORMALISERS[name](value))
        else:
            setattr(rec, name, clean_text(value))


def _fill_verbatim(rec: Record, plan: _Plan, cell) -> None:
    """This tool's CSV: cells are written normalised, so they are read back as they are."""
    for name, idxs in plan.fields:
        value = cell(idxs[0])
        if name in LIST_FIELDS:
            setattr(rec, name, split_review_list(value))
        elif name == "year":
            text = value.strip()
            rec.year = int(text) if re.fullmatch(r"-?\d+", text) else parse_year(text)
        else:
            setattr(rec, name, value)


# ---- rows wider than the header ------------------------------------------------------

_SCOPUS_CHECKS = {
    "year": re.compile(r"\d{4}"),
    "eid": re.compile(r"2-s2\.0-\d+"),
    "source": re.compile(r"Scopus"),
    "doi": re.compile(r"10\.\S+"),
    "link": re.compile(r"https?://\S+"),
    "pubmed id": re.compile(r"\d+"),
    "page count": re.compile(r"\d+"),
    "cited by": re.compile(r"\d+"),
    "issn": re.compile(r"[\dXx]{8}(?:;\s*[\dXx]{8})*"),
    "isbn": re.compile(r"[\dXx\- ;]+"),
    "coden": re.compile(r"[A-Z0-9]{5,6}"),
    "conference code": re.compile(r"\d+"),
    "language of original document": re.compile(r"[A-Za-z ;]+"),
    "publication stage": re.compile(r"Final|Article in Press"),
    "open access": re.compile(r".*Open Access.*|.*(?:Gold|Green|Bronze|Hybrid).*"),
    "document type": re.compile(r"[A-Z][A-Za-z ]{2,30}"),
    "author(s) id": re.compile(r"[\d; ]+|\[No author id available\]"),
    "author ids": re.compile(r"[\d; ]+|\[No author id available\]"),
}


def realign_scopus(header: list[str], cells: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Cells for the header, and the unnamed extra cells, of a Scopus row that is too wide.

    Scopus writes one 'Funding Text N' cell per funding text but names only the
    first in the header. Every place the extra cells could sit is scored by how
    many cells then look right for their column (a year under Year, 2-s2.0-... under
    EID, 'Scopus' under Source ...); ties go to the place after 'Funding Text'.
    """
    keys = [header_key(h) for h in header]
    n, k = len(header), len(cells) - len(header)
    checks = [(j, _SCOPUS_CHECKS.get(key)) for j, key in enumerate(keys)]
    checks = [(j, rx) for j, rx in checks if rx is not None]
    funding = max((j + 1 for j, key in enumerate(keys) if key.startswith("funding text")), default=None)
    best_p, best_score = n, None
    for p in range(n + 1):
        score = 0
        for j, rx in checks:
            value = cells[j] if j < p else cells[j + k]
            value = value.strip()
            if value:
                score += 1 if rx.fullmatch(value) else -1
        better = best_score is None or score > best_score or (score == best_score and p == funding)
        if better:
            best_p, best_score = p, score
    extra_cells = cells[best_p : best_p + k]
    aligned = cells[:best_p] + cells[best_p + k :]
    names: dict[str, list[str]] = {}
    before = keys[best_p - 1] if best_p else ""
    m = re.fullmatch(r"funding text (\d+)", before)
    for i, value in enumerate(extra_cells, 1):
        if value.strip():
            name = f"Funding Text {int(m.group(1)) + i}" if m else "_extra"
            names.setdefault(name, []).append(value)
    return aligned, names


# ---- parse ---------------------------------------------------------------------------


def parse(text: str, ctx) -> list[Record]:
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)  # Scopus References cells reach 100 KB
    text = text.lstrip("\ufeff")
    first_line = next((ln for ln in text.split("\n", 50) if ln.strip()), "")
    if first_line.startswith("sep=") and len(first_line) <= 6:
        delim = first_line[4:5] or ","
        text = text.replace(first_line, "", 1)  # leaves a blank line: line numbers stay right
    else:
        delim = "\t" if first_line.startswith("PT\t") else _delimiter(first_line)
    head_layout = detect_layout(first_line.split("\t")) if delim == "\t" else None
    plain_tab = head_layout is not None and head_layout.tab_plain
    rows = _tab_rows(text) if plain_tab else _csv_rows(text, delim, ctx)

    header: list[str] | None = None
    header_line = 1
    for line, cells in rows:
        if "".join(cells).strip():
            header, header_line = _clean_header(cells), line
            break
    if header is None:
        raise ctx.error("no header row: the file has no table in it", line=1)
    while header and not header[-1]:
        header.pop()  # a trailing delimiter on the header line
    layout = detect_layout(header)
    if layout is None:
        looked = ", ".join(GENERIC_COLUMNS["title"][:5])
        raise ctx.error(f"no title column (looked for: {looked}, ...)", line=header_line, field="header")
    plan = _Plan(layout, header)

    n = len(header)
    records: list[Record] = []
    short_rows: list[int] = []
    wide_rows: list[int] = []
    realigned: list[int] = []
    for line, cells in rows:
        if not "".join(cells).strip():
            continue  # blank line or a row of empty cells
        extra: dict[str, list[str]] = {}
        if len(cells) > n:
            if not "".join(cells[n:]).strip():
                cells = cells[:n]  # trailing delimiter (legacy PubMed, WoS)
            elif layout is SCOPUS:
                cells, extra = realign_scopus(header, cells)
                realigned.append(line)
            else:
                extra = {"_extra": [c for c in cells[n:] if c.strip()]}
                cells = cells[:n]
                wide_rows.append(line)
        elif len(cells) < n:
            short_rows.append(line)
            if any("\n" in c for c in cells) and _quote_left_open(cells):
                ctx.warn(
                    "a quote opened in this row is never closed: the rest of the file was read into one cell",
                    line=line,
                )
        records.append(_record(plan, cells, line, len(records) + 1, extra))

    _warn_rows(ctx, short_rows, n, "fewer", "the missing cells are read as empty")
    _warn_rows(ctx, wide_rows, n, "more", "the extra cells are kept in raw['_extra']")
    if realigned:
        rows = "a row has" if len(realigned) == 1 else f"{len(realigned)} rows have"
        ctx.warn(
            f"{rows} more cells than the {n}-column header (Scopus writes unnamed extra "
            f"'Funding Text' cells); they were realigned by content{_lines(realigned)}",
            line=realigned[0],
        )
    return records


def _quote_left_open(cells: list[str]) -> bool:
    """A short row whose last cell runs over several lines holding delimiters: an unclosed quote."""
    last = cells[-1]
    return last.count("\n") >= 2 or ("\n" in last and any(d in last for d in _DELIMITERS))


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(x) for x in lines[:10])
    return f" (lines {shown}{', ...' if len(lines) > 10 else ''})"


def _warn_rows(ctx, lines: list[int], n: int, what: str, outcome: str) -> None:
    if lines:
        rows = "a row has" if len(lines) == 1 else f"{len(lines)} rows have"
        ctx.warn(f"{rows} {what} cells than the {n}-column header; {outcome}{_lines(lines)}", line=lines[0])
