"""Brent's zero finder as R's ``uniroot`` implements it, so iterates match R's.

Reference: Brent RP (1973). Algorithms for Minimization without Derivatives, ch. 4.
"""

from __future__ import annotations

import numpy as np

from review.errors import InputError

_EPS = np.finfo(float).eps


class ConvergenceError(InputError):
    """An iterative estimator of tau^2 did not converge (try another ``method`` or ``control``)."""


def _zeroin(f, ax: float, bx: float, fa: float, fb: float, tol: float, maxit: int) -> tuple[float, int]:
    """Brent's zero finder, step for step as R's ``uniroot`` (C routine ``R_zeroin2``).

    Reproducing R's iterates matters: ``uniroot``'s default tolerance (eps^0.25 ~ 1.2e-4)
    leaves the root well short of machine precision, and metafor reports that root.
    Returns (root, iterations); iterations is -1 when ``maxit`` was exhausted.
    """
    a, b = ax, bx
    c, fc = a, fa
    if fa == 0.0:
        return a, 0
    if fb == 0.0:
        return b, 0
    left = maxit + 1
    while left:
        left -= 1
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2.0 * _EPS * abs(b) + tol / 2.0
        new_step = (c - b) / 2.0
        if abs(new_step) <= tol_act or fb == 0.0:
            return b, maxit + 1 - left
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2.0) and p < abs(prev_step * q / 2.0):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b, -1


def _uniroot(f, lower: float, upper: float, tol: float, maxiter: int) -> float:
    """R's ``uniroot(f, c(lower, upper), tol=tol, maxiter=maxiter)$root`` (no interval extension)."""
    flo, fup = f(lower), f(upper)
    if flo * fup > 0:
        raise ConvergenceError("no sign change of the Q-statistic over the search interval for tau^2")
    root, _ = _zeroin(f, lower, upper, flo, fup, tol, maxiter)
    return root
