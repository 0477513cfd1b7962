"""Keyword highlighting: case, stems, phrases, whole words (examples made by hand)."""

from __future__ import annotations

import re

import pytest

from review.screening.highlight import Highlighter, keyword_pattern


def found(h: Highlighter, text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.kind) for s in h.spans(text)]


def test_stems_phrases_case_and_hyphens():
    h = Highlighter(["iron rim*", "paramagnetic rim"], ["mouse"])
    text = "Iron rims and iron-rim lesions; PARAMAGNETIC RIM lesions in a Mouse model of iron rimmed"
    assert found(h, text) == [
        ("Iron rims", "include"), ("iron-rim", "include"), ("PARAMAGNETIC RIM", "include"),
        ("Mouse", "exclude"), ("iron rimmed", "include"),
    ]


def test_whole_words_only_without_a_star():
    h = Highlighter(["iron", "rim"], [])
    assert found(h, "ironic rims, rim-like, iron.") == [("rim", "include"), ("iron", "include")]


def test_phrase_across_a_line_break_and_the_longer_keyword_wins():
    h = Highlighter(["multiple sclerosis"], ["sclerosis"])
    assert found(h, "multiple\nsclerosis and systemic sclerosis") == [
        ("multiple\nsclerosis", "include"), ("sclerosis", "exclude")]


def test_question_mark_is_one_letter_and_specials_are_literal():
    h = Highlighter(["p?ediatric"], ["T2*", "c++"])
    assert found(h, "paediatric pediatric") == [("paediatric", "include")]
    assert re.fullmatch(keyword_pattern("T2*"), "T2w")
    assert found(h, "c++ code") == [("c++", "exclude")]  # "+" is literal, not a regex


def test_no_keywords_no_spans():
    assert Highlighter([], []).spans("anything") == []
    with pytest.raises(ValueError):
        keyword_pattern("   ")
