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
"""

from __future__ import annotations

import getpass
import heapq
import json
import logging
import os
import socket
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..errors import ConfigError, StoreChanged, StoreError
from ..ids import link_id as derived_link_id
from ..kinds import LINK_SPECS, ActorKind, LinkKind
from ..models import Actor, Citation, Link, Source, identifier_scheme, merge_citations, merge_identifiers
from ..settings import StoreURL
from ..text import normalise_name
from . import cypher as q
from .contract import Batch, Stats, Store, WriteResult
from .sqlite import actor_keys, merge_actor_claims

log = logging.getLogger(__name__)

# The name of the environment variable that holds the password (not a password).
PASSWORD_ENV = "STAKEMAP_NEO4J_PASSWORD"  # nosec B105
BATCH_ROWS_ENV = "STAKEMAP_NEO4J_BATCH_ROWS"
BATCH_BYTES_ENV = "STAKEMAP_NEO4J_BATCH_BYTES"
SCHEMA_VERSION = 1
_TYPE_TO_KIND = {LINK_SPECS[k].neo4j_type: k for k in LinkKind}


@dataclass(frozen=True)
class BatchLimits:
    """How much one ``UNWIND`` statement may carry: at most ``rows`` rows and
    about ``bytes`` bytes of parameters plus statement text.

    The default (2,000 rows, 4 MB) is in the range Neo4j's own guidance gives
    for batched writes (thousands of rows per transaction, a few MB per
    message). ``read_page`` is how many rows a paged read asks for.
    """

    rows: int = 2000
    bytes: int = 4_000_000
    read_page: int = 5000

    def __post_init__(self) -> None:
        if self.rows < 1 or self.bytes < 256 or self.read_page < 1:
            raise ConfigError(f"batch limits too small: {self}")

    @classmethod
    def from_env(cls) -> "BatchLimits":
        rows = os.environ.get(BATCH_ROWS_ENV)
        size = os.environ.get(BATCH_BYTES_ENV)
        try:
            return cls(rows=int(rows) if rows else cls.rows, bytes=int(size) if size else cls.bytes)
        except ValueError as exc:
            raise ConfigError(f"{BATCH_ROWS_ENV} and {BATCH_BYTES_ENV} must be whole numbers") from exc


def _now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _size(value: Any) -> int:
    """Roughly the bytes a value takes on the wire: its repr's UTF-8 length, a little more than
    PackStream needs for the short strings and maps we send, and several times cheaper than JSON."""
    return len(repr(value).encode("utf-8", "surrogatepass")) + 4


def batches(rows: list, statement: str, limits: BatchLimits) -> Iterator[list]:
    """Split ``rows`` into chunks within ``limits`` (a row larger than the budget goes alone).

    >>> [len(b) for b in batches(list(range(5)), "RETURN 1", BatchLimits(rows=2))]
    [2, 2, 1]
    """
    budget = limits.bytes - len(statement.encode()) - 256
    chunk: list = []
    used = 0
    for row in rows:
        size = _size(row)
        if chunk and (len(chunk) >= limits.rows or used + size > budget):
            yield chunk
            chunk, used = [], 0
        chunk.append(row)
        used += size
    if chunk:
        yield chunk


# -- records <-> properties --------------------------------------------------------------------
def _clean(props: dict) -> dict:
    return {k: v for k, v in props.items() if v is not None}


def actor_props(actor: Actor, claims: list[dict], seq: int) -> dict:
    """An actor's node properties: its merged fields, its claims and its lookup keys."""
    names = [actor.name, *actor.aliases]
    name_keys = list(dict.fromkeys(k for k in (normalise_name(n) for n in names) if k))
    return _clean({
        "id": actor.id, "kind": actor.kind.value, "name": actor.name, "aliases": list(actor.aliases),
        "country": actor.country, "countries": list(actor.countries), "sectors": list(actor.sectors),
        "identifiers": [f"{identifier_scheme(k)}:{v}" for k, v in actor.identifiers.items()],
        "description": actor.description, "sensitivity": actor.sensitivity.value,
        "citation_sources": [c.source for c in actor.citations],
        "citation_locators": [c.locator or "" for c in actor.citations],
        "citation_notes": [c.note or "" for c in actor.citations],
        "attributes": json.dumps(actor.attributes, ensure_ascii=False) if actor.attributes else None,
        "origins": [c["origin"] for c in claims],
        "sm_claims": [json.dumps(c, ensure_ascii=False) for c in claims],
        "name_keys": name_keys,
        "lookup": "\n" + "\n".join(sorted(actor_keys(actor))) + "\n",
        "sm_seq": seq,
    })


def actor_from_props(p: dict) -> Actor:
    cites = zip(p.get("citation_sources", []), p.get("citation_locators", []), p.get("citation_notes", []))
    return Actor.model_validate({
        "id": p["id"], "kind": p["kind"], "name": p["name"], "aliases": p.get("aliases", []),
        "country": p.get("country"), "countries": p.get("countries", []), "sectors": p.get("sectors", []),
        "identifiers": merge_identifiers(*({k: v} for k, v in (i.split(":", 1) for i in p.get("identifiers", [])))),
        "description": p.get("description"), "sensitivity": p["sensitivity"],
        "citations": [{"source": s, "locator": loc or None, "note": n or None} for s, loc, n in cites],
        "attributes": json.loads(p["attributes"]) if p.get("attributes") else {},
    })


def _citation_rows(citations: list[Citation]) -> list[list]:
    return [[c.source, c.locator, c.note] for c in citations]


def link_props(link: Link, claims: dict[str, list], seq: int) -> dict:
    """A link's relationship properties: its fields (latest write) and every origin's citations."""
    origins = sorted(claims)
    cited = merge_citations([Citation(source=s, locator=loc, note=n) for o in origins for s, loc, n in claims[o]])
    return _clean({
        "id": link.id, "kind": link.kind.value, "start": link.start, "end": link.end, "amount": link.amount,
        "currency": link.currency, "share": link.share, "confidence": link.confidence.value,
        "sensitivity": link.sensitivity.value, "description": link.description,
        "attributes": json.dumps(link.attributes, ensure_ascii=False) if link.attributes else None,
        "origins": origins,
        "sm_claims": [json.dumps(claims[o], ensure_ascii=False) for o in origins],
        "citation_sources": [c.source for c in cited],
        "citation_locators": [c.locator or "" for c in cited],
        "citation_notes": [c.note or "" for c in cited],
        "sources": list(dict.fromkeys(c.source for c in cited)),
        "sm_seq": seq,
    })


def link_claims(p: dict) -> dict[str, list]:
    return {o: json.loads(c) for o, c in zip(p.get("origins", []), p.get("sm_claims", []))}


def link_from_props(p: dict, source: str, target: str) -> Link:
    claims = link_claims(p)
    cited = merge_citations([Citation(source=s, locator=loc, note=n) for o in sorted(claims) for s, loc, n in claims[o]])
    return Link.model_validate({
        "id": p["id"], "kind": p["kind"], "source": source, "target": target, "start": p.get("start"),
        "end": p.get("end"), "amount": p.get("amount"), "currency": p.get("currency"), "share": p.get("share"),
        "confidence": p["confidence"], "sensitivity": p["sensitivity"], "description": p.get("description"),
        "citations": cited, "attributes": json.loads(p["attributes"]) if p.get("attributes") else {},
    })


_SOURCE_FIELDS = tuple(Source.model_fields)


def source_props(source: Source, seq: int) -> dict:
    return _clean({**source.model_dump(), "sm_seq": seq})


def source_from_props(p: dict) -> Source:
    return Source.model_validate({k: p[k] for k in _SOURCE_FIELDS if k in p})


def escape_for_opencypher_bolt(value: Any) -> Any:
    r"""Escape backslashes and single quotes in every string of a parameter value.

    Some openCypher servers that speak Bolt (FalkorDB) splice parameters into the
    query text as quoted literals without escaping them; Neo4j never does, and
    never gets this treatment.

    >>> print(escape_for_opencypher_bolt({"name": "Workers' International"})["name"])
    Workers\' International
    >>> print(escape_for_opencypher_bolt(["a\\b"])[0])
    a\\b
    """
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if isinstance(value, list):
        return [escape_for_opencypher_bolt(v) for v in value]
    if isinstance(value, dict):
        return {k: escape_for_opencypher_bolt(v) for k, v in value.items()}
    return value


def _resolve(props: dict, committed: int) -> dict:
    """A record's visible properties: its pending ones once their run is committed."""
    nxt = props.get("sm_next_seq")
    if nxt is not None and nxt <= committed and props.get("sm_next"):
        return json.loads(props["sm_next"])
    return props


def _same(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return a is b
    strip = ("sm_next", "sm_next_seq", "sm_del")
    return {k: v for k, v in a.items() if k not in strip} == {k: v for k, v in b.items() if k not in strip}


# -- the run: one all-or-nothing write ---------------------------------------------------------------
@dataclass
class _Rec:
    """A record as this run sees it: ``base`` as committed, ``new`` after the run (None: gone)."""

    base: dict | None
    new: dict | None
    kind: str | None = None          # actor kind, or link kind, after the run
    base_kind: str | None = None
    ends: tuple[str, str] | None = None
    base_ends: tuple[str, str] | None = None


@dataclass
class _Run:
    seq: int
    token: str
    committed: int
    renewed: float = field(default_factory=time.monotonic)
    actors: dict[str, _Rec] = field(default_factory=dict)
    links: dict[str, _Rec] = field(default_factory=dict)
    sources: dict[str, _Rec] | None = None
    batch_no: int = 0


class Neo4jStore(Store):
    """The store contract on Neo4j 5 (or any Bolt server speaking its Cypher)."""

    def __init__(self, uri: str, *, user: str, password: str, database: str | None = None,
                 display: str | None = None, limits: BatchLimits | None = None,
                 lease_seconds: float = 120.0, lock_wait_seconds: float = 60.0,
                 connection_timeout: float = 10.0, acquisition_timeout: float = 20.0,
                 max_retry_time: float = 15.0) -> None:
        import neo4j

        self._neo4j = neo4j
        self.url = display or uri
        self.database = database or "neo4j"
        self.limits = limits or BatchLimits()
        self.lease_seconds = lease_seconds
        self.lock_wait_seconds = lock_wait_seconds
        self._secret = password
        self.statements_sent = 0
        #: True on servers other than Neo4j (see :func:`escape_for_opencypher_bolt`).
        self.stand_in = False
        try:
            self.driver = neo4j.GraphDatabase.driver(
                uri, auth=(user, password), connection_timeout=connection_timeout,
                connection_acquisition_timeout=acquisition_timeout,
                max_transaction_retry_time=max_retry_time, user_agent="stakemap")
        except (neo4j.exceptions.ConfigurationError, ValueError) as exc:
            raise StoreError(f"cannot use Neo4j URL {self.url}: {exc}") from None
        try:
            self._probe_port(uri, connection_timeout)
            self._verify()
            meta = self._one(q.META_READ, meta=q.META_ID)
            meta = meta["meta"] if meta else None
            if not meta or meta.get("schema") != SCHEMA_VERSION:
                dialect = self._ensure_schema()
                meta = self._one(q.META_INIT, meta=q.META_ID, store_id=uuid.uuid4().hex,
                                 schema=SCHEMA_VERSION, dialect=dialect, splices=self.stand_in, write=True)["meta"]
            self.stand_in = bool(meta.get("splices"))
            self._dialect = meta.get("dialect", "neo4j")
        except BaseException:
            self.driver.close()
            raise
        self.store_id = meta["store_id"]

    def _probe_port(self, uri: str, timeout: float) -> None:
        """Fail fast and clearly when nothing listens at the URL's host and port.

        (The throwaway connection also gets FalkorDB's Bolt listener, used as a test
        stand-in, to answer the driver's next handshake instead of stalling on it.)
        """
        from urllib.parse import urlsplit

        parts = urlsplit(uri)
        try:
            with socket.create_connection((parts.hostname or "localhost", parts.port or 7687), timeout=timeout):
                pass
        except OSError as exc:
            raise StoreError(f"cannot reach Neo4j at {self.url} ({exc.strerror or exc})",
                             hint="is the server running? check host and port") from None

    def _verify(self) -> None:
        ex = self._neo4j.exceptions
        for attempt in (1, 2):
            try:
                self.driver.verify_connectivity()
                return
            except ex.ServiceUnavailable as exc:
                # Some Bolt servers drop the first handshake of a new driver (newer handshake
                # manifest); the driver then falls back, so one more try is worth it.
                if attempt == 2:
                    raise self._error(exc) from None
            except (ex.Neo4jError, ex.DriverError) as exc:
                raise self._error(exc) from None

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

    def close(self) -> None:
        self.driver.close()

    # -- talking to the server -------------------------------------------------------------
    def _error(self, exc: Exception) -> StoreError:
        ex = self._neo4j.exceptions
        where = f"{self.url}"
        if isinstance(exc, ex.AuthError):
            return StoreError(f"Neo4j at {where} refused the user name or password",
                              hint=f"check the user in the URL and {PASSWORD_ENV}")
        code = getattr(exc, "code", None) or ""
        if "DatabaseNotFound" in code:
            return StoreError(f"database {self.database!r} does not exist on {where}",
                              hint="create it, or name an existing one at the end of the URL (default: neo4j)")
        if isinstance(exc, ex.ServiceUnavailable):
            hint = "is the server running? check host and port"
            if "routing" in str(exc).lower():
                hint = "this server does not route: use bolt:// instead of neo4j://"
            return StoreError(f"cannot reach Neo4j at {where}", hint=hint)
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        if self._secret:
            message = message.replace(self._secret, "***")
        return StoreError(f"Neo4j at {where} failed: {code + ': ' if code else ''}{message}")

    def _exec(self, statement: str, params: dict, *, write: bool) -> list:
        neo4j = self._neo4j
        if self.stand_in:
            params = escape_for_opencypher_bolt(params)
        try:
            records, _, _ = self.driver.execute_query(
                statement, params, database_=self.database,
                routing_=neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ)
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
            raise self._error(exc) from None
        self.statements_sent += 1
        return records

    def _read(self, statement: str, **params) -> list:
        return self._exec(statement, params, write=False)

    def _one(self, statement: str, *, write: bool = False, **params):
        records = self._exec(statement, params, write=write)
        return records[0] if records else None

    def _write_rows(self, statement: str, rows: list, key: str = "rows", run: _Run | None = None,
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

    def _ensure_schema(self) -> str:
        """Create constraints and indexes on first use. Servers other than Neo4j (found by
        capability: ``dbms.components()`` fails there) get the plain index forms only."""
        try:
            self._exec(q.PROBE_NEO4J, {}, write=False)
            full = True
        except StoreError as exc:
            if "cannot reach" in exc.message or "refused" in exc.message or "does not exist" in exc.message:
                raise
            full = False
        self.stand_in = self._splices_parameters()
        for statement in q.schema_statements(full):
            try:
                self._exec(statement, {}, write=True)
            except StoreError:
                if full:
                    raise
                # the plain form has no IF NOT EXISTS: an error means the index exists
        self._dialect = "neo4j" if full else "opencypher"
        return self._dialect

    def _splices_parameters(self) -> bool:
        """Whether the server mangles a string parameter holding a quote and a backslash
        (it pastes parameters into the query text); such servers get escaped parameters."""
        probe = "it's a \\ test"
        try:
            row = self._one(q.PROBE_PARAMETERS, value=probe)
            if row is not None and row["value"] == probe:
                return False
        except StoreError:
            pass
        row = self._one(q.PROBE_PARAMETERS, value=escape_for_opencypher_bolt(probe))
        if row is None or row["value"] != probe:
            raise StoreError(f"the server at {self.url} does not return string parameters intact",
                             hint="use Neo4j 5")
        return True

    # -- the write lock ------------------------------------------------------------------------
    def _lock(self) -> _Run:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.lock_wait_seconds
        delay = 0.05
        while True:
            now = int(time.time() * 1000)
            row = self._one(q.LOCK_ACQUIRE, write=True, meta=q.META_ID, token=token, now=now,
                            until=now + int(self.lease_seconds * 1000))
            if row is not None:
                run = _Run(seq=row["seq"], token=token, committed=row["committed"])
                if row["stale"] or (row["applied"] or 0) < row["committed"]:
                    self._recover(run)
                return run
            if time.monotonic() > deadline:
                holder = self._one(q.LOCK_HOLDER, meta=q.META_ID)
                until = holder["until"] if holder else None
                when = datetime.fromtimestamp(until / 1000, timezone.utc).isoformat(timespec="seconds") if until else "?"
                raise StoreError(f"another write to {self.url} is in progress (its lease runs until {when})",
                                 hint="wait for it to finish and try again")
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def _renew(self, run: _Run) -> None:
        if time.monotonic() - run.renewed < self.lease_seconds / 4:
            return
        until = int(time.time() * 1000 + self.lease_seconds * 1000)
        if self._one(q.LOCK_RENEW, write=True, meta=q.META_ID, token=run.token, until=until) is None:
            raise StoreError(f"lost the write lock on {self.url} (the lease ran out); nothing was committed",
                             hint="try again; raise the lease for very slow servers")
        run.renewed = time.monotonic()

    def _release(self, run: _Run) -> None:
        self._one(q.LOCK_RELEASE, write=True, meta=q.META_ID, token=run.token)

    def _loop(self, statement: str, committed: int) -> int:
        total = 0
        while True:
            row = self._one(statement, write=True, committed=committed, limit=self.limits.rows)
            n = row["n"] if row else 0
            total += n
            if not n:
                return total

    def _recover(self, run: _Run) -> None:
        """Undo what runs after the last commit left; finish what committed runs began."""
        c = run.committed
        for statement in q.SWEEP_LINKS + q.sweep_nodes(q.ACTOR) + q.sweep_nodes(q.SOURCE):
            self._loop(statement, c)
        for label, build in ((q.ACTOR, None), (q.SOURCE, None)):
            while True:
                rows = self._read(q.pending_nodes(label), committed=c, limit=self.limits.rows)
                if not rows:
                    break
                by_kind: dict[str, list] = defaultdict(list)
                for r in rows:
                    props = json.loads(r["next"])
                    by_kind[props.get("kind", "") if label == q.ACTOR else ""].append({"id": r["id"], "props": props})
                for kind, items in by_kind.items():
                    stmt = q.actor_apply(ActorKind(kind)) if label == q.ACTOR else q.SOURCE_APPLY
                    self._write_rows(stmt, items)
        while True:
            rows = self._read(q.PENDING_LINKS, committed=c, limit=self.limits.rows)
            if not rows:
                break
            by_type: dict[str, list] = defaultdict(list)
            for r in rows:
                by_type[r["type"]].append({"id": r["id"], "seq": r["seq"], "props": json.loads(r["next"])})
            for rel_type, items in by_type.items():
                self._write_rows(q.link_apply(_TYPE_TO_KIND[rel_type]), items)
        for statement in (q.DELETED_LINKS, q.deleted_nodes(q.ACTOR), q.deleted_nodes(q.SOURCE)):
            self._loop(statement, c)

    # -- writing ---------------------------------------------------------------------------------
    def write_all(self, batches: list[Batch], *, replace: bool = True, expect: str | None = None) -> list[WriteResult]:
        if not batches:
            return []
        return self._in_run(lambda run: [self._stage_batch(run, b, replace) for b in batches], expect)

    def remove_origin(self, origin_id: str) -> WriteResult:
        return self._in_run(lambda run: self._stage_removal(run, origin_id))

    def _in_run(self, stage, expect: str | None = None):
        run = self._lock()
        committed = False
        try:
            if expect is not None and f"{self.store_id}:{run.committed}" != expect:
                raise StoreChanged(f"{self.url} was changed by another writer while this one was reading",
                                   hint="run it again")
            result = stage(run)
            self._flush(run)
            self._renew(run)
            row = self._one(q.COMMIT, write=True, meta=q.META_ID, token=run.token, seq=run.seq, now=_now_text())
            if row is None:
                raise StoreError(f"lost the write lock on {self.url} before committing; nothing was committed",
                                 hint="try again")
            committed = True
            run.committed = run.seq
            self._apply(run)
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

    # staging: compute every change in memory, reading only committed state
    def _load_actors(self, run: _Run, ids: Iterable[str]) -> None:
        missing = [i for i in dict.fromkeys(ids) if i not in run.actors]
        for chunk in batches(missing, q.ACTORS_BY_ID, self.limits):
            self._renew(run)
            for r in self._read(q.ACTORS_BY_ID, meta=q.META_ID, ids=chunk):
                p = _resolve(dict(r["p"]), r["c"])
                run.actors[p["id"]] = _Rec(base=p, new=p, kind=p["kind"], base_kind=p["kind"])
        for i in missing:
            run.actors.setdefault(i, _Rec(base=None, new=None))

    def _load_links(self, run: _Run, wanted: dict[str, LinkKind], anywhere: Iterable[str] = ()) -> None:
        """Read the committed links ``wanted`` names, each under its kind; those in ``anywhere`` (ids
        that do not encode their kind) are also looked for under the other kinds, so that a link given
        a new kind is moved, not doubled."""
        by_kind: dict[LinkKind, list[str]] = defaultdict(list)
        for link_id, kind in wanted.items():
            if link_id not in run.links:
                by_kind[kind].append(link_id)
        for kind, ids in by_kind.items():
            for r in self._link_rows(ids, [kind], run):
                self._remember_link(run, r)
        for r in self._link_rows([i for i in anywhere if i not in run.links], list(LinkKind), run):
            self._remember_link(run, r)
        for ids in by_kind.values():
            for i in ids:
                run.links.setdefault(i, _Rec(base=None, new=None))

    def _link_rows(self, ids: list[str], kinds: list[LinkKind], run: _Run | None = None) -> Iterator:
        """Rows of the committed links among ``ids``, looked up in each of ``kinds``' id index in turn
        until every id is found (an id alone does not say which relationship type holds it, and a lookup
        without the type would scan every relationship)."""
        remaining = list(ids)
        for kind in kinds:
            if not remaining:
                return
            stmt = q.links_by_id(kind)
            found = set()
            for chunk in batches(remaining, stmt, self.limits):
                if run is not None:
                    self._renew(run)
                for r in self._read(stmt, meta=q.META_ID, ids=chunk):
                    found.add(r["p"]["id"])
                    yield r
            remaining = [i for i in remaining if i not in found]

    @staticmethod
    def _remember_link(run: _Run, r) -> None:
        p = _resolve(dict(r["p"]), r["c"])
        ends = (r["source"], r["target"])
        kind = _TYPE_TO_KIND[r["type"]].value
        run.links[p["id"]] = _Rec(base=p, new=p, kind=kind, base_kind=kind, ends=ends, base_ends=ends)

    def _load_sources(self, run: _Run) -> dict[str, _Rec]:
        if run.sources is None:
            run.sources = {}
            for r in self._read(q.SOURCES_ALL, meta=q.META_ID):
                p = _resolve(dict(r["p"]), r["c"])
                run.sources[p["id"]] = _Rec(base=p, new=p)
        return run.sources

    def _stage_sources(self, run: _Run, sources: list[Source]) -> None:
        recs = self._load_sources(run)
        for s in sources:
            rec = recs.setdefault(s.id, _Rec(base=None, new=None))
            seq = rec.base["sm_seq"] if rec.base else run.seq
            rec.new = source_props(s, seq)

    def _stage_batch(self, run: _Run, batch: Batch, replace: bool) -> WriteResult:
        run.batch_no += 1
        origin = batch.origin.id
        self._stage_sources(run, [batch.origin, *batch.sources])
        actors = {a.id: a for a in batch.actors}
        self._load_actors(run, actors)
        for actor in actors.values():
            rec = run.actors[actor.id]
            claims = [json.loads(c) for c in (rec.new or {}).get("sm_claims", [])]
            others = sorted((c for c in claims if c["origin"] != origin), key=lambda c: (c["seq"], c.get("sub", 0)))
            merged = merge_actor_claims([(c["origin"], Actor.model_validate_json(c["doc"])) for c in others]
                                        + [(origin, actor)])
            mine = {"origin": origin, "seq": run.seq, "sub": run.batch_no, "doc": actor.model_dump_json()}
            seq = rec.base["sm_seq"] if rec.base else run.seq
            rec.new = actor_props(merged, [*others, mine], seq)
            rec.kind = merged.kind.value

        links = {link.id: link for link in batch.iter_links()}
        self._load_links(run, {i: link.kind for i, link in links.items()},
                         anywhere=[i for i, lk in links.items() if i != derived_link_id(lk.source, lk.kind, lk.target, lk.start)])
        ends = {e for link in links.values() for e in (link.source, link.target)}
        self._load_actors(run, ends)
        for link in links.values():
            for end in (link.source, link.target):
                if run.actors[end].new is None:
                    raise StoreError(f"link {link.id} refers to actor {end!r}, which is neither in the store nor in"
                                     f" the batch from {origin}", hint="nothing was written")
            rec = run.links[link.id]
            claims = link_claims(rec.new) if rec.new else {}
            claims[origin] = _citation_rows(link.citations)
            seq = rec.base["sm_seq"] if rec.base else run.seq
            rec.new = link_props(link, claims, seq)
            rec.kind = link.kind.value
            rec.ends = (link.source, link.target)

        removed_links = removed_actors = 0
        if replace:
            stale_links = [i for i in self._claimed_links(run, origin) if i not in links]
            removed_links = self._drop_link_claims(run, stale_links, origin)
            stale_actors = [i for i in self._claimed_actors(run, origin) if i not in actors]
            removed_actors = self._release_actors(run, stale_actors, origin)
        return WriteResult(origin, len(actors), len(links), removed_actors, removed_links)

    def _claimed_actors(self, run: _Run, origin: str) -> list[str]:
        ids = [r["id"] for r in self._read(q.ACTOR_IDS_OF_ORIGIN, meta=q.META_ID, origin=origin)]
        self._load_actors(run, ids)
        return sorted(i for i, rec in run.actors.items() if rec.new and origin in rec.new.get("origins", []))

    def _claimed_links(self, run: _Run, origin: str) -> list[str]:
        rows = self._read(q.LINK_IDS_OF_ORIGIN, meta=q.META_ID, origin=origin)
        self._load_links(run, {r["id"]: _TYPE_TO_KIND[r["type"]] for r in rows})
        return sorted(i for i, rec in run.links.items() if rec.new and origin in rec.new.get("origins", []))

    def _drop_link_claims(self, run: _Run, link_ids: list[str], origin: str) -> int:
        removed = 0
        for link_id in link_ids:
            rec = run.links[link_id]
            claims = link_claims(rec.new)
            claims.pop(origin, None)
            if not claims:
                rec.new = None
                removed += 1
            else:
                link = link_from_props(rec.new, *rec.ends)
                rec.new = link_props(link, claims, rec.new["sm_seq"])
        return removed

    def _release_actors(self, run: _Run, actor_ids: list[str], origin: str) -> int:
        """Remove ``origin``'s claim on these actors; delete those left unclaimed and unlinked."""
        removed = 0
        orphans: list[str] = []
        for actor_id in actor_ids:
            rec = run.actors[actor_id]
            claims = [json.loads(c) for c in rec.new.get("sm_claims", [])]
            rest = sorted((c for c in claims if c["origin"] != origin), key=lambda c: (c["seq"], c.get("sub", 0)))
            if rest:
                merged = merge_actor_claims([(c["origin"], Actor.model_validate_json(c["doc"])) for c in rest])
                rec.new = actor_props(merged, rest, rec.new["sm_seq"])
                rec.kind = merged.kind.value
            else:
                orphans.append(actor_id)
        linked = self._linked(run, orphans)
        for actor_id in orphans:
            rec = run.actors[actor_id]
            if actor_id in linked:
                rec.new = {**rec.new, "origins": [], "sm_claims": []}
            else:
                rec.new = None
                removed += 1
        return removed

    def _linked(self, run: _Run, actor_ids: list[str]) -> set[str]:
        """Which of these actors have a link after this run."""
        if not actor_ids:
            return set()
        committed: dict[str, list[str]] = {}
        for chunk in batches(actor_ids, q.LINK_IDS_AT, self.limits):
            for r in self._read(q.LINK_IDS_AT, meta=q.META_ID, ids=chunk):
                committed[r["at"]] = list(r["links"])
        wanted = set(actor_ids)
        linked = {a for a, ids in committed.items() if any(i not in run.links for i in ids)}
        for rec in run.links.values():
            if rec.new is not None and rec.ends:
                linked.update(e for e in rec.ends if e in wanted)
        return linked

    def _stage_removal(self, run: _Run, origin: str) -> WriteResult:
        link_ids = self._claimed_links(run, origin)
        self._drop_link_claims(run, link_ids, origin)
        removed_actors = self._release_actors(run, self._claimed_actors(run, origin), origin)
        recs = self._load_sources(run)
        if origin in recs:
            recs[origin].new = None
        return WriteResult(origin, 0, 0, removed_actors, len(link_ids))

    # flushing: invisible until the commit
    def _flush(self, run: _Run) -> None:
        seq = run.seq
        sources = run.sources or {}
        self._write_rows(q.SOURCE_CREATE, [{"id": i, "props": r.new} for i, r in sources.items()
                                           if r.base is None and r.new], run=run, expect=True)
        self._write_rows(q.node_stage(q.SOURCE), [{"id": i, "next": json.dumps(r.new)} for i, r in sources.items()
                                                  if r.base and r.new and not _same(r.base, r.new)],
                         run=run, seq=seq)
        self._write_rows(q.node_delete(q.SOURCE), [i for i, r in sources.items() if r.base and r.new is None],
                         key="ids", run=run, seq=seq)

        creates: dict[str, list] = defaultdict(list)
        for i, r in run.actors.items():
            if r.base is None and r.new:
                creates[r.kind].append({"id": i, "props": r.new})
        for kind, rows in creates.items():
            self._write_rows(q.actor_create(ActorKind(kind)), rows, run=run, expect=True)
        self._write_rows(q.node_stage(q.ACTOR), [{"id": i, "next": json.dumps(r.new, ensure_ascii=False)}
                                                 for i, r in run.actors.items()
                                                 if r.base and r.new and not _same(r.base, r.new)],
                         run=run, seq=seq)

        link_creates: dict[str, list] = defaultdict(list)
        link_stages: dict[str, list] = defaultdict(list)
        link_deletes: dict[str, list] = defaultdict(list)
        for i, r in run.links.items():
            moved = r.base and r.new and (r.kind != r.base_kind or r.ends != r.base_ends)
            if r.base and (r.new is None or moved):
                link_deletes[r.base_kind].append(i)
            if r.new and (r.base is None or moved):
                props = {**r.new, "sm_seq": seq} if moved else r.new
                link_creates[r.kind].append({"source": r.ends[0], "target": r.ends[1], "props": props})
            elif r.new and not _same(r.base, r.new):
                link_stages[r.kind].append({"id": i, "next": json.dumps(r.new, ensure_ascii=False)})
        for kind, ids in link_deletes.items():
            self._write_rows(q.link_delete(LinkKind(kind)), ids, key="ids", run=run, seq=seq)
        for kind, rows in link_creates.items():
            self._write_rows(q.link_create(LinkKind(kind)), rows, run=run, expect=True)
        for kind, rows in link_stages.items():
            self._write_rows(q.link_stage(LinkKind(kind)), rows, run=run, seq=seq)
        self._write_rows(q.node_delete(q.ACTOR), [i for i, r in run.actors.items() if r.base and r.new is None],
                         key="ids", run=run, seq=seq)

    # applying: after the commit, make the graph clean again
    def _apply(self, run: _Run) -> None:
        c = run.committed
        sources = run.sources or {}
        self._write_rows(q.SOURCE_APPLY, [{"id": i, "props": r.new} for i, r in sources.items()
                                          if r.base and r.new and not _same(r.base, r.new)])
        changed: dict[str, list] = defaultdict(list)
        for i, r in run.actors.items():
            if r.base and r.new and not _same(r.base, r.new):
                changed[r.kind].append({"id": i, "props": r.new})
        for kind, rows in changed.items():
            self._write_rows(q.actor_apply(ActorKind(kind)), rows)
        purge: dict[str, list] = defaultdict(list)
        applied: dict[str, list] = defaultdict(list)
        for i, r in run.links.items():
            moved = r.base and r.new and (r.kind != r.base_kind or r.ends != r.base_ends)
            if r.base and (r.new is None or moved):
                purge[r.base_kind].append(i)
            elif r.base and r.new and not _same(r.base, r.new):
                applied[r.kind].append({"id": i, "seq": run.seq, "props": r.new})
        for kind, rows in applied.items():
            self._write_rows(q.link_apply(LinkKind(kind)), rows)
        for kind, ids in purge.items():
            self._write_rows(q.link_purge(LinkKind(kind)), ids, key="ids", committed=c)
        self._write_rows(q.node_purge(q.ACTOR), [i for i, r in run.actors.items() if r.base and r.new is None],
                         key="ids", committed=c)
        self._write_rows(q.node_purge(q.SOURCE), [i for i, r in sources.items() if r.base and r.new is None],
                         key="ids", committed=c)

    # -- reading -------------------------------------------------------------------------------------
    def _actors(self, records) -> list[Actor]:
        return [actor_from_props(_resolve(dict(r["p"]), r["c"])) for r in records]

    @staticmethod
    def _link(r) -> Link:
        return link_from_props(_resolve(dict(r["p"]), r["c"]), r["source"], r["target"])

    def get_actor(self, actor_id: str) -> Actor | None:
        return self.get_actors([actor_id]).get(actor_id)

    def get_actors(self, actor_ids: Iterable[str]) -> dict[str, Actor]:
        ids = list(dict.fromkeys(actor_ids))
        found: dict[str, Actor] = {}
        for chunk in batches(ids, q.ACTORS_BY_ID, self.limits):
            for actor in self._actors(self._read(q.ACTORS_BY_ID, meta=q.META_ID, ids=chunk)):
                found[actor.id] = actor
        return {i: found[i] for i in ids if i in found}

    def get_link(self, link_id: str) -> Link | None:
        rows = self._read(q.LINK_ANY_TYPE, meta=q.META_ID, id=link_id)
        return self._link(rows[0]) if rows else None

    def find_actors(self, text: str, limit: int = 20) -> list[Actor]:
        keys = ["i:" + text.strip().casefold(), "n:" + normalise_name(text)]
        if ":" in text:
            scheme, _, value = text.partition(":")
            keys.append(f"x:{scheme.strip().lower()}:{value.strip().casefold()}")
        needles = [f"\n{k}\n" for k in dict.fromkeys(keys)]
        return self._actors(self._read(q.ACTORS_BY_KEY, meta=q.META_ID, needles=needles, limit=limit))

    def search_actors(self, text: str, limit: int = 10) -> list[Actor]:
        norm = normalise_name(text)
        if not norm:
            return []
        return self._actors(self._read(q.ACTORS_SEARCH, meta=q.META_ID, text=norm, limit=limit))

    def actor_by_identifier(self, scheme: str, value: str) -> Actor | None:
        needle = f"\nx:{scheme.lower()}:{value.strip().casefold()}\n"
        found = self._actors(self._read(q.ACTORS_BY_KEY, meta=q.META_ID, needles=[needle], limit=1))
        return found[0] if found else None

    def links_at(self, actor_ids: list[str]) -> dict[str, list[Link]]:
        """One Cypher round trip per batch of actors (the contract's neighbourhood walks with it)."""
        out: dict[str, dict[str, Link]] = {a: {} for a in actor_ids}
        for chunk in batches(actor_ids, q.LINKS_OF, self.limits):
            for r in self._read(q.LINKS_OF, meta=q.META_ID, ids=chunk):
                link = self._link(r)
                out[r["at"]][link.id] = link
        return {a: [links[i] for i in sorted(links)] for a, links in out.items()}

    def links_of(self, actor_id: str) -> list[Link]:
        return self.links_at([actor_id])[actor_id]

    def get_links(self, link_ids: Iterable[str]) -> dict[str, Link]:
        ids = list(dict.fromkeys(link_ids))
        found = {link.id: link for link in map(self._link, self._link_rows(ids, list(LinkKind)))}
        return {i: found[i] for i in ids if i in found}

    def iter_actors(self) -> Iterator[Actor]:
        after = ""
        while True:
            rows = self._read(q.ACTORS_PAGE, meta=q.META_ID, after=after, limit=self.limits.read_page)
            if not rows:
                return
            yield from self._actors(rows)
            after = rows[-1]["p"]["id"]
            if len(rows) < self.limits.read_page:
                return

    def iter_actors_with_origins(self) -> Iterator[tuple[Actor, list[str]]]:
        """Every actor with the origins claiming it, in one pass (``stakemap sync``)."""
        after = ""
        while True:
            rows = self._read(q.ACTORS_PAGE, meta=q.META_ID, after=after, limit=self.limits.read_page)
            for r in rows:
                p = _resolve(dict(r["p"]), r["c"])
                yield actor_from_props(p), list(p.get("origins", []))
            if len(rows) < self.limits.read_page:
                return
            after = rows[-1]["p"]["id"]

    def iter_links_with_origins(self) -> Iterator[tuple[Link, list[str]]]:
        for r in self._link_records():
            p = _resolve(dict(r["p"]), r["c"])
            yield link_from_props(p, r["source"], r["target"]), list(p.get("origins", []))

    def _link_pages(self, kind: LinkKind) -> Iterator:
        after = ""
        statement = q.links_page(kind)
        while True:
            rows = self._read(statement, meta=q.META_ID, after=after, limit=self.limits.read_page)
            yield from rows
            if len(rows) < self.limits.read_page:
                return
            after = rows[-1]["p"]["id"]

    def _link_records(self) -> Iterator:
        return heapq.merge(*(self._link_pages(k) for k in LinkKind), key=lambda r: r["p"]["id"])

    def iter_links(self) -> Iterator[Link]:
        for r in self._link_records():
            yield self._link(r)

    def iter_link_rows(self) -> Iterator[tuple[str, str, str, str, str | None, str | None, str, str]]:
        """Links as plain tuples ``(id, kind, source, target, start, end, confidence, sensitivity)``."""
        for r in self._link_records():
            p = _resolve(dict(r["p"]), r["c"])
            yield (p["id"], p["kind"], r["source"], r["target"], p.get("start"), p.get("end"),
                   p["confidence"], p["sensitivity"])

    def sources(self) -> list[Source]:
        return [source_from_props(_resolve(dict(r["p"]), r["c"])) for r in self._read(q.SOURCES_ALL, meta=q.META_ID)]

    def origins_of(self, record_id: str) -> list[str]:
        rows = self._read(q.ACTORS_BY_ID, meta=q.META_ID, ids=[record_id])
        origins: set[str] = set()
        for r in rows:
            origins.update(_resolve(dict(r["p"]), r["c"]).get("origins", []))
        for r in self._read(q.LINK_ANY_TYPE, meta=q.META_ID, id=record_id):
            origins.update(_resolve(dict(r["p"]), r["c"]).get("origins", []))
        return sorted(origins)

    def stats(self) -> Stats:
        by_kind: dict[str, int] = defaultdict(int)
        by_country: dict[str, int] = defaultdict(int)
        actors = 0
        for r in self._read(q.STATS_ACTORS, meta=q.META_ID):
            by_kind[r["kind"]] += r["n"]
            by_country[r["country"]] += r["n"]
            actors += r["n"]
        links_by_kind = {r["kind"]: r["n"] for r in self._read(q.STATS_LINKS, meta=q.META_ID)}
        by_origin: dict[str, dict[str, int]] = {}
        for statement, what in ((q.STATS_ACTOR_ORIGINS, "actors"), (q.STATS_LINK_ORIGINS, "links")):
            for r in self._read(statement, meta=q.META_ID):
                by_origin.setdefault(r["origin"], {"actors": 0, "links": 0})[what] = r["n"]
        sources = self._one(q.STATS_SOURCES, meta=q.META_ID)
        meta = self._one(q.META_READ, meta=q.META_ID)
        meta = (meta["meta"] if meta else None) or {}

        def ordered(d: dict[str, int]) -> dict[str, int]:
            return dict(sorted(d.items(), key=lambda kv: (-kv[1], kv[0])))

        return Stats(
            actors=actors, links=sum(links_by_kind.values()), sources=sources["n"] if sources else 0,
            actors_by_kind=ordered(by_kind), links_by_kind=ordered(links_by_kind),
            actors_by_country=ordered(by_country), records_by_origin=dict(sorted(by_origin.items())),
            last_write=meta.get("last_write"),
        )

    def fingerprint(self) -> str:
        row = self._one(q.META_READ, meta=q.META_ID)
        meta = (row["meta"] if row else None) or {}
        return f"{meta.get('store_id', '')}:{meta.get('committed', 0)}"

    # -- for tests and sync ----------------------------------------------------------------------------
    def clear(self) -> None:
        """Delete everything in the database (tests; ``stakemap sync --replace``)."""
        self._loop(q.CLEAR_SLICE, 0)
        self._one(q.META_INIT, write=True, meta=q.META_ID, store_id=uuid.uuid4().hex, schema=SCHEMA_VERSION,
                  dialect=self._dialect, splices=self.stand_in)
        row = self._one(q.META_READ, meta=q.META_ID)
        self.store_id = row["meta"]["store_id"]
