"""prisma.json (every count and the ids behind each box) and prisma.csv for the PRISMA2020 tools.

prisma.csv is the input format of the PRISMA2020 R package and Shiny app
(Haddaway et al. 2022, Campbell Systematic Reviews 18:e1230): columns
``data,node,box,description,boxtext,tooltips,url,n``, one row per `data` key
(database_results, duplicates, records_screened, dbr_excluded as
"Reason, n; Reason, n", ...). The rows and their node/box/url values follow
the package's template file (inst/extdata/PRISMA.csv); only ``n`` is ours.

What the CSV cannot hold: the other-methods column's own duplicates and
title-abstract screening (the template has no box for them), so the app's
other-methods column starts at "Reports sought for retrieval"; sources of kind
"other" are added to citations_results. prisma.json and our diagram keep them.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from review.prisma.counts import ColumnCounts, PrismaCounts

CSV_COLUMNS = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")

# (data, node, box, description, boxtext, url) of the PRISMA2020 template rows
TEMPLATE = (
    ("NA", "node4", "prevstud", "Grey title box; Previous studies", "Previous studies", "prevstud.html"),
    ("previous_studies", "node5", "box1", "Studies included in previous version of review",
     "Studies included in previous version of review", "previous_studies.html"),
    ("previous_reports", "NA", "box1", "Reports of studies included in previous version of review",
     "Reports of studies included in previous version of review", "previous_reports.html"),
    ("NA", "node6", "newstud", "Yellow title box; Identification of new studies via databases and registers",
     "Identification of new studies via databases and registers", "newstud.html"),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases", "database_results.html"),
    ("database_specific_results", "NA", "box2", "Records identified from: specific databases",
     "Specific Databases", "database_results.html"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers", "NA"),
    ("register_specific_results", "NA", "box2", "Records identified from: specific registers",
     "Specific Registers", "database_results.html"),
    ("NA", "node16", "othstud", "Grey title box; Identification of new studies via other methods",
     "Identification of new studies via other methods", "othstud.html"),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites", "website_results.html"),
    ("organisation_results", "NA", "box11", "Records identified from: Organisations", "Organisations", "NA"),
    ("citations_results", "NA", "box11", "Records identified from: Citation searching", "Citation searching", "NA"),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records", "duplicates.html"),
    ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools",
     "Records marked as ineligible by automation tools", "NA"),
    ("excluded_other", "NA", "box3", "Records removed for other reasons", "Records removed for other reasons", "NA"),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)", "Records screened",
     "records_screened.html"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)", "Records excluded",
     "records_excluded.html"),
    ("dbr_sought_reports", "node11", "box6", "Reports sought for retrieval (databases and registers)",
     "Reports sought for retrieval", "dbr_sought_reports.html"),
    ("dbr_notretrieved_reports", "node12", "box7", "Reports not retrieved (databases and registers)",
     "Reports not retrieved", "dbr_notretrieved_reports.html"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)",
     "Reports sought for retrieval", "other_sought_reports.html"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)", "Reports not retrieved",
     "other_notretrieved_reports.html"),
    ("dbr_assessed", "node13", "box8", "Reports assessed for eligibility (databases and registers)",
     "Reports assessed for eligibility", "dbr_assessed.html"),
    ("dbr_excluded", "node14", "box9", "Reports excluded (databases and registers): reasons and numbers separated by ;",
     "Reports excluded", "dbrexcludedrecords.html"),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)",
     "Reports assessed for eligibility", "other_assessed.html"),
    ("other_excluded", "node21", "box15", "Reports excluded (other): reasons and numbers separated by ;",
     "Reports excluded", "other_excluded.html"),
    ("new_studies", "node15", "box10", "New studies included in review", "New studies included in review",
     "new_studies.html"),
    ("new_reports", "NA", "box10", "Reports of new included studies", "Reports of new included studies", "NA"),
    ("total_studies", "node22", "box16", "Total studies included in review", "Total studies included in review",
     "total_studies.html"),
    ("total_reports", "NA", "box16", "Reports of total included studies", "Reports of total included studies", "NA"),
    ("identification", "node1", "identification", "Blue identification box", "Identification", "identification.html"),
    ("screening", "node2", "screening", "Blue screening box", "Screening", "screening.html"),
    ("included", "node3", "included", "Blue included box", "Included", "included.html"),
)


def _clean(label: str) -> str:
    """A label safe inside "Label, n; Label, n" (no commas or semicolons)."""
    return " ".join(label.replace(",", " ").replace(";", " ").split())


def _pairs(items: list[tuple[str, int]]) -> str:
    return "; ".join(f"{_clean(label)}, {k}" for label, k in items)


def csv_values(counts: PrismaCounts) -> dict[str, Any]:
    """The `n` of every PRISMA2020 `data` key."""
    db = counts.databases
    oth = counts.other or ColumnCounts()
    databases = [(label, k) for label, kind, k in db.identified if kind == "database"]
    registers = [(label, k) for label, kind, k in db.identified if kind == "register"]
    prev = counts.updated
    return {
        "previous_studies": counts.previous_studies if prev and counts.previous_studies is not None else "NA",
        "previous_reports": counts.previous_reports if prev and counts.previous_reports is not None else "NA",
        "database_results": sum(k for _, k in databases),
        "database_specific_results": _pairs(databases),
        "register_results": sum(k for _, k in registers),
        "register_specific_results": _pairs(registers),
        "website_results": oth.kind_total("website"),
        "organisation_results": oth.kind_total("organisation"),
        "citations_results": oth.kind_total("citation", "other"),
        "duplicates": db.duplicates,
        "excluded_automatic": db.removed_automation,
        "excluded_other": db.removed_other,
        "records_screened": db.screened,
        "records_excluded": db.excluded,
        "dbr_sought_reports": db.sought,
        "dbr_notretrieved_reports": db.not_retrieved,
        "other_sought_reports": oth.sought,
        "other_notretrieved_reports": oth.not_retrieved,
        "dbr_assessed": db.assessed,
        "dbr_excluded": _pairs(db.reasons),
        "other_assessed": oth.assessed,
        "other_excluded": _pairs(oth.reasons),
        "new_studies": counts.studies,
        "new_reports": counts.reports,
        "total_studies": counts.total_studies,
        "total_reports": counts.total_reports,
    }


def to_csv(counts: PrismaCounts) -> str:
    """prisma.csv text (comma separated, quoted where needed, \\n line ends)."""
    values = csv_values(counts)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for data, node, box, description, boxtext, url in TEMPLATE:
        tooltip = description if node != "NA" else "NA"
        w.writerow([data, node, box, description, boxtext, tooltip, url, values.get(data, 0)])
    return buf.getvalue()


def _column(c: ColumnCounts, other: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "identified": [{"label": label, "kind": kind, "n": k} for label, kind, k in c.identified],
    }
    if not other:
        out["databases"] = c.kind_total("database")
        out["registers"] = c.kind_total("register")
    out.update(
        duplicates=c.duplicates,
        removed_automation=c.removed_automation,
        removed_other=c.removed_other,
        screened=c.screened,
        excluded=c.excluded,
        excluded_person=c.excluded_person,
        excluded_automation=c.excluded_automation,
        sought=c.sought,
        not_retrieved=c.not_retrieved,
        assessed=c.assessed,
        reports_excluded=c.reports_excluded,
        reasons=[{"reason": label, "n": k} for label, k in c.reasons],
    )
    if c.unscreened and c.screened:  # drawn only when some were screened and some not
        out["sent_to_retrieval_unscreened"] = c.unscreened
    return out


def to_dict(counts: PrismaCounts) -> dict[str, Any]:
    """Every count (as drawn) and, under "records", the ids behind each box.

    Ids are record ids for the identification and duplicate boxes, work ids
    from "screened" on, study ids for "included_studies".
    """
    return {
        "databases_and_registers": _column(counts.databases, False),
        "other_methods": _column(counts.other, True) if counts.other is not None else None,
        "included": {
            "studies": counts.studies,
            "reports": counts.reports,
            "previous_studies": counts.previous_studies,
            "previous_reports": counts.previous_reports,
            "total_studies": counts.total_studies if counts.updated else None,
            "total_reports": counts.total_reports if counts.updated else None,
        },
        "records": {box: list(ids) for box, ids in sorted(counts.ids.items())},
    }


def to_json(counts: PrismaCounts) -> str:
    return json.dumps(to_dict(counts), indent=2, ensure_ascii=False) + "\n"
