"""Run bib-dedupe on one labelled set and print its clusters as JSON (a companion of dedup_accuracy.py).

Runs under bib-dedupe's own virtual environment, never under the project's:
the project does not depend on bib-dedupe and this script imports nothing
from `review`.

    /work/bibdedupe-venv/bin/python benchmarks/dedup_peer_bibdedupe.py FILE [--cpu 1]

FILE is a bib-dedupe `records_pre_merged.csv`, or ASySD's `labelled_test_set.csv`
(diabetes), whose columns are renamed to bib-dedupe's (record_id 699 becomes
ID id_0000699, as in the label files). The output is one JSON object:
``{"clusters": [[id, ...], ...], "seconds": s, "version": v}``, where clusters
lists the groups of two or more records bib-dedupe merged fully automatically
(its "maybe" pairs are left unmerged) and seconds covers prep, block, match
and cluster (not reading the CSV).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
from importlib.metadata import version


def read_records(path: str):
    import pandas as pd

    if path.endswith("labelled_test_set.csv"):  # ASySD format, cp1252
        df = pd.read_csv(path, encoding="cp1252")
        df["ID"] = [f"id_{int(r):07d}" for r in df["record_id"]]
        df["ENTRYTYPE"] = "article"
        keep = ["ID", "ENTRYTYPE", "author", "title", "year", "journal", "volume", "number", "pages", "doi", "abstract"]
        return df[keep]
    return pd.read_csv(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--cpu", type=int, default=1)
    args = ap.parse_args(argv)
    from bib_dedupe import bib_dedupe

    records = read_records(args.file)
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # bib-dedupe prints progress
        prepped = bib_dedupe.prep(records, verbosity_level=0, cpu=args.cpu)
        blocked = bib_dedupe.block(prepped, verbosity_level=0, cpu=args.cpu)
        matched = bib_dedupe.match(blocked, verbosity_level=0, cpu=args.cpu)
        clusters = bib_dedupe.cluster(matched, verbosity_level=0)
    seconds = time.perf_counter() - t0
    out = {"clusters": [sorted(str(i) for i in c) for c in clusters if len(c) > 1],
           "seconds": seconds, "version": version("bib-dedupe")}
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
