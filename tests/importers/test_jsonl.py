"""JSON Lines: this tool's own record library format (review.writers.jsonl_writer)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from review.errors import InputError
from review.importers import jsonl, read_file, read_text
from review.records import Record, Source
from review.writers import jsonl_writer

FIX = Path(__file__).resolve().parents[1] / "data" / "importers" / "tabular"


def test_reads_records_and_warns_about_a_truncated_last_line():
    result = read_file(FIX / "records.jsonl")
    assert result.format == "jsonl"
    first, second = result.records
    assert first.normalised() == {
        "title": "Iron rim lesions and disability",
        "abstract": "Rims matter.",
        "authors": ["Okafor, AB", "Lindqvist-Hale, M"],
        "year": 2021,
        "journal": "Multiple sclerosis journal (invented)",
        "journal_abbrev": "Mult Scler J Invent",
        "volume": "27",
        "issue": "3",
        "pages": "401-409",
        "doi": "10.5555/msji.2021.0401",
        "pmid": "31000001",
        "pmcid": "",
        "eid": "",
        "wos_ut": "",
        "accession": "",
        "issn": ["1352-4585"],
        "keywords": [],
        "mesh": ["Humans", "Multiple Sclerosis"],
        "language": "eng",
        "pub_types": ["Journal Article"],
        "url": "",
        "database": "PubMed",
    }
    # Provenance is kept as written: the record still names the export it came from.
    assert first.source == Source("records/searches/pubmed.nbib", 1, 1, "medline", "pubmed")
    assert first.raw == {"PMID": ["31000001"]}
    # A sparse line: missing keys take the Record defaults; its place is filled in.
    assert second.eid == "2-s2.0-85000000002" and second.year is None and second.pmid == ""
    assert (second.source.line, second.source.position) == (2, 2)
    assert [(w.line, "truncated" in w.message) for w in result.warnings] == [(3, True)]


@pytest.mark.parametrize(
    "head,score",
    [
        ('{"id": "pmid:1", "title": "x"}\n', 0.95),
        ('{"title": "x"}\n{"title": "y"}\n', 0.95),
        ('{"name": "x"}\n', 0.0),
        ("[1, 2]\n", 0.0),
        ("TY  - JOUR\nER  - \n", 0.0),
        ("title,year\nA,2020\n", 0.0),
        ('{"abstract": "' + "a" * 70000, 0.9),  # a first record longer than the sniffed head
    ],
)
def test_sniff(head, score):
    assert jsonl.sniff(head[:65536]) == pytest.approx(score)


def test_a_bad_middle_line_is_skipped_with_a_warning():
    text = '{"title": "one"}\nnot json\n{"title": "three"}\n'
    result = read_text(text, file="x.jsonl")
    assert [r.title for r in result.records] == ["one", "three"]
    assert [w.line for w in result.warnings] == [2]


def test_a_line_that_is_not_a_record_is_an_error():
    with pytest.raises(InputError) as err:
        read_text('{"title": "x", "source": {"nonsense": 1}}\n', file="x.jsonl")
    assert err.value.line == 1


def test_writer_is_byte_stable_and_sorted():
    rec = Record(title="Zeta \ufeff", authors=["Smith, J"], year=2020, doi="10.5555/x", raw={"TI": ["Zeta"]})
    out1, out2 = io.StringIO(), io.StringIO()
    jsonl_writer.write([rec, rec], out1)
    jsonl_writer.write([rec, rec], out2)
    assert out1.getvalue() == out2.getvalue()
    lines = out1.getvalue().split("\n")
    assert lines[-1] == "" and len(lines) == 3
    obj = json.loads(lines[0])
    assert list(obj) == sorted(obj) and obj["id"] == "doi:10.5555/x"
    assert "\ufeff" not in lines[0] and obj["title"] == "Zeta \ufeff"
