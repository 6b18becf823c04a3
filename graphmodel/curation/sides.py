"""A review entry's two records side by side: what a person needs to decide whether they are one actor.

One definition for ``stakemap review show`` and the dashboard's Review page:
for each side (``a``, the known actor that survives a "same"; ``b``, the
record), its name, kind, country, aliases, identifiers, the sources its
citations name, and its links with the other end's name and any amount.
``sees`` says which records the reader may see: a link whose other end (or
which itself) the reader may not see is left out and not counted.

>>> from graphmodel.models import Actor
>>> side_of({"id": "amrc", "name": "AMRC"}, Actor(id="amrc", kind="ngo", name="Asia Monitor Resource Centre",
...                                            country="HK"), [], {})["country"]
'HK'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Most links listed on a side (the count is always exact).
MAX_LINKS = 40
#: The rows of the comparison, in order: (key, label).
ROWS = (("id", "id"), ("name", "name"), ("kind", "kind"), ("country", "country"), ("aliases", "aliases"),
        ("identifiers", "identifiers"), ("sources", "sources"), ("link_count", "links"), ("money", "money"))


def side_of(ref: dict[str, Any], actor: Any, links: list[Any], names: dict[str, str]) -> dict[str, Any]:
    """One side: ``ref`` (the entry's id and name for it), the actor now (or None: merged or gone), its links."""
    if actor is None:
        return {"id": ref.get("id"), "name": ref.get("name"), "kind": None, "country": None, "aliases": [],
                "identifiers": [], "sources": [], "links": [], "link_count": 0, "money": [], "present": False}
    listed = []
    money: dict[str, float] = {}
    for link in links:
        other = link.target if link.source == actor.id else link.source
        listed.append({"id": link.id, "kind": link.kind.value, "outgoing": link.source == actor.id,
                       "other": names.get(other, other), "amount": link.amount, "currency": link.currency,
                       "start": link.start, "end": link.end})
        if link.amount is not None and link.currency:
            money[link.currency] = money.get(link.currency, 0.0) + link.amount
    return {"id": actor.id, "name": actor.name, "kind": actor.kind.value, "country": actor.country,
            "aliases": list(actor.aliases), "identifiers": [f"{k}:{v}" for k, v in actor.identifiers.items()],
            "sources": sorted({c.source for c in actor.citations}), "links": listed[:MAX_LINKS],
            "link_count": len(listed), "money": [f"{v:,.0f} {c}" for c, v in sorted(money.items())], "present": True}


def sides(view: Any, doc: dict[str, Any], *, sees: Callable[[Any], bool] | None = None) -> dict[str, dict[str, Any]]:
    """Both sides of a ``pair`` or ``merged`` entry (``doc``), as the reader may see them."""
    out = {}
    for side in ("a", "b"):
        ref = {"id": doc.get(side), "name": doc.get(f"{side}_name")}
        actor = view.get_actor(ref["id"]) if ref["id"] else None
        if actor is not None and sees is not None and not sees(actor):
            actor = None
        links = sorted(view.links_of(actor.id), key=lambda lk: lk.id) if actor is not None else []
        others = {lk.target if lk.source == actor.id else lk.source for lk in links} if actor is not None else set()
        found = view.get_actors(sorted(others)) if others else {}
        if sees is not None:
            found = {i: a for i, a in found.items() if sees(a)}
            links = [lk for lk in links if sees(lk) and (lk.target if lk.source == actor.id else lk.source) in found]
        else:
            links = [lk for lk in links if (lk.target if lk.source == actor.id else lk.source) in found]
        out[side] = side_of(ref, actor, links, {i: a.name for i, a in found.items()})
    return out


def cell(side: dict[str, Any], key: str) -> str:
    """A row's value as text (lists joined)."""
    value = side.get(key)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


__all__ = ["MAX_LINKS", "ROWS", "cell", "side_of", "sides"]
