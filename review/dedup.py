"""Deduplication core: records in, clusters out.

Pure functions, no files and no printing. The stages, in order:

1. each record is reduced once to comparison keys (`_Keys`): folded title,
   author family names, year, journal, volume, issue, first page, identifiers,
   and what kind of item it is (erratum, reply, conference abstract, Part 2...);
2. candidate pairs come from blocking (shared identifiers, the same title key,
   sorted neighbourhoods on the title read forwards and backwards, the same
   first author and year, the same volume/first page), so the work grows
   close to linearly with the number of records (`review.dedup_candidates`);
3. the titles of all candidate pairs are scored at once in C (rapidfuzz
   cpdist); pairs that can only be "distinct" stop there, the rest are settled
   by explicit rules (`compare`): ``duplicate`` (merged), ``possible`` (for a
   person) or ``distinct``;
4. duplicate pairs are joined by union-find, strongest first, refusing any
   join that would put two records with a hard conflict (different DOIs or
   PMIDs, an erratum with its article, Part 1 with Part 2, a "different"
   answer from a person) into one cluster.

People's answers (`Decision`) override the rules: "same" joins a pair even
when the rules would not, "different" keeps it apart and splits a merge.
"""

from __future__ import annotations

import re
from urllib.parse import unquote
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from rapidfuzz import fuzz

from review.dedup_candidates import (  # noqa: F401  (re-exported: part of this module's API)
    BIG_BLOCK_WINDOW,
    MAX_BLOCK,
    REVERSE_WINDOW,
    TITLE_FLOOR,
    WINDOW,
    _candidate_array,
    _title_table,
    _worth_comparing,
    candidate_pairs,
)
from review.records import Record, Source, first_page
from review.records import fold as _slow_fold

DUPLICATE = "duplicate"
POSSIBLE = "possible"
DISTINCT = "distinct"



# ---- keys -------------------------------------------------------------------------

_GENERIC_TITLES = {
    "editorial", "editorials", "reply", "in reply", "response", "authors reply", "author reply",
    "introduction", "preface", "foreword", "letter", "letters", "letter to the editor",
    "commentary", "comment", "comments", "correction", "corrections", "erratum", "errata",
    "corrigendum", "retraction", "notice of retraction", "news", "book review", "book reviews",
    "in this issue", "abstracts", "abstract", "contents", "index", "announcements",
    "editors note", "editor s note", "conclusion", "conclusions", "summary", "discussion",
    "guest editorial", "acknowledgements", "acknowledgments", "reviewers", "obituary",
    "correspondence", "untitled", "no title", "title", "errata corrigenda",
}

_NOTICE_PATTERNS = (
    ("erratum", re.compile(r"^(?:erratum|errata|corrigend|correction|correcting|notice of correction|"
                           r"author correction|publisher correction)\b")),
    ("erratum", re.compile(r"\bvol \d+ (?:pg|p) \d+")),  # WoS erratum style "(vol 12, pg 34, 2005)"
    ("retraction", re.compile(r"^(?:retraction|notice of retraction|retraction notice|withdrawn|"
                              r"expression of concern|editorial expression of concern)\b")),
    ("reply", re.compile(r"^(?:reply|in reply|response|authors? reply|the authors? reply|author response|"
                         r"authors? response|rebuttal)\b|\b(?:reply to|response to|in reply to)\b")),
    ("comment", re.compile(r"^(?:comment|commentary|re|letter to the editor|comment on|"
                           r"comments on|a comment on)\b|\bcomment(?:ary)? on\b")),
)
_NOTICE_TYPES = {
    "erratum": ("erratum", "published erratum", "correction", "corrected and republished article"),
    "retraction": ("retraction of publication", "retraction", "expression of concern"),
    "comment": ("comment",),
}
_CONF_TYPES = ("conference abstract", "meeting abstract", "congress", "conference review")
_CONF_JOURNAL = re.compile(r"\b(?:abstracts?|meeting|congress|annual scientific|symposium|supplement)\b")
_SUPPL = re.compile(r"\bsuppl|\bsupplement|^s\d|\bs\d+\b")
_PART = re.compile(r"\b(?:part|pt|phase)\s+([0-9]+|[ivx]+|one|two|three|four|a|b)\b")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8",
          "ix": "9", "x": "10", "one": "1", "two": "2", "three": "3", "four": "4", "a": "1", "b": "2"}
_TRAILING_NOISE = re.compile(r"\b(?:(?:review )?\d+ refs|author s transl|authors transl|abstract|article in [a-z]+|"
                             r"english abstract|review|letter|editorial)$")
_PREFIX_NOISE = re.compile(r"^(?:retracted article|retracted|withdrawn|review|original article|"
                           r"original research|research article|research letter)\s+")
_JOURNAL_STOP = {"of", "the", "and", "for", "in", "de", "la", "et", "und", "der", "fur", "des", "on"}
_DIGITS = re.compile(r"\d+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(value: str) -> str:
    """`review.records.fold` (lower-case ASCII letters and digits), without Unicode work for ASCII text."""
    if value.isascii():
        return _NON_ALNUM.sub(" ", value.lower()).strip()
    return _slow_fold(value)


_FOLDED: dict[str, str] = {}


def _fold_cached(value: str) -> str:
    """`fold` for short values that repeat (journals, surnames), remembered."""
    out = _FOLDED.get(value)
    if out is None:
        if len(_FOLDED) > 500_000:
            _FOLDED.clear()
        out = _FOLDED[value] = fold(value)
    return out


@dataclass(slots=True)
class _Keys:
    """What the comparisons need from one record, computed once."""

    title: str  # folded, no spaces
    generic: bool
    notice: str  # "", "erratum", "retraction", "reply", "comment"
    part: str
    conference: bool
    surnames: list[str]
    year: int | None
    journal: str
    volume: str
    issue: str
    issue_numbers: frozenset[str]
    page: str
    page_last: str
    doi: str
    ids: dict[str, str]  # pmid, pmcid, eid, wos_ut


_TRAILING_WORDS = {"refs", "transl", "abstract", "review", "letter", "editorial"}


def _title_key(title: str) -> tuple[str, str]:
    words = fold(title)
    tail = words.rsplit(" ", 3)
    if not (tail[-1] in _TRAILING_WORDS or (len(tail) >= 3 and tail[-2] == "in" and tail[-3] == "article")
            or _PREFIX_NOISE.match(words)):
        return words.replace(" ", ""), words  # nothing to strip (the common case, checked cheaply)
    for _ in range(2):
        shorter = _TRAILING_NOISE.sub("", _PREFIX_NOISE.sub("", words)).strip()
        if len(shorter.split()) >= 3:  # never strip a title down to nothing ("Editorial")
            words = shorter
    return words.replace(" ", ""), words


_ANY_NOTICE = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in _NOTICE_PATTERNS))


def _notice(words: str, pub_types: Sequence[str]) -> str:
    if _ANY_NOTICE.search(words):
        for kind, pattern in _NOTICE_PATTERNS:
            if pattern.search(words):
                return kind
    if not pub_types:
        return ""
    types = {_fold_cached(t) for t in pub_types}
    for kind, names in _NOTICE_TYPES.items():
        if not types.isdisjoint(names):
            return kind
    return ""


def _number(value: str) -> str:
    """The first run of digits, without leading zeros ("Suppl 2" -> "2"); "" if none."""
    m = _DIGITS.search(value or "")
    return m.group(0).lstrip("0") or "0" if m else ""


def _is_conference(rec: Record) -> bool:
    if rec.pub_types:
        types = " ".join(_fold_cached(t) for t in rec.pub_types)
        if any(t in types for t in _CONF_TYPES):
            return True
    if rec.journal and _cached(_conference_venue, rec.journal):
        return True
    return bool((rec.volume or rec.issue) and _cached(_supplement, f"{rec.volume} {rec.issue}"))


def _conference_venue(journal: str) -> bool:
    venue = fold(journal)
    return bool(_CONF_JOURNAL.search(venue)) and ("abstract" in venue or "meeting" in venue or "congress" in venue)


def _supplement(volume_issue: str) -> bool:
    return bool(_SUPPL.search(fold(volume_issue)))


_CACHES: dict = defaultdict(dict)


def _cached(fun, value: str):
    """fun(value), remembered: journals, volumes and pages repeat across records."""
    cache = _CACHES[fun]
    try:
        return cache[value]
    except KeyError:
        if len(cache) > 200_000:
            cache.clear()
        out = cache[value] = fun(value)
        return out


_FIRST_PAGE = re.compile(r"[A-Za-z]{0,3}\d+")
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)


def _page_key(pages: str) -> str:
    """The first page, folded; "" when a spreadsheet turned the pages into a date ("11-Sep")."""
    if not pages or _MONTH.search(pages):
        return ""
    m = _FIRST_PAGE.match(pages.strip())
    first = m.group(0) if m else first_page(pages)
    last = _last_page(pages)
    if last and first.isdigit() and len(last) >= len(first) and int(first) > int(last):
        return ""  # "2297-2108": a typo in one of the two, so neither can be trusted
    return fold(first).replace(" ", "")


def _last_page(pages: str) -> str:
    if not pages or "-" not in pages or _MONTH.search(pages):
        return ""
    return _number(pages.rsplit("-", 1)[1])


def _volume_conflict(a: _Keys, b: _Keys) -> bool:
    """Two volumes that differ, unless one is the other's supplement or issue number misfiled."""
    if not a.volume or not b.volume or a.volume == b.volume:
        return False
    return a.volume not in b.issue_numbers and b.volume not in a.issue_numbers


def _surname(author: str) -> str:
    return _fold_cached(author.split(",")[0]).replace(" ", "")


_NO_IDS: dict[str, str] = {}  # shared by every record without identifiers; never changed
_ISSUE_NUMBERS: dict[str, frozenset[str]] = {}


def _issue_numbers(issue: str, volume: str) -> frozenset[str]:
    text = f"{issue} {volume}"
    out = _ISSUE_NUMBERS.get(text)
    if out is None:
        if len(_ISSUE_NUMBERS) > 200_000:
            _ISSUE_NUMBERS.clear()
        out = _ISSUE_NUMBERS[text] = frozenset(n.lstrip("0") for n in _DIGITS.findall(text))
    return out


def keys_for(rec: Record) -> _Keys:
    """Comparison keys for one record."""
    title, words = _title_key(rec.title)
    part_m = _PART.search(words)
    part = _ROMAN.get(part_m.group(1), part_m.group(1)) if part_m else ""
    generic = not title or words in _GENERIC_TITLES or len(words.split()) < 3 or len(title) < 12
    ids = {k: getattr(rec, k) for k in ("pmid", "pmcid", "eid", "wos_ut") if getattr(rec, k)}
    return _Keys(
        title=title,
        generic=generic,
        notice=_notice(words, rec.pub_types),
        part=part,
        conference=_is_conference(rec),
        surnames=[s for s in (_surname(a) for a in rec.authors[:12]) if s][:8],  # compare() reads 8
        year=rec.year,
        journal=_fold_cached(rec.journal or rec.journal_abbrev),
        volume=_cached(_number, rec.volume) if rec.volume else "",
        issue=_cached(_number, rec.issue) if rec.issue else "",
        issue_numbers=_issue_numbers(rec.issue, rec.volume),
        page=_cached(_page_key, rec.pages) if rec.pages else "",
        page_last=_cached(_last_page, rec.pages) if rec.pages else "",
        doi=unquote(rec.doi).strip().lower(),
        ids=ids or _NO_IDS,
    )


# ---- comparisons ----------------------------------------------------------------


def journals_match(a: str, b: str) -> bool:
    """Full name vs abbreviation: "j neurol" matches "journal of neurology".

    Both are folded. Each word of the shorter name must start a word of the
    longer one, in order; small words ("of", "the") are skipped on both sides.
    """
    if not a or not b:
        return False
    if a == b:
        return True
    wa = [w for w in a.split() if w not in _JOURNAL_STOP]
    wb = [w for w in b.split() if w not in _JOURNAL_STOP]
    return _abbreviates(wa, wb) or _abbreviates(wb, wa)


def _abbreviates(wa: list[str], wb: list[str]) -> bool:
    """Each word of `wa` starts a word of `wb`, in order."""
    if not wa:
        return False
    j = 0
    for w in wa:
        while j < len(wb) and not wb[j].startswith(w):
            j += 1
        if j == len(wb):
            return False
        j += 1
    return True


_LOOKALIKE = re.compile(r"^[il](?=\d)")


def _page_conflict(a: _Keys, b: _Keys) -> bool:
    """First pages that differ, allowing for the ways exports garble pages.

    Not a conflict: the same digits ("S12" vs "12"); an article number vs a
    range starting at page 1 ("e12724" vs "1-6"); "i428" vs "1428" (i or l read as 1);
    one range's last page ending
    in the other's (a truncated first page: "2665-2668" vs "t-8", "125-128" vs "2-8").
    """
    if not a.page or not b.page or a.page == b.page:
        return False
    da, db = _number(a.page), _number(b.page)
    if da and da == db:
        return False
    if _LOOKALIKE.sub("1", a.page) == _LOOKALIKE.sub("1", b.page):
        return False  # "i428" vs "1428": a letter read as a digit
    if a.page_last and a.page_last == b.page_last:
        return False  # "Suppl-48" vs "L37-L48": the last page agrees
    for x, y in ((a, b), (b, a)):
        if x.page_last and y.page_last and x.page_last.endswith(y.page_last) and len(y.page_last) <= 2:
            return False
        if not y.page_last and _number(y.page) == x.page_last:
            return False  # "569" vs "567-569": one database gives only the last page
        if _number(x.page) == "1" and (not y.page.isdigit() or len(y.page) >= 5):
            return False
        if x.page.isdigit() and re.fullmatch(r"[a-z]\d{4,}", y.page):
            return False  # "969-972" vs "a1754": pages vs an article number (BMJ, PLoS)
    return True


# Title score above which a pair with the same journal, volume, year, authors and
# whole page range (first < last page) is one work whose title was translated or
# reworded by one database ("[Comparison of ...]" vs "Antibiotic prophylaxis ...").
RANGE_TITLE_FLOOR = 60.0


def _same_page_range(a: _Keys, b: _Keys) -> bool:
    """The same volume and the same first and last page, the last after the first."""
    if a.generic or b.generic or not (a.volume and a.page and a.page_last):
        return False
    if (a.volume, a.page, a.page_last) != (b.volume, b.page, b.page_last):
        return False
    return not (a.page.isdigit() and int(a.page_last) <= int(a.page))


def _heading_added(a: _Keys, b: _Keys) -> bool:
    """One title is the other inside a longer one ("MEDICAL PROGRESS Atypical HUS"), same volume and page range.

    A section heading or a translated-title note added by one database lowers
    the title score; the whole page range (first and last page) and the volume
    agreeing make up for it.
    """
    if a.generic or b.generic or not (a.page_last and a.page and a.volume):
        return False
    if (a.volume, a.page, a.page_last) != (b.volume, b.page, b.page_last):
        return False
    short, long_ = sorted((a.title, b.title), key=len)
    return len(short) >= 20 and short in long_


def hard_conflict(a: _Keys, b: _Keys) -> str:
    """Why two records can never be one work (""): these hold for a whole cluster."""
    if a.doi and b.doi and a.doi != b.doi:
        return "different DOIs"
    for k in ("pmid", "pmcid"):
        if k in a.ids and k in b.ids and a.ids[k] != b.ids[k]:
            return f"different {k.upper()}s"
    if a.notice != b.notice and (a.notice in ("erratum", "retraction") or b.notice in ("erratum", "retraction")):
        return "notice vs article"
    if a.part != b.part and a.part and b.part:
        return "different parts"
    return ""


def _shared_identifier(a: _Keys, b: _Keys) -> str:
    if a.doi and a.doi == b.doi:
        return "DOI"
    for k in ("pmid", "pmcid", "eid", "wos_ut"):
        if k in a.ids and a.ids.get(k) == b.ids.get(k):
            return k.upper()
    return ""


def _authors_sim(a: list[str], b: list[str]) -> float:
    """0..100: the first author, then how many of the first few names agree; -1 if one list is empty."""
    if not a or not b:
        return -1.0
    first = fuzz.ratio(a[0], b[0])
    if first < 80 and not (a[0] in b[:3] or b[0] in a[:3]):
        return min(first, 50.0)
    n = min(len(a), len(b), 6)
    sa, sb = set(a[:8]), set(b[:8])
    hits = sum(1 for s in a[:n] if s in sb) + sum(1 for s in b[:n] if s in sa)
    return 100.0 * hits / (2 * n) if n else first


@dataclass(slots=True)
class Pair:
    """One compared pair of records (indices into the input), and how it ended."""

    i: int
    j: int
    status: str
    score: float
    reason: str


def compare(a: _Keys, b: _Keys, title_ratio: float | None = None) -> tuple[str, float, str]:
    """(status, score 0..100, reason) for one pair of records.

    `title_ratio` is ``fuzz.ratio(a.title, b.title)`` when the caller has it already.
    """
    conflict = hard_conflict(a, b)
    if conflict:
        return DISTINCT, 0.0, conflict
    shared = _shared_identifier(a, b)
    if not a.title or not b.title:
        # Never merge on a blank title; a shared identifier makes it worth a look.
        return (POSSIBLE, 50.0, f"same {shared}, a title is blank") if shared else (DISTINCT, 0.0, "blank title")
    t = fuzz.ratio(a.title, b.title) if title_ratio is None else title_ratio
    if t < 90:
        # Long titles where one is the other cut short, or with a subtitle dropped.
        short, long_ = sorted((a.title, b.title), key=len)
        if len(short) >= 40 and long_.startswith(short):
            t = max(t, 90.0)
    au = _authors_sim(a.surnames, b.surnames)
    year_gap = abs(a.year - b.year) if a.year and b.year else None
    journal_ok = journals_match(a.journal, b.journal)
    same_vol = bool(a.volume and a.volume == b.volume)
    same_page = bool(a.page and a.page == b.page)
    score = t * 0.6 + (au if au >= 0 else 70) * 0.25 + (15 if year_gap == 0 else 0)

    # Rules against false merges that hold for this pair only.
    if a.notice != b.notice:
        return DISTINCT, score, "comment/reply vs article"
    pages_fit = bool(a.page and b.page) and not _page_conflict(a, b)
    # Databases flag the same abstract differently ("Circulation. Conference: ..." vs
    # "Circulation", "Suppl 1" or not), so the flag alone is not a conflict: it is one when
    # the volume or the pages do not back the pair up.
    no_pages = not (a.page and b.page)
    conference_ok = (pages_fit and (same_vol or journal_ok)) or (same_vol and year_gap == 0 and no_pages)
    if a.conference != b.conference and not shared and not conference_ok:
        return DISTINCT, score, "conference abstract vs article"
    if year_gap is not None and year_gap > 1:
        return DISTINCT, score, "years differ"
    if _page_conflict(a, b):
        return (POSSIBLE if shared and t >= 90 else DISTINCT), score, "different first page"
    if _volume_conflict(a, b):
        if shared and t >= 95 and same_page:
            return DUPLICATE, 100.0 + score, f"same {shared} and first page; volumes differ"
        return (POSSIBLE if shared and t >= 90 else DISTINCT), score, "different volume"

    if t >= 95 and same_page and same_vol and year_gap == 0 and journal_ok and not (a.generic or b.generic):
        return DUPLICATE, score, "title, year, journal, volume and first page agree"

    if shared:
        if t >= 95 and (same_page or same_vol):
            return DUPLICATE, 100.0 + score, f"same {shared}, title and volume/pages"
        if t >= 80 and (au < 0 or au >= 50):
            return DUPLICATE, 100.0 + score, f"same {shared}"
        return POSSIBLE, score, f"same {shared}, titles or authors differ"
    if t < 85:
        same_source = year_gap == 0 and au >= 50 and (journal_ok or not (a.journal and b.journal))
        if same_source and _heading_added(a, b):
            return DUPLICATE, score, "one title adds a heading; year, authors, volume and page range agree"
        if same_source and au >= 70 and t >= RANGE_TITLE_FLOOR and _same_page_range(a, b):
            return DUPLICATE, score, "title reworded or translated; year, authors, journal, volume and page range agree"
        return DISTINCT, score, "titles differ"
    if au >= 0 and au < 50:
        return (POSSIBLE if t >= 95 else DISTINCT), score, "authors differ"
    corroborated = sum((journal_ok, same_vol, same_page))
    if a.generic or b.generic:
        if t == 100 and year_gap == 0 and same_vol and same_page and au >= 50:
            return DUPLICATE, score, "short title; venue and pages agree"
        return (POSSIBLE if t == 100 else DISTINCT), score, "short or generic title"
    if year_gap is None:
        if t >= 97 and au >= 70 and corroborated >= 1:
            return DUPLICATE, score, "title, authors and venue agree; a year is missing"
        return POSSIBLE, score, "a year is missing"
    if year_gap == 1:
        if t >= 95 and au >= 50 and (same_vol or same_page):
            return DUPLICATE, score, "title and volume/pages agree; year off by one"
        return POSSIBLE, score, "year off by one"
    # same year
    journals_differ = (bool(a.journal and b.journal) and not journal_ok
                       and fuzz.token_set_ratio(a.journal, b.journal) < 60
                       and fuzz.partial_ratio(a.journal, b.journal) < 60)
    if t >= 95 and (au >= 50 or (au < 0 and corroborated >= 2)):
        if journals_differ and not (same_vol and same_page):
            return POSSIBLE, score, "journals differ"
        if corroborated >= 1 or au >= 70 or (not a.journal or not b.journal):
            return DUPLICATE, score, "title, authors and year agree"
    if t >= 90 and au >= 70 and corroborated >= 2:
        return DUPLICATE, score, "authors, year and venue agree; title close"
    return POSSIBLE, score, "similar"


# ---- clustering -------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A person's answer on a pair, by record key: same=True joins, False keeps apart."""

    a: str
    b: str
    same: bool


@dataclass
class DedupResult:
    """Clusters as lists of input indices (sorted by key), every settled pair, and a cluster per record."""

    clusters: list[list[int]]
    pairs: list[Pair]
    cluster_of: list[int]

    def possible(self) -> list[Pair]:
        """Pairs a person should look at: possible duplicates not already in one cluster."""
        return [p for p in self.pairs if p.status == POSSIBLE and self.cluster_of[p.i] != self.cluster_of[p.j]]


def record_keys(records: Sequence[Record]) -> list[str]:
    """A unique key per record: its id, with "#n" added to the second and later repeats."""
    seen: dict[str, int] = defaultdict(int)
    out = []
    for rec in records:
        rid = rec.id
        seen[rid] += 1
        out.append(rid if seen[rid] == 1 else f"{rid}#{seen[rid]}")
    return out


def _score_pairs(kk: Sequence[_Keys], keys: Sequence[str]) -> list[Pair]:
    """Every candidate pair that could be more than "distinct", settled by `compare`."""
    n = len(kk)
    codes = _candidate_array(kk, keys)
    table = _title_table(kk)
    pairs = []
    step = 1 << 20
    for s in range(0, len(codes), step):
        chunk = codes[s:s + step]
        lo, hi = chunk // n, chunk % n
        keep, ratio = _worth_comparing(table, lo, hi)
        for i, j, t in zip(lo[keep].tolist(), hi[keep].tolist(), ratio[keep].tolist()):
            # the record with the smaller key goes first, so the input order cannot matter
            a, b = (kk[i], kk[j]) if (keys[i], i) <= (keys[j], j) else (kk[j], kk[i])
            status, score, reason = compare(a, b, t)
            pairs.append(Pair(i, j, status, score, reason))
    return pairs


def find_duplicates(
    records: Sequence[Record],
    decisions: Iterable[Decision] = (),
    keys: Sequence[str] | None = None,
) -> DedupResult:
    """Cluster records that are the same work.

    `keys` name the records in `decisions` (default: `record_keys(records)`).
    Decisions about unknown keys are ignored here; the caller reports them.
    """
    keys = list(keys) if keys is not None else record_keys(records)
    kk = [keys_for(r) for r in records]
    pairs = _score_pairs(kk, keys)

    index = {k: n for n, k in enumerate(keys)}
    same: list[tuple[int, int]] = []
    apart: set[frozenset[int]] = set()
    answered: dict[frozenset[int], bool] = {}
    for d in decisions:  # later answers win
        if d.a in index and d.b in index and d.a != d.b:
            answered[frozenset((index[d.a], index[d.b]))] = d.same
    for pair, is_same in answered.items():
        if is_same:
            same.append(tuple(sorted(pair)))
        else:
            apart.add(pair)
    for p in pairs:
        fs = frozenset((p.i, p.j))
        if fs in answered:
            p.status, p.reason = (DUPLICATE, "a person said same") if answered[fs] else (DISTINCT, "a person said different")

    parent = list(range(len(records)))
    members: dict[int, list[int]] = {}  # root -> its records, for roots of clusters of two or more

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(x: int, y: int, forced: bool) -> None:
        rx, ry = find(x), find(y)
        if rx == ry:
            return
        mx, my = members.get(rx, [rx]), members.get(ry, [ry])
        for u in mx:
            for v in my:
                if frozenset((u, v)) in apart:
                    return
                if not forced and hard_conflict(kk[u], kk[v]):
                    return
        if (keys[rx], rx) > (keys[ry], ry):
            rx, ry = ry, rx
        parent[ry] = rx
        members.pop(ry, None)
        members[rx] = mx + my

    for x, y in sorted(same, key=lambda p: (keys[p[0]], keys[p[1]])):
        join(x, y, forced=True)
    dup = [p for p in pairs if p.status == DUPLICATE and frozenset((p.i, p.j)) not in answered]
    dup.sort(key=lambda p: (-p.score, min(keys[p.i], keys[p.j]), max(keys[p.i], keys[p.j])))
    for p in dup:
        join(p.i, p.j, forced=False)

    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(records)):
        groups[find(i)].append(i)
    clusters = sorted((sorted(g, key=lambda i: keys[i]) for g in groups.values()), key=lambda g: keys[g[0]])
    cluster_of = [0] * len(records)
    for c, g in enumerate(clusters):
        for i in g:
            cluster_of[i] = c
    return DedupResult(clusters, pairs, cluster_of)


# ---- merged record ----------------------------------------------------------------


@dataclass
class MergedRecord:
    """One work: the most complete value of each field, and every member's ids and provenance."""

    record: Record
    member_ids: list[str]
    sources: list[Source] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)  # every database that found it (PRISMA counts)


def merge(records: Sequence[Record]) -> MergedRecord:
    """Merge a cluster's records: the longest text per field, the union of lists, the commonest year."""
    from review.records import LIST_FIELDS, TEXT_FIELDS

    merged = Record()
    for name in TEXT_FIELDS:
        values = [getattr(r, name) for r in records if getattr(r, name)]
        if values:
            setattr(merged, name, max(values, key=lambda v: (len(v), v)))
    for name in LIST_FIELDS:
        out: list[str] = []
        seen: set[str] = set()
        for r in records:
            for v in getattr(r, name):
                if v.lower() not in seen:
                    seen.add(v.lower())
                    out.append(v)
        setattr(merged, name, out)
    merged.authors = max((r.authors for r in records), key=lambda a: (len(a), a), default=[])
    years = [r.year for r in records if r.year]
    if years:
        merged.year = max(set(years), key=lambda y: (years.count(y), -y))
    raw: dict[str, list[str]] = {}
    for r in records:
        for k, v in r.raw.items():
            bucket = raw.setdefault(k, [])
            bucket.extend(x for x in v if x not in bucket)
    merged.raw = raw
    merged.source = records[0].source if records else Source()
    databases = sorted({r.database or r.source.search for r in records} - {""})
    return MergedRecord(merged, [r.id for r in records], [r.source for r in records], databases)


def own_ids(records: Sequence[Record]) -> list[str]:
    """Each record's id as its own file gives it (a CSV's ID column), else its stable id."""
    return [(r.raw.get("_id") or [""])[0] or r.id for r in records]
