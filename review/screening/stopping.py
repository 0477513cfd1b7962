"""When is it safe to stop screening? A statistical stopping rule and a simple count.

The rule is the random-sampling criterion of Callaghan & Müller-Hansen (2020).
After the ranked phase, records are drawn at random from those still unscreened
and screened in turn. Null hypothesis H0: the recall reached so far is below the
target (default 95 %). Under H0 the urn of N records unscreened when sampling
began holds at least

    K_tar = floor(r_seen / target - r_AL + 1)

relevant records (r_AL = relevant found before sampling, r_seen = all found so
far), and the chance of finding k or fewer of them in n draws is the
hypergeometric P(X <= k; N, K_tar, n). When that p-value falls below
1 - confidence (default 0.05), H0 is rejected and screening can stop: "we
reached 95 % recall with 95 % confidence".

The same test applied to the last records of the ranked phase, taken as if they
had been drawn at random from themselves plus the unscreened records, is the
authors' "ranked quasi-sampling" (their buscar package). It is conservative
while ranking finds relevant records faster than random draws would, and needs
no separate sample; it is reported as an indication until a random sample is
screened.

"Irrelevant in a row since the last relevant" is shown beside it: easy to
read, but with no statistical guarantee.

Pure standard library (the screen and `review status` import it).

References
----------
Callaghan MW, Müller-Hansen F. Statistical stopping criteria for automated
screening in systematic reviews. Syst Rev. 2020;9:254. doi:10.1186/s13643-020-01521-4
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def hypergeom_cdf(k: int, N: int, K: int, n: int) -> float:
    """P(X <= k) for X the number of marked items in `n` draws without replacement
    from `N` items of which `K` are marked.

    References
    ----------
    Johnson NL, Kemp AW, Kotz S. Univariate Discrete Distributions, 3rd ed. Wiley; 2005, ch. 6.
    """
    if not (0 <= K <= N and 0 <= n <= N):
        raise ValueError(f"impossible urn: N={N}, K={K}, n={n}")
    lo, hi = max(0, n - (N - K)), min(n, K)
    if k < lo:
        return 0.0
    if k >= hi:
        return 1.0
    denom = _log_comb(N, n)
    total = 0.0
    for i in range(lo, k + 1):
        total += math.exp(_log_comb(K, i) + _log_comb(N - K, n - i) - denom)
    return min(1.0, total)


def k_target(r_al: int, r_seen: int, recall: float) -> int:
    """Smallest number of relevant records in the urn for which recall would be below `recall`.

    ``floor(r_seen / recall - r_al + 1)``, computed exactly (0.95 as 19/20).
    """
    frac = Fraction(str(recall)) if isinstance(recall, float) else Fraction(recall)
    if not 0 < frac <= 1:
        raise ValueError("the recall target must be in (0, 1]")
    return math.floor(Fraction(r_seen) / frac - r_al + 1)


def sample_p_value(r_al: int, n_urn: int, n_drawn: int, k_drawn: int, recall: float = 0.95) -> float:
    """p-value of H0 "recall < target" after drawing `n_drawn` records at random from an
    urn of `n_urn` unscreened records and finding `k_drawn` relevant.

    `r_al` is the number of relevant records found before the draws began.
    Returns 0.0 when H0 is impossible (the urn cannot hold K_tar relevant records).

    References
    ----------
    Callaghan MW, Müller-Hansen F. Syst Rev. 2020;9:254, equations 1-3.
    """
    if not 0 <= k_drawn <= n_drawn <= n_urn:
        raise ValueError(f"impossible sample: {k_drawn} of {n_drawn} drawn from {n_urn}")
    K = k_target(r_al, r_al + k_drawn, recall)
    if K > n_urn - n_drawn + k_drawn:
        return 0.0
    return hypergeom_cdf(k_drawn, n_urn, K, n_drawn)


def quasi_p_value(labels: Sequence[int], n_total: int, recall: float = 0.95) -> tuple[float, int]:
    """Ranked quasi-sampling: the smallest p-value over windows of the last screened records.

    `labels` are the decisions (1/0) in the order screened; `n_total` is the
    number of records in the set. Each window of the last n records (with k
    relevant) is taken as a random draw from itself plus the unscreened records.
    For a given k the longest window gives the smallest p, so only windows that
    start just after a relevant record (or at the start) are tried.
    Returns (p, n of the window); (1.0, 0) with nothing screened.
    """
    n_seen = len(labels)
    if n_seen == 0:
        return 1.0, 0
    remaining = n_total - n_seen
    r_seen = sum(labels)
    best, best_n = 1.0, 0
    starts = [0] + [i + 1 for i, v in enumerate(labels) if v]
    for k, start in enumerate(reversed(starts)):
        n = n_seen - start
        if n == 0:
            continue
        p = sample_p_value(r_seen - k, n + remaining, n, k, recall)
        if p < best:
            best, best_n = p, n
    return best, best_n


def irrelevant_streak(labels: Sequence[int]) -> int:
    """Records screened since the last relevant one (all of them if none was relevant)."""
    n = 0
    for v in reversed(labels):
        if v:
            break
        n += 1
    return n


def upper_bound_remaining(n_urn: int, n_drawn: int, k_drawn: int, confidence: float = 0.95) -> int:
    """One-sided upper confidence bound of the relevant records left in the urn after the draws:
    the largest K with P(X <= k; N, K, n) > 1 - confidence, minus the k already drawn."""
    alpha = 1 - confidence
    lo = k_drawn
    hi = n_urn - (n_drawn - k_drawn)
    # cdf decreases as K grows: binary search the last K above alpha.
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if hypergeom_cdf(k_drawn, n_urn, mid, n_drawn) > alpha:
            lo = mid
        else:
            hi = mid - 1
    return lo - k_drawn


@dataclass(frozen=True)
class Verdict:
    """What the stopping rule says now; `text` is what the screen and `review status` show."""

    stop: bool
    method: str  # "random sample" or "ranked quasi-sample"
    p_value: float
    recall_target: float
    confidence: float
    screened: int
    total: int
    relevant_found: int
    sample_size: int  # records in the (quasi-)sample the p-value comes from
    estimated_remaining: float  # point estimate of relevant records still unscreened
    upper_remaining: int  # one-sided upper bound at `confidence`
    streak: int

    @property
    def text(self) -> str:
        pct, conf = f"{self.recall_target:.0%}", f"{self.confidence:.0%}"
        left = f"about {self.estimated_remaining:.0f} relevant left (at most {self.upper_remaining} at {conf})"
        if self.stop:
            head = f"Safe to stop: recall >= {pct} with {conf} confidence (p = {self.p_value:.3f}, {self.method})"
        elif self.method == "random sample":
            head = f"Keep screening the random sample: p = {self.p_value:.3f} for recall < {pct} (needs < {1 - self.confidence:.2f})"
        else:
            head = f"Keep screening: recall {pct} not yet shown (p = {self.p_value:.3f}, {self.method})"
        return f"{head}; {left}; {self.streak} irrelevant in a row."


def verdict(labels: Sequence[int], n_total: int, recall: float = 0.95, confidence: float = 0.95,
            sample_start: int | None = None) -> Verdict:
    """The stopping verdict after screening `labels` (1/0, in screening order) of `n_total` records.

    `sample_start`: the index in `labels` where random sampling began (every
    record from there on was drawn at random from the unscreened ones). Without
    it, the ranked quasi-sampling test is used.
    """
    if not 0 < confidence < 1:
        raise ValueError("the confidence level must be in (0, 1)")
    labels = [1 if v else 0 for v in labels]
    n_seen, r_seen = len(labels), sum(labels)
    if n_seen > n_total:
        raise ValueError("more records screened than in the set")
    remaining = n_total - n_seen
    if sample_start is not None:
        sample = labels[sample_start:]
        n, k = len(sample), sum(sample)
        urn = remaining + n
        p = sample_p_value(r_seen - k, urn, n, k, recall) if n else 1.0
        method = "random sample"
    else:
        p, n = quasi_p_value(labels, n_total, recall)
        k = sum(labels[n_seen - n:]) if n else 0
        urn = remaining + n
        method = "ranked quasi-sample"
    if n:
        est = remaining * k / n
        upper = upper_bound_remaining(urn, n, k, confidence)
    else:
        est, upper = float(remaining), remaining
    return Verdict(
        stop=p < 1 - confidence or remaining == 0,
        method=method,
        p_value=p,
        recall_target=recall,
        confidence=confidence,
        screened=n_seen,
        total=n_total,
        relevant_found=r_seen,
        sample_size=n,
        estimated_remaining=est,
        upper_remaining=min(upper, remaining),
        streak=irrelevant_streak(labels),
    )
