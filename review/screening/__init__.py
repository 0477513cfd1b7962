"""Screening: the pure core (decision logs, the per-reviewer state machine, agreement).

- `review.screening.decisions`: stages, decisions, the protocol's screening
  rules (`parse_config`), and the append-only logs
  ``records/screening/<stage>/<reviewer>.csv`` and ``_resolved.csv``.
- `review.screening.state`: `ScreeningState` (queue, decide, undo, skip, back,
  resume by replay, progress) and `Session`, which appends each line durably
  before the state moves.
- `review.screening.agreement`: Cohen's kappa with its 95 % CI and PABAK,
  conflicts between two reviewers, and the rule that sends a record to full text.

Nothing in those three prints, prompts or imports a heavy library. Around them:

- `review.screening.works`: the records screened (the deduplicated works from
  `review.dedup_workflow`), id lookup, each stage's queue, full-text PDFs.
- `review.screening.highlight`, `keys`, `view`: keyword highlighting, the key
  map, and drawing the screen as lines of rich Text (pure, tested without a terminal).
- `review.screening.tui`: the controller (keys -> session) and the raw-mode terminal loop.
- `review.screening.manage`: status, conflicts, resolutions and export subsets over
  every reviewer's files; `review.screening.importer`: decisions from a CSV.
- `review.screening.command`: `review screen` (UI, conflicts, import) and `review export`.
"""

from __future__ import annotations
