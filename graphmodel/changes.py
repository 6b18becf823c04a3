"""What changed in the map, as people ask it: between two versions, or between two dates of valid time.

A :class:`Diff` holds the records whose state differs, each a
:class:`~graphmodel.store.history.Change`, already cut to what its reader may
see: a record above the reader's clearance, or a link with an end the reader
may not see, counts as absent in either state, so its change is never shown,
counted or hinted at (a record that became restricted reads as removed, as it
would on the map). Filters narrow it to origins, kinds, countries, the
neighbourhood of an actor or a watch list.

>>> from graphmodel.models import Actor, Link
>>> old = Link(id="l", kind="funds", source="a", target="b", start="2015", end="2018")
>>> new = Link(id="m", kind="funds", source="a", target="b", start="2019")
>>> d = valid_time_diff([old, new], "2016", "2022")
>>> d.counts()["links"], [c.id for c in d.changes]
({'added': 1, 'removed': 1, 'changed': 0}, ['m', 'l'])
>>> d.as_dict()["links"]["removed"][0]["id"]
'l'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .models import Actor, Link
from .store.history import Change
from .values import date_ceiling, date_floor

STATUSES = ("added", "removed", "changed")


@dataclass
class Diff:
    """Changes between two states of the map, with what the two states were."""

    since: str
    until: str
    basis: str                      # "versions" or "valid time"
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        out = {r: {s: 0 for s in STATUSES} for r in ("actors", "links")}
        for c in self.changes:
            out[f"{c.record}s"][c.status] += 1
        return out

    def grouped(self) -> dict[str, dict[str, list[Change]]]:
        """Changes by origin (the last that changed each; '(valid time)' for date diffs), then kind."""
        out: dict[str, dict[str, list[Change]]] = {}
        for c in self.changes:
            origin = c.origins[-1] if c.origins else "(valid time)" if self.basis == "valid time" else "(unknown)"
            out.setdefault(origin, {}).setdefault(f"{c.record} {c.kind}", []).append(c)
        return {o: dict(sorted(k.items())) for o, k in sorted(out.items())}

    def as_dict(self) -> dict:
        body = {f"{r}s": {s: [c.as_dict() for c in self.changes if c.record == r and c.status == s] for s in STATUSES}
                for r in ("actor", "link")}
        return {"since": self.since, "until": self.until, "basis": self.basis, "counts": self.counts(),
                "notes": self.notes, **body}


# -- what a reader may see -----------------------------------------------------------------------
def visible_only(changes: Iterable[Change], sees_actor: Callable[[Actor], bool], sees_link: Callable[[Link], bool],
                 actor_of: Callable[[str], Actor | None]) -> list[Change]:
    """Each change as the reader sees it: states the reader may not see count as absent; changes
    left with nothing visible on either side are dropped."""
    def shown(record):
        if record is None:
            return None
        if isinstance(record, Actor):
            return record if sees_actor(record) else None
        ends = [actor_of(e) for e in (record.source, record.target)]
        return record if sees_link(record) and all(e is not None and sees_actor(e) for e in ends) else None

    out = []
    for c in changes:
        before, after = shown(c.before), shown(c.after)
        if before is None and after is None or before == after:
            continue
        out.append(Change(c.record, c.id, before, after, c.origins, c.versions))
    return out


# -- filters -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Watch:
    """What a reader watches: actors (ids), countries (ISO codes) and kinds (actor or link kinds)."""

    actors: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.actors or self.countries or self.kinds)

    def touches(self, change: Change, actor_of: Callable[[str], Actor | None]) -> bool:
        """Whether a change concerns something watched (a link: its kind, or either end)."""
        for state in (change.before, change.after):
            if state is None:
                continue
            if state.kind.value in self.kinds:
                return True
            ends = [state] if isinstance(state, Actor) else [actor_of(state.source), actor_of(state.target)]
            for actor in ends:
                if actor is not None and (actor.id in self.actors or actor.country in self.countries
                                          or actor.kind.value in self.kinds):
                    return True
        return False


def narrowed(changes: Iterable[Change], actor_of: Callable[[str], Actor | None], *, origins: set[str] | None = None,
             kinds: set[str] | None = None, countries: set[str] | None = None, around: set[str] | None = None,
             watch: Watch | None = None) -> list[Change]:
    """The changes that pass every filter given (None: no filter)."""
    def ends(state) -> list[str]:
        return [state.id] if isinstance(state, Actor) else [state.source, state.target]

    def keep(c: Change) -> bool:
        states = [s for s in (c.before, c.after) if s is not None]
        if origins is not None and not origins & set(c.origins):
            return False
        if kinds is not None and c.kind not in kinds:
            return False
        if around is not None and not any(e in around for s in states for e in ends(s)):
            return False
        if countries is not None and not any((a := actor_of(e)) is not None and a.country in countries
                                             for s in states for e in ends(s)):
            return False
        return watch is None or watch.touches(c, actor_of)

    return [c for c in changes if keep(c)]


# -- valid time ----------------------------------------------------------------------------------
def valid_at(link: Link, date: str) -> bool:
    """Whether a link held at some point of ``date`` (a year, month or day): started by its end and not
    ended before its start (open ends hold).

    >>> l = Link(kind="funds", source="a", target="b", start="2015-06", end="2018")
    >>> [valid_at(l, y) for y in ("2014", "2015", "2018", "2019")]
    [False, True, True, False]
    """
    if link.start and date_floor(link.start) > date_ceiling(date):
        return False
    return not (link.end and date_ceiling(link.end) < date_floor(date))


def valid_time_diff(links: Iterable[Link], date_from: str, date_to: str) -> Diff:
    """Links that held at ``date_from`` and not at ``date_to`` (removed), and the other way (added)."""
    found: list[Change] = []
    for link in links:
        then, now = valid_at(link, date_from), valid_at(link, date_to)
        if then != now:
            found.append(Change("link", link.id, link if then else None, link if now else None))
    found.sort(key=lambda c: (c.status, c.kind, c.id))
    return Diff(date_from, date_to, "valid time", found,
                notes=["valid time: links that held in one period and not the other; actors carry no dates"])
