"""Import speed and memory: review's importers beside rispy and bibtexparser.

Builds 100,000-record MEDLINE, RIS and BibTeX files from real exports in
../shared/corpus/exports (records repeated with changed ids), then parses each
file in a fresh subprocess per tool and reports records/s, MB/s and peak
resident memory. Run from the repository root:

    python benchmarks/import_speed.py [--records 100000] [--dir FOLDER] [--before OLD_TREE]
    python benchmarks/import_speed.py --phases 10000 [--dir FOLDER]

--phases times each phase of the MEDLINE and RIS parsers (microseconds per
record, in this process, garbage collector off, best of five): where the time
goes, and how much of it is C work that no Python change can remove.

Seconds are wall-clock; CPU seconds are the process's own CPU time, the
number to read when other work shares the machine.

rispy and bibtexparser are peers here, not dependencies of review: install
rispy in the same environment to include it (pip install rispy).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXPORTS = REPO.parent / "shared" / "corpus" / "exports"
SOURCES = {
    "medline": EXPORTS / "pubmed_medline" / "blachlylab_nbib_pubmed_CRLF.nbib",
    "ris": EXPORTS / "ris_other" / "asysd_zotero_export_CRLF.ris",
    "bibtex": EXPORTS / "bibtex_other" / "asysd_zotero_export_tabs.bib",
}


def split_records(fmt: str, text: str) -> list[str]:
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    if fmt == "medline":
        return [b.strip("\n") + "\n" for b in re.split(r"\n\s*\n(?=PMID- )", text.strip()) if b.strip()]
    if fmt == "ris":
        return [b.strip("\n") + "\nER  - \n" for b in re.split(r"^ER  -.*$", text, flags=re.M) if "TY  -" in b]
    return ["@" + b.strip() + "\n" for b in re.split(r"^@", text, flags=re.M) if b.strip()]


def change_id(fmt: str, record: str, n: int) -> str:
    """Give copy n of a record new ids, so no two records in the big file are the same."""
    if fmt == "medline":
        record = re.sub(r"^PMID- \d+", f"PMID- {90000000 + n}", record, flags=re.M)
        return re.sub(r"^(TI  - )", rf"\g<1>[{n}] ", record, count=1, flags=re.M)
    if fmt == "ris":
        record = re.sub(r"^(T[I1]  - )", rf"\g<1>[{n}] ", record, count=1, flags=re.M)
        return re.sub(r"^(DO  - )(.*)$", rf"\g<1>\g<2>.{n}", record, flags=re.M)
    record = re.sub(r"^(@\w+\{)([^,]*),", rf"\g<1>k{n},", record, count=1)
    return re.sub(r"(\btitle\s*=\s*\{)", rf"\g<1>[{n}] ", record, count=1, flags=re.I)


def build(fmt: str, n: int, folder: Path) -> Path:
    out = folder / f"big{n}.{fmt}"
    if out.exists():  # --dir: built by an earlier run
        return out
    records = split_records(fmt, SOURCES[fmt].read_text(encoding="utf-8-sig"))
    part = out.with_suffix(".part")
    with open(part, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(change_id(fmt, records[i % len(records)], i))
            fh.write("\n")
    part.rename(out)
    return out


RUNNERS = {
    "review": "from review.importers import read_file; n = len(read_file(PATH).records)",
    # --before DIR: review from another source tree (e.g. `git archive HEAD | tar -x -C DIR`)
    "review-before": "sys.path.insert(0, BEFORE)\nfrom review.importers import read_file; n = len(read_file(PATH).records)",
    "rispy": "import rispy\nwith open(PATH, encoding='utf-8') as fh: n = len(rispy.load(fh))",
    "bibtexparser": "import bibtexparser; n = len(bibtexparser.parse_file(PATH).entries)",
}
CHILD = """
import resource, sys, time, json
PATH, BEFORE = sys.argv[1], sys.argv[2]
t0, c0 = time.perf_counter(), time.process_time()
{body}
dt, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({{"n": n, "seconds": dt, "cpu": cpu, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(tool: str, path: Path, before: str = "") -> dict | None:
    code = CHILD.format(body=RUNNERS[tool])
    cwd = "/" if tool == "review-before" else REPO  # so that the working tree's review is not found first
    out = subprocess.run([sys.executable, "-c", code, str(path), before], capture_output=True, text=True, cwd=cwd)
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last}
    return json.loads(out.stdout)


def phases(folder: Path, n: int) -> None:
    """Microseconds per record of each phase of the MEDLINE and RIS parsers."""
    import gc

    sys.path.insert(0, str(REPO))
    from review.importers import medline, ris
    from review.records import Record, Source

    class Ctx:
        def warn(self, *args, **kwargs):
            pass

    def best(label: str, run, count: int):
        times = []
        for _ in range(5):
            t0 = time.process_time()
            out = run()
            times.append(time.process_time() - t0)
        print(f"| {label} | {min(times) / count * 1e6:.2f} |")
        return out

    gc.disable()
    data = build("medline", n, folder).read_bytes()
    chunks = [data[i:i + (1 << 23)] for i in range(0, len(data), 1 << 23)]
    count = len(medline.parse_stream(chunks, Ctx()))
    print(f"\n| MEDLINE phase ({count:,} records, {len(data) / count:,.0f} bytes each) | µs per record |\n|---|---:|")
    buf = b"\n" + data
    spans = best("find the records (regex for blank lines)", lambda: list(medline._blocks(buf, len(buf), b"\n")), count)
    blocks = best("slice them", lambda: [buf[s - 1:e] for s, e in spans], count)
    best("count their lines", lambda: [b.count(b"\n") for b in blocks], count)
    texts = best("decode UTF-8", lambda: [b.decode() for b in blocks], count)
    best("regex for the wanted tags (C)", lambda: [medline._WANTED_AU_RE.findall(t) for t in texts], count)
    wanted = best("regex + matches grouped by tag (Python)", lambda: [medline._wanted(t) for t in texts], count)
    best("normalise, build the Record", lambda: [medline.record_from_raw(w, Source()) for w in wanted], count)
    best("(of which Record() and Source())", lambda: [Record(source=Source()) for _ in wanted], count)
    best("whole parse", lambda: medline.parse_stream(chunks, Ctx()), count)

    data = build("ris", n, folder).read_bytes()
    chunks = [data[i:i + (1 << 23)] for i in range(0, len(data), 1 << 23)]
    count = len(ris.parse_stream(chunks, Ctx()))
    print(f"\n| RIS phase ({count:,} records, {len(data) / count:,.0f} bytes each) | µs per record |\n|---|---:|")

    def split():
        out, start, stop = [], 0, len(data)
        while start < stop:
            i = data.find(b"\nTY  -", start + 1, stop)
            end = stop if i < 0 else i + 1
            out.append(data[start:end])
            start = end
        return out

    blocks = best("find the records (bytes.find) and slice them", split, count)
    best("count their lines", lambda: [b.count(b"\n") for b in blocks], count)
    bodies = [b[:b.find(b"\nER  -")] for b in blocks]
    texts = best("decode UTF-8", lambda: [b.decode() for b in bodies], count)
    best("regex for the fields (C)", lambda: [ris._FIELD.findall(t) for t in texts], count)
    raws = best("regex + values stripped, grouped by tag (Python)", lambda: [ris._fields(t, str) for t in texts], count)
    best("normalise, build the Record", lambda: [ris.record_from_raw(r, Source()) for r in raws], count)
    best("whole parse", lambda: ris.parse_stream(chunks, Ctx()), count)


def _cpu() -> str:
    """The processor's model name (Linux), else what platform says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} cores)"
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _load() -> str:
    """The load average: other work on the machine slows the wall clock, not the CPU seconds."""
    try:
        return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "load average unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, help="build the files here and reuse them on later runs (default: a temporary folder)")
    ap.add_argument("--formats", default="medline,ris,bibtex", help="comma-separated: medline,ris,bibtex")
    ap.add_argument("--tools", default="review,rispy,bibtexparser", help="comma-separated tools to run")
    ap.add_argument("--before", default="", help="also run review from this source tree (an earlier version)")
    ap.add_argument("--phases", type=int, default=0, metavar="N",
                    help="instead: time each phase of the MEDLINE and RIS parsers on N-record files")
    args = ap.parse_args()
    if not EXPORTS.is_dir():
        sys.exit("needs ../shared/corpus/exports beside the repository")
    if args.phases:
        with tempfile.TemporaryDirectory() as tmp:
            folder = args.dir or Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            print(f"# {_cpu()}, Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M %Z')}; {_load()}")
            phases(folder, args.phases)
        return
    print(f"# {_cpu()}, Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M %Z')}, "
          f"{args.records:,} records per file, one core, each run in a fresh process; {_load()}")
    print("| file | tool | records | seconds | CPU seconds | records/s | records per CPU s | MB/s | peak RSS (MB) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    formats, wanted = args.formats.split(","), args.tools.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        before = ["review-before"] if args.before else []
        for fmt, tools in (("medline", before + ["review"]), ("ris", before + ["review", "rispy"]),
                           ("bibtex", before + ["review", "bibtexparser"])):
            if fmt not in formats:
                continue
            tools = [t for t in tools if t in wanted or t == "review-before"]
            path = build(fmt, args.records, folder)
            mb = path.stat().st_size / 1e6
            for tool in tools:
                r = measure(tool, path, args.before)
                if r is None or "error" in r:
                    print(f"| {fmt} ({mb:.0f} MB) | {tool} | - | - | - | - | - | - | - | {r and r.get('error')}")
                    continue
                print(f"| {fmt} ({mb:.0f} MB) | {tool} | {r['n']:,} | {r['seconds']:.2f} | {r['cpu']:.2f} | "
                      f"{r['n'] / r['seconds']:,.0f} | {r['n'] / r['cpu']:,.0f} | {mb / r['seconds']:.1f} | "
                      f"{r['peak_mb']:.0f} |", flush=True)
    print(f"# end: {_load()}")


if __name__ == "__main__":
    main()
