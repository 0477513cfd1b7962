"""Deduplication speed on perturbed replicas of the labelled sets (10k, 100k, 1M records).

The four labelled sets with records in ../shared/benchmarks/dedup (diabetes,
cytology_screening, haematology, respiratory; 7,104 records) are read with the
project's importers and copied until the wanted size is reached. Each copy
(replica) turns every labelled group into a *different* work, the same way for
all of the group's members: a third of the title words replaced by words
drawn from the sets' vocabulary, another first author, the volume and pages
shifted by the replica's number (so no two replicas share both), identifiers
suffixed. Each record then gets its own noise, the way
databases differ: a typo in the title, the title in upper or lower case,
author initials dropped or first names written out, the DOI missing, the
journal abbreviated ("Journal of Neurology" -> "J Neurol"), and a new id.

Every size runs in a fresh process (so peak RSS is that size's own), on one
core. The table gives the seconds spent in `find_duplicates` (building the
records is not counted), as wall-clock time and as the process's CPU time (the
fairer figure on a machine shared with other work), the peak resident memory of the whole process, and,
as a check that speed was not bought with accuracy, false merges and
sensitivity against the replicated labels (`score_replicas`).

    python benchmarks/dedup_speed.py [--sizes 10000,100000,1000000] [--shared PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SETS = ("diabetes", "cytology_screening", "haematology", "respiratory")
_STOP = {"of", "the", "and", "for", "in", "on", "a", "an", "to", "with", "by", "at", "de", "la"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


def _accuracy_module():
    spec = importlib.util.spec_from_file_location("dedup_accuracy", REPO / "benchmarks" / "dedup_accuracy.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_base(shared: Path):
    """(records, gold group per record) for the labelled sets, groups prefixed by set name."""
    acc = _accuracy_module()
    records, groups = [], []
    for name in SETS:
        recs, ids, group = acc.load_set(shared / "benchmarks" / "dedup" / name, acc.SETS[name])
        records += recs
        groups += [f"{name}:{group[i]}" for i in ids]
    return records, groups


def abbreviate(journal: str) -> str:
    """A crude ISO-4-like abbreviation: small words dropped, "Journal" -> "J", long words cut."""
    out = []
    for w in journal.replace(".", " ").split():
        lw = w.lower()
        if lw in _STOP:
            continue
        out.append("J" if lw == "journal" else w[:5] if len(w) > 6 else w)
    return " ".join(out)


def _shift_numbers(value: str, offset: int) -> str:
    return re.sub(r"\d+", lambda m: str(int(m.group(0)) + offset), value) if value else value


def _typo(title: str, rng: random.Random) -> str:
    if len(title) < 10:
        return title
    p = rng.randrange(1, len(title) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return title[:p] + title[p + 1:]
    if kind == 1:
        return title[:p] + title[p + 1] + title[p] + title[p + 2:]
    return title[:p] + rng.choice("aeiourstn") + title[p + 1:]


def _author_form(author: str, rng: random.Random) -> str:
    family, _, given = author.partition(",")
    given = given.strip()
    if not given:
        return author
    if rng.random() < 0.5:
        return f"{family}, {given[0]}"  # initials cut to one
    return f"{family}, {given[0]}{rng.choice(['ohn', 'aria', 'ames', 'ei', 'ans'])} {given[1:2]}".rstrip()


def replicate(base, groups, size: int, seed: int = 1):
    """`size` records: the base set, then perturbed replicas; (records, gold labels)."""
    from review.records import Record

    vocab = sorted({w.lower() for r in base for w in _WORD.findall(r.title) if len(w) > 3})
    surnames = sorted({r.authors[0].split(",")[0] for r in base if r.authors})
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    order = sorted(by_group)
    records, labels = [], []
    no_raw: dict = {}
    replica = 0
    while len(records) < size:
        for g in order:
            members = by_group[g]
            if replica == 0:
                for i in members:
                    records.append(base[i])
                    labels.append(f"0:{g}")
                continue
            grng = random.Random(f"{seed}:{replica}:{g}")
            # one word map for the whole group, covering a third of each member's title words
            swap: dict[str, str] = {}
            for i in members:
                words = sorted({w.lower() for w in _WORD.findall(base[i].title)})
                need = min(len(words), max(2, len(words) // 3)) - sum(w in swap for w in words)
                for w in grng.sample([w for w in words if w not in swap], max(0, need)):
                    swap[w] = grng.choice(vocab)
            offset = replica  # distinct per replica: two replicas never share volume and pages
            new_surname = grng.choice(surnames)
            for i in members:
                r = base[i]
                rng = random.Random(f"{seed}:{replica}:{i}")
                title = _WORD.sub(lambda m: swap.get(m.group(0).lower(), m.group(0)), r.title)
                if rng.random() < 0.15:
                    title = _typo(title, rng)
                u = rng.random()
                title = title.upper() if u < 0.05 else title.lower() if u < 0.10 else title
                authors = list(r.authors)
                if authors:
                    authors[0] = new_surname + "," + authors[0].partition(",")[2]
                if authors and rng.random() < 0.2:
                    authors = [_author_form(a, rng) for a in authors]
                journal = r.journal
                if journal and rng.random() < 0.3:
                    journal = abbreviate(journal)
                doi = f"{r.doi}.r{replica}" if r.doi and rng.random() >= 0.3 else ""
                records.append(Record(
                    title=title, abstract="", authors=authors, year=r.year, journal=journal,
                    journal_abbrev="", volume=_shift_numbers(r.volume, offset), issue=r.issue,
                    pages=_shift_numbers(r.pages, offset), doi=doi,
                    pmid=f"{r.pmid}{replica:03d}" if r.pmid else "",
                    pub_types=r.pub_types, database=r.database, source=r.source,
                    # lists and raw shared with the original (nothing changes them): less memory
                    issn=r.issn, keywords=r.keywords, mesh=r.mesh, raw=no_raw,
                ))
                labels.append(f"{replica}:{g}")
            if len(records) >= size:
                break
        replica += 1
    return records[:size], labels[:size]


def score_replicas(keys: list[str], labels: list[str], cluster_of: list[int]) -> dict:
    """Group scoring (dedup_accuracy.score) per labelled set and replica, summed.

    The sets overlap a little (one article is in both diabetes and haematology),
    so a cluster that joins records of two *sets* of the same replica is not
    counted as a false merge; joining two replicas, or two groups of one set, is.
    """
    from collections import defaultdict

    acc = _accuracy_module()
    subsets: dict[str, list[int]] = defaultdict(list)
    for n, lab in enumerate(labels):
        replica, name, _ = lab.split(":", 2)
        subsets[f"{replica}:{name}"].append(n)
    total = {"TP": 0, "FP": 0, "TN": 0, "FN": 0, "false_merges": 0}
    for members in subsets.values():
        ks = [keys[n] for n in members]
        s = acc.score(ks, [cluster_of[n] for n in members], {keys[n]: labels[n] for n in members})
        for k in total:
            total[k] += s[k]
    replicas = defaultdict(set)
    for n, lab in enumerate(labels):
        replicas[cluster_of[n]].add(lab.split(":", 1)[0])
    total["false_merges"] += sum(len(r) - 1 for r in replicas.values())
    total["sens"] = total["TP"] / (total["TP"] + total["FN"])
    total["spec"] = total["TN"] / (total["TN"] + total["FP"])
    return total


def run_one(size: int, shared: Path) -> dict:
    """Build `size` records and deduplicate them; runs in its own process."""
    from review.dedup import find_duplicates

    base, groups = load_base(shared)
    t0 = time.perf_counter()
    records, labels = replicate(base, groups, size)
    build = time.perf_counter() - t0
    keys = [f"x{i:07d}" for i in range(len(records))]
    t0, c0 = time.perf_counter(), time.process_time()
    res = find_duplicates(records, keys=keys)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    score = score_replicas(keys, labels, res.cluster_of)
    return {
        "records": len(records), "seconds": seconds, "cpu_seconds": cpu, "build_seconds": build,
        "pairs": len(res.pairs), "possible": len(res.possible()), "clusters": len(res.clusters),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "false_merges": score["false_merges"], "sens": score["sens"], "spec": score["spec"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one size, JSON out
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.shared)))
        return 0
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        cmd = [sys.executable, __file__, "--one", str(size), "--shared", str(args.shared)]
        if sys.platform.startswith("linux"):
            cmd = ["taskset", "-c", "0"] + cmd  # one core
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if out.returncode:
            sys.stderr.write(out.stderr)
            return out.returncode
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"{size:,}: {rows[-1]['seconds']:.1f} s", file=sys.stderr)
    print(f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"one core; {time.strftime('%Y-%m-%d')}\n")
    print("| records | find_duplicates wall (s) | CPU (s) | peak RSS (MB) | compared pairs | possible pairs | clusters | "
          "false merges | sensitivity | specificity |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['records']:,} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | {r['peak_rss_mb']:,.0f} | {r['pairs']:,} | "
              f"{r['possible']:,} | {r['clusters']:,} | {r['false_merges']} | {r['sens']:.4f} | {r['spec']:.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
