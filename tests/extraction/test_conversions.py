"""Conversions against metafor's conv.fivenum (reference JSON), the Cochrane Handbook and tables."""

from __future__ import annotations

import csv
import json
import math
import statistics

import pytest

from review.errors import InputError
from review.extraction import conversions as cv


def _rows(shared_dir):
    ref = json.loads((shared_dir / "benchmarks/meta/metafor_reference.json").read_text())["fivenum"]
    with open(shared_dir / "benchmarks/meta/fivenum_rows.csv", newline="") as fh:
        rows = [{k: (None if v == "NA" else float(v)) for k, v in r.items()} for r in csv.DictReader(fh)]
    return ref, rows


def _convert(r, **kw):
    return cv.fivenum_to_mean_sd(r["n"], r["median"], q1=r["q1"], q3=r["q3"], min=r["min"], max=r["max"], **kw)


# metafor call name -> our (mean_method, sd_method, test)
CALLS = {
    "default": ("luo2018", "rec", False),
    "luo/wan/shi": ("luo2018", "rec", False),
    "luo2016+shi2020": ("luo2016", "shi2020", False),
    "wan2014": ("wan2014", "wan2014", False),
    "hozo2005": ("hozo2005", "hozo2005", False),
    "bland2015": ("bland2015", "bland2015", False),
    "walter2007": ("walter2007", "walter2007", False),
    "default_with_test": ("luo2018", "rec", True),
}


def test_csv_rows_match_the_json_rows(shared_dir):
    ref, rows = _rows(shared_dir)
    for key in ("min", "q1", "median", "q3", "max", "n"):
        assert [r[key] for r in rows] == ref["rows"][key]


@pytest.mark.parametrize("call", sorted(CALLS))
def test_every_metafor_call_and_row(shared_dir, call):
    ref, rows = _rows(shared_dir)
    want = ref["conv.fivenum"][call]
    mean_m, sd_m, test = CALLS[call]
    assert len(rows) == len(want["mean"]) == 6
    for i, r in enumerate(rows):
        got = _convert(r, mean_method=mean_m, sd_method=sd_m, test=test)
        for name, value, expected in (("mean", got.mean, want["mean"][i]), ("sd", got.sd, want["sd"][i])):
            if expected is None:
                assert value is None, f"{call} row {i + 1} {name}: metafor gives NA, we gave {value}"
            else:
                assert value == pytest.approx(expected, rel=1e-9, abs=1e-12), f"{call} row {i + 1} {name}"


def test_hand_coded_formula_block(shared_dir):
    ref, rows = _rows(shared_dir)
    f = ref["formulas"]
    for i, r in enumerate(rows):
        assert _convert(r, test=False).mean == pytest.approx(f["mean_luo2018_values"][i], rel=1e-12)
        assert _convert(r, mean_method="wan2014", test=False).mean == pytest.approx(f["mean_wan2014_values"][i], rel=1e-12)
        assert _convert(r, sd_method="wan2014", test=False).sd == pytest.approx(f["sd_wan2014_values"][i], rel=1e-9)
        sd_shi = _convert(r, sd_method="rec", test=False).sd
        assert sd_shi == pytest.approx(f["sd_shi2020_values"][i], rel=1e-9)


def test_skewed_rows_are_refused_with_a_reason(shared_dir):
    ref, rows = _rows(shared_dir)
    want = ref["conv.fivenum"]["default_with_test"]["mean"]
    for r, expected in zip(rows, want):
        got = _convert(r)
        assert got.skewed == (expected is None)
        if expected is None:
            assert not got.ok and "skewed" in got.reason


def test_skewness_statistic_by_hand():
    # Row 1 of fivenum_rows.csv: min 2, median 5, max 14, n 20.
    # T1 = |2 + 14 - 10| / 12 = 0.5; critical 1/ln(29) + 2.5/21 = 0.29698 + 0.11905 = 0.41603.
    t, crit = cv.skewness_test(20, 5, min=2, max=14)
    assert t == pytest.approx(0.5)
    assert crit == pytest.approx(1 / math.log(29) + 2.5 / 21)
    assert crit == pytest.approx(0.41603, abs=1e-5)


def test_symmetric_summary_gives_the_median_as_mean():
    # A symmetric five-number summary: every estimator of the mean returns the centre.
    for m in ("luo2018", "wan2014", "bland2015"):
        assert cv.fivenum_to_mean_sd(50, 10, q1=8, q3=12, min=4, max=16, mean_method=m).mean == pytest.approx(10)


def test_small_n_and_bad_order():
    assert cv.fivenum_to_mean_sd(4, 5, q1=4, q3=6).reason.startswith("n < 5")
    with pytest.raises(InputError, match="min <= q1"):
        cv.fivenum_to_mean_sd(30, 5, q1=6, q3=9)
    with pytest.raises(InputError, match="IQR"):
        cv.fivenum_to_mean_sd(30, 5)
    with pytest.raises(InputError, match="not one of"):
        cv.fivenum_to_mean_sd(30, 5, q1=4, q3=6, mean_method="nope")


@pytest.mark.parametrize("n,d2", [(2, 1.128), (3, 1.693), (4, 2.059), (5, 2.326), (10, 3.078), (25, 3.931)])
def test_expected_range_matches_control_chart_d2(n, d2):
    # d2(n), the mean range of n standard normal values, from any SPC table (e.g. ASTM E2587).
    assert cv.expected_range(n) == pytest.approx(d2, abs=5e-4)


def test_sd_from_se():
    # Handbook 6.5.2.2: SD = SE x sqrt(N); SE 2 with N 25 -> SD 10.
    assert cv.sd_from_se(2, 25) == pytest.approx(10)


def test_sd_from_ci_large_sample_uses_3_92():
    # Handbook 6.5.2.2: SD = sqrt(N) (upper - lower) / 3.92 for a 95% CI; N 100, CI width 3.92 -> SD 10.
    assert cv.sd_from_ci(10 - 1.96, 10 + 1.96, 100) == pytest.approx(10, rel=1e-4)


def test_sd_from_ci_small_sample_uses_t():
    # N 25 (< 60): divisor 2 t(0.975, 24) = 2 x 2.064 (t table) = 4.128.
    # CI width 4.128 with sqrt(25) = 5 -> SD 5.
    assert cv.ci_divisor(24) == pytest.approx(4.128, abs=2e-3)
    assert cv.sd_from_ci(0, 4.128, 25) == pytest.approx(5, abs=3e-3)
    # Forcing z gives 5 x 4.128 / 3.92 = 5.265.
    assert cv.sd_from_ci(0, 4.128, 25, small=False) == pytest.approx(5.2653, abs=1e-3)
    # 90% CI, large sample: divisor 3.29 (Handbook).
    assert cv.ci_divisor(None, level=0.90) == pytest.approx(3.29, abs=1e-2)
    # 99%: 5.15.
    assert cv.ci_divisor(None, level=0.99) == pytest.approx(5.15, abs=1e-2)


def test_sd_from_difference():
    # Handbook 6.5.2.3: SE of MD / sqrt(1/N1 + 1/N2). N1 = N2 = 50: sqrt(0.04) = 0.2; SE 1 -> SD 5.
    assert cv.sd_from_difference_se(1, 50, 50) == pytest.approx(5)
    # CI for the difference, N1 = N2 = 100 (z): width 3.92 -> SE 1 -> SD 1 / sqrt(0.02) = 7.0711.
    assert cv.sd_from_difference_ci(-1.96, 1.96, 100, 100) == pytest.approx(7.0711, abs=1e-3)
    # Small: N1 = N2 = 13, df 24, divisor 4.128 -> SE 1 -> SD 1 / sqrt(2/13) = 2.5495.
    assert cv.sd_from_difference_ci(0, 4.128, 13, 13) == pytest.approx(2.5495, abs=2e-3)
    with pytest.raises(InputError):
        cv.sd_from_ci(5, 4, 20)


def test_combine_groups_matches_raw_data():
    # Independent check: the combined mean/SD of two raw samples, computed from the raw values.
    a = [3.1, 4.7, 2.2, 5.9, 4.4, 3.8]
    b = [6.5, 7.2, 5.1, 8.8, 6.0]
    n, mean, sd = cv.combine_groups(len(a), statistics.mean(a), statistics.stdev(a),
                                    len(b), statistics.mean(b), statistics.stdev(b))
    assert n == 11
    assert mean == pytest.approx(statistics.mean(a + b))
    assert sd == pytest.approx(statistics.stdev(a + b))


def test_combine_equal_groups_by_hand():
    # N1 = N2 = 10, means 0 and 2, SDs 1: ((9 + 9) + 100/20 * 4) / 19 = 38/19 = 2 -> SD sqrt(2).
    n, mean, sd = cv.combine_groups(10, 0, 1, 10, 2, 1)
    assert (n, mean) == (20, 1)
    assert sd == pytest.approx(math.sqrt(2))


def test_note_names_the_methods():
    c = cv.fivenum_to_mean_sd(35, 6, q1=4, q3=9)
    assert c.ok and "Luo" in c.note() and "Wan" in c.note() and "IQR" in c.note()


from hypothesis import given, settings
from hypothesis import strategies as st

_values = st.lists(st.floats(-100, 100, allow_nan=False, allow_infinity=False), min_size=2, max_size=30)


@settings(max_examples=100, deadline=None)
@given(_values, _values)
def test_combine_groups_property(a, b):
    # For any two raw samples the Table 6.5.a formula gives the SD of the pooled raw data.
    n, mean, sd = cv.combine_groups(len(a), statistics.fmean(a), statistics.stdev(a),
                                    len(b), statistics.fmean(b), statistics.stdev(b))
    assert mean == pytest.approx(statistics.fmean(a + b), abs=1e-9)
    assert sd == pytest.approx(statistics.stdev(a + b), rel=1e-7, abs=1e-7)


def test_handbook_difference_example():
    # Cochrane Handbook 6.5.2.3 worked example: MD 3.8, P = 0.008, N 25 and 22:
    # t(45 df) = 2.78, SE = 3.8 / 2.78 = 1.37; SD = 1.37 / sqrt(1/25 + 1/22) = 1.37 / 0.29233 = 4.69 (by hand).
    assert cv.sd_from_difference_p(3.8, 0.008, 25, 22) == pytest.approx(4.69, abs=0.01)
    assert cv.sd_from_difference_se(1.37, 25, 22) == pytest.approx(4.686, abs=1e-3)


def test_handbook_t_divisor_for_25():
    # Handbook 6.5.2.2: for a group of 25 the divisor 3.92 becomes 2 x 2.0639 = 4.128.
    assert cv.ci_divisor(24) == pytest.approx(2 * 2.0639, abs=1e-4)
