"""Reading a store at an earlier version: naming versions, the changes between two, the map as it was.

Works on any backend through the contract's history methods (see
:mod:`graphmodel.store.history`). A version is named by its number or by a
date or time (ISO 8601): the state at a date is the state after the last
version written before it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator

from ..errors import StoreError
from ..models import Actor, Link, Source, actor_keys
from ..text import normalise_name
from .contract import Stats, StoreView
from .history import Change, Record, Version, changes_between, state_overrides


def _nearest(versions: list[Version], number: int) -> str:
    numbers = [v.number for v in versions]
    i = bisect.bisect_left(numbers, number)
    near = [versions[j] for j in (i - 1, i) if 0 <= j < len(versions)]
    return ", ".join(f"{v.number} ({v.at})" for v in near) or "none yet"


def resolve_version(view: StoreView, text: str | int | None, *, end_of_day: bool = False) -> int | None:
    """The version a user named: a number, or a date or time (the last version written before it;
    with ``end_of_day``, a bare date means its end). ``None`` stays None (now).

    Raises :class:`StoreError` naming the nearest versions when there is no such version, or when
    the store no longer knows its state (history pruned, or written before versions were kept).
    """
    if text is None or text == "":
        return None
    versions = view.versions()
    raw = str(text).strip()
    if raw.lstrip("-").isdigit():
        number = int(raw)
        if number != 0 and number not in {v.number for v in versions}:
            raise StoreError(f"version {number} does not exist; the nearest are {_nearest(versions, number)}",
                             hint="'stakemap versions' lists them; a date or time (2026-03-31) works too")
    else:
        when = _as_time(raw, end_of_day)
        before = [v for v in versions if v.at <= when]
        number = before[-1].number if before else 0
    start = view.history_from()
    if number < start:
        first = next((v for v in versions if v.number >= start), None)
        since = f"version {start} ({first.at})" if first else f"version {start}"
        raise StoreError(f"the store does not know its state at {raw}: its history starts at {since}",
                         hint="ask from that version on ('stakemap versions' lists them)")
    return number


def _as_time(raw: str, end_of_day: bool) -> str:
    from datetime import datetime, timezone

    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise StoreError(f"{raw!r} is neither a version number nor a date or time",
                         hint="give a number from 'stakemap versions' or a date such as 2026-03-31") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if end_of_day and len(raw) <= 10:
        when = when.replace(hour=23, minute=59, second=59)
    return when.astimezone(timezone.utc).isoformat(timespec="seconds")


def changes(view: StoreView, since: int, until: int | None = None) -> list[Change]:
    """Every record whose state differs between version ``since`` and ``until`` (None: now)."""
    if until is not None and until < since:
        raise StoreError(f"version {since} comes after version {until}", hint="give the earlier one first")
    rows = view.history_rows(since)
    later = {(r.record, r.id) for r in rows if until is not None and r.version > until}
    wanted = {(r.record, r.id) for r in rows} - later
    current: dict[tuple[str, str], Record | None] = {}
    current.update((("actor", i), a) for i, a in view.get_actors(i for kind, i in wanted if kind == "actor").items())
    current.update((("link", i), lk) for i, lk in view.get_links(i for kind, i in wanted if kind == "link").items())
    return changes_between(rows, since, until, current)


class StoreAtVersion(StoreView):
    """A read-only view of a store as it was at ``version`` (sources as they are now)."""

    def __init__(self, store: StoreView, version: int) -> None:
        self.store = store
        self.version = version
        self.url = f"{store.url}@{version}"
        over = state_overrides(store.history_rows(version), version)
        self._actors = {i: r for (kind, i), r in over.items() if kind == "actor"}
        self._links = {i: r for (kind, i), r in over.items() if kind == "link"}

    # records
    def get_actor(self, actor_id: str) -> Actor | None:
        return self._actors[actor_id] if actor_id in self._actors else self.store.get_actor(actor_id)  # type: ignore[return-value]

    def get_actors(self, actor_ids: Iterable[str]) -> dict[str, Actor]:
        ids = list(dict.fromkeys(actor_ids))
        found = self.store.get_actors(i for i in ids if i not in self._actors)
        found.update((i, a) for i in ids if (a := self._actors.get(i)) is not None)  # type: ignore[misc]
        return {i: found[i] for i in ids if i in found}

    def get_link(self, link_id: str) -> Link | None:
        return self._links[link_id] if link_id in self._links else self.store.get_link(link_id)  # type: ignore[return-value]

    def get_links(self, link_ids: Iterable[str]) -> dict[str, Link]:
        ids = list(dict.fromkeys(link_ids))
        found = self.store.get_links(i for i in ids if i not in self._links)
        found.update((i, lk) for i in ids if (lk := self._links.get(i)) is not None)  # type: ignore[misc]
        return {i: found[i] for i in ids if i in found}

    def _then(self, actors: Iterable[Actor], extra: Iterable[Actor]) -> list[Actor]:
        kept = [a for a in actors if a.id not in self._actors]
        return kept + [a for a in extra if a is not None]

    def find_actors(self, text: str, limit: int = 20) -> list[Actor]:
        keys = {"i:" + text.strip().casefold(), "n:" + normalise_name(text)}
        extra = [a for a in self._actors.values() if a is not None and keys & actor_keys(a)]
        return self._then(self.store.find_actors(text, limit), extra)[:limit]  # type: ignore[arg-type]

    def search_actors(self, text: str, limit: int = 10) -> list[Actor]:
        norm = normalise_name(text)
        extra = [a for a in self._actors.values() if a is not None and norm
                 and any(norm in normalise_name(n) for n in (a.name, *a.aliases))]
        return self._then(self.store.search_actors(text, limit), extra)[:limit]  # type: ignore[arg-type]

    def actor_by_identifier(self, scheme: str, value: str) -> Actor | None:
        key = f"x:{scheme.lower()}:{value.strip().casefold()}"
        for actor in self._actors.values():
            if actor is not None and key in actor_keys(actor):
                return actor
        found = self.store.actor_by_identifier(scheme, value)
        return None if found is None or found.id in self._actors else found

    def links_of(self, actor_id: str) -> list[Link]:
        now = [lk for lk in self.store.links_of(actor_id) if lk.id not in self._links]
        then = [lk for lk in self._links.values() if lk is not None and actor_id in (lk.source, lk.target)]
        return sorted(now + then, key=lambda lk: lk.id)  # type: ignore[arg-type]

    def iter_actors(self) -> Iterator[Actor]:
        yield from (a for a in self.store.iter_actors() if a.id not in self._actors)
        yield from sorted((a for a in self._actors.values() if a is not None), key=lambda a: a.id)  # type: ignore[misc]

    def iter_links(self) -> Iterator[Link]:
        yield from (lk for lk in self.store.iter_links() if lk.id not in self._links)
        yield from sorted((lk for lk in self._links.values() if lk is not None), key=lambda lk: lk.id)  # type: ignore[misc]

    def sources(self) -> list[Source]:
        return self.store.sources()

    def origins_of(self, record_id: str) -> list[str]:
        return self.store.origins_of(record_id)

    def origin_batch(self, origin_id: str):
        return self.store.origin_batch(origin_id)

    def stats(self) -> Stats:
        from collections import Counter

        actors = list(self.iter_actors())
        links = list(self.iter_links())
        at = next((v.at for v in self.store.versions() if v.number == self.version), None)
        return Stats(actors=len(actors), links=len(links), sources=len(self.sources()),
                     actors_by_kind=dict(Counter(a.kind.value for a in actors).most_common()),
                     links_by_kind=dict(Counter(lk.kind.value for lk in links).most_common()),
                     actors_by_country=dict(Counter(a.country or "" for a in actors).most_common()),
                     records_by_origin={}, last_write=at)

    def fingerprint(self) -> str:
        return f"{self.store.fingerprint()}@v{self.version}"

    # history, as seen from this version
    def versions(self) -> list[Version]:
        return [v for v in self.store.versions() if v.number <= self.version]

    def history_from(self) -> int:
        return self.store.history_from()

    def history_rows(self, since: int, ids=None):
        return [r for r in self.store.history_rows(since, ids) if r.version <= self.version]

    def history_size(self) -> dict[str, int]:
        return self.store.history_size()

    def docs(self, kind: str) -> dict[str, dict]:
        return self.store.docs(kind)
