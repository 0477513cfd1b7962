"""Simulation: metrics on a hand-made order, label column errors, an end-to-end run."""

from __future__ import annotations

import json

import pytest

from review.errors import InputError
from review.screening import simulate as sim

# A hand-made screening order of N = 40 records with R = 20 relevant:
# 10 relevant, 10 irrelevant, 9 relevant, 10 irrelevant, 1 relevant.
ORDER = [1] * 10 + [0] * 10 + [1] * 9 + [0] * 10 + [1]


def test_metrics_by_hand():
    # 95 % recall needs ceil(0.95 * 20) = 19 relevant: the 19th is record 10 + 10 + 9 = 29.
    assert sim.n_to_recall(ORDER, 0.95) == 29
    # WSS@95 = (40 - 29) / 40 - (1 - 0.95) = 0.275 - 0.05 = 0.225
    assert sim.wss(ORDER, 0.95) == pytest.approx(0.225)
    # 100 % recall at the last record: WSS@100 = (40 - 40) / 40 - 0 = 0
    assert sim.wss(ORDER, 1.0) == pytest.approx(0.0)
    # RRF@10: the first ceil(0.1 * 40) = 4 records hold 4 of the 20 relevant = 0.2
    assert sim.rrf(ORDER, 0.10) == pytest.approx(0.2)


def test_metrics_random_like_order_saves_nothing():
    # Relevant records evenly spread (every 5th of 100, R = 20): 19th relevant at record 95,
    # WSS@95 = (100 - 95)/100 - 0.05 = 0.
    order = [1 if i % 5 == 4 else 0 for i in range(100)]
    assert sim.wss(order, 0.95) == pytest.approx(0.0)


@pytest.mark.parametrize("value,expected", [
    ("1", 1), ("0", 0), ("Yes", 1), ("no", 0), ("included", 1), ("Excluded", 0),
    ("TRUE", 1), ("false", 0), (" 1 ", 1), ("maybe", None), ("2", None), ("", None),
])
def test_parse_label(value, expected):
    assert sim.parse_label(value) == expected


def test_bad_labels_name_column_and_rows(data_dir):
    with pytest.raises(InputError) as err:
        sim.read_labelled(data_dir / "screening_sim" / "bad_labels.csv", "included")
    msg = str(err.value)
    # "maybe" is on line 4 and the empty cell on line 5 of the file; "excluded" (line 6) is fine.
    assert "'included'" in msg and "lines 4, 5" in msg and "2 row(s)" in msg
    assert err.value.field == "included"


def test_missing_label_column_lists_columns(data_dir):
    with pytest.raises(InputError) as err:
        sim.read_labelled(data_dir / "screening_sim" / "labelled.csv", "label")
    assert "no label column 'label'" in str(err.value) and "included" in str(err.value)


def test_one_class_only_is_an_error(tmp_path):
    f = tmp_path / "all_no.csv"
    f.write_text("title,abstract,inc\nA trial,Text one,no\nAnother,Text two,no\n", encoding="utf-8")
    with pytest.raises(InputError, match="no relevant"):
        sim.read_labelled(f, "inc")


def test_ris_with_label_tag(data_dir):
    data = sim.read_labelled(data_dir / "screening_sim" / "labelled.ris", "N1")
    assert data.labels == [1, 0, 1, 0]


def test_end_to_end_simulation(data_dir, tmp_path):
    data = sim.read_labelled(data_dir / "screening_sim" / "labelled.csv", "included")
    # The fixture: 56 records, 8 relevant (exercise for depression trials, one without an
    # abstract), 48 irrelevant on seven unrelated topics.
    assert len(data.labels) == 56 and data.n_relevant == 8
    results = sim.simulate(data, seed=0, runs=3)
    for r in results:
        assert sorted(r.order) == list(range(56))
        assert r.order[:2] == sim.start_records(data.labels, r.seed)
        # The relevant records share a vocabulary no irrelevant one has: after the starting
        # pair (one relevant, one irrelevant) the other 7 relevant come next, so all 8 are in
        # the first 9 and 95 % recall (ceil(7.6) = 8 records) is reached at record 9.
        assert sum(data.labels[i] for i in r.order[:9]) == 8
        assert r.n_screened_95 == 9 and r.wss100 == pytest.approx((56 - 9) / 56)
        assert 8 <= r.stop_n <= 56 and r.stop_recall == 1.0
    out = sim.plot_curve(results, data.labels, tmp_path / "curve.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_json(data_dir, tmp_path, capsys):
    typer = pytest.importorskip("typer")
    from typer.testing import CliRunner

    from review.screening.simulate_command import register

    app = typer.Typer()

    @app.callback()
    def _group():
        """screen"""

    register(app)
    curve = tmp_path / "c.png"
    res = CliRunner().invoke(app, ["simulate", str(data_dir / "screening_sim" / "labelled.csv"),
                                   "--label-column", "included", "--runs", "2", "--seed", "5",
                                   "--json", "--curve", str(curve)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert [r["seed"] for r in out["runs"]] == [5, 6]
    for key in sim.KEYS:
        assert key in out["runs"][0] and key in out["mean"]
    assert out["mean"]["n_screened_95"] == pytest.approx(9)
    assert curve.exists()


def test_cli_bad_labels_exit_code(tmp_path, data_dir):
    """Through the real entry point: one line naming the column and the lines, exit 2."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "review", "screen", "simulate",
                          str(data_dir / "screening_sim" / "bad_labels.csv"), "--label-column", "included"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert "lines 4, 5" in out.stderr and "included" in out.stderr
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1
