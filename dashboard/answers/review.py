"""The Review page's questions: the queue as the viewer may see it, an entry's two records side by side, and
the decision (the same functions as ``stakemap review``: :mod:`graphmodel.curation.review`,
:func:`graphmodel.curation.decisions.decide`, :func:`graphmodel.curation.sides.sides`).

An entry naming an actor the viewer may not see is left out of the queue and of
its progress, as if it did not exist; deciding on it is refused as on a
missing entry. Every decision and dismissal is in the audit log.
"""

from __future__ import annotations

from typing import Any

from graphmodel.curation import review as queue_of
from graphmodel.curation.decisions import decide as decide_pair
from graphmodel.curation.sides import sides
from graphmodel.errors import StakemapError

from ..access import Viewer
from ..mapdata import DataError, store
from .curation import audit, check_may_curate, said, sees_of

#: Most entries the page lists (the progress counts them all).
MAX_LISTED = 200
PAIRS = ("pair", "merged")


def _money(item: queue_of.QueueItem) -> str:
    return ", ".join(f"{v:,.0f} {c}" for c, v in sorted(item.money.items()))


def entry_label(item: queue_of.QueueItem) -> str:
    """One line of the queue: type, the two names (or what was set aside), why, what is at stake."""
    d = item.doc
    names = " / ".join(x for x in (d.get("a_name"), d.get("b_name")) if x) or d.get("where") or d.get("file") or d.get("a") or ""
    why = d.get("reason") or d.get("message") or ""
    stake = f"{item.links} links" + (f", {_money(item)}" if item.money else "")
    return f"{d['type']} · {names} · {why} · {stake}"


def review_queue(viewer: Viewer) -> dict[str, Any]:
    """The open entries the viewer may see, most at stake first, and the progress (decided of total)."""
    check_may_curate(viewer, "review")
    sees = sees_of(viewer)
    items = queue_of.queue(store(), sees=sees)
    done = queue_of.progress(store(), sees=sees)
    return {"entries": [{"key": i.key, "type": i.doc["type"], "label": entry_label(i), "links": i.links,
                         "money": _money(i)} for i in items[:MAX_LISTED]],
            "total_open": len(items), "progress": done}


def _find(viewer: Viewer, key: str | None) -> queue_of.QueueItem:
    if key:
        for item in queue_of.queue(store(), sees=sees_of(viewer), decided=True):
            if item.key == key:
                return item
    raise DataError("No such review entry: it may have been decided or removed since. The queue is shown again.")


def entry(viewer: Viewer, key: str | None) -> dict[str, Any]:
    """An entry with, for a pair, its two records side by side (as the viewer may see them)."""
    check_may_curate(viewer, "review")
    item = _find(viewer, key)
    d = item.doc
    out = {"key": item.key, "type": d["type"], "reason": d.get("reason") or d.get("message") or "",
           "origin": d.get("origin"), "verdict": item.verdict, "label": entry_label(item)}
    if d["type"] in PAIRS:
        out["sides"] = sides(store(), d, sees=sees_of(viewer))
    else:
        out["details"] = {k: v for k, v in d.items() if k not in ("type",) and v not in (None, "")}
    return out


def decide(viewer: Viewer, key: str | None, verdict: str, note: str | None = None) -> str:
    """Decide a pair (``same``, ``different``, ``unsure``) or dismiss another entry; a sentence saying what
    was done. The role is checked and the decision audited here."""
    check_may_curate(viewer, "judgement")
    item = _find(viewer, key)
    note = (note or "").strip() or None
    pair = item.doc["type"] in PAIRS
    if pair and verdict == "dismiss":
        raise DataError("A pair is decided, not dismissed: Same, Different or Unsure.")
    if not pair and verdict != "dismiss":
        raise DataError(f"A {item.doc['type']} entry is not a pair: dismiss it once seen (fix the row in its file, "
                        "or add the record by hand).")
    try:
        if pair:
            made = decide_pair(store(), item.doc["a"], item.doc["b"], verdict, who=viewer.name, note=note)
            audit("judgement", viewer, version=made.version.number, verdict=verdict, entry=item.key,
                  a=item.doc["a"], b=item.doc["b"])
            return f"{made.says()} (version {made.version.number})."
        version = store().write_docs({queue_of.KIND: {item.key: None}}, who=viewer.name, action="review",
                                     note=note or f"dismissed: {item.doc.get('reason') or item.doc.get('message')}")
        audit("dismiss", viewer, version=version.number, entry=item.key)
        return f"Dismissed (version {version.number})."
    except StakemapError as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(said(exc, viewer)) from None


__all__ = ["MAX_LISTED", "decide", "entry", "entry_label", "review_queue"]
