"""The dashboard's only way to the store, and where the viewer's clearance is applied.

This is the core every answer is built on: which store and settings the
dashboard uses, the store handle, the map as a viewer may see it
(:func:`projection`), the caches, and the helpers that keep hidden records out
(:func:`_visible`, :func:`cite`, :func:`hidden_names`). The questions the pages
ask are answered in :mod:`dashboard.answers`, one module per page or family of
questions, each built on this module (which imports none of them).

Every answer takes the :class:`~dashboard.access.Viewer` first and returns
plain data (dicts and lists) holding only what that viewer may see: actors and
links above the viewer's clearance, and people unless the viewer may see
people, are dropped *before* anything is computed (the analyses run on
:func:`projection`, a copy of the map restricted to the viewer), so they never
appear in a graph, a table, a search suggestion, an export, an error message
or a count.

Analyses run on the analysis engine's cached projection
(:func:`graphmodel.analysis.get_projection`), rebuilt when the store's
fingerprint changes; the restricted copy is cached per projection and viewer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from graphmodel.analysis import Projection, Weights, get_projection
from graphmodel.analysis.projection import ACTOR_KINDS
from graphmodel.analysis.projection_cache import saved_json, saved_stats
from graphmodel.errors import StakemapError
from graphmodel.kinds import SENSITIVITY_RANK, ActorKind
from graphmodel.settings import parse_store_url, resolve_store_url
from graphmodel.store import Store, open_store

from .access import Viewer
from .free_text import name_pattern, redact_fields


class DataError(StakemapError):
    """A question the dashboard cannot answer, said in words safe to show the viewer."""


@dataclass
class _Config:
    store_url: str | None = None
    weights_file: str | None = None
    context_file: str | None = None


_config = _Config()
_store: Store | None = None
_store_lock = threading.Lock()
_cache_lock = threading.Lock()
_restricted: OrderedDict[tuple, Projection] = OrderedDict()
_memo: OrderedDict[tuple, Any] = OrderedDict()
_building: dict[tuple, threading.Event] = {}
_KEEP = 8


def configure(store_url: str | None = None, *, weights_file: str | Path | None = None,
              context_file: str | Path | None = None) -> None:
    """Say which store, influence weights and context table the dashboard uses (closes an open store)."""
    global _store
    with _store_lock:
        if _store is not None:
            _store.close()
            _store = None
        _config.store_url = resolve_store_url(store_url)
        _config.weights_file = str(weights_file) if weights_file else None
        _config.context_file = str(context_file) if context_file else None
    Weights.load(_config.weights_file)  # fail early on a bad file
    with _cache_lock:
        _restricted.clear()
        _memo.clear()


def store() -> Store:
    """The open store (opened on first use; shared by all requests)."""
    global _store
    with _store_lock:
        if _store is None:
            _store = open_store(_config.store_url, create=False)
        return _store


def store_label() -> str:
    """The store URL without secrets."""
    return parse_store_url(resolve_store_url(_config.store_url)).display


def weights() -> Weights:
    """The influence weights in use."""
    return _memoised(("weights", _config.weights_file), lambda: Weights.load(_config.weights_file))


def _memoised(key: tuple, build):
    """``build()``, kept under ``key``; a second caller asking for a key being built waits for that
    build instead of repeating it (a slow answer asked for by several requests at once)."""
    return _once(_memo, 64, key, build)


def _once(cache: OrderedDict, keep: int, key: tuple, build):
    """``cache[key]``, made by ``build()`` if missing, by one caller at a time per key (the others wait
    for it; if it fails, the next builds again); ``cache`` keeps the ``keep`` last used."""
    flag = (id(cache), key)
    while True:
        with _cache_lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
            running = _building.get(flag)
            if running is None:
                done = _building[flag] = threading.Event()
                break
        running.wait()
    try:
        value = build()
        with _cache_lock:
            cache[key] = value
            while len(cache) > keep:
                cache.popitem(last=False)
    finally:
        with _cache_lock:
            del _building[flag]
        done.set()
    return value


# -- the viewer's map --------------------------------------------------------------------
def projection(viewer: Viewer) -> Projection:
    """The map as ``viewer`` may see it: above-clearance records and (unless allowed) people removed.
    Made once per viewer and projection: a second caller meanwhile waits for it."""
    full = get_projection(store())
    key = (id(full), full.fingerprint, viewer.key)
    return _once(_restricted, _KEEP, key, lambda: restrict(full, viewer))


def restrict(proj: Projection, viewer: Viewer) -> Projection:
    """``proj`` without what ``viewer`` may not see. People are hidden, not *removed*: a removed
    actor would be named in results' ``without`` lists."""
    actors, links = _seen_by(proj, viewer)
    return proj.subset(actors, links, clearance=SENSITIVITY_RANK[viewer.clearance])


def _seen_by(proj: Projection, viewer: Viewer) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the actors and links of ``proj`` that ``viewer`` may see (the exports' clearance rule)."""
    from graphmodel.export import Clearance
    from graphmodel.export.projected import visible
    from graphmodel.export.selection import LinkFilter

    return visible(proj, Clearance(viewer.clearance, viewer.include_people), LinkFilter())


def _visible(proj: Projection, actor_id: str | None) -> int | None:
    if not actor_id:
        return None
    i = proj.index.get(actor_id)
    return i if i is not None and proj.active[i] else None


def fingerprint() -> str:
    return store().fingerprint()


def store_stats():
    """The store's statistics (counts by kind, country and origin; last write), computed once per store
    content and saved beside the projection, since counting a large store takes a second."""
    return _memoised(("stats", fingerprint()), lambda: saved_stats(store()))


# -- sources and free text, as the viewer may read them ------------------------------------
def sources_index() -> dict[str, dict[str, Any]]:
    """Every source by id (documents and datasets), cached per store content."""
    def build():
        return {s.id: s.model_dump(mode="json", exclude_none=True) for s in store().sources()}
    return _memoised(("sources", fingerprint()), build)


def cite(citations: list[dict[str, Any]], viewer: Viewer) -> list[dict[str, Any]]:
    """Citations with their source's title, author, year and address filled in, free text as the viewer
    may see it (:mod:`dashboard.free_text`)."""
    index = sources_index()
    hidden = hidden_names(viewer)
    out = []
    for c in citations:
        src = index.get(c.get("source"), {})
        out.append(redact_fields({**c, "title": src.get("title") or c.get("source"), "year": src.get("year"),
                                  "publisher": src.get("publisher"), "author": src.get("author"),
                                  "url": src.get("url")}, hidden, authors=viewer.include_people))
    return out


def hidden_names(viewer: Viewer):
    """A pattern of the names and aliases of the people in the map this viewer may not see."""
    def build():
        full = get_projection(store())
        person = ACTOR_KINDS.index(ActorKind.PERSON)
        mask_rows = full.kind == person
        if viewer.include_people:
            mask_rows &= full.actor_sensitivity > viewer.rank
        ids = full.actor_ids[mask_rows].tolist()
        people = store().get_actors(ids).values() if ids else []
        return name_pattern([n for a in people for n in (a.name, *a.aliases)])
    return _memoised(("hidden-names", fingerprint(), viewer.key), build)


# -- for the answers: actors they must be given, and the sources of their paths -------------
def _need(proj: Projection, actor_id: str | None, role: str) -> None:
    """Refuse, in words safe to show, an actor the viewer cannot see (or none) where one is needed."""
    if _visible(proj, actor_id) is None:
        raise DataError(f"Choose {role}: no actor with that id is on the map.")


def _cited_paths(paths: list[dict[str, Any]], viewer: Viewer) -> None:
    """Fill in, in place, the sources of every hop of ``paths`` as the viewer may read them (:func:`cite`)."""
    for p in paths:
        if p:
            for hop in p["hops"]:
                hop["sources"] = cite(hop.get("sources", []), viewer)
