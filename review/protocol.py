"""protocol.yaml: the review's plan, loaded and checked with line numbers.

Every key is known: a misspelt or unknown key is a problem naming the key and
its line (with a "did you mean" where one is close). `check_protocol` collects
every problem at once, for `review check`; `load_protocol` raises the first.
"""

from __future__ import annotations

import copy
import datetime as _dt
import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.errors import ProtocolError

PROTOCOL_FILE = "protocol.yaml"
MEASURES = ("RR", "OR", "RD", "MD", "SMD", "ROM", "ZCOR", "IRR", "GEN")
METHODS = ("REML", "DL", "PM", "ML", "HE", "SJ", "EB", "FE", "MH", "PETO")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


# ---- the model ---------------------------------------------------------------

@dataclass(frozen=True)
class Search:
    """One database search as run (PRISMA-S items: database, platform, date, query)."""

    name: str
    database: str
    file: str  # relative to records/searches/
    date: str  # date searched, YYYY-MM-DD
    query: str
    interface: str = ""
    limits: str = ""
    notes: str = ""
    records: int | None = None  # the count the database reported, checked on import
    kind: str = "database"  # PRISMA 2020: database or register
    line: int = 0

    def path(self, root: Path) -> Path:
        return root / "records" / "searches" / self.file


@dataclass(frozen=True)
class OtherSource:
    """Records identified by other methods (citation searching, websites, organisations)."""

    name: str
    method: str
    file: str = ""  # relative to records/searches/; may be empty when nothing was found
    date: str = ""
    notes: str = ""
    kind: str = ""  # PRISMA 2020: citation, website, organisation or other ("" = from `method`)
    line: int = 0

    def path(self, root: Path) -> Path | None:
        return root / "records" / "searches" / self.file if self.file else None


@dataclass(frozen=True)
class Analysis:
    """One meta-analysis to run: which data, which effect measure and model."""

    name: str
    outcome: str
    measure: str
    method: str = "REML"
    hk: bool = False
    data: str | None = None
    groups: tuple[str, str] | None = None
    favours: tuple[str, str] | None = None
    subgroup: str | None = None
    line: int = 0

    def data_path(self, root: Path) -> Path:
        return root / (self.data or f"output/extraction/{self.name}.csv")


@dataclass
class Protocol:
    title: str
    question: dict[str, str]
    reviewers: list[str]
    searches: list[Search]
    other_sources: list[OtherSource] = field(default_factory=list)
    screening: dict[str, Any] = field(default_factory=dict)
    extraction: dict[str, Any] = field(default_factory=dict)
    analyses: list[Analysis] = field(default_factory=list)
    previous: dict[str, int] = field(default_factory=dict)
    path: Path | None = None

    @property
    def root(self) -> Path:
        assert self.path is not None
        return self.path.parent


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    key: str | None
    message: str

    def __str__(self) -> str:
        return str(ProtocolError(self.message, file=self.file, line=self.line, field=self.key))


# ---- YAML with line numbers ----------------------------------------------------

class _Located:
    """A loaded value with the line it stood on (1-based)."""

    __slots__ = ("value", "line")

    def __init__(self, value: Any, line: int):
        self.value = value
        self.line = line


def _compose(text: str, file: str):
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ProtocolError(f"not valid YAML: {reason}", file=file, line=line) from None
    return node


def _plain(node) -> _Located:
    """Turn a YAML node into nested _Located dicts/lists/scalars."""
    import yaml

    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, _Located] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            loc = _plain(value_node)
            loc.line = key_node.start_mark.line + 1
            out[key] = loc
        return _Located(out, line)
    if isinstance(node, yaml.SequenceNode):
        return _Located([_plain(n) for n in node.value], line)
    return _Located(_scalar(node), line)


def _scalar(node) -> Any:
    import yaml

    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


# ---- checking ------------------------------------------------------------------

TOP_KEYS = {
    "title": "the review's title",
    "question": "the review question: free text, or PICO (population, intervention, comparison, outcome)",
    "reviewers": "the people who screen and extract",
    "searches": "database searches: name, database, file, date, query",
    "other_sources": "other methods: citation searching, websites, organisations",
    "screening": "screening stages, criteria, keywords, exclusion reasons",
    "extraction": "the extraction form",
    "analyses": "the meta-analyses to run",
    "previous": "for an updated review: the previous version's studies and reports",
}
QUESTION_KEYS = ("text", "population", "intervention", "exposure", "comparison", "comparator", "outcome", "outcomes", "design", "setting", "timing")
SEARCH_KEYS = ("name", "database", "file", "date", "query", "interface", "limits", "notes", "records", "kind")
SEARCH_KINDS = ("database", "register")
OTHER_KINDS = ("citation", "website", "organisation", "other")
SEARCH_REQUIRED = ("name", "database", "file", "date", "query")
OTHER_KEYS = ("name", "method", "file", "date", "notes", "kind")
ANALYSIS_KEYS = ("name", "outcome", "measure", "method", "hk", "data", "groups", "favours", "subgroup")
PREVIOUS_KEYS = ("studies", "reports")
SCREENING_KEYS = (
    "stages", "reviewers_per_record", "criteria", "include_keywords", "exclude_keywords",
    "reasons", "to_full_text", "keys", "order", "stopping",
)
EXTRACTION_KEYS = ("extractors", "fields", "outcomes", "groups", "risk_of_bias")


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, line: int | None, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, key, message))

    def keys(self, mapping: _Located, allowed, where: str) -> dict[str, _Located]:
        if not isinstance(mapping.value, dict):
            self.add(mapping.line, where, f"{where} must be a mapping of keys to values")
            return {}
        for key, loc in mapping.value.items():
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(allowed)}"
                self.add(loc.line, key, f"unknown key {key!r} in {where}{hint}")
        return mapping.value

    def text(self, loc: _Located | None, key: str, required: bool = True, line: int | None = None) -> str:
        if loc is None or loc.value is None or loc.value == "":
            if required:
                self.add(line, key, f"{key} is required")
            return ""
        if isinstance(loc.value, (dict, list)):
            self.add(loc.line, key, f"{key} must be text")
            return ""
        if isinstance(loc.value, (_dt.date, _dt.datetime)):
            return loc.value.isoformat()[:10]
        return str(loc.value).strip()


def check_text(text: str, file: str = PROTOCOL_FILE) -> tuple[Protocol | None, list[Problem]]:
    """Check protocol text; return the protocol (None if unusable) and every problem."""
    node = _compose(text, file)
    if node is None:
        return None, [Problem(file, 1, None, "the protocol is empty; run `review init` for a template")]
    root = _plain(node)
    c = _Checker(file)
    top = c.keys(root, TOP_KEYS, "protocol.yaml")
    if not isinstance(root.value, dict):
        return None, c.problems

    title = c.text(top.get("title"), "title", line=1)
    question = _question(c, top.get("question"))
    reviewers = _reviewers(c, top.get("reviewers"))
    searches = _searches(c, top.get("searches"))
    others = _others(c, top.get("other_sources"), {s.name for s in searches})
    analyses = _analyses(c, top.get("analyses"))
    screening = _section(c, top.get("screening"), SCREENING_KEYS, "screening")
    if screening:
        from review.screening.decisions import config_problems

        section = top["screening"]
        problems = list(config_problems(screening))
        from review.errors import InputError
        from review.screening.priority import parse_order, stopping_settings

        for check, value in ((parse_order, screening.get("order")), (stopping_settings, screening)):
            try:
                check(value)
            except InputError as err:
                problems.append(((err.field or "").removeprefix("screening."), err.message))
        for key, message in problems:
            first = re.split(r"[.\[]", key, maxsplit=1)[0]
            loc = section.value.get(first) if isinstance(section.value, dict) else None
            c.add(loc.line if loc is not None else section.line, f"screening.{key}", message)
    extraction = _section(c, top.get("extraction"), EXTRACTION_KEYS, "extraction")
    if extraction:
        from review.errors import InputError
        from review.extraction.form import parse_form

        try:
            parse_form(extraction)
        except InputError as err:
            section = top["extraction"]
            first = re.split(r"[.\[]", err.field or "", maxsplit=1)[0]
            loc = section.value.get(first) if isinstance(section.value, dict) else None
            c.add(loc.line if loc is not None else section.line, f"extraction.{err.field}" if err.field else "extraction",
                  err.message)
    previous = {}
    if "previous" in top:
        prev = c.keys(top["previous"], PREVIOUS_KEYS, "previous")
        for key, loc in prev.items():
            if key in PREVIOUS_KEYS:
                if isinstance(loc.value, int) and not isinstance(loc.value, bool) and loc.value >= 0:
                    previous[key] = loc.value
                else:
                    c.add(loc.line, key, f"previous {key} must be a whole number >= 0")
    protocol = Protocol(
        title=title,
        question=question,
        reviewers=reviewers,
        searches=searches,
        other_sources=others,
        screening=screening,
        extraction=extraction,
        analyses=analyses,
        previous=previous,
    )
    return protocol, c.problems


def _question(c: _Checker, loc: _Located | None) -> dict[str, str]:
    if loc is None:
        c.add(1, "question", "question is required (free text, or population/intervention/comparison/outcome)")
        return {}
    if isinstance(loc.value, str):
        return {"text": loc.value.strip()}
    out = {}
    for key, val in c.keys(loc, QUESTION_KEYS, "question").items():
        if key in QUESTION_KEYS:
            out[key] = c.text(val, key, required=False)
    return out


def _reviewers(c: _Checker, loc: _Located | None) -> list[str]:
    if loc is None:
        return []
    if not isinstance(loc.value, list):
        c.add(loc.line, "reviewers", "reviewers must be a list of names")
        return []
    names = []
    for item in loc.value:
        name = item.value.get("name").value if isinstance(item.value, dict) and "name" in item.value else item.value
        if not isinstance(name, str) or not _NAME.match(name):
            c.add(item.line, "reviewers", f"reviewer {name!r} must be a short name (letters, digits, - _ .)")
        elif name in names:
            c.add(item.line, "reviewers", f"reviewer {name!r} is listed twice")
        else:
            names.append(name)
    return names


def _items(c: _Checker, loc: _Located | None, key: str) -> list[_Located]:
    if loc is None or loc.value is None:
        return []
    if not isinstance(loc.value, list):
        c.add(loc.line, key, f"{key} must be a list")
        return []
    return loc.value


def _searches(c: _Checker, loc: _Located | None) -> list[Search]:
    out: list[Search] = []
    if loc is None:
        c.add(1, "searches", "searches is required: list each database search")
    for item in _items(c, loc, "searches"):
        d = c.keys(item, SEARCH_KEYS, "a search")
        if not d:
            continue
        vals = {k: c.text(d.get(k), k, required=k in SEARCH_REQUIRED, line=item.line) for k in SEARCH_KEYS if k != "records"}
        vals["kind"] = _check_kind(c, vals["kind"] or "database", d.get("kind"), SEARCH_KINDS)
        _check_name(c, vals["name"], d.get("name"), [s.name for s in out])
        _check_date(c, vals["date"], d.get("date"))
        _check_file(c, vals["file"], d.get("file"))
        records = None
        if "records" in d:
            rv = d["records"].value
            if isinstance(rv, int) and not isinstance(rv, bool) and rv >= 0:
                records = rv
            else:
                c.add(d["records"].line, "records", "records must be a whole number (the count the database reported)")
        out.append(Search(**vals, records=records, line=d["file"].line if "file" in d else item.line))
    return out


def _others(c: _Checker, loc: _Located | None, taken: set[str]) -> list[OtherSource]:
    out: list[OtherSource] = []
    for item in _items(c, loc, "other_sources"):
        d = c.keys(item, OTHER_KEYS, "an other source")
        if not d:
            continue
        vals = {k: c.text(d.get(k), k, required=k in ("name", "method"), line=item.line) for k in OTHER_KEYS}
        if vals["kind"]:
            vals["kind"] = _check_kind(c, vals["kind"], d.get("kind"), OTHER_KINDS)
        _check_name(c, vals["name"], d.get("name"), list(taken) + [o.name for o in out])
        if vals["date"]:
            _check_date(c, vals["date"], d.get("date"))
        if vals["file"]:
            _check_file(c, vals["file"], d.get("file"))
        out.append(OtherSource(**vals, line=d["file"].line if "file" in d else item.line))
    return out


def _analyses(c: _Checker, loc: _Located | None) -> list[Analysis]:
    out: list[Analysis] = []
    for item in _items(c, loc, "analyses"):
        d = c.keys(item, ANALYSIS_KEYS, "an analysis")
        if not d:
            continue
        name = c.text(d.get("name"), "name", line=item.line)
        _check_name(c, name, d.get("name"), [a.name for a in out])
        measure = c.text(d.get("measure"), "measure", line=item.line).upper()
        if measure and measure not in MEASURES:
            c.add(d["measure"].line, "measure", f"measure {measure!r} is not one of {', '.join(MEASURES)}")
        method = (c.text(d.get("method"), "method", required=False) or "REML").upper()
        if method not in METHODS:
            c.add(d["method"].line, "method", f"method {method!r} is not one of {', '.join(METHODS)}")
        if method in ("MH", "PETO") and measure in MEASURES and measure not in ("RR", "OR", "RD"):
            c.add(d["method"].line, "method", f"method {method} works with RR, OR or RD, not {measure}")
        hk = False
        if "hk" in d:
            if isinstance(d["hk"].value, bool):
                hk = d["hk"].value
            else:
                c.add(d["hk"].line, "hk", "hk must be true or false")
        pairs = {}
        for key in ("groups", "favours"):
            if key in d:
                v = d[key].value
                if isinstance(v, list) and len(v) == 2 and all(isinstance(x.value, str) for x in v):
                    pairs[key] = (v[0].value, v[1].value)
                else:
                    c.add(d[key].line, key, f"{key} must be a list of two labels")
        out.append(
            Analysis(
                name=name,
                outcome=c.text(d.get("outcome"), "outcome", required=False) or name,
                measure=measure,
                method=method,
                hk=hk,
                data=c.text(d.get("data"), "data", required=False) or None,
                groups=pairs.get("groups"),
                favours=pairs.get("favours"),
                subgroup=c.text(d.get("subgroup"), "subgroup", required=False) or None,
                line=item.line,
            )
        )
    return out


def _section(c: _Checker, loc: _Located | None, allowed, where: str) -> dict[str, Any]:
    """Sections a later stage reads in full: check the top keys, keep plain values."""
    if loc is None or loc.value is None:
        return {}
    d = c.keys(loc, allowed, where)
    return {k: _unwrap(v) for k, v in d.items()}


def _unwrap(loc: _Located) -> Any:
    if isinstance(loc.value, dict):
        return {k: _unwrap(v) for k, v in loc.value.items()}
    if isinstance(loc.value, list):
        return [_unwrap(v) for v in loc.value]
    return loc.value


def _check_kind(c: _Checker, value: str, loc: _Located | None, allowed: tuple[str, ...]) -> str:
    value = value.lower()
    if value not in allowed:
        c.add(loc.line if loc else None, "kind", f"kind {value!r} is not one of {', '.join(allowed)}")
    return value


def _check_name(c: _Checker, name: str, loc: _Located | None, taken: list[str]) -> None:
    if not name or loc is None:
        return
    if not _NAME.match(name):
        c.add(loc.line, "name", f"name {name!r} must be letters, digits, - _ . (it names files)")
    elif name in taken:
        c.add(loc.line, "name", f"name {name!r} is used twice")


def _check_date(c: _Checker, value: str, loc: _Located | None) -> None:
    if not value or loc is None:
        return
    try:
        _dt.date.fromisoformat(value[:10])
        if len(value) != 10:
            raise ValueError
    except ValueError:
        c.add(loc.line, "date", f"date {value!r} must be YYYY-MM-DD")


def _check_file(c: _Checker, value: str, loc: _Located | None) -> None:
    if not value or loc is None:
        return
    p = Path(value)
    if p.is_absolute() or ".." in p.parts:
        c.add(loc.line, "file", f"file {value!r} must be a path under records/searches/")


# ---- loading -------------------------------------------------------------------

def check_protocol(path: Path) -> tuple[Protocol | None, list[Problem]]:
    """Read and check protocol.yaml at `path`; never raises for the file's content."""
    file = display_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None, [Problem(file, None, None, "no protocol.yaml here; run `review init DIR` to start a review")]
    except UnicodeDecodeError as err:
        return None, [Problem(file, None, None, f"not UTF-8 text ({err.reason})")]
    try:
        protocol, problems = _checked(text, file)
    except ProtocolError as err:
        return None, [Problem(file, err.line, err.field, err.message)]
    if protocol is not None:
        protocol = copy.deepcopy(protocol)
        protocol.path = path
    return protocol, list(problems)


@functools.lru_cache(maxsize=8)
def _checked(text: str, file: str) -> tuple[Protocol | None, tuple[Problem, ...]]:
    """`check_text`, remembered: `review run` reads the same protocol once per stage."""
    protocol, problems = check_text(text, file)
    return protocol, tuple(problems)


def load_protocol(root: Path) -> Protocol:
    """Load `<root>/protocol.yaml`; raise ProtocolError naming the first problem."""
    protocol, problems = check_protocol(Path(root) / PROTOCOL_FILE)
    if problems:
        first = problems[0]
        more = f" ({len(problems) - 1} more problems: run `review check`)" if len(problems) > 1 else ""
        raise ProtocolError(first.message + more, file=first.file, line=first.line, field=first.key)
    assert protocol is not None
    return protocol


def display_path(path: Path) -> str:
    """A path as the user knows it: relative to the current folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
