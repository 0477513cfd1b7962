"""Zero false merges on every labelled set that has its records (../shared/benchmarks/dedup).

The labels (merged_record_ids.csv, from the published studies) are the
independent source: no predicted cluster may join two labelled groups.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("dedup_accuracy", REPO / "benchmarks" / "dedup_accuracy.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", ["diabetes", "cytology_screening", "haematology", "respiratory", "special_cases"])
def test_no_false_merges_on_labelled_sets(shared_dir, name):
    bench = _bench()
    result = bench.run_set(shared_dir / "benchmarks" / "dedup" / name, bench.SETS[name])
    assert result["auto"]["false_merges"] == 0
    assert result["auto"]["FP"] == 0
    # and answering the possible pairs from the labels adds none either
    assert result["answered"]["false_merges"] == 0


def test_group_scoring_matches_the_readme_definition():
    # Gold groups {a1,a2,a3} and {b}; predicted clusters {a1,a2}, {a3}, {b}:
    # group a keeps k=2 of n=3 -> 1 TN, 1 FN, 1 TP; b kept -> 1 TN (README, bib-dedupe scoring).
    bench = _bench()
    group = {"a1": "a1", "a2": "a1", "a3": "a1", "b": "b"}
    s = bench.score(["a1", "a2", "a3", "b"], [0, 0, 1, 2], group)
    assert (s["TP"], s["FN"], s["TN"], s["FP"]) == (1, 1, 2, 0)
    # {a1, b} merged, b's group keeps nothing when a1 is kept -> 1 FP, and one false merge.
    s = bench.score(["a1", "a2", "b"], [0, 1, 0], {"a1": "a1", "a2": "a1", "b": "b"})
    assert s["FP"] == 1 and s["false_merges"] == 1


def _speed():
    spec = importlib.util.spec_from_file_location("dedup_speed", REPO / "benchmarks" / "dedup_speed.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_speed_benchmark_scoring_allows_cross_set_joins_but_not_cross_replica_ones():
    # labels are "replica:set:group". Records 0,1 are one group of set a; record 2 is set b's
    # copy of the same article (the sets overlap), record 3 is replica 1 of record 0's group.
    speed = _speed()
    keys, labels = ["r0", "r1", "r2", "r3"], ["0:a:g1", "0:a:g1", "0:b:h1", "1:a:g1"]
    s = speed.score_replicas(keys, labels, [0, 0, 0, 1])
    # set a replica 0: one group of 2 kept once -> 1 TN, 1 TP; b and replica 1: 1 TN each
    assert (s["TP"], s["FN"], s["TN"], s["FP"], s["false_merges"]) == (1, 0, 3, 0, 0)
    s = speed.score_replicas(keys, labels, [0, 0, 0, 0])  # replica 1 joined to replica 0
    assert s["false_merges"] == 1


def test_speed_benchmark_abbreviates_journals_the_way_journals_match_reads_them():
    from review.dedup import fold, journals_match

    speed = _speed()
    short = speed.abbreviate("Journal of Bone and Mineral Research")
    assert short == "J Bone Miner Resea"  # small words dropped, Journal -> J, words over 6 letters cut to 5
    assert journals_match(fold(short), fold("Journal of Bone and Mineral Research"))
