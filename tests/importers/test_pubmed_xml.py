"""PubMed XML (PubmedArticleSet): invented records written to NLM's pubmed DTD.

The corpus has no real PubMed XML file, so these fixtures carry every element the
importer reads: structured abstracts, inline markup, collective authors,
MedlineDate, abbreviated MedlinePgn, ELocationID and ArticleIdList ids, MeSH
with major topics, keywords, and a PubmedBookArticle. Expected values are read
off the fixture by hand; MeSH strings follow MEDLINE's MH line form.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from review.errors import InputError
from review.importers import pubmed_xml, read_file
from tests.importers.helpers import expect

FIX = Path(__file__).resolve().parents[1] / "data" / "importers" / "structured"


@pytest.fixture(scope="module")
def records():
    result = read_file(FIX / "pubmed.xml")
    assert result.format == "pubmed_xml"
    assert result.warnings == []
    return result.records


def test_count_and_lines(records):
    assert len(records) == 4  # 3 PubmedArticle + 1 PubmedBookArticle
    assert [r.source.line for r in records] == [4, 97, 141, 174]
    assert [r.source.position for r in records] == [1, 2, 3, 4]


def test_full_record_structured_abstract_mesh(records):
    assert records[0].normalised() == expect(
        title="Paramagnetic rim lesions predict in vivo disability in multiple sclerosis.",
        abstract=(
            "OBJECTIVE: To relate rim lesions to disability. METHODS: We studied 120 patients at 3 T. "
            "RESULTS: Patients with ≥4 rims had higher EDSS (p<0.01)."
        ),
        authors=["Lindqvist, MA", "Fernández-García, JL", "Iron Rim Imaging Consortium"],
        year=2024,
        journal="Annals of clinical neurology",
        journal_abbrev="Ann Clin Neurol",
        volume="95",
        issue="2",
        pages="312-320",
        doi="10.1002/acn.26789",
        pmid="38001234",
        pmcid="PMC10765432",
        language="eng",
        database="PubMed",
        issn=["1531-8249", "0364-5134"],
        keywords=["iron", "susceptibility-weighted imaging"],
        mesh=["Humans", "*Multiple Sclerosis/diagnostic imaging/pathology", "Magnetic Resonance Imaging/*methods"],
        pub_types=["Journal Article", "Research Support, Non-U.S. Gov't"],
    )
    raw = records[0].raw
    assert raw["PMID"] == ["38001234"]
    assert raw["ArticleId.doi"][0] == "10.1002/acn.26789"
    assert raw["ISSN.Electronic"] == ["1531-8249"]
    assert raw["Author"][:2] == ["Lindqvist, Maria A", "Fernández-García, José Luis"]
    assert raw["AbstractText"][0] == "OBJECTIVE: To relate rim lesions to disability."
    assert records[0].id == "pmid:38001234"


def test_medline_date_abbreviated_pages_vernacular(records):
    rec = records[1]
    assert rec.title == "[Iron deposits and CD8+ T cells at the lesion edge]."
    assert rec.year == 1999  # MedlineDate "1999 Dec-2000 Jan"
    assert rec.pages == "S123-S129"  # MedlinePgn "S123-9"
    assert rec.issue == "9 Suppl 2"
    assert rec.doi == "10.1212/wnl.53.9.s123"  # only in ArticleIdList
    assert rec.authors == ["Schmidt, H", "van der Berg, A"]
    assert rec.language == "ger"
    assert rec.mesh == ["*Iron/analysis"]
    assert rec.pub_types == ["Journal Article", "Review", "English Abstract"]
    assert rec.raw["VernacularTitle"] == ["Eisenablagerungen und CD8+ T-Zellen am Läsionsrand."]


def test_in_process_record_without_abstract(records):
    rec = records[2]
    assert rec.normalised() == expect(
        title="Automated rim detection on 3T phase images.",
        authors=["Chen, W"],
        year=2024,
        journal="Scientific reports",
        journal_abbrev="Sci Rep",
        volume="14",
        issue="1",
        doi="10.1038/s41598-024-00001-x",  # the doi ELocationID, not the pii one
        pmid="39009999",
        language="eng",
        database="PubMed",
        issn=["2045-2322"],
        pub_types=["Journal Article"],
    )


def test_book_article(records):
    rec = records[3]
    assert rec.title == "Iron Overload Disorders of the Brain"
    assert rec.authors == ["Barton, JC"]  # not the book's editors
    assert rec.abstract == "CLINICAL CHARACTERISTICS: Iron accumulates in the basal ganglia."
    assert rec.year == 1993 and rec.pmid == "20301999"
    assert rec.journal == "ExampleReviews®"
    assert rec.pub_types == ["Review"]


def test_references_ids_are_not_the_articles(records):
    assert all(r.doi != "10.9999/reference.00001" for r in records)


def test_truncated_file_keeps_complete_articles():
    result = read_file(FIX / "pubmed_truncated.xml")
    assert [r.pmid for r in result.records] == ["38001234"]
    assert len(result.warnings) == 1 and "skipped 1" in result.warnings[0].message


def test_nothing_complete_is_an_input_error(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_text("<?xml version='1.0'?>\n<PubmedArticleSet>\n<PubmedArticle><MedlineCitation>", encoding="utf-8")
    with pytest.raises(InputError, match="PubMed XML"):
        read_file(path)


def test_sniff_only_pubmed_xml():
    head = (FIX / "pubmed.xml").read_text(encoding="utf-8")[:2000]
    assert pubmed_xml.sniff(head) == 0.95
    for other in (
        '<?xml version="1.0"?><xml><records><record>',
        "PMID- 123\nTI  - PubmedArticle\n",
        "TY  - JOUR\nER  - \n",
        "@article{x, title={PubmedArticleSet}}",
    ):
        assert pubmed_xml.sniff(other) == 0.0
