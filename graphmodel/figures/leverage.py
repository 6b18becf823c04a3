"""Leverage as a figure: the actors that can move a target, ranked, coloured by where they act.

>>> fig = chart({"leverage": [{"actor": {"name": "Swatch"}, "score": 0.2, "score_share": 100, "reach": 1.0,
...                            "pressure": 0.2, "sphere": "market"}]})
>>> fig.data[0].orientation, fig.data[0].name
('h', 'market')
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from ..analysis.readable import strength_word
from .base import bar_labels, base_layout, empty, plotly_text

#: Where an actor acts, as the leverage results group them, and its colour.
SPHERES = {"production": "#2e86c1", "capital": "#1b4f72", "market": "#8e44ad", "regulation": "#7b241c",
           "funding": "#d68910", "organising": "#27ae60"}


def chart(result: dict[str, Any], top: int = 15) -> go.Figure:
    """The ``top`` leverage points as horizontal bars (score = reach × pressure), stacked by sphere."""
    entries = result["leverage"][:top]
    if not entries:
        return empty("No actor can press this target within the hop limit.")
    fig = go.Figure()
    labels = dict(zip((id(e) for e in entries), (plotly_text(x) for x in bar_labels(
        [e["actor"]["name"] for e in entries]))))
    for sphere, colour in SPHERES.items():
        part = [e for e in entries if e["sphere"] == sphere]
        if not part:
            continue
        fig.add_bar(x=[e["score"] for e in part], y=[labels[id(e)] for e in part],
                    orientation="h", name=sphere, marker_color=colour,
                    hovertext=[plotly_text(f"{e['actor']['name']}: {_word(e['score'])} "
                                           f"({e.get('score_share', 0)} of the best) = reach "
                                           f"{_word(e['reach'])} × pressure {_word(e['pressure'])}")
                               for e in part],
                    hoverinfo="text")
    order = [labels[id(e)] for e in entries][::-1]
    fig.update_yaxes(categoryorder="array", categoryarray=order, automargin=True)
    fig.update_xaxes(title="score", gridcolor="#eef0f3")
    base_layout(fig, max(300, 28 * len(entries) + 90), barmode="stack",
                title={"text": "Top actors by leverage, by where they act", "x": 0, "font": {"size": 14}},
                legend={"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top"})
    return fig


def _word(x: float | None) -> str:
    return "–" if x is None else strength_word(x)


__all__ = ["SPHERES", "chart"]
