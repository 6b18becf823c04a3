"""Stores: one contract, several backends. :func:`open_store` picks one by URL."""

from __future__ import annotations

from ..settings import parse_store_url, resolve_store_url
from .contract import Batch, Stats, Store, StoreView, StoreWriter, Subgraph, WriteResult

__all__ = ["Batch", "Stats", "Store", "StoreView", "StoreWriter", "Subgraph", "WriteResult", "open_store"]


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open the store at ``url`` (or ``STAKEMAP_STORE``, or ``./stakemap.db``)."""
    parsed = parse_store_url(resolve_store_url(url))
    if parsed.scheme == "sqlite":
        from .sqlite import SQLiteStore

        return SQLiteStore(parsed.path, create=create)
    from .neo4j import Neo4jStore  # imported lazily: the driver is only needed for Neo4j

    return Neo4jStore.from_url(parsed)
