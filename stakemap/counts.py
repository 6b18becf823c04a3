"""What a store holds, counted as a clearance sees it: ``stakemap stats`` and ``Map.stats()``.

At full clearance the counts are the store's own (:meth:`~graphmodel.store.contract.StoreView.stats`) with
each origin's ledger. Below it they are counted over the records the clearance shows, so nothing withheld
is counted: sources are those the shown records cite and the origins they come from, and the ledgers (which
name the actors records were merged into) are left out.

>>> from graphmodel.models import Actor, Link, Source
>>> from graphmodel.store import Batch
>>> from graphmodel.store.sqlite import SQLiteStore
>>> from stakemap.clearance import clearance_of
>>> st = SQLiteStore(":memory:")
>>> _ = st.write(Batch(Source(id="demo", title="Demo"), actors=[
...     Actor(id="fnv", kind="sso", name="FNV Mondiaal"), Actor(id="p1", kind="person", name="An organiser")],
...     links=[Link(id="l1", kind="supports", source="p1", target="fnv")]))
>>> full, public = map_stats(st), map_stats(st, clearance_of("public"))
>>> (full.actors, full.links), (public.actors, public.links), public.records_by_origin
((2, 1), (1, 0), {'demo': {'actors': 1, 'links': 0}})
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from graphmodel.export.redaction import Clearance

from .clearance import FULL


class MapStats(BaseModel):
    """``stakemap stats --json``: counts by kind, country and origin, and each origin's ledger."""

    store: str
    actors: int
    links: int
    sources: int
    actors_by_kind: dict[str, int]
    links_by_kind: dict[str, int]
    actors_by_country: dict[str, int]
    records_by_origin: dict[str, dict[str, int]]
    last_write: str | None = None
    ledgers: dict[str, Any] = Field(default_factory=dict)


def map_stats(store: Any, clearance: Clearance = FULL) -> MapStats:
    """The counts of ``store`` as ``clearance`` sees it (see the module notes)."""
    from graphmodel.analysis.projection_cache import saved_stats

    s = saved_stats(store)  # counted once per store content
    if clearance == FULL:
        ledgers = {src.id: json.loads(src.ledger) for src in store.sources() if src.ledger}
        return MapStats(store=store.url, **s.as_dict(), ledgers=ledgers)
    from graphmodel.export import Selection, select_subgraph

    shown = select_subgraph(store, Selection(clearance=clearance.level, include_people=clearance.include_people))
    by_origin: dict[str, dict[str, int]] = {}
    for what, records in (("actors", shown.actors), ("links", shown.links)):
        for record_id in records:
            for origin in store.origins_of(record_id):
                by_origin.setdefault(origin, {"actors": 0, "links": 0})[what] += 1
    known = {src.id for src in store.sources()}
    cited = {src.id for src in shown.sources} | (known & set(by_origin))
    return MapStats(
        store=store.url, actors=len(shown.actors), links=len(shown.links), sources=len(cited),
        actors_by_kind=_ranked(a.kind.value for a in shown.actors.values()),
        links_by_kind=_ranked(lk.kind.value for lk in shown.links.values()),
        actors_by_country=_ranked(a.country or "" for a in shown.actors.values()),
        records_by_origin=dict(sorted(by_origin.items())), last_write=s.last_write)


def _ranked(values: Any) -> dict[str, int]:
    """Counts, most first, then by name (the order of the store's own counts)."""
    return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))
