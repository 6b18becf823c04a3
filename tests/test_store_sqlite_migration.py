"""Stores written by an earlier schema open, migrated, with the same content."""

from __future__ import annotations

import sqlite3

from graphmodel.models import Citation
from graphmodel.store.sqlite import SQLiteStore

#: Schema 1 as it was released: every link claim in link_claims.
_SCHEMA_1 = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE sources(id TEXT PRIMARY KEY, kind TEXT NOT NULL, doc TEXT NOT NULL, written_at TEXT NOT NULL) STRICT;
CREATE TABLE actors(id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, country TEXT,
  sensitivity TEXT NOT NULL, doc TEXT NOT NULL) STRICT;
CREATE TABLE actor_claims(actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
  origin TEXT NOT NULL REFERENCES sources(id), seq INTEGER NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY(actor_id, origin)) STRICT, WITHOUT ROWID;
CREATE TABLE actor_keys(key TEXT NOT NULL, actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
  PRIMARY KEY(key, actor_id)) STRICT, WITHOUT ROWID;
CREATE TABLE links(id TEXT PRIMARY KEY, kind TEXT NOT NULL,
  source TEXT NOT NULL REFERENCES actors(id), target TEXT NOT NULL REFERENCES actors(id),
  start TEXT, "end" TEXT, amount REAL, currency TEXT, share REAL,
  confidence TEXT NOT NULL, sensitivity TEXT NOT NULL, description TEXT, attributes TEXT) STRICT;
CREATE INDEX links_source ON links(source);
CREATE INDEX links_target ON links(target);
CREATE TABLE link_claims(link_id TEXT NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  origin TEXT NOT NULL REFERENCES sources(id), citations TEXT NOT NULL,
  PRIMARY KEY(link_id, origin)) STRICT, WITHOUT ROWID;
CREATE INDEX link_claims_origin ON link_claims(origin);
PRAGMA user_version=1;
"""


def test_schema_1_store_opens_with_its_links_and_claims(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA_1)
    actor = '{"id":"%s","kind":"union","name":"%s","sensitivity":"public"}'
    db.executemany("INSERT INTO sources VALUES (?, 'dataset', ?, '2026-01-01')",
                   [(o, '{"id":"%s","title":"%s","kind":"dataset"}' % (o, o)) for o in ("a", "b")])
    db.executemany("INSERT INTO actors VALUES (?, 'union', ?, NULL, 'public', ?)",
                   [(i, i.upper(), actor % (i, i.upper())) for i in ("x", "y")])
    db.execute("INSERT INTO links VALUES ('l-1', 'supports', 'x', 'y', NULL, NULL, NULL, NULL, NULL,"
               " 'confirmed', 'public', NULL, NULL)")
    db.executemany("INSERT INTO link_claims VALUES ('l-1', ?, ?)",
                   [("b", '[["b", "row 2", null]]'), ("a", '[["a", "row 7", null]]')])
    db.commit()
    db.close()

    store = SQLiteStore(path)
    (link,) = store.links_of("x")
    assert link.citations == [Citation(source="a", locator="row 7"), Citation(source="b", locator="row 2")]
    assert store.origins_of("l-1") == ["a", "b"]
    assert store.stats().records_by_origin["a"]["links"] == 1
    store.remove_origin("a")
    assert store.links_of("x")[0].citations == [Citation(source="b", locator="row 2")]
    store.remove_origin("b")
    assert store.stats().links == 0
    store.close()
