"""PRISMA 2020 flow diagram: counts from the review's own decisions, checked, drawn, exported.

- `review.prisma.counts`: `ReviewState` (sources, works, decisions) ->
  `PrismaCounts`, every box with the record ids behind it; the arithmetic checks.
- `review.prisma.draw`: the diagram as the PRISMA 2020 template, with matplotlib.
- `review.prisma.export`: prisma.json and the PRISMA2020 R package / web app CSV.
- `review.prisma.command`: `review prisma`.

Reference: Page MJ, McKenzie JE, Bossuyt PM, et al. The PRISMA 2020 statement:
an updated guideline for reporting systematic reviews. BMJ 2021;372:n71.
"""

from __future__ import annotations
