"""``stakemap report``: a coverage, leverage, actor or paths answer as one HTML file or a PDF."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from graphmodel.errors import ConfigError
from graphmodel.kinds import Sensitivity

from .cmd_analysis import InferredOption, WeightsOption
from .console import JsonOption, StoreOption, console, err_console, handles_errors, print_json, store_at

report_app = typer.Typer(
    name="report",
    help=(
        "A document to take to a board or a partner meeting: the answer to one question as a single HTML file "
        "(opens anywhere, with no network) or a PDF.\n\n"
        "Each report holds a one-paragraph summary, the figures (world map, flow diagram, ranked charts), tables "
        "whose every row cites its sources with locators, a numbered reference list, and a methods note naming "
        "the influence weights and the store's version. It is made at your --clearance: what that does not cover "
        "(and people, unless --include-people) is never in it, and it says so without counting it.\n\n"
        "Examples:\n\n"
        "  stakemap report coverage \"FNV Mondiaal\" --out fnv.pdf\n\n"
        "  stakemap report leverage \"Lucky Gems\" --from \"Labour Action China\" --out lucky-gems.html\n\n"
        "  stakemap report actor BWI --out bwi.html\n\n"
        "  stakemap report paths \"FNV Mondiaal\" \"Nepalese Construction Workers Union\" --k 3 --out routes.pdf"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)

OutOption = typer.Option(None, "--out", "-o", dir_okay=False,
                         help="The file to write: NAME.html (one self-contained file) or NAME.pdf. Default: "
                              "stakemap-report-KIND-SUBJECT.html here.")
ClearanceOption = typer.Option(Sensitivity.INTERNAL, "--clearance", case_sensitive=False,
                               help="Leave out actors and links above this sensitivity, and every link that would "
                                    "reveal them (as 'stakemap export' does).")
PeopleOption = typer.Option(False, "--include-people/--exclude-people", help="People are left out unless asked for.")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


def _topojson() -> Path | None:
    """The world map's country shapes: the dashboard's own copy of plotly's world_50m.json."""
    import dashboard

    folder = Path(dashboard.__file__).resolve().parent / "assets"
    return folder if (folder / "world_50m.json").is_file() else None


def _default_out(kind: str, subject: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", subject.casefold()).strip("-")[:60] or "report"
    return Path(f"stakemap-report-{kind}-{slug}.html")


def _write(store_url: str | None, clearance: Sensitivity, people: bool, out: Path | None, kind: str, build,
           as_json: bool) -> None:
    from graphmodel.export import Clearance
    from graphmodel.report import PdfEngineMissing, ReportView, write_report
    if out is not None and Path(out).suffix.lower() not in (".html", ".htm", ".pdf"):
        raise ConfigError(f"cannot write a report as {Path(out).name!r}",
                          hint="give --out a name ending in .html or .pdf")
    with store_at(store_url, create=False) as st:
        view = ReportView.of(st, Clearance(clearance, people))
        report = build(view)
    target = Path(out) if out else _default_out(kind, report.subject)
    try:
        written = write_report(report, target, _topojson())
    except PdfEngineMissing as exc:
        err_console.print(f"error {exc.message}", markup=False, soft_wrap=True)
        err_console.print(f"To write PDFs: {exc.hint}.", markup=False, soft_wrap=True)
        err_console.print(f"The HTML report was written instead: {exc.written}", markup=False, soft_wrap=True)
        raise typer.Exit(1)
    figures = report.figures()
    drawn = sum(1 for f in figures if f.svg)
    if as_json:
        print_json({"file": str(written), "kind": kind, "subject": report.subject, "figures": len(figures),
                    "figures_drawn": drawn, "references": len(report.references), "made_at": report.made_at})
        return
    console.print(f"wrote {written}: {report.title} ({drawn} of {len(figures)} figures, "
                  f"{len(report.references)} references)", markup=False, soft_wrap=True)
    for note in report.notes:
        console.print(f"note: {note}", markup=False, soft_wrap=True, style="yellow")


@report_app.command("coverage")
@handles_errors
def coverage_cmd(
    funder: str = typer.Argument(..., help="The funder: an id, name or alias."),
    out: Path = OutOption,
    context: Path = typer.Option(None, "--context", dir_okay=False, exists=True,
                                 help="A CSV with a country column and a figure per country (e.g. "
                                      "data/reference/migrant_workers.csv) to find gaps against."),
    context_column: str = typer.Option(None, "--context-column", help="Which numeric column of --context."),
    max_hops: int = typer.Option(6, "--max-hops", min=1, max=12, help="Most steps from the funder."),
    clearance: Sensitivity = ClearanceOption,
    include_people: bool = PeopleOption,
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """What a funder's money reaches: world map, flow diagram, organisations reached (each grant cited), gaps.

    Examples:

      stakemap report coverage "FNV Mondiaal" --out fnv.pdf

      stakemap report coverage "Solidarity Center" --context data/reference/migrant_workers.csv
      --context-column temporary_labour_migrants --out sc.html
    """
    from graphmodel.analysis import read_context
    from graphmodel.report import coverage_report
    table = read_context(context, context_column) if context else None
    _write(store, clearance, include_people, out, "coverage",
           lambda v: coverage_report(v, funder, context=table, max_hops=max_hops), as_json)


@report_app.command("leverage")
@handles_errors
def leverage_cmd(
    target: str = typer.Argument(..., help="The actor to move: an id, name or alias."),
    out: Path = OutOption,
    from_: list[str] = typer.Option(None, "--from", help="Our side (repeat for several)."),
    top: int = typer.Option(15, "--top", min=1, max=200, help="How many actors to rank."),
    max_hops: int = typer.Option(4, "--max-hops", min=1, max=8, help="Most hops of each path (reach, pressure)."),
    include_inferred: bool = InferredOption,
    weights: Path = WeightsOption,
    clearance: Sensitivity = ClearanceOption,
    include_people: bool = PeopleOption,
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Who can move a target and how we reach them: ranked chart and table, both paths of each cited.

    Examples:

      stakemap report leverage "Lucky Gems" --out lucky-gems.pdf

      stakemap report leverage "Lucky Gems" --from "Labour Action China" --top 10 --out lg.html
    """
    from graphmodel.analysis import Weights
    from graphmodel.report import leverage_report
    w = Weights.load(weights)
    _write(store, clearance, include_people, out, "leverage",
           lambda v: leverage_report(v, target, side=from_ or [], top=top, max_hops=max_hops, weights=w,
                                     include_inferred=include_inferred), as_json)


@report_app.command("actor")
@handles_errors
def actor_cmd(
    actor: str = typer.Argument(..., help="The actor: an id, name or alias."),
    out: Path = OutOption,
    clearance: Sensitivity = ClearanceOption,
    include_people: bool = PeopleOption,
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """One actor: who it is, its neighbourhood, and every link of it, each cited.

    Examples:

      stakemap report actor BWI --out bwi.html

      stakemap report actor "Labour Action China" --out lac.pdf
    """
    from graphmodel.report import actor_report
    _write(store, clearance, include_people, out, "actor", lambda v: actor_report(v, actor), as_json)


@report_app.command("paths")
@handles_errors
def paths_cmd(
    source: str = typer.Argument(..., help="Where influence starts: an id, name or alias."),
    target: str = typer.Argument(..., help="The actor to reach."),
    out: Path = OutOption,
    k: int = typer.Option(5, "--k", "-k", min=1, max=20, help="How many paths."),
    max_hops: int = typer.Option(6, "--max-hops", min=1, max=12, help="Most hops in a path."),
    kinds: list[str] = typer.Option(None, "--kinds", help="Follow only these link kinds (repeat or comma-separate)."),
    include_inferred: bool = InferredOption,
    weights: Path = WeightsOption,
    clearance: Sensitivity = ClearanceOption,
    include_people: bool = PeopleOption,
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """The strongest influence paths from one actor to another, every hop explained and cited.

    Examples:

      stakemap report paths "FNV Mondiaal" "Nepalese Construction Workers Union" --out routes.pdf

      stakemap report paths fnv-mondiaal ncwu --k 3 --kinds funds,supports --out routes.html
    """
    from .questions import link_kinds
    from graphmodel.analysis import Weights
    from graphmodel.report import paths_report
    w = Weights.load(weights)
    wanted = link_kinds(kinds)
    _write(store, clearance, include_people, out, "paths",
           lambda v: paths_report(v, source, target, k=k, max_hops=max_hops, kinds=wanted, weights=w,
                                  include_inferred=include_inferred), as_json)
