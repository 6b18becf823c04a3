"""How much the Neo4j store sends at once: its batch limits and the splitting of rows into batches.

Every write is an ``UNWIND`` statement over a list of rows, and every lookup by
id one over a list of ids; :func:`batches` cuts those lists so that no message
outgrows :class:`BatchLimits`. Pure: no driver, no server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

BATCH_ROWS_ENV = "STAKEMAP_NEO4J_BATCH_ROWS"
BATCH_BYTES_ENV = "STAKEMAP_NEO4J_BATCH_BYTES"


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
