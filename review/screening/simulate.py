"""Replay a labelled screening set to measure priority ranking and the stopping rule.

Each run starts from one random relevant and one random irrelevant record
(seeded), both counted as screened, then screens the record the `Ranker`
scores highest, retraining as it goes, until every relevant record is found
(the rest of the order is then irrelevant records only). From the order it
reports the work saved over sampling (WSS) at 95 % and 100 % recall, the
relevant records found after 10 % of the set (RRF@10), and where the stopping
rule would have stopped and the recall reached there.

Definitions (Cohen et al. 2006; van de Schoot et al. 2021): with N records and
n_r screened when a share r of the relevant records has been found,
WSS@r = (N - n_r) / N - (1 - r); RRF@10 = share of the relevant records found
among the first ceil(N / 10) screened.

References
----------
Cohen AM, Hersh WR, Peterson K, Yen PY. Reducing workload in systematic review
preparation using automated citation classification. JAMIA 2006;13:206-219.
Callaghan MW, Müller-Hansen F. Syst Rev. 2020;9:254.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

from review.errors import InputError
from review.screening import stopping
from review.screening.rank import DEFAULT_MODEL, Ranker, record_text

YES = {"1", "yes", "y", "included", "include", "true"}
NO = {"0", "no", "n", "excluded", "exclude", "false"}


# ---- reading a labelled set ---------------------------------------------------------

@dataclass
class LabelledSet:
    texts: list[str]
    labels: list[int]
    name: str = ""

    @property
    def n_relevant(self) -> int:
        return sum(self.labels)


def parse_label(value: str) -> int | None:
    """1 / 0 for the accepted spellings (0/1, yes/no, included/excluded, true/false), else None."""
    v = value.strip().lower()
    if v in ("1.0",):
        v = "1"
    if v in ("0.0",):
        v = "0"
    if v in YES:
        return 1
    if v in NO:
        return 0
    return None


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:10])
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    return shown + more


def read_labelled(paths: str | Path | Sequence[str | Path], label_column: str) -> LabelledSet:
    """Records (any format the importers read) and their labels from `label_column`.

    Several files are concatenated in the order given. Raises InputError naming
    the column and the rows (line numbers in the file) with a missing or
    unknown label, or when the set has no relevant or no irrelevant record.
    """
    from review.importers import read_file

    if isinstance(paths, (str, Path)):
        paths = [paths]
    texts: list[str] = []
    labels: list[int] = []
    for path in paths:
        result = read_file(path)
        wanted = label_column.strip().lower()
        bad: list[int] = []
        seen_column = False
        for rec in result.records:
            key = next((k for k in rec.raw if k.strip().lower() == wanted), None)
            values = rec.raw.get(key, []) if key else []
            seen_column = seen_column or key is not None
            value = parse_label(values[0]) if values and values[0].strip() else None
            row = rec.source.line or rec.source.position
            if value is None:
                bad.append(row)
                continue
            texts.append(record_text(rec))
            labels.append(value)
        if not seen_column:
            columns = sorted({k for rec in result.records[:50] for k in rec.raw if not k.startswith("_")})
            raise InputError(
                f"no label column {label_column!r}; columns: {', '.join(columns)}",
                file=str(path), field=label_column,
            )
        if bad:
            raise InputError(
                f"label column {label_column!r} is missing or not one of 0/1, yes/no, "
                f"included/excluded, true/false on {len(bad)} row(s): lines {_rows_text(bad)}",
                file=str(path), field=label_column,
            )
    if not any(labels) or all(labels):
        kind = "relevant (1)" if not any(labels) else "irrelevant (0)"
        raise InputError(f"label column {label_column!r} has no {kind} record; a simulation needs both",
                         file=str(paths[0]), field=label_column)
    return LabelledSet(texts, labels, name=Path(paths[0]).stem)


# ---- metrics ------------------------------------------------------------------------

def n_to_recall(ordered_labels: Sequence[int], recall: float) -> int:
    """Records screened (in this order) when ceil(recall * relevant) relevant records are found."""
    total = sum(ordered_labels)
    need = max(1, math.ceil(round(recall * total, 9)))
    found = 0
    for i, v in enumerate(ordered_labels, 1):
        found += v
        if found >= need:
            return i
    raise ValueError("the order never reaches that recall")


def wss(ordered_labels: Sequence[int], recall: float) -> float:
    """Work saved over sampling at `recall`: (N - n_r) / N - (1 - recall)."""
    n = len(ordered_labels)
    return (n - n_to_recall(ordered_labels, recall)) / n - (1 - recall)


def rrf(ordered_labels: Sequence[int], share: float = 0.10) -> float:
    """Share of the relevant records found among the first ceil(share * N) screened."""
    n = math.ceil(round(share * len(ordered_labels), 9))
    return sum(ordered_labels[:n]) / sum(ordered_labels)


# ---- one run ------------------------------------------------------------------------

@dataclass
class RunResult:
    seed: int
    wss95: float
    wss100: float
    rrf10: float
    n_screened_95: int
    stop_n: int
    stop_recall: float
    quasi_stop_n: int = 0
    quasi_stop_recall: float = 0.0
    n_records: int = 0
    n_relevant: int = 0
    order: list[int] = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("order")
        return d


@dataclass
class StopSettings:
    """How the simulated reviewer stops.

    Ranked screening goes on until `switch` irrelevant records in a row
    (default: ceil(switch_share * N), at least `switch_min`); then records are
    drawn at random from the unscreened ones and the random-sampling test is
    applied after each one, stopping when p < 1 - confidence.
    """

    recall: float = 0.95
    confidence: float = 0.95
    switch_share: float = 0.05
    switch_min: int = 50

    def switch(self, n_total: int) -> int:
        return max(self.switch_min, math.ceil(self.switch_share * n_total))


def _ranked_order(ranker: Ranker, labels: Sequence[int], start: list[int], rng: random.Random,
                  batch_share: float) -> list[int]:
    """Screening order: `start`, then highest score first, retrained after every
    max(1, batch_share * screened) decisions, until every relevant record is found."""
    n = len(labels)
    total = sum(labels)
    order = list(start)
    done = set(order)
    found = sum(labels[i] for i in order)
    queue: list[int] = []
    since_fit = None
    while found < total:
        batch = max(1, int(batch_share * len(order)))
        if since_fit is None or since_fit >= batch or not queue:
            ranker.fit_rows(order, [labels[i] for i in order])
            queue = ranker.rank_rows([i for i in range(n) if i not in done])
            queue.reverse()  # pop() from the end = best first
            since_fit = 0
        i = queue.pop()
        order.append(i)
        done.add(i)
        found += labels[i]
        since_fit += 1
    rest = [i for i in range(n) if i not in done]
    rng.shuffle(rest)
    return order + rest


def simulate_stop(ordered: Sequence[int], settings: StopSettings, rng: random.Random) -> tuple[int, int]:
    """Where the random-sampling rule stops on this ranked order: (records screened, relevant found).

    The ranked phase ends after `settings.switch(N)` irrelevant records in a row
    (or when the set is exhausted); the sample is then drawn from the records
    the ranked phase left, in a seeded random order.
    """
    n = len(ordered)
    switch = settings.switch(n)
    alpha = 1 - settings.confidence
    streak, found, t = 0, 0, 0
    for t, v in enumerate(ordered, 1):
        found += v
        streak = 0 if v else streak + 1
        if streak >= switch:
            break
    urn = list(ordered[t:])
    rng.shuffle(urn)
    r_al, k = found, 0
    if not urn:
        return t, found
    for m, v in enumerate(urn, 1):
        k += v
        if stopping.sample_p_value(r_al, len(urn), m, k, settings.recall) < alpha:
            return t + m, r_al + k
    return n, r_al + k


def simulate_quasi_stop(ordered: Sequence[int], settings: StopSettings) -> tuple[int, int]:
    """Where ranked quasi-sampling alone would stop: (records screened, relevant found).

    Checked every max(1, N // 500) records (a stop is found at most that late)."""
    n = len(ordered)
    step = max(1, n // 500)
    alpha = 1 - settings.confidence
    for t in range(2, n + 1, step):
        p, _ = stopping.quasi_p_value(ordered[:t], n, settings.recall)
        if p < alpha:
            return t, sum(ordered[:t])
    return n, sum(ordered)


def start_records(labels: Sequence[int], seed: int) -> list[int]:
    """The seeded starting pair: [one random relevant row, one random irrelevant row]."""
    rng = random.Random(f"start:{seed}")
    relevant = [i for i, v in enumerate(labels) if v]
    irrelevant = [i for i, v in enumerate(labels) if not v]
    return [rng.choice(relevant), rng.choice(irrelevant)]


def run_once(data: LabelledSet, seed: int, ranker: Ranker | None = None, model: str = DEFAULT_MODEL,
             settings: StopSettings | None = None, batch_share: float = 0.02, quasi: bool = True) -> RunResult:
    """One simulated screening of `data` from a seeded random relevant + irrelevant start."""
    settings = settings or StopSettings()
    labels = data.labels
    ranker = ranker or Ranker(corpus=data.texts, model=model, seed=seed)
    ranker.seed = seed
    rng = random.Random(seed)
    start = start_records(labels, seed)
    order = _ranked_order(ranker, labels, start, rng, batch_share)
    ordered = [labels[i] for i in order]
    total = sum(ordered)
    stop_n, stop_found = simulate_stop(ordered, settings, random.Random(seed + 7919))
    q_n, q_found = simulate_quasi_stop(ordered, settings) if quasi else (0, 0)
    return RunResult(
        seed=seed,
        wss95=wss(ordered, 0.95),
        wss100=wss(ordered, 1.0),
        rrf10=rrf(ordered, 0.10),
        n_screened_95=n_to_recall(ordered, 0.95),
        stop_n=stop_n,
        stop_recall=stop_found / total,
        quasi_stop_n=q_n,
        quasi_stop_recall=q_found / total if quasi else 0.0,
        n_records=len(ordered),
        n_relevant=total,
        order=order,
    )


def simulate(data: LabelledSet, seed: int = 0, runs: int = 1, model: str = DEFAULT_MODEL,
             settings: StopSettings | None = None, batch_share: float = 0.02, quasi: bool = True) -> list[RunResult]:
    """`runs` runs with seeds seed, seed+1, ...; TF-IDF is fitted once and shared."""
    ranker = Ranker(corpus=data.texts, model=model, seed=seed)
    return [run_once(data, seed + r, ranker, model, settings, batch_share, quasi) for r in range(runs)]


KEYS = ("wss95", "wss100", "rrf10", "n_screened_95", "stop_n", "stop_recall")


def means(results: Sequence[RunResult]) -> dict[str, float]:
    return {k: sum(getattr(r, k) for r in results) / len(results) for k in KEYS}


def plot_curve(results: Sequence[RunResult], labels: Sequence[int], out: str | Path, title: str = "") -> Path:
    """Recall against records screened for each run, with the random-order diagonal,
    95 % recall and the stopping points; written as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = Path(out)
    n, total = len(labels), sum(labels)
    fig = Figure(figsize=(7, 4.5), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for j, r in enumerate(results):
        found, ys = 0, [0]
        for i in r.order:
            found += labels[i]
            ys.append(found / total)
        ax.plot(range(n + 1), ys, lw=1, color="tab:blue", alpha=0.6, label="priority order" if j == 0 else None)
        ax.plot([r.stop_n], [r.stop_recall], "o", color="tab:red", ms=4,
                label="stopping rule (random sample)" if j == 0 else None)
    ax.plot([0, n], [0, 1], "--", color="grey", lw=1, label="random order")
    ax.axhline(0.95, color="tab:green", lw=0.8, ls=":", label="95% recall")
    ax.set_xlabel("records screened")
    ax.set_ylabel("recall (share of relevant records found)")
    ax.set_xlim(0, n)
    ax.set_ylim(0, 1.02)
    ax.set_title(title or f"{len(results)} simulated run(s): {n} records, {total} relevant")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(out)
    return out
