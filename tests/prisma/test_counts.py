"""PRISMA counts: the example review against a count made by hand, and the arithmetic checks."""

from __future__ import annotations

import dataclasses

import pytest

from review.prisma.counts import PrismaError, ReviewState, SourceInfo, Work, check, count
from tests.prisma.example import example_state

DB = SourceInfo("db", "Database A", "database")
CIT = SourceInfo("cit", "Citation searching", "citation")


def test_example_review_counts_made_by_hand():
    c = count(example_state())
    db, oth = c.databases, c.other
    # Identification: the export files hold PubMed 70, Scopus 75, WoS 60 records (example_truth
    # counts.records_per_file) and citation searching 10.
    assert db.identified == [("PubMed", "database", 70), ("Scopus", "database", 75),
                             ("Web of Science Core Collection", "database", 60)]
    assert oth.identified == [("Citation searching", "citation", 10)]
    # 121 works were found by at least one database (presence patterns P 22 + PS 16 + PSW 26 + PW 6
    # + S 23 + SW 10 + W 18 = 121), so 205 - 121 = 84 database records are duplicates.
    assert db.duplicates == 84 and db.removed_automation == 0 and db.removed_other == 0
    assert db.screened == 121
    # Excluded on title/abstract: the 4 "excluded_ta" works (all in PubMed/Scopus) and the 92
    # "irrelevant" works less nguyen2024, the one irrelevant work found only by citation searching:
    # 4 + 91 = 95; so 121 - 95 = 26 reports sought.
    assert (db.excluded, db.excluded_person, db.excluded_automation) == (95, 95, 0)
    assert db.sought == 26 and db.not_retrieved == 0 and db.assessed == 26
    # The 18 "excluded_ft" works, less the 5 found only by citation searching (eikrem2022thesis,
    # hargreaves2023, lombardi2018, park2021, raghavan2022), leave 13 in the databases column;
    # by the first words of their category:
    #   review article: ferrante2020a, ferrante2020b, nakamura2024, pemberton2021 -> 4
    #   animal study: kessler2020, liang2017 -> 2;  no comparison group: claes2020, zhou2022 -> 2
    #   phantom/technical MRI study: delgado2019, tang2022 -> 2
    #   wrong population: vandenberghe2023b, whitaker2021 -> 2;  conference abstract: okafor2020abs -> 1
    assert dict(db.reasons) == {"Review article": 4, "Animal study": 2, "No comparison group": 2,
                                "Phantom/technical MRI study": 2, "Wrong population": 2,
                                "Conference abstract": 1}
    assert db.reasons[0] == ("Review article", 4)  # most frequent first
    # 26 assessed - 13 excluded = 13 included reports: the 14 included works less rahimi2021
    # (citation searching only).
    assert db.included_reports == 13
    # Other methods: 10 citation records; kowalczyk2020, demir2022 and pemberton2021 were already
    # found by the databases (3 duplicates); 7 works remain, nguyen2024 is excluded on title and
    # abstract, 6 are sought and assessed, 5 excluded (one each: thesis, book chapter, post-mortem
    # study, NMOSD/MOGAD, cognition only), rahimi2021 included.
    assert oth.duplicates == 3 and oth.screened == 7 and oth.excluded == 1
    assert oth.sought == 6 and oth.assessed == 6 and oth.reports_excluded == 5
    assert dict(oth.reasons) == {"Wrong publication type": 1, "Review article": 1, "No comparison group": 1,
                                 "Wrong population": 1, "Wrong outcome": 1}
    assert oth.included_reports == 1
    # Included: 14 reports of 13 studies (S01 has two reports: halvorsen2019 and halvorsen2023).
    assert (c.studies, c.reports) == (13, 14)
    assert not c.updated and c.total_studies == 13


def test_example_ids_behind_the_boxes():
    c = count(example_state())
    assert sorted(c.ids["other.duplicates"]) == ["citations:demir2022", "citations:kowalczyk2020",
                                                 "citations:pemberton2021"]
    assert c.ids["other.excluded_person"] == ["nguyen2024"]
    assert sorted(c.ids["included_studies"]) == [f"S{i:02d}" for i in range(1, 14)]
    assert set(c.ids["included_reports"]) >= {"halvorsen2019", "halvorsen2023", "rahimi2021"}
    assert len(c.ids["dbr.identified.pubmed"]) == 70


def _state(works, sources=(DB,), **kw):
    return ReviewState(list(sources), list(works), **kw)


def test_full_text_decision_after_title_abstract_exclusion_names_the_record():
    works = [Work("w1", (("r1", "db"),), title_abstract="exclude", full_text="include"),
             Work("w2", (("r2", "db"),), title_abstract="include", full_text="include")]
    with pytest.raises(PrismaError) as err:
        count(_state(works))
    assert "w1" in str(err.value) and "excluded at title-abstract" in str(err.value)
    assert "w2" not in " ".join(err.value.problems)


def test_missing_decisions_name_the_box_and_the_record():
    works = [Work("w1", (("r1", "db"),)),  # never screened
             Work("w2", (("r2", "db"),), title_abstract="include"),  # no full-text decision
             Work("w3", (("r3", "db"),), title_abstract="conflict"),
             Work("w4", (("r4", "db"),), title_abstract="include", full_text="maybe"),
             Work("w5", (("r5", "db"),))]
    with pytest.raises(PrismaError) as err:
        count(_state(works))
    assert err.value.problems == [
        "Records screened: no title-abstract decision on 2 works: w1, w5",
        "Records screened: no title-abstract decision (reviewers disagree, not resolved) on work: w3",
        "Reports sought for retrieval: no full-text decision on work: w2",
        "Reports sought for retrieval: no full-text decision (maybe, not resolved) on work: w4",
    ]
    assert str(err.value).count("; ") == 3


def test_decision_on_a_record_removed_before_screening():
    works = [Work("w1", (("r1", "db"),), removed="automation", title_abstract="exclude")]
    with pytest.raises(PrismaError, match="w1 was removed before screening"):
        count(_state(works))


def test_unknown_source_is_an_error():
    with pytest.raises(PrismaError, match="records r1 come from sources not in the protocol: nowhere"):
        count(_state([Work("w1", (("r1", "nowhere"),), title_abstract="exclude")]))


def _small():
    works = [
        Work("w1", (("r1", "db"), ("r1b", "db"), ("c1", "cit")), title_abstract="include", full_text="include"),
        Work("w2", (("r2", "db"),), title_abstract="exclude", excluded_by="automation"),
        Work("w3", (("r3", "db"),), title_abstract="include", full_text="not_retrieved"),
        Work("w4", (("r4", "db"),), title_abstract="include", full_text="exclude", reason=""),
        Work("w5", (("r5", "db"),), removed="other"),
        Work("c2", (("c2", "cit"),), full_text="include", study="S1"),  # straight to retrieval
        Work("w6", (("r6", "db"),), title_abstract="include", full_text="include", study="S1"),
    ]
    return _state(works, (DB, CIT), previous_studies=4, previous_reports=6)


def test_small_review_by_hand():
    c = count(_small())
    db, oth = c.databases, c.other
    # 7 database records (r1, r1b, r2..r6) in 6 works: 1 duplicate; w5 removed for other reasons
    assert (db.identified_total, db.duplicates, db.removed_other, db.screened) == (7, 1, 1, 5)
    assert (db.excluded_automation, db.excluded_person, db.sought) == (1, 0, 4)
    assert (db.not_retrieved, db.assessed, db.reasons, db.included_reports) == (1, 3, [("Reason not recorded", 1)], 2)
    # citation records c1 (already in w1) and c2: 1 duplicate, c2 goes to retrieval unscreened
    assert (oth.identified_total, oth.duplicates, oth.screened, oth.unscreened, oth.sought) == (2, 1, 0, 1, 1)
    # included: w1 (its own study), w6 and c2 (study S1) -> 2 studies, 3 reports; + previous 4/6
    assert (c.studies, c.reports, c.total_studies, c.total_reports) == (2, 3, 6, 9)


@pytest.mark.parametrize("box, value, names", [
    ("screened", 6, "Records identified (7) - Records removed before screening (2) = 5, but Records screened is 6"),
    ("sought", 3, "Records screened (5) - Records excluded (1) = 4, but Reports sought for retrieval is 3"),
    ("assessed", 2, "Reports sought for retrieval (4) - Reports not retrieved (1) = 3, but Reports assessed"),
    ("included_reports", 1, "Reports assessed for eligibility (3) - Reports excluded (1) = 2, but it has 1"),
])
def test_arithmetic_mismatch_names_the_boxes(box, value, names):
    c = count(_small())
    c.ids.pop(f"dbr.{box}")  # a typed-in count has no ids behind it
    c.databases = dataclasses.replace(c.databases, **{box: value})
    with pytest.raises(PrismaError) as err:
        check(c)
    assert any(names in p for p in err.value.problems), err.value.problems


def test_box_count_must_match_the_ids_behind_it():
    c = count(_small())
    c.ids["dbr.assessed"] = c.ids["dbr.assessed"][:-1]
    with pytest.raises(PrismaError, match="dbr.assessed says 3 but 2 records"):
        check(c)


def test_no_other_methods_column_without_other_sources():
    works = [Work("w1", (("r1", "db"),), title_abstract="exclude")]
    c = count(_state(works))
    assert c.other is None and c.studies == 0 and c.databases.sought == 0


def test_a_search_with_no_records_is_listed_with_zero():
    empty = SourceInfo("empty", "CINAHL", "database")
    c = count(_state([Work("w1", (("r1", "db"),), title_abstract="exclude")], (DB, empty)))
    assert c.databases.identified[1] == ("CINAHL", "database", 0)
