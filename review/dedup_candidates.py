"""Candidate pairs for deduplication, and the vectorised prefilter (part of `review.dedup`).

Blocking gives pairs worth comparing, so the work grows close to linearly with
the number of records: shared identifiers, the same title key, the same first
author and year, the same volume and first page (all integer-coded, paired in
numpy), and sorted neighbourhoods on the title read forwards and backwards.
Then every candidate pair's title similarity is computed in C
(`rapidfuzz.process.cpdist`), and only pairs that could be more than "distinct"
go on to the detailed rules in `review.dedup.compare`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from rapidfuzz import fuzz

if TYPE_CHECKING:
    import numpy as np

    from review.dedup import _Keys

# Sorted-neighbourhood windows and the largest block compared all-against-all.
WINDOW = 12
REVERSE_WINDOW = 6
MAX_BLOCK = 40


# A record's title must reach this fuzz.ratio with the other's (or one title must
# start the other, or an identifier must be shared) for `compare` to give anything
# but "distinct"; pairs below it are dropped before the detailed rules.
TITLE_FLOOR = 85.0
# Blocks larger than MAX_BLOCK are not compared all-against-all: their members are
# sorted by title and each is compared with its next BIG_BLOCK_WINDOW - 1 neighbours.
BIG_BLOCK_WINDOW = 12


def _codes(values: Iterable) -> "np.ndarray":
    """An integer per value (equal values, equal codes); -1 for a missing (falsy) value."""
    import numpy as np

    table: dict = {}
    return np.fromiter((table.setdefault(v, len(table)) if v else -1 for v in values), dtype=np.int64)


def _pair_codes(i: "np.ndarray", j: "np.ndarray", n: int) -> "np.ndarray":
    import numpy as np

    return np.minimum(i, j) * n + np.maximum(i, j)


def _block_pairs(codes: "np.ndarray", rank: "np.ndarray", out: list) -> None:
    """Pairs within blocks of equal code: all of them in small blocks, title neighbours in big ones."""
    import numpy as np

    members = np.flatnonzero(codes >= 0)
    if len(members) < 2:
        return
    members = members[np.lexsort((rank[members], codes[members]))]
    c = codes[members]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    sizes = np.diff(np.r_[starts, len(c)])
    size_of = np.repeat(sizes, sizes)
    n = len(codes)
    for d in range(1, MAX_BLOCK):
        same = c[d:] == c[:-d]
        if d >= BIG_BLOCK_WINDOW:
            same &= size_of[d:] <= MAX_BLOCK
        if not same.any():
            break
        out.append(_pair_codes(members[:-d][same], members[d:][same], n))


def _candidate_array(keys: Sequence[_Keys], order: Sequence[str]) -> "np.ndarray":
    """Candidate pairs as sorted unique codes ``i * n + j`` (i < j)."""
    import numpy as np

    n = len(keys)
    if n < 2:
        return np.zeros(0, dtype=np.int64)
    titled = [i for i in range(n) if keys[i].title]
    forward = sorted(titled, key=lambda i: (keys[i].title, order[i]))
    # rank: a stable order of all records (by title, then id), used inside blocks
    untitled = sorted((i for i in range(n) if not keys[i].title), key=lambda i: order[i])
    rank = np.empty(n, dtype=np.int64)
    rank[np.array(untitled + forward, dtype=np.int64)] = np.arange(n)
    del untitled

    parts: list = []
    for name in ("pmid", "pmcid", "eid", "wos_ut"):
        _block_pairs(_codes(k.ids.get(name) for k in keys), rank, parts)
    _block_pairs(_codes(k.doi for k in keys), rank, parts)
    _block_pairs(_codes(k.title for k in keys), rank, parts)
    _block_pairs(_codes((k.surnames[0], k.year) if k.surnames and k.year else None for k in keys), rank, parts)
    _block_pairs(_codes((k.volume, k.page) if k.page and k.volume else None for k in keys), rank, parts)
    del rank
    for window, ranked in ((WINDOW, forward), (REVERSE_WINDOW, None)):
        if ranked is None:
            del forward
            ranked = sorted(titled, key=lambda i: (keys[i].title[::-1], order[i]))
        idx = np.array(ranked, dtype=np.int64)
        del ranked
        for d in range(1, window):
            if d < len(idx):
                parts.append(_pair_codes(idx[:-d], idx[d:], n))
    if not parts:
        return np.zeros(0, dtype=np.int64)
    # unique in rounds, so the concatenated copy stays small
    merged = np.zeros(0, dtype=np.int64)
    while parts:
        batch = [merged, parts.pop()]
        size = len(merged) + len(batch[1])
        while parts and size < len(merged) + 4 * n + (1 << 20):
            size += len(parts[-1])
            batch.append(parts.pop())
        merged = np.concatenate(batch)
        del batch
        merged.sort()
        merged = merged[np.r_[True, merged[1:] != merged[:-1]]] if len(merged) else merged
    return merged


def candidate_pairs(keys: Sequence[_Keys], order: Sequence[str]) -> set[tuple[int, int]]:
    """Pairs worth comparing, from blocks and sorted neighbourhoods.

    Blocks: shared identifiers, the same title key, the same first author and
    year, the same volume and first page; sorted neighbourhoods on the title
    read forwards and backwards. `order` is a stable tie-break per record (its
    id), so the pairs do not depend on the order of the input.
    """
    n = len(keys)
    return {(int(c // n), int(c % n)) for c in _candidate_array(keys, order)}


def _title_table(keys: Sequence[_Keys]) -> tuple:
    """What `_worth_comparing` reads, built once: titles, their lengths, identifier codes."""
    import numpy as np

    titles = np.array([k.title for k in keys], dtype=object)
    length = np.fromiter((len(k.title) for k in keys), dtype=np.int64, count=len(keys))
    id_codes = [_codes(k.doi for k in keys)]
    for name in ("pmid", "pmcid", "eid", "wos_ut"):
        if any(name in k.ids for k in keys):
            id_codes.append(_codes(k.ids.get(name) for k in keys))
    # not an identifier, but the same volume and page range keeps a pair for `_heading_added`
    id_codes.append(_codes((k.volume, k.page, k.page_last) if k.volume and k.page and k.page_last else None
                           for k in keys))
    return titles, length, id_codes


def _worth_comparing(table: tuple, lo: "np.ndarray", hi: "np.ndarray") -> tuple:
    """(mask, title ratios) for candidate pairs: which can be anything but "distinct".

    Vectorised stand-in for the first rules of `compare`: without a shared
    identifier or the same volume and page range, a pair whose titles score
    below TITLE_FLOOR (and where neither title starts the other) is distinct,
    so it is not compared in detail.
    """
    import numpy as np
    from rapidfuzz.distance import Prefix
    from rapidfuzz.process import cpdist

    titles, length, id_codes = table
    shared = np.zeros(len(lo), dtype=bool)
    for codes in id_codes:
        shared |= (codes[lo] == codes[hi]) & (codes[lo] >= 0)
    ratio = cpdist(titles[lo], titles[hi], scorer=fuzz.ratio, dtype=np.float64, workers=1)
    keep = shared | (ratio >= TITLE_FLOOR)
    # one title the other cut short (compare() lifts these to 90)
    shortest = np.minimum(length[lo], length[hi])
    maybe = np.flatnonzero(~keep & (shortest >= 40))
    if len(maybe):
        prefix = cpdist(titles[lo[maybe]], titles[hi[maybe]], scorer=Prefix.similarity, workers=1)
        keep[maybe[prefix >= shortest[maybe]]] = True
    return keep, ratio
