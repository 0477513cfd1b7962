"""Hand-made pairs, one per identifier and per rule against false merges.

Each case is two or three records written by hand; the expected clusters are
stated in the test and follow from the rule named in the test's name (the
issue's list), not from running the code.
"""

from __future__ import annotations

from review.dedup import (
    DISTINCT,
    DUPLICATE,
    POSSIBLE,
    Decision,
    compare,
    find_duplicates,
    journals_match,
    keys_for,
    merge,
)
from review.records import Record, Source

TITLE = "Metformin and the risk of hip fracture in older adults with type 2 diabetes"


def rec(**kw) -> Record:
    base = dict(
        title=TITLE,
        authors=["Smith, JA", "Jones, M", "Lee, K"],
        year=2015,
        journal="Journal of Bone and Mineral Research",
        volume="30",
        issue="4",
        pages="611-618",
    )
    base.update(kw)
    return Record(**base)


def partition(records, decisions=()):
    """Clusters as sets of input positions, so tests read as 'which records went together'."""
    res = find_duplicates(records, decisions, keys=[f"k{i}" for i in range(len(records))])
    return sorted(sorted(c) for c in res.clusters)


def status(a: Record, b: Record) -> str:
    return compare(keys_for(a), keys_for(b))[0]


# ---- identifiers -------------------------------------------------------------------

def test_same_doi_merges_despite_title_punctuation_and_case():
    a = rec(doi="10.1002/jbmr.2412", title=TITLE + ".")
    b = rec(doi="10.1002/JBMR.2412".lower(), title=TITLE.upper(), authors=["Smith, J"], journal="J Bone Miner Res")
    assert partition([a, b]) == [[0, 1]]


def test_url_encoded_doi_is_the_same_doi():
    # %28 is "(" and %29 is ")": the same DOI written two ways by two databases.
    a = rec(doi="10.1016/s0735-1097(13)62048-3", volume="61", pages="E2048")
    b = rec(doi="10.1016/s0735-1097%2813%2962048-3", volume="61", pages="E2048", authors=["Smith, JA"])
    assert status(a, b) == DUPLICATE


def test_same_pmid_merges_with_a_reworded_title():
    a = rec(pmid="25123456", title=TITLE)
    b = rec(pmid="25123456", title="Metformin and risk of hip fractures in elderly adults with type 2 diabetes")
    assert partition([a, b]) == [[0, 1]]


def test_same_pmcid_eid_and_wos_ut_each_count_as_a_shared_identifier():
    for field, value in (("pmcid", "PMC4567"), ("eid", "2-s2.0-84900000000"), ("wos_ut", "000186671900001")):
        a = rec(**{field: value}, journal="")
        b = rec(**{field: value}, journal="", title=TITLE + " a cohort study")
        assert status(a, b) == DUPLICATE, field


def test_conflicting_dois_are_never_merged():
    a = rec(doi="10.1002/jbmr.2412")
    b = rec(doi="10.1002/jbmr.2413")
    assert status(a, b) == DISTINCT
    assert partition([a, b]) == [[0], [1]]


def test_conflicting_pmids_are_never_merged():
    assert partition([rec(pmid="1"), rec(pmid="2")]) == [[0], [1]]


# ---- rules against false merges ----------------------------------------------------

def test_journal_abbreviation_matches_full_name():
    a = rec(journal="Journal of Bone and Mineral Research")
    b = rec(journal="J Bone Miner Res", authors=["Smith, J", "Jones, M"])
    assert partition([a, b]) == [[0, 1]]
    assert journals_match("j neurol", "journal of neurology")
    assert not journals_match("j neurol", "journal of nephrology")


def test_different_first_page_is_distinct():
    assert status(rec(pages="611-618"), rec(pages="711-718")) == DISTINCT


def test_different_volume_is_distinct():
    assert status(rec(volume="30"), rec(volume="31")) == DISTINCT


def test_erratum_is_not_its_article():
    a = rec()
    b = rec(title="Erratum: " + TITLE, pages="1702", issue="9")
    c = rec(title=TITLE + " (vol 30, pg 611, 2015)", pages="1702", issue="9")
    assert partition([a, b, c])[0] == [0]
    assert status(a, b) == DISTINCT and status(a, c) == DISTINCT


def test_retraction_notice_is_not_its_article():
    assert status(rec(), rec(title="Retraction notice to: " + TITLE, pages="")) == DISTINCT


def test_comment_and_reply_are_not_the_article():
    a = rec(pages="")
    assert status(a, rec(title="Comment on: " + TITLE, pages="")) == DISTINCT
    assert status(a, rec(title="Reply to: " + TITLE, pages="")) == DISTINCT


def test_conference_abstract_is_not_the_full_article():
    full = rec(journal="Diabetologia", volume="58", pages="1201-1210")
    abstract = rec(journal="Diabetologia", volume="58", issue="Suppl 1", pages="S394", pub_types=["Conference Abstract"])
    assert status(full, abstract) == DISTINCT


def test_part_1_and_part_2_are_different_works():
    a = rec(title="Diabetes and bone. Part 1: epidemiology of fractures", pages="")
    b = rec(title="Diabetes and bone. Part 2: epidemiology of fractures", pages="")
    c = rec(title="Diabetes and bone. Part II: epidemiology of fractures", pages="")
    assert partition([a, b, c]) == [[0], [1, 2]]  # "2" and "II" are the same part


def test_same_title_in_different_years_is_distinct():
    assert status(rec(year=2010, volume="", pages=""), rec(year=2015, volume="", pages="")) == DISTINCT


def test_short_generic_titles_need_venue_and_pages():
    a = rec(title="Editorial", authors=["Brown, K"], pages="1")
    b = rec(title="Editorial", authors=["Brown, K"], pages="201", issue="5")
    c = rec(title="Editorial", authors=["Brown, K"], pages="1")
    assert status(a, b) == DISTINCT
    assert status(a, c) == DUPLICATE  # same journal, year, volume, first page and author
    assert status(rec(title="Reply", pages=""), rec(title="Reply", pages="")) != DUPLICATE


def test_blank_titles_are_never_merged():
    a = rec(title="")
    b = rec(title="")
    assert partition([a, b]) == [[0], [1]]
    # even with a shared identifier a blank title only earns a look by a person
    assert status(rec(title="", doi="10.1/x"), rec(doi="10.1/x")) == POSSIBLE


def test_a_cluster_never_holds_two_records_with_conflicting_dois():
    # b has no DOI, so a-b and b-c each look like duplicates; a and c conflict.
    a = rec(doi="10.1/a")
    b = rec()
    c = rec(doi="10.1/c")
    clusters = partition([a, b, c])
    assert len(clusters) == 2
    assert [0, 2] not in clusters and not any(0 in g and 2 in g for g in clusters)


# ---- people's answers ----------------------------------------------------------------

def test_a_different_answer_splits_a_merge_and_a_same_answer_joins():
    a, b = rec(), rec(journal="J Bone Miner Res")
    assert partition([a, b]) == [[0, 1]]
    assert partition([a, b], [Decision("k0", "k1", False)]) == [[0], [1]]
    c, d = rec(), rec(volume="99")
    assert partition([c, d]) == [[0], [1]]
    assert partition([c, d], [Decision("k0", "k1", True)]) == [[0, 1]]
    # the later answer wins
    assert partition([c, d], [Decision("k0", "k1", True), Decision("k1", "k0", False)]) == [[0], [1]]


# ---- merged record ------------------------------------------------------------------

def test_merge_keeps_every_id_and_source_and_the_most_complete_values():
    a = rec(pmid="25123456", abstract="", journal="J Bone Miner Res", database="PubMed",
            source=Source(file="pubmed.txt", position=3))
    b = rec(doi="10.1002/jbmr.2412", abstract="Background: a longer abstract.", database="Scopus",
            source=Source(file="scopus.csv", position=7), keywords=["fracture"])
    m = merge([a, b])
    assert m.member_ids == ["pmid:25123456", "doi:10.1002/jbmr.2412"]
    assert [s.file for s in m.sources] == ["pubmed.txt", "scopus.csv"]
    assert m.databases == ["PubMed", "Scopus"]
    assert m.record.pmid == "25123456" and m.record.doi == "10.1002/jbmr.2412"
    assert m.record.journal == "Journal of Bone and Mineral Research"
    assert m.record.abstract == "Background: a longer abstract."
    assert m.record.keywords == ["fracture"]


# ---- garbled pages that are not a conflict (forms seen in real exports) -------------

def test_tolerated_page_forms_are_not_a_conflict():
    # each pair: same article, pages as two databases wrote them
    for p1, p2 in (
        ("L37-L48", "Suppl-48"),  # first page lost, last page kept
        ("567-569", "569"),  # one database gives only the last page
        ("969-972", "a1754"),  # printed pages vs an article number
        ("1-6", "e12724"),  # a PDF's own pages vs the article number
        ("2665-2668", "t-8"),  # truncated cell keeps the last digit
        ("611-618", "11-Sep"),  # a spreadsheet turned "9-11" into a date: pages unusable
    ):
        assert status(rec(pages=p1), rec(pages=p2)) == DUPLICATE, (p1, p2)
    # but a plainly different first page still is one
    assert status(rec(pages="611-618"), rec(pages="612-618")) == DUPLICATE  # same last page
    assert status(rec(pages="611-618"), rec(pages="612-619")) == DISTINCT


def test_same_conference_abstract_flagged_by_one_database_only():
    a = rec(journal="Circulation. Conference: American Heart Association", volume="130", issue="", pages="")
    b = rec(journal="Circulation", volume="130", issue="SUPPL. 2", pages="")
    assert status(a, b) == DUPLICATE


def test_first_page_letters_are_compared_without_case():
    # Web of Science writes the article number "E1872", other databases "e1872".
    assert keys_for(rec(pages="E1872")).page == keys_for(rec(pages="e1872")).page
    assert status(rec(pages="E1872"), rec(pages="e1872")) == DUPLICATE


def test_a_letter_i_read_as_the_digit_1_is_not_a_page_conflict():
    # Supplement page "i428" (Nephrol Dial Transplant) that another database wrote "1428".
    a = rec(doi="10.1093/ndt/gfw188.21", volume="31", issue="Suppl 1", pages="i428")
    b = rec(doi="10.1093/ndt/gfw188.21", volume="31", issue="Suppl 1", pages="1428")
    assert status(a, b) == DUPLICATE
    # a different number is still a different page: left for a person, not merged
    assert status(a, rec(doi="10.1093/ndt/gfw188.21", volume="31", issue="Suppl 1", pages="1429")) == POSSIBLE


# ---- a heading added to the title by one database ----------------------------------

SHORT = "Atypical hemolytic uremic syndrome"


def test_heading_before_the_title_with_the_same_page_range_is_a_duplicate():
    # "MEDICAL PROGRESS" is a section heading Web of Science puts before the title; the
    # title score falls below 85, but volume, first AND last page, year and authors agree.
    a = rec(title=SHORT, volume="361", issue="17", pages="1676-1687")
    b = rec(title="MEDICAL PROGRESS " + SHORT, volume="361", issue="17", pages="1676-1687")
    assert status(a, b) == DUPLICATE
    assert partition([a, b]) == [[0, 1]]


def test_heading_rule_needs_the_whole_page_range_and_the_authors():
    a = rec(title=SHORT, volume="361", pages="1676-1687")
    longer = "MEDICAL PROGRESS " + SHORT
    # only a first page: not enough to make up for the title
    assert status(rec(title=SHORT, volume="361", pages="1676"), rec(title=longer, volume="361", pages="1676")) == DISTINCT
    # the last page differs
    assert status(a, rec(title=longer, volume="361", pages="1676-1680")) == DISTINCT
    # other authors
    assert status(a, rec(title=longer, volume="361", pages="1676-1687", authors=["Brown, K", "White, P"])) == DISTINCT


EBERHARDT_A = ("[Neoadjuvant chemotherapy and chemoradiotherapy in locally advanced stage IIIA and IIIB "
               "of non-small-cell bronchial carcinoma (the Essen concept)]")
EBERHARDT_B = ("Neoadjuvant chemotherapy and chemoradiotherapy in locally advanced stages IIIA and IIIB of "
               "non-small cell lung cancer (treatment protocol of Essen University Hospital)")


def test_translated_title_with_the_same_journal_volume_page_range_and_authors_is_a_duplicate():
    # Eberhardt 1997, Praxis 86:1647-1653, as two databases title it (a bracketed translation
    # and the journal's English title): the title score is below 85, but journal, volume,
    # first AND last page, year and authors agree.
    a = rec(title=EBERHARDT_A, authors=["Eberhardt, W"], year=1997, journal="Praxis", volume="86", issue="", pages="1647-1653")
    b = rec(title=EBERHARDT_B, authors=["Eberhardt, W"], year=1997, journal="Schweizerische Rundschau Fur Medizin/Praxis",
            volume="86", issue="", pages="1647-1653")
    assert status(a, b) == DUPLICATE


def test_reworded_title_rule_needs_the_whole_range_the_same_first_author_and_some_title_overlap():
    def pair(title_b=EBERHARDT_B, pages="1647-1653", authors=("Eberhardt, W",)):
        a = rec(title=EBERHARDT_A, authors=["Eberhardt, W"], year=1997, journal="Praxis", volume="86", issue="",
                pages=pages)
        b = rec(title=title_b, authors=list(authors), year=1997, journal="Praxis", volume="86", issue="", pages=pages)
        return status(a, b)

    assert pair() == DUPLICATE
    assert pair(pages="1647") == DISTINCT  # a single page, not a range
    assert pair(authors=("Brown, K",)) == DISTINCT  # another first author
    # an unrelated title on the same pages (a data error in one record) stays apart
    assert pair(title_b="Sodium glucose cotransporter 2 inhibitors and heart failure") == DISTINCT
