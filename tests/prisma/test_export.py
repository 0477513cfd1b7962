"""prisma.csv in the PRISMA2020 R package / web app format, and prisma.json."""

from __future__ import annotations

import csv
import io
import json

from review.prisma.counts import count
from review.prisma.export import to_csv, to_json
from tests.prisma.example import example_state
from tests.prisma.test_draw import stress_state

# the `data` keys of the PRISMA2020 package's template CSV (inst/extdata/PRISMA.csv)
KEYS = ("previous_studies previous_reports database_results database_specific_results register_results "
        "register_specific_results website_results organisation_results citations_results duplicates "
        "excluded_automatic excluded_other records_screened records_excluded dbr_sought_reports "
        "dbr_notretrieved_reports other_sought_reports other_notretrieved_reports dbr_assessed dbr_excluded "
        "other_assessed other_excluded new_studies new_reports total_studies total_reports").split()


def _rows(text: str) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    assert all(len(r) == 8 for r in rows)
    return {r[0]: r[7] for r in rows[1:] if r[0] != "NA"}


def test_example_csv_values():
    n = _rows(to_csv(count(example_state())))
    assert set(KEYS) <= set(n)
    # the hand count of test_counts.test_example_review_counts_made_by_hand
    expected = {"database_results": "205", "register_results": "0", "citations_results": "10",
                "website_results": "0", "organisation_results": "0", "duplicates": "84",
                "excluded_automatic": "0", "excluded_other": "0", "records_screened": "121",
                "records_excluded": "95", "dbr_sought_reports": "26", "dbr_notretrieved_reports": "0",
                "dbr_assessed": "26", "other_sought_reports": "6", "other_notretrieved_reports": "0",
                "other_assessed": "6", "new_studies": "13", "new_reports": "14",
                "previous_studies": "NA", "previous_reports": "NA"}
    assert {k: n[k] for k in expected} == expected
    assert n["database_specific_results"] == "PubMed, 70; Scopus, 75; Web of Science Core Collection, 60"
    assert n["dbr_excluded"] == ("Review article, 4; Animal study, 2; No comparison group, 2; "
                                 "Phantom/technical MRI study, 2; Wrong population, 2; Conference abstract, 1")
    assert n["other_excluded"].count(", 1") == 5


def test_csv_reason_with_a_comma_stays_one_pair():
    n = _rows(to_csv(count(stress_state())))
    pairs = n["dbr_excluded"].split("; ")
    assert len(pairs) == 12 and all(p.count(", ") == 1 for p in pairs)
    assert n["previous_studies"] == "7" and n["total_studies"] == str(7 + int(n["new_studies"]))
    # 40 + 2 * 12 = 64 works, every fifth (0, 5, ..., 60) also found in the register: 13 records
    assert n["register_results"] == "13" and n["register_specific_results"] == "ClinicalTrials.gov, 13"
    assert n["website_results"] == "2" and n["organisation_results"] == "0"


def test_json_holds_counts_and_ids():
    data = json.loads(to_json(count(example_state())))
    assert data["databases_and_registers"]["screened"] == 121
    assert data["other_methods"]["duplicates"] == 3
    assert data["included"] == {"studies": 13, "reports": 14, "previous_studies": None,
                                "previous_reports": None, "total_studies": None, "total_reports": None}
    assert len(data["records"]["dbr.screened"]) == 121
    assert len(data["records"]["dbr.duplicates"]) == 84
