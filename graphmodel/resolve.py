"""Turning what a user typed (an id, a name, an alias) into one actor.

Unknown references raise :class:`NotFoundError` with close matches; references
that match several actors raise :class:`AmbiguousError` listing them.
"""

from __future__ import annotations

import difflib

from .errors import AmbiguousError, NotFoundError
from .models import Actor
from .store.contract import StoreView


def resolve_actor(view: StoreView, ref: str) -> Actor:
    """The one actor ``ref`` names (id, name, alias or ``scheme:identifier``)."""
    text = ref.strip()
    if not text:
        raise NotFoundError("no actor given", hint="give an id, a name or an alias")
    exact = view.get_actor(text)
    if exact:
        return exact
    found = view.find_actors(text)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        listing = [f"{a.id} ({a.name}, {a.kind.value}{', ' + a.country if a.country else ''})" for a in found]
        raise AmbiguousError(f"{ref!r} matches {len(found)} actors: " + "; ".join(listing[:8]),
                             candidates=[a.id for a in found], hint="give the id instead")
    raise NotFoundError(f"no actor matches {ref!r}", suggestions=suggest(view, text),
                        hint=_hint(suggest(view, text)))


def suggest(view: StoreView, text: str, limit: int = 5) -> list[str]:
    """Close matches for a reference, as ``id (name)`` strings."""
    near = view.search_actors(text, limit=limit)
    if len(near) < limit:
        for word in sorted(text.split(), key=len, reverse=True)[:2]:
            if len(word) >= 3:
                near += [a for a in view.search_actors(word, limit=limit * 4) if a not in near]
        near.sort(key=lambda a: -difflib.SequenceMatcher(None, text.casefold(), a.name.casefold()).ratio())
    return [f"{a.id} ({a.name})" for a in near[:limit]]


def _hint(suggestions: list[str]) -> str:
    return ("did you mean: " + ", ".join(suggestions)) if suggestions else "run 'stakemap stats' or search with a shorter name"
