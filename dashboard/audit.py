"""The audit log: who signed in, who exported what, who saw which restricted records, and when.

One JSON object a line, appended and never rewritten. Each line is written
with a single ``write`` on a file opened for appending, so lines from several
threads or server processes never interleave. The log holds record ids and
counts, never names or passwords: it can be shown to whoever reviews access
without itself leaking what it protects.

Events: ``sign_in`` (``ok`` true or false, ``reason``), ``sign_out``,
``sign_in_limited`` (too many attempts), ``export`` (format, file name,
counts), ``view_restricted`` (ids of restricted records a cleared user was
shown), ``denied`` (a request refused: export without the right, a response
that would have revealed withheld records).

>>> import tempfile, pathlib
>>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "audit.jsonl")
>>> log.record("sign_in", user="amina", role="analyst", ip="127.0.0.1", ok=True)
>>> [e["event"] for e in log.read()]
['sign_in']
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

AUDIT_ENV = "STAKEMAP_AUDIT_LOG"
DEFAULT_AUDIT_FILE = "stakemap-audit.jsonl"
#: Longest list of record ids written in one event (the count is always exact).
MAX_IDS = 500


class AuditLog:
    """An append-only JSON-lines file (or nowhere, when ``path`` is ``None``)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()

    def record(self, event: str, **fields: Any) -> None:
        """Append one event; ``ts`` (UTC, ISO 8601) is added."""
        if self.path is None:
            return
        entry = {"ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), "event": event}
        for key, value in fields.items():
            if isinstance(value, (set, frozenset, list, tuple)):
                values = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
                entry[key] = values[:MAX_IDS]
                if len(values) > MAX_IDS:
                    entry[f"{key}_total"] = len(values)
            else:
                entry[key] = value
        line = (json.dumps(entry, ensure_ascii=True, default=str, separators=(",", ":")) + "\n").encode()
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)

    def read(self) -> Iterator[dict]:
        """Every event, oldest first (a damaged last line, from a crash, is skipped)."""
        if self.path is None or not self.path.exists():
            return
        with self.path.open("r", encoding="utf-8") as handle:
            for line in handle:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue


def audit_path(value: str | Path | None = None) -> Path:
    return Path(value or os.environ.get(AUDIT_ENV) or DEFAULT_AUDIT_FILE)


__all__ = ["AUDIT_ENV", "AuditLog", "DEFAULT_AUDIT_FILE", "audit_path"]
