"""protocol.yaml: every key known, every problem named with its line."""

from __future__ import annotations

import textwrap

import pytest

from review.errors import ProtocolError
from review.protocol import check_text, load_protocol
from review.template import PROTOCOL_TEMPLATE

GOOD = textwrap.dedent("""\
    title: Iron rim lesions and disability
    question:
      population: adults with MS
      exposure: iron rim lesions
      comparison: no iron rim lesions
      outcome: EDSS
    reviewers: [ana, ben]
    searches:
      - name: pubmed
        database: PubMed
        file: pubmed.txt
        date: 2025-03-01
        query: '"iron rim"[tiab]'
        records: 70
    other_sources:
      - name: citations
        method: citation searching
        file: citations.ris
    analyses:
      - name: edss
        outcome: EDSS
        measure: smd
        groups: [IRL+, IRL-]
    """)


def test_good_protocol_loads_with_defaults():
    protocol, problems = check_text(GOOD)
    assert problems == []
    assert protocol.title == "Iron rim lesions and disability"
    assert protocol.question["exposure"] == "iron rim lesions"
    assert protocol.reviewers == ["ana", "ben"]
    s = protocol.searches[0]
    assert (s.name, s.database, s.file, s.date, s.records) == ("pubmed", "PubMed", "pubmed.txt", "2025-03-01", 70)
    assert s.line == 11  # the `file:` key is on line 11 of GOOD
    a = protocol.analyses[0]
    assert (a.measure, a.method, a.hk, a.groups) == ("SMD", "REML", False, ("IRL+", "IRL-"))
    assert protocol.other_sources[0].method == "citation searching"


def test_misspelt_key_named_with_line_and_suggestion():
    text = GOOD.replace("    query:", "    qeury:")
    _, problems = check_text(text)
    messages = [str(p) for p in problems]
    # line 13 holds the misspelt key; the search then lacks its query
    assert any("line 13, field qeury: unknown key 'qeury'" in m and "did you mean 'query'" in m for m in messages)
    assert any("query is required" in m for m in messages)


def test_every_problem_reported_at_once():
    text = textwrap.dedent("""\
        title: T
        question: free text question
        colour: blue
        searches:
          - name: a b
            database: X
            file: ../outside.txt
            date: 01/02/2025
            query: q
        analyses:
          - name: x
            measure: HR
            method: MH
    """)
    _, problems = check_text(text)
    where = {(p.line, p.key) for p in problems}
    assert (3, "colour") in where
    assert (5, "name") in where  # 'a b' has a space
    assert (7, "file") in where
    assert (8, "date") in where
    assert (12, "measure") in where
    assert len(problems) == 5


def test_yaml_syntax_error_is_one_line_with_line_number():
    with pytest.raises(ProtocolError) as info:
        check_text("title: x\nsearches: [\n  - a\n")
    assert "not valid YAML" in str(info.value)
    assert info.value.line is not None


def test_template_is_a_valid_protocol():
    protocol, problems = check_text(PROTOCOL_TEMPLATE)
    assert problems == []
    assert protocol.searches[0].name == "pubmed"


def test_load_protocol_raises_first_problem(tmp_path):
    (tmp_path / "protocol.yaml").write_text("title: x\nquestion: q\nsearches: []\ntypo: 1\n")
    with pytest.raises(ProtocolError) as info:
        load_protocol(tmp_path)
    assert info.value.line == 4 and info.value.field == "typo"


def test_missing_protocol(tmp_path):
    with pytest.raises(ProtocolError, match="no protocol.yaml"):
        load_protocol(tmp_path)


def test_screening_section_problems_name_their_line():
    text = textwrap.dedent("""\
        title: t
        question: q
        searches: []
        screening:
          reviewers_per_record: 3
    """)
    _, problems = check_text(text)
    assert [(p.line, p.key) for p in problems] == [(5, "screening.reviewers_per_record")]


def test_kinds_and_extraction_problems_name_their_lines():
    text = textwrap.dedent("""\
        title: t
        question: q
        searches:
          - {name: ct, database: ClinicalTrials.gov, file: ct.csv, date: 2025-01-01, query: q, kind: register}
        other_sources:
          - name: web
            method: hand searching
            kind: blog
        extraction:
          extractors: 3
    """)
    protocol, problems = check_text(text)
    assert protocol.searches[0].kind == "register"
    assert [(p.line, p.key) for p in problems] == [(8, "kind"), (10, "extraction.extractors")]


def test_screening_order_and_stopping_checked():
    text = textwrap.dedent("""\
        title: t
        question: q
        searches: []
        screening:
          order: best-first
          stopping:
            recall: high
    """)
    _, problems = check_text(text)
    assert [(p.line, p.key) for p in problems][0] == (5, "screening.order")
    assert any(p.key.startswith("screening.stopping") and p.line == 6 for p in problems)
