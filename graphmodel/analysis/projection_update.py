"""Bringing a projection up to date with what one write changed, instead of rebuilding it.

:func:`apply_changes` takes a projection and :class:`Changes` (the actors and links a write added or
changed, as the store now holds them, and the ids it removed) and returns the projection of the
store after that write. It keeps the store's own order: a changed record keeps its position, a new
one comes last, a removed one (and every link at a removed actor) is dropped, so positions match
what a fresh read of a SQLite store gives (rows are updated in place and appended in write order).

Any source of "what changed" can feed it: the ingest command's own batches today
(:meth:`Changes.from_store` with the ids it wrote), a store's list of records changed since a
version tomorrow.

>>> from graphmodel.models import Actor, Link
>>> from graphmodel.analysis.projection import Projection
>>> a, b, c = (Actor(id=i, kind="union", name=i.upper()) for i in "abc")
>>> proj = Projection.from_records([a, b], [Link(kind="affiliated_to", source="a", target="b")])
>>> new = apply_changes(proj, Changes(actors=[c], links=[Link(kind="affiliated_to", source="c", target="b")],
...                                   removed_actors=["a"]))
>>> new.actor_ids.tolist(), [new.link_ref(j)["source"] for j in range(new.n_links)]
(['b', 'c'], ['c'])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..models import Actor, Link
from .columns import IdIndex, StringColumn, assemble, sorted_insert
from .projection import Projection, _Builder, _objects, builder_rows

_ACTOR_NUMERIC = ("kind", "country", "actor_sensitivity")
_LINK_NUMERIC = ("link_kind", "src", "dst", "end_year", "confidence", "link_sensitivity", "amount", "currency",
                 "share", "influence_forward", "influence_backward")


@dataclass
class Changes:
    """What one write did: actors and links added or changed (as now stored), ids removed."""

    actors: list[Actor] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    removed_actors: list[str] = field(default_factory=list)
    removed_links: list[str] = field(default_factory=list)

    @classmethod
    def from_store(cls, store, actor_ids: Iterable[str], link_ids: Iterable[str]) -> "Changes":
        """The records ``actor_ids`` and ``link_ids`` as ``store`` holds them now; those it no longer
        holds are removed."""
        actor_ids = list(dict.fromkeys(actor_ids))
        link_ids = list(dict.fromkeys(link_ids))
        actors = store.get_actors(actor_ids) if actor_ids else {}
        links = store.get_links(link_ids) if link_ids else {}
        return cls(actors=[actors[i] for i in actor_ids if i in actors], links=[links[i] for i in link_ids if i in links],
                   removed_actors=[i for i in actor_ids if i not in actors],
                   removed_links=[i for i in link_ids if i not in links])

    def __len__(self) -> int:
        return len(self.actors) + len(self.links) + len(self.removed_actors) + len(self.removed_links)


class _Positions:
    """Actor id -> position after the change (new actors first, then surviving old ones)."""

    def __init__(self, proj: Projection, remap: np.ndarray, new: dict[str, int]) -> None:
        self.proj, self.remap, self.new = proj, remap, new

    def get(self, actor_id: str):
        if actor_id in self.new:
            return self.new[actor_id]
        old = self.proj.index.get(actor_id)
        if old is None or self.remap[old] < 0:
            return None
        return int(self.remap[old])


def apply_changes(proj: Projection, changes: Changes, *, fingerprint: str | None = None) -> Projection:
    """The projection after ``changes`` (see the module notes); ``proj`` itself is left as it is.

    Strings of a saved projection are copied as bytes (runs of unchanged rows at once) and records
    found by binary search over the ids' order, so the cost follows the size of the change more than
    the size of the map.
    """
    n = proj.n_actors
    changed_actors = [a for a in changes.actors if not _same_actor(proj, a)]
    changed_actor_ids = {a.id for a in changes.actors}
    gone = [p for i in changes.removed_actors if i not in changed_actor_ids and (p := proj.index.get(i)) is not None]
    keep = np.ones(n, dtype=bool)
    keep[gone] = False

    mini = _Builder()
    for a in changed_actors:
        mini.actor(a.id, a.kind.value, a.name, a.country, a.sensitivity.value, a.sectors, a.countries)
    updated_at: list[int] = []     # old positions of changed actors
    updated_from: list[int] = []   # their rows in ``mini``
    appended: list[int] = []       # rows of ``mini`` that are new actors
    for k, actor_id in enumerate(mini.ids):
        p = proj.index.get(actor_id)
        if p is not None and keep[p]:
            updated_at.append(p)
            updated_from.append(k)
        else:
            appended.append(k)

    remap = np.full(n, -1, dtype=np.int64)
    kept = int(keep.sum())
    remap[keep] = np.arange(kept)
    new_pos = {mini.ids[k]: kept + r for r, k in enumerate(appended)}
    if mini.ids or gone:
        cols, countries = _actor_columns(proj, mini, keep, remap, updated_at, updated_from, appended)
    else:  # no actor changed: the actor columns (and the index) stay as they are
        cols = {name: getattr(proj, name) for name in (*_ACTOR_NUMERIC, "actor_ids", "names", "actor_countries",
                                                       "actor_sectors", "index")}
        countries = list(proj.countries)

    # links: the builder reads their ends through the positions after the change
    lmini = _Builder()
    lmini.index = _Positions(proj, remap, new_pos)  # type: ignore[assignment]
    wanted = list(dict.fromkeys([*(lk.id for lk in changes.links), *changes.removed_links]))
    where = _link_positions(proj, wanted)
    lkeep = keep[proj.src] & keep[proj.dst]
    lkeep[[where[i] for i in changes.removed_links if i in where]] = False
    for lk in changes.links:
        if lk.id in where:
            lkeep[where[lk.id]] = False  # dropped here; put back in place below if it is still valid
    lmini.add_links(builder_rows(changes.links))
    built = lmini.build("")
    currencies = list(proj.currencies)
    cur_code = {c: i for i, c in enumerate(currencies)}
    cur_map = np.array([cur_code.setdefault(c, len(cur_code)) for c in built.currencies] + [-1], dtype=np.int16)
    currencies = list(cur_code)
    fresh = {"link_kind": built.link_kind, "src": built.src, "dst": built.dst, "end_year": built.end_year,
             "confidence": built.confidence, "link_sensitivity": built.link_sensitivity, "amount": built.amount,
             "currency": cur_map[built.currency.astype(np.int64)], "share": built.share,
             "influence_forward": built.influence_forward, "influence_backward": built.influence_backward}
    # a changed link that is still valid takes its old place; new ones come last
    in_place = np.array([where.get(lid, -1) for lid in built.link_ids.tolist()], dtype=np.int64)
    placed = in_place >= 0
    old_rows = np.flatnonzero(lkeep)
    order_key = np.concatenate([old_rows.astype(np.float64), in_place[placed].astype(np.float64),
                                n_links_after(proj) + np.flatnonzero(~placed).astype(np.float64)])
    order = np.argsort(order_key, kind="stable")
    layout = np.concatenate([old_rows, -1 - np.flatnonzero(placed), -1 - np.flatnonzero(~placed)])[order]
    for name in _LINK_NUMERIC:
        old = np.asarray(getattr(proj, name))
        if name in ("src", "dst"):
            old = remap[old]
        col = np.concatenate([old[lkeep], fresh[name][placed], fresh[name][~placed]])
        cols[name] = col[order].astype(old.dtype if name not in ("src", "dst") else np.int32)
    for name in ("link_ids", "start", "end"):
        old = getattr(proj, name)
        values = getattr(built, name).tolist()
        if isinstance(old, StringColumn):
            cols[name] = assemble(old, layout, values)
        else:
            old = np.asarray(old)
            cols[name] = _objects([old[r] if r >= 0 else values[-1 - r] for r in layout.tolist()])
    link_order = None
    if proj.link_order is not None and len(proj.link_order) == proj.n_links:
        new_of_old = np.full(proj.n_links, -1, dtype=np.int64)
        is_old = layout >= 0
        new_of_old[layout[is_old]] = np.flatnonzero(is_old)
        link_order = new_of_old[np.asarray(proj.link_order)]
        link_order = link_order[link_order >= 0]
        link_order = sorted_insert(link_order, cols["link_ids"], np.flatnonzero(~is_old).tolist())
    index = cols.pop("index", None)
    if index is None:
        index = dict(zip(_array(cols["actor_ids"]).tolist(), range(len(cols["actor_ids"]))))
    return Projection(**cols, countries=countries, currencies=currencies,
                      active=np.ones(len(cols["kind"]), dtype=bool),
                      fingerprint=fingerprint if fingerprint is not None else proj.fingerprint,
                      index=index, link_order=link_order, _fetch=proj._fetch)


def _same_actor(proj: Projection, a: Actor) -> bool:
    """Whether ``a`` is already projected as it is (a re-ingest often sends unchanged actors)."""
    p = proj.index.get(a.id)
    if p is None:
        return False
    probe = _Builder()
    probe.actor(a.id, a.kind.value, a.name, a.country, a.sensitivity.value, a.sectors, a.countries)
    return (int(proj.kind[p]) == probe.kinds[0] and proj.names[p] == a.name and proj.actor_country(p) == a.country
            and int(proj.actor_sensitivity[p]) == probe.sens[0]
            and proj.actor_sectors.get(p) == probe.sectors.get(0) and proj.actor_countries.get(p) == probe.op_countries.get(0))


def _link_positions(proj: Projection, ids: list[str]) -> dict[str, int]:
    """Positions of the links ``ids`` that ``proj`` holds: by binary search over its links' id order
    when it has one, else by a pass over every id."""
    if not ids:
        return {}
    if proj.link_order is not None and len(proj.link_order) == proj.n_links:
        found = {}
        index = IdIndex(proj.link_ids, proj.link_order)
        for lid in ids:
            j = index.get(lid)
            if j is not None:
                found[lid] = j
        return found
    wanted = set(ids)
    return {lid: j for j, lid in enumerate(_array(proj.link_ids).tolist()) if lid in wanted}


def _actor_columns(proj, mini, keep, remap, updated_at, updated_from, appended):
    """The actor columns after the change, and the list of country codes."""
    countries = list(proj.countries)
    country_code = {c: i for i, c in enumerate(countries)}
    mini_country = np.array([country_code.setdefault(c, len(country_code)) for c in mini.country_codes]
                            + [-1], dtype=np.int32)  # index -1 maps "unknown" to itself
    countries = list(country_code)
    kept = int(keep.sum())
    cols: dict = {}
    mini_cols = {"kind": np.array(mini.kinds, dtype=np.int8),
                 "country": mini_country[np.array(mini.country, dtype=np.int64)] if mini.ids else
                 np.zeros(0, dtype=np.int32),
                 "actor_sensitivity": np.array(mini.sens, dtype=np.int8)}
    for name in _ACTOR_NUMERIC:
        col = np.array(getattr(proj, name))
        col[updated_at] = mini_cols[name][updated_from]
        cols[name] = np.concatenate([col[keep], mini_cols[name][appended]]).astype(col.dtype)
    rows = np.arange(proj.n_actors, dtype=np.int64)
    rows[updated_at] = -1 - np.array(updated_from, dtype=np.int64)
    layout = np.concatenate([rows[keep], -1 - np.array(appended, dtype=np.int64)])
    for name, values in (("actor_ids", mini.ids), ("names", mini.names)):
        old = getattr(proj, name)
        if isinstance(old, StringColumn):
            cols[name] = assemble(old, layout, values)
        else:
            old = np.asarray(old)
            cols[name] = _objects([old[r] if r >= 0 else values[-1 - r] for r in layout.tolist()])
    for name, source in (("actor_countries", mini.op_countries), ("actor_sectors", mini.sectors)):
        old = getattr(proj, name)
        touched = set(updated_at)
        merged = {int(remap[p]): v for p, v in old.items() if keep[p] and p not in touched}
        merged.update({int(remap[updated_at[r]]): source[k] for r, k in enumerate(updated_from) if k in source})
        merged.update({kept + r: source[k] for r, k in enumerate(appended) if k in source})
        cols[name] = dict(sorted(merged.items()))
    return cols, countries


def n_links_after(proj: Projection) -> float:
    """A position past every old link (new links sort after all of them)."""
    return float(proj.n_links) + 1.0


def _array(values) -> np.ndarray:
    return values.array() if isinstance(values, StringColumn) else np.asarray(values)
