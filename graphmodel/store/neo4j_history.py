"""The Neo4j store's versions and history (see :mod:`graphmodel.store.history`).

A run that writes makes one ``StakemapVersion`` node and, for the records it
changes, ``StakemapHistory`` nodes each holding up to :data:`CHUNK` rows
(``[record, id, origin, state before as JSON or null]``) as one JSON text.
Both carry the run's ``sm_seq``, so they are visible exactly when the run is
committed and swept away with it when it is not. A store written before
versions were kept shows one "start" version standing for the map as found;
its first versioned write makes that version a node.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone

from ..models import Actor, Link
from .cypher import (
    DOC,
    DOC_CREATE,
    DOCS_OF_KIND,
    HISTORY_CREATE,
    HISTORY_FROM_SET,
    HISTORY_PRUNE,
    HISTORY_SINCE,
    HISTORY_SIZE,
    META_ID,
    META_READ,
    VERSION_CREATE,
    VERSIONS_ALL,
    node_delete,
    node_purge,
)
from .history import HistoryRow, Version
from .neo4j_run import Run, Write

#: History rows per node.
CHUNK = 500
_START_NOTE = "history starts here: this store was written before Stakemap kept versions"


class Neo4jHistory:
    """Versions and history for the Neo4j store (mixed into its reads and writes)."""

    def _meta(self) -> dict:
        row = self._one(META_READ, meta=META_ID)  # type: ignore[attr-defined]
        return (row["meta"] if row else None) or {}

    def versions(self) -> list[Version]:
        found = [_version(dict(r["p"])) for r in self._read(VERSIONS_ALL, meta=META_ID)]  # type: ignore[attr-defined]
        meta = self._meta()
        if not found and meta.get("committed", 0) > 0:
            return [Version(1, meta.get("last_write") or "?", None, "start", (), _START_NOTE, {})]
        return found

    def history_from(self) -> int:
        meta = self._meta()
        known = int(meta.get("history_from") or 0)
        if known == 0 and meta.get("committed", 0) > 0 and self.versions()[0].action == "start":
            return 1
        return known

    def history_rows(self, since: int, ids: Iterable[tuple[str, str]] | None = None) -> list[HistoryRow]:
        wanted = None if ids is None else {tuple(k) for k in ids}
        out: list[HistoryRow] = []
        for r in self._read(HISTORY_SINCE, meta=META_ID, since=since):  # type: ignore[attr-defined]
            for record, i, origin, before in json.loads(r["rows"]):
                if wanted is None or (record, i) in wanted:
                    doc = None if before is None else (
                        Actor.model_validate_json(before) if record == "actor" else Link.model_validate_json(before))
                    out.append(HistoryRow(r["version"], record, i, origin, doc))
        return out

    def history_size(self) -> dict[str, int]:
        row = self._one(HISTORY_SIZE, meta=META_ID)  # type: ignore[attr-defined]
        return {"rows": int(row["rows"] or 0) if row else 0, "bytes": int(row["bytes"] or 0) if row else 0}

    def prune_history(self, before: int) -> dict[str, int]:
        rows_before = self.history_size()["rows"]
        self._one(HISTORY_FROM_SET, write=True, meta=META_ID, before=before)  # type: ignore[attr-defined]
        while True:
            row = self._one(HISTORY_PRUNE, write=True, before=before, limit=1000)  # type: ignore[attr-defined]
            if not row or not row["n"]:
                break
        after = self.history_size()
        return {"rows": rows_before - after["rows"], "bytes_freed": 0}

    def docs(self, kind: str) -> dict[str, dict]:
        return {r["key"]: json.loads(r["doc"]) for r in self._read(DOCS_OF_KIND, meta=META_ID, kind=kind)}  # type: ignore[attr-defined]

    def write_docs(self, docs: dict[str, dict[str, dict | None]], *, who: str | None = None, action: str = "note",
                   note: str | None = None) -> Version:
        self._in_run(lambda run: None, version=(who, action, [], note), docs=docs)  # type: ignore[attr-defined]
        return self.versions()[-1]

    # -- while writing ----------------------------------------------------------------------------
    def _doc_writes(self, run: Run, docs: dict[str, dict[str, dict | None]]) -> tuple[list[Write], list[str]]:
        """The statements that replace these documents (visible at the run's commit), and the ids of the
        nodes they retire (purged after it)."""
        retired: list[str] = []
        rows: list[dict] = []
        for kind, found in docs.items():
            current = {r["key"]: r["id"] for r in self._read(DOCS_OF_KIND, meta=META_ID, kind=kind)}  # type: ignore[attr-defined]
            retired += [current[k] for k in found if k in current]
            rows += [{"id": f"{kind}\x1f{key}\x1f{run.seq}", "kind": kind, "key": key, "sm_seq": run.seq,
                      "doc": json.dumps(doc, ensure_ascii=False, sort_keys=True)}
                     for key, doc in found.items() if doc is not None]
        return [Write(node_delete(DOC), retired, key="ids", params={"seq": run.seq}),
                Write(DOC_CREATE, rows, expect=True)], retired

    def _purge_docs(self, retired: list[str], committed: int) -> list[Write]:
        return [Write(node_purge(DOC), retired, key="ids", params={"committed": committed})]

    def _version_writes(self, run: Run, who: str | None, action: str, origins: list[str],
                        note: str | None) -> list[Write]:
        """The nodes that record this run as a version (written with the run, visible at its commit)."""
        known = self.versions()
        number = (known[-1].number if known else 0) + 1
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows, counts = run.history()
        nodes = []
        if known and known[0].action == "start" and len(known) == 1 and self._meta().get("history_from") is None:
            start = known[0]
            nodes.append(_version_node(start, run.seq))
            self._one(HISTORY_FROM_SET, write=True, meta=META_ID, before=1)  # type: ignore[attr-defined]
        version = Version(number, now, who, action, tuple(origins), note, counts)
        nodes.append(_version_node(version, run.seq))
        chunks = [{"id": f"{number}:{i}", "version": number, "count": len(part),
                   "rows": json.dumps(part, ensure_ascii=False), "sm_seq": run.seq}
                  for i, part in enumerate(_chunks(rows, self.limits.bytes // 2))]  # type: ignore[attr-defined]
        return [Write(VERSION_CREATE, nodes, expect=True), Write(HISTORY_CREATE, chunks, expect=True)]


def _chunks(rows: list[list], budget: int) -> list[list[list]]:
    """Rows in groups of at most :data:`CHUNK` and about ``budget`` bytes of JSON (a larger row goes alone)."""
    out: list[list[list]] = []
    size = 0
    for row in rows:
        n = len(json.dumps(row, ensure_ascii=False).encode()) + 2
        if not out or len(out[-1]) >= CHUNK or size + n > budget:
            out.append([])
            size = 0
        out[-1].append(row)
        size += n
    return out


def _version_node(v: Version, seq: int) -> dict:
    return {"id": str(v.number), "number": v.number, "at": v.at, "who": v.who, "action": v.action,
            "origins": json.dumps(list(v.origins), ensure_ascii=False), "note": v.note,
            "counts": json.dumps(dict(v.counts)), "sm_seq": seq}


def _version(p: dict) -> Version:
    return Version(p["number"], p["at"], p.get("who"), p["action"], tuple(json.loads(p.get("origins") or "[]")),
                   p.get("note"), json.loads(p.get("counts") or "{}"))
