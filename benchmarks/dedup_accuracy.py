"""Deduplication accuracy on the labelled sets in ../shared/benchmarks/dedup.

For each set that has its records, reads the file with the project's importers,
clusters it with `review.dedup.find_duplicates`, and scores the clusters
against the gold groups (`merged_record_ids.csv`) the way bib-dedupe scores
(README there): per gold group, no record kept = 1 FP and n-1 TP; k >= 1 kept =
1 TN, k-1 FN, n-k TP. One record is kept per predicted cluster (the first by
id). It also counts false merges directly (predicted clusters that join two
gold groups), the possible-duplicate pairs a person would see, and the scores
after those pairs are answered from the labels.

With ``--peer PYTHON`` (the python of a separate virtual environment that has
bib-dedupe installed), bib-dedupe runs on the same files in the same run, through
benchmarks/dedup_peer_bibdedupe.py in a subprocess, and is scored the same way;
the project itself never imports bib-dedupe.

    python benchmarks/dedup_accuracy.py [--shared PATH] [--sets a,b] [--verbose] [--peer PYTHON]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from review.dedup import Decision, find_duplicates  # noqa: E402
from review.importers import read_file  # noqa: E402

SETS = {
    "diabetes": "labelled_test_set.csv",
    "cytology_screening": "records_pre_merged.csv",
    "haematology": "records_pre_merged.csv",
    "respiratory": "records_pre_merged.csv",
    "special_cases": "records_pre_merged.csv",
}
# Best published sensitivity per set (README table: bib-dedupe; special_cases has none).
PUBLISHED_SENS = {
    "diabetes": 1.0000,
    "cytology_screening": 0.9922,
    "haematology": 0.8889,
    "respiratory": 0.9358,
}


def label_id(raw_id: str) -> str:
    """The gold files' id for a record's own id: ASySD's integer record_id 699 -> id_0000699."""
    raw_id = raw_id.strip()
    return f"id_{int(raw_id):07d}" if raw_id.isdigit() else raw_id


def load_set(folder: Path, name: str):
    """(records, gold ids aligned with them, gold groups as {id: group})."""
    result = read_file(folder / name)
    records = result.records
    ids = [label_id(r.raw.get("_id", [""])[0] if r.raw.get("_id") else r.id) for r in records]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"{folder.name}: record ids are not unique")
    group: dict[str, str] = {}
    with open(folder / "merged_record_ids.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            members = row["merged_ids"].split(";")
            for m in members:
                group[m.strip()] = members[0].strip()
    for i in ids:
        group.setdefault(i, i)
    return records, ids, group


def score(ids: list[str], cluster_of: list[int], group: dict[str, str]) -> dict:
    """bib-dedupe group scoring, plus a direct count of false merges."""
    kept_ids = {}
    for i, c in zip(ids, cluster_of):
        if c not in kept_ids or i < kept_ids[c]:
            kept_ids[c] = i
    kept = Counter(group[i] for i in kept_ids.values())
    size = Counter(group[i] for i in ids)
    tp = fp = tn = fn = 0
    for g, n in size.items():
        k = kept.get(g, 0)
        if k == 0:
            fp += 1
            tp += n - 1
        else:
            tn += 1
            fn += k - 1
            tp += n - k
    gold_in_cluster = defaultdict(set)
    for i, c in zip(ids, cluster_of):
        gold_in_cluster[c].add(group[i])
    false_merges = sum(len(g) - 1 for g in gold_in_cluster.values())
    return {
        "TP": tp, "FP": fp, "TN": tn, "FN": fn,
        "sens": tp / (tp + fn) if tp + fn else 1.0,
        "spec": tn / (tn + fp) if tn + fp else 1.0,
        "false_merges": false_merges,
    }


def run_set(folder: Path, name: str, verbose: bool = False) -> dict:
    records, ids, group = load_set(folder, name)
    t0 = time.perf_counter()
    res = find_duplicates(records, keys=ids)
    elapsed = time.perf_counter() - t0
    auto = score(ids, res.cluster_of, group)
    possible = res.possible()
    decisions = [Decision(ids[p.i], ids[p.j], group[ids[p.i]] == group[ids[p.j]]) for p in possible]
    answered = score(ids, find_duplicates(records, decisions, keys=ids).cluster_of, group)
    if verbose:
        _explain(records, ids, group, res)
    return {
        "set": folder.name, "n": len(records), "auto": auto, "answered": answered,
        "possible": len(possible), "seconds": elapsed,
    }


def run_peer(folder: Path, name: str, python: str) -> dict:
    """bib-dedupe on the same file, in its own environment; scored as `run_set` scores."""
    records, ids, group = load_set(folder, name)
    cmd = [python, str(REPO / "benchmarks" / "dedup_peer_bibdedupe.py"), str(folder / name)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        return {"set": folder.name, "n": len(records), "error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    data = json.loads(out.stdout.strip().splitlines()[-1])
    position = {i: n for n, i in enumerate(ids)}
    cluster_of = list(range(len(ids)))
    for c in data["clusters"]:
        members = [position[i] for i in c if i in position]
        for m in members:
            cluster_of[m] = members[0]
    return {"set": folder.name, "n": len(records), "auto": score(ids, cluster_of, group),
            "seconds": data["seconds"], "version": data["version"]}


def _explain(records, ids, group, res) -> None:
    """Print false merges and missed duplicates with the reason the pair got."""
    pair_of = {(p.i, p.j): p for p in res.pairs}
    for c in res.clusters:
        gs = {group[ids[i]] for i in c}
        if len(gs) > 1:
            print("FALSE MERGE:")
            for i in c:
                r = records[i]
                print("   ", ids[i], group[ids[i]], r.year, r.title[:90], "|", r.authors[:2], r.journal[:30], r.volume, r.issue, r.pages, r.doi)
    members = defaultdict(list)
    for n, i in enumerate(ids):
        members[group[i]].append(n)
    for g, ms in members.items():
        cl = {res.cluster_of[m] for m in ms}
        if len(cl) > 1:
            print("MISSED:", g)
            for m in ms:
                r = records[m]
                print("   ", ids[m], res.cluster_of[m], r.year, r.title[:90], "|", r.authors[:2], r.journal[:30], r.volume, r.issue, r.pages, r.doi, r.pub_types)
            for a in ms:
                for b in ms:
                    p = pair_of.get((a, b))
                    if p and res.cluster_of[a] != res.cluster_of[b]:
                        print("      pair", ids[a], ids[b], p.status, round(p.score, 1), p.reason)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--peer", metavar="PYTHON",
                    help="python of a virtual environment with bib-dedupe installed: run it beside")
    args = ap.parse_args(argv)
    base = args.shared / "benchmarks" / "dedup"
    print("| set | records | tool | FP (false merges) | sensitivity | specificity | best published sens. | "
          "possible pairs (% of records) | after answering: FP / sens / spec | seconds |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---|---:|")
    for s in args.sets.split(","):
        r = run_set(base / s, SETS[s], verbose=args.verbose)
        a, b = r["auto"], r["answered"]
        pub = PUBLISHED_SENS.get(s)
        pub_text = f"{pub:.4f}" if pub is not None else "—"
        print(f"| {s} | {r['n']:,} | review | {a['FP']} ({a['false_merges']}) | {a['sens']:.4f} | {a['spec']:.4f} | "
              f"{pub_text} | {r['possible']} ({100 * r['possible'] / r['n']:.1f}%) | "
              f"{b['FP']} ({b['false_merges']}) / {b['sens']:.4f} / {b['spec']:.4f} | {r['seconds']:.1f} |", flush=True)
        if args.peer:
            p = run_peer(base / s, SETS[s], args.peer)
            if "error" in p:
                print(f"| {s} | {p['n']:,} | bib-dedupe | failed: {p['error'][:80]} | | | | | | |", flush=True)
                continue
            a = p["auto"]
            print(f"| {s} | {p['n']:,} | bib-dedupe {p['version']} | {a['FP']} ({a['false_merges']}) | {a['sens']:.4f} | "
                  f"{a['spec']:.4f} | {pub_text} | — | — | {p['seconds']:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
