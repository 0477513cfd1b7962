"""Extraction: typed forms, append-only logs, spreadsheets, reconciliation, conversions, risk of bias, export.

- `conversions`: median/IQR/range to mean/SD (metafor's conv.fivenum), SE/CI to SD, combining groups.
- `form`: the form from protocol.yaml `extraction:`; checking one value and one study.
- `studies`: reports included at full text grouped into studies (_studies.csv, `study_map`).
- `tui`: the terminal form (one field at a time, checked as typed, saved to the log).
- `log`: records/extraction/<reviewer>.csv (study, field, value, time), last value wins.
- `spreadsheet`: a CSV template per study and its all-or-nothing load.
- `reconcile`: where two extractors differ, and the agreed values (`_resolved.csv`).
- `risk_of_bias`: Newcastle-Ottawa, RoB 2, ROBINS-I forms and robvis-style plots.
- `export`: one pooling table per analysis, as `review pool` reads it.

Nothing here prints or prompts; heavy libraries load inside functions.
"""

from __future__ import annotations
