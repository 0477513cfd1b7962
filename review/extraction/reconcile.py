"""Two extractors: where they differ, the agreed values, and the final data per study.

Values are compared as typed values (so "2.50" and "2.5", or "Yes" and "yes",
agree). An agreed value goes to ``records/extraction/_resolved.csv`` with the
name of whoever agreed it in ``by``; it wins over both extractors. The value
``-`` there records an agreement that the field is not given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review.errors import InputError
from review.extraction import log as xlog
from review.extraction.form import Form, check_value, format_value

Values = Mapping[str, Mapping[str, str]]  # study -> field -> text


@dataclass(frozen=True)
class Difference:
    study: str
    field: str
    values: tuple[str, ...]  # one per extractor, "" when not given
    resolved: str | None = None  # the agreed value, when there is one

    def __str__(self) -> str:
        shown = " vs ".join(repr(v) if v else "(blank)" for v in self.values)
        tail = f"; agreed {self.resolved!r}" if self.resolved is not None else ""
        return f"study {self.study!r}, field {self.field}: {shown}{tail}"


def _typed(form: Form, study: str, key: str, text: str) -> Any:
    if not text:
        return None
    value, problem = check_value(form, study, key, text)
    return text.strip() if problem else value


def compare(form: Form, by_reviewer: Mapping[str, Values], resolved: Values | None = None) -> list[Difference]:
    """Every (study, field) where the extractors' values differ, in form order.

    A field one extractor gave and the other left blank is a difference.
    ``resolved``: the agreed values; differences already agreed carry them.
    """
    names = list(by_reviewer)
    if len(names) < 2:
        raise InputError(f"comparing needs two extractors' logs; found {', '.join(names) or 'none'}")
    studies = sorted({s for v in by_reviewer.values() for s in v})
    order = {f.key: i for i, f in enumerate(form.fields)}
    out: list[Difference] = []
    for study in studies:
        keys = {k for v in by_reviewer.values() for k in v.get(study, {})}
        for key in sorted(keys, key=lambda k: (order.get(k, len(order)), k)):
            texts = tuple(by_reviewer[r].get(study, {}).get(key, "") for r in names)
            typed = {repr(_typed(form, study, key, t)) for t in texts}
            if len(typed) > 1:
                agreed = (resolved or {}).get(study, {}).get(key)
                out.append(Difference(study, key, texts, agreed))
    return out


def resolve(root: Path, form: Form, study: str, key: str, value: str, by: str,
            studies: Sequence[str] | None = None, time: str = "") -> str:
    """Record the agreed value of one field, attributed to ``by``; returns the stored text.

    The value is checked like any entry; an empty value records "agreed: not given".
    """
    if studies is not None and study not in studies:
        raise InputError(f"study {study!r} is not a study of this review", field=key)
    if not by:
        raise InputError("say who agreed the value (by)", field=key)
    text = ""
    if str(value).strip():
        typed, problem = check_value(form, study, key, value)
        if problem:
            raise InputError(str(problem))
        text = format_value(typed)
    elif key not in form.by_key:
        raise InputError(f"study {study!r}: {key!r} is not a field of the extraction form", field=key)
    xlog.append_entries(xlog.resolved_path(root), [xlog.Entry(study, key, text or "-", time or xlog.now(), by)])
    return text


def read_resolved(root: Path, known_studies=None, known_fields=None) -> xlog.LogRead:
    return xlog.read_log(xlog.resolved_path(root), display=str(xlog.EXTRACTION_DIR / "_resolved.csv"),
                         known_studies=known_studies, known_fields=known_fields)


def _resolved_values(resolved: Values | None) -> dict[str, dict[str, str]]:
    # "-" records an agreement that the field is not given.
    return {s: {k: ("" if v == "-" else v) for k, v in f.items()} for s, f in (resolved or {}).items()}


def final_values(form: Form, by_reviewer: Mapping[str, Values], resolved: Values | None = None
                 ) -> tuple[dict[str, dict[str, str]], list[Difference]]:
    """The data to analyse, {study: {field: text}}, and the differences not yet agreed.

    With two extractors (``form.extractors == 2``) every field where the two
    logs differ, including one left blank, must be agreed. With one extractor
    the logs are pooled (people may split the studies); only a field two logs
    give with different values must be agreed. An agreed value always wins
    (``-`` agrees the field is not given). More than two logs is an error.
    """
    names = list(by_reviewer)
    if len(names) > 2:
        raise InputError(f"found extraction logs of {', '.join(names)}; expected at most two extractors")
    agreed = _resolved_values(resolved)
    diffs: list[Difference] = []
    if len(names) == 2:
        diffs = compare(form, by_reviewer)
        if form.extractors == 1:
            diffs = [d for d in diffs if all(d.values)]
    differ = {(d.study, d.field) for d in diffs}
    final: dict[str, dict[str, str]] = {}
    for r in names:
        for study, fields in by_reviewer[r].items():
            row = final.setdefault(study, {})
            for k, v in fields.items():
                if (study, k) not in differ:
                    row.setdefault(k, v)
    for study, fields in agreed.items():
        row = final.setdefault(study, {})
        for k, v in fields.items():
            if v:
                row[k] = v
            else:
                row.pop(k, None)
    open_ = [d for d in diffs if d.field not in agreed.get(d.study, {})]
    return {s: f for s, f in final.items() if f}, open_
