"""The pooled results table: formatting rules and the CSV / Markdown / HTML writers.

Inputs are hand-made result objects (no model fitting), so the expected strings
are simply the rounding rules applied by hand to the numbers written here.
"""

from __future__ import annotations

import csv
import io
import json
import math
from html.parser import HTMLParser

import pandas as pd
import pytest

from review.pool.api import MetaAnalysis
from review.pool.tables import (
    COLUMNS, fmt_ci, fmt_count, fmt_i2, fmt_num, fmt_p, fmt_tau2, format_results, results_frame,
    to_csv, to_html, to_markdown, write_tables,
)


def fake(measure="RR", method="REML", outcome="Mortality", k=13, n=357347.0, est=math.log(0.4894),
         lo=math.log(0.3441), hi=math.log(0.6962), p=7.05e-05, i2=92.2, tau2=0.3132,
         pi=(math.log(0.1546), math.log(1.549))) -> MetaAnalysis:
    summary = pd.DataFrame([{
        "k": k, "estimate": est, "se": 0.18, "ci_lower": lo, "ci_upper": hi, "pval": p, "tau2": tau2,
        "tau2_ci_lower": None, "tau2_ci_upper": None, "i2": i2, "h2": 12.9, "q": 152.2, "q_df": k - 1,
        "q_pval": 2e-26, "pi_lower": pi[0] if pi else None, "pi_upper": pi[1] if pi else None,
        "stat": -3.97, "stat_type": "z", "df": None, "tau": math.sqrt(tau2), "n": n,
        "measure": measure, "method": method,
    }])
    studies = pd.DataFrame({"study": ["A"], "yi": [est], "vi": [0.1], "weight_pct": [100.0]})
    return MetaAnalysis(measure=measure, method=method, hk=False, level=95, studies=studies,
                        summary=summary, outcome=outcome, ratio=measure in ("RR", "OR"))


@pytest.mark.parametrize("p,text", [
    (7.05e-05, "0.00007"), (3e-6, "< 0.00001"), (0.00034, "0.0003"), (0.0042, "0.004"),
    (0.049, "0.05"), (0.39, "0.39"), (0.999, "1.00"), (None, ""), (float("nan"), ""),
])
def test_fmt_p(p, text):
    assert fmt_p(p) == text


def test_number_formats():
    assert fmt_num(-0.001) == "0.00"          # no "-0.00"
    assert fmt_num(1.005, 3) == "1.005"
    assert fmt_ci(0.4894, 0.3441, 0.6962) == "0.49 [0.34, 0.70]"
    assert fmt_ci(0.4894, 0.3441, 0.6962, style="words") == "0.49 (0.34 to 0.70)"
    assert fmt_ci(float("nan"), 1, 2) == "Not estimable"
    assert fmt_tau2(0.3132) == "0.31" and fmt_tau2(0.0081) == "0.0081" and fmt_tau2(0) == "0"
    assert fmt_tau2(7.5e-7) == "< 0.0001"
    assert fmt_i2(92.2) == "92%"
    assert fmt_count(13598.0) == "13598" and fmt_count(2.5961) == "2.596"


def test_results_frame_back_transforms_and_keeps_precision():
    frame = results_frame([fake()])
    assert frame.loc[0, "estimate"] == pytest.approx(0.4894)      # exp(log(0.4894))
    assert frame.loc[0, "pi_upper"] == pytest.approx(1.549)
    assert frame.loc[0, "k"] == 13 and frame.loc[0, "n"] == 357347


def test_formatted_row_like_a_published_table():
    table = format_results(results_frame([fake(), fake("SMD", "DL", "Pain", 5, 410.0, -0.456, -0.8, -0.11,
                                                       0.0105, 40.0, 0.05, None)]))
    assert list(table.columns) == list(COLUMNS)
    first = table.iloc[0].to_dict()
    assert first == {
        "Outcome": "Mortality", "Studies": "13", "Participants": "357347",
        "Effect (95% CI)": "RR 0.49 (0.34 to 0.70)", "P": "0.00007", "I²": "92%", "Tau²": "0.31",
        "95% prediction interval": "0.15 to 1.55",
    }
    second = table.iloc[1].to_dict()
    assert second["Effect (95% CI)"] == "SMD -0.46 (-0.80 to -0.11)"
    assert second["P"] == "0.01" and second["95% prediction interval"] == "NA"


def test_writers(tmp_path):
    analyses = [fake(), fake(outcome="Pipe | and <b>tag</b>")]
    table = format_results(results_frame(analyses))
    rows = list(csv.reader(io.StringIO(to_csv(table))))
    assert rows[0] == list(COLUMNS) and rows[1][3] == "RR 0.49 (0.34 to 0.70)"
    md = to_markdown(table).splitlines()
    assert md[0].startswith("| Outcome | Studies |") and md[1].startswith("| --- | ---: |")
    assert "Pipe \\| and" in md[3]                      # a pipe in a cell is escaped
    html_text = to_html(table, caption="Pooled results")
    assert "&lt;b&gt;tag&lt;/b&gt;" in html_text and "<b>tag" not in html_text

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.cells = []

        def handle_data(self, data):
            if data.strip():
                self.cells.append(data.strip())

    parser = Cells()
    parser.feed(html_text)
    assert "RR 0.49 (0.34 to 0.70)" in parser.cells

    paths = write_tables(analyses, tmp_path, names=["mort", "pipe"])
    assert sorted(p.name for p in paths.values()) == ["pooled.csv", "pooled.html", "pooled.json", "pooled.md"]
    blob = json.loads(paths["json"].read_text())
    assert [a["name"] for a in blob["analyses"]] == ["mort", "pipe"]
    assert blob["analyses"][0]["estimate"] == pytest.approx(math.log(0.4894))   # unrounded
    before = paths["csv"].stat().st_mtime_ns
    write_tables(analyses, tmp_path, names=["mort", "pipe"])                     # same content: untouched
    assert paths["csv"].stat().st_mtime_ns == before
