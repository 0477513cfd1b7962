"""The ranker: learns from decisions, ranks title-only records, breaks ties by seed not file order."""

from __future__ import annotations

import pytest

from review.records import Record
from review.screening.rank import MODELS, Ranker, record_text

RELEVANT = [
    "exercise for depression randomised trial in adults",
    "aerobic exercise reduces depression randomised controlled trial",
    "walking exercise programme and depressive symptoms trial",
]
IRRELEVANT = [
    "soil nitrogen and wheat yield field plots",
    "bridge corrosion sensors on steel bridges",
    "tax policy and investment of small firms",
    "coral reef fish diversity transects",
]
UNSCREENED = [
    "wheat yield and soil fertiliser in field plots",  # irrelevant
    "exercise and depression: a randomised trial",  # relevant
    "small firms and tax changes",  # irrelevant
]


@pytest.mark.parametrize("model", MODELS)
def test_relevant_text_ranked_first(model):
    corpus = RELEVANT + IRRELEVANT + UNSCREENED
    r = Ranker(corpus=corpus, model=model, seed=1)
    r.fit(RELEVANT + IRRELEVANT, [1] * 3 + [0] * 4)
    assert r.rank(UNSCREENED)[0] == 1
    scores = r.scores(UNSCREENED)
    assert scores[1] > max(scores[0], scores[2])


def test_texts_outside_the_corpus_are_vectorised():
    r = Ranker(corpus=RELEVANT + IRRELEVANT, seed=0)
    r.fit(RELEVANT + IRRELEVANT, [1] * 3 + [0] * 4)
    order = r.rank(["tax policy for firms", "depression exercise trial"])
    assert order == [1, 0]


def test_record_without_abstract_ranked_on_title_and_keywords():
    rec = Record(title="Exercise for depression", abstract="", keywords=["randomised trial"])
    assert record_text(rec) == "Exercise for depression randomised trial"
    corpus = RELEVANT + IRRELEVANT + [record_text(rec), "coral reef fish"]
    r = Ranker(corpus=corpus, seed=0).fit(RELEVANT + IRRELEVANT, [1] * 3 + [0] * 4)
    assert r.rank([ "coral reef fish", record_text(rec)]) == [1, 0]


def test_ties_broken_by_seed_not_input_order():
    # One class only: nothing to learn, every score ties. A file sorted by label must not leak
    # its order into the ranking, so the order is a seeded shuffle, the same for the same seed.
    texts = [f"record number {i} about topic {i % 3}" for i in range(30)]
    r = Ranker(corpus=texts, seed=3).fit(texts[:2], [0, 0])
    first = r.rank(texts)
    assert sorted(first) == list(range(30))
    assert first != list(range(30))
    assert Ranker(corpus=texts, seed=3).fit(texts[:2], [0, 0]).rank(texts) == first
    assert Ranker(corpus=texts, seed=4).fit(texts[:2], [0, 0]).rank(texts) != first


def test_bad_labels_and_model():
    r = Ranker(corpus=RELEVANT + IRRELEVANT)
    with pytest.raises(ValueError):
        r.fit(RELEVANT, [1, 0])
    with pytest.raises(ValueError):
        r.fit(RELEVANT, [1, 2, 0])
    with pytest.raises(ValueError):
        Ranker(model="forest")


def test_primal_solver_for_many_records_gives_the_same_order(monkeypatch):
    """Past PRIMAL_FROM screened records the SVM uses liblinear's primal solver (speed); it
    minimises the same objective as the dual one, so the order must not change."""
    import review.screening.rank as rank

    corpus = RELEVANT + IRRELEVANT + UNSCREENED
    labels = [1] * len(RELEVANT) + [0] * len(IRRELEVANT)
    orders = []
    for primal_from in (10**9, 0):
        monkeypatch.setattr(rank, "PRIMAL_FROM", primal_from)
        r = Ranker(corpus=corpus, model="svm", seed=0).fit(RELEVANT + IRRELEVANT, labels)
        assert r._clf.dual == (primal_from > 0)
        orders.append(r.rank(UNSCREENED))
    assert orders[0] == orders[1] == [1, 0, 2] or orders[0] == orders[1] == [1, 2, 0]
