"""Cochrane Library text, Embase.com text, Ovid tagged and ProQuest report importers.

Expected values are read by eye off the hand-written fixtures in
tests/data/importers/tagged/ and off the real exports.
"""

from __future__ import annotations

import pytest

from review.errors import InputError
from review.importers import ParseContext, cochrane_txt, embase_txt, ovid, proquest_txt, read_file
from tests.importers.helpers import expect

TAGGED = "importers/tagged"


def _read(data_dir, name, fmt):
    res = read_file(data_dir / TAGGED / name)
    assert res.format == fmt
    return res


# ---- Cochrane Library plain text ------------------------------------------------------

def test_cochrane_review_every_normalised_field(data_dir):
    # BOM, CR-only line ends and a second BOM before "Record #2", as in the real export
    res = _read(data_dir, "cochrane_sample.txt", "cochrane_txt")
    assert len(res.records) == 2 and not res.warnings
    rec = res.records[0]
    assert rec.normalised() == expect(**{
        "title": "Invented dietary advice for women with gestational diabetes",
        "abstract": "Background: Dietary advice is the main strategy.Objectives: To assess invented effects.",
        "authors": ["Van Ryswyk, E", "Crowther, CA", "Roqué i Figuls, M", "Han, S"],
        "year": 2017,
        "journal": "Cochrane Database of Systematic Reviews",
        "issue": "2",
        "doi": "10.1002/14651858.cd000001.pub3",
        "accession": "CD000001",
        "keywords": ["Caloric Restriction", "Diabetes, Gestational [diet therapy]", "Female", "Humans"],
        "url": "http://onlinelibrary.wiley.com/doi/10.1002/14651858.CD000001.pub3/abstract",
        "database": "Cochrane CDSR",
    })
    assert rec.raw["CC"] == ["PREG"] and rec.source.line == 1


def test_cochrane_central_record(data_dir):
    rec = _read(data_dir, "cochrane_sample.txt", "cochrane_txt").records[1]
    assert rec.authors == ["van Laarhoven, CJHM"]
    assert (rec.pmid, rec.accession, rec.database) == ("30000002", "CN-01000002", "Cochrane CENTRAL")
    assert (rec.volume, rec.issue, rec.pages) == ("4", "1", "10-19")
    assert rec.pub_types == ["Journal Article", "Randomized Controlled Trial"]
    assert rec.source.line == 19  # lines 17-18 blank after the first record


@pytest.mark.parametrize(
    "name,expected",
    [("Han Shanshan", "Han, S"), ("Crowther Caroline A", "Crowther, CA"), ("Lee Siew Hwa", "Lee, SH"),
     ("van de Wetering Marianne D", "van de Wetering, MD"), ("Amorim Adegboye Amanda R", "Amorim Adegboye, AR"),
     ("Pineda de la Losa Fernando", "Pineda de la Losa, F"), ("Magalhães Pedro V S", "Magalhães, PVS"),
     ("Del Mar Chris", "Del Mar, C"), ("Smith J", "Smith, J")],
)
def test_cochrane_family_name_first_authors(name, expected):
    assert cochrane_txt._author(name) == expected


def test_cochrane_bibtex_and_ris_preambles_are_not_cochrane_text():
    assert cochrane_txt.sniff("Record #1 of 56\n@article{CD1,\n title={x}}\n") == 0.0
    assert cochrane_txt.sniff("Record #1 of 2\nProvider: Wiley\nContent: text/plain\n\nTY  -  JOUR\n") == 0.0
    assert cochrane_txt.sniff("Record #1 of 2\nID: CD000001\nAU: Han Shanshan\n") == 0.95


# ---- Embase.com plain text --------------------------------------------------------------

def test_embase_text_every_normalised_field(data_dir):
    res = _read(data_dir, "embase_sample.txt", "embase_txt")
    assert len(res.records) == 2 and not res.warnings
    rec = res.records[0]
    assert rec.normalised() == expect(**{
        "title": "Barriers to invented care for adolescents and young adults with cancer in Central "
        "America, Mexico, the Caribbean, and Peru",
        "abstract": "BACKGROUND: Little is known about the barriers to care for adolescents and young "
        "adults with cancer. METHODS: We enrolled invented physicians from nine countries.",
        "authors": ["Alvarez, EM", "Mentis, AFA", "Gómez García, W", "Quintero Delgado, K", "Gassant, PYH"],
        "year": 2026,
        "journal": "Invented Blood and Cancer",
        "volume": "73",
        "issue": "2",
        "pages": "e32158",  # "Article Number: e32158" in SOURCE
        "doi": "10.1000/ibc.2026.32158",
        "pmid": "41000001",
        "accession": "L650000001",
        "issn": ["1545-5009", "1545-5017"],
        "keywords": ["adolescent and young adult", "barriers", "Latin America"],
        "mesh": ["cisplatin (drug therapy)", "malignant neoplasm", "adolescent", "human"],
        "language": "English; Spanish",
        "pub_types": ["Article"],
        "url": "https://www.embase.com/search/results?subaction=viewrecord&id=L650000001&from=export",
        "database": "Embase",
    })
    # a value line ending without a space is a real line break; wrapped lines are joined
    assert rec.raw["CAS REGISTRY NUMBERS"] == [
        "methotrexate (15475-56-6, 59-05-2, 7413-34-5, 7532-09-4, 6745-93-3, 51865-79-3, 60388-53-6)\n"
        "thiotepa (52-24-4)"]


def test_embase_text_capital_wrapped_line_is_not_a_heading(data_dir):
    rec = _read(data_dir, "embase_sample.txt", "embase_txt").records[1]
    assert rec.title == ("A SECOND INVENTED TITLE WHOSE WRAPPED LINE IS IN CAPITALS AND LOOKS LIKE A "
                         "HEADING LINE")
    assert (rec.pages, rec.year, rec.source.line) == ("1-10", 2025, 61)


# ---- Ovid tagged (Citavi / EndNote) -------------------------------------------------------

def test_ovid_embase_every_normalised_field(data_dir):
    res = _read(data_dir, "ovid_sample.ovd", "ovid")
    rec = res.records[0]
    assert rec.normalised() == expect(**{
        "title": "Quality of life in invented primary ciliary dyskinesia: A systematic review.",
        "abstract": "Background: Little is known on how PCD affects daily functioning. Method(s): We "
        "searched MEDLINE. Result(s): We found 260 invented studies.",
        "authors": ["Behan, L", "Lucas, JS"],
        "year": 2018,
        "journal": "BMC Invented Proceedings",
        "volume": "12",
        "issue": "Supplement 3",
        "doi": "10.1000/s12919-018-0099-8",
        "accession": "621000001",
        "issn": ["1753-6561"],
        "mesh": ["adult", "Kartagener syndrome", "quality of life"],
        "language": "English",
        "pub_types": ["Conference Abstract"],
        "database": "Embase",
    })
    assert rec.raw["IN"] == ["(Behan, Lucas) Invented Research Centre, Southampton, United Kingdom\n"
                             "(Behan) School of Applied Psychology, Cork, Ireland"]


def test_ovid_medline_source_line(data_dir):
    rec = _read(data_dir, "ovid_sample.ovd", "ovid").records[1]
    assert (rec.journal, rec.volume, rec.issue, rec.pages, rec.year) == ("Journal of Invented Studies", "45", "3", "100-110", 2019)
    assert (rec.pmid, rec.accession, rec.database, rec.authors) == ("30000003", "", "MEDLINE", ["Smith, JA"])
    assert rec.source.line == 24


# ---- ProQuest report -------------------------------------------------------------------------

def test_proquest_dissertation_every_normalised_field(data_dir):
    res = _read(data_dir, "proquest_sample.txt", "proquest_txt")
    assert len(res.records) == 2 and not res.warnings  # the Bibliography section is not read
    rec = res.records[0]
    assert rec.normalised() == expect(**{
        "title": "Entrenchment and an invented paradox",
        "abstract": "First paragraph of an invented abstract. Background: a second paragraph that "
        "starts like a label.",
        "authors": ["Dorst, C"],
        "year": 2014,
        "accession": "1000000001",
        "keywords": ["Philosophy", "Entrenchment", "Goodman", "Philosophy of Science"],
        "language": "English",
        "pub_types": ["Dissertation/Thesis"],
        "url": "http://search.proquest.com/docview/1000000001?accountid=1",
        "database": "ProQuest Dissertations & Theses Global",
    })
    assert rec.raw["Links"] == ["http://sfx.example.org/one\nhttp://sfx.example.org/two"]
    assert rec.raw["Advisor"] == ["Lange, Marc"]


def test_proquest_article(data_dir):
    rec = _read(data_dir, "proquest_sample.txt", "proquest_txt").records[1]
    assert rec.authors == ["Smith, J", "Doe, J"]
    assert (rec.journal, rec.volume, rec.issue, rec.pages, rec.year) == ("Journal of Invented Studies", "12", "3", "100-110", 2020)
    assert (rec.doi, rec.issn, rec.url) == ("10.1000/jis.2020.1", ["1234-5678"], "https://search.proquest.com/docview/1000000002")


@pytest.mark.parametrize("mod", [cochrane_txt, embase_txt, ovid, proquest_txt])
def test_wrong_content_is_an_input_error(mod):
    with pytest.raises(InputError) as err:
        mod.parse("nothing to see here\n", ParseContext("f.txt"))
    assert "f.txt, line 1" in str(err.value)


@pytest.mark.parametrize(
    "head",
    ["TY  - JOUR\nER  - \n", "PMID- 1\nTI  - x\n", "FN Clarivate Analytics Web of Science\nVR 1.0\n",
     "@article{a,\n title={b}}\n", "Title,Authors,Year\nx,y,2000\n", '<?xml version="1.0"?><xml><records>'],
)
def test_sniffers_say_zero_to_other_formats(head):
    assert [m.sniff(head) for m in (cochrane_txt, embase_txt, ovid, proquest_txt)] == [0.0] * 4


# ---- the real exports (skipped without ../shared) ----------------------------------------

def _real(shared_dir, folder, name):
    return read_file(shared_dir / "corpus" / "exports" / folder / name)


def test_real_cochrane_text_last(shared_dir):
    res = _real(shared_dir, "cochrane_txt", "cochrane-application_CDSR_citation-export_BOM_CRonly.txt")
    last = res.records[-1]
    assert last.title == ("Therapeutic exercises for affecting post-treatment swallowing in people treated "
                          "for advanced-stage head and neck cancers")
    assert (last.accession, last.year, last.doi) == ("CD011112", 2016, "10.1002/14651858.cd011112.pub2")
    assert last.authors == ["Perry, A", "Lee, SH", "Cotton, S", "Kennedy, C"]
    assert not res.warnings


def test_real_embase_text_agrees_with_the_embase_ris_of_the_same_search(shared_dir):
    # The corpus holds the same 231 Embase.com records as text and as RIS.
    text = _real(shared_dir, "embase_txt", "Bibliometrico_Hospitales_embase_com_plaintext.txt").records
    ris = _real(shared_dir, "embase_ris", "Bibliometrico_Hospitales_embase_2026.ris").records
    assert [r.accession for r in text] == [r.accession for r in ris]
    for field in ("title", "authors", "year", "journal", "volume", "issue", "doi", "pmid", "issn", "pub_types"):
        assert [getattr(r, field) for r in text] == [getattr(r, field) for r in ris], field
    last = text[-1]
    assert last.title.startswith("Primary sclerosing cholangitis associated with Sjögren's syndrome")
    assert (last.year, last.accession, last.pmid) == (1989, "L21879683", "2519235")


def test_real_ovid_citavi_and_endnote_styles_agree(shared_dir):
    a = _real(shared_dir, "embase_ovid", "commandline4expertsearchers_Embase_Ovid_citavi_r3001-3002.ovd").records
    b = _real(shared_dir, "embase_ovid", "commandline4expertsearchers_Embase_Ovid_endnote_r3001-3002.cgi").records
    assert [r.normalised() for r in a] == [r.normalised() for r in b]
    assert [r.accession for r in a] == ["621381829", "621381823"]
    assert (a[0].journal, a[0].volume, a[0].issue, a[0].year) == ("BMC Proceedings", "12", "Supplement 3", 2018)


def test_real_proquest_last(shared_dir):
    res = _real(shared_dir, "proquest_txt", "metaknowledge_ProQuest_TestFile_CRLF.txt")
    last = res.records[-1]
    assert (last.title, last.authors, last.year, last.accession) == (
        "Anthrobiota: Human-microbe relationships on the edge of biological science", ["Benezra, A"], 2014, "1501476590")
    assert not res.warnings
