"""Screening: the pure core (decision logs, the per-reviewer state machine, agreement).

- `review.screening.decisions`: stages, decisions, the protocol's screening
  rules (`parse_config`), and the append-only logs
  ``records/screening/<stage>/<reviewer>.csv`` and ``_resolved.csv``.
- `review.screening.state`: `ScreeningState` (queue, decide, undo, skip, back,
  resume by replay, progress) and `Session`, which appends each line durably
  before the state moves.
- `review.screening.agreement`: Cohen's kappa with its 95 % CI and PABAK,
  conflicts between two reviewers, and the rule that sends a record to full text.

Nothing here prints, prompts or imports a heavy library; the terminal UI and
the commands drive these modules.
"""

from __future__ import annotations
