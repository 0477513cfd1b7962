"""Two reviewers: agreement statistics, the conflicts, and where each record goes next.

Pure functions over standing decisions (``{record_id: Decision}`` per
reviewer, as `decisions.LogRead.standing()` gives them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from review.screening.decisions import Decision

Z95 = 1.959963984540054  # the 0.975 quantile of the standard normal


# ---- Cohen's kappa, its CI, PABAK ----------------------------------------------

@dataclass(frozen=True)
class Agreement:
    """Agreement between two reviewers on the records both decided."""

    n: int
    categories: tuple[str, ...]
    table: tuple[tuple[int, ...], ...]  # rows: reviewer A, columns: reviewer B
    observed: float | None  # p_o, proportion of records with the same decision
    expected: float | None  # p_e, agreement expected by chance from the margins
    kappa: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    pabak: float | None

    @property
    def percent(self) -> float | None:
        return None if self.observed is None else 100 * self.observed


def kappa_table(table: Sequence[Sequence[int]], categories: Sequence[str] | None = None,
                z: float = Z95) -> Agreement:
    """Cohen's kappa with a large-sample CI, and PABAK, from a k x k table of counts.

    Parameters
    ----------
    table : k x k counts; ``table[i][j]`` = records reviewer A put in category i
        and reviewer B in category j.
    categories : names of the k categories (for display).
    z : normal quantile for the interval (1.96 for 95 %).

    Returns
    -------
    Agreement. ``kappa`` and its interval are None when chance agreement is 1
    (both reviewers used one category only) or the table is empty.

    Notes
    -----
    kappa = (p_o - p_e) / (1 - p_e), with p_e = sum_i p_i. p_.i (Cohen 1960).

    The standard error is the large-sample (non-null) one of Fleiss, Cohen and
    Everitt (1969), as written in Fleiss, Levin and Paik (2003, eq. 18.13):

        var = [A + B - C] / (n (1 - p_e)^2)
        A = sum_i p_ii [1 - (p_i. + p_.i)(1 - kappa)]^2
        B = (1 - kappa)^2 sum_{i != j} p_ij (p_.i + p_j.)^2
        C = [kappa - p_e (1 - kappa)]^2

    and the interval is kappa +/- z SE (Wald), cut to kappa's range [-1, 1]
    (with few disagreements the Wald bound can pass 1, which kappa cannot).
    PABAK, the prevalence- and bias-adjusted kappa, is (k p_o - 1)/(k - 1),
    which is 2 p_o - 1 for two categories (Byrt, Bishop and Carlin 1993).

    References
    ----------
    Cohen J (1960). A coefficient of agreement for nominal scales. Educ Psychol Meas 20:37-46.
    Fleiss JL, Cohen J, Everitt BS (1969). Large sample standard errors of kappa and
    weighted kappa. Psychol Bull 72:323-327.
    Fleiss JL, Levin B, Paik MC (2003). Statistical Methods for Rates and Proportions,
    3rd ed., ch. 18. Wiley.
    Byrt T, Bishop J, Carlin JB (1993). Bias, prevalence and kappa. J Clin Epidemiol 46:423-429.
    """
    k = len(table)
    if any(len(row) != k for row in table):
        raise ValueError("the agreement table must be square")
    cats = tuple(categories) if categories is not None else tuple(str(i) for i in range(k))
    counts = tuple(tuple(int(c) for c in row) for row in table)
    n = sum(map(sum, counts))
    if n == 0 or k < 2:
        return Agreement(n, cats, counts, None, None, None, None, None, None, None)
    p = [[c / n for c in row] for row in counts]
    rows = [sum(p[i]) for i in range(k)]
    cols = [sum(p[i][j] for i in range(k)) for j in range(k)]
    po = sum(p[i][i] for i in range(k))
    pe = sum(rows[i] * cols[i] for i in range(k))
    pabak = (k * po - 1) / (k - 1)
    if math.isclose(pe, 1.0):
        return Agreement(n, cats, counts, po, pe, None, None, None, None, pabak)
    kappa = (po - pe) / (1 - pe)
    a = sum(p[i][i] * (1 - (rows[i] + cols[i]) * (1 - kappa)) ** 2 for i in range(k))
    b = (1 - kappa) ** 2 * sum(
        p[i][j] * (cols[i] + rows[j]) ** 2 for i in range(k) for j in range(k) if i != j
    )
    c = (kappa - pe * (1 - kappa)) ** 2
    var = max(a + b - c, 0.0) / (n * (1 - pe) ** 2)
    se = math.sqrt(var)
    return Agreement(n, cats, counts, po, pe, kappa, se, max(kappa - z * se, -1.0), min(kappa + z * se, 1.0),
                     pabak)


# Screening agreement is usually reported on "go on" vs "stop": maybe counts as include.
BINARY = {"include": "include", "maybe": "include", "exclude": "exclude", "not_retrieved": "exclude"}


def agreement(a: Mapping[str, Decision], b: Mapping[str, Decision],
              categories: Mapping[str, str] | None = BINARY) -> Agreement:
    """Agreement on the records both reviewers decided.

    ``categories`` maps each decision to the category compared; the default
    puts maybe with include and not_retrieved with exclude (two categories, so
    PABAK = 2 p_o - 1). Pass None to compare the decisions as they are.
    """
    common = sorted(set(a) & set(b))
    cat = (lambda d: categories.get(d, d)) if categories is not None else (lambda d: d)
    if categories is not None:
        names = sorted(set(categories.values()), key=lambda c: (c != "include", c))
    else:
        names = sorted({a[r].decision for r in common} | {b[r].decision for r in common})
    index = {c: i for i, c in enumerate(names)}
    table = [[0] * len(names) for _ in names]
    for rid in common:
        table[index[cat(a[rid].decision)]][index[cat(b[rid].decision)]] += 1
    return kappa_table(table, names)


# ---- conflicts and resolutions ------------------------------------------------------

@dataclass(frozen=True)
class Conflict:
    """Two reviewers decided a record differently (or, at full text, for different reasons)."""

    record_id: str
    decisions: tuple[tuple[str, Decision], ...]  # (reviewer, decision), in reviewer order
    kind: str  # "decision" or "reason"
    resolution: Decision | None = None

    @property
    def open(self) -> bool:
        return self.resolution is None


def conflicts(by_reviewer: Mapping[str, Mapping[str, Decision]],
              resolved: Mapping[str, Decision] | None = None,
              include_resolved: bool = False) -> list[Conflict]:
    """Records on which the reviewers disagree, in record-id order.

    A disagreement is different decisions, or the same exclusion with
    different reasons (PRISMA reports one reason per excluded report).
    Resolved conflicts are left out unless ``include_resolved``.
    """
    resolved = resolved or {}
    names = sorted(by_reviewer)
    ids = sorted(set().union(*(set(d) for d in by_reviewer.values())) if names else set())
    out = []
    for rid in ids:
        ds = tuple((name, by_reviewer[name][rid]) for name in names if rid in by_reviewer[name])
        if len(ds) < 2:
            continue
        decisions = {d.decision for _, d in ds}
        if len(decisions) > 1:
            kind = "decision"
        elif decisions == {"exclude"} and len({d.reason for _, d in ds}) > 1:
            kind = "reason"
        else:
            continue
        res = resolved.get(rid)
        if res is None or include_resolved:
            out.append(Conflict(rid, ds, kind, res))
    return out


# ---- where a record goes next ---------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """Which reviewers' decisions send a record on: ``any`` or ``all`` of them in ``decisions``.

    ``any`` (the default, "either reviewer includes or marks maybe") sends a
    record on when one reviewer's decision is in the set, and stops it only
    when every reviewer excluded it. ``all`` sends it on only when every
    reviewer's decision is in the set; a split is a conflict to resolve.
    """

    when: str = "any"
    decisions: tuple[str, ...] = ("include", "maybe")


RULE_NAMES = {
    "either": Rule("any", ("include", "maybe")),
    "any": Rule("any", ("include", "maybe")),
    "either-include": Rule("any", ("include",)),
    "both": Rule("all", ("include", "maybe")),
    "all": Rule("all", ("include", "maybe")),
    "both-include": Rule("all", ("include",)),
}


def parse_rule(value: Any) -> Rule:
    """`to_full_text:` as a name (either, either-include, both, both-include)
    or as ``{when: any|all, decisions: [include, maybe]}``."""
    if isinstance(value, Rule):
        return value
    if isinstance(value, str) and value.strip().lower() in RULE_NAMES:
        return RULE_NAMES[value.strip().lower()]
    if isinstance(value, dict) and set(value) <= {"when", "decisions"}:
        when = str(value.get("when", "any"))
        decs = value.get("decisions", ["include", "maybe"])
        if isinstance(decs, str):
            decs = [decs]
        if when in ("any", "all") and isinstance(decs, list) and decs and set(decs) <= {"include", "maybe", "exclude"}:
            return Rule(when, tuple(decs))
    raise ValueError(
        f"to_full_text {value!r} is not a rule: use one of {', '.join(RULE_NAMES)}, "
        "or {when: any|all, decisions: [include, maybe]}"
    )


def route(decisions: Sequence[Decision], rule: Rule, needed: int = 2,
          resolution: Decision | None = None, stage: str = "title-abstract") -> str:
    """Where one record stands after a stage.

    Returns ``waiting`` (fewer than ``needed`` reviewers decided), ``conflict``
    (needs a resolution), or the outcome: at title-abstract ``full-text`` or
    ``excluded``; at full text ``included``, ``excluded``, ``not_retrieved``.
    A resolution always decides. At full text the reviewers must agree
    (decision and reason); a maybe on its own is a conflict to resolve.
    """
    if resolution is not None:
        return _outcome(resolution.decision, stage)
    if len(decisions) < needed:
        return "waiting"
    kinds = [d.decision for d in decisions]
    if stage == "full-text":
        same = len(set(kinds)) == 1 and len({d.reason for d in decisions}) == 1
        if not same or kinds[0] == "maybe":
            return "conflict"
        return _outcome(kinds[0], stage)
    hits = [k in rule.decisions for k in kinds]
    if rule.when == "any":
        return "full-text" if any(hits) else "excluded"
    if all(hits):
        return "full-text"
    return "excluded" if not any(hits) else "conflict"


def _outcome(decision: str, stage: str) -> str:
    if stage == "full-text":
        return {"include": "included", "exclude": "excluded", "not_retrieved": "not_retrieved"}.get(decision, "conflict")
    return "full-text" if decision in ("include", "maybe") else "excluded"


@dataclass(frozen=True)
class StageSummary:
    """What `review status` shows for one stage."""

    screened: dict[str, int]  # reviewer -> records decided
    agreement: Agreement | None  # None unless exactly two reviewers
    conflicts_open: int
    conflicts_resolved: int
    waiting: int
    outcomes: dict[str, int]  # outcome -> records


def summarise(record_ids: Sequence[str], by_reviewer: Mapping[str, Mapping[str, Decision]],
              resolved: Mapping[str, Decision], rule: Rule, needed: int,
              stage: str = "title-abstract") -> StageSummary:
    """Per stage: screened by each reviewer, agreement, conflicts, records waiting."""
    ids = list(record_ids)
    screened = {name: sum(1 for r in ids if r in d) for name, d in sorted(by_reviewer.items())}
    names = sorted(by_reviewer)
    agree = agreement(by_reviewer[names[0]], by_reviewer[names[1]]) if len(names) == 2 else None
    outcomes: dict[str, int] = {}
    for rid in ids:
        ds = [by_reviewer[n][rid] for n in names if rid in by_reviewer[n]]
        o = route(ds, rule, needed, resolved.get(rid), stage)
        outcomes[o] = outcomes.get(o, 0) + 1
    every = conflicts(by_reviewer, resolved, include_resolved=True)
    open_ = sum(1 for c in every if c.open)
    return StageSummary(screened, agree, open_, len(every) - open_, outcomes.get("waiting", 0), outcomes)
