"""RIS importer: hand-written fixtures for each dialect's quirks, and the real exports.

Expected values come from reading the fixtures (tests/data/importers/tagged/
ris_*.ris) and the real files by eye, not from this code.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.errors import InputError
from review.importers import ParseContext, read_file, ris
from review.records import clean_text, normalise_author

TAGGED = "importers/tagged"


def _read(data_dir, name):
    res = read_file(data_dir / TAGGED / name)
    assert res.format == "ris"
    return res


def test_scopus_record_every_normalised_field(data_dir):
    rec = _read(data_dir, "ris_scopus_wos.ris").records[0]
    assert rec.normalised() == {
        "title": "Iron rim lesions in multiple sclerosis: a susceptibility-weighted imaging study",
        "abstract": "Paramagnetic rim lesions mark chronic active inflammation. © 2023 Invented Publisher",
        "authors": ["Abernathy, JQ", "van der Berg, A"],
        "year": 2023,
        "journal": "Invented Journal of Neurology",
        "journal_abbrev": "Invent. J. Neurol.",
        "volume": "12",
        "issue": "3",
        "pages": "104512",  # no SP: the C7 article number
        "doi": "10.1000/ims.2023.0001",
        "pmid": "",
        "pmcid": "",
        "eid": "2-s2.0-85000000001",  # from the scopus.com link
        "wos_ut": "",
        "accession": "",
        "issn": ["1234-5678"],  # "12345678 (ISSN)"
        "keywords": ["iron rim", "multiple sclerosis"],  # the repeated KW once
        "mesh": [],
        "language": "English",
        "pub_types": ["Article"],
        "url": "https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000001&doi=10.1000%2fims.2023.0001&partnerID=40",
        "database": "Scopus",
    }
    assert rec.raw["N1"] == ["Export Date: 7 December 2022"]
    assert rec.id == "doi:10.1000/ims.2023.0001"


def test_wos_ris_nonstandard_tags_and_continuations(data_dir):
    res = _read(data_dir, "ris_scopus_wos.ris")
    rec = res.records[1]
    assert rec.wos_ut == "000123456700002" and rec.database == "Web of Science"
    assert rec.authors == ["Brown, J", "Smith, JA"]
    assert rec.abstract == ("First half of the abstract, which goes on over a continuation line "
                            "indented by three spaces.")
    assert rec.journal == "INVENTED JOURNAL OF NEUROLOGY" and rec.journal_abbrev == "Invent. J. Neurol."
    assert rec.issn == ["1234-5678", "8765-432X"] and rec.pages == "55-61" and rec.year == 2021
    assert rec.raw["J9"] == ["INVENT J NEUROL"] and rec.raw["PU"] == ["INVENTED PUBLISHER"]
    # an untagged line belongs to the tag above it
    assert rec.raw["N1"] == ["Times Cited in Web of Science Core Collection:  3\nTotal Times Cited:  3"]
    # the last "ER  -" has no trailing space
    assert len(res.records) == 2 and not res.warnings


def test_embase_record(data_dir):
    rec = _read(data_dir, "ris_embase_ebsco.ris").records[0]
    assert rec.normalised() == {
        "title": "Duplication cysts: an invented review",
        "abstract": "An invented abstract about cysts.",
        "authors": ["Liu, R", "Adler, DG"],
        "year": 2020,
        "journal": "Invented Journal of Endoscopy",
        "journal_abbrev": "Invent J Endosc",
        "volume": "3",
        "issue": "3",
        "pages": "152-160",
        "doi": "10.1000/ije.2020.7",
        "pmid": "31000001",  # C5
        "pmcid": "",
        "eid": "",
        "wos_ut": "",
        "accession": "L2000000001",  # U2, the Embase PUI
        "issn": ["2226-7190"],
        "keywords": [],
        "mesh": ["endoscopic ultrasonography", "human"],  # Embase.com's KW are Emtree terms
        "language": "English",
        "pub_types": ["Article"],
        "url": "https://www.embase.com/search/results?subaction=viewrecord&id=L2000000001&from=export",
        "database": "Embase",  # DB "Medline" on an Embase.com record
    }


def test_ebsco_keeps_the_real_abstract_not_the_copyright_notice(data_dir):
    rec = _read(data_dir, "ris_embase_ebsco.ris").records[1]
    assert rec.abstract == "The real abstract of this invented record."
    assert len(rec.raw["AB"]) == 2
    assert rec.database == "PsycInfo"  # DB psyh
    assert rec.year == 2021 and rec.accession == "2021-00000-001"
    assert rec.journal == "Addiction Research & Theory" and rec.journal_abbrev == ""
    assert rec.keywords == ["SELF-management (Psychology)"]
    assert rec.issn == ["1606-6359"]


def test_ovid_numbered_records_doi_urls_and_nl_after_er(data_dir):
    res = _read(data_dir, "ris_ovid_numbered.ris")
    assert len(res.records) == 2 and not res.warnings
    first, second = res.records
    assert first.normalised() == {
        "title": "The influence of invented self-criticism on depression.",
        "abstract": "An invented abstract.",
        "authors": ["Trindade, IA", "Taylor, P"],
        "year": 2019,
        "journal": "Clinical Psychology & Psychotherapy",
        "journal_abbrev": "Clin Psychol Psychother",  # the NL line after ER
        "volume": "",
        "issue": "",
        "pages": "",  # SP "No" / EP "Specified"
        "doi": "10.1000/cpp.2398",  # DO as a dx.doi.org link, then again plain
        "pmid": "",
        "pmcid": "",
        "eid": "",
        "wos_ut": "",
        "accession": "2019-00000-001",
        "issn": ["1063-3995"],
        "keywords": ["Self-Criticism"],  # the empty KW dropped, Ovid's "*" too
        "mesh": [],
        "language": "",
        "pub_types": [],  # M3 here is a PsycInfo classification code
        "url": "",
        "database": "PsycInfo",  # the link's D=psyc16
    }
    assert first.raw["NL"] == ["Clin Psychol Psychother"]
    assert second.source.line == 26 and second.source.position == 2
    assert second.pmid == "39000009" and second.database == "MEDLINE"
    assert second.mesh == ["Wildfires", "Humans"] and second.keywords == []


def test_cochrane_preamble_and_wide_separator(data_dir):
    res = _read(data_dir, "ris_cochrane_preamble.ris")
    assert len(res.records) == 2
    rec = res.records[0]
    assert rec.normalised() == {
        "title": "Virological analysis of an invented trial cohort",
        "abstract": "An invented abstract.",
        "authors": ["Suzuki, M", "Imai, T"],
        "year": 2021,
        "journal": "Journal of invented chemotherapy",  # JA
        "journal_abbrev": "",
        "volume": "27",
        "issue": "9",
        "pages": "1350-1356",  # U+2010 hyphen in the file
        "doi": "",
        "pmid": "34000001",  # C3 "PUBMED 34000001,EMBASE ..."
        "pmcid": "",
        "eid": "",
        "wos_ut": "",
        "accession": "CN-02000001",
        "issn": [],
        "keywords": [],
        "mesh": ["Antiviral Agents [therapeutic use]", "Humans"],
        "language": "",
        "pub_types": ["Journal article", "Clinical trial protocol"],
        "url": "https://www.cochranelibrary.com/central/doi/10.1002/central/CN-02000001/full",
        "database": "Cochrane CENTRAL",
    }
    assert rec.raw["TY"] == ["JOUR"] and res.records[1].source.line == 27


def test_dimensions_lens_rayyan_endnote_and_a_truncated_record(data_dir):
    res = _read(data_dir, "ris_dimensions_lens_rayyan.ris")
    dim, lens, rayyan, endnote, cut = res.records
    assert dim.source.line == 2  # leading blank line
    assert (dim.pmid, dim.pmcid, dim.accession, dim.database) == ("35000001", "PMC9000001", "pub.1100000001", "Dimensions")
    assert dim.abstract == "Background: The first paragraph. Objective: The second paragraph, on an untagged line."
    assert dim.journal == "European Journal of Invented Psychotraumatology" and dim.pages == "2087980"
    assert lens.abstract == "Background and aims: invented JATS markup & an entity."
    assert (lens.accession, lens.database, lens.doi) == ("001-257-578-706-377", "Lens", "10.31234/osf.io/zzzzz")
    assert rayyan.keywords == ["Health Facility Administration", "Joint Commission", "Medication Errors"]
    assert (rayyan.accession, rayyan.database, rayyan.pages) == ("rayyan-264552525", "", "1-5")
    assert (endnote.pmid, endnote.accession, endnote.database) == ("21000001", "", "PubMed")
    assert endnote.pages == "349-369" and endnote.language == "English" and endnote.journal == "Clin Pharmacokinet"
    assert cut.title == "A record cut short without its end line" and cut.authors == ["Last, A"]
    assert len(res.warnings) == 1 and "no 'ER  -' line" in res.warnings[0].message
    assert res.warnings[0].line == 56


def test_record_without_ty_is_read_with_a_warning():
    text = "TY  - JOUR\nTI  - One\nER  - \n\nTI  - Two\nAU  - Doe, J\nER  - \n"
    ctx = ParseContext("x.ris")
    recs = ris.parse(text, ctx)
    assert [r.title for r in recs] == ["One", "Two"]
    assert recs[1].source.line == 5 and ctx.warnings and ctx.warnings[0].line == 5


def test_missing_er_between_records():
    text = "TY  - JOUR\nTI  - One\nTY  - JOUR\nTI  - Two\nER  - \n"
    ctx = ParseContext("x.ris")
    assert [r.title for r in ris.parse(text, ctx)] == ["One", "Two"]
    assert len(ctx.warnings) == 1 and ctx.warnings[0].line == 1


def test_not_ris_is_an_input_error():
    with pytest.raises(InputError) as err:
        ris.parse("just some words\n", ParseContext("x.ris"))
    assert "line 1" in str(err.value)


def test_scopus_placeholder_is_no_abstract():
    (rec,) = ris.parse("TY  - JOUR\nTI  - T\nAB  - [No abstract available]\nDB  - Scopus\nER  - \n", ParseContext("x"))
    assert rec.abstract == "" and rec.raw["AB"] == ["[No abstract available]"]


def test_explicit_empty_db_means_no_database():
    text = "TY  - JOUR\nTI  - T\nUR  - https://www.scopus.com/x?eid=2-s2.0-1\nDB  - \nER  - \n"
    (rec,) = ris.parse(text, ParseContext("x"))
    assert rec.database == "" and rec.eid == "2-s2.0-1"


@pytest.mark.parametrize(
    "value,name",
    [("psyh", "PsycInfo"), ("Ovid MEDLINE(R) <2022>", "MEDLINE"), ("Embase", "Embase"),
     ("Academic Search Premier", "Academic Search Premier"), ("i3h", "Criminal Justice Abstracts"),
     ("Scopus", "Scopus"), ("PTSDpubs", "PTSDpubs")],
)
def test_canonical_database(value, name):
    assert ris.canonical_database(value) == name


@pytest.mark.parametrize(
    "value",
    ["", "plain words", "  lead and trail  ", "double  space", "tab\there", "line\nbreak", "nb\xa0space",
     "p < 0.05 & q", "<p>para</p>", "x &amp; y", "a&b", "R&D", "<jats:italic>x</jats:italic>", "\u2003em",
     "é à\u2028x", "x\x1cy", "</ not a tag"],
)
def test_fast_text_is_clean_text(value):
    assert ris.fast_text(value) == clean_text(value)


@pytest.mark.parametrize(
    "head,score",
    [("TY  - JOUR\nAU  - x\nER  - \n", 0.9), ("Record #1 of 2\nProvider: x\n\nTY  -  JOUR\nAN  -  CN-1\nER  -  \n", 0.9),
     ("PMID- 1\nTI  - x\n", 0.0), ("FN Clarivate Analytics Web of Science\nVR 1.0\n", 0.0),
     ("<1. >\nVN  - Ovid Technologies\nDB  - Embase\n", 0.0), ("@article{x,\n title={y}}\n", 0.0)],
)
def test_sniff(head, score):
    assert ris.sniff(head) == score


# ---- the real exports (skipped without ../shared) ----------------------------------

def _real(shared_dir, folder, name):
    return read_file(shared_dir / "corpus" / "exports" / folder / name).records


def test_real_scopus_first_and_last(shared_dir):
    recs = _real(shared_dir, "scopus_ris", "citesource_gambling_scopus_255.ris")
    assert recs[0].title.startswith("How gambling problems relate to health and wellbeing in Australian households")
    assert (recs[0].doi, recs[0].year, recs[0].database) == ("10.1016/j.addbeh.2022.107538", 2023, "Scopus")
    assert recs[-1].title == ("Harm Reduction for the Prevention of Youth Gambling Problems: Lessons Learned "
                              "from Adolescent High-Risk Behavior Prevention Programs")
    assert (recs[-1].doi, recs[-1].year, recs[-1].eid) == ("10.1177/0743558403258272", 2004, "2-s2.0-1142290627")


def test_real_wos_ris_last(shared_dir):
    recs = _real(shared_dir, "wos_ris", "asysd_wos_test_BOM.ris")
    last = recs[-1]
    assert last.title == "Gallbladder mucocele in a 12-year-old cocker spaniel"
    assert (last.year, last.wos_ut, last.database) == (2011, "000287992700018", "Web of Science")


def test_real_embase_first_and_last(shared_dir):
    recs = _real(shared_dir, "embase_ris", "Bibliometrico_Hospitales_embase_2026.ris")
    first, last = recs[0], recs[-1]
    assert first.title.startswith("Salivary and urinary microRNAs as non-invasive biomarkers")
    assert (first.doi, first.year, first.accession, first.pmid) == ("10.17305/bb.2026.13119", 2026, "L650317760", "41712675")
    assert last.title.startswith("Primary sclerosing cholangitis associated with Sjögren's syndrome")
    assert (last.year, last.accession, last.pmid, last.database) == (1989, "L21879683", "2519235", "Embase")


def test_real_cochrane_last(shared_dir):
    recs = _real(shared_dir, "cochrane_ris", "FavipiravirMetaAnalysis_Cochrane_CENTRAL_record_preamble_CRLF.ris")
    last = recs[-1]
    assert last.title.startswith("A Randomized Controlled Trial to Investigate The Role of Adjuvant Inhalable Sodium Bicarbonate")
    assert (last.accession, last.year, last.database) == ("CN-02307702", 2021, "Cochrane CENTRAL")


def test_real_ovid_multidb_last(shared_dir):
    recs = _real(shared_dir, "ris_other", "ASySD-benchmark_Ovid_multidb_3001_to_3130_numbered.ris")
    last = recs[-1]
    assert (last.accession, last.title, last.year) == ("1960-06079-001", "Recent progress in psychiatric chemotherapy.", 1959)
    assert last.database == "PsycInfo"


def test_real_zotero_dimensions_lens_last(shared_dir):
    z = _real(shared_dir, "ris_other", "asysd_zotero_export_CRLF.ris")[-1]
    assert (z.title, z.year, z.doi, z.wos_ut) == (
        "Radiographic diagnosis-paraspinal abscess in a dog", 2005, "10.1111/j.1740-8261.2005.00004.x", "000226436800004")
    d = _real(shared_dir, "dimensions_ris", "citesource_Dimensions_246_leading_blank.ris")[-1]
    assert d.title.startswith("International Entrepreneurship and the Impacts of Catastrophes on the Tourism Sector")
    assert (d.accession, d.year, d.doi, d.database) == ("pub.1144836952", 2021, "10.18226/21789061.v13i4p09", "Dimensions")
    lens = _real(shared_dir, "lens_ris", "citesource_gambling_lens_49_BOM_CRLF.ris")
    assert (lens[-1].title, lens[-1].year, lens[-1].doi) == ("Social Costs of Gambling Harm in Italy", 2022, "10.29173/cgs50")
    # JATS/HTML and PubMed's <AbstractText Label=...> markup removed ("scoring <5" is text)
    assert not any(re.search(r"<[A-Za-z/]", r.abstract) for r in lens)
    assert lens[19].abstract.startswith("Background and aims: Legacy gambling harms are negative consequences")


_PIECES = list("ab Z.,-é<>&;#/p\t\n\r\x0b\x0c\x1c\xa0\u2003\u2028") + ["<p>", "&amp;", "</i>", "&#39;", "  "]


@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
@settings(max_examples=400, deadline=None)
def test_fast_text_is_clean_text_on_random_text(value):
    assert ris.fast_text(value) == clean_text(value)
    long = value * 30  # the long-ASCII branch
    assert ris.fast_text(long) == clean_text(long)


@pytest.mark.parametrize(
    "name",
    ["Larsen, LJ", "van der Maas, M", "O'Brien, JR", "SMITH, JA", "Smith, J.A.", "Smith, John A.", "Smith,  JA",
     "Smith , JA", "Lee, ABCD", "Müller, K", "Smith, JA, Jr", "Nguyen, T (1234)", " Doe, J", "G. Kalbe", "Madonna"],
)
def test_author_shortcut_agrees_with_normalise_author(name):
    assert ris._author(name) == normalise_author(name)


def test_group_author_without_comma_is_kept():
    assert ris._author("Writing Committee for the Invented Trial") == "Writing Committee for the Invented Trial"


def test_gc_is_paused_only_while_parsing():
    import gc

    assert gc.isenabled()
    with ris.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with ris.gc_paused():
            pass
        assert not gc.isenabled()  # a caller's choice is left as it was
    finally:
        gc.enable()
