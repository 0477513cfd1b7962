"""Rebuild the example review's records/extraction from tests/data/extraction/example/.

Run from the repo root on a review with no records/extraction yet: links halvorsen2023 into
study halvorsen2019, translates the sheets' study keys (tests/data/example_truth.json keys) to
the study ids of _studies.csv, loads both sheets, records the agreed values and exports.
"""
import csv, io, json, subprocess
from pathlib import Path
from review.dedup_workflow import load_works
from review.extraction.studies import study_map

root = Path.cwd()
truth = json.loads((root / "tests/data/example_truth.json").read_text())
works = load_works(root)
def wid(t):
    for key in ([f"pmid:{t['pubmed']['pmid']}"] if t.get("pubmed") else []) + ([f"doi:{t['doi']}"] if t.get("doi") else []):
        w = works.work_of(key)
        if w:
            return w
    raise SystemExit(f"no work for {t['key']}")
key_to_work = {t["key"]: wid(t) for t in truth["works"] if t["role"] == "included"}
run = lambda *a: subprocess.run(["/work/venv/bin/review", "extract", *a], check=True)
run("link", key_to_work["halvorsen2023"], "--study", "halvorsen2019")
smap = study_map(root)
key_to_study = {k: smap[w] for k, w in key_to_work.items()}
print(key_to_study)
src = root / "tests/data/extraction/example"
for who in ("ana", "ben"):
    rows = list(csv.reader(open(src / f"{who}.csv", encoding="utf-8", newline="")))
    for r in rows[2:]:
        r[0] = key_to_study[r[0]]
    buf = io.StringIO(); csv.writer(buf, lineterminator="\n").writerows(rows)
    tmp = Path(f"/tmp/x2_{who}.csv"); tmp.write_text(buf.getvalue(), encoding="utf-8")
    run("load", str(tmp), "--reviewer", who)
subprocess.run(["/work/venv/bin/review", "extract", "compare"])
for r in csv.DictReader(open(src / "resolutions.csv", encoding="utf-8")):
    run("resolve", key_to_study[r["study"]], r["field"], r["value"], "--by", r["by"])
run("compare", "--all")
run("export")
