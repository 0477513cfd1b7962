"""How long `review run` takes on the example review at the repository root.

Copies protocol.yaml and records/ to a temporary folder, then times `review run`
as a user starts it (a fresh process: Python start-up and imports included):
a first run on an empty output/ and a second run over it, each repeated. Then
one run in this process with the time of each stage. Run from the repository
root:

    python benchmarks/run_speed.py [--repeat 5]

Wall-clock seconds are what a user waits; CPU seconds (the run's process and
the workers it forks) show how much of that is work when the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def copy_example(dest: Path) -> Path:
    shutil.copy(REPO / "protocol.yaml", dest / "protocol.yaml")
    shutil.copytree(REPO / "records", dest / "records")
    return dest


def timed_run(root: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of one `review run`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "review", "run"], cwd=root, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        sys.exit(f"review run failed:\n{out.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def stage_times(root: Path) -> list[tuple[str, float]]:
    from review.run import run_review

    times: list[tuple[str, float]] = []
    start: dict[str, float] = {}

    def on_stage(stage: str, what: str) -> None:
        if what == "start":
            start[stage] = time.perf_counter()
        else:
            times.append((stage, time.perf_counter() - start[stage]))

    run_review(root, on_stage=on_stage)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    rows = []
    for label, fresh in (("first run (empty output/)", True), ("second run", False)):
        walls, cpus = [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                root = copy_example(Path(tmp))
                if not fresh:
                    timed_run(root)
                wall, cpu = timed_run(root)
                walls.append(wall)
                cpus.append(cpu)
        rows.append((label, statistics.median(walls), min(walls), statistics.median(cpus)))
    print(f"\n`review run` on the example, {args.repeat} runs each, fresh process per run")
    print("| run | median wall s | best wall s | median CPU s |")
    print("|---|---:|---:|---:|")
    for label, med, best, cpu in rows:
        print(f"| {label} | {med:.2f} | {best:.2f} | {cpu:.2f} |")
    with tempfile.TemporaryDirectory() as tmp:
        times = stage_times(copy_example(Path(tmp)))
    print("\nstages of one first run, in this process (wall s)")
    print("| stage | seconds |")
    print("|---|---:|")
    for stage, sec in times:
        print(f"| {stage} | {sec:.2f} |")
    print(f"| all | {sum(s for _, s in times):.2f} |")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
