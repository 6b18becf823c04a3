"""A bulk load into an empty store (rows first, indexes after) gives the store row-by-row upserts give."""

from __future__ import annotations

import sqlite3

import pytest

from graphmodel.models import Actor, Source
from graphmodel.store import Batch
from graphmodel.store import sqlite as sqlite_store
from graphmodel.store.sqlite import SQLiteStore

ORIGIN = Source(id="bulk", title="Bulk")


def _batch(n_links: int, repeat: bool) -> Batch:
    actors = [Actor(id=f"a{i}", kind="union", name=f"Union {i}") for i in range(50)]
    rows = [(f"l{i:06d}", "affiliated_to", f"a{i % 50}", f"a{(i * 7 + 1) % 50}", None, None, None, None,
             None, "stated", "public", f"link {i}", None, "[]") for i in range(n_links)]
    if repeat:  # an id written twice keeps its last row, at its first place
        rows.insert(5, rows[40][:11] + ("written first",) + rows[40][12:])
    return Batch(ORIGIN, actors=actors, link_rows=rows)


def _content(store: SQLiteStore) -> list:
    tables = ["actors", "actor_claims", "actor_keys", "links", "link_claims", "sources", "history"]
    out = []
    for table in tables:
        rows = store.db.execute(f"SELECT {'rowid, ' if table == 'links' else ''}* FROM {table}").fetchall()  # nosec B608
        out.append(sorted(tuple("?" if table == "sources" and k == 3 else v for k, v in enumerate(r)) for r in rows))
    out.append([v[:1] + v[2:] for v in store.db.execute("SELECT * FROM versions")])
    out.append(store.db.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall())
    return out


@pytest.mark.parametrize("repeat", [False, True])
def test_bulk_fill_equals_upserts(tmp_path, monkeypatch, repeat):
    monkeypatch.setattr(sqlite_store, "_BULK_ROWS", 10)  # filled in bulk
    with SQLiteStore(tmp_path / "bulk.db") as bulk:
        bulk.write(_batch(120, repeat))
        fast = _content(bulk)
    monkeypatch.setattr(sqlite_store, "_BULK_ROWS", 10**9)  # every row upserted
    with SQLiteStore(tmp_path / "rows.db") as rows:
        rows.write(_batch(120, repeat))
        careful = _content(rows)
    assert fast == careful
    assert len(fast[3]) == 120


def test_bulk_fill_checks_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_store, "_BULK_ROWS", 10)
    batch = _batch(60, False)
    batch.link_rows[3] = ("l-dangling", "affiliated_to", "a1", "nobody", *batch.link_rows[3][4:])
    with SQLiteStore(tmp_path / "bulk.db") as store:
        with pytest.raises(sqlite3.IntegrityError):
            store.write(batch)
        assert store.db.execute("SELECT count(*) FROM links").fetchone()[0] == 0
        assert store.versions() == []
