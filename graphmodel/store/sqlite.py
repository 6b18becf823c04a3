"""The embedded store: one SQLite file, no server.

WAL journal, foreign keys on, STRICT tables. A batch is written in one
transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), so a failed or killed ingest
leaves the file as it was.

Tables: ``actors`` and ``links`` hold each record's current fields (JSON in
``doc``); ``actor_claims`` says which origin claims which actor; a link's first
claim (its ``origin`` and that origin's ``citations``) sits in its ``links``
row, and ``link_claims`` holds the claims of any further origins, so a bulk
load writes one row per link; ``actor_keys`` indexes normalised names, aliases
and external identifiers for lookups.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from ..errors import StoreChanged, StoreError
from ..models import Actor, Link, Source, actor_keys
from ..private_files import owner_only_file
from ..text import normalise_name
from .claims import EDITS, lead_key, merge_actor_claims
from .contract import LINK_COLUMNS, Batch, Stats, Store, WriteResult, cited_documents, link_from_row
from .sqlite_history import HISTORY_SCHEMA, SQLiteHistory, link_from_stored_row

SCHEMA_VERSION = 3
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS sources(
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, doc TEXT NOT NULL, written_at TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS actors(
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, country TEXT,
  sensitivity TEXT NOT NULL, doc TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS actor_claims(
  actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
  origin TEXT NOT NULL REFERENCES sources(id),
  seq INTEGER NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY(actor_id, origin)) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS actor_claims_origin ON actor_claims(origin);
CREATE TABLE IF NOT EXISTS actor_keys(
  key TEXT NOT NULL, actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
  PRIMARY KEY(key, actor_id)) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS actor_keys_actor ON actor_keys(actor_id);
CREATE TABLE IF NOT EXISTS links(
  id TEXT NOT NULL, kind TEXT NOT NULL,
  source TEXT NOT NULL REFERENCES actors(id), target TEXT NOT NULL REFERENCES actors(id),
  start TEXT, "end" TEXT, amount REAL, currency TEXT, share REAL,
  confidence TEXT NOT NULL, sensitivity TEXT NOT NULL, description TEXT, attributes TEXT,
  origin TEXT REFERENCES sources(id), citations TEXT) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS links_id ON links(id);
CREATE INDEX IF NOT EXISTS links_source ON links(source);
CREATE INDEX IF NOT EXISTS links_target ON links(target);
CREATE TABLE IF NOT EXISTS link_claims(
  link_id TEXT NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  origin TEXT NOT NULL REFERENCES sources(id),
  citations TEXT NOT NULL,
  PRIMARY KEY(link_id, origin)) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_claims_origin ON link_claims(origin);
""" + HISTORY_SCHEMA
#: Schema 1 kept every link claim in ``link_claims``: move each link's first claim into its row.
_MIGRATE_1_2 = """
ALTER TABLE links ADD COLUMN origin TEXT REFERENCES sources(id);
ALTER TABLE links ADD COLUMN citations TEXT;
UPDATE links SET origin = (SELECT min(origin) FROM link_claims WHERE link_id = links.id);
UPDATE links SET citations = (SELECT citations FROM link_claims c WHERE c.link_id = links.id AND c.origin = links.origin);
DELETE FROM link_claims WHERE origin = (SELECT origin FROM links WHERE id = link_claims.link_id);
"""
#: Schema 2 kept no history: it starts with a version that stands for the map as it was found.
_START_VERSION = """
INSERT INTO versions SELECT 1, coalesce((SELECT value FROM meta WHERE key='last_write'), '?'), NULL, 'start', '[]',
  'history starts here: this store was written before Stakemap kept versions', '{}' WHERE EXISTS (SELECT 1 FROM actors);
INSERT INTO meta SELECT 'history_from', '1' WHERE EXISTS (SELECT 1 FROM actors);
"""
_MIGRATE_2_3 = HISTORY_SCHEMA + _START_VERSION
#: Indexes built in one pass after the rows (faster than row by row) when a write fills an empty
#: links table.
_LINK_INDEXES = {"links_id": "UNIQUE INDEX IF NOT EXISTS links_id ON links(id)",
                 "links_source": "INDEX IF NOT EXISTS links_source ON links(source)",
                 "links_target": "INDEX IF NOT EXISTS links_target ON links(target)"}
#: Page cache (KiB, negative): 256 MiB for bulk upserts in random key order; a write into an empty
#: store appends, and its indexes are built after the rows, so a smaller cache serves it as fast.
_CACHE = "PRAGMA cache_size=-262144"
_FRESH_CACHE = "PRAGMA cache_size=-32768"
_BULK_ROWS = 10_000
_CHUNK = 500


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


#: Whether the origin being written leads a link's claims (no other claimant's origin id is greater), so
#: that its fields are the link's whatever order origins came in.
def _lead(column: str) -> str:
    """:func:`~graphmodel.store.claims.lead_key` in SQL (the edits' origin leads every other)."""
    return f"(CASE {column} WHEN '{EDITS}' THEN '{lead_key(EDITS)}' ELSE {column} END)"


_LEADS = (f"({_lead('excluded.origin')} >= {_lead('links.origin')} AND NOT EXISTS (SELECT 1 FROM link_claims c"  # nosec B608
          f" WHERE c.link_id = links.id AND {_lead('c.origin')} > {_lead('excluded.origin')}))")


class SQLiteStore(SQLiteHistory, Store):
    """The embedded backend of the store contract."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        if not create and not self.path.exists():
            raise StoreError(f"no store at {self.path}", hint="run 'stakemap ingest' first or give --store")
        if self.path.parent and not self.path.parent.exists():
            raise StoreError(f"folder {self.path.parent} does not exist", hint="create it or choose another --store path")
        try:
            # a new store is readable by its owner only; SQLite gives its -wal and -shm files the same permissions
            if str(path) != ":memory:" and not self.path.exists():
                owner_only_file(self.path)
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute(_CACHE)
            self.db.execute("PRAGMA temp_store=MEMORY")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}", hint="is it a Stakemap SQLite file?") from exc
        except PermissionError as exc:
            raise StoreError(f"cannot create store {self.path}: {exc.strerror}",
                             hint="choose a folder you may write to with --store") from exc

    # -- set-up -------------------------------------------------------------
    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"store {self.path} was written by a newer Stakemap (schema {version})",
                             hint="upgrade Stakemap")
        if version < SCHEMA_VERSION:
            script = {1: _MIGRATE_1_2 + _MIGRATE_2_3, 2: _MIGRATE_2_3}.get(version, _SCHEMA)
            meta = (f"INSERT OR IGNORE INTO meta VALUES ('store_id', '{uuid.uuid4().hex}');"  # a hex uuid  # nosec B608
                    "INSERT OR IGNORE INTO meta VALUES ('generation', '0');")
            self.db.executescript(f"BEGIN;{script}{meta}PRAGMA user_version={SCHEMA_VERSION};COMMIT;")

    def close(self) -> None:
        self.db.close()

    # -- writing ------------------------------------------------------------
    def write_all(self, batches: list[Batch], *, replace: bool = True, expect: str | None = None,
                  who: str | None = None, note: str | None = None,
                  docs: dict[str, dict[str, dict | None]] | None = None, action: str = "ingest") -> list[WriteResult]:
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            if expect is not None and self.fingerprint() != expect:
                raise StoreChanged(f"{self.path} was changed by another writer while this one was reading",
                                   hint="run it again")
            version = self._next_version()
            if db.execute("SELECT 1 FROM actors UNION ALL SELECT 1 FROM links LIMIT 1").fetchone() is None:
                db.execute(_FRESH_CACHE)
            results = [self._write(batch, replace, version) for batch in batches]
            self._put_docs(version, docs or {})
            self._record_version(version, _now(), who, action, list(dict.fromkeys(b.origin.id for b in batches)),
                                 note)
            db.execute("COMMIT")
            return results
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.execute(_CACHE)

    def _write(self, batch: Batch, replace: bool, version: int) -> WriteResult:
        db = self.db
        origin = batch.origin.id
        seq = self._bump_generation()
        now = _now()
        # A first write of an origin has nothing to replace: skip the sweep (bulk loads).
        had_claims = bool(
            db.execute("SELECT 1 FROM actor_claims WHERE origin=? LIMIT 1", (origin,)).fetchone()
            or db.execute("SELECT 1 FROM links WHERE origin=? LIMIT 1", (origin,)).fetchone()
            or db.execute("SELECT 1 FROM link_claims WHERE origin=? LIMIT 1", (origin,)).fetchone())
        db.executemany(
            "INSERT INTO sources VALUES (?,?,?,?) ON CONFLICT(id) DO UPDATE SET kind=excluded.kind,"
            " doc=excluded.doc, written_at=excluded.written_at",
            [(s.id, s.kind, s.model_dump_json(exclude_none=True), now) for s in [batch.origin, *batch.sources]],
        )
        db.execute("CREATE TEMP TABLE IF NOT EXISTS batch_ids(id TEXT PRIMARY KEY) STRICT")
        db.execute("DELETE FROM temp.batch_ids")
        rows = list(batch.iter_link_rows())
        self._snapshot((a.id for a in batch.actors), (r[0] for r in rows), origin if replace and had_claims else None)

        # Actors: merge this origin's claim with other origins' claims.
        actors = {a.id: a for a in batch.actors}
        others = self._other_claims(actors, origin)
        merged = [merge_actor_claims([*others.get(i, []), (origin, a)]) for i, a in actors.items()]
        db.executemany(
            "INSERT INTO actors VALUES (?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET kind=excluded.kind,"
            " name=excluded.name, country=excluded.country, sensitivity=excluded.sensitivity, doc=excluded.doc",
            [(a.id, a.kind.value, a.name, a.country, a.sensitivity.value, a.model_dump_json()) for a in merged],
        )
        db.executemany(
            "INSERT INTO actor_claims VALUES (?,?,?,?) ON CONFLICT(actor_id, origin) DO UPDATE SET"
            " seq=excluded.seq, doc=excluded.doc",
            [(a.id, origin, seq, a.model_dump_json()) for a in actors.values()],
        )
        self._rekey(merged, drop=not self._fresh)  # an empty store has no keys to drop

        # Links: fields of the leading origin (the greatest id among its claimants), citations per origin.
        self._write_links(rows, origin)
        removed_links = removed_actors = 0
        if replace and had_claims:
            removed_links, removed_actors = self._sweep(origin, actors, [r[0] for r in rows])
        self._record_changes(version, origin)
        self._stamp(now)
        return WriteResult(origin, len(actors), len(rows), removed_actors, removed_links)

    #: A link row in LINK_COLUMNS order, with the origin being written (``temp.writing``) put in.
    _INSERT_LINK = f"INSERT INTO links VALUES ({','.join('?' * 13)}, (SELECT origin FROM temp.writing), ?)"  # nosec B608
    _UPSERT_LINK = (_INSERT_LINK + " ON CONFLICT(id) DO UPDATE SET "  # '?' placeholders only  # nosec B608
                    + ", ".join(f'"{c}"=CASE WHEN {_LEADS} THEN excluded."{c}" ELSE links."{c}" END'
                                for c in LINK_COLUMNS[1:13])
                    + ", citations = CASE WHEN links.origin = excluded.origin THEN excluded.citations"
                      " ELSE links.citations END")

    def _write_links(self, rows: list[tuple], origin: str) -> None:
        """Upsert link rows claimed by ``origin``: a new link's row holds this claim; a link
        first claimed by another origin gets this one in ``link_claims``."""
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS writing(origin TEXT) STRICT")
        db.execute("DELETE FROM temp.writing")
        db.execute("INSERT INTO temp.writing VALUES (?)", (origin,))
        shared = db.execute("SELECT 1 FROM links WHERE origin != ? LIMIT 1", (origin,)).fetchone() is not None
        claimed_elsewhere: set[str] = set()
        if shared:
            db.executemany("INSERT OR IGNORE INTO temp.batch_ids VALUES (?)", ((r[0],) for r in rows))
            claimed_elsewhere = {i for i, in db.execute(
                "SELECT l.id FROM links l JOIN temp.batch_ids b ON b.id = l.id WHERE l.origin != ?", (origin,))}
            db.execute("DELETE FROM temp.batch_ids")
        if not shared and len(rows) > _BULK_ROWS and db.execute("SELECT 1 FROM links LIMIT 1").fetchone() is None:
            self._fill_links(rows, origin)
        else:
            db.executemany(self._UPSERT_LINK, rows)
        if claimed_elsewhere:
            db.executemany(
                "INSERT INTO link_claims VALUES (?,?,?) ON CONFLICT(link_id, origin) DO UPDATE SET"
                " citations=excluded.citations",
                ((r[0], origin, r[13]) for r in rows if r[0] in claimed_elsewhere))

    #: A new link row with its origin given (a parameter rather than ``temp.writing``: a bulk fill).
    _FILL_LINK = "INSERT INTO links VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

    def _fill_links(self, rows: list[tuple], origin: str) -> None:
        """Fill the empty links table: rows first, then its indexes (a row written twice keeps
        its last version, as an upsert would).

        Rows go in as they come; only when the unique index finds an id written twice are they
        written again, deduplicated (so no map of every row is built for a load without repeats)."""
        db = self.db
        for name in _LINK_INDEXES:
            db.execute(f"DROP INDEX IF EXISTS {name}")  # names from a constant  # nosec B608
        db.execute("SAVEPOINT fill_links")
        try:
            db.executemany(self._FILL_LINK, (r[:13] + (origin, r[13]) for r in rows))
            db.execute(f"CREATE {_LINK_INDEXES['links_id']}")  # statement from a constant  # nosec B608
        except sqlite3.IntegrityError:  # an id written twice: keep each id's last row at its first place
            db.execute("ROLLBACK TO fill_links")
            db.execute("DROP INDEX IF EXISTS links_id")
            last = {r[0]: r for r in rows}
            db.executemany(self._FILL_LINK, (r[:13] + (origin, r[13]) for r in last.values()))
        db.execute("RELEASE fill_links")
        for index in _LINK_INDEXES.values():
            db.execute(f"CREATE {index}")  # statements from a constant  # nosec B608

    def _drop_link_claims(self, link_ids: list[str], origin: str) -> int:
        """Remove ``origin``'s claim on these links; a link whose first claim goes takes over
        another origin's claim, or is deleted when none is left. Returns the links deleted."""
        db = self.db
        db.executemany("DELETE FROM link_claims WHERE link_id=? AND origin=?", ((i, origin) for i in link_ids))
        removed = 0
        for link_id in link_ids:
            if not db.execute("SELECT 1 FROM links WHERE id=? AND origin=?", (link_id, origin)).fetchone():
                continue
            heir = db.execute("SELECT origin, citations FROM link_claims WHERE link_id=? ORDER BY origin LIMIT 1",
                              (link_id,)).fetchone()
            if heir:
                db.execute("UPDATE links SET origin=?, citations=? WHERE id=?", (*heir, link_id))
                db.execute("DELETE FROM link_claims WHERE link_id=? AND origin=?", (link_id, heir[0]))
            else:
                db.execute("DELETE FROM links WHERE id=?", (link_id,))
                removed += 1
        return removed

    def _bump_generation(self) -> int:
        self.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")
        return int(self.db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0])

    def _stamp(self, when: str) -> None:
        self.db.execute("INSERT INTO meta VALUES ('last_write', ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                        (when,))

    def _other_claims(self, actors: dict[str, Actor], origin: str) -> dict[str, list[tuple[str, Actor]]]:
        out: dict[str, list[tuple[str, Actor]]] = {}
        ids = list(actors)
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for actor_id, other, doc in self.db.execute(
                f"SELECT actor_id, origin, doc FROM actor_claims WHERE actor_id IN ({marks}) AND origin != ?",  # '?' placeholders only  # nosec B608
                (*chunk, origin),
            ):
                out.setdefault(actor_id, []).append((other, Actor.model_validate_json(doc)))
        return out

    def _rekey(self, actors: list[Actor], *, drop: bool = True) -> None:
        if drop:
            self.db.executemany("DELETE FROM actor_keys WHERE actor_id=?", ((a.id,) for a in actors))
        self.db.executemany("INSERT OR IGNORE INTO actor_keys VALUES (?,?)",
                            ((k, a.id) for a in actors for k in actor_keys(a)))

    def _sweep(self, origin: str, actors: dict[str, Actor], link_ids: list[str]) -> tuple[int, int]:
        """Drop this origin's claims on records it no longer writes; drop unclaimed records."""
        db = self.db
        db.executemany("INSERT OR IGNORE INTO temp.batch_ids VALUES (?)", ((i,) for i in link_ids))
        stale_links = [r[0] for r in db.execute(
            "SELECT id FROM links WHERE origin=?1 AND id NOT IN (SELECT id FROM temp.batch_ids) UNION"
            " SELECT link_id FROM link_claims WHERE origin=?1 AND link_id NOT IN (SELECT id FROM temp.batch_ids)",
            (origin,))]
        removed_links = self._drop_link_claims(stale_links, origin)
        db.execute("DELETE FROM temp.batch_ids")
        db.executemany("INSERT OR IGNORE INTO temp.batch_ids VALUES (?)", ((i,) for i in actors))
        stale_actors = [r[0] for r in db.execute(
            "SELECT actor_id FROM actor_claims WHERE origin=? AND actor_id NOT IN (SELECT id FROM temp.batch_ids)",
            (origin,))]
        removed_actors = self._release_actors(stale_actors, origin)
        db.execute("DELETE FROM temp.batch_ids")
        return removed_links, removed_actors

    def _release_actors(self, actor_ids: list[str], origin: str) -> int:
        """Remove ``origin``'s claim on these actors; delete those left unclaimed and unlinked."""
        db = self.db
        db.executemany("DELETE FROM actor_claims WHERE actor_id=? AND origin=?", ((i, origin) for i in actor_ids))
        removed = 0
        remerged: list[Actor] = []
        for actor_id in actor_ids:
            docs = [(o, Actor.model_validate_json(d)) for o, d in db.execute(
                "SELECT origin, doc FROM actor_claims WHERE actor_id=?", (actor_id,))]
            if docs:
                remerged.append(merge_actor_claims(docs))
            elif not db.execute("SELECT 1 FROM links WHERE source=?1 OR target=?1 LIMIT 1", (actor_id,)).fetchone():
                db.execute("DELETE FROM actors WHERE id=?", (actor_id,))
                removed += 1
        db.executemany("UPDATE actors SET kind=?, name=?, country=?, sensitivity=?, doc=? WHERE id=?",
                       [(a.kind.value, a.name, a.country, a.sensitivity.value, a.model_dump_json(), a.id)
                        for a in remerged])
        self._rekey(remerged)
        return removed

    def remove_origin(self, origin_id: str, *, who: str | None = None) -> WriteResult:
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            self._bump_generation()
            version = self._next_version()
            self._snapshot((), (), origin_id)
            link_ids = [r[0] for r in db.execute("SELECT id FROM links WHERE origin=?1 UNION"
                                                 " SELECT link_id FROM link_claims WHERE origin=?1", (origin_id,))]
            removed_links = self._drop_link_claims(link_ids, origin_id)
            actor_ids = [r[0] for r in db.execute("SELECT actor_id FROM actor_claims WHERE origin=?", (origin_id,))]
            removed_actors = self._release_actors(actor_ids, origin_id)
            db.execute("DELETE FROM sources WHERE id=?", (origin_id,))
            self._record_changes(version, origin_id)
            self._record_version(version, _now(), who, "remove", [origin_id], None)
            self._stamp(_now())
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return WriteResult(origin_id, 0, 0, removed_actors, removed_links)

    # -- reading ------------------------------------------------------------
    def get_actor(self, actor_id: str) -> Actor | None:
        row = self.db.execute("SELECT doc FROM actors WHERE id=?", (actor_id,)).fetchone()
        return Actor.model_validate_json(row[0]) if row else None

    def get_actors(self, actor_ids: Iterable[str]) -> dict[str, Actor]:
        ids = list(dict.fromkeys(actor_ids))
        found: dict[str, Actor] = {}
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            for doc, in self.db.execute(f"SELECT doc FROM actors WHERE id IN ({','.join('?' * len(chunk))})", chunk):  # '?' placeholders only  # nosec B608
                actor = Actor.model_validate_json(doc)
                found[actor.id] = actor
        return {i: found[i] for i in ids if i in found}

    def get_link(self, link_id: str) -> Link | None:
        links = self._links_where("l.id=?", (link_id,))
        return links[0] if links else None

    def get_links(self, link_ids: Iterable[str]) -> dict[str, Link]:
        ids = list(dict.fromkeys(link_ids))
        found: dict[str, Link] = {}
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            for link in self._links_where(f"l.id IN ({','.join('?' * len(chunk))})", tuple(chunk)):
                found[link.id] = link
        return {i: found[i] for i in ids if i in found}

    def cited_sources(self, actor_ids: Iterable[str], link_ids: Iterable[str]) -> set[str]:
        """One query over the stored citations (no records are built)."""
        rows = self.db.execute(
            "SELECT json_extract(j.value, '$[0]') FROM json_each(?2) s JOIN links l ON l.id = s.value,"
            " json_each(l.citations) j"
            " UNION SELECT json_extract(j.value, '$[0]') FROM json_each(?2) s"
            " JOIN link_claims c ON c.link_id = s.value, json_each(c.citations) j"
            " UNION SELECT json_extract(j.value, '$.source') FROM json_each(?1) s JOIN actors a ON a.id = s.value,"
            " json_each(a.doc, '$.citations') j",
            (json.dumps(list(actor_ids)), json.dumps(list(link_ids))))
        return {source for source, in rows if source is not None}

    def citing(self, source_ids: Iterable[str]) -> dict[str, tuple[set[str], set[str]]]:
        found: dict[str, tuple[set[str], set[str]]] = {s: (set(), set()) for s in source_ids}
        wanted = json.dumps(list(found))
        for source, actor_id in self.db.execute(
                "SELECT json_extract(j.value, '$.source') AS s, a.id FROM actors a, json_each(a.doc, '$.citations') j"
                " WHERE s IN (SELECT value FROM json_each(?1))", (wanted,)):
            found[source][0].add(actor_id)
        for source, link_id in self.db.execute(
                "SELECT json_extract(j.value, '$[0]') AS s, l.id FROM links l, json_each(l.citations) j"
                " WHERE s IN (SELECT value FROM json_each(?1)) UNION SELECT json_extract(j.value, '$[0]') AS s,"
                " c.link_id FROM link_claims c, json_each(c.citations) j WHERE s IN (SELECT value FROM json_each(?1))",
                (wanted,)):
            found[source][1].add(link_id)
        return found

    def find_actors(self, text: str, limit: int = 20) -> list[Actor]:
        keys = ["i:" + text.strip().casefold(), "n:" + normalise_name(text)]
        if ":" in text:
            scheme, _, value = text.partition(":")
            keys.append(f"x:{scheme.strip().lower()}:{value.strip().casefold()}")
        rows = self.db.execute(
            f"SELECT DISTINCT actor_id FROM actor_keys WHERE key IN ({','.join('?' * len(keys))}) LIMIT ?",  # '?' placeholders only  # nosec B608
            (*keys, limit),
        ).fetchall()
        return list(self.get_actors(r[0] for r in rows).values())

    def search_actors(self, text: str, limit: int = 10) -> list[Actor]:
        norm = normalise_name(text)
        if not norm:
            return []
        pattern = "n:%" + norm.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute(
            "SELECT actor_id, MIN(CASE WHEN key = ?1 THEN 0 WHEN key LIKE ?2 ESCAPE '\\' THEN 1 ELSE 2 END) AS rank,"
            " MIN(length(key)) AS len FROM actor_keys WHERE key LIKE ?3 ESCAPE '\\'"
            " GROUP BY actor_id ORDER BY rank, len, actor_id LIMIT ?4",
            ("n:" + norm, "n:" + norm.replace("%", "\\%").replace("_", "\\_") + "%", pattern, limit),
        ).fetchall()
        return list(self.get_actors(r[0] for r in rows).values())

    def actor_by_identifier(self, scheme: str, value: str) -> Actor | None:
        row = self.db.execute("SELECT actor_id FROM actor_keys WHERE key=? LIMIT 1",
                              (f"x:{scheme.lower()}:{value.strip().casefold()}",)).fetchone()
        return self.get_actor(row[0]) if row else None

    def links_of(self, actor_id: str) -> list[Link]:
        return self._links_where("l.id IN (SELECT id FROM links WHERE source=?1 UNION SELECT id FROM links WHERE target=?1)",
                                 (actor_id,))

    _LINK_SELECT = ("SELECT " + ", ".join(f'l."{c}"' for c in LINK_COLUMNS[:13])  # '?' placeholders only  # nosec B608
                    + ", l.origin, l.citations, (SELECT group_concat(c.origin || char(31) || c.citations, char(30))"
                      " FROM link_claims c WHERE c.link_id = l.id) FROM links l")

    def _links_where(self, where: str, params: tuple) -> list[Link]:
        rows = self.db.execute(f"{self._LINK_SELECT} WHERE {where} ORDER BY l.id", params)
        return [link_from_stored_row(row) for row in rows]

    def iter_actors(self) -> Iterator[Actor]:
        for doc, in self.db.execute("SELECT doc FROM actors ORDER BY id"):
            yield Actor.model_validate_json(doc)

    def iter_links(self) -> Iterator[Link]:
        for row in self.db.execute(f"{self._LINK_SELECT} ORDER BY l.id"):
            yield link_from_stored_row(row)

    def iter_link_rows(self) -> Iterator[tuple[str, str, str, str, str | None, str | None, str, str]]:
        """Links as plain tuples ``(id, kind, source, target, start, end, confidence, sensitivity)``,
        for fast projections."""
        yield from self.db.execute(
            'SELECT id, kind, source, target, start, "end", confidence, sensitivity FROM links')

    def sources(self) -> list[Source]:
        return [Source.model_validate_json(d) for d, in self.db.execute("SELECT doc FROM sources ORDER BY id")]

    def origin_batch(self, origin_id: str) -> Batch | None:
        row = self.db.execute("SELECT doc FROM sources WHERE id=?", (origin_id,)).fetchone()
        if row is None:
            return None
        actors = [Actor.model_validate_json(d) for d, in self.db.execute(
            "SELECT doc FROM actor_claims WHERE origin=? ORDER BY actor_id", (origin_id,))]
        cols = ", ".join(f'l."{c}"' for c in LINK_COLUMNS[:13])
        rows = self.db.execute(
            f"SELECT {cols}, l.citations FROM links l WHERE l.origin=?1 UNION ALL"  # column names from a constant  # nosec B608
            f" SELECT {cols}, c.citations FROM link_claims c JOIN links l ON l.id = c.link_id WHERE c.origin=?1",
            (origin_id,))
        links = sorted((link_from_row(r) for r in rows), key=lambda lk: lk.id)
        return Batch(Source.model_validate_json(row[0]), actors, links, cited_documents(self, actors, links, origin_id))

    def origins_of(self, record_id: str) -> list[str]:
        rows = self.db.execute(
            "SELECT origin FROM actor_claims WHERE actor_id=?1 UNION SELECT origin FROM links WHERE id=?1"
            " UNION SELECT origin FROM link_claims WHERE link_id=?1",
            (record_id,))
        return sorted(r[0] for r in rows)

    def stats(self) -> Stats:
        q = self.db.execute
        by_origin: dict[str, dict[str, int]] = {}
        for origin, n in q("SELECT origin, count(*) FROM actor_claims GROUP BY origin"):
            by_origin.setdefault(origin, {"actors": 0, "links": 0})["actors"] = n
        by_kind: dict[str, int] = {}
        for origin, kind, n in q("SELECT origin, kind, count(*) FROM links GROUP BY origin, kind"):  # one scan
            by_origin.setdefault(origin, {"actors": 0, "links": 0})["links"] += n
            by_kind[kind] = by_kind.get(kind, 0) + n
        for origin, n in q("SELECT origin, count(*) FROM link_claims GROUP BY origin"):
            by_origin.setdefault(origin, {"actors": 0, "links": 0})["links"] += n
        last = q("SELECT value FROM meta WHERE key='last_write'").fetchone()
        return Stats(
            actors=q("SELECT count(*) FROM actors").fetchone()[0],
            links=q("SELECT count(*) FROM links").fetchone()[0],
            sources=q("SELECT count(*) FROM sources").fetchone()[0],
            actors_by_kind=dict(q("SELECT kind, count(*) FROM actors GROUP BY kind ORDER BY 2 DESC, 1")),
            links_by_kind=dict(sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),  # as ORDER BY 2 DESC, 1
            actors_by_country=dict(q("SELECT coalesce(country, ''), count(*) FROM actors GROUP BY 1 ORDER BY 2 DESC, 1")),
            records_by_origin=dict(sorted(by_origin.items())),
            last_write=last[0] if last else None,
        )

    def fingerprint(self) -> str:
        rows = dict(self.db.execute("SELECT key, value FROM meta WHERE key IN ('store_id','generation')"))
        return f"{rows.get('store_id', '')}:{rows.get('generation', '0')}"

