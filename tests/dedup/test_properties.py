"""Properties: the clusters do not depend on the order of the input, and answers that restate them change nothing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from review.dedup import Decision, find_duplicates
from review.records import Record

TITLES = [
    "Metformin and the risk of hip fracture in older adults",
    "Metformin and the risk of hip fracture in older adults.",
    "Erratum: Metformin and the risk of hip fracture in older adults",
    "Sodium glucose cotransporter 2 inhibitors and heart failure",
    "Editorial",
    "",
]
AUTHORS = [["Smith, JA", "Jones, M"], ["Smith, J"], ["Brown, K"], []]
JOURNALS = ["Journal of Bone and Mineral Research", "J Bone Miner Res", "Diabetologia", ""]

record = st.builds(
    lambda t, a, y, j, v, p, d: Record(title=t, authors=a, year=y, journal=j, volume=v, pages=p, doi=d),
    st.sampled_from(TITLES),
    st.sampled_from(AUTHORS),
    st.sampled_from([2014, 2015, 2016, None]),
    st.sampled_from(JOURNALS),
    st.sampled_from(["30", "31", ""]),
    st.sampled_from(["611-618", "611-8", "77-85", ""]),
    st.sampled_from(["", "", "10.1/a", "10.1/b"]),
)


def as_sets(records, keys, decisions=()):
    res = find_duplicates(records, decisions, keys=keys)
    return {frozenset(keys[i] for i in c) for c in res.clusters}


@settings(max_examples=150, deadline=None)
@given(st.lists(record, min_size=1, max_size=12), st.randoms())
def test_order_of_input_does_not_change_the_clusters(records, rnd):
    keys = [f"r{i}" for i in range(len(records))]
    order = list(range(len(records)))
    rnd.shuffle(order)
    shuffled = [records[i] for i in order]
    assert as_sets(records, keys) == as_sets(shuffled, [keys[i] for i in order])


@settings(max_examples=150, deadline=None)
@given(st.lists(record, min_size=1, max_size=12))
def test_feeding_the_clusters_back_as_answers_gives_the_same_clusters(records):
    # What `review dedup` does on a rerun: every merged pair answered "same" must change nothing.
    keys = [f"r{i}" for i in range(len(records))]
    res = find_duplicates(records, keys=keys)
    answers = [Decision(keys[c[0]], keys[m], True) for c in res.clusters for m in c[1:]]
    assert as_sets(records, keys, answers) == {frozenset(keys[i] for i in c) for c in res.clusters}


@settings(max_examples=100, deadline=None)
@given(st.lists(record, min_size=1, max_size=12))
def test_running_twice_gives_the_same_result(records):
    keys = [f"r{i}" for i in range(len(records))]
    assert as_sets(records, keys) == as_sets(list(records), keys)
