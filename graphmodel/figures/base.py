"""The look every figure shares, and the text helpers its labels pass through (plain text, never markup).

>>> plotly_text('<script>alert("x")</script>')
'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
>>> short("x" * 100, 10)
'xxxxxxxxx…'
>>> empty("nothing here").layout.annotations[0].text
'nothing here'
"""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..kinds import ACTOR_SPECS, LINK_SPECS, ActorKind, LinkKind
from ..values import country_name

FONT = "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def base_layout(fig: go.Figure, height: int = 320, **extra) -> go.Figure:
    extra.setdefault("margin", {"l": 8, "r": 8, "t": 36, "b": 8})
    fig.update_layout(height=height, font={"family": FONT, "size": 12}, paper_bgcolor="rgba(0,0,0,0)",
                      plot_bgcolor="rgba(0,0,0,0)", **extra)
    return fig


def empty(message: str, height: int = 200) -> go.Figure:
    """A blank figure that says ``message``."""
    fig = go.Figure()
    fig.add_annotation(text=plotly_text(message), showarrow=False, font={"size": 13, "color": "#6b7280"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, height)


def heading(name: str, start: bool = True) -> str:
    """A column heading as words: separators become spaces, shouted words speak normally, short
    acronyms stay; capitalised unless it goes mid-sentence (``start=False``).

    >>> heading("temporary_labour_migrants"), heading("MIGRANT_STOCK_ILO"), heading("  GDP-per-head ", False)
    ('Temporary labour migrants', 'Migrant stock ILO', 'GDP per head')
    """
    words = [w for w in name.replace("_", " ").replace("-", " ").split() if w]
    text = " ".join(w.lower() if w.isupper() and len(w) > 3 else w for w in words)
    return text[:1].upper() + text[1:] if start else text


def short(text: str, limit: int = 42) -> str:
    """``text`` cut to ``limit`` characters (graph labels)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plotly_text(text: str) -> str:
    """Text for plotly, which reads a little HTML in labels and hover text: escaped, so it shows as typed."""
    return html.escape(str(text), quote=True)


def bar_labels(names: list[str], width: int = 34) -> list[str]:
    """Shortened names for a chart's bars, made unique: two actors never share one bar.

    >>> bar_labels(["Nike, Inc.", "Nike, Inc.", "A very long name of a garment exporting company"], 20)
    ['Nike, Inc.', 'Nike, Inc. (2)', 'A very long name of…']
    """
    seen: dict[str, int] = {}
    out = []
    for name in names:
        label = short(name, width)
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


__all__ = ["FONT", "bar_labels", "base_layout", "empty", "heading", "plotly_text", "short"]


def period(start: str | None, end: str | None) -> str:
    """A link's dates in words: ``2006 – 2012``, ``since 2006``, ``until 2012`` or ``undated``."""
    if start and end:
        return f"{start} – {end}" if start != end else start
    if start:
        return f"since {start}"
    if end:
        return f"until {end}"
    return "undated"


def kind_label(kind: str) -> str:
    """An actor kind as the kinds table names it (the kind itself when unknown)."""
    try:
        return ACTOR_SPECS[ActorKind(kind)].label
    except ValueError:
        return kind


def link_label(kind: str) -> str:
    """A link kind as the kinds table names it (the kind itself when unknown)."""
    try:
        return LINK_SPECS[LinkKind(kind)].label
    except ValueError:
        return kind


def country(code: str | None) -> str:
    """A country's English name from its code (a dash when there is none)."""
    return country_name(code) if code else "–"
