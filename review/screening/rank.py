"""Priority ranking: predict which unscreened records are relevant, from the decisions so far.

Text features are TF-IDF weights of the words and word pairs in a record's
title, abstract and keywords (a record without an abstract is ranked on what it
has). Two classifiers (a linear SVM and naive Bayes) are trained on the
screened records and their standardised scores summed for the unscreened ones; the screen shows the highest score next (certainty-based
active learning, as in ASReview). Scores are tied only for identical texts;
ties are broken by a seeded random key, never by file order (many exports are
sorted by their label).

The API is pure and the UI calls it from a worker thread::

    ranker = Ranker(corpus=texts)          # TF-IDF fitted once on every record
    ranker.fit(screened_texts, labels)      # labels: 1 relevant, 0 irrelevant
    order = ranker.rank(unscreened_texts)   # indices into unscreened_texts, best first

`fit_rows` / `rank_rows` do the same with row numbers into `corpus`, which
is what the simulation uses. scikit-learn is imported inside the functions.

References
----------
van de Schoot R, et al. An open source machine learning framework for efficient
and transparent systematic reviews. Nat Mach Intell 2021;3:125-133.
"""

from __future__ import annotations

from typing import Any, Sequence

MODELS = ("svm", "logistic", "nb", "svm+nb")
DEFAULT_MODEL = "svm+nb"
SVM_C = 0.11
LOGISTIC_C = 10.0
# Relevant records' total weight against the irrelevant ones' (1 = balanced classes).
RATIO = 9.8
NB_RATIO = 9.8
NB_WEIGHT = 1.0
# liblinear's dual solver is fastest for the few hundred to few thousand screened records
# of most reviews, but its time grows faster than linearly; the primal one (same
# objective, so the same model up to the solver's tolerance) takes about 0.5 s
# whatever the number. Measured crossover on 591,000 features: 5,000-10,000
# screened (benchmarks/README.md, "Retraining speed").
PRIMAL_FROM = 5_000


def record_text(rec: Any) -> str:
    """Title, abstract, keywords and MeSH/Emtree terms of a `Record` (or a dict) as one text."""
    get = rec.get if isinstance(rec, dict) else (lambda k, d=None: getattr(rec, k, d))
    parts = [get("title", "") or "", get("abstract", "") or ""]
    for key in ("keywords", "mesh"):
        parts.extend(get(key, []) or [])
    return " ".join(p for p in parts if p)


def _vectorizer():
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Unigrams and bigrams, sublinear tf. Stop words are kept: removing them
    # (and words in only one record) cost 5-11 points of WSS@95 in the simulations.
    return TfidfVectorizer(
        ngram_range=(1, 2),
        min_df=1,
        sublinear_tf=True,
        strip_accents="unicode",
        dtype=np.float32,
    )


def _classifier(model: str, seed: int, n_train: int = 0):
    if model == "svm":
        from sklearn.svm import LinearSVC

        return LinearSVC(C=SVM_C, random_state=seed, dual=n_train < PRIMAL_FROM)
    if model == "logistic":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=LOGISTIC_C, solver="liblinear", random_state=seed)
    if model == "nb":
        from sklearn.naive_bayes import MultinomialNB

        # alpha of ASReview's former default (naive Bayes, TF-IDF)
        return MultinomialNB(alpha=3.822)
    raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")


def class_weights(labels, ratio: float):
    """Sample weights giving the relevant records `ratio` times the total weight of the
    irrelevant ones (ratio 1 = balanced classes), scaled to average 1."""
    import numpy as np

    y = np.asarray(labels)
    n1, n0 = int(y.sum()), int(len(y) - y.sum())
    w = np.where(y == 1, ratio / n1, 1.0 / n0)
    return w * (len(y) / w.sum())


def _nb_log_odds(clf, X):
    p = clf.predict_log_proba(X)
    return p[:, 1] - p[:, 0]


class Ranker:
    """TF-IDF features + a class-balanced linear classifier, with a fixed seed.

    Parameters
    ----------
    corpus : every record's text (see `record_text`). The vocabulary and IDF
        weights come from all of them (no labels are used, so this is fair),
        and texts from the corpus are not vectorised again.
    model : "svm+nb" (default: the standardised scores of a linear SVM and of
        multinomial naive Bayes, summed), "svm", "logistic" or "nb". Chosen by
        simulation (benchmarks/README.md, "Priority screening").
    seed : seeds the classifier and the tie-breaking key.
    ratio : total weight of the relevant records against the irrelevant ones
        when training (default 9.8, ASReview's tuned value; 1 = balanced).
    """

    def __init__(self, corpus: Sequence[str] | None = None, model: str = DEFAULT_MODEL, seed: int = 0,
                 ratio: float | None = None):
        if model not in MODELS:
            raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
        self.model = model
        self.seed = seed
        self.ratio = RATIO if ratio is None else ratio
        self._vec = None
        self._matrix = None
        self._row: dict[str, int] = {}
        self._clf = None
        self._constant: float | None = None
        if corpus is not None:
            self._prepare(list(corpus))

    # ---- features -------------------------------------------------------------
    def _prepare(self, corpus: list[str]) -> None:
        self._vec = _vectorizer()
        try:
            self._matrix = self._vec.fit_transform(corpus)
        except ValueError:  # empty vocabulary: every text empty or too rare
            from sklearn.feature_extraction.text import TfidfVectorizer

            self._vec = TfidfVectorizer(min_df=1)
            self._matrix = self._vec.fit_transform([t or "empty" for t in corpus])
        self._row = {}
        for i, text in enumerate(corpus):
            self._row.setdefault(text, i)
        self._corpus_size = len(corpus)

    def features(self, texts: Sequence[str]):
        """The TF-IDF matrix of `texts` (rows from the corpus are reused)."""
        from scipy import sparse

        if self._vec is None:
            self._prepare(list(texts))
        rows = [self._row.get(t) for t in texts]
        if all(r is not None for r in rows):
            return self._matrix[rows]
        missing = [t for t, r in zip(texts, rows) if r is None]
        extra = self._vec.transform(missing)
        stacked = sparse.vstack([self._matrix, extra]).tocsr()
        k = self._matrix.shape[0]
        index, j = [], 0
        for r in rows:
            if r is None:
                index.append(k + j)
                j += 1
            else:
                index.append(r)
        return stacked[index]

    # ---- training and scoring -----------------------------------------------------
    def fit(self, texts: Sequence[str], labels: Sequence[int]) -> "Ranker":
        """Train on screened texts; labels are 1 (relevant) or 0 (irrelevant)."""
        return self._fit(self.features(texts), labels)

    def fit_rows(self, rows: Sequence[int], labels: Sequence[int]) -> "Ranker":
        """Train on corpus rows (faster than `fit` when the texts are in the corpus)."""
        return self._fit(self._matrix[list(rows)], labels)

    def _fit(self, X, labels: Sequence[int]) -> "Ranker":
        import numpy as np

        y = np.asarray(labels, dtype=int)
        if len(y) != X.shape[0]:
            raise ValueError("texts and labels differ in length")
        if set(np.unique(y)) - {0, 1}:
            raise ValueError("labels must be 0 or 1")
        classes = np.unique(y)
        if len(classes) < 2:
            # One class only: nothing to learn; every record scores the same.
            self._clf, self._constant = None, float(classes[0]) if len(classes) else 0.0
            return self
        w = class_weights(y, self.ratio)
        if self.model == "svm+nb":
            clf = [_classifier("svm", self.seed, len(y)), _classifier("nb", self.seed)]
            clf[0].fit(X, y, sample_weight=w)
            clf[1].fit(X, y, sample_weight=class_weights(y, NB_RATIO))
        else:
            clf = _classifier(self.model, self.seed, len(y))
            clf.fit(X, y, sample_weight=w)
        self._clf, self._constant = clf, None
        return self

    def _scores(self, X):
        import numpy as np

        if self._clf is None:
            return np.full(X.shape[0], self._constant or 0.0)
        if self.model == "svm+nb":
            # Sum of the two models' scores, each standardised over the records scored.
            total = np.zeros(X.shape[0])
            for s, weight in ((self._clf[0].decision_function(X), 1.0), (_nb_log_odds(self._clf[1], X), NB_WEIGHT)):
                sd = s.std()
                total += weight * (s - s.mean()) / sd if sd > 0 else 0.0
            return total
        if self.model == "nb":
            return _nb_log_odds(self._clf, X)
        return self._clf.decision_function(X)

    def scores(self, texts: Sequence[str]) -> list[float]:
        """Predicted relevance of each text (higher = more likely relevant; not a probability)."""
        return [float(s) for s in self._scores(self.features(texts))]

    def _order(self, scores, keys) -> list[int]:
        import numpy as np

        # lexsort: last key is primary. Highest score first, ties by the seeded random key.
        return [int(i) for i in np.lexsort((keys, -np.asarray(scores)))]

    def _keys(self, ids: Sequence[int] | Sequence[str]):
        import zlib

        return [zlib.crc32(f"{self.seed}:{i}".encode()) for i in ids]

    def rank(self, texts: Sequence[str]) -> list[int]:
        """Indices into `texts`, most likely relevant first."""
        return self._order(self._scores(self.features(texts)), self._keys(texts))

    def rank_rows(self, rows: Sequence[int]) -> list[int]:
        """`rows` (corpus row numbers) reordered, most likely relevant first."""
        rows = list(rows)
        order = self._order(self._scores(self._matrix[rows]), self._keys(rows))
        return [rows[i] for i in order]

    def scores_rows(self, rows: Sequence[int]):
        """Scores (numpy array) of corpus rows."""
        return self._scores(self._matrix[list(rows)])
