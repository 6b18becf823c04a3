"""Numbers and names as the dashboard writes them (plain text, never markup).

>>> share(0.1234), share(None), strength(0.0449), amount(12500.0, "EUR")
('12.3%', '–', 'weak', 'EUR 12,500')
>>> plotly_text('<script>alert("x")</script>')
'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
>>> short("x" * 100, 10)
'xxxxxxxxx…'
>>> counted(1, "source"), counted(14071, "facility"), counted(2, "person")
('1 source', '14,071 facilities', '2 people')
>>> kind_count(3, "ngo"), kind_count(2, "agreement"), kind_count(1, "national_centre")
('3 NGOs', '2 agreements', '1 national union centre')
"""

from __future__ import annotations

from graphmodel.analysis.readable import strength_word

import html

from graphmodel.kinds import ACTOR_SPECS, LINK_SPECS, ActorKind, LinkKind
from graphmodel.values import country_name


def counted(n: int, noun: str) -> str:
    """``n`` and an English noun, in the plural unless ``n`` is 1."""
    if n == 1:
        return f"1 {noun}"
    if noun.endswith("person"):
        return f"{n:,} {noun[:-6]}people"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{n:,} {noun[:-1]}ies"
    return f"{n:,} {noun}s"


def kind_count(n: int, kind: str) -> str:
    """``n`` actors of a kind, named by the kinds table's label (or the kind's own name where the label
    lists several things)."""
    label = ACTOR_SPECS[ActorKind(kind)].label
    if any(mark in label for mark in (",", " or ", "(")):
        label = kind.replace("_", " ")
    return counted(n, label if label.isupper() else label.lower())


def share(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def strength(x: float | None) -> str:
    """A strength in words (strong, medium, weak): see graphmodel.analysis.readable."""
    if x is None:
        return "–"
    return strength_word(x)


def amount(value: float | None, currency: str | None) -> str:
    if value is None:
        return ""
    return f"{currency or ''} {value:,.0f}".strip()


def period(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{start} – {end}" if start != end else start
    if start:
        return f"since {start}"
    if end:
        return f"until {end}"
    return "undated"


def kind_label(kind: str) -> str:
    try:
        return ACTOR_SPECS[ActorKind(kind)].label
    except ValueError:
        return kind


def link_label(kind: str) -> str:
    try:
        return LINK_SPECS[LinkKind(kind)].label
    except ValueError:
        return kind


def country(code: str | None) -> str:
    return country_name(code) if code else "–"


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

