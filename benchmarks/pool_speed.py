"""Time a 1,000-study REML meta-analysis with Q-profile confidence intervals.

The issue asks for under 1 s. Random data with a fixed seed: true effects
N(0.3, 0.2^2), within-study variances uniform on [0.01, 0.5]. Three timings:
the model alone (review.pool.models.rma, which computes the Q-profile CI for
tau2), the whole API from a DataFrame (validation, escalc, fit, tidy frames),
and the forest plot of the same analysis (PNG), which is not part of the budget.

Run: python benchmarks/pool_speed.py [k]
"""

from __future__ import annotations

import sys
import time


def main(k: int = 1000, repeats: int = 5) -> None:
    import numpy as np
    import pandas as pd

    from review.pool.api import meta_analysis
    from review.pool.models import rma

    rng = np.random.default_rng(20240601)
    vi = rng.uniform(0.01, 0.5, k)
    yi = rng.normal(0.3, np.sqrt(0.04 + vi))
    data = pd.DataFrame({"study": [f"Study {i + 1}" for i in range(k)], "yi": yi, "vi": vi})

    rma(yi, vi, method="REML")                      # warm-up: imports, caches
    best_fit = best_api = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fit = rma(yi, vi, method="REML")
        best_fit = min(best_fit, time.perf_counter() - t0)
        t0 = time.perf_counter()
        ma = meta_analysis(data, "GEN", method="REML")
        best_api = min(best_api, time.perf_counter() - t0)
    assert fit.tau2_ci_lb is not None and fit.tau2_ci_ub is not None
    t0 = time.perf_counter()
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        ma.forest(Path(tmp) / "forest.png")
    plot = time.perf_counter() - t0
    print(f"k = {k}: tau2 = {fit.tau2:.4f} [{fit.tau2_ci_lb:.4f}, {fit.tau2_ci_ub:.4f}] (Q-profile)")
    print(f"rma(method='REML') with Q-profile CI: {best_fit * 1000:.1f} ms (best of {repeats})")
    print(f"meta_analysis(DataFrame, 'GEN', 'REML'): {best_api * 1000:.1f} ms (best of {repeats})")
    print(f"forest plot PNG of {k} studies: {plot:.2f} s (not part of the 1 s budget)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
