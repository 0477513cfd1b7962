"""Conversions that turn what papers report into what pooling needs.

- :func:`fivenum_to_mean_sd`: median with IQR and/or range to a mean and SD,
  with the defaults and the skewness check of metafor's ``conv.fivenum``.
- :func:`sd_from_se`, :func:`sd_from_ci`: a group's SD from the SE or a CI of
  its mean (Cochrane Handbook 6.5.2.2).
- :func:`sd_from_difference_se`, :func:`sd_from_difference_ci`,
  :func:`sd_from_difference_p`: the SD within groups from the SE, CI or P value
  of a difference in means (Handbook 6.5.2.3).
- :func:`combine_groups`: two subgroups into one group (Handbook 6.5.2.10,
  Table 6.5.a).

scipy is imported inside the functions that need a normal or t quantile.
"""

from __future__ import annotations

import builtins
import math
from dataclasses import dataclass

from review.errors import InputError

MEAN_METHODS = ("luo2018", "wan2014", "hozo2005", "bland2015", "walter2007")
SD_METHODS = ("rec", "wan2014", "shi2020", "hozo2005", "bland2015", "walter2007")
_ALIASES = {"luo2016": "luo2018", "luo": "luo2018", "wan": "wan2014", "shi": "shi2020",
            "hozo": "hozo2005", "bland": "bland2015", "walter": "walter2007"}

CITATIONS = {
    "luo2018": "Luo et al. 2018",
    "wan2014": "Wan et al. 2014",
    "shi2020": "Shi et al. 2020",
    "hozo2005": "Hozo et al. 2005",
    "bland2015": "Bland 2015",
    "walter2007": "Walter & Yao 2007",
}


@dataclass(frozen=True)
class Conversion:
    """An estimated mean and SD, or why there is none.

    ``scenario`` is 1 (min, median, max), 2 (q1, median, q3) or 3 (all five).
    ``skew`` and ``critical`` are the skewness statistic and its critical value
    (Shi et al. 2023); ``skewed`` is True when the statistic reaches it.
    ``mean``/``sd`` are None when the row was refused; ``reason`` says why.
    """

    mean: float | None
    sd: float | None
    scenario: int
    mean_method: str
    sd_method: str
    skew: float
    critical: float
    skewed: bool
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.mean is not None and self.sd is not None

    def note(self) -> str:
        """A short text for an export's note column."""
        given = {1: "median/range", 2: "median/IQR", 3: "median/IQR/range"}[self.scenario]
        return (f"{given} -> mean ({CITATIONS.get(self.mean_method, self.mean_method)}), "
                f"SD ({CITATIONS.get(self.sd_method, self.sd_method)})")


def _qnorm(p: float) -> float:
    from review import dist

    return float(dist.norm_ppf(p))


def _xi(n: float) -> float:
    """Wan et al. 2014 eq. 9: 2 * Phi^-1((n - 0.375) / (n + 0.25)), the expected range in SDs."""
    return 2 * _qnorm((n - 0.375) / (n + 0.25))


def _eta(n: float) -> float:
    """Wan et al. 2014 eq. 16: 2 * Phi^-1((0.75 n - 0.125) / (n + 0.25)), the expected IQR in SDs."""
    return 2 * _qnorm((0.75 * n - 0.125) / (n + 0.25))


def expected_range(n: int) -> float:
    """Expected range of n standard normal values, the integral of 1 - (1 - Phi)^n - Phi^n.

    This is the d2(n) constant of control-chart tables (Tippett 1925) that
    Walter & Yao (2007) divide the range by.
    """
    from scipy.integrate import quad
    from review import dist

    def f(x: float) -> float:
        a = dist.norm_cdf(x)
        return 1 - (1 - a) ** n - a ** n

    return float(quad(f, -math.inf, math.inf)[0])


def skewness_test(n: float, median: float, q1: float | None = None, q3: float | None = None,
                  min: float | None = None, max: float | None = None) -> tuple[float, float]:
    """The skewness statistic of a five-number summary and its 5 % critical value.

    Scenario 1: T1 = |(a + b - 2m) / (b - a)|, critical 1/ln(n + 9) + 2.5/(n + 1);
    scenario 2: T2 = |(q1 + q3 - 2m) / (q3 - q1)|, critical 2.65/sqrt(n) - 6/n^2;
    scenario 3: T3 = max(2.65 ln(0.6 n)/sqrt(n) * T1, T2), critical 3/sqrt(n) - 40/n^3.
    A row is too skewed for the normal-based conversions when T >= critical.
    These are the values metafor's ``conv.fivenum`` (version 4 and later) uses.

    References
    ----------
    Shi J, Luo D, Wan X, et al. Detecting the skewness of data from the
    five-number summary and its application in meta-analysis. Statistical
    Methods in Medical Research 2023;32(7):1338-1360.
    """
    s = _scenario(q1, q3, min, max)
    t1 = abs((min + max - 2 * median) / (max - min)) if s in (1, 3) else 0.0
    t2 = abs((q1 + q3 - 2 * median) / (q3 - q1)) if s in (2, 3) else 0.0
    if s == 1:
        return t1, 1 / math.log(n + 9) + 2.5 / (n + 1)
    if s == 2:
        return t2, 2.65 / math.sqrt(n) - 6 / n ** 2
    return builtins.max(2.65 * math.log(0.6 * n) / math.sqrt(n) * t1, t2), 3 / math.sqrt(n) - 40 / n ** 3


def _scenario(q1, q3, mn, mx) -> int:
    has_range = mn is not None and mx is not None
    has_iqr = q1 is not None and q3 is not None
    if has_range and has_iqr:
        return 3
    if has_range:
        return 1
    if has_iqr:
        return 2
    raise InputError("a median needs its IQR (q1, q3), its range (min, max), or both")


def check_method(name: str, allowed: tuple[str, ...], what: str) -> str:
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in allowed:
        raise InputError(f"{what} method {name!r} is not one of {', '.join(allowed)}")
    return key


def fivenum_to_mean_sd(
    n: float,
    median: float,
    q1: float | None = None,
    q3: float | None = None,
    min: float | None = None,
    max: float | None = None,
    mean_method: str = "luo2018",
    sd_method: str = "rec",
    test: bool = True,
) -> Conversion:
    """Estimate a mean and SD from a median with its IQR, its range, or both.

    The defaults are those of metafor's ``conv.fivenum``: the mean by Luo et
    al. (2018); the SD by Wan et al. (2014) from a range or an IQR, and by Shi
    et al. (2020) when all five numbers are given (``sd_method="rec"``).
    ``wan2014`` gives Wan's mean (S1 (a+2m+b)/4, S2 (q1+m+q3)/3, S3
    (a+2q1+2m+2q3+b)/8) and SD (S3: the average of the range- and IQR-based
    SDs); ``hozo2005`` works from a range only (mean (a+2m+b)/4 for n <= 25,
    else the median; SD from the range by n <= 15, <= 70, > 70);
    ``bland2015`` from all five numbers; ``walter2007`` from a range (mean =
    median, SD = range / d2(n)). When ``test`` is true a row whose skewness
    test (:func:`skewness_test`) is significant is refused, as is any row with
    n < 5, as metafor does; a method that does not cover the scenario gives
    no value. Both come back as a Conversion with ``mean``/``sd`` None and a
    ``reason``; order errors (not min <= q1 <= median <= q3 <= max) raise
    InputError.

    References
    ----------
    Luo D, Wan X, Liu J, Tong T. Optimally estimating the sample mean from the
    sample size, median, mid-range, and/or mid-quartile range. Statistical
    Methods in Medical Research 2018;27(6):1785-1805.
    Wan X, Wang W, Liu J, Tong T. Estimating the sample mean and standard
    deviation from the sample size, median, range and/or interquartile range.
    BMC Medical Research Methodology 2014;14:135.
    Shi J, Luo D, Weng H, et al. Optimally estimating the sample standard
    deviation from the five-number summary. Research Synthesis Methods
    2020;11(5):641-654.
    Hozo SP, Djulbegovic B, Hozo I. Estimating the mean and variance from the
    median, range, and the size of a sample. BMC Medical Research Methodology
    2005;5:13.
    Bland M. Estimating mean and standard deviation from the sample size,
    three quartiles, minimum, and maximum. International Journal of Statistics
    in Medical Research 2015;4(1):57-64.
    Walter SD, Yao X. Effect sizes can be calculated for studies reporting
    ranges for outcome variables in systematic reviews. Journal of Clinical
    Epidemiology 2007;60(8):849-852.
    Viechtbauer W. metafor: conv.fivenum (metafor 4.0 and later).
    """
    mm = check_method(mean_method, MEAN_METHODS, "mean")
    sm = check_method(sd_method, SD_METHODS, "SD")
    values = [v for v in (min, q1, median, q3, max) if v is not None]
    if any(b < a for a, b in zip(values, values[1:])):
        raise InputError(f"not min <= q1 <= median <= q3 <= max: {', '.join(f'{v:g}' for v in values)}")
    s = _scenario(q1, q3, min, max)
    used_sd = sm if sm != "rec" else ("shi2020" if s == 3 else "wan2014")
    if n is None or n < 5:
        return Conversion(None, None, s, mm, used_sd, math.nan, math.nan, False, "n < 5: too few to convert")
    t, crit = skewness_test(n, median, q1, q3, min, max)
    skewed = t >= crit
    if test and skewed:
        return Conversion(None, None, s, mm, used_sd, t, crit, True,
                          f"too skewed for a normal-based conversion (skewness statistic {t:.3f} >= critical value {crit:.3f}; Shi et al. 2023)")
    mean = _mean(mm, s, n, min, q1, median, q3, max)
    sd = _sd(used_sd, s, n, min, q1, median, q3, max)
    reason = ""
    if mean is None or sd is None:
        missing = " and ".join(w for w, v in (("mean", mean), ("SD", sd)) if v is None)
        reason = f"{missing}: the chosen method does not cover {('median/range', 'median/IQR', 'median/IQR/range')[s - 1]}"
    return Conversion(mean, sd, s, mm, used_sd, t, crit, skewed, reason)


def _mean(m: str, s: int, n, a, q1, med, q3, b) -> float | None:
    if m == "luo2018":
        if s == 1:
            w = 4 / (4 + n ** 0.75)
            return w * (a + b) / 2 + (1 - w) * med
        if s == 2:
            w = 0.7 + 0.39 / n
            return w * (q1 + q3) / 2 + (1 - w) * med
        w1 = 2.2 / (2.2 + n ** 0.75)
        w2 = 0.7 - 0.72 / n ** 0.55
        return w1 * (a + b) / 2 + w2 * (q1 + q3) / 2 + (1 - w1 - w2) * med
    if m == "wan2014":
        return {1: lambda: (a + 2 * med + b) / 4, 2: lambda: (q1 + med + q3) / 3,
                3: lambda: (a + 2 * q1 + 2 * med + 2 * q3 + b) / 8}[s]()
    if m == "hozo2005":
        if s != 1:
            return None
        return (a + 2 * med + b) / 4 if n <= 25 else med
    if m == "bland2015":
        return (a + 2 * q1 + 2 * med + 2 * q3 + b) / 8 if s == 3 else None
    if m == "walter2007":
        return med if s == 1 else None
    return None  # pragma: no cover - methods are checked above


def _sd(m: str, s: int, n, a, q1, med, q3, b) -> float | None:
    if m == "wan2014":
        if s == 1:
            return (b - a) / _xi(n)
        if s == 2:
            return (q3 - q1) / _eta(n)
        return 0.5 * ((b - a) / _xi(n) + (q3 - q1) / _eta(n))
    if m == "shi2020":
        if s != 3:
            return None
        w = 1 / (1 + 0.07 * n ** 0.6)
        return w * (b - a) / _xi(n) + (1 - w) * (q3 - q1) / _eta(n)
    if m == "hozo2005":
        if s != 1:
            return None
        if n <= 15:
            return math.sqrt(((a - 2 * med + b) ** 2 / 4 + (b - a) ** 2) / 12)
        return (b - a) / (4 if n <= 70 else 6)
    if m == "bland2015":
        if s != 3:
            return None
        var = ((a ** 2 + 2 * q1 ** 2 + 2 * med ** 2 + 2 * q3 ** 2 + b ** 2) / 16
               + (a * q1 + q1 * med + med * q3 + q3 * b) / 8
               - (a + 2 * q1 + 2 * med + 2 * q3 + b) ** 2 / 64)
        return math.sqrt(var)
    if m == "walter2007":
        return (b - a) / expected_range(int(n)) if s == 1 else None
    return None  # pragma: no cover


# ---- SE and CI to SD ------------------------------------------------------------

def _positive(name: str, value: float) -> None:
    if value is None or not value > 0:
        raise InputError(f"{name} must be > 0, not {value!r}")


def ci_divisor(df: float | None, level: float = 0.95, small: bool | None = None) -> float:
    """Width of a CI in SEs: 2 z (3.92 at 95 %) or, for small samples, 2 t with ``df``.

    ``small=None`` uses t when df + 1 < 60, the Handbook's "say, less than 60
    participants in each group".
    """
    from review import dist

    if not 0 < level < 1:
        raise InputError(f"confidence level must be between 0 and 1, not {level!r}")
    p = 1 - (1 - level) / 2
    if small is None:
        small = df is not None and df + 1 < 60
    if small:
        if df is None or df < 1:
            raise InputError("a t-based interval needs at least 2 participants")
        return 2 * float(dist.t_ppf(p, df))
    return 2 * float(dist.norm_ppf(p))


def sd_from_se(se: float, n: float) -> float:
    """SD of a group from the standard error of its mean: SD = SE * sqrt(N).

    References
    ----------
    Higgins JPT, Li T, Deeks JJ (eds). Chapter 6: Choosing effect measures and
    computing estimates of effect. Cochrane Handbook for Systematic Reviews of
    Interventions version 6.4, 2023, section 6.5.2.2.
    """
    _positive("SE", se)
    _positive("n", n)
    return se * math.sqrt(n)


def sd_from_ci(lower: float, upper: float, n: float, level: float = 0.95, small: bool | None = None) -> float:
    """SD of a group from a CI of its mean: SD = sqrt(N) (upper - lower) / divisor.

    The divisor is 3.92 for a 95 % CI (2 x 1.96); for small groups (fewer than
    60 by default) it is 2 t(0.975, N - 1), as the Handbook says.

    References
    ----------
    Cochrane Handbook for Systematic Reviews of Interventions version 6.4,
    2023, section 6.5.2.2.
    """
    _positive("n", n)
    if not upper > lower:
        raise InputError(f"upper CI limit {upper!r} must be above the lower {lower!r}")
    return math.sqrt(n) * (upper - lower) / ci_divisor(n - 1, level, small)


def sd_from_difference_se(se: float, n1: float, n2: float) -> float:
    """SD within groups from the SE of a difference in means: SE / sqrt(1/N1 + 1/N2).

    References
    ----------
    Cochrane Handbook for Systematic Reviews of Interventions version 6.4,
    2023, section 6.5.2.3.
    """
    _positive("SE", se)
    _positive("n1", n1)
    _positive("n2", n2)
    return se / math.sqrt(1 / n1 + 1 / n2)


def sd_from_difference_ci(lower: float, upper: float, n1: float, n2: float,
                          level: float = 0.95, small: bool | None = None) -> float:
    """SD within groups from a CI of a difference in means.

    SE = (upper - lower) / divisor, with a t divisor on N1 + N2 - 2 degrees of
    freedom for small samples (fewer than 60 per group by default), then
    :func:`sd_from_difference_se`.

    References
    ----------
    Cochrane Handbook for Systematic Reviews of Interventions version 6.4,
    2023, section 6.5.2.3.
    """
    if not upper > lower:
        raise InputError(f"upper CI limit {upper!r} must be above the lower {lower!r}")
    _positive("n1", n1)
    _positive("n2", n2)
    if small is None:
        small = builtins.min(n1, n2) < 60
    se = (upper - lower) / ci_divisor(n1 + n2 - 2, level, small)
    return sd_from_difference_se(se, n1, n2)


def sd_from_difference_p(md: float, p: float, n1: float, n2: float) -> float:
    """SD within groups from a difference in means and its two-sided t-test P value.

    t = t^-1(1 - P/2, N1 + N2 - 2); SE = |MD| / t; then :func:`sd_from_difference_se`.
    An exact P value is needed ("P < 0.05" gives at best a conservative SD).

    References
    ----------
    Cochrane Handbook for Systematic Reviews of Interventions version 6.4,
    2023, section 6.5.2.3.
    """
    from review import dist

    if not 0 < p < 1:
        raise InputError(f"P value must be between 0 and 1, not {p!r}")
    _positive("n1", n1)
    _positive("n2", n2)
    if md == 0:
        raise InputError("a mean difference of 0 gives no SE from a P value")
    tval = float(dist.t_ppf(1 - p / 2, n1 + n2 - 2))
    return sd_from_difference_se(abs(md) / tval, n1, n2)


# ---- combining groups -----------------------------------------------------------

def combine_groups(n1: float, mean1: float, sd1: float, n2: float, mean2: float, sd2: float) -> tuple[float, float, float]:
    """Two groups into one: (N, mean, SD) of the combined group.

    N = N1 + N2; M = (N1 M1 + N2 M2) / N;
    SD = sqrt(((N1 - 1) SD1^2 + (N2 - 1) SD2^2 + N1 N2 / N (M1^2 + M2^2 - 2 M1 M2)) / (N - 1)).
    Apply repeatedly for more than two groups.

    References
    ----------
    Cochrane Handbook for Systematic Reviews of Interventions version 6.4,
    2023, section 6.5.2.10 and Table 6.5.a.
    """
    for name, v in (("n1", n1), ("n2", n2)):
        _positive(name, v)
    for name, v in (("sd1", sd1), ("sd2", sd2)):
        if v is None or v < 0:
            raise InputError(f"{name} must be >= 0, not {v!r}")
    n = n1 + n2
    if n < 2:
        raise InputError("combining needs at least 2 participants")
    mean = (n1 * mean1 + n2 * mean2) / n
    var = ((n1 - 1) * sd1 ** 2 + (n2 - 1) * sd2 ** 2 + n1 * n2 / n * (mean1 ** 2 + mean2 ** 2 - 2 * mean1 * mean2)) / (n - 1)
    return n, mean, math.sqrt(var)
