"""Influence paths as a flow diagram: each path a chain of actors from the start to the end, drawn as a
Sankey whose bands are as wide as the path's share of the best path (0-100), coloured by hop kind.

>>> result = {"source": {"id": "a", "name": "A", "kind": "sso"}, "target": {"id": "c", "name": "C", "kind": "union"},
...           "paths": [{"strength": 0.3, "strength_share": 100,
...                      "actors": [{"id": "a", "name": "A", "kind": "sso"}, {"id": "b", "name": "B", "kind": "guf"},
...                                 {"id": "c", "name": "C", "kind": "union"}],
...                      "hops": [{"kind": "funds"}, {"kind": "affiliated_to"}]}]}
>>> fig = flow(result)
>>> list(fig.data[0].node.label), list(fig.data[0].link.value)
(['A', 'B', 'C'], [100, 100])
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from ..kinds import ACTOR_SPECS, LINK_SPECS, ActorKind, LinkKind
from .base import base_layout, empty, plotly_text, short


def flow(result: dict[str, Any]) -> go.Figure:
    """The paths of a :meth:`graphmodel.analysis.PathsResult.as_dict`, strongest widest."""
    paths = result["paths"]
    if not paths:
        return empty("No path joins these actors within the hop limit.")
    ids: list[str] = []
    refs: dict[str, dict] = {}
    edges: dict[tuple[str, str], list] = {}
    for p in paths:
        for a in p["actors"]:
            if a["id"] not in refs:
                refs[a["id"]] = a
                ids.append(a["id"])
        for n, hop in enumerate(p["hops"]):
            key = (p["actors"][n]["id"], p["actors"][n + 1]["id"])
            if key in edges:
                edges[key][0] += p["strength_share"]
            else:
                edges[key] = [p["strength_share"], hop["kind"]]
    index = {a: k for k, a in enumerate(ids)}
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": [plotly_text(short(refs[a]["name"], 36)) for a in ids], "pad": 12, "thickness": 12,
              "color": [ACTOR_SPECS[ActorKind(refs[a]["kind"])].colour for a in ids]},
        link={"source": [index[a] for a, _ in edges], "target": [index[b] for _, b in edges],
              "value": [v for v, _ in edges.values()],
              "color": [_colour(kind) for _, kind in edges.values()],
              "customdata": [plotly_text(LINK_SPECS[LinkKind(kind)].label) for _, kind in edges.values()],
              "hovertemplate": "%{customdata}<extra></extra>"}))
    return base_layout(fig, max(260, 60 * len(paths) + 120),
                       title={"text": plotly_text(f"The {len(paths)} strongest paths (band width: share of the best)"),
                              "x": 0, "font": {"size": 14}})


def _colour(kind: str) -> str:
    hexa = LINK_SPECS[LinkKind(kind)].colour.lstrip("#")
    r, g, b = (int(hexa[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},0.45)"


__all__ = ["flow"]
