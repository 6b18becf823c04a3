"""Where the store is and how to reach it.

The default store is ``./stakemap.db``; ``--store URL`` or ``STAKEMAP_STORE``
selects another. URLs are written as SQLAlchemy writes them:

>>> parse_store_url("sqlite:///maps/seed.db").path
'maps/seed.db'
>>> parse_store_url("sqlite:////srv/stakemap.db").path
'/srv/stakemap.db'
>>> parse_store_url("stakemap.db").scheme
'sqlite'
>>> parse_store_url("bolt://neo4j@localhost:7687/stakemap").database
'stakemap'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .errors import ConfigError

DEFAULT_STORE = "sqlite:///stakemap.db"
STORE_ENV = "STAKEMAP_STORE"
GRAPH_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


@dataclass(frozen=True)
class StoreURL:
    scheme: str
    path: str = ""
    host: str = ""
    port: int | None = None
    user: str | None = None
    database: str | None = None

    @property
    def display(self) -> str:
        """The URL without any secret, fit for logs and messages."""
        if self.scheme == "sqlite":
            return f"sqlite:///{self.path}"
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        db = f"/{self.database}" if self.database else ""
        return f"{self.scheme}://{user}{self.host}{port}{db}"


def resolve_store_url(value: str | None) -> str:
    """The store URL in force: the argument, else ``STAKEMAP_STORE``, else the default."""
    return value or os.environ.get(STORE_ENV) or DEFAULT_STORE


def parse_store_url(value: str) -> StoreURL:
    text = value.strip()
    if "://" not in text:
        if not text:
            raise ConfigError("the store URL is empty", hint="use sqlite:///stakemap.db or bolt://user@host:7687/db")
        return StoreURL("sqlite", path=text)
    scheme = text.split("://", 1)[0].lower()
    if scheme == "sqlite":
        path = text[len("sqlite:///"):] if text.lower().startswith("sqlite:///") else ""
        if not path:
            raise ConfigError(f"{value!r} names no file", hint="write sqlite:///relative.db or sqlite:////absolute/path.db")
        return StoreURL("sqlite", path=unquote(path))
    if scheme in GRAPH_SCHEMES:
        parts = urlsplit(text)
        if parts.password:
            raise ConfigError("the store URL must not contain a password",
                              hint="set STAKEMAP_NEO4J_PASSWORD or let Stakemap ask for it")
        try:
            port = parts.port
        except ValueError as exc:
            raise ConfigError(f"bad port in store URL {scheme}://{parts.hostname}") from exc
        database = parts.path.strip("/") or None
        return StoreURL(scheme, host=parts.hostname or "localhost", port=port or 7687,
                        user=unquote(parts.username) if parts.username else None, database=database)
    raise ConfigError(f"unknown store scheme {scheme!r}",
                      hint="use sqlite:///file.db for the embedded store or bolt:// / neo4j:// for Neo4j")
