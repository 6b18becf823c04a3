"""Plotly figures the pages share. Every label passes through :func:`~.format.plotly_text`."""

from __future__ import annotations

import plotly.graph_objects as go

from graphmodel.figures.base import FONT, base_layout, empty  # noqa: F401 - shared with reports

from . import format as fmt

#: Graph config: no plotly logo, a small mode bar; nothing fetched from the network.
#: The same for small charts: no mode bar at all.
QUIET = {"displayModeBar": False}
CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}


def hbar(labels: list[str], values: list[float], colours: list[str] | str, title: str, *,
         height: int | None = None, hover: list[str] | None = None, value_format: str = ",") -> go.Figure:
    """A horizontal bar chart, largest at the top."""
    labels = [fmt.plotly_text(x) for x in labels]
    fig = go.Figure(go.Bar(x=values[::-1], y=labels[::-1], orientation="h",
                           marker={"color": colours[::-1] if isinstance(colours, list) else colours},
                           hovertext=[fmt.plotly_text(h) for h in hover[::-1]] if hover else None,
                           hoverinfo="text" if hover else "x+y", texttemplate=f"%{{x:{value_format}}}",
                           textposition="outside", cliponaxis=False))
    base_layout(fig, height or max(160, 26 * len(labels) + 60), title={"text": fmt.plotly_text(title), "x": 0,
                                                                        "font": {"size": 14}},
                margin={"l": 8, "r": 36, "t": 36, "b": 8})
    fig.update_xaxes(showgrid=True, gridcolor="#eef0f3", zeroline=False)
    fig.update_yaxes(automargin=True)
    return fig


