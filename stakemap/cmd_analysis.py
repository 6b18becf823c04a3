"""Commands that analyse the map: paths, leverage, coverage, brokers, weights."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from graphmodel.kinds import LINK_SPECS, LinkKind

from .console import JsonOption, StoreOption, console, escape, handles_errors, print_json, store_at

if TYPE_CHECKING:
    from .questions import Asked

WeightsOption = typer.Option(None, "--weights", help="Influence weights YAML (see 'stakemap weights --dump').",
                             dir_okay=False)
WithoutOption = typer.Option(None, "--without", help="What if this actor were gone? (id, name or alias; repeat "
                             "for several). Shows the answer without it and what changed.")


def register(app: typer.Typer) -> None:
    app.command("paths")(paths)
    app.command("leverage")(leverage_cmd)
    app.command("coverage")(coverage_cmd)
    app.command("brokers")(brokers)
    app.command("weights")(weights_cmd)


# -- shared ---------------------------------------------------------------------
def _emit_json(asked: Asked) -> None:
    """The answer's model, as the Python API returns it (one shape: :mod:`graphmodel.analysis.schema`)."""
    print_json(asked.answer.model_dump(mode="json"))


def _weights_line(weights: dict[str, Any]) -> None:
    changed = f"; {len(weights['changed'])} value(s) changed from the defaults" if weights["changed"] else ""
    console.print(f"weights: {weights['source']} (digest {weights['digest']}){changed}", markup=False,
                  style="dim")


def _changes(answer) -> None:
    if answer is None:
        return
    if hasattr(answer, "when_then"):
        console.print(f"\n[bold]Compared with {escape(answer.when_then.describe())}[/bold] (then, now)",
                      highlight=False, markup=True)
    else:
        names = ", ".join(a["name"] for a in answer.without)
        console.print(f"\n[bold]What if {escape(names)} were gone[/bold]", highlight=False, markup=True)
    for key, value in answer.changes.items():
        if value in ([], {}, None):
            continue
        console.print(f"  {key.replace('_', ' ')}: {_plain(value)}", markup=False, soft_wrap=True)


def _when(st, as_of: str | None, version: str | None, compare_as_of: str | None,
          compare_version: str | None) -> tuple[Any, Any]:
    """The state asked about and the one to compare with (None: no comparison)."""
    from .questions import when_of
    when = when_of(st, as_of, version)
    if not (compare_as_of or compare_version):
        return when, None
    return when, when_of(st, compare_as_of or as_of, compare_version if compare_version is not None else version)


def _when_line(asked: Asked) -> None:
    when = asked.when
    if when is not None and (when.as_of or when.version is not None):
        console.print(f"asked of: {when.describe()}", markup=False, style="dim")


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list):
        return ", ".join(" → ".join(v) if isinstance(v, list) else str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k if k is not None else '(none)'}: {_plain(v) if not isinstance(v, list) else ' → '.join(map(_short, v))}"
                         for k, v in value.items())
    return str(value)


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _hops(path) -> str:
    """A path's links in words; ``[reverse]`` where influence runs against the link."""
    return " → ".join(h.says + ("" if h.direction == "forward" else " [reverse]") for h in path.hops)


def _route(actors: list[dict[str, Any]]) -> str:
    return " → ".join(a["name"] for a in actors)


def _cites(sources: list[dict[str, Any]]) -> str:
    return "; ".join(s["source"] + (f" ({s['locator']})" if s.get("locator") else "") for s in sources)


AsOfOption = typer.Option(None, "--as-of", help="Valid time: only links that held at this date (2018, 2018-06); "
                          "ended links also age as of it.")
VersionOption = typer.Option(None, "--version", help="Transaction time: the map as the store held it at this "
                             "version (a number from 'stakemap versions', or a date).")
CompareAsOfOption = typer.Option(None, "--compare-as-of", help="Also ask of this date of valid time and show both, "
                                 "with what changed (e.g. --as-of 2022 --compare-as-of 2018).")
CompareVersionOption = typer.Option(None, "--compare-version", help="Also ask of this version of the store and "
                                    "show both, with what changed.")

InferredOption = typer.Option(False, "--include-inferred",
                              help="Also follow inferred links and unmapped 'related to' links (left out by default: "
                                   "nobody stated them; the answer says when they would change it).")


def _notes(notes: list[str]) -> None:
    for note in notes:
        console.print(f"note: {note}", markup=False, soft_wrap=True, style="yellow")


# -- paths ----------------------------------------------------------------------
@handles_errors
def paths(
    source: str = typer.Argument(..., help="Where influence starts: an id, name or alias."),
    target: str = typer.Argument(..., help="The actor to reach."),
    k: int = typer.Option(5, "--k", "-k", min=1, max=100, help="How many paths."),
    max_hops: int = typer.Option(6, "--max-hops", min=1, max=12, help="Most hops in a path."),
    kinds: list[str] = typer.Option(None, "--kinds", help="Follow only these link kinds (repeat or comma-separate)."),
    include_inferred: bool = InferredOption,
    weights: Path = WeightsOption,
    without: list[str] = WithoutOption,
    as_of: str = AsOfOption,
    version: str = VersionOption,
    compare_as_of: str = CompareAsOfOption,
    compare_version: str = CompareVersionOption,
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """The k strongest distinct influence paths from one actor to another, each hop explained.

    A path's strength is the product of its hops' strengths (see 'stakemap weights'), shown as strong,
    medium or weak and as a share of the best path (100); --json keeps the raw numbers. Paths through the
    same intermediaries count once (a direct link is a route of its own); inferred and unmapped links are
    left out unless --include-inferred, and a note says when they would change the answer.

    Examples:

      stakemap paths "FNV Mondiaal" "Nepalese Construction Workers Union"

      stakemap paths fnv-mondiaal ncwu --k 3 --kinds funds,supports --json

      stakemap paths fnv-mondiaal ncwu --as-of 2012          # the links that held in 2012

      stakemap paths fnv-mondiaal ncwu --version 3           # the map as the store held it at version 3
    """
    from .questions import ask_paths, link_kinds
    from graphmodel.analysis import Weights
    from graphmodel.analysis.readable import readable, strength_word

    w = Weights.load(weights)
    wanted = link_kinds(kinds)
    with store_at(store, create=False) as st:
        when, other = _when(st, as_of, version, compare_as_of, compare_version)
        asked = ask_paths(st, source, target, k=k, max_hops=max_hops, kinds=wanted, weights=w,
                          include_inferred=include_inferred, without=without, when=when, compare=other)
    if as_json:
        _emit_json(asked)
        return
    (a, b), result, answer = asked.actors, asked.result, asked.what_if
    console.print(f"[bold]Influence paths[/bold] from {escape(a.name)} to {escape(b.name)} (at most {max_hops} hops"
                  + (f"; kinds {escape(', '.join(wanted))}" if wanted else "") + ")", highlight=False, markup=True)
    if not result.paths:
        console.print("no path found", style="yellow")
    best = result.paths[0].strength if result.paths else None
    for n, path in enumerate(result.paths, 1):
        console.print(f"\n{n}. {readable(path.strength, best)}   {_route(path.actors)}", markup=False, soft_wrap=True)
        for h in path.hops:
            facts = ", ".join(x for x in ("–".join(x for x in (h.start, h.end) if x), h.confidence) if x)
            against = "" if h.direction == "forward" else " [influence runs against the link]"
            console.print(f"   {strength_word(h.strength):<7} {h.says}{against} ({facts})", markup=False,
                          soft_wrap=True)
            if h.sources:
                console.print(f"         sources: {_cites(h.sources)}", markup=False, soft_wrap=True, style="dim")
    _notes(result.notes)
    _when_line(asked)
    _changes(answer)
    _weights_line(result.weights)


# -- leverage -------------------------------------------------------------------
@handles_errors
def leverage_cmd(
    target: str = typer.Argument(..., help="The actor to move: an id, name or alias."),
    from_: list[str] = typer.Option(None, "--from", help="Our side (repeat for several). Without it, actors "
                                    "rank by their pressure on the target alone."),
    top: int = typer.Option(10, "--top", min=1, max=500, help="How many actors to list."),
    max_hops: int = typer.Option(4, "--max-hops", min=1, max=8, help="Most hops of each path (reach, pressure)."),
    strong: float = typer.Option(0.5, "--strong", min=0.01, max=1.0,
                                 help="A path is strong at this share of the strongest path's strength."),
    include_inferred: bool = InferredOption,
    weights: Path = WeightsOption,
    without: list[str] = WithoutOption,
    as_of: str = AsOfOption,
    version: str = VersionOption,
    compare_as_of: str = CompareAsOfOption,
    compare_version: str = CompareVersionOption,
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Leverage points on a target: who can move it, and how we reach them.

    Score = reach (our side → actor) × pressure (actor → target), shown as strong, medium or weak and
    as a share of the best (100). Also lists the chokepoints every strong path to the target passes.
    The target's own sites and subsidiaries are never pressure on it, factories are places pressure
    passes through, succession (merged into) is no hop, and inferred or unmapped links are left out
    unless --include-inferred (see docs/campaign-logic.md). A buyer of a group is weighted by how many
    of its sites it sources from (1 of 14 presses a fourteenth as hard), and the answer lists them.

    Examples:

      stakemap leverage "Lucky Gems"

      stakemap leverage grp-feng-tay        # a footwear group: its buyers, with their share of its sites

      stakemap leverage "Lucky Gems" --from "Labour Action China" --top 5
    """
    from .questions import ask_leverage
    from graphmodel.analysis import Weights
    from graphmodel.analysis.readable import readable, strength_word

    w = Weights.load(weights)
    with store_at(store, create=False) as st:
        when, other = _when(st, as_of, version, compare_as_of, compare_version)
        asked = ask_leverage(st, target, side=from_, top=top, max_hops=max_hops, strong=strong, weights=w,
                             include_inferred=include_inferred, without=without, when=when, compare=other)
    if as_json:
        _emit_json(asked)
        return
    (t, *ours), result, answer = asked.actors, asked.result, asked.what_if
    side = f" from {', '.join(a.name for a in ours)}" if ours else " (by pressure alone: give --from for reach)"
    console.print(f"[bold]Leverage on {escape(t.name)}[/bold]{escape(side)}", highlight=False, markup=True)
    if not result.leverage:
        console.print("no one found who can move this target within "
                      f"{result.max_hops} hops" + (" that our side reaches" if ours else ""), style="yellow")
    best = result.leverage[0].score if result.leverage else None
    for n, e in enumerate(result.leverage, 1):
        console.print(f"{n:>3}. {e.actor['name']} ({e.actor['kind']}), acts in {e.sphere}: {readable(e.score, best)}"
                      + (f": reach {strength_word(e.reach)} × pressure {strength_word(e.pressure)}" if ours else ""),
                      markup=False, soft_wrap=True)
        console.print("       pressure: " + _hops(e.pressure_path), markup=False, soft_wrap=True, style="dim")
        if e.reach_path is not None and len(e.reach_path.actors) > 1:
            console.print("       reach: " + _hops(e.reach_path), markup=False, soft_wrap=True, style="dim")
    if result.leverage:
        groups = "; ".join(f"{sphere}: {len(ids)}" for sphere, ids in result.by_sphere().items())
        console.print(f"by where they act: {groups}", markup=False)
    if result.chokepoints:
        names = ", ".join(f"{c['actor']['name']} (without it the best route is "
                          f"{readable(c['best_strength_without'], result.best_strength)})" for c in result.chokepoints)
        console.print(f"chokepoints (every strong path passes them): {names}", markup=False, soft_wrap=True)
    else:
        console.print("no chokepoint: strong paths to the target run through different actors", markup=False)
    if result.own:
        console.print(f"left out as the target's own sites and subsidiaries: {len(result.own)}", markup=False)
    _notes(result.notes)
    _when_line(asked)
    _changes(answer)
    _weights_line(result.weights)


# -- coverage -------------------------------------------------------------------
@handles_errors
def coverage_cmd(
    funder: str = typer.Argument(..., help="The funder: an id, name or alias."),
    context: Path = typer.Option(None, "--context", dir_okay=False,
                                 help="A CSV with a country column and a figure per country, e.g. "
                                      "data/reference/migrant_workers.csv, to find gaps against."),
    context_column: str = typer.Option(None, "--context-column",
                                       help="Which numeric column of --context (default: the first that is not "
                                            "a year)."),
    max_hops: int = typer.Option(6, "--max-hops", min=1, max=12, help="Most steps from the funder."),
    top: int = typer.Option(20, "--top", min=1, help="How many reached actors to list (JSON lists all)."),
    without: list[str] = WithoutOption,
    as_of: str = AsOfOption,
    version: str = VersionOption,
    compare_as_of: str = CompareAsOfOption,
    compare_version: str = CompareVersionOption,
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """What a funder's money reaches: organisations, countries, sectors, gaps, overlaps, dependence.

    Follows funding, programme implementation, re-granting and the support a
    funded organisation gives others; shares are amount-weighted where amounts
    are known and never counted twice.

    Examples:

      stakemap coverage "Solidarity Center"

      stakemap coverage "FNV Mondiaal" --as-of 2022 --compare-as-of 2018   # reach then and now

      stakemap coverage "FNV Mondiaal" --context data/reference/migrant_workers.csv
      --context-column temporary_labour_migrants
    """
    from .questions import ask_coverage
    from graphmodel.analysis import read_context

    table_ctx = read_context(context, context_column) if context else None
    with store_at(store, create=False) as st:
        when, other = _when(st, as_of, version, compare_as_of, compare_version)
        asked = ask_coverage(st, funder, context=table_ctx, max_hops=max_hops, without=without, when=when,
                             compare=other)
    if as_json:
        _emit_json(asked)
        return
    (f,), result, answer = asked.actors, asked.result, asked.what_if
    console.print(f"[bold]Coverage of {escape(f.name)}[/bold]: {len(result.reached)} actors reached within {max_hops} "
                  f"steps; {result.amounts_known:.0%} of its own grants have amounts", highlight=False, markup=True)
    if result.unlocated_share:
        console.print(f"{result.unlocated_share:.0%} of what it reaches goes to actors with no identifiable country "
                      "(programmes, undisclosed recipients, organisations without a country): country shares and "
                      "gaps speak only of the rest", markup=False, soft_wrap=True)
    reached = Table(title="Reached (share = of its money reaching them; kept = staying with them)")
    for col in ("actor", "kind", "country", "share", "kept", "via"):
        reached.add_column(col, justify="right" if col in ("share", "kept") else "left")
    for r in result.reached[:top]:
        reached.add_row(r["actor"]["name"], r["actor"]["kind"], r["actor"]["country"] or "", f"{r['share']:.1%}",
                        f"{r['kept']:.1%}", " → ".join(r["via"]))
    console.print(reached)
    if len(result.reached) > top:
        console.print(f"... and {len(result.reached) - top} more (--top or --json for all)", markup=False)
    console.print(_share_table("By country", [(_country(c["country"]), c["share"], c["actors"])
                                              for c in result.countries]))
    console.print(_share_table("By sector", [(s["sector"] or "(none)", s["share"], s["actors"])
                                             for s in result.sectors]))
    console.print(_share_table("By kind", [(k["kind"], k["share"], k["actors"]) for k in result.kinds]))
    if result.gaps:
        gaps = Table(title=f"Gaps against {result.context['file']} ({result.context['column']})")
        for col in ("country", "context", "context share", "coverage share", "gap"):
            gaps.add_column(col, justify="left" if col == "country" else "right")
        for g in result.gaps:
            gaps.add_row(_country(g["country"]), f"{g['context']:g}", f"{g['context_share']:.1%}",
                         f"{g['coverage_share']:.1%}", f"{g['gap']:+.1%}")
        console.print(gaps)
    if result.overlaps:
        console.print("Other funders reaching the same actors: " + "; ".join(
            f"{o['funder']['name']} ({o['count']})" for o in result.overlaps[:10]), markup=False, soft_wrap=True)
    if result.dependence:
        dep = Table(title="Grantees' dependence on this funder")
        for col in ("grantee", "share of known funding", "basis", "funders"):
            dep.add_column(col)
        for d in result.dependence:
            dep.add_row(d["actor"]["name"], f"{d['share']:.0%}", d["basis"], str(d["funders"]))
        console.print(dep)
    _when_line(asked)
    _changes(answer)


def _country(code: str | None) -> str:
    from graphmodel.values import country_name

    return f"{code} {country_name(code)}" if code else "(none)"


def _share_table(title: str, rows: list[tuple[str, float, list[str]]]) -> Table:
    table = Table(title=title)
    for col in ("", "share", "actors"):
        table.add_column(col, justify="right" if col == "share" else "left")
    for label, share, actors in rows[:15]:
        table.add_row(label, f"{share:.1%}", ", ".join(actors[:4]) + (f" +{len(actors) - 4}" if len(actors) > 4
                                                                     else ""))
    return table


# -- brokers --------------------------------------------------------------------
@handles_errors
def brokers(
    by: str = typer.Option("kind", "--by", help="Groups: kind or country."),
    top: int = typer.Option(10, "--top", min=1, max=500, help="How many brokers to list."),
    without: list[str] = WithoutOption,
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Brokers: Gould-Fernandez roles across groups, Burt's constraint and effective size.

    Examples:

      stakemap brokers

      stakemap brokers --by country --top 5 --json
    """
    from .questions import ask_brokers
    with store_at(store, create=False) as st:
        asked = ask_brokers(st, by=by, top=top, without=without)
    if as_json:
        _emit_json(asked)
        return
    result, answer = asked.result, asked.what_if
    table = Table(title=f"Brokers by {by} ({result.ties} ties, {result.triangles} triangles)")
    for col in ("#", "actor", by, "across", "roles", "constraint", "eff. size"):
        table.add_column(col, justify="left" if col in ("actor", by, "roles") else "right",
                         ratio=3 if col == "actor" else None)
    short = {"coordinator": "co", "consultant": "cs", "gatekeeper": "gk", "representative": "rp", "liaison": "li"}
    for n, b in enumerate(result.brokers, 1):
        roles = " ".join(f"{short[r]} {v}" for r, v in b.roles.items() if v)
        table.add_row(str(n), b.actor["name"], b.group or "(none)", str(b.brokerage), roles,
                      "–" if b.constraint is None else f"{b.constraint:.2f}",
                      "–" if b.effective_size is None else f"{b.effective_size:.1f}")
    console.print(table)
    console.print("roles: co coordinator, cs consultant, gk gatekeeper, rp representative, li liaison "
                  "(open two-paths a → broker → b by the groups of a, broker and b)", markup=False, style="dim")
    for b in result.brokers:
        console.print(f"• {b.sentence}", markup=False, soft_wrap=True)
    _changes(answer)


# -- weights --------------------------------------------------------------------
@handles_errors
def weights_cmd(
    weights: Path = WeightsOption,
    dump: bool = typer.Option(False, "--dump", help="Print the weights as a YAML file to copy and edit."),
    as_json: bool = JsonOption,
) -> None:
    """The influence weights: how strongly each link kind carries influence, each way.

    Examples:

      stakemap weights --dump > my-weights.yaml

      stakemap paths A B --weights my-weights.yaml
    """
    from graphmodel.analysis import Weights

    w = Weights.load(weights)
    if dump:
        typer.echo(w.dump_yaml(), nl=False)
        return
    if as_json:
        print_json({**w.values(), "describe": w.describe()})
        return
    table = Table(title=f"Influence weights: {w.source} (digest {w.digest})")
    for col in ("link kind", "forward (source over target)", "backward (target over source)"):
        table.add_column(col)
    for kind, (fwd, bwd) in w.links.items():
        table.add_row(f"{kind} ({LINK_SPECS[LinkKind(kind)].label})", f"{fwd:g}", f"{bwd:g}")
    console.print(table)
    console.print("confidence: " + ", ".join(f"{k} × {v:g}" for k, v in w.confidence.items()), markup=False)
    console.print(f"known share s multiplies forward strength by {w.share_low:g} + {w.share_high - w.share_low:g} × s"
                  f" (capped at {w.max_strength:g})", markup=False)
    console.print("age: " + (f"half-life {w.half_life_years:g} years" if w.half_life_years else "not discounted"),
                  markup=False)
    for key, (old, new) in w.changed().items():
        console.print(f"changed: {key} {old} → {new}", markup=False)
