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

from graphmodel.figures.base import (bar_labels, country, heading, kind_label, link_label, period,  # noqa: F401
                                     plotly_text, short)  # shared with reports
from graphmodel.kinds import ACTOR_SPECS, ActorKind


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


