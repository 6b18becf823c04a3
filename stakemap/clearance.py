"""What a caller of the command line or the Python API may see, and lookups that see only that.

The command line run on one's own store sees everything in it (:data:`FULL`: restricted records and
people), as the file's owner does. The Python API opens at the same clearance by default and may open
lower (``stakemap.open(url, clearance="public")``), for a view fit to show others. Below full clearance,
what the clearance withholds is withheld everywhere: an analysis runs on a projection without it
(:func:`cleared_projection`, the rule of the exports and the dashboard), and a name that only a withheld
actor answers to is unknown, with the same error and close matches a name nobody answers to gets
(:class:`ClearedView`).

>>> clearance_of("public").as_dict()
{'clearance': 'public', 'include_people': False}
>>> clearance_of("restricted") == FULL, clearance_of("restricted", include_people=False) == FULL
(True, False)
>>> clearance_of("secret")
Traceback (most recent call last):
...
graphmodel.errors.ConfigError: unknown clearance 'secret' (hint: one of: public, internal, restricted)
"""

from __future__ import annotations

from typing import Any

from graphmodel.errors import ConfigError
from graphmodel.export.redaction import Clearance
from graphmodel.kinds import SENSITIVITY_RANK, Sensitivity
from graphmodel.models import Actor

#: Everything: restricted records and people (the command line on one's own store).
FULL = Clearance(Sensitivity.RESTRICTED, include_people=True)


def clearance_of(level: str | Sensitivity | Clearance = Sensitivity.RESTRICTED,
                 include_people: bool | None = None) -> Clearance:
    """A :class:`Clearance` from a level (``public``, ``internal``, ``restricted``) and whether people are
    shown; people are shown at ``restricted`` and hidden below it unless ``include_people`` says otherwise."""
    if isinstance(level, Clearance):
        return level if include_people is None else Clearance(level.level, include_people)
    try:
        sensitivity = Sensitivity(str(getattr(level, "value", level)).strip().lower())
    except ValueError:
        raise ConfigError(f"unknown clearance {level!r}",
                          hint="one of: " + ", ".join(s.value for s in Sensitivity)) from None
    people = sensitivity is Sensitivity.RESTRICTED if include_people is None else include_people
    return Clearance(sensitivity, people)


class ClearedView:
    """The lookups :func:`graphmodel.resolve.resolve_actor` makes, answered as if the records a clearance
    withholds were not in the store (so a withheld actor is "not found", with close matches among the
    others only)."""

    def __init__(self, view: Any, clearance: Clearance) -> None:
        self.view = view
        self.clearance = clearance

    def sees(self, actor: Actor | None) -> bool:
        return actor is not None and self.clearance.sees_actor(actor)

    def get_actor(self, actor_id: str) -> Actor | None:
        actor = self.view.get_actor(actor_id)
        return actor if self.sees(actor) else None

    def find_actors(self, text: str, limit: int = 20) -> list[Actor]:
        return self._first(self.view.find_actors, text, limit)

    def search_actors(self, text: str, limit: int = 10) -> list[Actor]:
        return self._first(self.view.search_actors, text, limit)

    def _first(self, lookup: Any, text: str, limit: int) -> list[Actor]:
        """The first ``limit`` visible answers, asking the store for more while withheld ones crowd them out."""
        ask = limit
        while True:
            found = lookup(text, limit=ask)
            shown = [a for a in found if self.sees(a)]
            if len(shown) >= limit or len(found) < ask:
                return shown[:limit]
            ask *= 4


def cleared_view(view: Any, clearance: Clearance) -> Any:
    """``view`` itself at full clearance, else a :class:`ClearedView` of it."""
    return view if clearance == FULL else ClearedView(view, clearance)


def cleared_projection(store: Any, clearance: Clearance) -> Any:
    """The store's analysis projection without what ``clearance`` withholds (the exports' rule: a link goes
    with a withheld end). Withheld actors are hidden, not removed, so no answer names them as left out."""
    from graphmodel.analysis import get_projection
    from graphmodel.export.projected import visible
    from graphmodel.export.selection import LinkFilter

    proj = get_projection(store)
    if clearance == FULL:
        return proj
    actors, links = visible(proj, clearance, LinkFilter())
    return proj.subset(actors, links, clearance=SENSITIVITY_RANK[clearance.level])
