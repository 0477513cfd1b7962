"""Key press to next record in `review screen`, with the ranker retraining in the background.

Drives the screen's controller (the same code the terminal runs, drawing into an
off-screen 80x24 console) on N invented records: every key is a decision that is
appended and fsynced, then the next record is drawn. Prints median, 90th
percentile and maximum per key, for file order and priority order.

    python benchmarks/screen_latency.py [--records 3000] [--keys 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
from pathlib import Path

from review.screening.decisions import parse_config
from review.screening.priority import Ordering, RankWorker
from review.screening.rank import record_text
from review.screening.state import Session
from review.screening.tui import Controller, timed_feed
from review.screening.works import RecordSet, Work


def run(n: int, keys: int, order: str) -> list[float]:
    rng = random.Random(1)
    words = [f"w{i}" for i in range(3000)]
    works = [Work(f"x{i}", title=" ".join(rng.choices(words, k=12)), abstract=" ".join(rng.choices(words, k=150)))
             for i in range(n)]
    cfg = parse_config({})
    with tempfile.TemporaryDirectory() as tmp:
        records = RecordSet(works)
        session = Session(Path(tmp), "title-abstract", "bench", records.ids, cfg, known_ids=records.known_ids())
        ordering = Ordering(order, RankWorker({w.id: record_text(w) for w in works}, seed=0) if order == "priority" else None)
        ctl = Controller(session, records, Path(tmp), "bench", cfg, ordering=ordering, stopping=(0.95, 0.95))
        return [timed_feed(ctl, k, 80, 24) for k in ("ie" * keys)[:keys]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=3000)
    ap.add_argument("--keys", type=int, default=200)
    args = ap.parse_args()
    print("| order | records | keys | median (ms) | 90th percentile (ms) | max (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for order in ("file", "priority"):
        t = sorted(run(args.records, args.keys, order))
        print(f"| {order} | {args.records:,} | {args.keys} | {1000 * statistics.median(t):.1f} | "
              f"{1000 * t[int(0.9 * len(t))]:.1f} | {1000 * t[-1]:.1f} |")


if __name__ == "__main__":
    main()
