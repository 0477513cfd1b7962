"""EndNote XML: EndNote's styled values, Mendeley's one-line files, the legacy upper-case dialect.

Fixture values are read off the invented fixture files by hand
(tests/data/importers/structured); counts of the real files come from the
MANIFEST and the dedup benchmark README, not from this code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from review.errors import InputError
from review.importers import endnote_xml, read_file
from tests.importers.helpers import expect

FIX = Path(__file__).resolve().parents[1] / "data" / "importers" / "structured"


def load(name: str):
    result = read_file(FIX / name)
    assert result.format == "endnote_xml"
    return result


def test_endnote_styles_pubmed_accession_pdf_title():
    result = load("endnote_pretty.xml")
    first, pdf, chapter = result.records
    assert first.normalised() == expect(
        # Three <style> runs, one of them italic, make one title.
        title="Paramagnetic rim lesions in post mortem tissue: a validation study",
        abstract=(
            "OBJECTIVE: To validate rims against histology. METHODS: 20 brains & 312 lesions. "
            'RESULTS: Rims matched iron-laden microglia ("smouldering" lesions).'
        ),
        authors=["Lindqvist, M", "O'Brien, PJ", "Iron Rim Study Group"],
        year=2019,
        journal="Annals of Clinical Neurology",
        journal_abbrev="Ann. Clin. Neurol.",
        volume="86",
        issue="3",
        pages="412-419",
        doi="10.1002/acn.25541",
        pmid="31290001",  # remote database MEDLINE: the accession number is the PMID
        accession="31290001",
        language="eng",
        url="https://pubmed.ncbi.nlm.nih.gov/31290001/",
        database="MEDLINE",
        issn=["0364-5134", "1531-8249"],
        keywords=["Humans", "Multiple Sclerosis/*diagnostic imaging", "Iron"],
        pub_types=["Journal Article"],
    )
    assert first.source.line == 4 and first.source.position == 1
    assert first.raw["rec-number"] == ["17"]
    assert first.raw["contributors/authors/author"][0] == "Lindqvist, Maria"
    assert first.raw["urls/pdf-urls/url"] == ["internal-pdf://1234567890/Lindqvist-2019.pdf"]
    assert pdf.normalised() == expect(title="Rim lesions review draft.pdf", pub_types=["Journal Article"])
    assert chapter.authors == ["Tanaka, Y"]  # the editor (secondary-authors) is not an author
    assert chapter.journal == "Handbook of Neuroimaging"
    assert chapter.doi == "10.1007/978-3-540-00000-1_5"  # from the doi.org link
    assert chapter.issn == []  # an ISBN is not an ISSN
    assert chapter.pub_types == ["Book Section", "Chapter"]
    assert chapter.database == "Scopus"


def test_one_line_mendeley_file():
    result = load("endnote_one_line.xml")
    first, second = result.records
    assert first.normalised() == expect(
        title="Iron rims in older Cavalier King Charles Spaniels.",
        abstract="BACKGROUND: Rims are seen in dogs. CONCLUSIONS: They are.",
        authors=["Rotter, C", "Häggström, J"],
        year=2022,
        journal="Journal of veterinary internal medicine",
        volume="36",
        issue="3",
        pages="1032-1038",
        doi="10.1111/jvim.00001",
        accession="35310001",  # no remote database named: not assumed to be a PMID
        language="eng",
        keywords=["Animals", "Dogs", "veterinary"],
        pub_types=["Journal Article"],
    )
    assert first.source.line == 1 and second.source.line == 1
    assert second.pub_types == ["Generic"] and second.pages == "480"


def test_legacy_uppercase_dialect_cr_line_ends():
    result = load("endnote_legacy_upper_CR.xml")
    first, second = result.records
    assert first.normalised() == expect(
        title="Welcome to the rimverse",
        authors=["Wickham, H", "François, R", "Garnier"],
        year=2019,
        journal="Journal of Open Source Software",
        volume="4",
        issue="43",
        pages="1686",
        doi="10.21105/joss.99999",  # the legacy <URL> holds a bare DOI
    )
    assert first.raw["ref-type"] == ["0"] and first.raw["rec-number"] == ["1"]
    # "\r\r\n" is two line ends: the records start on lines 3 and 5.
    assert [r.source.line for r in result.records] == [3, 5]
    assert second.normalised() == expect(title="rimr: Read Rim Files", authors=["Müller, K"], year=2022)
    assert second.raw["auth-address"] == ["https://CRAN.R-project.org/package=rimr"]


def test_damaged_file_keeps_the_good_records():
    result = load("endnote_damaged.xml")
    assert [r.title for r in result.records] == ["A good record", "Another good one"]
    assert [r.source.line for r in result.records] == [3, 5]
    messages = " | ".join(w.message for w in result.warnings)
    assert "not closed" in messages and "not well-formed" in messages


def test_unreadable_xml_is_an_input_error(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text("<xml><records><record><title>x</records>", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_file(path)
    assert "bad.xml" in str(err.value)


def test_sniff_only_endnote_xml():
    assert endnote_xml.sniff('<?xml version="1.0" encoding="UTF-8" ?><xml><records><record>') == 0.95
    assert endnote_xml.sniff("<XML><RECORDS>\n<RECORD><REFERENCE_TYPE>0") == 0.95
    for other in (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet>',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        "TY  - JOUR\nTI  - <xml><records>\nER  - \n",
        "@article{x, title={<xml><records>}}",
        "PMID- 1\n",
    ):
        assert endnote_xml.sniff(other) == 0.0


# ---- the real exports (skipped without ../shared) -----------------------------------


def test_real_endnote17_one_line(shared_dir):
    result = read_file(shared_dir / "corpus" / "exports" / "endnote_xml" / "Thesis_My_EndNote_Library_EndNote17_single_line.xml")
    assert len(result.records) == 300
    first, last = result.records[0], result.records[-1]
    assert first.title == "Creep Crack Initiation and Growth.pdf" and first.authors == []
    assert first.raw["rec-number"] == ["327"]
    assert last.title == "Mechanisms leading to improved mechanical performance in nanoscale alumina filled epoxy"
    assert last.doi == "10.1016/j.compscitech.2008.01.009" and last.year == 2008


def test_real_mendeley_endnote_xml(shared_dir):
    result = read_file(shared_dir / "corpus" / "exports" / "endnote_xml" / "asysd_mendeley_export_endnote_xml_single_line.xml")
    assert len(result.records) == 1233
    first = result.records[0]
    assert first.title == "Myoclonus in older Cavalier King Charles Spaniels."
    assert first.authors == ["Rotter, C", "Whittaker, D", "Rusbridge, C"]
    assert first.doi == "10.1111/jvim.16404" and first.accession == "35319117"


def test_real_livereference_endnote13(shared_dir):
    result = read_file(shared_dir / "corpus" / "exports" / "endnote_xml" / "livereference_endnote_EndNote13_pretty.xml")
    (rec,) = result.records
    assert rec.title == "LTP and LTD: an embarrassment of riches"
    assert rec.authors == ["Malenka, RC", "Bear, MF"]
    assert rec.doi == "10.1016/j.neuron.2004.09.012"  # "...&#xD;S0896627304006087 [pii]" dropped
    assert rec.pmid == "15450156"  # from the PubMed link (list_uids=15450156)
    assert rec.issn == ["0896-6273"]


def test_respiratory_benchmark_imports_every_record(shared_dir):
    path = shared_dir / "benchmarks" / "dedup" / "respiratory" / "Respiratory.xml"
    if not path.is_file():
        pytest.skip("Respiratory.xml is not in ../shared")
    result = read_file(path)
    # benchmarks/dedup/README.md: 1,988 records, 799 of them captioned "Duplicate".
    assert len(result.records) == 1988
    assert sum(1 for r in result.records if r.raw.get("caption") == ["Duplicate"]) == 799
    assert all(r.title for r in result.records)
    first = result.records[0]
    assert first.title == "Perioperative nutritional support in patients undergoing hepatectomy for hepatocellular carcinoma"
    assert first.authors == ["Ziegler, TR"] and first.year == 1996 and first.pages == "91-92"
