"""CSV/TSV exports: every layout and quirk, from small invented fixtures and the real corpus.

Fixture values are read off the fixture files by hand (tests/data/importers/tabular);
the normalised forms follow records.py's rules (authors "Family, Initials", DOI
lower-case without resolver, pages "first-last" written in full).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from review.errors import InputError
from review.importers import read_file, read_text, tabular
from tests.importers.helpers import expect

FIX = Path(__file__).resolve().parents[1] / "data" / "importers" / "tabular"


def load(name: str):
    return read_file(FIX / name)


# ---- PubMed ----------------------------------------------------------------------


def test_pubmed_2020_bom_mixed_line_ends():
    result = load("pubmed_2020_bom_mixed_eol.csv")
    assert result.encoding == "utf-8-sig"
    first, second = result.records
    assert first.normalised() == expect(
        title="Iron rim lesions and disability in relapsing multiple sclerosis: a cohort study",
        authors=["Okafor, AB", "Lindqvist-Hale, M", "de la Cruz, P", "Tanaka, H"],
        year=2021,
        journal="Mult Scler J Invent",
        journal_abbrev="Mult Scler J Invent",
        volume="27",
        issue="3",
        pages="401-409",  # "401-9" in the citation, last page written in full
        doi="10.5555/msji.2021.0401",
        pmid="31000001",
        pmcid="PMC7000001",
        database="PubMed",
    )
    assert first.id == "pmid:31000001"
    assert (first.source.line, first.source.position, first.source.format) == (2, 1, "pubmed_csv")
    assert first.raw["Create Date"] == ["2021/03/05"]
    # Online ahead of print: "2022 Jan 12:nrx014." has no volume; the elocation is not a page.
    assert (second.volume, second.issue, second.pages) == ("", "", "")
    assert second.doi == "10.5555/nri.nrx014" and second.pmcid == "" and second.source.line == 3


def test_pubmed_legacy_trailing_comma():
    result = load("pubmed_legacy_trailing_comma.csv")
    assert not result.warnings  # the trailing comma is a known quirk, not a problem
    first, second = result.records
    assert first.normalised() == expect(
        title="Chronic active lesions in multiple sclerosis: a systematic review.",
        authors=["Fenwick, R", "Amadi, CO", "Sato, Y"],
        year=2019,
        journal="Neurol Invent",
        journal_abbrev="Neurol Invent",
        volume="93",
        issue="1",
        pages="12-20",
        doi="10.5555/neurinv.2019.012",
        pmid="30999901",
        url="https://www.ncbi.nlm.nih.gov/pubmed/30999901",
        database="PubMed",
    )
    assert second.pmid == "30999902" and second.journal == "J Imaging Invent" and second.volume == ""
    assert "" not in first.raw and "_extra" not in first.raw


@pytest.mark.parametrize(
    "citation,journal,want",
    [
        ("Lancet. 2020 Mar 13;395(10227):e1-e2. doi: 10.1016/x.", "Lancet", ("395", "10227", "e1-e2")),
        ("J Affect Disord. 2019 Jul 4;257:214-240. doi: 10.1/x.", "J Affect Disord", ("257", "", "214-240")),
        ("Diagnostics (Basel). 2020 Mar 18;10(3):E165.", "Diagnostics (Basel)", ("10", "3", "E165")),
        ("Drug Dev Res. 2020 Mar 4. doi: 10.1002/ddr.21656.", "Drug Dev Res", (None, None, None)),
    ],
)
def test_pubmed_citation_parts(citation, journal, want):
    from review.importers.tabular_layouts import parse_citation

    got = parse_citation(citation, journal)
    assert (got.get("volume"), got.get("issue"), got.get("pages")) == want


# ---- Scopus ----------------------------------------------------------------------------


def test_scopus_ragged_row_is_realigned():
    result = load("scopus_old_header_ragged_bom.csv")
    first, second = result.records
    assert first.normalised() == expect(
        title="Iron rim lesions and disability in relapsing multiple sclerosis",
        abstract="Background: rims matter. Methods: we looked.",  # embedded newline, white space collapsed
        authors=["Okafor, AB", "Lindqvist-Hale, M", "de la Cruz, P"],
        year=2021,
        journal="Multiple Sclerosis Journal (Invented)",
        journal_abbrev="Mult. Scler. J. Invent.",
        volume="27",
        issue="3",
        pages="401-409",
        doi="10.5555/msji.2021.0401",
        pmid="31000001",
        eid="2-s2.0-85000000001",
        issn=["1352-4585"],
        keywords=["iron rim", "susceptibility-weighted imaging", "Humans", "Multiple Sclerosis"],
        language="English",
        pub_types=["Article"],
        url="https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000001&doi=10.5555%2fMSJI.2021.0401&partnerID=40",
        database="Scopus",
    )
    # Row 2 has 31 cells for 30 columns: a second funding text. Without realignment
    # 'Scopus' would land under EID and the EID nowhere.
    assert second.source.line == 4
    assert second.eid == "2-s2.0-85000000002"
    assert second.raw["Source"] == ["Scopus"]
    assert second.raw["Funding Text 1"] == ["Supported by Fund One."]
    assert second.raw["Funding Text 2"] == ["Supported by Fund Two."]
    assert second.issn == ["2666-3364"] and second.pmid == "" and second.language == "English"
    assert second.pages == "100014"  # no page range: the article number
    assert [w.line for w in result.warnings] == [4]
    assert "realigned" in result.warnings[0].message


def test_scopus_2018_author_ids_layout():
    (rec,) = load("scopus_2018_author_ids.csv").records
    assert rec.normalised() == expect(
        title="Chronic active lesions: a review",
        abstract="Review of chronic active lesions.",
        authors=["Fenwick, R", "Amadi, CO"],
        year=2019,
        journal="Neurology Invented",
        volume="93",
        issue="1",
        pages="20",  # Art. No. " 20" with its leading space
        doi="10.5555/neurinv.2019.012",
        eid="2-s2.0-85000000003",
        keywords=["chronic active lesion", "MRI"],
        pub_types=["Review"],
        url="https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000003&partnerID=40",
        database="Scopus",
    )


def test_scopus_2023_quoted_header_full_names():
    rec, single = load("scopus_2023_quoted_header.csv").records
    assert rec.authors == ["Siu, KC", "van der Berg, A"]  # from 'Author full names', ids dropped
    assert rec.journal == "Brain Imaging (Invented)" and rec.journal_abbrev == "Brain Imaging Invent."
    assert (rec.volume, rec.issue, rec.pages, rec.year) == ("12", "4", "210-219", 2023)
    assert rec.issn == ["2045-2322"] and rec.language == "English; German"
    assert rec.raw["Author full names"] == ["Siu, Ka-Chun (57100000001); van der Berg, Anna (57100000002)"]
    # One author: "Kowalczyk, Jan (57100000003)" has a comma but is not two names.
    assert single.authors == ["Kowalczyk, J"]
    assert single.pages == "e0394" and single.id == "eid:2-s2.0-85000000005" and single.pub_types == ["Letter"]


# ---- Web of Science ------------------------------------------------------------------


def test_wos_utf16_bom_trailing_tab():
    result = load("wos_classic_utf16_bom_trailing_tab.txt")
    assert result.encoding == "utf-16" and not result.warnings
    first, second = result.records
    assert first.normalised() == expect(
        title="Iron rim lesions and disability in relapsing multiple sclerosis",
        abstract='Background: rims matter. "Quoted" words stay.',
        authors=["Okafor, AB", "Lindqvist-Hale, M"],
        year=2021,
        journal="MULTIPLE SCLEROSIS JOURNAL INVENTED",
        journal_abbrev="Mult. Scler. J. Invent.",
        volume="27",
        issue="3",
        pages="401-409",
        doi="10.5555/msji.2021.0401",
        pmid="31000001",
        wos_ut="000600000000001",
        issn=["1352-4585", "1477-0970"],
        keywords=["iron rim", "susceptibility-weighted imaging", "MRI", "PROGRESSION"],
        language="English",
        pub_types=["Article"],
        database="Web of Science",
    )
    assert first.raw["J9"] == ["MULT SCLER J INV"] and first.raw["UT"] == ["WOS:000600000000001"]
    assert second.pages == "100014" and second.wos_ut == "000600000000002"  # AR when there is no BP


def test_wos_new_order_cr_only_and_leading_quote():
    (rec,) = load("wos_new_order_cr_only.txt").records
    # Tab-delimited WoS has no quoting: a title that starts with '"' stays as it is.
    assert rec.title == '"Rim" lesions: a quoted-title study'
    assert rec.authors == ["Tanaka, H", "de la Cruz, P"]
    assert (rec.year, rec.volume, rec.issue, rec.pages) == (2023, "12", "4", "210-219")
    assert rec.wos_ut == "001000000000003" and rec.issn == ["2045-2322"] and rec.database == "Web of Science"


def test_wos_platform_medline():
    (rec,) = load("wos_platform_medline_cr.txt").records
    assert rec.normalised() == expect(
        title="Iron rim lesions and disability.",
        abstract="Rims matter.",
        authors=["Okafor, AB", "Lindqvist-Hale, M"],
        year=2021,
        journal="Multiple sclerosis journal (invented)",
        volume="27",
        issue="3",
        pages="401-409",  # PS "401-9"
        doi="10.5555/msji.2021.0401",
        pmid="31000001",  # AN, which is the PMID on the MEDLINE side of WoS
        issn=["1352-4585"],
        keywords=["iron rim", "QSM"],
        mesh=["Humans", "*Iron / metabolism; analysis", "Multiple Sclerosis / *diagnostic imaging"],
        language="English",
        pub_types=["Journal Article", "Review"],
        database="MEDLINE",
    )


def test_wos_platform_zoological_record():
    (rec,) = load("wos_platform_zoorec.txt").records
    assert rec.database == "Zoological Record"
    assert rec.accession == "ZOOR00000000001" and rec.wos_ut == ""
    assert rec.keywords == ["Picoides arcticus", "Habitat colonization", "Fire", "Wildfire"]
    assert (rec.pages, rec.issue, rec.year) == ("3-26", "1-2", 2018)
    assert rec.authors == ["Moss, KJ", "Ito, R"]


# ---- Embase, IEEE, Springer, Zotero ------------------------------------------------------


def test_embase_source_cell_and_openurl():
    (rec,) = load("embase_embedded_newline.csv").records
    assert rec.normalised() == expect(
        title="Iron rim lesions and disability in relapsing multiple sclerosis",
        abstract="Background: rims matter. Methods: we looked.",
        authors=["Okafor, AB", "Lindqvist-Hale, M"],
        year=2021,
        journal="Multiple Sclerosis Journal Invented",
        journal_abbrev="Mult. Scler. J. Invent.",  # OpenURL stitle
        volume="27",
        issue="3",
        pages="401-409",
        doi="10.5555/msji.2021.0401",  # OpenURL id=doi:10.5555%2F...
        issn=["1352-4585"],
        # Emtree terms split on commas outside parentheses; the 'keywords' column repeats them.
        mesh=[
            "iron (endogenous compound)",
            "multiple sclerosis (diagnosis, drug therapy)",
            "human",
            "magnetic resonance imaging",
        ],
        database="Embase",
    )


def test_ieee():
    (rec,) = load("ieee.csv").records
    assert rec.normalised() == expect(
        title="Automated rim lesion detection with deep learning",
        abstract="A network finds rims.",
        authors=["Nominé, JP", "McIntosh-Smith, S"],
        year=2023,
        journal="IEEE Transactions on Invented Imaging",
        volume="42",
        issue="7",
        pages="1101-1112",
        doi="10.5555/tii.2023.1101",
        issn=["0278-0062"],
        keywords=[
            "rim lesions", "deep learning", "Magnetic resonance imaging", "Lesions", "biomedical MRI", "neural nets",
        ],
        mesh=["Humans", "Multiple Sclerosis"],
        pub_types=["IEEE Journals"],
        url="https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber=1000001",
        database="IEEE Xplore",
    )


def test_springer_glued_authors():
    (rec,) = load("springer.csv").records
    assert rec.normalised() == expect(
        title="Imaging chronic inflammation",
        # "Prof. Dr. Anna van der BergMaja McDonaldKa-Chun Siu": titles dropped, "McDonald" not cut.
        authors=["van der Berg, A", "McDonald, M", "Siu, KC"],
        year=2020,
        journal="Neuroimaging Methods (Invented)",
        doi="10.5555/978-3-000-00000-0_7",
        pub_types=["Chapter"],
        url="http://link.springer.com/chapter/10.5555/978-3-000-00000-0_7",
        database="SpringerLink",
    )


def test_zotero_extra_holds_pmid():
    (rec,) = load("zotero.csv").records
    assert rec.normalised() == expect(
        title="Iron rim lesions and disability",
        abstract="Rims matter.",
        authors=["Okafor, AB", "Lindqvist-Hale, M"],
        year=2021,  # Publication Year is empty: from Date "2021-03"
        journal="Multiple sclerosis journal (invented)",
        journal_abbrev="Mult Scler J Invent",
        volume="27",
        issue="3",
        pages="401-409",
        doi="10.5555/msji.2021.0401",
        pmid="31000001",
        pmcid="PMC7000001",
        issn=["1352-4585", "1477-0970"],
        keywords=["Humans", "*Multiple Sclerosis/diagnostic imaging", "iron rim"],
        language="eng",
        pub_types=["journalArticle"],
        database="Zotero",
    )
    assert rec.raw["_id"] == ["ABCD1234"] and rec.raw["Key"] == ["ABCD1234"]


# ---- generic tables ------------------------------------------------------------------------


def test_generic_semicolon_delimited_with_ids():
    first, second = load("generic_semicolon.csv").records
    assert first.normalised() == expect(
        title="Rim lesions, a review",
        abstract="Rims; their meaning.",
        authors=["Okafor, AB", "Tanaka, H"],  # joined by " and "
        year=2021,
        journal="Invented Neurology",
        volume="8",
        issue="2",  # from "number"
        pages="55-59",
        doi="10.5555/in.2021.5",
    )
    assert first.raw["_id"] == ["rec-1"] and first.raw["id"] == ["rec-1"]
    assert second.raw["_id"] == ["rec-2"] and second.title == "Second record" and second.authors == []


def test_generic_tab_delimited_quoted_cells():
    (rec,) = load("generic_rayyan.tsv").records
    assert rec.normalised() == expect(
        title="Rim lesions and tabs",  # a quoted tab inside the title
        abstract="Line one line two",
        authors=["Fenwick, R", "Amadi, CO"],
        year=2019,
        journal="Neurology Invented",
        volume="93",
        issue="1",
        pages="12-20",
        doi="10.5555/neurinv.2019.012",
        pmid="30999901",
        issn=["0028-3878"],
        keywords=["MRI", "rims"],
    )
    assert rec.raw["_id"] == ["rayyan-101"]


def test_generic_cp1252():
    result = load("generic_cp1252.csv")
    assert result.encoding == "cp1252"
    (rec,) = result.records
    assert rec.title == "Müller\u2013Lyer illusion in MS"
    assert rec.authors == ["Müller, J"] and rec.pages == "101-110" and rec.raw["_id"] == ["7"]


def test_publish_or_perish():
    (rec,) = load("publish_or_perish.csv").records
    assert rec.authors == ["Okafor, AB", "Lindqvist-Hale, M"]  # "AB Okafor, M Lindqvist-Hale"
    assert rec.journal == "Mult Scler J Invent" and rec.pages == "401-409"  # StartPage/EndPage
    assert rec.database == "Google Scholar" and rec.url == "https://example.org/a"


def test_excel_sep_line():
    (rec,) = load("excel_sep_line.csv").records
    assert rec.title == "Separated by semicolons" and rec.year == 2018 and rec.source.line == 3


def test_rows_of_the_wrong_width_are_kept_with_a_warning():
    result = load("ragged_generic.csv")
    assert [r.title for r in result.records] == ["First", "Second", "Third"]
    assert result.records[1].raw["_extra"] == ["surplus"] and result.records[1].doi == "10.5555/b"
    assert result.records[2].year is None
    messages = {w.line: w.message for w in result.warnings}
    assert set(messages) == {3, 4}
    assert "more cells" in messages[3] and "fewer cells" in messages[4]


def test_no_title_column_is_an_error_naming_line_and_field():
    with pytest.raises(InputError) as err:
        load("no_title.csv")
    assert err.value.line == 1 and err.value.field == "header"
    assert "no title column" in err.value.message


def test_pubmed_author_lists_with_groups():
    split = tabular._authors_pubmed
    # People "Family Initials" joined by ", "; groups after ";" keep their own commas.
    got = split("Patel A, Jernigan DB; 2019-nCoV CDC Response Team.")
    assert got == ["Patel, A", "Jernigan, DB", "2019-nCoV CDC Response Team"]
    got = split("Korea Centers, Epidemiology Team, Invented Agency.")
    assert got == ["Korea Centers, Epidemiology Team, Invented Agency"]
    # "JR" and "II" are initials here, not Jr. or II; "Jr" after initials is dropped.
    assert split("Vest JR, Bogoch II, Longini IM Jr.") == ["Vest, JR", "Bogoch, II", "Longini, IM"]
    assert split("Cascella MRajnik MDi Napoli R") == ["Cascella, M", "Rajnik, M", "Di Napoli, R"]  # StatPearls glue
    assert split("[No authors listed]") == []


def test_authors_split_by_commas_or_glued():
    split = tabular._authors_generic
    assert split("Adeli K.Lewis G. F.") == ["Adeli, K", "Lewis, GF"]  # ASySD diabetes set
    assert split("J Smith, A Doe") == ["Smith, J", "Doe, A"]
    assert split("Smith, John") == ["Smith, J"]
    assert split("Zuna, R E and Wang, S S") == ["Zuna, RE", "Wang, SS"]
    scopus = tabular._authors_scopus
    assert scopus("Pierie J.-P.E.N., Wiley K.K., Jr., Fu P.") == ["Pierie, JPEN", "Wiley, KK", "Fu, P"]
    assert scopus("Baumgartner W.A., Jr.; Li, IV (123)") == ["Baumgartner, WA", "Li, IV"]


def test_review_list_cells_unescape():
    assert tabular.split_review_list(r"a\; b; c\\; d") == ["a; b", "c\\", "d"]
    assert tabular.split_review_list("") == []


# ---- sniffing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        "TY  - JOUR\nTI  - A title, with a comma\nAU  - Smith, J\nER  - \n",
        "\n1.\nTY  - JOUR\nAU  - Smith, J\n",
        "PMID- 12345678\nOWN - NLM\nTI  - A title, with, commas\n",
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Smith, J\nER\n",
        "@article{key1,\n  title = {A, B},\n  author = {Smith, J and Doe, A},\n}\n",
        '<?xml version="1.0"?>\n<xml><records><record/></records></xml>\n',
        '{"id": "pmid:1", "title": "x"}\n',
        "Record #1 of 2\nID: CN-01234567\nTI: A, b\n",
        "Just some prose, with a comma.\nAnd another line; with, more, commas, here.\nEnd.\n",
    ],
)
def test_sniff_is_zero_for_other_formats(head):
    assert tabular.sniff(head) == 0.0


def test_sniff_scores():
    wos = (FIX / "wos_new_order_cr_only.txt").read_bytes().decode().replace("\r", "\n")
    assert tabular.sniff(wos) >= 0.95
    assert tabular.sniff("PT\tAU\tTI\tSO\tPY\tUT\nJ\tSmith, J\tA title\tJ\t2020\tWOS:1\n") >= 0.95
    assert tabular.sniff("title,year\nA,2020\nB,2021\n") == pytest.approx(0.9)
    assert 0.2 <= tabular.sniff("id,name,score\n1,alpha,3\n2,beta,4\n") < 0.5


def test_unclosed_quote_is_reported():
    result = read_text('title,year\n"ok",2020\n"never closed,2021\nthird,2022\nfourth,2023\n', file="x.csv")
    assert len(result.records) == 2
    assert any(w.line == 3 and "never closed" in w.message for w in result.warnings)


# ---- real exports (skipped without ../shared) -------------------------------------------------


def test_real_scopus_ragged_file_keeps_every_value_in_its_column(shared_dir):
    path = shared_dir / "corpus" / "exports" / "scopus_csv" / "litstudy_scopus_old_header_BOM.csv"
    records = read_file(path).records
    assert len(records) == 58
    # In every row the EID column must hold the row's own EID, which Scopus also
    # writes into the Link URL: an independent check that nothing shifted.
    for rec in records:
        assert rec.raw["Source"] == ["Scopus"]
        assert f"eid={rec.eid}&" in rec.raw["Link"][0]
        assert rec.year is not None and rec.language in ("English", "German", "Chinese", "French")
    first = records[0]
    assert first.title == "Scalable molecular dynamics with NAMD" and first.doi == "10.1002/jcc.20289"
    assert first.pages == "1781-1802" and first.year == 2005


def test_real_pubmed_csv_first_and_last(shared_dir):
    path = shared_dir / "corpus" / "exports" / "pubmed_csv" / "qs-global-ortho_csv-2020dpspre-set_mixed_LF_CRLF.csv"
    records = read_file(path).records
    first, last = records[0], records[-1]
    assert first.pmid == "32169119" and first.doi == "10.1186/s40779-020-00240-0" and first.year == 2020
    assert (first.volume, first.issue, first.pages) == ("7", "1", "11")
    assert last.pmid == "31968702" and last.title.startswith("Characterization of the Immune Response of MERS-CoV")


def test_real_wos_tab_files(shared_dir):
    folder = shared_dir / "corpus" / "exports" / "wos_tabdelimited"
    cr = read_file(folder / "litsearchr_borealis_WoS_corecollection_BOM.txt").records
    assert cr[0].doi == "10.1016/j.foreco.2018.12.057" and cr[0].wos_ut == "000461270600041"
    assert cr[0].journal_abbrev == "For. Ecol. Manage." and cr[0].pages == "443-459"
    medline = read_file(folder / "litsearchr_borealis_WoS_platform_MEDLINE_BOM.txt").records
    assert {r.database for r in medline} == {"MEDLINE"} and medline[0].pmid == "29782655"
    zoo = read_file(folder / "litsearchr_borealis_WoS_platform_ZoologicalRecord_BOM.txt").records
    assert {r.database for r in zoo} == {"Zoological Record"} and zoo[0].pmid == "29782655"
    new = read_file(folder / "WoS_Script_March2024_Whittaker_68_new_field_order.txt").records
    assert new[-1].doi == "10.1046/j.1523-1739.1999.013002282.x" and new[-1].pages == "282-292"


def test_real_springer_and_embase(shared_dir):
    exports = shared_dir / "corpus" / "exports"
    springer = read_file(exports / "springer_csv" / "litstudy_springer.csv").records
    assert springer[0].authors == ["Aliev, AR", "Ismayilova, NT"]  # "Araz R. AlievNigar T. Ismayilova"
    embase = read_file(exports / "embase_csv" / "asreview_embase.csv").records
    assert embase[1].journal == "Cancer"
    assert (embase[1].volume, embase[1].issue, embase[1].pages) == ("102", "4", "253-258")
    assert embase[1].doi == "10.1002/cncr.20369" and embase[1].year == 2004


# ---- the dedup benchmark sets --------------------------------------------------------------------

# Record counts from ../shared/benchmarks/dedup/README.md ("What is here and what is missing").
BENCHMARK_SETS = [
    ("cytology_screening/records_pre_merged.csv", 1856),
    ("haematology/records_pre_merged.csv", 1415),
    ("respiratory/records_pre_merged.csv", 1988),
    ("special_cases/records_pre_merged.csv", 12),
    ("diabetes/labelled_test_set.csv", 1845),
]


@pytest.mark.parametrize("name,count", BENCHMARK_SETS, ids=[n for n, _ in BENCHMARK_SETS])
def test_dedup_benchmark_sets_import_with_their_ids(shared_dir, name, count):
    folder = shared_dir / "benchmarks" / "dedup"
    records = read_file(folder / name).records
    assert len(records) == count
    ids = [r.raw["_id"][0] for r in records]
    assert len(set(ids)) == count
    if name.startswith("diabetes"):
        ids = [f"id_{int(i):07d}" for i in ids]  # record_id 699 <-> id_0000699 (README)
    # Every id in the gold duplicate groups is an imported record's own id.
    group_file = folder / name.split("/")[0] / "merged_record_ids.csv"
    with group_file.open(encoding="utf-8", newline="") as fh:
        grouped = {i for row in csv.DictReader(fh) for i in row["merged_ids"].split(";")}
    assert grouped <= set(ids)
    assert sum(1 for r in records if r.title) >= 0.95 * count


def test_scopus_no_abstract_placeholder_is_blank(tmp_path):
    from review.importers import read_file

    p = tmp_path / "scopus.csv"
    p.write_text('"Authors","Title","Year","Source title","Abstract","EID"\n'
                 '"Smith J.","A title",2020,"J","[No abstract available]","2-s2.0-99000000001"\n', encoding="utf-8-sig")
    rec = read_file(p).records[0]
    assert rec.abstract == "" and rec.title == "A title"
