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

from review.screening.rank import Ranker  # noqa: E402
from review.screening.simulate import (  # noqa: E402
    LabelledSet,
    StopSettings,
    n_to_recall,
    read_labelled,
    rrf,
    run_once,
    simulate_quasi_stop,
    simulate_stop,
    start_records,
    wss,
)

SWITCH_SHARES = (0.02, 0.05, 0.10)

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


def speed(n: int = 10_000, repeat: int = 5) -> str:
    """Seconds to vectorise, retrain and rank with n records (the four sets joined, first n)."""
    texts: list[str] = []
    labels: list[int] = []
    for name in SETS:
        data, _ = load(name)
        texts += data.texts
        labels += data.labels
    texts, labels = texts[:n], labels[:n]
    t = time.perf_counter()
    ranker = Ranker(corpus=texts, seed=0)
    vec = time.perf_counter() - t
    lines = [f"TF-IDF on {n:,} records (once per session): {vec:.2f} s, "
             f"{ranker._matrix.shape[1]:,} features"]
    for n_fit in (1_000, n // 2, n):
        rows = list(range(n_fit))
        best_fit = best_rank = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            ranker.fit_rows(rows, labels[:n_fit])
            best_fit = min(best_fit, time.perf_counter() - t)
            t = time.perf_counter()
            ranker.rank_rows(list(range(n_fit, n)) or rows)
            best_rank = min(best_rank, time.perf_counter() - t)
        lines.append(f"retrain on {n_fit:,} screened: {best_fit:.3f} s; rank the other "
                     f"{max(n - n_fit, 0) or n_fit:,}: {best_rank:.3f} s (best of {repeat})")
    return "\n".join(lines)


def code_hash() -> str:
    """Hash of the ranking and simulation code, so cached review orders follow code changes."""
    import hashlib

    h = hashlib.sha1()
    for f in ("rank.py", "simulate.py"):
        h.update((REPO / "review" / "screening" / f).read_bytes())
    return h.hexdigest()[:10]


def review_run(labels: list[int], order: list[int], seed: int, seconds: float, settings: StopSettings) -> dict:
    """Metrics and stopping points of one of review's runs, from its screening order."""
    import random

    from dataclasses import replace

    ordered = [labels[i] for i in order]
    n, total = len(labels), sum(labels)
    d = {"seed": seed, "seconds": seconds, **metrics(order, labels)}
    d["perfect_saved"] = (n - d["n_screened_95"]) / n
    for share in SWITCH_SHARES:
        s = replace(settings, switch_share=share)
        stop_n, found = simulate_stop(ordered, s, random.Random(seed + 7919))
        d[f"stop_{share}"] = {"stop_n": stop_n, "stop_recall": found / total, "saved": (n - stop_n) / n}
    main = d[f"stop_{settings.switch_share}"]
    d.update(stop_n=main["stop_n"], stop_recall=main["stop_recall"], saved=main["saved"])
    q_n, q_found = simulate_quasi_stop(ordered, settings)
    d.update(quasi_stop_n=q_n, quasi_stop_recall=q_found / total)
    # "Irrelevant in a row" with the same count as the switch: where that heuristic alone stops.
    streak, found, stop = 0, 0, n
    for t, v in enumerate(ordered, 1):
        found += v
        streak = 0 if v else streak + 1
        if streak >= settings.switch(n):
            stop = t
            break
    d.update(streak_stop_n=stop, streak_stop_recall=sum(ordered[:stop]) / total)
    return d


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
    ap.add_argument("--cached-only", action="store_true",
                    help="use only seeds whose runs are already cached (both tools); say how many")
    ap.add_argument("--speed", action="store_true", help="only time the ranker on 10,000 records")
    args = ap.parse_args(argv)
    if args.speed:
        print(speed())
        return 0
    if not SHARED.is_dir():
        print(f"no benchmark data at {SHARED}", file=sys.stderr)
        return 2
    work = Path(args.work)
    code = code_hash()  # of the code loaded now (the files may change while this runs)
    use_asr = not args.no_asreview and Path(args.asreview).exists()
    version = asreview_version(args.asreview) if use_asr else ""
    settings = StopSettings()
    all_runs: dict = {}
    rows = []
    for name in args.sets:
        data, fields = load(name)
        seeds = list(range(args.seeds))
        if args.cached_only:
            def cached(seed: int, name=name) -> bool:
                review_ok = (work / name / f"review-{code}-seed{seed}.order.json").exists()
                asr_ok = not use_asr or (work / name / f"asreview-{version}-seed{seed}.order.json").exists()
                return review_ok and asr_ok
            seeds = [s for s in seeds if cached(s)]
        entry: dict = {"n": len(data.labels), "relevant": data.n_relevant, "review": [], "asreview": [],
                       "seeds": seeds}
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
            ranker = None
            for seed in seeds:
                cache = work / name / f"review-{code}-seed{seed}.order.json"
                if cache.exists():
                    got = json.loads(cache.read_text())
                else:
                    if ranker is None:
                        ranker = Ranker(corpus=data.texts, seed=seed)
                    t = time.perf_counter()
                    r = run_once(data, seed, ranker, settings=settings, quasi=False)
                    got = {"order": r.order, "seconds": time.perf_counter() - t}
                    cache.parent.mkdir(parents=True, exist_ok=True)
                    cache.write_text(json.dumps(got))
                entry["review"].append(review_run(data.labels, got["order"], seed, got["seconds"], settings))
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
            out.append(f"| {name} | {e['n']:,} / {e['relevant']} | {tool}, {len(runs)} seeds | {fmt(col('wss95'))} | "
                       f"{fmt(col('wss100'))} | {fmt(col('rrf10'))} | {fmt(col('n_screened_95'), False)} | {secs:.1f} |")
    out += ["", f"Stopping rule: ranked screening until k irrelevant records in a row, k = max("
                f"{settings.switch_min}, share x N), then a random sample from the rest until the "
                f"Callaghan & Mueller-Hansen test gives p < {1 - settings.confidence:.2f} for recall < "
                f"{settings.recall:.0%}. Saved = records never screened / N; perfect = stopping exactly at "
                "95% recall. Also: the same test on the ranked order alone (ranked quasi-sampling) and "
                "stopping at k in a row without a test.", "",
            "| set | rule | runs reaching 95% recall | recall at stop | screened at stop | saved | share of perfect saving |",
            "|---|---|---:|---|---|---|---|"]
    for name, e in rows:
        runs = e["review"]
        if not runs:
            continue
        out.append(f"| {name} | perfect stop at 95% | - | - | {fmt([r['n_screened_95'] for r in runs], False)} | "
                   f"{fmt([r['perfect_saved'] for r in runs])} | 100% |")
        variants = [(f"random sample, switch at {share:.0%} of N", f"stop_{share}") for share in SWITCH_SHARES]
        for label, key in variants + [("ranked quasi-sampling", None), ("k in a row (5% of N), no test", "streak")]:
            if key is None:
                got = [{"stop_n": r["quasi_stop_n"], "stop_recall": r["quasi_stop_recall"]} for r in runs]
            elif key == "streak":
                got = [{"stop_n": r["streak_stop_n"], "stop_recall": r["streak_stop_recall"]} for r in runs]
            else:
                got = [r[key] for r in runs]
            n = e["n"]
            saved = [(n - g["stop_n"]) / n for g in got]
            share = [sv / r["perfect_saved"] if r["perfect_saved"] else 0 for sv, r in zip(saved, runs)]
            ok = sum(g["stop_recall"] >= settings.recall for g in got)
            out.append(f"| {name} | {label} | {ok}/{len(runs)} | {fmt([g['stop_recall'] for g in got])} | "
                       f"{fmt([g['stop_n'] for g in got], False)} | {fmt(saved)} | {fmt(share)} |")
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
