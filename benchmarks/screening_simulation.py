"""Priority screening benchmark: review's ranking and stopping rule beside ASReview's default.

For every labelled set in ../shared/benchmarks/screening and seeds 0..S-1, run
`review.screening.simulate` and `asreview simulate` (its default model) from
the SAME starting pair (one relevant, one irrelevant record, chosen by
`start_records(labels, seed)` and given to ASReview with --prior-idx) on the
SAME records (each set is written once as a UTF-8 CSV with title, abstract and
label_included, which both tools read). Both count the starting pair as
screened. Prints a Markdown table of mean (min-max) per set.

    python benchmarks/screening_simulation.py [--seeds 10] [--sets Kitchenham_2010 ...]
        [--asreview /work/asreview-venv/bin/asreview] [--no-asreview] [--jobs 2]
        [--work /tmp/review-screening-bench] [--json results.json]

ASReview runs are cached in --work by set, seed and ASReview version, so a rerun
only repeats review's side.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from review.screening.simulate import (  # noqa: E402
    LabelledSet,
    StopSettings,
    n_to_recall,
    read_labelled,
    rrf,
    simulate,
    start_records,
    wss,
)

SHARED = REPO.parent / "shared" / "benchmarks" / "screening"
SETS = {
    "Kitchenham_2010": (["Kitchenham_2010/Kitchenham_2010.csv"], "label_included"),
    "Nagtegaal_2019": (["Nagtegaal_2019/Nagtegaal_2019.csv"], "label_included"),
    "Cohen_2006_ACEInhibitors": (["Cohen_2006_ACEInhibitors/ACEInhibitors.csv"], "label_included"),
    "Radjenovic_2013": (["Radjenovic_2013/Danijel2005-.csv", "Radjenovic_2013/Danijel2005+.csv"], "label"),
}


def load(name: str) -> tuple[LabelledSet, list[tuple[str, str]]]:
    """The set's texts and labels, plus (title, abstract) per row for ASReview."""
    from review.importers import read_file

    files, column = SETS[name]
    paths = [SHARED / f for f in files]
    data = read_labelled(paths, column)
    fields = [(r.title, r.abstract) for p in paths for r in read_file(p).records]
    assert len(fields) == len(data.labels)
    return data, fields


def write_csv(path: Path, fields: list[tuple[str, str]], labels: list[int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "title", "abstract", "label_included"])
        for i, ((title, abstract), y) in enumerate(zip(fields, labels)):
            w.writerow([i, title, abstract, y])


def asreview_version(exe: str) -> str:
    out = subprocess.run([exe, "--version"], capture_output=True, text=True)
    return out.stdout.strip().split()[-1] if out.returncode == 0 else "?"


def asreview_order(exe: str, csv_path: Path, start: list[int], seed: int, out: Path) -> tuple[list[int], float]:
    """Row numbers in the order ASReview's default model screened them (until the last relevant)."""
    cache = out.with_suffix(".order.json")
    if cache.exists():
        d = json.loads(cache.read_text())
        return d["order"], d["seconds"]
    if out.exists():
        out.unlink()
    t = time.perf_counter()
    cmd = [exe, "simulate", str(csv_path), "--prior-idx", *map(str, start), "--seed", str(seed), "-o", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "TQDM_DISABLE": "1"})
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"asreview failed: {proc.stderr[-2000:]}")
    with zipfile.ZipFile(out) as z:
        db = out.with_suffix(".db")
        db.write_bytes(z.read("results.db"))
    con = sqlite3.connect(db)
    row_of = dict(con.execute("SELECT record_id, dataset_row FROM record"))
    order = [row_of[rid] for (rid,) in con.execute("SELECT record_id FROM results ORDER BY rowid")]
    con.close()
    db.unlink()
    out.unlink()
    cache.write_text(json.dumps({"order": order, "seconds": seconds}))
    return order, seconds


def metrics(order: list[int], labels: list[int]) -> dict:
    """Metrics of an order that may stop at the last relevant record (the rest is irrelevant)."""
    ordered = [labels[i] for i in order]
    ordered += [0] * (len(labels) - len(ordered))
    return {
        "wss95": wss(ordered, 0.95),
        "wss100": wss(ordered, 1.0),
        "rrf10": rrf(ordered, 0.10),
        "n_screened_95": n_to_recall(ordered, 0.95),
    }


def fmt(values: list[float], pct: bool = True) -> str:
    mean, lo, hi = sum(values) / len(values), min(values), max(values)
    if pct:
        return f"{100 * mean:.1f}% ({100 * lo:.1f}-{100 * hi:.1f})"
    return f"{mean:.0f} ({lo:.0f}-{hi:.0f})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--sets", nargs="*", default=list(SETS))
    ap.add_argument("--asreview", default="/work/asreview-venv/bin/asreview")
    ap.add_argument("--no-asreview", action="store_true")
    ap.add_argument("--only-asreview", action="store_true")
    ap.add_argument("--jobs", type=int, default=1, help="ASReview runs at once")
    ap.add_argument("--work", default="/tmp/review-screening-bench")
    ap.add_argument("--json", help="write every run's numbers here")
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"no benchmark data at {SHARED}", file=sys.stderr)
        return 2
    work = Path(args.work)
    use_asr = not args.no_asreview and Path(args.asreview).exists()
    version = asreview_version(args.asreview) if use_asr else ""
    settings = StopSettings()
    all_runs: dict = {}
    rows = []
    for name in args.sets:
        data, fields = load(name)
        seeds = list(range(args.seeds))
        entry: dict = {"n": len(data.labels), "relevant": data.n_relevant, "review": [], "asreview": []}
        if use_asr:
            csv_path = work / name / "data.csv"
            write_csv(csv_path, fields, data.labels)

            def one(seed: int, name=name, csv_path=csv_path, data=data):
                out = work / name / f"asreview-{version}-seed{seed}.asreview"
                order, secs = asreview_order(args.asreview, csv_path, start_records(data.labels, seed), seed, out)
                return {"seed": seed, "seconds": secs, **metrics(order, data.labels)}

            with ThreadPoolExecutor(max(1, args.jobs)) as pool:
                entry["asreview"] = list(pool.map(one, seeds))
        if not args.only_asreview:
            t = time.perf_counter()
            results = simulate(data, seed=0, runs=args.seeds, settings=settings)
            secs = (time.perf_counter() - t) / args.seeds
            n = len(data.labels)
            for r in results:
                d = r.to_json()
                d["seconds"] = secs
                # Savings of the rule against perfect stopping at 95 % recall.
                d["saved"] = (n - r.stop_n) / n
                d["perfect_saved"] = (n - r.n_screened_95) / n
                entry["review"].append(d)
        all_runs[name] = entry
        rows.append((name, entry))
        print(f"{name}: done", file=sys.stderr, flush=True)
    print(table(rows, version, settings))
    if args.json:
        Path(args.json).write_text(json.dumps(all_runs, indent=1))
    return 0


def table(rows, version: str, settings: StopSettings) -> str:
    out = [
        "| set | N / relevant | tool | WSS@95 | WSS@100 | RRF@10 | screened to 95% | s/run |",
        "|---|---|---|---|---|---|---|---:|",
    ]
    for name, e in rows:
        for tool, runs in (("review", e["review"]), (f"ASReview {version} default", e["asreview"])):
            if not runs:
                continue
            col = lambda k: [r[k] for r in runs]  # noqa: E731
            secs = sum(col("seconds")) / len(runs)
            out.append(f"| {name} | {e['n']:,} / {e['relevant']} | {tool} | {fmt(col('wss95'))} | "
                       f"{fmt(col('wss100'))} | {fmt(col('rrf10'))} | {fmt(col('n_screened_95'), False)} | {secs:.1f} |")
    out += ["", f"Stopping rule (random sampling after {settings.switch_share:.0%} of N, at least "
                f"{settings.switch_min}, irrelevant in a row; recall target {settings.recall:.0%}, "
                f"confidence {settings.confidence:.0%}):", "",
            "| set | runs reaching 95% recall | recall at stop | screened at stop | saved | saved by perfect stop at 95% | share of perfect saving | quasi-sampling: reached / screened |",
            "|---|---:|---|---|---|---|---|---|"]
    for name, e in rows:
        runs = e["review"]
        if not runs:
            continue
        ok = sum(r["stop_recall"] >= settings.recall for r in runs)
        share = [r["saved"] / r["perfect_saved"] if r["perfect_saved"] else 0 for r in runs]
        qok = sum(r["quasi_stop_recall"] >= settings.recall for r in runs)
        out.append(f"| {name} | {ok}/{len(runs)} | {fmt([r['stop_recall'] for r in runs])} | "
                   f"{fmt([r['stop_n'] for r in runs], False)} | {fmt([r['saved'] for r in runs])} | "
                   f"{fmt([r['perfect_saved'] for r in runs])} | {fmt(share)} | "
                   f"{qok}/{len(runs)} / {fmt([r['quasi_stop_n'] for r in runs], False)} |")
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
