"""Web of Science plain-text importer: a hand-written fixture and the real exports.

Expected values are read off tests/data/importers/tagged/wos_sample.txt and the
real files by eye.
"""

from __future__ import annotations

import pytest

from review.errors import InputError
from review.importers import ParseContext, read_file, wos


@pytest.fixture(scope="module")
def sample(data_dir):
    res = read_file(data_dir / "importers/tagged/wos_sample.txt")
    assert res.format == "wos"
    return res


def test_core_collection_record_every_normalised_field(sample):
    rec = sample.records[0]
    assert rec.normalised() == {
        "title": "Iron rim lesions in multiple sclerosis: a susceptibility-weighted imaging study",
        # structured abstract: headings on continuation lines of their own
        "abstract": "Background Paramagnetic rim lesions mark chronic active inflammation. "
        "Methods We imaged 120 patients.",
        "authors": ["Abernathy, JQ", "Brown, J"],  # AU, one per continuation line
        "year": 2023,
        "journal": "INVENTED JOURNAL OF NEUROLOGY",
        "journal_abbrev": "Invent. J. Neurol.",  # JI, not J9
        "volume": "12",
        "issue": "3",
        "pages": "201-209",
        "doi": "10.1000/ims.2023.0001",
        "pmid": "39000001",
        "pmcid": "",
        "eid": "",
        "wos_ut": "000123456700001",
        "accession": "",
        "issn": ["1234-5678", "8765-432X"],  # SN, EI
        "keywords": ["iron rim", "multiple sclerosis", "susceptibility-weighted imaging",
                     "CHRONIC ACTIVE LESIONS", "MRI"],  # DE then ID
        "mesh": [],
        "language": "English",
        "pub_types": ["Article", "Proceedings Paper"],
        "url": "",
        "database": "Web of Science",
    }
    assert rec.raw["AF"] == ["Abernathy, Jane Q.", "Brown, John"]
    assert rec.source.line == 3 and rec.id == "pmid:39000001"


def test_zoological_record(sample):
    rec = sample.records[1]
    assert rec.authors == ["Stillwater, AN", "Smith, J"]  # e-mail dropped, SMITH recased
    assert (rec.accession, rec.wos_ut, rec.database) == ("ZOOR99900000001", "", "Zoological Record")
    assert rec.pages == "e0045" and rec.language == "English"  # PS; trailing tab dropped
    assert rec.source.position == 2 and len(sample.records) == 2 and not sample.warnings


def test_blank_lines_between_lines_and_no_ef():
    # tethne's CRLF file decodes with a blank line after every line
    text = "FN Thomson Reuters Web of Science™\n\nVR 1.0\n\nPT J\n\nAU Doe, J\n\nTI A title\n\n   continued\n\nPY 2001\n\nER\n"
    (rec,) = wos.parse(text, ParseContext("x"))
    assert (rec.title, rec.authors, rec.year) == ("A title continued", ["Doe, J"], 2001)


def test_last_record_without_er_is_kept_with_warning():
    ctx = ParseContext("x")
    recs = wos.parse("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI One\nER\n\nPT J\nTI Two\n", ctx)
    assert [r.title for r in recs] == ["One", "Two"]
    assert len(ctx.warnings) == 1 and ctx.warnings[0].line == 7


def test_medline_ut_gives_the_pmid():
    (rec,) = wos.parse("PT J\nTI T\nUT MEDLINE:31858815\nER\n", ParseContext("x"))
    assert (rec.pmid, rec.wos_ut, rec.database) == ("31858815", "", "MEDLINE")


def test_garbage_is_an_input_error():
    with pytest.raises(InputError) as err:
        wos.parse("FN Clarivate Analytics Web of Science\nVR 1.0\nthis is not a tag line\n", ParseContext("x"))
    assert "line 3" in str(err.value)


@pytest.mark.parametrize(
    "head,score",
    [
        ("FN Thomson Reuters Web of Knowledge\nVR 1.0\nPT J\n", 0.95),
        ("FN Thomson Reuters Web of Science™\nVR 1.0\n", 0.95),
        ("FN Clarivate Analytics Web of Science\n\nVR 1.0\n", 0.95),
        ("PT J\nAU Doe, J\nTI x\nER\n", 0.8),
        ("PT\tAU\tBA\tBE\tGP\tAF\tTI\nJ\tDoe, J\t\t\t\t\tx\n", 0.0),  # tab-delimited: not ours
        ("PMID- 1\nTI  - x\n", 0.0),
        ("TY  - JOUR\nPT  - x\nER  - \n", 0.0),
    ],
)
def test_sniff(head, score):
    assert wos.sniff(head) == score


# ---- the real exports (skipped without ../shared) ----------------------------------

def _real(shared_dir, name):
    return read_file(shared_dir / "corpus" / "exports" / "wos_plaintext" / name).records


def test_real_thomson_reuters_first_and_last(shared_dir):
    recs = _real(shared_dir, "bibliometrix_RPT_papers_ThomsonReuters_BOM.txt")
    first, last = recs[0], recs[-1]
    assert first.title == "THE EFFECT OF PROFIT SHIFTING ON THE CORPORATE TAX BASE IN THE UNITED STATES AND BEYOND"
    assert (first.year, first.volume, first.pages, first.doi, first.wos_ut) == (
        2016, "69", "905-934", "10.17310/ntj.2016.4.09", "000389621600010")
    assert first.authors[0] == "Clausing, KA"
    assert last.title == "NEW REAL-ESTATE RULES FOR EXEMPT FINANCING, RELATED PARTY TRANSACTIONS, EXCHANGES"
    assert (last.year, last.wos_ut) == (1985, "A1985AAY0500001")


def test_real_zoological_record_last(shared_dir):
    last = _real(shared_dir, "synthesisr_zoorec_ZoologicalRecord_BOM.txt")[-1]
    assert last.title == "A review of the Three-toed Woodpeckers of North America."
    assert (last.authors, last.year, last.pages, last.accession, last.database) == (
        ["Bangs, O"], 1900, "126-142", "ZOOR03700000025", "Zoological Record")


def test_real_scielo_first(shared_dir):
    first = _real(shared_dir, "Bibliometrico_Hospitales_SciELO_via_WoS_2026_BOM.txt")[0]
    assert first.title == "Miositis viral aguda asociada a síndrome de Guillain-Barré"
    assert (first.journal, first.language, first.year, first.pages) == (
        "Revista Cubana de Pediatría", "Spanish", 2023, "e1997")
    assert (first.accession, first.database) == ("S0034-75312023000100001", "SciELO Citation Index")
    assert first.authors[:2] == ["Lazo Rivera, E", "Luque Salazar, M"]


def test_real_upper_case_names_from_the_1970s(shared_dir):
    first = _real(shared_dir, "metaknowledge_docs_savedrecs_BOM_trademark.txt")[0]
    assert (first.authors, first.year, first.pages, first.doi, first.wos_ut) == (
        ["Brevik, I"], 1979, "133-201", "10.1016/0370-1573(79)90074-7", "A1979GV55600001")
