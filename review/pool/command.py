"""`review pool`: meta-analysis of a CSV, or of every analysis in protocol.yaml.

Only typer, rich and the standard library are imported here; the statistics
(pandas, scipy, matplotlib) load inside the command, so `review --help` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from review.errors import UsageError

MEASURES = ("RR", "OR", "RD", "MD", "SMD", "ROM", "ZCOR", "IRR", "GEN")
METHODS = ("REML", "DL", "PM", "ML", "HE", "SJ", "EB", "FE", "MH", "PETO")

HELP = """Pool studies: effect sizes, a fixed- or random-effects model, forest and funnel plots.

With a DATA file, pool that table and print the studies, the pooled effect and
the heterogeneity (or one JSON object with --json). Without one, run every
analysis in protocol.yaml `analyses:` and write output/pooled.{csv,md,html,json}
and output/forest_<name>.{svg,png,pdf} and funnel_<name>.{svg,png,pdf}.

Columns: `study`, then binary e_events,e_total,c_events,c_total; continuous
e_mean,e_sd,e_n,c_mean,c_sd,c_n; correlations r,n; rates
e_events,e_time,c_events,c_time; generic yi with vi or sei (or estimate,
ci_lower, ci_upper). metafor's names (ai, bi, ci, di, n1i, n2i, m1i, sd1i, ri,
ni, yi, vi, ...) work too. Numbers agree with R's metafor 3.8.

\b
Examples:
  review pool trials.csv --measure RR --method REML --forest forest.png
  review pool trials.csv --measure SMD --hk --subgroup dose --json
  review pool            # inside a review: every analysis in protocol.yaml
"""


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _choice(value: str | None, allowed: tuple[str, ...], option: str) -> str | None:
    if value is None:
        return None
    v = value.strip().upper()
    if v not in allowed:
        raise UsageError(f"{option} {value!r} is not one of {', '.join(allowed)}")
    return v


def register(app: typer.Typer) -> None:
    app.command("pool", help=HELP)(pool)


def pool(
    data: Annotated[Optional[Path], typer.Argument(
        help="CSV with one row per study. Leave out inside a review to run protocol.yaml analyses.",
        show_default=False)] = None,
    measure: Annotated[Optional[str], typer.Option(
        "--measure", "-m", help="RR, OR, RD, MD, SMD, ROM, ZCOR, IRR or GEN.", show_default=False)] = None,
    method: Annotated[str, typer.Option(
        "--method", help="REML, DL, PM, ML, HE, SJ, EB (random effects), FE, MH or PETO.")] = "REML",
    hk: Annotated[bool, typer.Option("--hk", help="Hartung-Knapp(-Sidik-Jonkman) t-based CI and test.")] = False,
    subgroup: Annotated[Optional[str], typer.Option(
        "--subgroup", help="Column whose values define subgroups.", show_default=False)] = None,
    forest: Annotated[Optional[Path], typer.Option(
        "--forest", help="Write the forest plot here (.svg, .png or .pdf).", show_default=False)] = None,
    funnel: Annotated[Optional[Path], typer.Option(
        "--funnel", help="Write the funnel plot here (.svg, .png or .pdf).", show_default=False)] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    study: Annotated[str, typer.Option("--study", help="Column with the study labels.")] = "study",
    ratio: Annotated[bool, typer.Option(
        "--ratio", help="GEN only: the estimates are ratios (pooled on the log scale).")] = False,
    subgroup_tau2: Annotated[str, typer.Option(
        "--subgroup-tau2", help="common (default, metafor mods = ~ factor) or separate (RevMan, R meta).")] = "common",
    pi_df: Annotated[str, typer.Option(
        "--pi-df", help="Prediction interval: z (metafor 3.8) or k-2 (R meta, IntHout 2016).")] = "z",
    convention: Annotated[str, typer.Option(
        "--convention", help="metafor, or revman: SMD with Hedges' approximate correction and "
                             "RevMan's variance; MH with 0.5 added to zero cells.")] = "metafor",
) -> None:
    if data is None:
        given = [name for name, on in (("--measure", measure), ("--subgroup", subgroup), ("--forest", forest),
                                       ("--funnel", funnel), ("--ratio", ratio), ("--hk", hk)) if on]
        if given:
            raise UsageError(
                f"{', '.join(given)} need a DATA file; inside a review the options come from protocol.yaml analyses:"
            )
        _run_review(json_out)
        return
    m = _choice(measure, MEASURES + ("PETO",), "--measure")
    if m is None:
        raise UsageError("--measure is required with a DATA file (RR, OR, RD, MD, SMD, ROM, ZCOR, IRR or GEN)")
    meth = _choice(method, METHODS, "--method") or "REML"
    if subgroup_tau2 not in ("separate", "common"):
        raise UsageError(f"--subgroup-tau2 must be separate or common, not {subgroup_tau2!r}")
    if convention not in ("metafor", "revman"):
        raise UsageError(f"--convention must be metafor or revman, not {convention!r}")
    if pi_df not in ("z", "k-2"):
        raise UsageError(f"--pi-df must be z or k-2, not {pi_df!r}")
    for opt, p in (("--forest", forest), ("--funnel", funnel)):
        if p is not None and p.suffix.lower() not in (".svg", ".png", ".pdf"):
            raise UsageError(f"{opt} {p}: use a file name ending in .svg, .png or .pdf")

    from review.pool.api import meta_analysis

    ma = meta_analysis(data, m, method=meth, hk=hk, subgroup=subgroup, study_col=study, ratio=ratio,
                       tau2_subgroup=subgroup_tau2, pi_df=pi_df, convention=convention)
    from rich.markup import escape

    err = _console(stderr=True)
    for n in ma.notes:
        err.print(f"Note: {n}", style="dim", markup=False)
    for w in ma.warnings:
        err.print(f"[yellow]Warning:[/yellow] {escape(w)}", markup=True)
    if forest is not None:
        ma.forest(forest)
    if funnel is not None:
        ma.funnel(funnel)
    if json_out:
        sys.stdout.write(json.dumps(ma.to_json(), indent=2) + "\n")
        return
    out = _console()
    _print_analysis(out, ma, title=str(data))
    for p in (forest, funnel):
        if p is not None:
            out.print(f"Wrote {p}")


def _print_analysis(out: Any, ma: Any, title: str) -> None:
    """Studies, the pooled row and the heterogeneity, as a rich table."""
    from rich.table import Table

    from review.pool.plots import _effect_line, _het_line
    from review.pool.tables import fmt_ci

    label = ma.effect_label
    t = Table(title=f"{title}: {label}, {ma.model_label}" + (" (Hartung-Knapp)" if ma.hk else ""),
              title_justify="left", show_edge=False, pad_edge=False)
    t.add_column("Study")
    if ma.subgroups is not None:
        t.add_column("Subgroup")
    t.add_column(f"{label} [{ma.level:g}% CI]", justify="right")
    t.add_column("Weight", justify="right")
    for rec in ma.studies.to_dict(orient="records"):
        row = [str(rec["study"])]
        if ma.subgroups is not None:
            row.append(str(rec.get("subgroup", "")))
        w = rec.get("weight_pct")
        row += [fmt_ci(rec["effect"], rec["effect_ci_lower"], rec["effect_ci_upper"]),
                f"{w:.1f}%" if w == w and w is not None and w > 0 else ""]
        t.add_row(*row)
    r = ma.row()
    fixed = ma.method in ("FE", "EE", "CE", "MH", "PETO")
    if ma.subgroups is not None:
        t.add_section()
        for rec in ma.subgroups.to_dict(orient="records"):
            t.add_row(f"Subtotal (k = {int(rec['k'])})", str(rec["subgroup"]),
                      fmt_ci(ma.back(rec["estimate"]), ma.back(rec["ci_lower"]), ma.back(rec["ci_upper"])),
                      f"{rec['weight_pct']:.1f}%")
    t.add_section()
    total = [f"[bold]Total (k = {int(r['k'])})[/bold]"] + ([""] if ma.subgroups is not None else [])
    total += [f"[bold]{fmt_ci(ma.back(r['estimate']), ma.back(r['ci_lower']), ma.back(r['ci_upper']))}[/bold]",
              "100.0%"]
    t.add_row(*total)
    out.print(t)
    pi_lo, pi_hi = ma.back(r.get("pi_lower")), ma.back(r.get("pi_upper"))
    if pi_lo is not None and pi_hi is not None:
        out.print(f"Prediction interval: [{pi_lo:.2f}, {pi_hi:.2f}]")
    out.print(_het_line(r, fixed))
    if r.get("tau2_ci_lower") is not None and not fixed:
        out.print(f"Tau² {ma.level:g}% CI (Q-profile): [{r['tau2_ci_lower']:.4g}, {r['tau2_ci_upper']:.4g}]")
    out.print(_effect_line(r))
    if ma.subgroup_test:
        from review.pool.tables import fmt_num, fmt_p_eq

        st = ma.subgroup_test
        out.print(f"Test for subgroup differences ({st.get('tau2_mode')} tau²): Chi² = {fmt_num(st['q'])}, "
                  f"df = {int(st['df'])} ({fmt_p_eq(st['pval'])})")


def _run_review(json_out: bool) -> None:
    """Every analysis in protocol.yaml: tables, forest and funnel plots under output/."""
    from rich.markup import escape

    from review.pool.analyses import pool_review
    from review.pool.tables import format_results, results_frame
    from review.protocol import display_path, load_protocol
    from review.workspace import find_root

    root = find_root()
    protocol = load_protocol(root)
    if not protocol.analyses:
        raise UsageError("protocol.yaml has no analyses: add one (name, outcome, measure, data) under analyses:")
    pooled = pool_review(root, protocol)
    err = _console(stderr=True)
    for name, ma in zip(pooled.names, pooled.results):
        for w in ma.warnings:
            err.print(f"[yellow]Warning:[/yellow] {escape(name)}: {escape(w)}", markup=True)
    results, paths = pooled.results, pooled.tables
    written = list(paths.values()) + pooled.plots
    if json_out:
        sys.stdout.write(paths["json"].read_text(encoding="utf-8"))
        return
    from rich.table import Table

    table = format_results(results_frame(results))
    short = {"Participants": "N", "Studies": "k", "95% prediction interval": "95% PI"}
    t = Table(title="Pooled results", title_justify="left", show_edge=False, pad_edge=False)
    for i, col in enumerate(table.columns):
        name = short.get(str(col), str(col))
        # The outcome keeps a readable width; effect and interval wrap before numbers are cut.
        t.add_column(name, justify="left" if i == 0 else "right", min_width=14 if i == 0 else None,
                     no_wrap=name in ("k", "N", "P", "I²", "Tau²"))
    for row in table.itertuples(index=False, name=None):
        t.add_row(*[str(x) for x in row])
    out = _console()
    out.print(t)
    out.print("Wrote " + ", ".join(display_path(p) for p in written[:4]) + f" and {len(written) - 4} plots")
