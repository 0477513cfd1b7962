"""One tidy pooling table per analysis, in the columns `review pool` reads.

A row per study: ``study`` (the label "Author Year"), the measure's columns
(``e_mean,e_sd,e_n,c_mean,c_sd,c_n``; ``e_events,e_total,c_events,c_total``;
``e_events,e_time,c_events,c_time``; ``estimate,ci_lower,ci_upper``), the
subgroup column when the analysis has one, and ``note`` saying which
conversion made a mean and SD from a median. A study that does not report the
outcome is left out; one whose median cannot be converted (too skewed, n < 5)
is left out with a reason in :attr:`Table.skipped`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.errors import InputError
from review.extraction.conversions import fivenum_to_mean_sd
from review.extraction.form import Form, Outcome, block_kind, block_values, check_value

CONTINUOUS = ("MD", "SMD", "ROM")
BINARY = ("RR", "OR", "RD", "PETO")
EXPORT_DIR = Path("output") / "extraction"


@dataclass
class Table:
    """One analysis's pooling table and what was left out of it."""

    name: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (study label, why)

    def csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        w.writerows(self.rows)
        return buf.getvalue()


def _num(x: float | int) -> str:
    return str(x) if isinstance(x, int) else f"{x:.10g}"


def find_outcome(form: Form, analysis) -> Outcome:
    """The form outcome an analysis pools: by the analysis name, else its outcome name or label."""
    for cand in (analysis.name, analysis.outcome):
        for o in form.outcomes:
            if cand and (o.name == cand or o.name.lower() == str(cand).lower() or o.label.lower() == str(cand).lower()):
                return o
    raise InputError(f"analysis {analysis.name!r}: no outcome named {analysis.name!r} or {analysis.outcome!r} in extraction.outcomes",
                     file="protocol.yaml", field="outcome")


def _typed_block(form: Form, out: Outcome, group: str, study: str, values: Mapping[str, str]) -> dict[str, Any]:
    prefix = f"{out.name}.{group}." if group else f"{out.name}."
    typed: dict[str, Any] = {}
    for k, text in values.items():
        if k.startswith(prefix):
            v, problem = check_value(form, study, k, text)
            if problem:
                raise InputError(str(problem))
            typed[k] = v
    return block_values(out, group, typed)


def _mean_sd(out: Outcome, parts: dict[str, Any], method: tuple[str, str]) -> tuple[float, float, int, str]:
    """(mean, sd, n, note) from a mean_sd block or a converted median block; ValueError if refused."""
    kind = block_kind(out, parts)
    if kind == "mean_sd":
        return parts["mean"], parts["sd"], parts["n"], ""
    if kind in ("median_iqr", "median_range", "fivenum"):
        c = fivenum_to_mean_sd(parts["n"], parts["median"], q1=parts.get("q1"), q3=parts.get("q3"),
                               min=parts.get("min"), max=parts.get("max"), mean_method=method[0], sd_method=method[1])
        if not c.ok:
            raise ValueError(c.reason)
        return c.mean, c.sd, parts["n"], c.note()
    raise ValueError("incomplete data" if parts else "not reported")


def build_table(form: Form, analysis, values: Mapping[str, Mapping[str, str]],
                labels: Mapping[str, str] | None = None, method: tuple[str, str] = ("luo2018", "rec")) -> Table:
    """The pooling table of one analysis from the final values {study: {field: text}}."""
    out = find_outcome(form, analysis)
    measure = analysis.measure.upper()
    groups = tuple(analysis.groups) if analysis.groups else form.groups[:2]
    if out.types != ("estimate_ci",):
        if len(groups) != 2 or any(g not in form.groups for g in groups):
            raise InputError(f"analysis {analysis.name!r}: groups {list(groups)} must be two of extraction.groups {list(form.groups)}",
                             file="protocol.yaml", field="groups")
    e, c = groups if len(groups) == 2 else ("", "")
    if measure in CONTINUOUS:
        cols, parts_wanted = ["e_mean", "e_sd", "e_n", "c_mean", "c_sd", "c_n"], "continuous"
    elif measure in BINARY:
        cols, parts_wanted = ["e_events", "e_total", "c_events", "c_total"], "events"
    elif measure == "IRR":
        cols, parts_wanted = ["e_events", "e_time", "c_events", "c_time"], "rate"
    elif measure == "GEN":
        cols, parts_wanted = ["estimate", "ci_lower", "ci_upper", "scale"], "estimate_ci"
    else:
        raise InputError(f"analysis {analysis.name!r}: export does not make {measure} tables (no such block)", field="measure")
    columns = ["study", *cols]
    if analysis.subgroup:
        columns.append(analysis.subgroup)
    columns.append("note")
    table = Table(analysis.name, columns)
    labels = labels or {}
    for study in (labels or values):
        vals = values.get(study, {})
        label = labels.get(study) or study
        try:
            if parts_wanted == "continuous":
                m1, s1, n1, note1 = _mean_sd(out, _typed_block(form, out, e, study, vals), method)
                m2, s2, n2, note2 = _mean_sd(out, _typed_block(form, out, c, study, vals), method)
                cells = [_num(m1), _num(s1), _num(n1), _num(m2), _num(s2), _num(n2)]
                note = "; ".join(f"{g}: {n}" for g, n in ((e, note1), (c, note2)) if n)
            elif parts_wanted == "estimate_ci":
                p = _typed_block(form, out, "", study, vals)
                if block_kind(out, p) != "estimate_ci":
                    raise ValueError("incomplete data" if p else "not reported")
                cells, note = [_num(p["estimate"]), _num(p["lower"]), _num(p["upper"]), p["scale"]], ""
            else:
                cells = []
                for g in (e, c):
                    p = _typed_block(form, out, g, study, vals)
                    if block_kind(out, p) != parts_wanted:
                        raise ValueError("incomplete data" if p else "not reported")
                    second = "total" if parts_wanted == "events" else "person_time"
                    cells += [_num(p["events"]), _num(p[second])]
                note = ""
        except ValueError as err:
            if str(err) != "not reported" or any(k.startswith(out.name + ".") for k in vals):
                table.skipped.append((label, str(err)))
            continue
        if analysis.subgroup:
            cells.append(vals.get(analysis.subgroup, ""))
        table.rows.append([label, *cells, note])
    return table


def export_all(form: Form, analyses: Sequence, values: Mapping[str, Mapping[str, str]],
               labels: Mapping[str, str] | None = None, method: tuple[str, str] = ("luo2018", "rec")) -> list[Table]:
    """A table for every analysis; ``method`` is the (mean, SD) conversion for medians."""
    from review.extraction.conversions import MEAN_METHODS, SD_METHODS, check_method

    check_method(method[0], MEAN_METHODS, "mean")
    check_method(method[1], SD_METHODS, "SD")
    return [build_table(form, a, values, labels, method) for a in analyses]


def export_path(root: Path, name: str) -> Path:
    return Path(root) / EXPORT_DIR / f"{name}.csv"
