"""The extraction form from protocol.yaml `extraction:`, and checking what is entered.

A form is a flat list of :class:`Field` s, each with a key that names it in the
logs and spreadsheets:

- ``<name>`` for a study-level field (country, design, n, ...);
- ``<outcome>.<group>.<part>`` for outcome data per group (``edss.IRL-positive.mean``);
- ``<outcome>.<part>`` for an `estimate_ci` block (``relapses.estimate``);
- ``rob.<item>`` for the risk-of-bias tool's items.

:func:`check_value` checks one cell (type, range, options); :func:`check_study`
checks one study's values together (required fields, complete blocks, sd > 0,
events <= total, q1 <= median <= q3, ...). Every problem names study, field and
value.

The `extraction:` section (see :func:`parse_form`)::

    extraction:
      extractors: 1 | 2
      groups: [name, ...]                       # for per-group outcome data
      fields:                                   # study-level values
        - {name, label, type, unit, min, max, required, help, options}
          # type: text | integer | number | choice | yes/no | date | list
      outcomes:
        - {name, label, types, unit, min, max, required, help}
          # types: mean_sd, median_iqr, median_range, events, rate, estimate_ci
      risk_of_bias: nos-cohort | nos-case-control | rob2 | robins-i
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from review.errors import InputError

TYPES = ("text", "integer", "number", "choice", "yes/no", "date", "list")
BLOCKS: dict[str, tuple[str, ...]] = {
    "mean_sd": ("mean", "sd", "n"),
    "median_iqr": ("median", "q1", "q3", "n"),
    "median_range": ("median", "min", "max", "n"),
    "events": ("events", "total"),
    "rate": ("events", "person_time"),
    "estimate_ci": ("estimate", "lower", "upper", "scale"),
}
SCALES = ("difference", "ratio")
YES = ("yes", "y", "true", "1")
NO = ("no", "n", "false", "0")
LIST_SEP = ";"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_ +-]*$")
FIELD_KEYS = ("name", "label", "type", "unit", "min", "max", "required", "help", "options")
OUTCOME_KEYS = ("name", "label", "type", "types", "unit", "min", "max", "required", "help")


@dataclass(frozen=True)
class Field:
    """One value to extract per study."""

    key: str
    label: str
    type: str = "text"
    unit: str = ""
    min: float | None = None
    max: float | None = None
    required: bool = False
    help: str = ""
    options: tuple[str, ...] = ()
    outcome: str = ""  # set for outcome parts
    group: str = ""
    part: str = ""

    def describe(self) -> str:
        """What may go in: type, options, range, unit; for help rows and prompts."""
        bits = [self.type]
        if self.options:
            bits.append("one of " + " | ".join(self.options) if self.type != "list" else
                        "any of " + " | ".join(self.options) + f" (separate with {LIST_SEP})")
        if self.min is not None or self.max is not None:
            bits.append(f"{'' if self.min is None else f'{self.min:g}'}..{'' if self.max is None else f'{self.max:g}'}")
        if self.unit:
            bits.append(self.unit)
        if self.required:
            bits.append("required")
        text = ", ".join(bits)
        return f"{self.help} ({text})" if self.help else text


@dataclass(frozen=True)
class Outcome:
    """An outcome's data: which block types are allowed, for which groups."""

    name: str
    label: str
    types: tuple[str, ...]
    unit: str = ""
    min: float | None = None
    max: float | None = None
    required: bool = False
    help: str = ""


@dataclass
class Form:
    fields: list[Field]
    outcomes: list[Outcome] = field(default_factory=list)
    groups: tuple[str, ...] = ()
    extractors: int = 1
    risk_of_bias: str = ""

    def __post_init__(self) -> None:
        self.by_key = {f.key: f for f in self.fields}

    def get_field(self, key: str) -> Field:
        try:
            return self.by_key[key]
        except KeyError:
            raise InputError(f"{key!r} is not a field of the extraction form") from None

    def outcome(self, name: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.name == name), None)


@dataclass(frozen=True)
class Problem:
    """A value that is not right: which study, which field, what value, why."""

    study: str
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"study {self.study!r}, field {self.field}"
        if self.value != "":
            where += f", value {self.value!r}"
        return f"{where}: {self.message}"


# ---- building the form from protocol.yaml ---------------------------------------------

def _num(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{what} must be a number, not {value!r}", field=what)
    return float(value)


def _bool(value: Any, what: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InputError(f"{what} must be true or false, not {value!r}", field=what)
    return value


def _unknown(d: Mapping, allowed: Sequence[str], where: str) -> None:
    for k in d:
        if k not in allowed:
            raise InputError(f"unknown key {k!r} in {where}; known keys: {', '.join(allowed)}", field=k)


def parse_form(section: Mapping[str, Any] | None) -> Form:
    """Build the form from the `extraction:` section (a plain dict); InputError on the first problem."""
    from review.extraction.risk_of_bias import rob_fields, tool_name

    s = dict(section or {})
    where = "protocol.yaml extraction"
    extractors = s.get("extractors", 1)
    if extractors not in (1, 2) or isinstance(extractors, bool):
        raise InputError(f"extractors must be 1 or 2, not {extractors!r}", file="protocol.yaml", field="extractors")
    groups = s.get("groups") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) and _GROUP.match(g) for g in groups):
        raise InputError("groups must be a list of names (letters, digits, space, - _ +; no dots)", file="protocol.yaml", field="groups")
    if len(set(groups)) != len(groups):
        raise InputError("a group is listed twice", file="protocol.yaml", field="groups")
    fields: list[Field] = []
    for item in s.get("fields") or []:
        fields.append(_field(item, where))
    outcomes: list[Outcome] = []
    for item in s.get("outcomes") or []:
        out = _outcome(item, where)
        outcomes.append(out)
        fields.extend(outcome_fields(out, groups))
    rob = s.get("risk_of_bias") or ""
    if isinstance(rob, Mapping):
        rob = rob.get("tool", "")
    if rob:
        rob = tool_name(str(rob))
        fields.extend(rob_fields(rob))
    clash = {f.key for f in fields if not f.outcome} & {o.name for o in outcomes}
    if clash:
        raise InputError(f"{sorted(clash)[0]!r} is both a field and an outcome", file="protocol.yaml", field=sorted(clash)[0])
    keys = [f.key for f in fields]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup:
        raise InputError(f"field {dup!r} is defined twice", file="protocol.yaml", field=dup)
    if outcomes and not groups and any(t != "estimate_ci" for o in outcomes for t in o.types):
        raise InputError("outcomes with per-group data need `groups:` (e.g. [treatment, control])", file="protocol.yaml", field="groups")
    return Form(fields, outcomes, tuple(groups), extractors, rob)


def _field(item: Any, where: str) -> Field:
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, Mapping):
        raise InputError(f"each field in {where}.fields must be a mapping with a name", file="protocol.yaml", field="fields")
    _unknown(item, FIELD_KEYS, f"{where}.fields")
    name = str(item.get("name", ""))
    if not _NAME.match(name) or name == "rob" or name == "study":
        raise InputError(f"field name {name!r} must be letters, digits, _ (starting with a letter; not 'study' or 'rob')", file="protocol.yaml", field="name")
    typ = str(item.get("type", "text")).lower()
    typ = {"yes_no": "yes/no", "yesno": "yes/no", "boolean": "yes/no", "int": "integer", "float": "number"}.get(typ, typ)
    if typ not in TYPES:
        raise InputError(f"field {name}: type {typ!r} is not one of {', '.join(TYPES)}", file="protocol.yaml", field="type")
    options = tuple(str(o) for o in item.get("options") or ())
    if typ == "choice" and not options:
        raise InputError(f"field {name}: a choice needs options", file="protocol.yaml", field="options")
    lo, hi = _num(item.get("min"), "min"), _num(item.get("max"), "max")
    if lo is not None and hi is not None and lo > hi:
        raise InputError(f"field {name}: min {lo:g} is above max {hi:g}", file="protocol.yaml", field="min")
    return Field(name, str(item.get("label") or name), typ, str(item.get("unit") or ""), lo, hi,
                 _bool(item.get("required"), "required"), str(item.get("help") or ""), options)


def _outcome(item: Any, where: str) -> Outcome:
    if not isinstance(item, Mapping):
        raise InputError(f"each outcome in {where}.outcomes must be a mapping with a name", file="protocol.yaml", field="outcomes")
    _unknown(item, OUTCOME_KEYS, f"{where}.outcomes")
    name = str(item.get("name", ""))
    if not _NAME.match(name) or name == "rob":
        raise InputError(f"outcome name {name!r} must be letters, digits, _", file="protocol.yaml", field="name")
    types = item.get("types", item.get("type"))
    types = [types] if isinstance(types, str) else list(types or [])
    if not types or any(t not in BLOCKS for t in types):
        raise InputError(f"outcome {name}: type(s) {types!r} must be from {', '.join(BLOCKS)}", file="protocol.yaml", field="types")
    if "estimate_ci" in types and len(types) > 1:
        raise InputError(f"outcome {name}: estimate_ci cannot be mixed with per-group blocks", file="protocol.yaml", field="types")
    kinds = {"events", "rate"} & set(types)
    if kinds and len(types) > 1:
        raise InputError(f"outcome {name}: {', '.join(sorted(kinds))} cannot be mixed with other blocks", file="protocol.yaml", field="types")
    return Outcome(name, str(item.get("label") or name), tuple(types), str(item.get("unit") or ""),
                   _num(item.get("min"), "min"), _num(item.get("max"), "max"),
                   _bool(item.get("required"), "required"), str(item.get("help") or ""))


def outcome_fields(out: Outcome, groups: Sequence[str]) -> list[Field]:
    """The fields an outcome adds: each part of each allowed block, per group."""
    if out.types == ("estimate_ci",):
        parts = [
            Field(f"{out.name}.estimate", f"{out.label}: estimate", "number", out.unit, help=out.help, outcome=out.name, part="estimate"),
            Field(f"{out.name}.lower", f"{out.label}: lower 95% CI", "number", out.unit, outcome=out.name, part="lower"),
            Field(f"{out.name}.upper", f"{out.label}: upper 95% CI", "number", out.unit, outcome=out.name, part="upper"),
            Field(f"{out.name}.scale", f"{out.label}: scale", "choice", options=SCALES, outcome=out.name, part="scale"),
        ]
        return parts
    out_fields: list[Field] = []
    for g in groups:
        seen: list[str] = []
        for t in out.types:
            for p in BLOCKS[t]:
                if p not in seen:
                    seen.append(p)
        for p in seen:
            out_fields.append(_part(out, g, p))
    return out_fields


def _part(out: Outcome, group: str, part: str) -> Field:
    label = f"{out.label}, {group}: {part.replace('_', '-')}"
    key = f"{out.name}.{group}.{part}"
    common = dict(outcome=out.name, group=group, part=part)
    if part in ("n", "total"):
        return Field(key, label, "integer", "participants", 1, None, help=out.help if part == "n" else "", **common)
    if part == "events":
        return Field(key, label, "integer", "events", 0, None, **common)
    if part == "person_time":
        return Field(key, label, "number", "person-years", 0, None, **common)
    if part == "sd":
        return Field(key, label, "number", out.unit, 0, None, **common)
    return Field(key, label, "number", out.unit, out.min, out.max, help=out.help if part in ("mean", "median") else "", **common)


# ---- checking values ----------------------------------------------------------------------

def parse_value(f: Field, text: str) -> Any:
    """The typed value of one cell; ValueError with the reason when it is not allowed.

    Empty text is None (not given). Numbers accept a decimal comma ("2,5").
    """
    t = "" if text is None else str(text).strip()
    if t == "":
        return None
    if f.type == "text":
        return t
    if f.type == "integer":
        if not re.fullmatch(r"[-+]?\d+", t):
            raise ValueError("is not a whole number")
        return _ranged(f, int(t))
    if f.type == "number":
        if re.fullmatch(r"[-+]?\d+,\d+", t):
            t = t.replace(",", ".")
        try:
            x = float(t)
        except ValueError:
            raise ValueError("is not a number") from None
        if not math.isfinite(x):
            raise ValueError("is not a finite number")
        return _ranged(f, x)
    if f.type == "choice":
        hit = next((o for o in f.options if o.lower() == t.lower()), None)
        if hit is None:
            raise ValueError(f"is not one of {', '.join(f.options)}")
        return hit
    if f.type == "yes/no":
        if t.lower() in YES:
            return "yes"
        if t.lower() in NO:
            return "no"
        raise ValueError("is not yes or no")
    if f.type == "date":
        try:
            d = _dt.date.fromisoformat(t)
        except ValueError:
            raise ValueError("is not a date YYYY-MM-DD") from None
        if len(t) != 10:
            raise ValueError("is not a date YYYY-MM-DD")
        return d.isoformat()
    if f.type == "list":
        items = [x.strip() for x in t.split(LIST_SEP) if x.strip()]
        if f.options:
            bad = [x for x in items if x.lower() not in {o.lower() for o in f.options}]
            if bad:
                raise ValueError(f"has {', '.join(map(repr, bad))}, not among {', '.join(f.options)}")
            items = [next(o for o in f.options if o.lower() == x.lower()) for x in items]
        return tuple(items)
    raise ValueError(f"has an unknown type {f.type}")  # pragma: no cover


def _ranged(f: Field, x: float | int) -> float | int:
    if f.min is not None and x < f.min:
        raise ValueError(f"is below the minimum {f.min:g}")
    if f.max is not None and x > f.max:
        raise ValueError(f"is above the maximum {f.max:g}")
    return x


def format_value(value: Any) -> str:
    """The text a typed value is stored as (canonical: the same value, the same text)."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return f"{LIST_SEP} ".join(value)
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else f"{value:.1f}"
    return str(value)


def check_value(form: Form, study: str, key: str, text: str) -> tuple[Any, Problem | None]:
    """(typed value, None) or (None, the problem) for one cell."""
    f = form.by_key.get(key)
    if f is None:
        return None, Problem(study, key, str(text), "no such field in the extraction form")
    try:
        return parse_value(f, text), None
    except ValueError as err:
        return None, Problem(study, key, str(text).strip(), f"{f.label} {err}")


def check_study(form: Form, study: str, values: Mapping[str, Any], complete: bool = True) -> list[Problem]:
    """Consistency of one study's typed values; with ``complete``, also what is missing.

    ``values`` maps field keys to typed values (None or absent = not given).
    """
    problems: list[Problem] = []
    given = {k: v for k, v in values.items() if v is not None and v != ()}
    if complete:
        for f in form.fields:
            if f.required and not f.outcome and f.key not in given:
                problems.append(Problem(study, f.key, "", f"{f.label} is required"))
    for out in form.outcomes:
        groups = [""] if out.types == ("estimate_ci",) else list(form.groups)
        for g in groups:
            problems.extend(_check_block(form, out, g, study, given, complete))
    return problems


def block_values(out: Outcome, group: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of one block that were given: {part: value}."""
    prefix = f"{out.name}.{group}." if group else f"{out.name}."
    return {k[len(prefix):]: v for k, v in values.items() if k.startswith(prefix) and v is not None}


def block_kind(out: Outcome, parts: Mapping[str, Any]) -> str | None:
    """Which allowed block the given parts make: a block type, ``fivenum``, or None."""
    have = set(parts)
    if "median_iqr" in out.types and "median_range" in out.types and have == {"median", "q1", "q3", "min", "max", "n"}:
        return "fivenum"
    for t in out.types:
        if have == set(BLOCKS[t]):
            return t
    return None


def _check_block(form: Form, out: Outcome, group: str, study: str, given: Mapping[str, Any], complete: bool) -> list[Problem]:
    parts = block_values(out, group, given)
    key = f"{out.name}.{group}" if group else out.name
    if not parts:
        if complete and out.required:
            return [Problem(study, key, "", f"{out.label}{' for ' + group if group else ''} is required ({' or '.join(out.types)})")]
        return []
    kind = block_kind(out, parts)
    p: list[Problem] = []

    def bad(part: str, msg: str) -> None:
        p.append(Problem(study, f"{key}.{part}", format_value(parts.get(part)), msg))

    if kind is None and complete:
        wanted = " or ".join(f"{t} ({', '.join(BLOCKS[t])})" for t in out.types)
        p.append(Problem(study, key, "", f"incomplete: has {', '.join(sorted(parts))}; give {wanted}"))
    v = parts
    if "sd" in v and v["sd"] <= 0:
        bad("sd", "sd must be > 0")
    if "n" in v and v["n"] < 1:
        bad("n", "n must be >= 1")
    if "total" in v and v["total"] < 1:
        bad("total", "total must be >= 1")
    if "events" in v and "total" in v and v["events"] > v["total"]:
        bad("events", f"events {v['events']} > total {v['total']}")
    if "person_time" in v and v["person_time"] <= 0:
        bad("person_time", "person-time must be > 0")
    med = v.get("median")
    if med is not None:
        if "q1" in v and v["q1"] > med:
            bad("q1", f"q1 {v['q1']:g} is above the median {med:g} (need q1 <= median <= q3)")
        if "q3" in v and v["q3"] < med:
            bad("q3", f"q3 {v['q3']:g} is below the median {med:g} (need q1 <= median <= q3)")
        if "min" in v and v["min"] > med:
            bad("min", f"min {v['min']:g} is above the median {med:g} (need min <= median <= max)")
        if "max" in v and v["max"] < med:
            bad("max", f"max {v['max']:g} is below the median {med:g} (need min <= median <= max)")
    if "q1" in v and "min" in v and v["min"] > v["q1"]:
        bad("min", f"min {v['min']:g} is above q1 {v['q1']:g}")
    if "q3" in v and "max" in v and v["max"] < v["q3"]:
        bad("max", f"max {v['max']:g} is below q3 {v['q3']:g}")
    if "estimate" in v:
        lo, hi, est = v.get("lower"), v.get("upper"), v["estimate"]
        if lo is not None and hi is not None and not lo <= est <= hi:
            bad("estimate", f"estimate {est:g} is not within its CI {lo:g} to {hi:g}")
        if v.get("scale") == "ratio" and any(x is not None and x <= 0 for x in (lo, hi, est)):
            bad("estimate", "a ratio and its CI must be > 0")
    return p
