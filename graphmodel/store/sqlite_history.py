"""The embedded store's versions and history (see :mod:`graphmodel.store.history`).

Tables: ``versions`` (one row per write: number, time, who, action, origins,
counts), ``docs`` (curation documents by kind and key: judgements, the review
queue; see :mod:`graphmodel.store.curation`) and ``history`` (per version, each record it changed, with the record as
it was before, as JSON; NULL when the version added it). A write takes a
snapshot of every record it may touch (``temp.before_state``) before it
changes anything, and compares after: only records that really differ get a
history row, so re-running an ingest adds a version and no history.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime, timezone

from ..models import Actor, Link, merge_citations
from .contract import citations_from_json, link_from_row
from .history import HistoryRow, Version, same_substance

HISTORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions(
  n INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT, action TEXT NOT NULL, origins TEXT NOT NULL,
  note TEXT, counts TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS history(
  version INTEGER NOT NULL, record TEXT NOT NULL, id TEXT NOT NULL, origin TEXT, before TEXT,
  PRIMARY KEY(version, record, id)) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS history_record ON history(id, record);
CREATE TABLE IF NOT EXISTS docs(
  kind TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, version INTEGER NOT NULL,
  PRIMARY KEY(kind, key)) STRICT, WITHOUT ROWID;
"""

#: A link's whole stored state in one value (its row and every other origin's claim), to tell
#: cheaply whether a write changed it.
_LINK_STATE = ("json_array(l.id, l.kind, l.source, l.target, l.start, l.\"end\", l.amount, l.currency, l.share,"
               " l.confidence, l.sensitivity, l.description, l.attributes, l.origin, l.citations,"
               " (SELECT json_group_array(json_array(c.origin, c.citations)) FROM"
               " (SELECT origin, citations FROM link_claims WHERE link_id = l.id ORDER BY origin) c))")
_TEMP = """
CREATE TEMP TABLE IF NOT EXISTS touched(record TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY(record, id)) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS before_state(record TEXT NOT NULL, id TEXT NOT NULL, state TEXT NOT NULL,
  PRIMARY KEY(record, id)) WITHOUT ROWID;
"""


class SQLiteHistory:
    """Versions and history for :class:`~graphmodel.store.sqlite.SQLiteStore` (which supplies ``db``)."""

    db: sqlite3.Connection
    _fresh: bool = False

    # -- while writing (inside the write transaction) -------------------------------------------
    def _next_version(self) -> int:
        return (self.db.execute("SELECT max(n) FROM versions").fetchone()[0] or 0) + 1

    def _snapshot(self, actor_ids: Iterable[str], link_ids: Iterable[str], origin: str | None) -> None:
        """Keep the state of every record this write may change: the ids given, and (with ``origin``)
        every record that origin claims."""
        db = self.db
        for statement in _TEMP.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("DELETE FROM temp.touched")
        db.execute("DELETE FROM temp.before_state")
        # a write into an empty store adds everything it writes: nothing to keep (see _record_changes)
        self._fresh = not db.execute("SELECT 1 FROM actors LIMIT 1").fetchone()
        if self._fresh:
            return
        # in key order: the inserts then append rather than scatter
        db.executemany("INSERT OR IGNORE INTO temp.touched VALUES ('actor', ?)", ((i,) for i in sorted(set(actor_ids))))
        db.executemany("INSERT OR IGNORE INTO temp.touched VALUES ('link', ?)", ((i,) for i in sorted(set(link_ids))))
        if origin is not None:
            db.execute("INSERT OR IGNORE INTO temp.touched SELECT 'actor', actor_id FROM actor_claims WHERE origin=?",
                       (origin,))
            db.execute("INSERT OR IGNORE INTO temp.touched SELECT 'link', id FROM links WHERE origin=?1 UNION"
                       " SELECT 'link', link_id FROM link_claims WHERE origin=?1", (origin,))
        db.execute("INSERT INTO temp.before_state SELECT 'actor', a.id, a.doc FROM temp.touched t"
                   " JOIN actors a ON a.id = t.id WHERE t.record = 'actor'")
        db.execute(f"INSERT INTO temp.before_state SELECT 'link', l.id, {_LINK_STATE} FROM temp.touched t"  # nosec B608
                   " JOIN links l ON l.id = t.id WHERE t.record = 'link'")

    def _record_changes(self, version: int, origin: str) -> None:
        """History rows for what changed since :meth:`_snapshot` (the earliest state wins when several
        batches of one version touch a record)."""
        db = self.db
        if self._fresh:
            for record, table in (("actor", "actors"), ("link", "links")):
                db.execute(f"INSERT OR IGNORE INTO history SELECT ?, ?, id, ?, NULL FROM {table} ORDER BY id",  # nosec B608
                           (version, record, origin))
            return
        for record, table in (("actor", "actors"), ("link", "links")):
            db.execute(
                f"INSERT OR IGNORE INTO history SELECT ?1, t.record, t.id, ?2, NULL FROM temp.touched t"  # nosec B608
                f" WHERE t.record = ?3 AND NOT EXISTS (SELECT 1 FROM temp.before_state b"
                f" WHERE b.record = ?3 AND b.id = t.id) AND EXISTS (SELECT 1 FROM {table} x WHERE x.id = t.id)",
                (version, origin, record))
        rows = db.execute("SELECT b.id, b.state FROM temp.before_state b LEFT JOIN actors a ON a.id = b.id"
                          " WHERE b.record = 'actor' AND b.state IS NOT a.doc").fetchall()
        if rows:
            now = self.get_actors(i for i, _ in rows)
            db.executemany("INSERT OR IGNORE INTO history VALUES (?, 'actor', ?, ?, ?)",
                           [(version, i, origin, state) for i, state in rows
                            if not same_substance(Actor.model_validate_json(state), now.get(i))])
        rows = db.execute(f"SELECT b.id, b.state FROM temp.before_state b LEFT JOIN links l ON l.id = b.id"  # nosec B608
                          f" WHERE b.record = 'link' AND (l.id IS NULL OR b.state IS NOT {_LINK_STATE})").fetchall()
        if rows:
            now = self.get_links(i for i, _ in rows)
            befores = [(i, _link_from_state(json.loads(state))) for i, state in rows]
            db.executemany("INSERT OR IGNORE INTO history VALUES (?, 'link', ?, ?, ?)",
                           [(version, i, origin, link.model_dump_json()) for i, link in befores
                            if not same_substance(link, now.get(i))])

    def _record_version(self, version: int, at: str, who: str | None, action: str, origins: list[str],
                        note: str | None) -> Version:
        db = self.db
        # a record added and removed again within the version changed nothing
        db.execute("DELETE FROM history WHERE version=?1 AND before IS NULL AND (CASE record WHEN 'actor' THEN"
                   " NOT EXISTS (SELECT 1 FROM actors WHERE id = history.id) ELSE"
                   " NOT EXISTS (SELECT 1 FROM links WHERE id = history.id) END)", (version,))
        counts = {f"{record}s_{status}": 0 for record in ("actor", "link") for status in ("added", "removed", "changed")}
        for record, status, n in db.execute(
                "SELECT record, CASE WHEN before IS NULL THEN 'added' WHEN (CASE record WHEN 'actor' THEN"
                " NOT EXISTS (SELECT 1 FROM actors WHERE id = history.id) ELSE"
                " NOT EXISTS (SELECT 1 FROM links WHERE id = history.id) END) THEN 'removed' ELSE 'changed' END,"
                " count(*) FROM history WHERE version = ? GROUP BY 1, 2", (version,)):
            counts[f"{record}s_{status}"] = n
        db.execute("INSERT INTO versions VALUES (?,?,?,?,?,?,?)",
                   (version, at, who, action, json.dumps(origins, ensure_ascii=False), note, json.dumps(counts)))
        return Version(version, at, who, action, tuple(origins), note, counts)

    def _put_docs(self, version: int, docs: dict[str, dict[str, dict | None]]) -> None:
        for kind, found in docs.items():
            self.db.executemany("DELETE FROM docs WHERE kind=? AND key=?",
                                [(kind, key) for key, doc in found.items() if doc is None])
            self.db.executemany(
                "INSERT INTO docs VALUES (?,?,?,?) ON CONFLICT(kind, key) DO UPDATE SET doc=excluded.doc,"
                " version=excluded.version",
                [(kind, key, json.dumps(doc, ensure_ascii=False, sort_keys=True), version)
                 for key, doc in found.items() if doc is not None])

    def write_docs(self, docs: dict[str, dict[str, dict | None]], *, who: str | None = None, action: str = "note",
                   note: str | None = None) -> Version:
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            self._bump_generation()  # type: ignore[attr-defined]
            version = self._next_version()
            self._put_docs(version, docs)
            made = self._record_version(version, _now(), who, action, [], note)
            db.execute("COMMIT")
            return made
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    # -- reading ---------------------------------------------------------------------------------
    def docs(self, kind: str) -> dict[str, dict]:
        return {key: json.loads(doc) for key, doc in self.db.execute(
            "SELECT key, doc FROM docs WHERE kind=? ORDER BY key", (kind,))}

    def versions(self) -> list[Version]:
        return [Version(n, at, who, action, tuple(json.loads(origins)), note, json.loads(counts))
                for n, at, who, action, origins, note, counts in self.db.execute(
                    "SELECT n, at, who, action, origins, note, counts FROM versions ORDER BY n")]

    def history_from(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key='history_from'").fetchone()
        return int(row[0]) if row else 0

    def history_rows(self, since: int, ids: Iterable[tuple[str, str]] | None = None) -> list[HistoryRow]:
        if ids is None:
            rows = self.db.execute("SELECT version, record, id, origin, before FROM history WHERE version > ?",
                                   (since,))
        else:
            wanted = json.dumps([list(k) for k in ids])
            rows = self.db.execute(
                "SELECT h.version, h.record, h.id, h.origin, h.before FROM json_each(?2) w JOIN history h"
                " ON h.record = json_extract(w.value, '$[0]') AND h.id = json_extract(w.value, '$[1]')"
                " WHERE h.version > ?1", (since, wanted))
        return [HistoryRow(v, record, i, origin, _record_from_json(record, before))
                for v, record, i, origin, before in rows]

    def history_size(self) -> dict[str, int]:
        rows, size = self.db.execute("SELECT count(*), coalesce(sum(length(id) + coalesce(length(before), 0)"
                                     " + 16), 0) FROM history").fetchone()
        return {"rows": rows, "bytes": size}

    # -- pruning ---------------------------------------------------------------------------------
    def prune_history(self, before: int) -> dict[str, int]:
        """Drop the history of versions up to ``before`` (states at ``before`` and later stay
        known); the current state is untouched. Returns the rows dropped and bytes freed on disk."""
        db = self.db
        size_before = self._file_bytes()
        try:
            db.execute("BEGIN IMMEDIATE")
            dropped = db.execute("DELETE FROM history WHERE version <= ?", (before,)).rowcount
            db.execute("INSERT INTO meta VALUES ('history_from', ?) ON CONFLICT(key) DO UPDATE SET"
                       " value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))", (str(before),))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("VACUUM")
        return {"rows": dropped, "bytes_freed": max(0, size_before - self._file_bytes())}

    def _file_bytes(self) -> int:
        page_size = self.db.execute("PRAGMA page_size").fetchone()[0]
        return self.db.execute("PRAGMA page_count").fetchone()[0] * page_size


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _record_from_json(record: str, doc: str | None) -> Actor | Link | None:
    if doc is None:
        return None
    return Actor.model_validate_json(doc) if record == "actor" else Link.model_validate_json(doc)


def _link_from_state(state: list) -> Link:
    """A link from the state :data:`_LINK_STATE` keeps."""
    others = state[15] if not isinstance(state[15], str) else json.loads(state[15])
    claims = "\x1e".join(f"{o}\x1f{c}" for o, c in others or [])
    return link_from_stored_row((*state[:15], claims or None))


def link_from_stored_row(row: tuple) -> Link:
    """A link from its columns, its first claim and the other origins' claims (``origin`` US
    ``citations``, joined by RS); citations come in the order of their origins."""
    claims = [(row[13], row[14])] + [tuple(part.split("\x1f", 1)) for part in (row[15] or "").split("\x1e") if part]
    cites = [c for _, text in sorted(claims) for c in citations_from_json(text)]
    return link_from_row((*row[:13], None)).model_copy(update={"citations": merge_citations(cites)})
