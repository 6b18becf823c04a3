"""A compact, read-only projection of a store for analysis.

Actors and links become numpy columns indexed by position (actor ``i``, link
``j``); ids map to positions through :attr:`Projection.index`. Link ids are
kept, so every result can cite the links it rests on, and the few links a
result shows are read back from the store for their sources
(:meth:`Projection.citations`).

Building a projection reads the store once (for SQLite: three plain queries,
no model parsing); :func:`get_projection` caches one per store and
:meth:`~graphmodel.store.StoreView.fingerprint`, in memory and in a file beside
the store (:mod:`.projection_cache`), brought up to date after a write by
:mod:`.projection_update`.

Each actor and link keeps its sensitivity, so callers can drop what a user is
not cleared to see with :meth:`Projection.restrict`; :meth:`Projection.without`
removes actors for what-if questions.

Examples
--------
>>> from graphmodel.models import Actor, Link
>>> actors = [Actor(id="fnv", kind="sso", name="FNV Mondiaal", country="NL"),
...           Actor(id="bwi", kind="guf", name="BWI", country="CH")]
>>> links = [Link(kind="funds", source="fnv", target="bwi", amount=100, currency="EUR")]
>>> proj = Projection.from_records(actors, links)
>>> proj.n_actors, proj.n_links
(2, 1)
>>> proj.actor_ref(proj.index["bwi"])
{'id': 'bwi', 'name': 'BWI', 'kind': 'guf', 'country': 'CH'}
>>> proj.without(["bwi"]).n_links
0
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..errors import NotFoundError
from ..kinds import SENSITIVITY_RANK, ActorKind, Confidence, LinkKind, Sensitivity
from ..models import Actor, Link

#: Actor kinds by code (``Projection.kind`` holds indexes into this tuple).
ACTOR_KINDS: tuple[ActorKind, ...] = tuple(ActorKind)
#: Link kinds by code (``Projection.link_kind`` holds indexes into this tuple).
LINK_KINDS: tuple[LinkKind, ...] = tuple(LinkKind)
#: Confidence levels by code.
CONFIDENCES: tuple[Confidence, ...] = tuple(Confidence)
_AKIND = {k.value: i for i, k in enumerate(ACTOR_KINDS)}
_LKIND = {k.value: i for i, k in enumerate(LINK_KINDS)}
_CONF = {c.value: i for i, c in enumerate(CONFIDENCES)}
_SENS = {s.value: SENSITIVITY_RANK[s] for s in Sensitivity}

LinkFetcher = Callable[[list[str]], dict[str, Link]]


@dataclass(eq=False)
class Projection:
    """Actors and links as columns. Build with :meth:`from_store` or :meth:`from_records`."""

    actor_ids: np.ndarray           # object, str
    names: np.ndarray               # object, str
    kind: np.ndarray                # int8 code into ACTOR_KINDS
    country: np.ndarray             # int32 code into ``countries``; -1 when unknown
    countries: list[str]
    actor_sensitivity: np.ndarray   # int8 rank (0 public, 1 internal, 2 restricted)
    actor_countries: dict[int, tuple[str, ...]]  # countries an actor works in, when listed
    actor_sectors: dict[int, tuple[str, ...]]
    link_ids: np.ndarray            # object, str
    link_kind: np.ndarray           # int8 code into LINK_KINDS
    src: np.ndarray                 # int32 actor position
    dst: np.ndarray                 # int32 actor position
    start: np.ndarray               # object, partial date or None
    end: np.ndarray                 # object, partial date or None
    end_year: np.ndarray            # int32, 0 when ongoing / unknown
    confidence: np.ndarray          # int8 code into CONFIDENCES
    link_sensitivity: np.ndarray    # int8 rank
    amount: np.ndarray              # float64, nan when unknown
    currency: np.ndarray            # int16 code into ``currencies``; -1 when none
    currencies: list[str]
    share: np.ndarray               # float64 in 0..1, nan when unknown
    influence_forward: np.ndarray   # float64 per-link override, nan when none
    influence_backward: np.ndarray  # float64 per-link override, nan when none
    active: np.ndarray              # bool: actor visible (not removed, not above clearance)
    fingerprint: str = ""
    removed: tuple[str, ...] = ()
    clearance: int | None = None
    index: dict[str, int] = field(default_factory=dict)
    _fetch: LinkFetcher | None = field(default=None, repr=False)
    disk: Any = field(default=None, repr=False)  # the saved file's folder (projection_cache.DiskCache), if any
    link_order: np.ndarray | None = field(default=None, repr=False)  # link positions in id order, when known
    _cache: dict = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # -- building -----------------------------------------------------------
    @classmethod
    def from_records(cls, actors: Iterable[Actor], links: Iterable[Link], *, fingerprint: str = "") -> "Projection":
        """A projection of in-memory records (links whose ends are unknown are skipped)."""
        b = _Builder()
        for a in actors:
            b.actor(a.id, a.kind.value, a.name, a.country, a.sensitivity.value, a.sectors, a.countries)
        links = list(links)
        b.add_links(builder_rows(links))
        known = set(b.lids)
        kept = {lk.id: lk for lk in links if lk.id in known}
        proj = b.build(fingerprint)
        proj._fetch = lambda ids: {i: kept[i] for i in ids if i in kept}
        return proj

    @classmethod
    def from_store(cls, store) -> "Projection":
        """A projection of a whole store (any backend; SQLite is read with plain queries)."""
        proj = None
        if getattr(store, "db", None) is not None and hasattr(store, "iter_link_rows"):
            proj = _from_sqlite(store)
        if proj is None:
            proj = cls.from_records(store.iter_actors(), store.iter_links(), fingerprint=store.fingerprint())
        proj.bind(store)
        return proj

    def bind(self, store) -> None:
        """Read link details (sources) from ``store`` from now on."""
        self._fetch = lambda ids: {i: link for i in ids if (link := store.get_link(i)) is not None}

    # -- sizes and lookups --------------------------------------------------
    @property
    def from_disk(self) -> bool:
        """Whether this projection was opened from (or saved to) a file beside the store."""
        return self.disk is not None

    @property
    def n_actors(self) -> int:
        return len(self.actor_ids)

    @property
    def n_links(self) -> int:
        return len(self.link_ids)

    def position(self, actor_id: str) -> int:
        """The position of an actor id; raises :class:`NotFoundError` when absent or hidden."""
        i = self.index.get(actor_id)
        if i is None or not self.active[i]:
            why = "removed for this question" if actor_id in self.removed else "not in the map"
            raise NotFoundError(f"actor {actor_id!r} is {why}", hint="check the id with 'stakemap show'")
        return i

    def actor_ref(self, i: int) -> dict[str, Any]:
        """``{"id", "name", "kind", "country"}`` of the actor at position ``i``."""
        c = int(self.country[i])
        return {"id": self.actor_ids[i], "name": self.names[i], "kind": ACTOR_KINDS[self.kind[i]].value,
                "country": self.countries[c] if c >= 0 else None}

    def actor_kind(self, i: int) -> ActorKind:
        return ACTOR_KINDS[self.kind[i]]

    def actor_country(self, i: int) -> str | None:
        c = int(self.country[i])
        return self.countries[c] if c >= 0 else None

    def link_ref(self, j: int) -> dict[str, Any]:
        """The plain facts of link ``j`` (no sources: see :meth:`citations`)."""
        amount = float(self.amount[j])
        share = float(self.share[j])
        cur = int(self.currency[j])
        return {
            "id": self.link_ids[j], "kind": LINK_KINDS[self.link_kind[j]].value,
            "source": self.actor_ids[self.src[j]], "target": self.actor_ids[self.dst[j]],
            "start": self.start[j], "end": self.end[j], "confidence": CONFIDENCES[self.confidence[j]].value,
            "amount": None if math.isnan(amount) else amount,
            "currency": self.currencies[cur] if cur >= 0 else None,
            "share": None if math.isnan(share) else share,
        }

    def citations(self, link_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Sources of each link (``{"source", "locator", "note"}``), read from the store."""
        ids = list(dict.fromkeys(link_ids))
        found: dict[str, Link] = {}
        if self._fetch is not None and ids:
            try:
                found = self._fetch(ids)
            except Exception:  # a closed or unreachable store: results stay valid without sources
                found = {}
        return {i: [c.model_dump(exclude_none=True) for c in found[i].citations] if i in found else [] for i in ids}

    # -- derived projections ------------------------------------------------
    def without(self, actor_ids: Iterable[str]) -> "Projection":
        """This projection with the given actors (and their links) removed; positions are kept."""
        gone = [self.position(a) for a in dict.fromkeys(actor_ids)]
        if not gone:
            return self
        active = self.active.copy()
        active[gone] = False
        keep = active[self.src] & active[self.dst]
        removed = tuple(dict.fromkeys([*self.removed, *(self.actor_ids[i] for i in gone)]))
        return self.subset(active, keep, removed=removed)

    def restrict(self, max_sensitivity: str | Sensitivity) -> "Projection":
        """This projection without actors or links above a clearance (``public``, ``internal``, ``restricted``)."""
        rank = _SENS[Sensitivity(max_sensitivity).value]
        active = self.active & (self.actor_sensitivity <= rank)
        keep = active[self.src] & active[self.dst] & (self.link_sensitivity <= rank)
        return self.subset(active, keep, clearance=rank)

    def subset(self, active: np.ndarray, keep: np.ndarray, **changes) -> "Projection":
        """This projection with ``active`` as its visible actors and only the links ``keep`` marks
        (positions of actors are kept; links are renumbered). ``keep`` must not hold a link to an
        inactive actor."""
        link_cols = ("link_ids", "link_kind", "src", "dst", "start", "end", "end_year", "confidence",
                     "link_sensitivity", "amount", "currency", "share", "influence_forward", "influence_backward")
        cols = {c: getattr(self, c)[keep] for c in link_cols}
        new = replace(self, active=active, _cache={}, _lock=threading.RLock(), disk=None, link_order=None,
                      **cols, **changes)
        return new

    def is_cached(self, key: Any) -> bool:
        """Whether :meth:`cached` already holds a value for ``key``."""
        return key in self._cache

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """A value derived from this projection, built once per ``key``."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]


def adjacency(proj: Projection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both directions of every link, grouped by actor: ``indptr``, neighbour, link position (cached).

    >>> from graphmodel.models import Actor, Link
    >>> proj = Projection.from_records([Actor(id=i, kind="union", name=i) for i in "abc"],
    ...                                [Link(kind="affiliated_to", source="a", target="b"),
    ...                                 Link(kind="affiliated_to", source="c", target="b")])
    >>> indptr, nbr, via = adjacency(proj)
    >>> b = proj.index["b"]
    >>> sorted(proj.actor_ids[nbr[indptr[b]:indptr[b + 1]]])
    ['a', 'c']
    """
    def build():
        n, m = proj.n_actors, proj.n_links
        tails = np.concatenate([proj.src, proj.dst]).astype(np.int64)
        heads = np.concatenate([proj.dst, proj.src]).astype(np.int64)
        links = np.concatenate([np.arange(m, dtype=np.int64)] * 2)
        order = np.argsort(tails, kind="stable")
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(tails, minlength=n), out=indptr[1:])
        return indptr, heads[order], links[order]
    return proj.cached(("projection", "adjacency"), build)


class _Builder:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.names: list[str] = []
        self.kinds: list[int] = []
        self.country: list[int] = []
        self.country_codes: dict[str, int] = {}
        self.sens: list[int] = []
        self.sectors: dict[int, tuple[str, ...]] = {}
        self.op_countries: dict[int, tuple[str, ...]] = {}
        self.lids: list[str] = []
        self.lkind: list[int] = []
        self.src: list[int] = []
        self.dst: list[int] = []
        self.start: list[str | None] = []
        self.end: list[str | None] = []
        self.conf: list[int] = []
        self.lsens: list[int] = []
        self.extra: dict[int, tuple] = {}  # link position -> (amount, currency, share, forward, backward)

    def _country(self, code: str | None) -> int:
        if not code:
            return -1
        return self.country_codes.setdefault(code, len(self.country_codes))

    def actor(self, actor_id, kind, name, country, sensitivity, sectors=(), countries=()) -> None:
        i = self.index.get(actor_id)
        if i is None:
            i = self.index[actor_id] = len(self.ids)
            self.ids.append(actor_id)
            self.names.append(name)
            self.kinds.append(_AKIND.get(kind, _AKIND["other"]))
            self.country.append(self._country(country))
            self.sens.append(_SENS.get(sensitivity, 0))
        if sectors:
            self.sectors[i] = tuple(sectors)
        if countries:
            self.op_countries[i] = tuple(countries)

    def add_links(self, rows: Iterable[tuple]) -> None:
        """Links as ``(id, kind, source, target, start, end, confidence, sensitivity, amount, currency, share,
        attributes)`` rows (``attributes`` a dict or its JSON); a link whose ends are not both known actors,
        or are one actor, is skipped."""
        index, unmapped = self.index.get, _LKIND["related_to"]
        kind_code, conf_code, sens_code = _LKIND.get, _CONF.get, _SENS.get
        lids, lkind, src, dst = self.lids, self.lkind, self.src, self.dst
        starts, ends, conf, lsens = self.start, self.end, self.conf, self.lsens
        for link_id, kind, source, target, start, end, confidence, sensitivity, amount, currency, share, attrs in rows:
            s, t = index(source), index(target)
            if s is None or t is None or s == t:
                continue
            lids.append(link_id)
            lkind.append(kind_code(kind, unmapped))
            src.append(s)
            dst.append(t)
            starts.append(start)
            ends.append(end)
            conf.append(conf_code(confidence, 0))
            lsens.append(sens_code(sensitivity, 0))
            if amount is not None or share is not None or (attrs and attrs != "{}"):
                self.link_data(len(lids) - 1, amount, currency, share,
                               json.loads(attrs) if isinstance(attrs, str) else attrs)

    def link_data(self, j: int, amount, currency, share, attributes) -> None:
        """The money, share and influence of the link at position ``j``."""
        attributes = attributes or {}
        if share is None:
            share = _unit_or_none(attributes.get("share"))
        fwd = _unit_or_none(attributes.get("influence"))
        bwd = _unit_or_none(attributes.get("influence_backward"))
        if amount is not None or share is not None or fwd is not None or bwd is not None:
            self.extra[j] = (amount, currency, share, fwd, bwd)

    def build(self, fingerprint: str) -> Projection:
        m = len(self.lids)
        amount = np.full(m, np.nan)
        share = np.full(m, np.nan)
        fwd = np.full(m, np.nan)
        bwd = np.full(m, np.nan)
        currency = np.full(m, -1, dtype=np.int16)
        currencies: dict[str, int] = {}
        if self.extra:
            for j, (a, cur, sh, f, b) in self.extra.items():
                if a is not None:
                    amount[j] = float(a)
                if cur:
                    currency[j] = currencies.setdefault(cur, len(currencies))
                if sh is not None:
                    share[j] = sh
                if f is not None:
                    fwd[j] = f
                if b is not None:
                    bwd[j] = b
        start = _objects(self.start)
        end = _objects(self.end)
        end_year = np.array([int(e[:4]) if e else 0 for e in self.end], dtype=np.int32)
        n = len(self.ids)
        return Projection(
            actor_ids=_objects(self.ids), names=_objects(self.names),
            kind=np.array(self.kinds, dtype=np.int8), country=np.array(self.country, dtype=np.int32),
            countries=list(self.country_codes), actor_sensitivity=np.array(self.sens, dtype=np.int8),
            actor_countries=self.op_countries, actor_sectors=self.sectors,
            link_ids=_objects(self.lids), link_kind=np.array(self.lkind, dtype=np.int8),
            src=np.array(self.src, dtype=np.int32), dst=np.array(self.dst, dtype=np.int32),
            start=start, end=end, end_year=end_year,
            confidence=np.array(self.conf, dtype=np.int8), link_sensitivity=np.array(self.lsens, dtype=np.int8),
            amount=amount, currency=currency, currencies=list(currencies), share=share,
            influence_forward=fwd, influence_backward=bwd, active=np.ones(n, dtype=bool),
            fingerprint=fingerprint, index=self.index,
        )


def builder_rows(links: Iterable[Link]) -> Iterator[tuple]:
    """Link models as the rows :meth:`_Builder.add_links` reads."""
    return ((lk.id, lk.kind.value, lk.source, lk.target, lk.start, lk.end, lk.confidence.value, lk.sensitivity.value,
             lk.amount, lk.currency, lk.share, lk.attributes) for lk in links)


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _unit_or_none(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0.0 <= value <= 1.0 else None


def _from_sqlite(store) -> Projection | None:
    """Read a SQLite store with plain queries; ``None`` when its tables are not as expected."""
    db = store.db
    try:
        actor_cols = {row[1] for row in db.execute("PRAGMA table_info(actors)")}
        link_cols = {row[1] for row in db.execute("PRAGMA table_info(links)")}
        if not {"id", "kind", "name", "country", "sensitivity"} <= actor_cols:
            return None
        if {"amount", "currency", "share", "attributes"} <= link_cols:
            columns = "amount, currency, share, attributes"
        elif "doc" in link_cols:  # an older schema: the money in each link's document
            columns = ("json_extract(doc, '$.amount'), json_extract(doc, '$.currency'), json_extract(doc, '$.share'),"
                       " json_extract(doc, '$.attributes')")
        else:
            return None
        b = _Builder()
        fingerprint = store.fingerprint()
        for actor_id, kind, name, country, sensitivity in db.execute(
                "SELECT id, kind, name, country, sensitivity FROM actors"):
            b.actor(actor_id, kind, name, country, sensitivity)
        if "doc" in actor_cols:
            for actor_id, sectors, countries in db.execute(
                    "SELECT id, json_extract(doc, '$.sectors'), json_extract(doc, '$.countries') FROM actors"
                    " WHERE json_extract(doc, '$.sectors') != '[]' OR json_extract(doc, '$.countries') != '[]'"):
                i = b.index[actor_id]
                if sectors and sectors != "[]":
                    b.sectors[i] = tuple(json.loads(sectors))
                if countries and countries != "[]":
                    b.op_countries[i] = tuple(json.loads(countries))
        # one pass over the links, in the table's order, their money with them
        b.add_links(db.execute(f'SELECT id, kind, source, target, start, "end", confidence, sensitivity, {columns}'  # nosec B608
                               " FROM links"))  # (columns from the constants above)
    except sqlite3.Error:
        return None
    return b.build(fingerprint)


