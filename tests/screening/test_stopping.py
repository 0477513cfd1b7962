"""The stopping rule: hypergeometric p-values checked against hand computations and scipy."""

from __future__ import annotations

import pytest

from review.screening import stopping


def test_hypergeom_cdf_by_hand():
    # Urn of 10 with 3 marked, 4 draws. P(X=0) = C(7,4)/C(10,4) = 35/210 = 1/6;
    # P(X=1) = C(3,1)C(7,3)/C(10,4) = 3*35/210 = 1/2, so P(X<=1) = 2/3.
    assert stopping.hypergeom_cdf(0, 10, 3, 4) == pytest.approx(1 / 6, rel=1e-12)
    assert stopping.hypergeom_cdf(1, 10, 3, 4) == pytest.approx(2 / 3, rel=1e-12)
    assert stopping.hypergeom_cdf(3, 10, 3, 4) == 1.0


def test_hypergeom_cdf_matches_scipy():
    hypergeom = pytest.importorskip("scipy.stats").hypergeom
    for k, N, K, n in [(0, 1200, 3, 700), (2, 5000, 17, 900), (5, 300, 40, 20), (1, 50, 49, 2)]:
        # scipy's order: hypergeom.cdf(k, M=population, n=marked, N=draws)
        assert stopping.hypergeom_cdf(k, N, K, n) == pytest.approx(hypergeom.cdf(k, N, K, n), rel=1e-9, abs=1e-300)


def test_k_target_by_hand():
    # floor(r_seen / 0.95 - r_al + 1): 57 / 0.95 = 60 exactly, so K = 60 - 57 + 1 = 4.
    assert stopping.k_target(57, 57, 0.95) == 4
    # Recall target 0.7, 7 found before and 7 in all: floor(10 - 7 + 1) = 4.
    assert stopping.k_target(7, 7, 0.7) == 4
    # 19 found before sampling, 1 more in the sample: floor(20/0.95 - 19 + 1) = floor(3.05) = 3.
    assert stopping.k_target(19, 20, 0.95) == 3


def test_sample_p_value_by_hand():
    # Callaghan & Mueller-Hansen: 19 relevant found in the ranked phase, 100 records left.
    # Under H0 the urn holds K_tar = floor(19/0.95 - 19 + 1) = 2 relevant records.
    # Drawing 50 and finding none: p = C(98,50)/C(100,50) = (50*49)/(100*99) = 0.247474...
    p = stopping.sample_p_value(r_al=19, n_urn=100, n_drawn=50, k_drawn=0, recall=0.95)
    assert p == pytest.approx(2450 / 9900, rel=1e-12)
    # Drawing 90 of 100 and finding none: p = C(98,90)/C(100,90) = (10*9)/(100*99).
    p = stopping.sample_p_value(19, 100, 90, 0, 0.95)
    assert p == pytest.approx(90 / 9900, rel=1e-12)
    assert p < 0.05  # so the rule stops here at 95 % confidence


def test_sample_p_value_counts_relevant_found_in_sample():
    hypergeom = pytest.importorskip("scipy.stats").hypergeom
    # 40 found before, 2 of 300 drawn from an urn of 800: K_tar = floor(42/0.95 - 40 + 1) = floor(5.21) = 5.
    p = stopping.sample_p_value(40, 800, 300, 2, 0.95)
    assert p == pytest.approx(hypergeom.cdf(2, 800, 5, 300), rel=1e-9)


def test_sample_p_value_zero_when_h0_impossible():
    # Everything left was drawn: the urn held 0 relevant records, fewer than K_tar.
    assert stopping.sample_p_value(10, 20, 20, 0) == 0.0


def test_quasi_p_value_by_hand():
    # 3 screened of 10: [relevant, irrelevant, irrelevant].
    # Window of the last 2 (k=0): urn 2 + 7 = 9, r_al = 1, K = floor(1/0.95 - 1 + 1) = 1,
    #   p = C(8,2)/C(9,2) = 28/36.
    # Window of all 3 (k=1): urn 10, r_al = 0, K = floor(1/0.95 + 1) = 2,
    #   p = 1 - P(X=2) = 1 - C(2,2)C(8,1)/C(10,3) = 1 - 8/120.
    p, n = stopping.quasi_p_value([1, 0, 0], 10, 0.95)
    assert n == 2
    assert p == pytest.approx(28 / 36, rel=1e-12)


def test_irrelevant_streak():
    assert stopping.irrelevant_streak([1, 0, 1, 0, 0, 0]) == 3
    assert stopping.irrelevant_streak([0, 0]) == 2
    assert stopping.irrelevant_streak([0, 1]) == 0


def test_upper_bound_remaining_matches_definition():
    hypergeom = pytest.importorskip("scipy.stats").hypergeom
    N, n, k = 1000, 400, 1
    ub = stopping.upper_bound_remaining(N, n, k, 0.95)
    K = ub + k  # largest urn count still compatible at the 5 % level
    assert hypergeom.cdf(k, N, K, n) > 0.05
    assert hypergeom.cdf(k, N, K + 1, n) <= 0.05


def test_verdict_random_sample_stops_and_says_so():
    # 19 relevant in the ranked phase of 900 records, then 90 random draws with no relevant
    # from the 100 left: p = 90/9900 (hand value above) < 0.05.
    labels = [1] * 19 + [0] * 881 + [0] * 90
    v = stopping.verdict(labels, 1000, sample_start=900)
    assert v.stop and v.method == "random sample"
    assert v.p_value == pytest.approx(90 / 9900)
    assert v.streak == 971
    assert "Safe to stop" in v.text and "95%" in v.text


def test_verdict_keeps_going_early():
    v = stopping.verdict([1, 0, 1, 0], 5000)
    assert not v.stop
    assert "Keep screening" in v.text
    assert v.upper_remaining <= 4996


def test_verdict_rejects_bad_input():
    with pytest.raises(ValueError):
        stopping.verdict([1, 0], 1)
    with pytest.raises(ValueError):
        stopping.verdict([1, 0], 10, confidence=1.0)


def test_no_heavy_imports():
    import subprocess
    import sys

    code = ("import sys, review.screening.stopping, review.screening.simulate_command;"
            "print(any(m in sys.modules for m in ('numpy', 'scipy', 'sklearn', 'matplotlib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
