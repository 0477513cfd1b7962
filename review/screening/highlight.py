"""Protocol keywords found in a text: case-insensitive, ``*`` stems, phrases.

A keyword is one or more words; in the text the words may be separated by
spaces, line breaks or hyphens (``iron rim`` matches "iron-rim"). ``*`` at the
end of a word matches any ending (``iron rim*`` matches "Iron rims" and "iron
rimmed"). A word without ``*`` matches whole
words only ("iron" does not match "ironic"). ``?`` inside a word matches one
letter (``p?ediatric`` matches paediatric and pediatric).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # "include" or "exclude"
    keyword: str


def keyword_pattern(keyword: str) -> str:
    """The regular expression for one protocol keyword (no flags)."""
    words = keyword.split()
    parts = []
    for w in words:
        stem = w.endswith("*")
        w = w.rstrip("*")
        body = "".join(r"\w" if ch == "?" else re.escape(ch) for ch in w)
        parts.append(body + (r"\w*" if stem else ""))
    if not parts:
        raise ValueError("an empty keyword")
    return r"(?<!\w)" + r"[\s\-‐‑–]+".join(parts) + r"(?!\w)"


class Highlighter:
    """Finds the include and exclude keywords of a protocol in texts."""

    def __init__(self, include: Iterable[str] = (), exclude: Iterable[str] = ()):
        self.include = [k for k in include if k.strip()]
        self.exclude = [k for k in exclude if k.strip()]
        self._rx = None
        alts = []
        kinds: list[tuple[str, str]] = []
        # longer keywords first, so a phrase wins over a word inside it
        for kind, words in (("include", self.include), ("exclude", self.exclude)):
            for k in words:
                kinds.append((kind, k))
        kinds.sort(key=lambda kk: -len(kk[1]))
        for n, (_, k) in enumerate(kinds):
            alts.append(f"(?P<k{n}>{keyword_pattern(k)})")
        self._kinds = kinds
        if alts:
            self._rx = re.compile("|".join(alts), re.IGNORECASE)

    def spans(self, text: str) -> list[Span]:
        """Non-overlapping matches, left to right (the longer keyword wins at a tie)."""
        if self._rx is None or not text:
            return []
        out = []
        for m in self._rx.finditer(text):
            n = int(m.lastgroup[1:])
            kind, k = self._kinds[n]
            out.append(Span(m.start(), m.end(), kind, k))
        return out

    def counts(self, texts: Sequence[str]) -> tuple[int, int]:
        """(include hits, exclude hits) over the texts."""
        inc = exc = 0
        for t in texts:
            for s in self.spans(t):
                if s.kind == "include":
                    inc += 1
                else:
                    exc += 1
        return inc, exc
