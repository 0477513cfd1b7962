"""Zotero RDF: items, their journals, and what is not a record (attachments, notes, collections).

Fixture values are read off the invented fixture by hand; the real file's count
(12) is the MANIFEST's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from review.errors import InputError
from review.importers import read_file, zotero_rdf
from tests.importers.helpers import expect

FIX = Path(__file__).resolve().parents[1] / "data" / "importers" / "structured"


def test_items_only_with_journal_by_reference():
    result = read_file(FIX / "zotero.rdf")
    assert result.format == "zotero_rdf"
    # 1 collection, 1 article, 1 journal, 1 attachment, 1 note, 1 book, 1 article: 3 items.
    article, book, old = result.records
    assert article.normalised() == expect(
        title="Paramagnetic rim lesions predict disability in multiple sclerosis",
        abstract="Rims & disability: a cohort of 120 patients.",
        authors=["Lindqvist, MA", "Iron Rim Imaging Consortium"],
        year=2024,
        journal="Annals of Clinical Neurology",
        journal_abbrev="Ann Clin Neurol",
        volume="95",
        issue="2",
        pages="312-320",
        doi="10.1002/acn.26789",
        pmid="38001234",
        pmcid="PMC10765432",
        language="en",
        url="https://onlinelibrary.example.com/doi/10.1002/acn.26789",
        database="PubMed",
        issn=["1531-8249"],
        keywords=["iron", "Multiple Sclerosis"],
        pub_types=["Journal Article"],
    )
    assert [r.source.line for r in result.records] == [15, 72, 91]
    assert article.raw["z:shortTitle"] == ["Paramagnetic rim lesions"]
    assert book.normalised() == expect(title="Iron in the Brain", authors=["Tanaka, Y"], year=2021, pub_types=["Book"])
    # Old Zotero: foaf:givenname, journal nested in dcterms:isPartOf, DOI on the journal.
    assert old.authors == ["Peacock, JT"]
    assert old.journal == "Ecology" and old.volume == "46" and old.doi == "10.2307/1935256"
    assert old.pages == "35-51"


def test_not_rdf_is_an_input_error(tmp_path):
    path = tmp_path / "bad.rdf"
    path.write_text('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                    'xmlns:bib="http://purl.org/net/biblio#"><bib:Article>', encoding="utf-8")
    with pytest.raises(InputError, match="RDF"):
        read_file(path)


def test_sniff_only_zotero_rdf():
    assert zotero_rdf.sniff((FIX / "zotero.rdf").read_text(encoding="utf-8")[:4000]) == 0.95
    for other in (
        '<?xml version="1.0"?><xml><records><record>',
        '<?xml version="1.0"?><PubmedArticleSet>',
        "TY  - JOUR\nER  - \n",
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description/></rdf:RDF>',
    ):
        assert zotero_rdf.sniff(other) == 0.0


def test_real_tethne_zotero(shared_dir):
    result = read_file(shared_dir / "corpus" / "exports" / "zotero_rdf" / "tethne_zotero.rdf")
    assert len(result.records) == 12
    first = result.records[0]
    # The first item, lines 9-31 of the file.
    assert first.title == (
        "The Role of Populational Differentiation in Experimental Infection of Prosopis by Phoradendron"
    )
    assert first.authors == ["May, DS"] and first.year == 1971
    assert first.journal == "American Journal of Botany" and first.volume == "58"
    assert first.pages == "921-931" and first.doi == "10.2307/2441258"
    assert first.source.line == 9
    titles = [r.title for r in result.records]
    assert titles.count("Ecotypic Differentiation in Prosopis (Mesquite)") == 2  # MANIFEST quirk
