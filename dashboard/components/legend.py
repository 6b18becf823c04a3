"""The legend of a graph: the actor kinds and link kinds it shows, styled as the graph draws them.

>>> box = legend(["guf", "union"], ["funds"])
>>> [c.children for c in box.children if hasattr(c, "children") and isinstance(c.children, str)]
['Actors', 'Links']
"""

from __future__ import annotations

from collections.abc import Iterable

from dash import html

from graphmodel.kinds import ACTOR_SPECS, LINK_SPECS, ActorKind, LinkKind


def _actor_item(kind: ActorKind) -> html.Li:
    spec = ACTOR_SPECS[kind]
    return html.Li([html.Span(className=f"swatch shape-{spec.shape}", style={"backgroundColor": spec.colour}),
                    html.Span(spec.label)], className="legend-item")


def _link_item(kind: LinkKind) -> html.Li:
    spec = LINK_SPECS[kind]
    return html.Li([html.Span(className="line-swatch",
                              style={"borderTop": f"3px {spec.line} {spec.colour}"}),
                    html.Span(spec.label + (" →" if spec.directed else " ↔"))], className="legend-item")


def legend(actor_kinds: Iterable[str], link_kinds: Iterable[str], note: str | None = None) -> html.Div:
    """A legend for the kinds present (in the kinds table's order)."""
    actors = set(actor_kinds)
    links = set(link_kinds)
    parts: list = [html.H4("Actors", className="legend-title"),
                   html.Ul([_actor_item(k) for k in ActorKind if k.value in actors], className="legend-list")]
    if links:
        parts += [html.H4("Links", className="legend-title"),
                  html.Ul([_link_item(k) for k in LinkKind if k.value in links], className="legend-list")]
    if note:
        parts.append(html.P(note, className="legend-note"))
    return html.Div(parts, className="legend")
