"""Which visible actor a name means: the actor pickers' search, options and labels on every page, and the
actors a page's link names (Explore, Paths, Leverage, Coverage and Export resolve them here)."""

from __future__ import annotations

from typing import Any

from graphmodel.kinds import ACTOR_SPECS, ActorKind
from graphmodel.text import normalise_name

from ..access import Viewer
from ..mapdata import _visible, projection, store


def label(ref: dict[str, Any]) -> str:
    """How an actor is named in pickers: ``Name (kind, country)``."""
    bits = [ACTOR_SPECS[ActorKind(ref["kind"])].label.lower()]
    if ref.get("country"):
        bits.append(ref["country"])
    return f"{ref['name']} ({', '.join(bits)})"


def option(ref: dict[str, Any]) -> dict[str, str]:
    """A dropdown option for an actor (labels are plain text)."""
    return {"label": label(ref), "value": ref["id"]}


def search(viewer: Viewer, text: str, limit: int = 12) -> list[dict[str, Any]]:
    """Visible actors whose name or alias contains ``text``, best first."""
    text = (text or "").strip()
    if len(normalise_name(text)) < 2:
        return []
    proj = projection(viewer)
    out = []
    for actor in store().search_actors(text, limit=limit * 3 + 10):
        i = _visible(proj, actor.id)
        if i is not None:
            out.append(proj.actor_ref(i))
        if len(out) >= limit:
            break
    return out


def refs(viewer: Viewer, actor_ids: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    """``{"id", "name", "kind", "country"}`` of the given actors that the viewer may see, in order."""
    proj = projection(viewer)
    return [proj.actor_ref(i) for a in actor_ids if (i := _visible(proj, a)) is not None]


def resolve(viewer: Viewer, text: str | None) -> str | None:
    """The id of the one visible actor ``text`` names (id, name, alias or identifier), else ``None``."""
    if not text:
        return None
    proj = projection(viewer)
    if _visible(proj, text) is not None:
        return text
    found = [a.id for a in store().find_actors(text) if _visible(proj, a.id) is not None]
    return found[0] if len(found) == 1 else None


def resolve_all(viewer: Viewer, texts: list[str] | tuple[str, ...]) -> list[str]:
    """:func:`resolve` each, dropping what names no visible actor."""
    return list(dict.fromkeys(i for t in texts if (i := resolve(viewer, t))))
