"""Bar lists drawn with plain HTML: light enough for the first page (no plotly bundle), and plain text.

>>> box = bar_list("Actors by kind", [("Union", 12, "#f1948a"), ("NGO", 3, "#27ae60")])
>>> box.children[0].children
'Actors by kind'
"""

from __future__ import annotations

from dash import html


def bar_list(title: str, items: list[tuple[str, float, str]], *, note: str | None = None, box_id: str | None = None,
             fmt=lambda v: f"{v:,.0f}") -> html.Div:
    """A titled list of horizontal bars: ``(label, value, colour)``, longest bar for the largest value."""
    top = max((v for _, v, _ in items), default=0) or 1
    rows = [html.Div([html.Div(label, className="bar-label", title=label),
                      html.Div(html.Div(className="bar-fill", style={"width": f"{max(v / top * 100, 0.8):.1f}%",
                                                                      "backgroundColor": colour}), className="bar-track"),
                      html.Div(fmt(v), className="bar-value")], className="bar-row") for label, v, colour in items]
    parts = [html.H3(title, className="bar-title"), html.Div(rows, className="bar-rows")]
    if note:
        parts.append(html.P(note, className="muted bar-note"))
    return html.Div(parts, className="bars", **({"id": box_id} if box_id else {}))
