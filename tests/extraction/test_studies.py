"""records/extraction/_studies.csv."""

from __future__ import annotations

import pytest

from review.errors import InputError
from review.extraction.studies import read_studies


def _write(root, text):
    (root / "records/extraction").mkdir(parents=True, exist_ok=True)
    (root / "records/extraction/_studies.csv").write_text(text, encoding="utf-8")


def test_read(tmp_path):
    _write(tmp_path, "study,label,reports\nhalvorsen2019,Halvorsen 2019,halvorsen2019;halvorsen2023\nokafor2021,,okafor2021\n\n")
    assert read_studies(tmp_path) == {"halvorsen2019": "Halvorsen 2019", "okafor2021": "okafor2021"}


@pytest.mark.parametrize("text,match,line", [
    ("id,label\n", "header", 1),
    ("study,label\na b,X\n", "must be letters", 2),
    ("study,label\na,X\nb,Y\na,Z\n", "listed twice", 4),
])
def test_bad(tmp_path, text, match, line):
    _write(tmp_path, text)
    with pytest.raises(InputError, match=match) as info:
        read_studies(tmp_path)
    assert info.value.line == line


def test_missing(tmp_path):
    with pytest.raises(InputError, match="no list of studies"):
        read_studies(tmp_path)


# ---- linking reports into studies (no review folder needed: reports are given) --------------

from review.extraction.studies import Report, complete_rows, default_id, link, read_study_rows  # noqa: E402

REPORTS = [Report("pmid:1", "Halvorsen", 2019), Report("pmid:2", "Halvorsen", 2023),
           Report("doi:10.1/x", "Schlüter-Brandt", 2024), Report("pmid:3", "Smith", 2020),
           Report("pmid:4", "Smith", 2020)]


def test_default_ids():
    assert [default_id(r) for r in REPORTS[:3]] == ["halvorsen2019", "halvorsen2023", "schluterbrandt2024"]
    rows = complete_rows([], REPORTS)
    # two unlinked reports by Smith 2020: the second gets a letter
    assert [r.id for r in rows] == ["halvorsen2019", "halvorsen2023", "schluterbrandt2024", "smith2020", "smith2020b"]
    assert rows[2].label == "Schlüter-Brandt 2024"


def test_link_moves_a_report_and_keeps_the_rest(tmp_path):
    row, wid = link(tmp_path, "pmid:2", "halvorsen2019", reports=REPORTS)
    assert (row.id, row.reports, wid) == ("halvorsen2019", ["pmid:1", "pmid:2"], "pmid:2")
    rows = read_study_rows(tmp_path)
    assert len(rows) == 4 and sum(len(r.reports) for r in rows) == 5
    # moving it again to a new study leaves halvorsen2019 with one report; a label can be given
    row, _ = link(tmp_path, "pmid:2", "S99", label="Halvorsen 2023 (follow-up)", reports=REPORTS)
    got = {r.id: (r.label, r.reports) for r in read_study_rows(tmp_path)}
    assert got["halvorsen2019"] == ("Halvorsen 2019", ["pmid:1"])
    assert got["S99"] == ("Halvorsen 2023 (follow-up)", ["pmid:2"])
    assert read_studies(tmp_path)["S99"] == "Halvorsen 2023 (follow-up)"


def test_link_bad_study_id(tmp_path):
    with pytest.raises(InputError, match="must be letters"):
        link(tmp_path, "pmid:2", "a b", reports=REPORTS)
    assert not (tmp_path / "records/extraction/_studies.csv").exists()
