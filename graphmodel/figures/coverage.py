"""A funder's coverage as figures: where the money ends up (world map), how it flows (Sankey), and the
gaps against a context table.

The builders read the dict of :meth:`graphmodel.analysis.CoverageResult.as_dict` with the names and
codes :func:`described` adds (the countries' ISO alpha-3 codes and names, the actors on the money's
paths). The world map draws on Natural Earth country shapes (plotly's ``world_50m`` TopoJSON): the
dashboard serves that file itself, and a report's renderer is told where it is.

>>> from graphmodel.analysis import Projection, coverage
>>> from graphmodel.models import Actor, Link
>>> proj = Projection.from_records([Actor(id="fnv", kind="sso", name="FNV", country="NL"),
...                                 Actor(id="mtuc", kind="national_centre", name="MTUC", country="MY")],
...                                [Link(kind="funds", source="fnv", target="mtuc")])
>>> result = described(coverage(proj, "fnv").as_dict(), proj)
>>> result["countries"][0]["alpha3"], result["countries"][0]["name"], sorted(result["path_actors"])
('MYS', 'Malaysia', ['fnv', 'mtuc'])
>>> [t.type for t in world_map(result).data], sankey(result).data[0].type
(['choropleth', 'scattergeo'], 'sankey')
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from ..kinds import ACTOR_SPECS, ActorKind
from ..values import country_alpha3, country_name
from .base import base_layout, empty, heading, plotly_text, short

#: How many reached actors the flow diagram shows (the largest shares).
SANKEY_ACTORS = 20
STEP_COLOURS = {"funds": "rgba(214,137,16,0.45)", "supports": "rgba(39,174,96,0.40)",
                "implements": "rgba(244,208,63,0.55)", "implemented by": "rgba(160,64,0,0.35)"}


def described(result: dict[str, Any], proj) -> dict[str, Any]:
    """``result`` (a coverage dict) with what the figures name: ``path_actors`` (id -> actor ref of
    every actor on a listed path that ``proj`` shows), each country's ``alpha3`` and ``name``, each
    gap's ``name``. Changes and returns ``result``."""
    names = {}
    for r in result["reached"]:
        for a in r["path"]:
            i = proj.index.get(a)
            if a not in names and i is not None and proj.active[i]:
                names[a] = proj.actor_ref(i)
    result["path_actors"] = names
    for c in result["countries"]:
        c["alpha3"] = country_alpha3(c["country"]) if c["country"] else None
        c["name"] = country_name(c["country"]) if c["country"] else "(no country)"
    for g in result["gaps"]:
        g["name"] = country_name(g["country"])
    return result


def world_map(result: dict[str, Any]) -> go.Figure:
    rows = [c for c in result["countries"] if c.get("alpha3")]
    if not rows:
        return empty("No country is known for the actors reached.")
    hover = [plotly_text(f"{c['name']}: {c['share']:.1%} of the money, {len(c['actors'])} actor(s)") for c in rows]
    fig = go.Figure(go.Choropleth(
        locations=[c["alpha3"] for c in rows], z=[c["share"] * 100 for c in rows], locationmode="ISO-3",
        colorscale=[[0, "#d8f0ec"], [1, "#0f5e57"]], marker_line_color="#ffffff", marker_line_width=0.5,
        hovertext=hover, hoverinfo="text", colorbar={"title": "% of money", "thickness": 12, "len": 0.7}))
    fig.add_trace(go.Scattergeo(
        locations=[c["alpha3"] for c in rows], locationmode="ISO-3", mode="markers", hovertext=hover,
        hoverinfo="text", marker={"size": [6 + 24 * c["share"] ** 0.5 for c in rows], "color": "#0f766e",
                                  "opacity": 0.55, "line": {"width": 1, "color": "#ffffff"}}, showlegend=False))
    fig.update_geos(projection_type="natural earth", resolution=50, showcountries=True, countrycolor="#cbd5e1",
                    showcoastlines=False, landcolor="#f1f5f9", showland=True, showframe=False, fitbounds="locations")
    return base_layout(fig, 420, title={"text": "Where the money ends up, by country", "x": 0,
                                        "font": {"size": 14}}, margin={"l": 0, "r": 0, "t": 36, "b": 0})


def sankey(result: dict[str, Any]) -> go.Figure:
    """The money's chains: funder → intermediaries → organisations, widths by share (the largest shown)."""
    reached = {r["actor"]["id"]: r for r in result["reached"]}
    chosen = [r for r in result["reached"] if r["hops"] > 0][:SANKEY_ACTORS]
    height = max(380, 22 * len(chosen) + 80)
    if not chosen:
        return empty("The funder's money reaches no one on this map.")
    names = result["path_actors"]
    funder = result["funder"]
    ids = [funder["id"]]
    edges: dict[tuple[str, str], tuple[float, str]] = {}
    for r in chosen:
        path = r["path"]
        for n in range(1, len(path)):
            child = path[n]
            share = reached[child]["share"] if child in reached else r["share"]
            edges.setdefault((path[n - 1], child), (share, r["via"][n - 1]))
            for a in (path[n - 1], child):
                if a not in ids:
                    ids.append(a)
    index = {a: k for k, a in enumerate(ids)}

    def ref(a: str) -> dict:
        return funder if a == funder["id"] else names.get(a, {"name": a, "kind": "other"})

    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": [plotly_text(short(ref(a)["name"], 36)) for a in ids], "pad": 10, "thickness": 12,
              "color": [ACTOR_SPECS[ActorKind(ref(a)["kind"])].colour for a in ids],
              "customdata": [plotly_text(ref(a)["name"]) for a in ids],
              "hovertemplate": "%{customdata}<br>%{value:.1%} of the money<extra></extra>"},
        link={"source": [index[a] for a, _ in edges], "target": [index[b] for _, b in edges],
              "value": [v for v, _ in edges.values()], "color": [STEP_COLOURS.get(s, "#ddd") for _, s in edges.values()],
              "customdata": [s for _, s in edges.values()],
              "hovertemplate": "%{source.customdata} → %{target.customdata}<br>%{customdata}: %{value:.1%}<extra></extra>"},
        valueformat=".1%"))
    title = f"How the money flows (the {len(chosen)} largest shares)"
    return base_layout(fig, height, title={"text": plotly_text(title), "x": 0, "font": {"size": 14}})


def gaps_chart(result: dict[str, Any]) -> go.Figure:
    gaps = result["gaps"]
    if not gaps:
        return empty("No context table to compare against.")
    names = [plotly_text(g["name"]) for g in gaps]
    fig = go.Figure([go.Bar(name="Share of the need", x=names, y=[g["context_share"] for g in gaps],
                            marker_color="#94a3b8"),
                     go.Bar(name="Share of the money", x=names, y=[g["coverage_share"] for g in gaps],
                            marker_color="#0f766e")])
    column = (result.get("context") or {}).get("column", "")
    fig.update_yaxes(tickformat=".0%", gridcolor="#eef0f3")
    return base_layout(fig, 300, barmode="group", legend={"orientation": "h", "y": -0.2},
                       title={"text": plotly_text(f"Gaps against {heading(column, start=False)}"), "x": 0,
                              "font": {"size": 14}})


__all__ = ["SANKEY_ACTORS", "STEP_COLOURS", "described", "gaps_chart", "sankey", "world_map"]
