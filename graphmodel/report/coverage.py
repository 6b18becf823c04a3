"""The coverage report: what a funder's money reaches, for a board or a partner meeting.

Built on :func:`graphmodel.analysis.coverage` run on the map as the maker may
see it, with the dashboard's figures (:mod:`graphmodel.figures.coverage`):
the world map, the flow diagram and the gaps chart; the organisations
reached, with the grants and re-grants that carry the money there, each cited.
"""

from __future__ import annotations

from typing import Any

from ..analysis import coverage
from ..analysis.context import ContextTable
from ..figures import coverage as figures
from ..figures.base import heading
from .common import country, kind_label, names, now, pct, store_version_line
from .model import Figure, References, Report, Row, Section, Table
from .view import ReportView, withheld_sentence

#: Organisations listed in the report's main table (the largest shares).
LISTED = 25


def coverage_report(view: ReportView, funder: str, *, context: ContextTable | None = None, max_hops: int = 6,
                    listed: int = LISTED) -> Report:
    """A report of what ``funder`` (an id, name or alias the maker may see) reaches."""
    ref = view.resolve(funder)
    result = coverage(view.proj, ref["id"], context=context, max_hops=max_hops, limit_actors=max(listed, 200)).as_dict()
    figures.described(result, view.proj)
    refs = References(view.sources(), view.text)
    reached = result["reached"]
    links = [lk for r in reached if r in reached[:listed] or r["hops"] == 1 for lk in r["links"]]
    cites = view.proj.citations(links)
    name = ref["name"]
    path_name = {**{a: r["name"] for a, r in result["path_actors"].items()}, ref["id"]: name}

    rows = []
    for r in reached[:listed]:
        between = [path_name.get(a, a) for a in r["path"][1:-1]]
        route = ("via " + " → ".join(between) if between else "direct") + f" ({', '.join(r['via'])})"
        rows.append(Row([r["actor"]["name"], kind_label(r["actor"]["kind"]), country(r["actor"].get("country")),
                         pct(r["share"]), pct(r["kept"]), route],
                        refs.cite([c for lk in r["links"] for c in cites.get(lk, [])])))
    table = Table("Organisations reached", ["Organisation", "Kind", "Country", "Reaches it", "Stays with it",
                                            "Through"], rows, numeric=(3, 4),
                  note=(f"The {len(rows)} largest of {result['n_reached']:,}. " if result["n_reached"] > len(rows)
                        else "") + "Reaches it: the share of the funder's money that reaches the organisation, "
                  "including what it passes on; stays with it: what it keeps.")
    countries = Table("By country", ["Country", "Share of the money", "Actors"],
                      [Row([c["name"], pct(c["share"]), str(c["n_actors"])]) for c in result["countries"][:20]],
                      numeric=(1, 2))
    kinds = Table("By kind of organisation", ["Kind", "Share of the money", "Actors"],
                  [Row([kind_label(k["kind"]), pct(k["share"]), str(k["n_actors"])]) for k in result["kinds"]],
                  numeric=(1, 2))
    sections = [
        Section("Where the money goes", "figures", figures=[
            Figure("Where the money ends up, by country", "Share of the money staying in each country.",
                   plotly=figures.world_map(result)),
            Figure("How the money flows", "Funder → intermediaries → organisations; band width is the share "
                   "of the money.", plotly=figures.sankey(result))]),
        Section("Organisations reached", "tables", tables=[table, countries, kinds]),
        _gaps(result), _others(result, reached, refs, cites),
    ]
    summary = _summary(name, result, max_hops)
    methods = [
        "Coverage follows money, not influence: grants (funds), the programmes a holder of the money runs "
        "(implements), re-granting and the support a funded organisation gives others, at most "
        f"{max_hops} steps from the funder. Where a grant states an amount its share is amount-weighted; where "
        "none is stated the money is split equally among the steps without an amount and the holder itself. "
        "No money is counted twice. No influence weights are used.",
        f"Amounts are stated for {result['amounts_known']:.0%} of the funder's own grants.",
        "Made from " + store_version_line(view.store) + ".",
    ]
    if result.get("context"):
        ctx = result["context"]
        methods.append(f"Gaps are measured against {ctx.get('file')} (column {ctx.get('column')}).")
    return Report("coverage", f"Coverage of {name}", name, summary, [s for s in sections if s is not None],
                  refs.entries(), methods, withheld_sentence(view.clearance), now())


def _summary(name: str, result: dict[str, Any], max_hops: int) -> str:
    reached = result["reached"]
    if not reached:
        return (f"On this map, {name}'s money reaches no one within {max_hops} steps: no grant, programme or "
                "support from it is recorded that its maker may see.")
    located = [c for c in result["countries"] if c["country"]]
    top = [f"{r['actor']['name']} ({pct(r['share'])})" for r in reached[:3]]
    text = (f"{name}'s money reaches {result['n_reached']:,} organisations and programmes in {len(located)} "
            f"countries within {max_hops} steps. The largest shares reach {names(top)}.")
    if located:
        text += " Most of it ends up in " + names([f"{c['name']} ({pct(c['share'])})" for c in located[:3]]) + "."
    if result.get("unlocated_share"):
        text += (f" {result['unlocated_share']:.0%} reaches no identifiable country (programmes, undisclosed "
                 "recipients, organisations without a country).")
    gaps = [g for g in result["gaps"] if g["gap"] > 0]
    if gaps:
        g = gaps[0]
        column = heading((result.get("context") or {}).get("column", ""), start=False)
        text += (f" The largest gap against {column} is {g['name']}: {pct(g['context_share'])} of the need, "
                 f"{pct(g['coverage_share'])} of the money.")
    text += (f" Amounts are known for {result['amounts_known']:.0%} of its own grants; where they are not, the money "
             "is split equally.")
    return text


def _gaps(result: dict[str, Any]) -> Section | None:
    if not result["gaps"]:
        return Section("Gaps", "gaps", paragraphs=["No context table was given to find gaps against "
                                                   "(stakemap report coverage --context FILE)."])
    column = heading((result.get("context") or {}).get("column", ""), start=False)
    rows = [Row([g["name"] + ("" if g["reached"] else " (not reached)"), f"{g['context']:g}",
                 pct(g["context_share"]), pct(g["coverage_share"]), f"{g['gap']:+.1%}"]) for g in result["gaps"]]
    return Section("Gaps", "gaps", paragraphs=[
        f"Need: each country's share of {column} in the context table; money: its share of what reaches those "
        "countries. A positive gap is need the money does not reach."],
        figures=[Figure(f"Gaps against {column}", "", plotly=figures.gaps_chart(result))],
        tables=[Table("Gaps by country", ["Country", "Figure", "Need", "Money", "Gap"], rows, numeric=(1, 2, 3, 4))])


def _others(result: dict[str, Any], reached: list[dict], refs: References, cites: dict) -> Section:
    names_of = {a: r["name"] for a, r in result["path_actors"].items()}
    overlaps = Table("Other funders of the same organisations", ["Funder", "Also funds", "Of them"],
                     [Row([o["funder"]["name"], str(o["count"]),
                           ", ".join(names_of.get(a, a) for a in o["actors"][:6]) + (" …" if o["count"] > 6 else "")])
                      for o in result["overlaps"][:15]], numeric=(1,))
    direct = {r["actor"]["id"]: r for r in reached if r["hops"] == 1}
    dep_rows = []
    for d in result["dependence"][:20]:
        r = direct.get(d["actor"]["id"])
        markers = refs.cite([c for lk in (r["links"] if r else []) for c in cites.get(lk, [])])
        dep_rows.append(Row([d["actor"]["name"], pct(d["share"]),
                             "amounts" if d["basis"] == "amount" else "number of funders", str(d["funders"])], markers))
    dependence = Table("How much each direct grantee depends on this funder",
                       ["Grantee", "Depends", "Basis", "Funders"], dep_rows, numeric=(1, 3),
                       note="Its share of the grantee's known funding (by amounts where they are known, else by the "
                            "number of funders).")
    return Section("Other funders and dependence", "overlaps", tables=[t for t in (overlaps, dependence) if t.rows],
                   paragraphs=[] if overlaps.rows else ["No other funder on the map funds the organisations reached."])


__all__ = ["LISTED", "coverage_report"]
