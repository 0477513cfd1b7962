"""RIS out and back in: every normalised field of a Record survives ris_writer -> ris.py.

Random records are built from values that are already normalised (what the
importers produce: "Family, INITIALS" authors, lower-case DOIs, cleaned text,
keyword lists without case-insensitive repeats), then written and read back.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.importers import ParseContext, read_file, ris
from review.records import Record, Source, clean_text, dedupe_list, normalise_pages
from review.writers import ris_writer, writer_for

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éüñçøαβ-'.,:()/%+?!", min_size=1, max_size=12)
TEXT = st.lists(WORD, min_size=0, max_size=12).map(lambda ws: clean_text(" ".join(ws)))
NONEMPTY = st.lists(WORD, min_size=1, max_size=8).map(lambda ws: clean_text(" ".join(ws))).filter(bool)
CAP = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
FAMILY = st.builds(
    lambda particle, first, rest: f"{particle}{first}{rest}",
    st.sampled_from(["", "", "", "van der ", "de ", "O'", "Mc"]),
    CAP,
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüñ-", min_size=1, max_size=10).filter(lambda s: s[-1] != "-"),
)
AUTHOR = st.one_of(
    st.builds(lambda f, ini: f"{f}, {ini}", FAMILY, st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3)),
    st.sampled_from(["Invented Rim Lesion Study Group", "Writing Committee for the Invented Trial"]),
)
PAGES = st.one_of(
    st.just(""),
    st.builds(lambda a, b: normalise_pages(f"{a}-{a + b}"), st.integers(1, 5000), st.integers(0, 300)),
    st.builds(lambda a: f"e{a}", st.integers(1, 99999)),
)
DOI = st.one_of(st.just(""), st.builds(lambda a, b: f"10.{a}/{b}", st.integers(1000, 99999),
                                       st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-_/()", min_size=1, max_size=20)
                                       .filter(lambda s: s[-1] not in ".,;")))
ISSN = st.builds(lambda a, b, c: f"{a:04d}-{b:03d}{c}", st.integers(0, 9999), st.integers(0, 999), st.sampled_from("0123456789X"))
TERMS = st.lists(NONEMPTY, max_size=6).map(dedupe_list)
DATABASES = st.sampled_from(["", *ris.CANONICAL_DATABASES, "Academic Search Premier", "ProQuest Dissertations & Theses Global"])
LANGUAGES = st.sampled_from(["", "English", "French; English", "Portuguese"])
URLS = st.sampled_from(["", "https://example.org/record/1", "https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000001",
                        "https://www.embase.com/search/results?id=L1", "https://app.dimensions.ai/details/publication/pub.1",
                        "https://lens.org/001-002", "http://ovidsp.ovid.com/ovidweb.cgi?T=JS&D=medl&AN=123"])


@st.composite
def records(draw) -> Record:
    url = draw(URLS)
    eid = "2-s2.0-85000000001" if "scopus" in url else draw(st.sampled_from(["", "2-s2.0-84999999999"]))
    return Record(
        title=draw(TEXT),
        abstract=draw(TEXT),
        authors=draw(st.lists(AUTHOR, max_size=6)),
        year=draw(st.one_of(st.none(), st.integers(1800, 2030))),
        journal=draw(TEXT),
        journal_abbrev=draw(TEXT),
        volume=draw(st.sampled_from(["", "12", "3A", "Suppl 2"])),
        issue=draw(st.sampled_from(["", "1", "4-5", "Supplement 3"])),
        pages=draw(PAGES),
        doi=draw(DOI),
        pmid=draw(st.one_of(st.just(""), st.integers(1, 10**8).map(str))),
        pmcid=draw(st.one_of(st.just(""), st.integers(1, 10**7).map(lambda n: f"PMC{n}"))),
        eid=eid,
        wos_ut=draw(st.sampled_from(["", "000123456700001", "A1979GV55600001"])),
        accession=draw(st.sampled_from(["", "CN-02000001", "L650000001", "2019-65183-001", "pub.1100000001", "rayyan-1"])),
        issn=draw(st.lists(ISSN, max_size=3, unique=True)),
        keywords=draw(TERMS),
        mesh=draw(TERMS),
        language=draw(LANGUAGES),
        pub_types=draw(st.lists(st.sampled_from(["Journal Article", "Review", "Conference Paper", "Letter", "Book"]),
                                max_size=3, unique=True)),
        url=url,
        database=draw(DATABASES),
    )


def roundtrip(recs: list[Record]) -> list[Record]:
    buf = io.StringIO()
    ris_writer.write(recs, buf)
    return ris.parse(buf.getvalue(), ParseContext("roundtrip.ris"))


@settings(max_examples=300, deadline=None)
@given(st.lists(records(), min_size=1, max_size=4))
def test_random_records_survive_a_ris_round_trip(recs):
    back = roundtrip(recs)
    assert [r.normalised() for r in back] == [r.normalised() for r in recs]


def test_writer_is_registered_and_writes_one_block_per_record():
    assert writer_for("ris") is ris_writer and writer_for(".txt") is ris_writer
    rec = Record(title="T", authors=["Doe, J"], year=2001, pages="5-9", pmid="12", database="PubMed")
    buf = io.StringIO()
    ris_writer.write([rec, rec], buf)
    text = buf.getvalue()
    assert text.count("TY  - JOUR\n") == 2 and text.count("\nER  - \n") == 2
    assert "SP  - 5\nEP  - 9\n" in text and "U1  - 12 [PMID]\n" in text and "DB  - PubMed\n" in text


def test_type_from_pub_types_or_from_an_ris_source():
    conf = Record(title="T", pub_types=["Conference Paper"])
    assert ris_writer.record_lines(conf)[0] == "TY  - CONF"
    from_ris = Record(title="T", raw={"TY": ["GEN"]}, source=Source(format="ris"))
    assert ris_writer.record_lines(from_ris)[0] == "TY  - GEN"


def test_an_empty_database_stays_empty_next_to_a_scopus_link():
    rec = Record(title="T", url="https://www.scopus.com/inward/record.uri?eid=2-s2.0-1", eid="2-s2.0-1")
    (back,) = roundtrip([rec])
    assert back.database == "" and back.eid == "2-s2.0-1"


EXPORTS = [
    ("pubmed_medline", "blachlylab_nbib_pubmed_CRLF.nbib"),
    ("scopus_ris", "citesource_gambling_scopus_255.ris"),
    ("wos_plaintext", "bibliometrix_RPT_papers_ThomsonReuters_BOM.txt"),
    ("embase_ris", "Bibliometrico_Hospitales_embase_2026.ris"),
    ("embase_txt", "Bibliometrico_Hospitales_embase_com_plaintext.txt"),
    ("cochrane_ris", "FavipiravirMetaAnalysis_Cochrane_CENTRAL_record_preamble_CRLF.ris"),
    ("cochrane_txt", "cochrane-application_CDSR_citation-export_BOM_CRonly.txt"),
    ("ris_other", "ASySD-benchmark_Ovid_multidb_3001_to_3130_numbered.ris"),
    ("ris_other", "asysd_zotero_export_CRLF.ris"),
    ("dimensions_ris", "citesource_Dimensions_246_leading_blank.ris"),
    ("lens_ris", "citesource_gambling_lens_49_BOM_CRLF.ris"),
    ("proquest_txt", "metaknowledge_ProQuest_TestFile_CRLF.txt"),
]


@pytest.mark.parametrize("folder,name", EXPORTS, ids=[n for _, n in EXPORTS])
def test_real_exports_survive_a_ris_round_trip(shared_dir, folder, name):
    recs = read_file(shared_dir / "corpus" / "exports" / folder / name).records
    back = roundtrip(recs)
    assert len(back) == len(recs)
    for a, b in zip(recs, back):
        assert b.normalised() == a.normalised()
