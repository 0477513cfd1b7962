"""BibTeX: Scopus, Web of Science, Cochrane Library, EndNote, Mendeley and Zotero exports.

Fixture values are read off the invented fixture files by hand
(tests/data/importers/structured); normalised forms follow records.py's rules
(authors "Family, Initials", DOI lower-case without resolver, pages written in
full). LaTeX decodings are LaTeX's own meaning of the markup.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from review.errors import InputError
from review.importers import ParseContext, read_file
from review.importers import bibtex
from tests.importers.helpers import expect

FIX = Path(__file__).resolve().parents[1] / "data" / "importers" / "structured"


def load(name: str):
    result = read_file(FIX / name)
    assert result.format == "bibtex"
    return result


# ---- Scopus ------------------------------------------------------------------------


def test_scopus_export_date_preamble_comma_authors_duplicate_key():
    result = load("scopus_exportdate.bib")
    # 3 entries; the second repeats the first one's key and has a repeated field.
    assert len(result.records) == 3
    first, conf, third = result.records
    assert first.normalised() == expect(
        title="Paramagnetic rim lesions and disability progression: a 5-year cohort",
        abstract=(
            "Background: Chronic active lesions with a paramagnetic rim are thought to expand slowly. "
            "Objective: To relate rim lesions to 5-year disability (p < 0.05 was significant; 95% CI). "
            "Results: 40% of patients had >= 4 rim lesions."
        ),
        authors=["Rossi, G", "De Luca, M", "Ferrari, AM"],
        year=2020,
        journal="Multiple Sclerosis Journal",
        journal_abbrev="Mult. Scler. J.",
        volume="26",
        issue="9",
        pages="1123-1131",
        doi="10.1177/1352458520900001",
        pmid="31234001",
        eid="2-s2.0-85071234567",
        language="English",
        url=(
            "https://www.scopus.com/inward/record.uri?eid=2-s2.0-85071234567&doi=10.1177%2f1352458520900001"
            "&partnerID=40&md5=0123456789abcdef0123456789abcdef"
        ),
        database="Scopus",
        issn=["1352-4585"],
        keywords=["Iron", "Multiple sclerosis", "Susceptibility-weighted imaging", "adult", "article",
                  "disability, Iron rim lesion"],
        pub_types=["Article"],
    )
    assert first.source.line == 4 and first.source.position == 1
    assert first.raw["note"] == ["cited By 12"]
    assert first.id == "pmid:31234001"
    # "Rossi, G.a  b  and Bianchi, L.c": affiliation letters dropped; the repeated
    # funding_details field keeps both values in raw.
    assert conf.authors == ["Rossi, G", "Bianchi, L"]
    assert conf.pub_types == ["Conference Paper"]
    assert conf.raw["ENTRYTYPE"] == ["CONFERENCE"]
    assert conf.raw["funding_details"] == ["Fondazione Italiana Sclerosi Multipla", "Ministero della Salute"]
    assert conf.pages == "45-46"  # pages win over art_number
    assert third.pages == "e0214455"  # no pages: the article number stands in
    assert third.authors == ["Kowalski, J"]


# ---- Web of Science ----------------------------------------------------------------


def test_wos_capitalised_fields_double_braces_space_after_brace():
    result = load("wos.bib")
    first, second = result.records
    assert first.normalised() == expect(
        title="Phase imaging of chronic active lesions in multiple sclerosis",
        abstract=(
            "Iron-laden microglia at the lesion edge give a hypointense rim on phase images. "
            "We imaged 24 patients (R&D funded) and found rims in 45% of lesions."
        ),
        authors=["Nakamura, K", "Okafor, CE", "von Stein, B"],
        year=2003,
        journal="JOURNAL OF NEUROIMAGING",
        journal_abbrev="J. Neuroimaging",
        volume="13",
        issue="4",
        pages="301-309",
        doi="10.1111/j.1552-6569.2003.tb00001.x",
        wos_ut="000186671900001",
        language="English",
        database="Web of Science",
        issn=["1051-2284", "1552-6569"],
        keywords=["multiple sclerosis", "phase imaging", "iron", "WHITE-MATTER", "MICROGLIA"],
        pub_types=["Article", "Proceedings Paper"],
    )
    assert first.raw["ID"] == ["ISI:000186671900001"]
    assert first.raw["Unique-ID"] == ["{ISI:000186671900001}"]
    assert first.id == "doi:10.1111/j.1552-6569.2003.tb00001.x"
    assert second.title == "Rim-positive lesions and cortical atrophy: a 2-year MRI follow-up"
    assert second.authors == ["Antonio Gomez-Ruiz, J", "Ortega, M"]
    assert second.wos_ut == "000278542800018" and second.pages == "e123"
    assert second.id == "wos:000278542800018"


# ---- Cochrane ----------------------------------------------------------------------


def test_cochrane_record_lines_and_a_b_and_c_authors():
    result = load("cochrane.bib")
    first, second = result.records
    assert first.normalised() == expect(
        title="Disease\u2010modifying therapies for slowly expanding lesions in multiple sclerosis",
        abstract=(
            "Background Slowly expanding lesions may drive progression. "
            "Objectives To assess the effects of therapies on rim lesions."
        ),
        authors=["Okonkwo, AC", "Lindqvist, M", "Fernández\u2010García, JL", "Park, S"],
        year=2019,
        journal="Cochrane Database of Systematic Reviews",
        issue="11",
        doi="10.1002/14651858.cd013456.pub2",
        accession="CD013456",
        url="http://dx.doi.org/10.1002/14651858.CD013456.pub2",
        database="Cochrane Library",
        issn=["1465-1858"],
        mesh=[
            "*Multiple Sclerosis, Chronic Progressive [diagnostic imaging, *drug therapy]",
            "Humans",
            "Randomized Controlled Trials as Topic",
        ],
    )
    assert first.source.line == 2
    # Same key twice: two records. "Haddad, R, and Silva, T" is two authors.
    assert second.authors == ["Haddad, R", "Silva, T"]
    assert second.source.line == 18


# ---- reference managers ------------------------------------------------------------


def test_endnote_stubs_bom_crlf():
    result = load("endnote_stubs_BOM_CRLF.bib")
    assert result.encoding == "utf-8-sig"
    # 3 proper entries + 2 '@misc{lisher},' stubs whose fields follow the closing brace.
    assert len(result.records) == 5
    pdf, stub1, article, stub2, thesis = result.records
    assert pdf.title == "Creep Crack Initiation and Growth.pdf"
    assert pdf.pub_types == ["Journal Article"] and pdf.database == ""
    assert stub1.normalised() == expect(year=2015, pub_types=["Standard"])
    assert stub2.normalised() == expect(year=2006, pub_types=["Web Page"])
    assert [r.source.line for r in result.records] == [1, 6, 11, 25, 31]
    assert article.normalised() == expect(
        title="Rim lesion detection with a hybrid phase filter. II. Effect of field strength",
        authors=["Abadi, M", "Kouchak, MA", "Bagheri, R"],
        year=2012,
        journal="Journal of Applied Imaging Science",
        volume="125",
        issue="3",
        pages="2476-2483",
        doi="10.1002/app.00001",
        eid="2-s2.0-84908269052",
        url="http://www.scopus.com/inward/record.url?eid=2-s2.0-84908269052&partnerID=40",
        issn=["1097-4628"],
        pub_types=["Journal Article"],
    )
    assert thesis.authors == ["Tanaka, Y"] and thesis.raw["university"] == ["Example University"]
    messages = [w.message for w in result.warnings]
    assert any("2 broken EndNote entries" in m and "6, 25" in m for m in messages)


def test_zotero_tabs_protected_capitals_latex():
    result = load("zotero_tabs.bib")
    first, second = result.records
    assert first.normalised() == expect(
        title="Susceptibility rims in Cocker Spaniel and non-Cocker Spaniel dogs: A MRI study",
        abstract=(
            "We compared T2* maps in 50% of dogs; the rim was seen in α-positive and 30% of others "
            "-- see Fig. 2 & Table 1."
        ),
        authors=["Müller, J", "Cañada, I", "Østergaard, L", "World Health Organization"],
        year=1999,
        journal="VETERINARY AND COMPARATIVE ORTHOPAEDICS AND TRAUMATOLOGY",
        volume="12",
        issue="3",
        pages="134-137",
        doi="10.1055/s-0038-1632658",
        language="English",
        issn=["0932-0814", "2567-3130"],
        keywords=["blood supply", "Cocker Spaniels", "FRACTURES", "MRI"],
    )
    assert first.raw["month"] == ["aug"]
    assert second.journal == "Medical Image Computing and Computer Assisted Intervention"  # booktitle
    assert second.authors == ["Chen, W", "van der Berg, A"]  # "and others" is not a person
    assert second.doi == "10.1007/978-3-030-87234-2_4"
    assert second.pages == "35-44"


def test_mendeley_preamble_lines_duplicate_entries():
    result = load("mendeley.bib")
    first, second = result.records
    assert first.normalised() == expect(
        title="The mechanisms of rim formation in epoxy-modified phantoms",
        authors=["Hsieh, TH", "Kinloch, AJ", "Masania, K"],
        year=2010,
        journal="Polymer",
        volume="51",
        issue="26",
        pages="6284-6294",
        doi="10.1016/j.example.2010.10.048",
        pmid="20012345",
        url="http://example.org/S0032386110009377/main.pdf?_tid=a17ec9a2&acdnat=1395062489",
        issn=["0032-3861"],  # Mendeley files the ISSN under isbn
    )
    assert first.source.line == 6
    assert second.title == "A second record with the same key" and second.authors == ["Hsieh, TH"]


def test_truncated_last_entry_is_kept_with_a_warning():
    result = load("truncated.bib")
    assert [r.title for r in result.records] == ["A complete entry", "An entry cut short"]
    assert result.records[1].abstract == "This file ends in the middle of"
    assert result.records[1].authors == ["Jones, K"]
    assert any(w.line == 7 and "not closed" in w.message for w in result.warnings)


def test_parse_writes_nothing_to_stderr(capsys):
    read_file(FIX / "truncated.bib")
    assert capsys.readouterr().err == ""


def test_a_file_without_entries_is_an_input_error(tmp_path):
    path = tmp_path / "strings.bib"
    path.write_text("@string{jan = {January}}\n@comment{nothing else}\n", encoding="utf-8")
    with pytest.raises(InputError, match="no records"):
        read_file(path, fmt="bibtex")
    assert bibtex.parse(path.read_text(), ParseContext("strings.bib")) == []


# ---- units -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "latex,text",
    [
        (r"M{\"u}ller", "Müller"),
        (r"M\"{u}ller", "Müller"),
        (r"Universit\'{e} de Montr\'eal", "Université de Montréal"),
        (r"\c{C}elik and \c c", "Çelik and ç"),
        (r"Ca{\~n}ada", "Cañada"),
        (r"\v{S}koda", "Škoda"),
        (r"{\O}stergaard, {\ss}, {\aa}", "Østergaard, ß, å"),
        (r"P{\'{\i}}a", "Pía"),
        (r"{Cocker} {Spaniel}", "Cocker Spaniel"),
        (r"R\&D costs 5\% \$10 \#1 a\_b", "R&D costs 5% $10 #1 a_b"),
        ("50% raw & kept", "50% raw & kept"),
        (r"$\alpha$-synuclein and $\beta$", "α-synuclein and β"),
        (r"H$_2$O and m$^{2}$", "H2O and m2"),
        (r"Fig.~2", "Fig. 2"),
        (r"\textit{in vivo} \emph{E. coli}", "in vivo E. coli"),
        (r"a\textbackslash{}b \textasciitilde{}c \textasciicircum{}d", "a\\b ~c ^d"),
        (r"max\{W\}", "max{W}"),
        (r"\textless{}0.05 \textgreater{}1", "<0.05 >1"),
        (r"C$\backslash$:/Users", "C\\:/Users"),
    ],
)
def test_decode_latex(latex, text):
    assert bibtex.decode_latex(latex) == text


@pytest.mark.parametrize(
    "value,authors",
    [
        ("Smith, J. A. and Jones, Kate", ["Smith, JA", "Jones, K"]),
        ("John A. Smith and {World Health Organization}", ["Smith, JA", "World Health Organization"]),
        ("van der Berg, Anna and {Bill and Melinda Gates Foundation}", ["van der Berg, A", "Bill and Melinda Gates Foundation"]),
        ("D'Ambrosio, A.a , Aria, M.a , Iorio, C.b ", ["D'Ambrosio, A", "Aria, M", "Iorio, C"]),
        ("Li, L.Z.a  b  and Leydesdorff, L.c  and Sun, N.a  b  d ", ["Li, LZ", "Leydesdorff, L", "Sun, N"]),
        ("Smith, SR, Newton, K, Li, JA, and Hill, J", ["Smith, SR", "Newton, K", "Li, JA", "Hill, J"]),
        ("Dedicoat, M, and Livesley, N", ["Dedicoat, M", "Livesley, N"]),
        ("Wang, PP", ["Wang, PP"]),
        ("Lee, B and Critchlow, T\n   and Musick, R", ["Lee, B", "Critchlow, T", "Musick, R"]),
        ("Smith, Jr., John and others", ["Smith, J"]),
        ("", []),
    ],
)
def test_split_authors(value, authors):
    assert bibtex.split_bibtex_authors(value) == authors


def test_sniff_only_bibtex():
    assert bibtex.sniff("\n@article{key,\n title={x}}") == 0.9
    assert bibtex.sniff("Scopus\nEXPORT DATE: 1 May 2020\n\n@ARTICLE{Key2020,") == 0.9
    assert bibtex.sniff("Record #1 of 2\n@article{Smith16,") == 0.9
    for other in (
        "TY  - JOUR\nTI  - A title @article{x}\nER  - \n",
        "PMID- 123\nTI  - title\n",
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Smith, J\n",
        'Authors,Title,Year\n"Smith J.","@article{x}",2020\n',
        "<?xml version='1.0'?><xml><records><record></record></records></xml>",
        "@comment{only a comment}\n",
    ):
        assert bibtex.sniff(other) == 0.0


# ---- the real exports (skipped without ../shared) -----------------------------------


def real(shared_dir: Path, name: str):
    return read_file(shared_dir / "corpus" / "exports" / name)


def test_real_endnote_bibtex_stubs(shared_dir):
    result = real(shared_dir, "bibtex_other/Thesis_EndNote_bibtex_export_BOM_CRLF.bib")
    assert len(result.records) == 300  # MANIFEST: 287 RN entries + 13 stubs
    warning = next(w for w in result.warnings if "broken EndNote" in w.message)
    assert warning.message.startswith("13 broken EndNote entries")
    first = result.records[0]
    assert first.title == "Creep Crack Initiation and Growth.pdf"  # line 2 of the file
    # The stub at line 817 holds "year = {BS 7991:2001}, type = {Standard}" after its brace.
    stub = next(r for r in result.records if r.source.line == 817)
    assert stub.pub_types == ["Standard"] and stub.year == 2001
    assert stub.raw["year"] == ["BS 7991:2001"]


def test_real_scopus_garfield_duplicate_keys(shared_dir):
    result = real(shared_dir, "scopus_bibtex/bibliometrix_garfield_scopus.bib")
    assert len(result.records) == 219
    first = result.records[0]
    # First entry, lines 2-24 of the file.
    assert first.title == "Citation analysis of the scientific publications of Britton Chance in ISI citation indexes"
    assert first.authors == ["Li, LZ", "Leydesdorff, L", "Nioka, S", "Sun, N", "Garfield, E"]
    assert first.doi == "10.1142/s1793545814300031" and first.eid == "2-s2.0-84898460791"
    assert first.pages == "1430003"  # art_number; the entry has no pages
    keys = [r.raw["ID"][0] for r in result.records]
    assert len(keys) - len(set(keys)) > 0
    assert all(r.database == "Scopus" for r in result.records)
    conference = [r for r in result.records if r.raw["ENTRYTYPE"] == ["CONFERENCE"]]
    assert len(conference) == 2  # MANIFEST: @CONFERENCE entries; grep finds 2


def test_real_scopus_2017_comma_authors(shared_dir):
    result = real(shared_dir, "scopus_bibtex/bibliometrix_scopus_2017_exportdate_header.bib")
    assert len(result.records) == 46
    first = result.records[0]
    assert first.source.line == 4  # after "Scopus", "EXPORT DATE: 13 January 2017" and a blank line
    assert first.authors == ["D'Ambrosio, A", "Aria, M", "Iorio, C", "Siciliano, R"]
    assert first.title == "Regression trees for multivalued numerical response variables"
    assert first.doi == "10.1016/j.eswa.2016.10.021" and first.year == 2017


def test_real_wos_bibtex(shared_dir):
    result = real(shared_dir, "wos_bibtex/bibliometrix_savedrecs_WoS.bib")
    assert len(result.records) == 377
    first, last = result.records[0], result.records[-1]
    assert first.title == "Untitled" and first.authors == ["Wang, PP"] and first.year == 2003
    assert first.wos_ut == "000186671900001" and first.doi == "10.1016/j.ins.2003.10.003"
    assert last.title == "Design of a virtual community based interactive learning environment"
    assert last.wos_ut == "000173301900009"
    new = real(shared_dir, "wos_bibtex/pybibx_wos_m_BOM.bib")
    assert new.records[0].wos_ut == "000278542800018"
    assert new.records[0].issn == ["0096-3003", "1873-5649"]


def test_real_cochrane_bibtex(shared_dir):
    result = real(shared_dir, "cochrane_bibtex/qs-global-ortho_CDSR_Cochrane_bibtex_record_preamble.bib")
    assert len(result.records) == 56
    first = result.records[0]
    assert first.authors == [
        "Smith, SR", "Newton, K", "Smith, JA", "Dumville, JC", "Iheozor\u2010Ejiofor, Z",
        "Pearce, LE", "Barrow, PJ", "Hancock, L", "Hill, J",
    ]
    assert first.title == "Internal dressings for healing perianal abscess cavities"
    assert first.abstract.startswith("Background A perianal abscess")
    assert first.doi == "10.1002/14651858.cd011193.pub2" and first.accession == "CD011193"
    assert result.records[-1].authors == ["Dedicoat, M", "Livesley, N"]
    assert all(r.database == "Cochrane Library" for r in result.records)


def test_real_zotero_and_mendeley(shared_dir):
    zotero = real(shared_dir, "bibtex_other/asysd_zotero_export_tabs.bib")
    assert len(zotero.records) == 1000
    assert zotero.records[0].title == (
        "Microangiography of the humeral condyle in Cocker Spaniel and non-Cocker Spaniel dogs"
    )
    assert zotero.records[0].authors == ["Larsen, LJ", "Roush, JK", "McLaughlin, RM", "Cash, WC"]
    mendeley = real(shared_dir, "bibtex_other/Thesis_Mendeley_Desktop_library.bib")
    assert len(mendeley.records) == 300
    first = mendeley.records[0]
    assert first.title == (
        "The mechanisms and mechanics of the toughening of epoxy polymers modified with silica nanoparticles"
    )
    assert first.doi == "10.1016/j.polymer.2010.10.048" and first.pages == "6284-6294"
    assert all(r.database == "" for r in mendeley.records)
