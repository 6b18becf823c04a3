"""CSV: ``nodes.csv``, ``links.csv`` and ``sources.csv``, in a folder or a ZIP file.

The tables are described in :mod:`graphmodel.export.tables` (Gephi headings:
``Id``/``Label``/``Type`` for nodes, ``Id``/``Source``/``Target``/``Type``/``Label``
for links). Files are UTF-8 without a byte-order mark, comma-separated, every
text cell that could run as a spreadsheet formula prefixed with ``'``
(:mod:`graphmodel.export.cells`). Beside them go ``dataset.yaml``, so
``stakemap ingest FOLDER`` reads the export back as one origin, and the
manifest.

>>> import io, zipfile
>>> from graphmodel.models import Actor
>>> from graphmodel.store.contract import Subgraph
>>> buf = io.BytesIO()
>>> write_csv_zip(Subgraph({"x": Actor(id="x", kind="ngo", name="=cmd|' /C calc'!A0")}), buf, {}, [])
>>> z = zipfile.ZipFile(buf)
>>> sorted(z.namelist())
['dataset.yaml', 'links.csv', 'manifest.json', 'nodes.csv', 'sources.csv']
>>> z.read("nodes.csv").decode().splitlines()[1].split(",")[1]
"'=cmd|' /C calc'!A0"
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import yaml

from ..models import Source
from ..store.contract import Subgraph
from ..text import slugify
from .cells import neutralise
from .tables import Table, actor_table, link_table, source_table

#: File names inside a CSV export, by table.
CSV_NAMES = {"actors": "nodes.csv", "links": "links.csv", "sources": "sources.csv"}


def cell_text(value: Any) -> str:
    """A value as CSV cell text: empty for none, whole numbers without ``.0``, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def write_table(table: Table, out: IO[bytes]) -> None:
    """Write one table as CSV to a binary stream."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(table.headings)
        writer.writerows([cell_text(v) for v in row] for row in table.rows)
        text.flush()
    finally:
        text.detach()


def dataset_yaml(name: str, manifest: dict[str, Any]) -> bytes:
    """The ``dataset.yaml`` that makes an export folder a dataset ``stakemap ingest`` reads."""
    meta = {
        "id": slugify(name),
        "title": f"Stakemap export {name}",
        "format": "tabular",
        "description": "Exported by " + (manifest.get("query", {}) or {}).get("command", "stakemap export")
        if manifest.get("query") else "Exported by stakemap export",
        "files": dict(CSV_NAMES),
    }
    return yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).encode("utf-8")


def csv_files(subgraph: Subgraph, manifest: dict[str, Any], sources: list[Source],
              name: str) -> dict[str, Callable[[IO[bytes]], None]]:
    """Each file of a CSV export (name -> function writing it to a binary stream)."""
    tables = {"actors": actor_table(subgraph, "gephi"), "links": link_table(subgraph, "gephi"),
              "sources": source_table(sources)}
    files: dict[str, Callable[[IO[bytes]], None]] = {
        CSV_NAMES[key]: (lambda out, t=table: write_table(t, out)) for key, table in tables.items()}
    files["dataset.yaml"] = lambda out: out.write(dataset_yaml(name, manifest))
    return files


def write_csv_zip(subgraph: Subgraph, out: IO[bytes], manifest: dict[str, Any], sources: list[Source],
                  name: str = "stakemap-export") -> None:
    """Write the CSV files and the manifest as one ZIP archive to a binary stream."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for filename, write in csv_files(subgraph, manifest, sources, name).items():
            with archive.open(filename, "w", force_zip64=True) as member:
                write(member)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


def folder_name(path: Path) -> str:
    return path.stem if path.suffix.lower() == ".zip" else path.name
