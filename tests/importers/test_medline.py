"""PubMed MEDLINE (.nbib) importer: a hand-written fixture and the real exports.

Expected values are read off the fixture by hand (tests/data/importers/tagged/
medline_sample.nbib) or off the real files with a text editor, not produced by
this code.
"""

from __future__ import annotations

import pytest

from review.errors import InputError
from review.importers import ParseContext, medline, read_file, read_text
from review.records import normalise_author

FIXTURE = "importers/tagged/medline_sample.nbib"


@pytest.fixture(scope="module")
def sample(data_dir):
    return read_file(data_dir / FIXTURE)


def test_fixture_is_routed_to_medline_and_keeps_all_three_records(sample):
    assert sample.format == "medline"
    assert [r.pmid for r in sample.records] == ["39000001", "39000002", "39000003"]
    # The file opens with two blank lines; the first record starts on line 3.
    assert [r.source.line for r in sample.records] == [3, 55, 70]
    assert [r.source.position for r in sample.records] == [1, 2, 3]


def test_first_record_every_normalised_field(sample):
    rec = sample.records[0]
    assert rec.normalised() == {
        "title": "Iron rim lesions in multiple sclerosis: a susceptibility-weighted imaging "
        "study of 120 patients.",
        "abstract": "BACKGROUND: Paramagnetic rim lesions are a marker of chronic active "
        "inflammation. METHODS: We imaged 120 patients at 3 T. RESULTS: Rims were seen in 54% "
        "of patients (p < 0.01). CONCLUSIONS: Rim lesions are common.",
        # AU, not FAU; "Brown JR" is John Robert (FAU), not a "Jr" suffix; the CN group last.
        "authors": ["Abernathy, JQ", "Brown, JR", "van der Berg, A", "Benson, DM",
                    "Invented Rim Lesion Study Group"],
        "year": 2023,
        "journal": "Invented journal of neurology",
        "journal_abbrev": "Invent Neurol",
        "volume": "12",
        "issue": "3",
        "pages": "201-209",  # PG "201-9"
        "doi": "10.1000/ims.2023.0001",
        "pmid": "39000001",
        "pmcid": "PMC9999991",
        "eid": "",
        "wos_ut": "",
        "accession": "",
        "issn": ["1234-5678", "8765-432X"],  # Electronic, Print = Linking
        "keywords": ["iron rim", "susceptibility-weighted imaging"],
        "mesh": ["Adult", "Brain/diagnostic imaging/pathology", "Humans",
                 "Multiple Sclerosis/diagnostic imaging"],
        "language": "English",
        "pub_types": ["Journal Article", "Multicenter Study"],
        "url": "",
        "database": "PubMed",
    }
    assert rec.id == "pmid:39000001"


def test_raw_keeps_every_tag_and_repeats(sample):
    raw = sample.records[0].raw
    assert raw["FAU"] == ["Abernathy, Jane Q", "Brown, John Robert", "van der Berg, Anna", "Benson, David M Jr"]
    assert raw["IS"] == ["1234-5678 (Electronic)", "8765-432X (Print)", "8765-432X (Linking)"]
    assert raw["LID"] == ["10.1000/ims.2023.0001 [doi]", "S0000-0000(23)00001-1 [pii]"]
    assert raw["OTO"] == ["NOTNLM"]
    # continuation lines are joined with one space, even after a trailing space
    assert raw["TI"] == ["Iron rim lesions in multiple sclerosis: a susceptibility-weighted imaging "
                         "study of 120 patients."]
    assert len(raw["MH"]) == 4 and raw["MH"][1] == "Brain/*diagnostic imaging/pathology"


def test_second_record_languages_and_no_pages(sample):
    rec = sample.records[1]
    assert rec.language == "French; English"
    assert rec.pages == "" and rec.doi == ""  # LID "e0123 [pii]" is not a DOI
    assert rec.authors == ["Chen, X"]
    assert rec.pub_types == ["Letter"]
    assert rec.mesh == []


def test_truncated_last_record_is_kept_with_a_warning(sample):
    rec = sample.records[2]
    assert rec.title == "A third record whose export was cut off in the middle of the tit"
    assert rec.year == 2022
    assert len(sample.warnings) == 1
    w = sample.warnings[0]
    assert w.line == 70 and "cut short" in w.message and "39000003" in w.message


def test_crlf_and_cr_line_ends_read_the_same(data_dir, tmp_path):
    data = (data_dir / FIXTURE).read_bytes()
    lf = read_file(data_dir / FIXTURE)
    for name, eol in (("crlf.nbib", b"\r\n"), ("cr.nbib", b"\r")):
        p = tmp_path / name
        p.write_bytes(data.replace(b"\n", eol))
        other = read_file(p)
        assert [r.normalised() for r in other.records] == [r.normalised() for r in lf.records]


def test_two_records_without_a_blank_line_between_them():
    text = "PMID- 1\nTI  - One.\nPMID- 2\nTI  - Two.\n"
    recs = medline.parse(text, ParseContext("x"))
    assert [(r.pmid, r.title) for r in recs] == [("1", "One."), ("2", "Two.")]


def test_odd_continuation_indent_is_still_a_continuation():
    text = "PMID- 5\nTI  - A title that\n   goes on with three spaces.\n"
    (rec,) = medline.parse(text, ParseContext("x"))
    assert rec.title == "A title that goes on with three spaces."


def test_text_that_is_not_medline_is_an_input_error():
    with pytest.raises(InputError) as err:
        medline.parse("\nhello world\nthis is not a record\n", ParseContext("f.txt"))
    assert "line 2" in str(err.value) and "MEDLINE" in str(err.value)


@pytest.mark.parametrize(
    "head,score",
    [
        ("PMID- 123\nOWN - NLM\n", 0.95),
        ("\n\nPMID- 123\n", 0.95),
        ("TY  - JOUR\nTI  - x\nER  - \n", 0.0),  # RIS
        ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n", 0.0),
        ("PT\tAU\tTI\n", 0.0),
    ],
)
def test_sniff(head, score):
    assert medline.sniff(head) == score


@pytest.mark.parametrize(
    "name",
    ["Smith JA", "van der Berg A", "O'Brien J", "Smith-Jones AB", "Müller K", "de la Cruz MC",
     "Benson DM Jr", "Carson WE 3rd", "SMITH JA", "Smith", "Smith, J", "Smith J.", "Group for Trials",
     "Lee  JH", " Lee JH", "Wang Y (1)", "St. John P"],
)
def test_author_shortcut_agrees_with_normalise_author(name):
    # medline_authors skips normalise_author only where that would add a comma and nothing else.
    assert medline.medline_authors([name]) == [a for a in [normalise_author(name)] if a]


def test_author_initials_jr_sr_are_initials_in_medline():
    # NLM writes the suffix "Jr"; "JR" is two initials (FAU "Brown, John Robert").
    assert medline.medline_authors(["Brown JR", "Pratt SR"]) == ["Brown, JR", "Pratt, SR"]


def test_read_text_routes_medline():
    result = read_text("PMID- 42\nTI  - T.\nDP  - 1999\n", file="t.txt")
    assert result.format == "medline" and result.records[0].year == 1999


# ---- the real exports (skipped without ../shared) ----------------------------------

def _real(shared_dir, name):
    return read_file(shared_dir / "corpus" / "exports" / "pubmed_medline" / name)


def test_real_metaknowledge_first_and_truncated_last(shared_dir):
    res = _real(shared_dir, "metaknowledge_medline_test.medline")
    first, last = res.records[0], res.records[-1]
    assert first.pmid == "26524502"
    assert first.title == "Bioinformatic survey of ABC transporters in dermatophytes."
    assert first.doi == "10.1016/j.gene.2015.10.064"
    assert first.year == 2016 and first.pages == "466-475"
    assert last.pmid == "26153366" and last.volume == "293" and last.issue == "1"
    assert last.title.endswith("the expression of this gene in the endometriu")
    assert any("26153366" in w.message for w in res.warnings)


def test_real_nbib_first_and_last(shared_dir):
    res = _real(shared_dir, "blachlylab_nbib_pubmed_CRLF.nbib")
    first, last = res.records[0], res.records[-1]
    assert first.pmid == "30501481" and first.year == 2018
    assert first.title == "Ibrutinib Regimens versus Chemoimmunotherapy in Older Patients with Untreated CLL."
    assert first.doi == "10.1056/nejmoa1812836" and first.pages == "2517-2528"
    assert first.issn == ["1533-4406", "0028-4793"] and first.pmcid == "PMC6325637"
    assert last.pmid == "34480107" and last.year == 2021
    assert last.doi == "10.1038/s41375-021-01398-9"
    assert last.title.startswith("Correction: Genomic analysis of cellular hierarchy in acute myeloid leukemia using ultrasensitive")
    assert not res.warnings
