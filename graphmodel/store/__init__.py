"""Stores: one contract, several backends. :func:`open_store` picks one by URL.

* :mod:`~graphmodel.store.contract`: what every backend provides (batches, subgraphs, stats);
* :mod:`~graphmodel.store.claims`: how the claims of several origins on an actor combine;
* :mod:`~graphmodel.store.sqlite`: the embedded backend, one SQLite file;
* :mod:`~graphmodel.store.neo4j`: the Neo4j backend, made of the ``neo4j_*`` modules and
  :mod:`~graphmodel.store.cypher`, the statements it sends.

Modules here import the layer below (records, kinds, ids, values, text, errors,
settings), :mod:`graphmodel.propertygraph` and each other, never the exports,
analyses, ingest or dashboard. They import a sibling by its module
(``from .cypher import ...``), never through this package, which imports the
backends lazily: the Neo4j driver loads only for a Neo4j store.
"""

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
