"""Risk-of-bias forms a protocol includes by name, their judgements, and robvis-style plots.

Tools (``extraction: risk_of_bias: <name>``):

- ``nos-cohort``, ``nos-case-control``: the Newcastle-Ottawa Scale (Wells et al.),
  stars per item (comparability up to 2; 9 at most), converted to good / fair /
  poor with the AHRQ thresholds;
- ``rob2``: RoB 2 for randomised trials (Sterne et al. 2019), five domains and
  overall, each low / some concerns / high;
- ``robins-i``: ROBINS-I for non-randomised studies (Sterne et al. 2016), seven
  domains and overall, each low / moderate / serious / critical / no information.

Items become form fields ``rob.<item>`` so they are logged, loaded, compared
and resolved like any other value. The plots copy robvis (McGuinness & Higgins
2021): a traffic-light grid and a weighted-or-not summary bar chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review.errors import InputError

TOOLS = ("nos-cohort", "nos-case-control", "rob2", "robins-i")
_ALIASES = {
    "nos": "nos-cohort", "newcastle-ottawa": "nos-cohort", "newcastle-ottawa-cohort": "nos-cohort",
    "nos_cohort": "nos-cohort", "nos_case_control": "nos-case-control", "newcastle-ottawa-case-control": "nos-case-control",
    "rob-2": "rob2", "rob_2": "rob2", "robins_i": "robins-i", "robinsi": "robins-i",
}

# Colours and symbols as robvis draws them.
COLOURS = {
    "Low": "#02C100", "Some concerns": "#E2DF07", "High": "#BF0000",
    "Moderate": "#E2DF07", "Serious": "#BF0000", "Critical": "#820000", "No information": "#4EA1F7",
    "Good": "#02C100", "Fair": "#E2DF07", "Poor": "#BF0000",
}
SYMBOLS = {"Low": "+", "Some concerns": "-", "High": "X", "Moderate": "-", "Serious": "X",
           "Critical": "!", "No information": "?", "Good": "+", "Fair": "-", "Poor": "X"}
RISK_WORDS = {"Low": "Low risk of bias", "Some concerns": "Some concerns", "High": "High risk of bias",
              "Moderate": "Moderate risk of bias", "Serious": "Serious risk of bias",
              "Critical": "Critical risk of bias", "No information": "No information",
              "Good": "Good quality", "Fair": "Fair quality", "Poor": "Poor quality"}


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    stars: int = 1  # NOS: the most stars it can earn
    help: str = ""


@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    domains: tuple[tuple[str, str, tuple[Item, ...]], ...]  # (key, label, items)
    judgements: tuple[str, ...]
    scored: bool  # NOS: stars per item; RoB 2 / ROBINS-I: a judgement per domain


NOS_COHORT = Tool("nos-cohort", "Newcastle-Ottawa Scale (cohort studies)", (
    ("selection", "Selection", (
        Item("representativeness", "Representativeness of the exposed cohort", 1,
             "* truly or somewhat representative of the average patient in the community"),
        Item("non_exposed", "Selection of the non-exposed cohort", 1, "* drawn from the same community as the exposed cohort"),
        Item("exposure", "Ascertainment of exposure", 1, "* secure record or structured interview"),
        Item("outcome_absent", "Outcome of interest not present at start of study", 1, "* yes"),
    )),
    ("comparability", "Comparability", (
        Item("comparability", "Comparability of cohorts on the basis of the design or analysis", 2,
             "* controls for the most important factor; ** and for an additional factor"),
    )),
    ("outcome", "Outcome", (
        Item("assessment", "Assessment of outcome", 1, "* independent blind assessment or record linkage"),
        Item("follow_up_length", "Follow-up long enough for outcomes to occur", 1, "* yes"),
        Item("follow_up_adequacy", "Adequacy of follow-up of cohorts", 1, "* complete, or losses small and described"),
    )),
), ("Good", "Fair", "Poor"), True)

NOS_CASE_CONTROL = Tool("nos-case-control", "Newcastle-Ottawa Scale (case-control studies)", (
    ("selection", "Selection", (
        Item("case_definition", "Is the case definition adequate?", 1, "* yes, with independent validation"),
        Item("representativeness", "Representativeness of the cases", 1, "* consecutive or obviously representative series"),
        Item("control_selection", "Selection of controls", 1, "* community controls"),
        Item("control_definition", "Definition of controls", 1, "* no history of disease (endpoint)"),
    )),
    ("comparability", "Comparability", (
        Item("comparability", "Comparability of cases and controls on the basis of the design or analysis", 2,
             "* controls for the most important factor; ** and for an additional factor"),
    )),
    ("exposure", "Exposure", (
        Item("ascertainment", "Ascertainment of exposure", 1, "* secure record or structured interview blind to case/control status"),
        Item("same_method", "Same method of ascertainment for cases and controls", 1, "* yes"),
        Item("non_response", "Non-response rate", 1, "* same rate for both groups"),
    )),
), ("Good", "Fair", "Poor"), True)

ROB2 = Tool("rob2", "RoB 2", tuple((f"D{i}", label, ()) for i, label in enumerate((
    "Bias arising from the randomization process",
    "Bias due to deviations from intended interventions",
    "Bias due to missing outcome data",
    "Bias in measurement of the outcome",
    "Bias in selection of the reported result",
), start=1)), ("Low", "Some concerns", "High"), False)

ROBINS_I = Tool("robins-i", "ROBINS-I", tuple((f"D{i}", label, ()) for i, label in enumerate((
    "Bias due to confounding",
    "Bias due to selection of participants",
    "Bias in classification of interventions",
    "Bias due to deviations from intended interventions",
    "Bias due to missing data",
    "Bias in measurement of outcomes",
    "Bias in selection of the reported result",
), start=1)), ("Low", "Moderate", "Serious", "Critical", "No information"), False)

_TOOLS = {t.name: t for t in (NOS_COHORT, NOS_CASE_CONTROL, ROB2, ROBINS_I)}


def tool_name(name: str) -> str:
    key = name.strip().lower().replace(" ", "-")
    key = _ALIASES.get(key, key)
    if key not in _TOOLS:
        raise InputError(f"risk_of_bias {name!r} is not one of {', '.join(TOOLS)}", file="protocol.yaml", field="risk_of_bias")
    return key


def get_tool(name: str) -> Tool:
    return _TOOLS[tool_name(name)]


def rob_fields(name: str) -> list:
    """The form fields of a tool: ``rob.<item>`` (stars) or ``rob.<domain>`` and ``rob.overall``."""
    from review.extraction.form import Field

    tool = get_tool(name)
    out = []
    if tool.scored:
        for _, dlabel, items in tool.domains:
            for it in items:
                out.append(Field(f"rob.{it.key}", f"{dlabel}: {it.label}", "choice",
                                 help=f"stars earned ({it.help})",
                                 options=tuple(str(i) for i in range(it.stars + 1)), required=True))
        return out
    for key, label, _ in tool.domains:
        out.append(Field(f"rob.{key}", f"{key}: {label}", "choice", options=tool.judgements, required=True))
    out.append(Field("rob.overall", "Overall risk of bias", "choice", options=tool.judgements, required=True))
    return out


@dataclass(frozen=True)
class Assessment:
    """One study's judgements: per domain (in the tool's order) and overall."""

    study: str
    domains: tuple[str, ...]
    overall: str
    stars: int | None = None  # NOS only


def nos_domain(domain: str, stars: int) -> str:
    """AHRQ conversion of a Newcastle-Ottawa domain: Good / Fair / Poor.

    Selection: 3-4 stars good, 2 fair, 0-1 poor; comparability: 1-2 good, 0
    poor; outcome (exposure): 2-3 good, 0-1 poor.
    """
    if domain == "selection":
        return "Good" if stars >= 3 else "Fair" if stars == 2 else "Poor"
    if domain == "comparability":
        return "Good" if stars >= 1 else "Poor"
    return "Good" if stars >= 2 else "Poor"


def nos_overall(domains: Sequence[str]) -> str:
    """Good when every domain is good, poor when any is poor, else fair (AHRQ thresholds)."""
    if "Poor" in domains:
        return "Poor"
    return "Good" if all(d == "Good" for d in domains) else "Fair"


def assess(name: str, study: str, values: Mapping[str, Any]) -> Assessment | None:
    """The study's assessment from its ``rob.*`` values; None when any item is missing."""
    tool = get_tool(name)
    if tool.scored:
        domains, total = [], 0
        for key, _, items in tool.domains:
            got = [values.get(f"rob.{it.key}") for it in items]
            if any(g in (None, "") for g in got):
                return None
            stars = sum(int(g) for g in got)
            total += stars
            domains.append(nos_domain(key, stars))
        return Assessment(study, tuple(domains), nos_overall(domains), total)
    got = [values.get(f"rob.{key}") for key, _, _ in tool.domains]
    overall = values.get("rob.overall")
    if any(g in (None, "") for g in got) or overall in (None, ""):
        return None
    return Assessment(study, tuple(got), overall)


def domain_labels(name: str) -> list[tuple[str, str]]:
    """(short, long) labels for the plot columns: D1.. for RoB 2/ROBINS-I, the NOS domains."""
    tool = get_tool(name)
    if tool.scored:
        return [(f"D{i}", label) for i, (_, label, _) in enumerate(tool.domains, start=1)]
    return [(key, label) for key, label, _ in tool.domains]


# ---- plots -----------------------------------------------------------------------------

def _save(fig, path: Path) -> None:
    from review.figures import save_figure

    save_figure(fig, path, salt=f"rob-{Path(path).stem}", tight=True)


def write_plots(name: str, assessments: Sequence[Assessment], folder: Path) -> list[Path]:
    """The traffic-light and summary plots as SVG and PNG in ``folder``; returns the SVG paths."""
    from functools import partial

    from review.figures import draw_all

    folder = Path(folder)
    tasks = [partial(plot, name, assessments, folder / f"{stem}.{suffix}")
             for plot, stem in ((traffic_light, "rob_traffic_light"), (summary_plot, "rob_summary"))
             for suffix in ("svg", "png")]
    draw_all(tasks)
    return [folder / "rob_traffic_light.svg", folder / "rob_summary.svg"]


def traffic_light(name: str, assessments: Sequence[Assessment], path: Path) -> None:
    """A robvis-style traffic-light plot: a row per study, a coloured circle per domain and overall."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    if not assessments:
        raise InputError("no complete risk-of-bias assessments to plot")
    tool = get_tool(name)
    labels = domain_labels(name)
    cols = [s for s, _ in labels] + ["Overall"]
    k = len(assessments)
    fig_h = 1.2 + 0.42 * k + 0.28 * (len(labels) + 2)
    fig = Figure(figsize=(1.6 + 0.62 * len(cols) + 2.6, fig_h))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for r, a in enumerate(assessments):
        for c, judgement in enumerate(list(a.domains) + [a.overall]):
            y = k - 1 - r
            ax.scatter(c, y, s=520, color=COLOURS.get(judgement, "#BBBBBB"), edgecolors="black", linewidths=0.6, zorder=3)
            ax.text(c, y, SYMBOLS.get(judgement, "?"), ha="center", va="center", fontsize=11, fontweight="bold", zorder=4)
    ax.set_xlim(-0.5, len(cols) - 0.5)
    ax.set_ylim(-0.5, k - 0.5)
    ax.set_xticks(range(len(cols)), cols)
    ax.xaxis.tick_top()
    ax.set_yticks(range(k), [a.study for a in reversed(assessments)])
    ax.tick_params(length=0)
    for x in range(len(cols) + 1):
        ax.axvline(x - 0.5, color="#CCCCCC", lw=0.6, zorder=1)
    for y in range(k + 1):
        ax.axhline(y - 0.5, color="#CCCCCC", lw=0.6, zorder=1)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"{tool.title}: risk of bias domains", pad=26, fontsize=10)
    caption = "Domains:\n" + "\n".join(f"{s}: {l}" for s, l in labels)
    ax.text(-0.5, -0.7, caption, ha="left", va="top", fontsize=8, transform=ax.transData)
    handles = [Line2D([], [], marker="o", linestyle="", markersize=12, markerfacecolor=COLOURS[j],
                      markeredgecolor="black", label=f"{SYMBOLS[j]}  {j}") for j in tool.judgements]
    ax.legend(handles=handles, title="Judgement", loc="upper right", bbox_to_anchor=(1.0, -0.01), fontsize=8,
              title_fontsize=8, frameon=False, bbox_transform=ax.transAxes)
    _save(fig, path)


def summary_table(name: str, assessments: Sequence[Assessment], weights: Sequence[float] | None = None) -> list[tuple[str, dict[str, float]]]:
    """Per domain and overall, the share (0-100 %) of studies (or of weight) per judgement."""
    tool = get_tool(name)
    if weights is not None and len(weights) != len(assessments):
        raise InputError("one weight per assessment is needed")
    w = list(weights) if weights is not None else [1.0] * len(assessments)
    total = sum(w)
    if total <= 0:
        raise InputError("no assessments (or weights) to summarise")
    rows = []
    labels = [l for _, l in domain_labels(name)] + ["Overall risk of bias"]
    for i, label in enumerate(labels):
        shares = {j: 0.0 for j in tool.judgements}
        for a, wt in zip(assessments, w):
            j = a.overall if i == len(labels) - 1 else a.domains[i]
            shares[j] = shares.get(j, 0.0) + 100 * wt / total
        rows.append((label, shares))
    return rows


def summary_plot(name: str, assessments: Sequence[Assessment], path: Path, weights: Sequence[float] | None = None) -> None:
    """A robvis-style summary: a stacked horizontal bar per domain, overall at the bottom."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    tool = get_tool(name)
    rows = summary_table(name, assessments, weights)
    fig = Figure(figsize=(9, 0.9 + 0.45 * len(rows)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for y, (label, shares) in enumerate(reversed(rows)):
        left = 0.0
        for j in tool.judgements:
            if shares[j] > 0:
                ax.barh(y, shares[j], left=left, color=COLOURS[j], edgecolor="black", linewidth=0.5, height=0.7)
                left += shares[j]
    ax.set_yticks(range(len(rows)), [label for label, _ in reversed(rows)])
    ax.get_yticklabels()[0].set_fontweight("bold")
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel("Proportion of studies" + (" (weighted)" if weights is not None else ""))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles = [Patch(facecolor=COLOURS[j], edgecolor="black", label=RISK_WORDS[j]) for j in tool.judgements]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.35 if len(rows) < 5 else -0.18),
              ncol=len(handles), frameon=False, fontsize=8)
    ax.set_title(tool.title, fontsize=10)
    _save(fig, path)
