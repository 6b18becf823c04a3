"""What changed in the map, as people ask it: between two versions, or between two dates of valid time.

A :class:`Diff` holds the records whose state differs, each a
:class:`~graphmodel.store.history.Change`, already cut to what its reader may
see: a record above the reader's clearance, or a link with an end the reader
may not see, counts as absent in either state, so its change is never shown,
counted or hinted at (a record that is withheld from the reader now is left out
altogether, so that its id never reaches them). Filters narrow it to origins, kinds, countries, the
neighbourhood of an actor or a watch list.

Whoever asks, the command line (``stakemap diff``) or the dashboard, goes
through the same functions: :func:`version_diff` (or :func:`diff_of`) for the
changes, :func:`seen_changes` for what the reader may see of them, and
:func:`narrowed` for the filters; :func:`changes_by_version` says which
versions changed something a reader may see, and what.

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

from .errors import ConfigError, StoreError
from .models import Actor, Link
from .store.contract import StoreView
from .store.history import Change, same_substance
from .store.versioned import StoreAtVersion, changes, resolve_version
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

    @property
    def after_is_now(self) -> bool:
        """Whether each change's ``after`` is its record as it is now (a diff between versions up to now)."""
        return self.basis == "versions" and self.until == "now"

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
                 actor_of: Callable[[str], Actor | None],
                 hidden_now: Callable[[Change], bool] | None = None) -> list[Change]:
    """Each change as the reader sees it: states the reader may not see count as absent; changes
    left with nothing visible on either side are dropped, and so are changes to records ``hidden_now``
    says the reader may not see as they are now (one that became restricted is not shown as removed:
    its id would reach the reader).

    >>> a, b = Actor(id="a", kind="ngo", name="A"), Actor(id="b", kind="ngo", name="B", sensitivity="restricted")
    >>> new = Link(id="l", kind="supports", source="a", target="b")
    >>> public = lambda r: r.sensitivity.value == "public"
    >>> visible_only([Change("link", "l", None, new)], public, public, {"a": a, "b": b}.get)
    []
    """
    end_seen: dict[str, bool] = {}

    def seen_end(actor_id: str) -> bool:
        if actor_id not in end_seen:
            actor = actor_of(actor_id)
            end_seen[actor_id] = actor is not None and sees_actor(actor)
        return end_seen[actor_id]

    def shown(record):
        if record is None:
            return None
        if isinstance(record, Actor):
            return record if sees_actor(record) else None
        return record if sees_link(record) and seen_end(record.source) and seen_end(record.target) else None

    out = []
    for c in changes:
        if hidden_now is not None and hidden_now(c):
            continue
        before, after = shown(c.before), shown(c.after)
        if before is None and after is None or same_substance(before, after):
            continue
        out.append(Change(c.record, c.id, before, after, c.origins, c.versions))
    return out


def actors_of(view: StoreView, found: list[Change]) -> dict[str, Actor]:
    """The actors the changes name, as they are now or, when gone, as they were."""
    ends = {e for c in found for s in (c.before, c.after) if s is not None and c.record == "link"
            for e in (s.source, s.target)}
    known = {c.id: c.now for c in found if c.record == "actor"}
    known.update(view.get_actors(ends | set(known)))
    return known  # type: ignore[return-value]


def seen_changes(view: StoreView, found: list[Change], sees_actor: Callable[[Actor], bool],
                 sees_link: Callable[[Link], bool], *, after_is_now: bool = False) -> tuple[list[Change], dict[str, Actor]]:
    """The changes as a reader sees them (:func:`visible_only`, records judged as they are now too), and
    the actors they name (for their names, countries and the filters). With ``after_is_now`` (see
    :attr:`Diff.after_is_now`) the records are not read again."""
    actors = actors_of(view, found)
    if after_is_now:
        now_actors = {c.id: c.after for c in found if c.record == "actor" and c.after is not None}
        now_links = {c.id: c.after for c in found if c.record == "link" and c.after is not None}
    else:
        now_actors = view.get_actors(c.id for c in found if c.record == "actor")
        now_links = view.get_links(c.id for c in found if c.record == "link")
    seen_end: dict[str, bool] = {}

    def end_seen(actor_id: str) -> bool:
        if actor_id not in seen_end:
            seen_end[actor_id] = (e := actors.get(actor_id)) is not None and sees_actor(e)
        return seen_end[actor_id]

    def hidden_now(c: Change) -> bool:
        if c.record == "actor":
            return c.id in now_actors and not sees_actor(now_actors[c.id])  # type: ignore[arg-type]
        link = now_links.get(c.id)
        return link is not None and not (sees_link(link) and end_seen(link.source)  # type: ignore[arg-type]
                                         and end_seen(link.target))  # type: ignore[union-attr]

    return visible_only(found, sees_actor, sees_link, actors.get, hidden_now), actors


def version_diff(view: StoreView, since: str | int | None, until: str | int | None = None) -> tuple[Diff, StoreAtVersion]:
    """Every change between two versions (numbers or dates; ``since`` None: the version before the last,
    ``until`` None: now), and the map at ``since``. Raises :class:`StoreError` for a store with no
    versions and for a version that does not exist (naming the nearest)."""
    known = view.versions()
    if not known:
        raise StoreError("the store has no versions yet", hint="ingest something first: 'stakemap ingest FILE'")
    end = resolve_version(view, until, end_of_day=True)
    notes = []
    if since is None or since == "":
        start = max((end if end is not None else known[-1].number) - 1, view.history_from())
        if known[0].action == "start" and start == known[0].number:
            notes.append(f"{known[0].note} (version {known[0].number}, {known[0].at}); changes show from then on")
    else:
        start = resolve_version(view, since)  # type: ignore[assignment]
    if end is not None and start > end:
        raise ConfigError(f"since ({since}: version {start}) comes after until ({until}: version {end})",
                          hint="give the earlier one as since")
    label = {v.number: f"version {v.number} ({v.at})" for v in known}
    diff = Diff(label.get(start, f"version {start}" if start else "the empty store"),
                label.get(end, "now") if end is not None else "now", "versions", changes(view, start, end), notes)
    return diff, StoreAtVersion(view, start)


def diff_of(view: StoreView, since: str | None = None, until: str | None = None, valid_from: str | None = None,
            valid_to: str | None = None) -> tuple[Diff, StoreAtVersion | None]:
    """Changes between versions (:func:`version_diff`) or, given ``valid_from`` and ``valid_to``, between two
    dates of valid time (:func:`valid_time_diff`; no map at a version then)."""
    from .values import partial_date

    if valid_from or valid_to:
        if not (valid_from and valid_to):
            raise ConfigError("--valid-from and --valid-to go together", hint="give both dates, e.g. 2015 and 2022")
        try:
            a, b = partial_date(valid_from), partial_date(valid_to)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        return valid_time_diff(view.iter_links(), a, b), None
    return version_diff(view, since, until)


def changes_by_version(view: StoreView, ids: Iterable[tuple[str, str]] | None = None) -> dict[int, list[Change]]:
    """What each version kept in the store's history changed, record by record (a record's state just
    before and just after that version): the history (of the records ``ids`` names, ``("actor", id)`` or
    ``("link", id)``; None: all) read once, oldest version first.

    A reader's view of it (:func:`seen_changes` on each) tells which versions changed something that
    reader may see: listing only those hints at nothing withheld."""
    rows = sorted(view.history_rows(view.history_from(), ids), key=lambda r: r.version)
    trail: dict[tuple[str, str], list] = {}
    for row in rows:
        trail.setdefault((row.record, row.id), []).append(row)
    current: dict[tuple[str, str], Actor | Link] = {}
    current.update((("actor", i), a) for i, a in view.get_actors(i for kind, i in trail if kind == "actor").items())
    current.update((("link", i), lk) for i, lk in view.get_links(i for kind, i in trail if kind == "link").items())
    out: dict[int, list[Change]] = {}
    for key, kept in trail.items():
        for n, row in enumerate(kept):
            after = kept[n + 1].before if n + 1 < len(kept) else current.get(key)
            if not same_substance(row.before, after):
                out.setdefault(row.version, []).append(Change(key[0], key[1], row.before, after,  # type: ignore[arg-type]
                                                              origins=[row.origin] if row.origin else [],
                                                              versions=[row.version]))
    return dict(sorted(out.items()))


def around(view: StoreView, actor_id: str, hops: int, sees_actor: Callable[[Actor], bool],
           sees_link: Callable[[Link], bool], then: StoreView | None = None) -> set[str]:
    """The actors within ``hops`` links of an actor, now or (given ``then``) at an earlier version, walking
    only links and actors the reader may see (a withheld tie never brings an actor in)."""
    found = {actor_id}
    for state in (view, then) if then is not None else (view,):
        frontier, seen = [actor_id], {actor_id}
        for _ in range(hops):
            nxt = []
            for aid in frontier:
                for link in state.links_of(aid):
                    other = link.target if link.source == aid else link.source
                    if other in seen or not sees_link(link):
                        continue
                    actor = state.get_actor(other)
                    if actor is not None and sees_actor(actor):
                        seen.add(other)
                        nxt.append(other)
            frontier = nxt
        found |= seen
    return found


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
