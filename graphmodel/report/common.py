"""What every report shares: the store's version line, the weights line, the time it was made, and
numbers and names as a report writes them.

>>> from graphmodel.store.sqlite import SQLiteStore
>>> store_version_line(SQLiteStore(":memory:"))
'the store has no versions yet (nothing was written to it)'
>>> weights_line({"source": "defaults", "digest": "ab12", "changed": {}})
'Influence weights: defaults (digest ab12), the defaults unchanged.'
>>> pct(0.1234), pct(None), period("2006", None), kind_label("sso")
('12.3%', '–', 'since 2006', 'Solidarity support organisation')
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..figures.base import country, kind_label, link_label, period  # noqa: F401 - as reports write them


def store_version_line(store) -> str:
    """Which state of the store a report was made from: its numbered version and when it was written
    (see ``stakemap versions``)."""
    versions = store.versions()
    if not versions:
        return "the store has no versions yet (nothing was written to it)"
    last = versions[-1]
    return f"store version {last.number}, written {last.at}"


def weights_line(weights: dict[str, Any]) -> str:
    """The influence weights that produced a result, as ``stakemap leverage`` prints them."""
    changed = weights.get("changed") or {}
    tail = f"{len(changed)} value(s) changed from the defaults" if changed else "the defaults unchanged"
    return f"Influence weights: {weights['source']} (digest {weights['digest']}), {tail}."


def now() -> str:
    """The time a report is made, in UTC, to the minute (ISO 8601)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def names(items: list[str], most: int = 3) -> str:
    """``A, B and C`` (the first ``most``; ``and N more`` after them)."""
    if len(items) > most:
        return ", ".join(items[:most]) + f" and {len(items) - most} more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


__all__ = ["country", "kind_label", "link_label", "names", "now", "pct", "period", "store_version_line",
           "weights_line"]
