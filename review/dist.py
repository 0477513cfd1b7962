"""Normal, t, chi-squared and F tail probabilities and quantiles from ``scipy.special``.

These are the same special functions ``scipy.stats`` calls for these
distributions (ndtr/ndtri, stdtr/stdtrit, chdtrc/chdtri/gammaincinv, fdtrc),
so the numbers are identical; importing ``scipy.special`` alone takes a tenth
of the time of ``scipy.stats`` (about 0.1 s against 0.8 s), which matters for
a command that pools a handful of studies. Arguments may be floats or numpy
arrays.
"""

from __future__ import annotations

from typing import Any


def _sc():
    import scipy.special as sc

    return sc


def norm_cdf(x: Any) -> Any:
    return _sc().ndtr(x)


def norm_sf(x: Any) -> Any:
    return _sc().ndtr(-x)


def norm_ppf(p: Any) -> Any:
    return _sc().ndtri(p)


def norm_isf(p: Any) -> Any:
    return -_sc().ndtri(p)


def t_sf(x: Any, df: Any) -> Any:
    return _sc().stdtr(df, -x)


def t_ppf(p: Any, df: Any) -> Any:
    return _sc().stdtrit(df, p)


def t_isf(p: Any, df: Any) -> Any:
    return -_sc().stdtrit(df, p)


def chi2_sf(x: Any, df: Any) -> Any:
    return _sc().chdtrc(df, x)


def chi2_isf(p: Any, df: Any) -> Any:
    return _sc().chdtri(df, p)


def chi2_ppf(p: Any, df: Any) -> Any:
    return 2 * _sc().gammaincinv(df / 2, p)


def f_sf(x: Any, dfn: Any, dfd: Any) -> Any:
    return _sc().fdtrc(dfn, dfd, x)
