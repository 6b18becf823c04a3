"""Writing to the Neo4j store: the write lock, runs, their commit, and recovery from runs that died.

A write takes the lock (a lease on the ``StakemapMeta`` node) and with it a
run number; reads what the run touches from committed state; works out every
change in memory (:class:`~graphmodel.store.neo4j_run.Run`); sends it in
batches that stay invisible; commits by setting one property; then applies
the changes in place. Whatever a run leaves unfinished, the next writer sweeps
away (before the commit) or finishes (after it): see :meth:`Neo4jWrites._recover`.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timezone
from functools import partial

from ..errors import StoreChanged, StoreError
from ..ids import link_id as derived_link_id
from ..kinds import ActorKind, LinkKind
from ..models import Source
from ..propertygraph import link_kind_of_type
from .contract import Batch, WriteResult
from .cypher import (
    ACTOR,
    ACTOR_IDS_OF_ORIGIN,
    ACTORS_BY_ID,
    COMMIT,
    DELETED_LINKS,
    DOC,
    HISTORY,
    LINK_IDS_AT,
    LINK_IDS_OF_ORIGIN,
    LOCK_ACQUIRE,
    LOCK_HOLDER,
    LOCK_RELEASE,
    LOCK_RENEW,
    META_ID,
    PENDING_LINKS,
    SOURCE,
    SOURCE_APPLY,
    SOURCES_ALL,
    SWEEP_LINKS,
    VERSION,
    actor_apply,
    deleted_nodes,
    link_apply,
    pending_nodes,
    sweep_nodes,
)
from .neo4j_batches import batches
from .neo4j_history import Neo4jHistory
from .neo4j_reads import Neo4jReads, resolve
from .neo4j_run import Rec, Run, Write

log = logging.getLogger(__name__)


def _now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Neo4jWrites(Neo4jHistory, Neo4jReads):
    """The store contract's writes on Neo4j, all-or-nothing without one giant transaction."""

    def _write_rows(self, statement: str, rows: list, key: str = "rows", run: Run | None = None,
                    expect: bool = False, **params) -> int:
        done = 0
        for chunk in batches(rows, statement, self.limits):
            if run is not None:
                self._renew(run)
            records = self._exec(statement, {**params, key: chunk}, write=True)
            n = records[0]["n"] if records else 0
            if expect and n != len(chunk):
                raise StoreError(f"the server wrote {n} of {len(chunk)} records in one batch",
                                 hint="an actor a link refers to may have been removed meanwhile; nothing was committed")
            done += n
        return done

    # -- the write lock ------------------------------------------------------------------------
    def _lock(self) -> Run:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.lock_wait_seconds
        delay = 0.05
        while True:
            now = int(time.time() * 1000)
            row = self._one(LOCK_ACQUIRE, write=True, meta=META_ID, token=token, now=now,
                            until=now + int(self.lease_seconds * 1000))
            if row is not None:
                run = Run(seq=row["seq"], token=token, committed=row["committed"])
                if row["stale"] or (row["applied"] or 0) < row["committed"]:
                    self._recover(run)
                return run
            if time.monotonic() > deadline:
                holder = self._one(LOCK_HOLDER, meta=META_ID)
                until = holder["until"] if holder else None
                when = datetime.fromtimestamp(until / 1000, timezone.utc).isoformat(timespec="seconds") if until else "?"
                raise StoreError(f"another write to {self.url} is in progress (its lease runs until {when})",
                                 hint="wait for it to finish and try again")
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def _renew(self, run: Run) -> None:
        if time.monotonic() - run.renewed < self.lease_seconds / 4:
            return
        until = int(time.time() * 1000 + self.lease_seconds * 1000)
        if self._one(LOCK_RENEW, write=True, meta=META_ID, token=run.token, until=until) is None:
            raise StoreError(f"lost the write lock on {self.url} (the lease ran out); nothing was committed",
                             hint="try again; raise the lease for very slow servers")
        run.renewed = time.monotonic()

    def _release(self, run: Run) -> None:
        self._one(LOCK_RELEASE, write=True, meta=META_ID, token=run.token)

    def _loop(self, statement: str, committed: int) -> int:
        total = 0
        while True:
            row = self._one(statement, write=True, committed=committed, limit=self.limits.rows)
            n = row["n"] if row else 0
            total += n
            if not n:
                return total

    def _recover(self, run: Run) -> None:
        """Undo what runs after the last commit left; finish what committed runs began."""
        c = run.committed
        for statement in (SWEEP_LINKS + sweep_nodes(ACTOR) + sweep_nodes(SOURCE) + sweep_nodes(VERSION)[:1]
                          + sweep_nodes(HISTORY)[:1] + sweep_nodes(DOC)):
            self._loop(statement, c)
        for label in (ACTOR, SOURCE):
            while True:
                rows = self._read(pending_nodes(label), committed=c, limit=self.limits.rows)
                if not rows:
                    break
                by_kind: dict[str, list] = defaultdict(list)
                for r in rows:
                    props = json.loads(r["next"])
                    by_kind[props.get("kind", "") if label == ACTOR else ""].append({"id": r["id"], "props": props})
                for kind, items in by_kind.items():
                    stmt = actor_apply(ActorKind(kind)) if label == ACTOR else SOURCE_APPLY
                    self._write_rows(stmt, items)
        while True:
            rows = self._read(PENDING_LINKS, committed=c, limit=self.limits.rows)
            if not rows:
                break
            by_type: dict[str, list] = defaultdict(list)
            for r in rows:
                by_type[r["type"]].append({"id": r["id"], "seq": r["seq"], "props": json.loads(r["next"])})
            for rel_type, items in by_type.items():
                self._write_rows(link_apply(link_kind_of_type(rel_type)), items)
        for statement in (DELETED_LINKS, deleted_nodes(ACTOR), deleted_nodes(SOURCE), deleted_nodes(DOC)):
            self._loop(statement, c)

    # -- writing ---------------------------------------------------------------------------------
    def write_all(self, batches: list[Batch], *, replace: bool = True, expect: str | None = None,
                  who: str | None = None, note: str | None = None,
                  docs: dict[str, dict[str, dict | None]] | None = None, action: str = "ingest") -> list[WriteResult]:
        if not batches:
            return []
        origins = list(dict.fromkeys(b.origin.id for b in batches))
        return self._in_run(lambda run: [self._stage_batch(run, b, replace) for b in batches], expect,
                            version=(who, action, origins, note), docs=docs)

    def remove_origin(self, origin_id: str, *, who: str | None = None) -> WriteResult:
        return self._in_run(lambda run: self._stage_removal(run, origin_id), version=(who, "remove", [origin_id], None))

    def _in_run(self, stage, expect: str | None = None, *, version: tuple,
                docs: dict[str, dict[str, dict | None]] | None = None):
        run = self._lock()
        committed = False
        try:
            if expect is not None and f"{self.store_id}:{run.committed}" != expect:
                raise StoreChanged(f"{self.url} was changed by another writer while this one was reading",
                                   hint="run it again")
            result = stage(run)
            self._flush(run)
            doc_writes, retired = self._doc_writes(run, docs or {})
            for write in [*self._version_writes(run, *version), *doc_writes]:
                self._send(write, run)
            self._renew(run)
            row = self._one(COMMIT, write=True, meta=META_ID, token=run.token, seq=run.seq, now=_now_text())
            if row is None:
                raise StoreError(f"lost the write lock on {self.url} before committing; nothing was committed",
                                 hint="try again")
            committed = True
            run.committed = run.seq
            self._apply(run)
            for write in self._purge_docs(retired, run.committed):
                self._send(write)
            self._release(run)
            return result
        except BaseException as exc:
            try:
                self._recover(run)
                self._release(run)
            except Exception:  # the next writer sweeps what is left
                log.warning("could not tidy up after a failed write; the next write will", exc_info=True)
            if committed and not isinstance(exc, KeyboardInterrupt):
                log.warning("write committed; tidying up failed and will be finished by the next write")
                return result
            raise

    def _send(self, write: Write, run: Run | None = None) -> None:
        self._write_rows(write.statement, write.rows, key=write.key, run=run, expect=write.expect, **write.params)

    def _flush(self, run: Run) -> None:
        """Send the run's changes, invisible until the commit."""
        for write in run.flush_writes():
            self._send(write, run)

    def _apply(self, run: Run) -> None:
        """After the commit: make the graph clean again."""
        for write in run.apply_writes():
            self._send(write)

    # staging: compute every change in memory, reading only committed state
    def _load_actors(self, run: Run, ids: Iterable[str]) -> None:
        missing = [i for i in dict.fromkeys(ids) if i not in run.actors]
        for chunk in batches(missing, ACTORS_BY_ID, self.limits):
            self._renew(run)
            for r in self._read(ACTORS_BY_ID, meta=META_ID, ids=chunk):
                p = resolve(dict(r["p"]), r["c"])
                run.actors[p["id"]] = Rec(base=p, new=p, kind=p["kind"], base_kind=p["kind"])
        for i in missing:
            run.actors.setdefault(i, Rec(base=None, new=None))

    def _load_links(self, run: Run, wanted: dict[str, LinkKind], anywhere: Iterable[str] = ()) -> None:
        """Read the committed links ``wanted`` names, each under its kind; those in ``anywhere`` (ids
        that do not encode their kind) are also looked for under the other kinds, so that a link given
        a new kind is moved, not doubled."""
        by_kind: dict[LinkKind, list[str]] = defaultdict(list)
        for link_id, kind in wanted.items():
            if link_id not in run.links:
                by_kind[kind].append(link_id)
        renew = partial(self._renew, run)  # keeps the lease while reading
        for kind, ids in by_kind.items():
            for r in self._link_rows(ids, [kind], renew):
                self._remember_link(run, r)
        for r in self._link_rows([i for i in anywhere if i not in run.links], list(LinkKind), renew):
            self._remember_link(run, r)
        for ids in by_kind.values():
            for i in ids:
                run.links.setdefault(i, Rec(base=None, new=None))

    @staticmethod
    def _remember_link(run: Run, r) -> None:
        p = resolve(dict(r["p"]), r["c"])
        ends = (r["source"], r["target"])
        kind = link_kind_of_type(r["type"]).value
        run.links[p["id"]] = Rec(base=p, new=p, kind=kind, base_kind=kind, ends=ends, base_ends=ends)

    def _load_sources(self, run: Run) -> dict[str, Rec]:
        if run.sources is None:
            run.sources = {}
            for r in self._read(SOURCES_ALL, meta=META_ID):
                p = resolve(dict(r["p"]), r["c"])
                run.sources[p["id"]] = Rec(base=p, new=p)
        return run.sources

    def _stage_sources(self, run: Run, sources: list[Source]) -> None:
        self._load_sources(run)
        run.stage_sources(sources)

    def _stage_batch(self, run: Run, batch: Batch, replace: bool) -> WriteResult:
        run.batch_no += 1
        origin = batch.origin.id
        self._stage_sources(run, [batch.origin, *batch.sources])
        actors = {a.id: a for a in batch.actors}
        self._load_actors(run, actors)
        for actor in actors.values():
            run.stage_actor(origin, actor)

        links = {link.id: link for link in batch.iter_links()}
        self._load_links(run, {i: link.kind for i, link in links.items()},
                         anywhere=[i for i, lk in links.items() if i != derived_link_id(lk.source, lk.kind, lk.target, lk.start)])
        ends = {e for link in links.values() for e in (link.source, link.target)}
        self._load_actors(run, ends)
        for link in links.values():
            run.stage_link(origin, link)

        removed_links = removed_actors = 0
        if replace:
            stale_links = [i for i in self._claimed_links(run, origin) if i not in links]
            removed_links = run.drop_link_claims(stale_links, origin)
            stale_actors = [i for i in self._claimed_actors(run, origin) if i not in actors]
            removed_actors = self._release_actors(run, stale_actors, origin)
        return WriteResult(origin, len(actors), len(links), removed_actors, removed_links)

    def _claimed_actors(self, run: Run, origin: str) -> list[str]:
        ids = [r["id"] for r in self._read(ACTOR_IDS_OF_ORIGIN, meta=META_ID, origin=origin)]
        self._load_actors(run, ids)
        return sorted(i for i, rec in run.actors.items() if rec.new and origin in rec.new.get("origins", []))

    def _claimed_links(self, run: Run, origin: str) -> list[str]:
        rows = self._read(LINK_IDS_OF_ORIGIN, meta=META_ID, origin=origin)
        self._load_links(run, {r["id"]: link_kind_of_type(r["type"]) for r in rows})
        return sorted(i for i, rec in run.links.items() if rec.new and origin in rec.new.get("origins", []))

    def _release_actors(self, run: Run, actor_ids: list[str], origin: str) -> int:
        """Remove ``origin``'s claim on these actors; delete those left unclaimed and unlinked."""
        orphans = run.release_claims(actor_ids, origin)
        return run.drop_orphans(orphans, self._linked(run, orphans))

    def _linked(self, run: Run, actor_ids: list[str]) -> set[str]:
        """Which of these actors have a link after this run."""
        if not actor_ids:
            return set()
        committed: dict[str, list[str]] = {}
        for chunk in batches(actor_ids, LINK_IDS_AT, self.limits):
            for r in self._read(LINK_IDS_AT, meta=META_ID, ids=chunk):
                committed[r["at"]] = list(r["links"])
        return run.linked(actor_ids, committed)

    def _stage_removal(self, run: Run, origin: str) -> WriteResult:
        link_ids = self._claimed_links(run, origin)
        run.drop_link_claims(link_ids, origin)
        removed_actors = self._release_actors(run, self._claimed_actors(run, origin), origin)
        recs = self._load_sources(run)
        if origin in recs:
            recs[origin].new = None
        return WriteResult(origin, 0, 0, removed_actors, len(link_ids))
