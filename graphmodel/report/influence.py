"""The leverage and paths reports: who can move a target, and through whom we reach them.

Built on :func:`graphmodel.analysis.leverage` and
:func:`graphmodel.analysis.influence_paths` run on the map as the maker may
see it; every hop of every path is cited, and the methods note names the
influence weights that produced the ranking.
"""

from __future__ import annotations

from typing import Any

from ..analysis import Weights, influence_paths, leverage
from ..analysis.readable import readable, strength_word
from ..figures.leverage import chart
from ..figures.paths import flow
from .common import kind_label, names, now, period, store_version_line, weights_line
from .model import Figure, Marker, References, Report, Row, Section, Table
from .view import ReportView, withheld_sentence


def _hops(path: dict[str, Any] | None, refs: References) -> tuple[str, list[Marker]]:
    if not path or len(path["actors"]) < 2:
        return "", []
    words = " → ".join(h["says"] + ("" if h["direction"] == "forward" else " [influence runs against the link]")
                       for h in path["hops"])
    return words, refs.cite([c for h in path["hops"] for c in h.get("sources", [])])


def _methods(view: ReportView, result: dict[str, Any], what: str) -> list[str]:
    return [what, weights_line(result["weights"]),
            "Links of confidence 'inferred' and unmapped 'related to' links are "
            + ("followed." if result.get("include_inferred") else "left out (nobody stated them)."),
            *result.get("notes", []), "Made from " + store_version_line(view.store) + "."]


def leverage_report(view: ReportView, target: str, *, side: list[str] | None = None, top: int = 15,
                    max_hops: int = 4, weights: Weights | None = None, include_inferred: bool = False) -> Report:
    """A report of who can move ``target`` and how ``side`` (our actors) reaches them."""
    t = view.resolve(target)
    ours = [view.resolve(s) for s in (side or [])]
    result = leverage(view.proj, t["id"], from_ids=[a["id"] for a in ours], top=top, max_hops=max_hops,
                      weights=weights, include_inferred=include_inferred).as_dict()
    refs = References(view.sources(), view.text)
    rows = []
    for n, e in enumerate(result["leverage"], 1):
        pressure, p_marks = _hops(e["paths"]["pressure"], refs)
        reach, r_marks = _hops(e["paths"]["reach"], refs)
        rows.append(Row([str(n), e["actor"]["name"], kind_label(e["actor"]["kind"]), e["sphere"],
                         f"{e['score_word']} ({e['score_share']})", pressure + (f"; reached by: {reach}" if reach else "")],
                        p_marks + [m for m in r_marks if m not in p_marks]))
    table = Table("Who can move the target", ["#", "Actor", "Kind", "Acts in", "Score (of 100)", "How"], rows,
                  numeric=(0,), note="Score: reach (our side → actor) × pressure (actor → target), in words and as "
                                     "a share of the best (100).")
    chokes = [Row([c["actor"]["name"], kind_label(c["actor"]["kind"]),
                   readable(c["best_strength_without"], result["best_strength"])]) for c in result["chokepoints"]]
    name = t["name"]
    who = names([a["name"] for a in ours]) if ours else ""
    if result["leverage"]:
        best = result["leverage"][0]
        summary = (f"{len(result['leverage'])} actors can press {name} within {max_hops} hops"
                   + (f" that {who} can reach" if ours else "") + f". The strongest is {best['actor']['name']} "
                   f"({kind_label(best['actor']['kind']).lower()}, acting in {best['sphere']}), {best['score_word']}. "
                   "By where they act: " + "; ".join(f"{s} {len(ids)}" for s, ids in result["by_sphere"].items()) + ".")
        summary += (" Every strong path passes " + names([c["actor"]["name"] for c in result["chokepoints"]]) + "."
                    if result["chokepoints"] else " No single actor is a chokepoint: strong paths run through "
                    "different actors.")
    else:
        summary = f"No one on this map can press {name} within {max_hops} hops" + (f" that {who} reaches." if ours else ".")
    if result.get("own_sites_left_out"):
        summary += f" Its own sites and subsidiaries ({len(result['own_sites_left_out'])}) are not counted as pressure on it."
    sections = [
        Section("Leverage points", "figures", figures=[Figure("Top actors by leverage", "Coloured by where they act.",
                                                              plotly=chart(result))]),
        Section("Ranked actors", "tables", tables=[table] + ([Table(
            "Chokepoints", ["Actor", "Kind", "Without it, the strongest route is"], chokes)] if chokes else []))]
    methods = _methods(view, result, f"Leverage: actors ranked by reach × pressure, each path at most {max_hops} hops; "
                       "a path's strength is the product of its hops' strengths, discounted by confidence. A target's "
                       "own sites are never pressure on it; succession is no hop (docs/campaign-logic.md).")
    return Report("leverage", f"Leverage on {name}", name, summary, sections, refs.entries(), methods,
                  withheld_sentence(view.clearance), now())


def paths_report(view: ReportView, source: str, target: str, *, k: int = 5, max_hops: int = 6,
                 kinds: list[str] | None = None, weights: Weights | None = None,
                 include_inferred: bool = False) -> Report:
    """A report of the ``k`` strongest influence paths from ``source`` to ``target``, each hop cited."""
    a, b = view.resolve(source), view.resolve(target)
    result = influence_paths(view.proj, a["id"], b["id"], k=k, max_hops=max_hops, kinds=kinds, weights=weights,
                             include_inferred=include_inferred).as_dict()
    refs = References(view.sources(), view.text)
    tables = []
    for n, p in enumerate(result["paths"], 1):
        rows = [Row([str(m), strength_word(h["strength"]), h["says"] + ("" if h["direction"] == "forward"
                                                                       else " [influence runs against the link]"),
                     period(h.get("start"), h.get("end")), h["confidence"]], refs.cite(h.get("sources", [])))
                for m, h in enumerate(p["hops"], 1)]
        tables.append(Table(f"Path {n}: {p['strength_word']} ({p['strength_share']} of the best) · "
                            + " → ".join(x["name"] for x in p["actors"]),
                            ["Step", "Strength", "Link", "When", "Confidence"], rows, numeric=(0,)))
    if result["paths"]:
        best = result["paths"][0]
        summary = (f"{len(result['paths'])} distinct path(s) of influence lead from {a['name']} to {b['name']} within "
                   f"{max_hops} hops. The strongest, {best['strength_word']}, runs "
                   + " → ".join(x["name"] for x in best["actors"]) + ".")
        if len(result["paths"]) < k:
            summary += f" Fewer than the {k} asked for exist on this map."
    else:
        summary = f"No path of influence leads from {a['name']} to {b['name']} within {max_hops} hops on this map."
    sections = [Section("The paths", "figures", figures=[Figure("The strongest paths", "Band width: the path's share "
                                                                "of the best path.", plotly=flow(result))]),
                Section("Each path, hop by hop", "tables", tables=tables,
                        paragraphs=[] if tables else ["No path to list."])]
    methods = _methods(view, result, f"Paths: the {k} strongest simple paths of at most {max_hops} hops, each "
                       "bringing an intermediary of its own; a path's strength is the product of its hops' strengths, "
                       "discounted by confidence" + (f"; only {', '.join(kinds)} links followed" if kinds else "") + ".")
    return Report("paths", f"Influence paths from {a['name']} to {b['name']}", f"{a['name']} → {b['name']}", summary,
                  sections, refs.entries(), methods, withheld_sentence(view.clearance), now())


__all__ = ["leverage_report", "paths_report"]
