"""The speed paths of the MEDLINE and RIS importers give what the plain paths give.

- raw fields read back from the export file (large files, `_filetext`) equal the
  raw fields kept in memory, across chunk boundaries, and survive pickling; a
  file changed in place is refused, a renamed or deleted one still reads;
- the shortcuts for common values (a four-digit year, a "123-129" page range,
  runs of spaces, one-word MEDLINE family names) agree with the general code
  they skip, which stays the oracle.
"""

from __future__ import annotations

import io
import os
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.errors import InputError
from review.importers import _filetext, _text, medline, read_file, ris
from review.records import RawFields, clean_text, normalise_pages, parse_year

TAGGED = ["medline_sample.nbib", "ris_cochrane_preamble.ris", "ris_dimensions_lens_rayyan.ris",
          "ris_embase_ebsco.ris", "ris_ovid_numbered.ris", "ris_scopus_wos.ris"]


def _lf_copy(data_dir, name, tmp_path):
    """The fixture with "\\n" line ends (CR line ends make chunks that are not the file's own bytes)."""
    data = (data_dir / "importers" / "tagged" / name).read_bytes()
    path = tmp_path / name
    path.write_bytes(data.replace(b"\r\n", b"\n"))
    return path


def _dicts(result):
    return [r.to_dict() for r in result.records], [(w.line, w.message) for w in result.warnings]


@pytest.mark.parametrize("chunk", [64, 1 << 23])
@pytest.mark.parametrize("name", TAGGED)
def test_raw_fields_read_back_from_the_file_equal_those_kept_in_memory(name, chunk, data_dir, tmp_path, monkeypatch):
    path = _lf_copy(data_dir, name, tmp_path)
    monkeypatch.setattr(_text, "HEAD_BYTES", 128 if chunk == 64 else _text.HEAD_BYTES)
    monkeypatch.setattr(_text, "CHUNK_BYTES", chunk)
    in_memory = read_file(path)
    assert not any(isinstance(r.raw._text, tuple) for r in in_memory.records if isinstance(r.raw, RawFields))
    monkeypatch.setattr(_filetext, "LARGE_FILE", 1)
    from_file = read_file(path)
    kinds = [type(r.raw._text) for r in from_file.records if isinstance(r.raw, RawFields) and r.raw._dict is None]
    assert tuple in kinds  # the path under test was taken
    assert _dicts(from_file) == _dicts(in_memory)


def test_file_chunks_say_where_each_unchanged_chunk_lies(tmp_path):
    data = b"PMID- 1\nTI  - T.\n\n" * 50 + b"PMID- 2\r\nTI  - CRLF.\r\n\r\n" + b"PMID- 3\nTI  - U.\n\n" * 50
    path = tmp_path / "m.nbib"
    path.write_bytes(data)
    with open(path, "rb") as fh:
        head = fh.read(100)
        chunks = _filetext.FileChunks(head, fh, _filetext.FileSource(fh.fileno(), str(path)))
        seen, nones = 0, 0
        for chunk in _sized(chunks, 97):
            if chunks.origin is None:
                nones += 1
                assert b"\r" in data[seen:seen + len(chunk) + 30]  # only the chunk with the CRLF lines
            else:
                assert data[chunks.origin:chunks.origin + len(chunk)] == chunk
                seen = chunks.origin + len(chunk)
    assert nones == 1


def _sized(chunks, size):
    """Iterate FileChunks with a small chunk size (utf8_chunks' default is 8 MiB)."""
    chunks._chunks = _text.utf8_chunks(chunks._head, chunks._reader, size)
    return chunks


def test_a_crlf_file_keeps_its_raw_text_in_memory(data_dir, tmp_path, monkeypatch):
    path = tmp_path / "crlf.nbib"
    path.write_bytes((data_dir / "importers" / "tagged" / "medline_sample.nbib").read_bytes()
                     .replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    expected = _dicts(read_file(path))
    monkeypatch.setattr(_filetext, "LARGE_FILE", 1)
    result = read_file(path)
    assert all(isinstance(r.raw._text, bytes) for r in result.records)
    assert _dicts(result) == expected


def _big_medline(tmp_path, monkeypatch):
    path = tmp_path / "m.nbib"
    path.write_text("".join(f"PMID- {k}\nTI  - Title {k}\n      on two lines.\nAD  - Caf\u00e9 {k}.\n\n"
                            for k in range(1, 41)), encoding="utf-8")
    monkeypatch.setattr(_filetext, "LARGE_FILE", 1)
    return path, read_file(path).records


def test_raw_fields_from_the_file_pickle_as_their_text(tmp_path, monkeypatch):
    path, recs = _big_medline(tmp_path, monkeypatch)
    rec = recs[6]
    assert isinstance(rec.raw._text, tuple)
    copy = pickle.loads(pickle.dumps(rec.raw))  # holds the text itself, not the open file
    os.remove(path)
    assert copy == {"PMID": ["7"], "TI": ["Title 7 on two lines."], "AD": ["Caf\u00e9 7."]}
    assert rec.raw.get("_id") is None and rec.raw["AD"] == ["Caf\u00e9 7."]  # deleted: still the same bytes


def test_a_file_renamed_after_the_import_still_reads_and_one_changed_in_place_is_refused(tmp_path, monkeypatch):
    path, recs = _big_medline(tmp_path, monkeypatch)
    os.rename(path, tmp_path / "moved.nbib")
    assert recs[0].raw["TI"] == ["Title 1 on two lines."]
    with open(tmp_path / "moved.nbib", "r+b") as fh:  # the same file, changed
        fh.seek(0, io.SEEK_END)
        fh.write(b"PMID- 99\n")
    with pytest.raises(InputError, match="changed after it was imported"):
        recs[1].raw.get("TI")


# ---- shortcuts against the general code ------------------------------------------------


@given(st.text(alphabet="0123456789\u0661\u0662x ", min_size=0, max_size=6))
def test_year_shortcut_agrees_with_the_pattern(value):
    from review.records import _YEAR

    m = _YEAR.search(value)
    assert parse_year(value) == (int(m.group(1)) if m else None)


@pytest.mark.parametrize("value, expected", [
    ("123-9", "123-129"), ("123-129", "123-129"), ("123-123", "123"), ("1234-45", "1234-1245"),
    ("9-12", "9-12"), ("0123-123", "0123"), ("5", "5"), ("12-", "12-"), ("e123-e129", "e123-e129"),
])
def test_page_ranges(value, expected):
    # by the rule: a shorter last page takes the first page's leading digits ("0123-123": 0123-0123, one page)
    assert normalise_pages(value) == expected


@given(st.from_regex(r"[0-9]{1,5}-[0-9]{1,5}", fullmatch=True))
def test_page_range_shortcut_agrees_with_the_pattern(value):
    from review.records import _PAGE_RANGE

    pre1, first, pre2, last = _PAGE_RANGE.fullmatch(value).groups()
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    assert normalise_pages(value) == (first if first == last else f"{first}-{last}")


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("ab <&;#1") + ["\u00a0", "\t", "\n", "\u00e9", "\u2009", "\u200b"]),
               max_size=30))
def test_fast_text_agrees_with_clean_text(value):
    assert ris.fast_text(value) == clean_text(value)


_family = st.text(alphabet=st.sampled_from(list("abcXYZ-'\u00e9|,( ")), min_size=0, max_size=8)
_initials = st.text(alphabet=st.sampled_from(list("ABJRS a")), min_size=0, max_size=4)


@settings(max_examples=300)
@given(st.lists(st.tuples(_family, _initials).map(lambda t: f"{t[0]} {t[1]}"), min_size=1, max_size=5))
def test_one_word_family_names_shortcut_agrees_with_one_by_one(names):
    assert medline.medline_authors(names) == [a for a in map(medline.medline_author, names) if a]


_ris_family = st.text(alphabet=st.sampled_from(list("abXY-'\u00e9|,;( ")), min_size=0, max_size=8)
_ris_given = st.text(alphabet=st.sampled_from(list("ABJ a.")), min_size=0, max_size=4)


@settings(max_examples=300)
@given(st.lists(st.tuples(_ris_family, _ris_given, st.sampled_from([", ", " ", ","])).map(lambda t: t[0] + t[2] + t[1]),
                min_size=1, max_size=5))
def test_ris_plain_names_shortcut_agrees_with_one_by_one(names):
    assert ris._authors(names) == [a for a in map(ris._author, names) if a]


def test_ris_plain_names_shortcut_keeps_its_limits():
    long = "b" * 60 + ", J"  # a 60-character family name is plain; 61 goes name by name
    assert ris._authors([long, "Roush, JK"]) == [long, "Roush, JK"]
    assert ris._authors(["SMITH, JA", "Roush, JK"]) == [ris._author("SMITH, JA"), "Roush, JK"]
    assert ris._authors(["b" * 61 + ", J"]) == [ris._author("b" * 61 + ", J")]
