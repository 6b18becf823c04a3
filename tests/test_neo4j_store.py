"""The Neo4j store beyond the shared contract: runs that fail or die, errors, batching, sync.

Runs against the shared Bolt server (tests/bolt_server.py): the FalkorDB
stand-in by default, a real Neo4j with STAKEMAP_TEST_NEO4J_URI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graphmodel.errors import ConfigError, StoreError
from graphmodel.models import Actor, Citation, Link, Source
from graphmodel.settings import parse_store_url
from graphmodel.store import Batch
from graphmodel.store import cypher as q
from graphmodel.store.neo4j import BatchLimits, Neo4jStore, batches
from graphmodel.store.sqlite import SQLiteStore
from tests.bolt_server import bolt_server, bolt_store  # noqa: F401  (fixtures)

REPO = Path(__file__).resolve().parents[1]
ORIGIN = Source(id="origin-a", title="Dataset A", kind="dataset")


def sample(n: int = 12, origin: Source = ORIGIN, tag: str = "") -> Batch:
    actors = [Actor(id=f"a{i}", kind="union" if i % 2 else "ngo", name=f"Actor {i}{tag}", country="MY") for i in range(n)]
    links = [Link(kind="supports", source=f"a{i}", target=f"a{i + 1}", start="2010",
                  citations=[Citation(source=origin.id, locator=f"row {i}")]) for i in range(n - 1)]
    return Batch(origin, actors, links)


def markers(store: Neo4jStore) -> int:
    """Records carrying any run marker (left by unfinished runs or unapplied changes)."""
    nodes = store._read("MATCH (n) WHERE n.sm_next_seq IS NOT NULL OR n.sm_del IS NOT NULL"
                        " OR n.sm_seq > $c RETURN count(n) AS n", c=_committed(store))[0]["n"]
    rels = store._read("MATCH ()-[l]->() WHERE l.sm_next_seq IS NOT NULL OR l.sm_del IS NOT NULL"
                       " OR l.sm_seq > $c RETURN count(l) AS n", c=_committed(store))[0]["n"]
    return nodes + rels


def _committed(store: Neo4jStore) -> int:
    return store._one(q.META_READ, meta=q.META_ID)["meta"]["committed"]


class Boom(Exception):
    pass


def fail_after(store: Neo4jStore, monkeypatch, statements: int, when: str = "write") -> None:
    """Make the store fail on its n-th write statement (``when``: 'write' or 'apply')."""
    real = store._exec
    seen = {"n": 0, "committed": False}

    def exec_(statement, params, *, write):
        if statement == q.COMMIT:
            seen["committed"] = True
            return real(statement, params, write=write)
        counting = write and ("UNWIND $rows" in statement or "UNWIND $ids" in statement)
        if counting and (when == "write" or seen["committed"]):
            seen["n"] += 1
            if seen["n"] == statements:
                raise Boom("the server went away")
        return real(statement, params, write=write)

    monkeypatch.setattr(store, "_exec", exec_)


def test_a_write_failing_midway_leaves_nothing_behind(bolt_store, monkeypatch):
    bolt_store.write(sample())
    before = bolt_store.content_hash()
    changed = sample(tag=" renamed")
    changed.links = changed.links[:5]
    fail_after(bolt_store, monkeypatch, statements=3)
    with pytest.raises(Boom):
        bolt_store.write(changed)
    monkeypatch.undo()
    assert bolt_store.content_hash() == before
    assert markers(bolt_store) == 0
    bolt_store.write(changed)  # the lock was released: the next write goes through at once
    assert bolt_store.get_actor("a1").name == "Actor 1 renamed" and bolt_store.stats().links == 5


def test_a_write_failing_after_its_commit_is_finished(bolt_store, monkeypatch):
    bolt_store.write(sample())
    changed = sample(tag=" renamed")
    fail_after(bolt_store, monkeypatch, statements=1, when="apply")
    bolt_store.write(changed)  # committed: the write stands, the tidy-up is redone
    monkeypatch.undo()
    assert bolt_store.get_actor("a3").name == "Actor 3 renamed"
    assert markers(bolt_store) == 0


_KILL = textwrap.dedent("""
    import os, sys, json
    sys.path.insert(0, {repo!r})
    from graphmodel.store.neo4j import Neo4jStore, BatchLimits
    from graphmodel.store import cypher as q
    from tests.test_neo4j_store import sample
    cfg = json.loads(os.environ["BOLT"])
    store = Neo4jStore(cfg["uri"], user=cfg["user"], password=os.environ["BOLT_PASSWORD"], database=cfg["db"],
                       limits=BatchLimits(rows=5, bytes=3000), lease_seconds=1)
    real, count = store._exec, [0]
    def exec_(statement, params, *, write):
        if {after_commit} and statement == q.COMMIT:
            real(statement, params, write=write)
            os._exit(9)
        if not {after_commit} and "UNWIND $rows" in statement:
            count[0] += 1
            if count[0] == 4:
                os._exit(9)
        return real(statement, params, write=write)
    store._exec = exec_
    store.write(sample(30, tag=" renamed"))
""")


@pytest.mark.parametrize("after_commit", [False, True], ids=["before-commit", "after-commit"])
def test_a_killed_ingest_is_invisible_then_swept(bolt_server, bolt_store, after_commit):
    bolt_store.write(sample())
    before = bolt_store.content_hash()
    env = {**os.environ, "BOLT_PASSWORD": bolt_server.password,
           "BOLT": json.dumps({"uri": bolt_server.uri, "user": bolt_server.user, "db": bolt_server.database})}
    done = subprocess.run([sys.executable, "-c", _KILL.format(repo=str(REPO), after_commit=after_commit)],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr
    if after_commit:
        # Committed: readers see the new content although the dead run never applied it.
        assert bolt_store.get_actor("a2").name == "Actor 2 renamed"
    else:
        assert bolt_store.content_hash() == before  # invisible
    assert markers(bolt_store) > 0  # ... but there until swept
    bolt_store.lease_seconds = 1
    bolt_store.write(Batch(Source(id="other", title="Other"), [Actor(id="z", kind="ngo", name="Z")], []))
    assert markers(bolt_store) == 0
    assert bolt_store.stats().actors == (31 if after_commit else 13)
    expected = "Actor 2 renamed" if after_commit else "Actor 2"
    assert bolt_store.get_actor("a2").name == expected


def test_a_second_writer_waits_for_the_lock(bolt_server, bolt_store):
    run = bolt_store._lock()
    other = bolt_server.store(lock_wait_seconds=0.3)
    try:
        with pytest.raises(StoreError, match="another write"):
            other.write(sample())
    finally:
        bolt_store._release(run)
        other.close()
    bolt_store.write(sample())


def test_graph_is_clean_for_cypher_users(bolt_store):
    bolt_store.write(sample())
    bolt_store.write(sample(tag=" v2"))
    rows = bolt_store._read("MATCH (a:Actor:Union {id: 'a1'})-[l:SUPPORTS]->(b:Actor) "
                            "RETURN a.name AS name, l.start AS start, l.confidence AS confidence, "
                            "l.sensitivity AS sensitivity, l.sources AS sources, l.citation_locators AS loc")
    assert [r.data() for r in rows] == [{"name": "Actor 1 v2", "start": "2010", "confidence": "confirmed",
                                         "sensitivity": "public", "sources": ["origin-a"], "loc": ["row 1"]}]
    assert markers(bolt_store) == 0
    assert bolt_store._read("MATCH (n:Actor) RETURN count(n) AS n")[0]["n"] == 12


def test_link_properties_carry_amounts_and_sources(bolt_store):
    a, b = Actor(id="fnv", kind="sso", name="FNV"), Actor(id="bwi", kind="guf", name="BWI")
    grant = Link(kind="funds", source="fnv", target="bwi", start="2006-05", end="2009", amount=1500.5,
                 currency="EUR", confidence="reported", sensitivity="internal",
                 citations=[Citation(source="doc", locator="s. 2", note="our words")])
    bolt_store.write(Batch(ORIGIN, [a, b], [grant], [Source(id="doc", title="Doc")]))
    row = bolt_store._read("MATCH (:SolidaritySupportOrganisation)-[l:FUNDS]->(:GlobalUnionFederation) "
                           "RETURN properties(l) AS p")[0]["p"]
    assert {k: row[k] for k in ("start", "end", "amount", "currency", "confidence", "sensitivity", "sources",
                                "citation_notes", "origins")} == {
        "start": "2006-05", "end": "2009", "amount": 1500.5, "currency": "EUR", "confidence": "reported",
        "sensitivity": "internal", "sources": ["doc"], "citation_notes": ["our words"], "origins": ["origin-a"]}
    assert bolt_store.get_link(grant.id) == grant


def test_kind_change_moves_the_label(bolt_store):
    bolt_store.write(Batch(ORIGIN, [Actor(id="x", kind="ngo", name="X")], []))
    bolt_store.write(Batch(ORIGIN, [Actor(id="x", kind="union", name="X")], []))
    labels = bolt_store._read("MATCH (a:Actor {id: 'x'}) RETURN labels(a) AS l")[0]["l"]
    assert sorted(labels) == ["Actor", "Union"]


def test_neighbourhood_matches_the_embedded_store(bolt_store, tmp_path):
    lite = SQLiteStore(tmp_path / "s.db")
    for store in (bolt_store, lite):
        store.write(sample(20))
    for hops, limit in ((1, None), (2, None), (3, 4)):
        assert bolt_store.neighbourhood(["a5", "a12"], hops, limit) == lite.neighbourhood(["a5", "a12"], hops, limit)
    assert bolt_store.content_hash() == lite.content_hash()
    lite.close()


def test_batches_respect_rows_and_bytes():
    rows = [{"id": f"r{i}", "text": "x" * 100} for i in range(50)]
    chunks = list(batches(rows, "UNWIND $rows AS r RETURN r", BatchLimits(rows=1000, bytes=1500)))
    assert sum(len(c) for c in chunks) == 50
    assert all(len(json.dumps(c)) < 1500 for c in chunks)
    assert [len(c) for c in batches(rows, "", BatchLimits(rows=7, bytes=10**6))][:2] == [7, 7]


def test_batch_limits_from_environment(monkeypatch):
    monkeypatch.setenv("STAKEMAP_NEO4J_BATCH_ROWS", "50")
    monkeypatch.setenv("STAKEMAP_NEO4J_BATCH_BYTES", "4000")
    assert BatchLimits.from_env() == BatchLimits(rows=50, bytes=4000)
    monkeypatch.setenv("STAKEMAP_NEO4J_BATCH_ROWS", "many")
    with pytest.raises(ConfigError):
        BatchLimits.from_env()


# -- errors -------------------------------------------------------------------------------------
def test_unreachable_server_is_a_clear_store_error():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreError, match="cannot reach Neo4j") as err:
        Neo4jStore(f"bolt://127.0.0.1:{port}", user="neo4j", password="s3cret-pw", connection_timeout=2)
    assert "s3cret-pw" not in str(err.value)


def test_bad_credentials_are_a_clear_store_error(bolt_server):
    with pytest.raises(StoreError) as err:
        Neo4jStore(
            bolt_server.uri, user=bolt_server.user, password="wrong-" + bolt_server.password,
            database=bolt_server.database, limits=bolt_server.limits, acquisition_timeout=3)
    if bolt_server.is_neo4j:  # the stand-in answers a bad password with a generic error
        assert "refused the user name or password" in str(err.value)
    assert bolt_server.password not in str(err.value)


class _CodedError:
    """Driver errors as the server sends them (code and message)."""

    @staticmethod
    def make(cls, code: str, message: str):
        import neo4j

        error = type("Coded", (cls,), {"code": property(lambda self: code),
                                       "message": property(lambda self: message)})(message)
        assert isinstance(error, neo4j.exceptions.Neo4jError)
        return error


@pytest.mark.parametrize("kind, code, expected", [
    ("AuthError", "Neo.ClientError.Security.Unauthorized", "refused the user name or password"),
    ("ClientError", "Neo.ClientError.Database.DatabaseNotFound", "database 'maps' does not exist"),
    ("ClientError", "Neo.ClientError.Statement.SyntaxError", "failed: Neo.ClientError.Statement.SyntaxError"),
])
def test_driver_errors_become_store_errors(kind, code, expected):
    import neo4j

    store = object.__new__(Neo4jStore)
    store._neo4j, store.url, store.database, store._secret = neo4j, "bolt://me@host:7687/maps", "maps", "pw-123"
    error = _CodedError.make(getattr(neo4j.exceptions, kind), code, "boom pw-123")
    converted = store._error(error)
    assert isinstance(converted, StoreError) and expected in str(converted)
    assert "pw-123" not in str(converted)
    routing = store._error(neo4j.exceptions.ServiceUnavailable("Unable to retrieve routing information"))
    assert "use bolt://" in str(routing)


def test_routing_scheme_on_a_single_server_says_use_bolt(bolt_server):
    if bolt_server.is_neo4j:
        pytest.skip("a real Neo4j routes")
    uri = bolt_server.uri.replace("bolt://", "neo4j://")
    with pytest.raises(StoreError) as err:
        Neo4jStore(uri, user=bolt_server.user, password=bolt_server.password, max_retry_time=1)
    assert "cannot reach" in str(err.value) or "failed" in str(err.value)


def test_missing_database_is_a_clear_store_error(bolt_server):
    if not bolt_server.is_neo4j:
        pytest.skip("the stand-in has one graph whatever the database name")
    with pytest.raises(StoreError, match="does not exist"):
        bolt_server.store(database="no_such_db_stakemap")


def test_password_from_environment_never_in_url_or_messages(bolt_server, monkeypatch):
    url = bolt_server.uri.replace("bolt://", f"bolt://{bolt_server.user}@")
    monkeypatch.delenv("STAKEMAP_NEO4J_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(ConfigError, match="STAKEMAP_NEO4J_PASSWORD"):
        Neo4jStore.from_url(parse_store_url(url))
    with pytest.raises(ConfigError, match="must not contain a password"):
        parse_store_url(url.replace("@", ":pw@"))
    monkeypatch.setenv("STAKEMAP_NEO4J_PASSWORD", bolt_server.password)
    store = Neo4jStore.from_url(parse_store_url(url), limits=bolt_server.limits)
    try:
        assert bolt_server.password not in store.url
        assert store.url.startswith("bolt://")
    finally:
        store.close()


# -- stakemap sync ---------------------------------------------------------------------------------
def test_sync_embedded_to_neo4j_and_back(bolt_server, bolt_store, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from stakemap.cli import app

    first = SQLiteStore(tmp_path / "a.db")
    first.write(sample(15))
    first.write(Batch(Source(id="origin-b", title="B"), [Actor(id="a3", kind="union", name="Actor 3", aliases=["A3"])],
                      [Link(kind="funds", source="a3", target="a9", amount=5, currency="EUR")]))
    expected = first.content_hash()
    first.close()
    bolt_store.close()
    monkeypatch.setenv("STAKEMAP_NEO4J_PASSWORD", bolt_server.password)
    monkeypatch.setenv("STAKEMAP_NEO4J_BATCH_ROWS", str(bolt_server.limits.rows))
    monkeypatch.setenv("STAKEMAP_NEO4J_BATCH_BYTES", str(bolt_server.limits.bytes))
    graph_url = bolt_server.uri.replace("bolt://", f"bolt://{bolt_server.user}@")
    if bolt_server.database:
        graph_url += "/" + bolt_server.database
    runner = CliRunner()
    out = runner.invoke(app, ["sync", "--from", f"sqlite:///{tmp_path / 'a.db'}", "--to", graph_url])
    assert out.exit_code == 0, out.output
    assert "counts match: 15 actors, 15 links" in out.output
    assert bolt_server.password not in out.output
    again = runner.invoke(app, ["sync", "--from", f"sqlite:///{tmp_path / 'a.db'}", "--to", graph_url])
    assert again.exit_code == 1 and "already holds" in again.output
    back = runner.invoke(app, ["sync", "--from", graph_url, "--to", f"sqlite:///{tmp_path / 'b.db'}"])
    assert back.exit_code == 0, back.output
    copy = SQLiteStore(tmp_path / "b.db")
    assert copy.content_hash() == expected
    copy.close()
