"""The extraction command and core load no heavy library at import (review --help stays fast)."""

from __future__ import annotations

import subprocess
import sys


def test_no_heavy_imports():
    code = ("import sys; import review.extraction.command, review.extraction.form, review.extraction.log, "
            "review.extraction.spreadsheet, review.extraction.reconcile, review.extraction.export, "
            "review.extraction.risk_of_bias, review.extraction.conversions, review.extraction.studies; "
            "print(sorted(m for m in ('pandas', 'scipy', 'matplotlib', 'numpy', 'yaml', 'rich') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
