"""The manifest that goes with every export, so it can be cited and re-created.

It says what was selected (the command line or dashboard query, and the
selection itself with the actors it named), when, from which store (its URL
without secrets, and a fingerprint of its content), which sources the exported
records cite, which influence weights ranked paths or leverage, how many
actors and links were exported, and how many were withheld and why.

The manifest is embedded in formats that have room for it and written beside
every export as ``<file>.manifest.json``, which also lists each file written
with its size and SHA-256.

>>> from graphmodel.export.selection import SelectedSubgraph, Selection
>>> m = build_manifest(SelectedSubgraph(selection=Selection(around=["BWI"])), fmt="json",
...                    created="2024-05-01T00:00:00+00:00")
>>> m["selection"], m["query"]["command"]
({'around': ['BWI']}, 'stakemap export --format json --around BWI')
>>> m["counts"]["actors"], m["redacted"]["clearance"]
(0, 'internal')
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .. import __version__
from ..errors import ConfigError
from ..settings import parse_store_url
from ..store.contract import Subgraph

MANIFEST_SUFFIX = ".manifest.json"


def public_url(url: str | None) -> str | None:
    """A store URL without user secrets.

    >>> public_url("bolt://neo4j:secret@db.example.org:7687/maps")
    'bolt://neo4j@db.example.org:7687/maps'
    >>> public_url("sqlite:///maps/seed.db")
    'sqlite:///maps/seed.db'
    """
    if not url:
        return None
    try:
        return parse_store_url(url).display
    except ConfigError:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = (f"{parts.username}@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def build_manifest(subgraph: Subgraph, *, fmt: str, store: Any = None, command: str | None = None,
                   dashboard_query: str | None = None, created: str | None = None,
                   out_name: str | None = None) -> dict[str, Any]:
    """The manifest of exporting ``subgraph`` (a :class:`SelectedSubgraph` carries its selection) as ``fmt``.

    ``store`` is the store it was read from (for its URL and fingerprint);
    ``command`` the command line as typed (reconstructed from the selection
    when absent); ``dashboard_query`` the dashboard URL query when it came
    from there.
    """
    selection = getattr(subgraph, "selection", None)
    redaction = getattr(subgraph, "redaction", None)
    sources = getattr(subgraph, "sources", None)
    store_url = public_url(getattr(store, "url", None)) if store is not None else None
    if command is None and selection is not None:
        command = selection.to_command(fmt, out_name, store_url if store_url and store_url.startswith("bolt") else None)
    cited = sorted({c.source for r in (*subgraph.actors.values(), *subgraph.links.values()) for c in r.citations})
    manifest: dict[str, Any] = {
        "stakemap": __version__,
        "created": created or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "format": fmt,
        "query": {"command": command, **({"dashboard": dashboard_query} if dashboard_query else {})},
        "selection": selection.model_dump(mode="json", exclude_defaults=True) if selection is not None else None,
        "resolved": dict(getattr(subgraph, "seeds", {}) or {}),
        "store": {"url": store_url, "fingerprint": _fingerprint(store)} if store is not None else None,
        "sources": [s.id for s in sources] if sources is not None else cited,
        "weights": getattr(subgraph, "weights", None),
        "counts": {
            "actors": len(subgraph.actors), "links": len(subgraph.links),
            "sources": len(sources) if sources is not None else len(cited),
            "actors_by_kind": dict(sorted(Counter(a.kind.value for a in subgraph.actors.values()).items())),
            "links_by_kind": dict(sorted(Counter(lk.kind.value for lk in subgraph.links.values()).items())),
        },
        "redacted": redaction.as_dict() if redaction is not None else None,
        "notes": list(getattr(subgraph, "notes", []) or []),
    }
    return manifest


def _fingerprint(store: Any) -> str | None:
    try:
        return store.fingerprint()
    except Exception:  # a store that cannot say: the manifest is still useful without it
        return None


def manifest_path(out: Path) -> Path:
    """Where the manifest of an export written to ``out`` goes: ``<out>.manifest.json``."""
    return out.with_name(out.name + MANIFEST_SUFFIX)


def file_entry(path: Path, name: str | None = None) -> dict[str, Any]:
    """A file's name, size in bytes and SHA-256, for the manifest's ``files`` list."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"name": name or path.name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def manifest_bytes(manifest: dict[str, Any], files: Iterable[dict[str, Any]] = ()) -> bytes:
    """The manifest as UTF-8 JSON, with the ``files`` written."""
    data = dict(manifest)
    files = list(files)
    if files:
        data["files"] = files
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
