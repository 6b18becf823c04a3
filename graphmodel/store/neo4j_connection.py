"""Talking to a Neo4j server: the driver, its errors, and the schema the store sets up on first use.

:class:`Neo4jConnection` opens the driver, checks that the server answers and
that the database has the store's schema (constraints, indexes and the
``StakemapMeta`` node), and sends every statement through one method,
:meth:`Neo4jConnection._exec`, which turns the driver's errors into
:class:`~graphmodel.errors.StoreError` with a hint and never shows the
password. Servers other than Neo4j that speak Bolt are found by capability and
get the plain schema and, when they paste parameters into the query text,
escaped parameters (:func:`escape_for_opencypher_bolt`).
"""

from __future__ import annotations

import socket
import uuid
from typing import Any

from ..errors import StoreError
from .cypher import META_ID, META_INIT, META_READ, PROBE_NEO4J, PROBE_PARAMETERS, schema_statements
from .neo4j_batches import BatchLimits

# The name of the environment variable that holds the password (not a password).
PASSWORD_ENV = "STAKEMAP_NEO4J_PASSWORD"  # nosec B105
SCHEMA_VERSION = 1


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


class Neo4jConnection:
    """A driver for one database, ready for the store: reachable, signed in, schema in place."""

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
            meta = self._one(META_READ, meta=META_ID)
            meta = meta["meta"] if meta else None
            if not meta or meta.get("schema") != SCHEMA_VERSION:
                dialect = self._ensure_schema()
                meta = self._one(META_INIT, meta=META_ID, store_id=uuid.uuid4().hex,
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

    # -- the schema, on first use ------------------------------------------------------------
    def _ensure_schema(self) -> str:
        """Create constraints and indexes on first use. Servers other than Neo4j (found by
        capability: ``dbms.components()`` fails there) get the plain index forms only."""
        try:
            self._exec(PROBE_NEO4J, {}, write=False)
            full = True
        except StoreError as exc:
            if "cannot reach" in exc.message or "refused" in exc.message or "does not exist" in exc.message:
                raise
            full = False
        self.stand_in = self._splices_parameters()
        for statement in schema_statements(full):
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
            row = self._one(PROBE_PARAMETERS, value=probe)
            if row is not None and row["value"] == probe:
                return False
        except StoreError:
            pass
        row = self._one(PROBE_PARAMETERS, value=escape_for_opencypher_bolt(probe))
        if row is None or row["value"] != probe:
            raise StoreError(f"the server at {self.url} does not return string parameters intact",
                             hint="use Neo4j 5")
        return True
