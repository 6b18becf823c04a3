"""The Neo4j store: the store contract on a shared Neo4j 5 database.

Graph model, as Cypher users see it
-----------------------------------
* ``(:Actor:<Kind> {id, kind, name, aliases, country, ...})``: one node per
  actor, with the kind's label from the kinds table (``:Union``, ``:Brand``...).
* ``(:Actor)-[:<TYPE> {id, kind, start, end, amount, currency, share,
  confidence, sensitivity, citation_sources, citation_locators,
  citation_notes, sources, origins}]->(:Actor)``: one relationship per link,
  typed from the kinds table (``FUNDS``, ``SOURCES_FROM``...).
* ``(:Source {id, title, ...})``: the documents and datasets records cite.
* ``origins`` on each record lists the ingest origins claiming it;
  ``sm_claims`` keeps each origin's claim (JSON) so removing an origin can
  re-merge what the others said.
* One ``(:StakemapMeta {id: 'store'})`` node: the write lock and the number
  of the last committed run.

Atomicity without one giant transaction
---------------------------------------
An ingest is a *run* with a sequence number ``S`` taken under the store's
write lock (a lease on the meta node). Its writes go out as many ``UNWIND``
batches, each a managed transaction, and none of them is visible yet:

* new records carry ``sm_seq = S``; readers keep only ``sm_seq <= committed``;
* a changed record keeps its properties and gets ``sm_next`` (the new ones, as
  JSON) and ``sm_next_seq = S``; readers use ``sm_next`` once ``S`` is committed;
* a deleted record gets ``sm_del = S``; readers drop it once ``S`` is committed.

The commit is one property of one node (``committed = S``); afterwards the
run applies its changes in place and purges deleted records, which leaves the
graph clean for Cypher users (one node per actor, one relationship per link,
no markers). A run that fails or is killed before its commit is invisible;
the next writer (or the failing one, when it can) sweeps it away. A run that
dies after its commit is finished by the next writer. None of this relies on
a transaction rolling back, so it holds on servers that do not roll back and
on Neo4j at any size.

Batches are bounded by rows and by bytes (:class:`BatchLimits`); the default
suits Neo4j, and small stand-in servers need smaller ones.

Where the parts live
--------------------
This module is the entry point: :class:`Neo4jStore` and the names callers
import. The parts it is made of:

* :mod:`graphmodel.propertygraph`: records as node and relationship
  properties, shared with the Cypher export;
* :mod:`graphmodel.store.cypher`: every statement the store sends;
* :mod:`graphmodel.store.neo4j_batches`: batch limits and batching;
* :mod:`graphmodel.store.neo4j_connection`: the driver, errors, first-use schema;
* :mod:`graphmodel.store.neo4j_reads`: reads of committed records;
* :mod:`graphmodel.store.neo4j_run`: a run worked out in memory (pure);
* :mod:`graphmodel.store.neo4j_writes`: the write lock, runs, commit, recovery.
"""

from __future__ import annotations

import getpass
import os
import sys
import uuid

from ..errors import ConfigError
from ..propertygraph import (
    actor_from_props,
    actor_props,
    link_claims,
    link_from_props,
    link_props,
    source_from_props,
    source_props,
)
from ..settings import StoreURL
from .contract import Store
from .cypher import CLEAR_SLICE, META_ID, META_INIT, META_READ
from .neo4j_batches import BATCH_BYTES_ENV, BATCH_ROWS_ENV, BatchLimits, batches
from .neo4j_connection import PASSWORD_ENV, SCHEMA_VERSION, escape_for_opencypher_bolt
from .neo4j_writes import Neo4jWrites

__all__ = [
    "BATCH_BYTES_ENV", "BATCH_ROWS_ENV", "PASSWORD_ENV", "SCHEMA_VERSION", "BatchLimits", "Neo4jStore",
    "actor_from_props", "actor_props", "batches", "escape_for_opencypher_bolt", "link_claims", "link_from_props",
    "link_props", "source_from_props", "source_props",
]


class Neo4jStore(Neo4jWrites, Store):
    """The store contract on Neo4j 5 (or any Bolt server speaking its Cypher)."""

    @classmethod
    def from_url(cls, url: StoreURL, **options) -> "Neo4jStore":
        """Open the store a parsed ``--store`` URL names; the password comes from
        ``STAKEMAP_NEO4J_PASSWORD`` or, at a terminal, a prompt."""
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            if not sys.stdin or not sys.stdin.isatty():
                raise ConfigError(f"no password for {url.display}",
                                  hint=f"set {PASSWORD_ENV} (the password is never part of the URL)")
            password = getpass.getpass(f"Neo4j password for {url.display}: ")
        uri = f"{url.scheme}://{url.host}:{url.port or 7687}"
        options.setdefault("limits", BatchLimits.from_env())
        return cls(uri, user=url.user or "neo4j", password=password, database=url.database,
                   display=url.display, **options)

    # -- for tests and sync ----------------------------------------------------------------------------
    def clear(self) -> None:
        """Delete everything in the database (tests; ``stakemap sync --replace``)."""
        self._loop(CLEAR_SLICE, 0)
        self._one(META_INIT, write=True, meta=META_ID, store_id=uuid.uuid4().hex, schema=SCHEMA_VERSION,
                  dialect=self._dialect, splices=self.stand_in)
        row = self._one(META_READ, meta=META_ID)
        self.store_id = row["meta"]["store_id"]
