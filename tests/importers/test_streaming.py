"""Large-file paths of the MEDLINE and RIS importers: chunked reading, lazy raw
fields, and the bulk shortcuts, each checked against the plain path it stands in for.

The oracle for chunked reading is the same file decoded whole and parsed as
one text (`read_text`); chunks of 64 bytes put a chunk boundary inside almost
every record, tag and CRLF pair.
"""

from __future__ import annotations

import json
import pickle

import pytest

from review.importers import _text, medline, read_file, read_text, ris
from review.importers._text import decode
from review.records import RawFields, Record, normalise_author

TAGGED = ["medline_sample.nbib", "ris_cochrane_preamble.ris", "ris_dimensions_lens_rayyan.ris",
          "ris_embase_ebsco.ris", "ris_ovid_numbered.ris", "ris_scopus_wos.ris"]


@pytest.fixture
def tiny_chunks(monkeypatch):
    monkeypatch.setattr(_text, "HEAD_BYTES", 128)
    monkeypatch.setattr(_text, "CHUNK_BYTES", 64)


def _whole(path):
    text, encoding, _ = decode(path.read_bytes(), str(path))
    return read_text(text, file=str(path))


def _same(a, b):
    assert a.format == b.format
    assert [r.to_dict() for r in a.records] == [r.to_dict() for r in b.records]
    assert [(w.line, w.message) for w in a.warnings] == [(w.line, w.message) for w in b.warnings]


@pytest.mark.parametrize("name", TAGGED)
def test_chunked_reading_gives_what_whole_text_gives(name, data_dir, tiny_chunks, tmp_path):
    path = data_dir / "importers" / "tagged" / name
    whole = _whole(path)
    _same(read_file(path), whole)
    crlf = tmp_path / name  # CRLF line ends, a chunk boundary between CR and LF
    crlf.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    _same(read_file(crlf), _whole(crlf))


def test_chunked_reading_of_real_exports(shared_dir, tiny_chunks, monkeypatch):
    monkeypatch.setattr(_text, "CHUNK_BYTES", 4096)
    exports = shared_dir / "corpus" / "exports"
    paths = sorted((exports / "pubmed_medline").glob("*"))[:3] + sorted((exports / "scopus_ris").glob("*.ris"))[:2]
    assert paths
    for path in paths:
        _same(read_file(path), _whole(path))


def test_bytes_that_are_not_utf8_after_the_head_fall_back_to_cp1252(tmp_path, tiny_chunks):
    records = "".join(f"PMID- {i}\nTI  - Title {i}.\nDP  - 2001\nSO  - J. 2001.\n\n" for i in range(1, 21))
    data = records.encode() + "PMID- 21\nTI  - Caf\u00e9 au lait.\nSO  - J.\n".encode("cp1252")
    path = tmp_path / "mixed.nbib"
    path.write_bytes(data)
    result = read_file(path)
    assert result.encoding == "cp1252" and len(result.records) == 21
    assert result.records[-1].title == "Caf\u00e9 au lait."
    assert result.records[-1].source.line == 101  # 20 records of 5 lines before it
    assert any("Windows-1252" in w.message for w in result.warnings)


def test_record_lines_are_right_across_chunks(tmp_path, tiny_chunks):
    # Record k (1-based) starts on line 1 + 6 * (k - 1): five lines and a blank one each.
    text = "".join(f"PMID- {k}\nTI  - T{k}.\nAB  - An abstract\n      going on.\nSO  - J.\n\n" for k in range(1, 31))
    path = tmp_path / "m.nbib"
    path.write_text(text)
    recs = read_file(path).records
    assert [r.source.line for r in recs] == [1 + 6 * (k - 1) for k in range(1, 31)]
    assert recs[29].abstract == "An abstract going on."
    # RIS: "TY" on line 1 + 4 * (k - 1)
    ris_text = "".join(f"TY  - JOUR\nTI  - T{k}\nAU  - Smith, J\nER  - \n" for k in range(1, 31))
    path = tmp_path / "r.ris"
    path.write_text(ris_text)
    recs = read_file(path).records
    assert [r.source.line for r in recs] == [1 + 4 * (k - 1) for k in range(1, 31)]


def test_raw_fields_are_split_when_read_and_behave_as_a_dict():
    raw = RawFields("\nPMID- 7\nTI  - A title\n      on two lines.\nMH  - A\nMH  - B\n", medline._raw_fields)
    assert raw._dict is None  # nothing split yet
    expected = {"PMID": ["7"], "TI": ["A title on two lines."], "MH": ["A", "B"]}
    assert raw == expected and expected == raw
    assert raw["MH"] == ["A", "B"] and raw.get("XX") is None and "TI" in raw and len(raw) == 3
    assert list(raw.items()) == list(expected.items())
    raw.setdefault("NL", []).append("x")  # Ovid's NL after ER is added this way
    assert raw["NL"] == ["x"]
    as_bytes = RawFields("\nPMID- 7\nTI  - Caf\u00e9\n".encode(), medline._raw_fields)
    assert as_bytes == {"PMID": ["7"], "TI": ["Caf\u00e9"]}
    assert pickle.loads(pickle.dumps(as_bytes)) == {"PMID": ["7"], "TI": ["Caf\u00e9"]}
    unread = RawFields(b"TY  - JOUR\nTI  - T", ris._fields)
    assert pickle.loads(pickle.dumps(unread)) == {"TY": ["JOUR"], "TI": ["T"]}


def test_records_with_raw_fields_round_trip_through_json():
    (rec,) = medline.parse("PMID- 7\nTI  - T.\nDP  - 2001\n", ctx=_ctx())
    assert isinstance(rec.raw, RawFields)
    back = Record.from_dict(json.loads(json.dumps(rec.to_dict())))
    assert back == rec and back.raw == {"PMID": ["7"], "TI": ["T."], "DP": ["2001"]}


def _ctx():
    from review.importers import ParseContext

    return ParseContext("x")


@pytest.mark.parametrize(
    "names",
    [["Larsen, LJ", "Roush, JK", "McLaughlin, RM"], ["SMITH, JA", "Roush, JK"], ["van der Berg, A"],
     ["Smith, John"], ["Smith, J.A."], ["O'Brien, J", "Li, IV", "Vest, JR"], ["Smith,  J"], [" Smith, J"],
     ["Smith, J", "Group for Trials"], ["A" * 61 + "b, J"], ["\u00c5str\u00f6m, K"], ["\u674e, W"], ["Smith|Jones, J"]],
)
def test_ris_author_shortcut_agrees_with_one_by_one(names):
    assert ris._authors(names) == [a for a in map(ris._author, names) if a]


@pytest.mark.parametrize(
    "names",
    [["Smith JA", "Roush JK"], ["SMITH JA"], ["\u674e W", "Smith J"], ["A" * 61 + "b J"], ["Smith|Jones J"],
     ["Lee  JH"], ["Smith", "Jones A"], ["Brown JR"]],
)
def test_medline_author_shortcut_agrees_with_one_by_one(names):
    assert medline.medline_authors(names) == [a for a in map(medline.medline_author, names) if a]
    assert all(normalise_author(n) == normalise_author(n) for n in names)


@pytest.mark.parametrize(
    "values",
    [["Humans", "Adult"], ["a  b", "c"], ["x ", "y"], ["<i>T</i>", "u"], ["A&amp;B"], ["tab\there"], [""], ["a|b"],
     ["nbsp\u00a0here", "z"]],
)
def test_fast_texts_agrees_with_fast_text(values):
    assert ris.fast_texts(values) == [ris.fast_text(v) for v in values]


def test_fast_field_extraction_agrees_with_splitting_every_field(shared_dir, data_dir):
    """The normalised fields come from the few tags they need (MEDLINE) or from
    bulk shortcuts; building each record from all its split fields must agree."""
    from review.records import Source

    exports = shared_dir / "corpus" / "exports"
    paths = [data_dir / "importers" / "tagged" / n for n in TAGGED]
    paths += sorted((exports / "pubmed_medline").glob("*")) + sorted(exports.glob("*_ris/*.ris"))
    checked = 0
    for path in paths:
        result = read_file(path)
        mod = medline if result.format == "medline" else ris
        for rec in result.records:
            raw = dict(rec.raw)
            again = mod.record_from_raw(raw, Source(position=rec.source.position, line=rec.source.line))
            again.source = rec.source
            if mod is ris and "NL" in raw and not again.journal_abbrev:
                continue  # Ovid's NL after ER: added to the record above afterwards
            assert again.normalised() == rec.normalised(), (path.name, rec.source.line)
            checked += 1
    assert checked > 1000


def test_medline_records_without_blank_lines_between_them_keep_their_lines():
    text = "PMID- 1\nTI  - One.\nPMID- 2\nTI  - Two\n      goes on.\nPMID- 3\nPMID- 4\nTI  - Four.\n"
    recs = medline.parse(text, _ctx())
    assert [(r.pmid, r.title, r.source.line) for r in recs] == [
        ("1", "One.", 1), ("2", "Two goes on.", 3), ("3", "", 6), ("4", "Four.", 7)]
    assert recs[1].raw == {"PMID": ["2"], "TI": ["Two goes on."]}


def test_looking_up_a_tag_that_is_not_there_does_not_split_the_fields():
    raw = RawFields(b"\nPMID- 7\nTI  - T.\n", medline._raw_fields)
    assert raw.get("_id") is None and "_id" not in raw and raw._dict is None
    assert raw.get("TI") == ["T."] and raw._dict is not None
    tricky = RawFields("\nPMID- 7\nTI  - mentions XY here\n", medline._raw_fields)
    assert tricky.get("XY") is None and "XY" not in tricky  # in the text, yet not a tag


def test_medline_wanted_tags_trie_is_the_tag_list():
    tags = medline._WANTED_TAGS.split("|")
    text = "".join(f"\n{t:<4}- v{t}" for t in tags + ["AD", "FAU", "PST", "TT", "PMCR", "ISBN"])
    assert sorted(t for t, _ in medline._WANTED_RE.findall(text)) == sorted(tags)


def test_utf8_chunks_never_cut_a_crlf_or_a_bom():
    import io

    data = "\ufeffTY  - JOUR\r\nTI  - Caf\u00e9\rAB  - x\r\n\ufeffTY  - GEN\r\nER  - \r\n".encode()
    expected = data.replace(b"\xef\xbb\xbf", b"").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    for head in range(1, 8):
        for size in range(1, 6):
            chunks = list(_text.utf8_chunks(data[:head], io.BytesIO(data[head:]), size))
            assert b"".join(chunks) == expected, (head, size)
