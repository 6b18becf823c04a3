"""The registry of export formats and writing a subgraph to a path or a stream (see the package's
introduction)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import StakemapError
from ..models import Source
from ..store.contract import Subgraph
from .atomic import atomic_files
from .csvfiles import csv_files, folder_name, write_csv_zip
from .cypher import write_cypher
from .cytoscape import write_cytoscape
from .ftm import write_ftm
from .gexf import write_gexf
from .graphml import write_graphml
from .jsonfile import write_json
from .manifest import file_entry, manifest_bytes, manifest_path
from .picture import write_png, write_svg
from .xlsx import write_xlsx

Writer = Callable[[Subgraph, IO[bytes], dict[str, Any], list[Source]], None]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    description: str
    writer: Writer
    extension: str
    media_type: str
    embeds_manifest: bool = True


EXPORT_FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("graphml", "GraphML with every field, source and date", write_graphml, ".graphml",
                 "application/graphml+xml"),
    ExportFormat("gexf", "GEXF 1.3 for Gephi: colours and sizes by kind, time intervals", write_gexf, ".gexf",
                 "application/gexf+xml"),
    ExportFormat("csv", "nodes.csv, links.csv and sources.csv (Gephi headings), a folder or a ZIP",
                 write_csv_zip, ".zip", "application/zip"),
    ExportFormat("xlsx", "a Kumu-ready workbook: Elements, Connections and Sources sheets", write_xlsx, ".xlsx",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ExportFormat("json", "node-link JSON, Stakemap's interchange format", write_json, ".json", "application/json"),
    ExportFormat("cytoscape", "Cytoscape.js JSON with a style sheet", write_cytoscape, ".cyjs", "application/json"),
    ExportFormat("cypher", "a Cypher script that recreates the subgraph in Neo4j", write_cypher, ".cypher",
                 "text/plain"),
    ExportFormat("ftm", "FollowTheMoney entities, one JSON object a line", write_ftm, ".ftm.json",
                 "application/x-ndjson", embeds_manifest=False),
    ExportFormat("svg", "a picture (SVG)", write_svg, ".svg", "image/svg+xml"),
    ExportFormat("png", "a picture (PNG; needs matplotlib)", write_png, ".png", "image/png"),
)}


class ExportError(StakemapError):
    """An export cannot be written: an unknown format, a folder that does not exist."""


def get_format(name: str) -> ExportFormat:
    try:
        return EXPORT_FORMATS[name.lower()]
    except KeyError:
        raise ExportError(f"unknown export format {name!r}",
                          hint="choose one of: " + ", ".join(EXPORT_FORMATS)) from None


def export_subgraph(subgraph: Subgraph, fmt: str, out: str | Path | IO[bytes], manifest: dict[str, Any],
                    sources: list[Source] | None = None) -> list[Path]:
    """Write ``subgraph`` as ``fmt`` to ``out``: a binary stream, or a path (atomically, with the
    manifest beside it). Returns the paths written (none for a stream).

    ``sources`` defaults to those a :class:`SelectedSubgraph` carries.
    """
    spec = get_format(fmt)
    if sources is None:
        sources = list(getattr(subgraph, "sources", []) or [])
    if not isinstance(out, (str, Path)):
        spec.writer(subgraph, out, manifest, sources)
        return []
    path = Path(out)
    if not path.parent.exists():
        raise ExportError(f"folder {path.parent} does not exist", hint="create it or choose another --out")
    if spec.name == "csv" and path.suffix.lower() != ".zip":
        return _write_csv_folder(subgraph, path, manifest, sources)
    side = manifest_path(path)
    with atomic_files([path, side]) as (tmp, tmp_side):
        with tmp.open("wb") as handle:
            if spec.name == "csv":
                write_csv_zip(subgraph, handle, manifest, sources, folder_name(path))
            else:
                spec.writer(subgraph, handle, manifest, sources)
        tmp_side.write_bytes(manifest_bytes(manifest, [file_entry(tmp, path.name)]))
    return [path, side]


def _write_csv_folder(subgraph: Subgraph, folder: Path, manifest: dict[str, Any], sources: list[Source]) -> list[Path]:
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file; CSV exports are folders", hint="give a folder name or NAME.zip")
    folder.mkdir(exist_ok=True)
    files = csv_files(subgraph, manifest, sources, folder.name)
    finals = [folder / name for name in files] + [folder / "manifest.json", manifest_path(folder)]
    with atomic_files(finals) as temps:
        entries = []
        for (name, write), tmp in zip(files.items(), temps):
            with tmp.open("wb") as handle:
                write(handle)
            entries.append(file_entry(tmp, name))
        data = manifest_bytes(manifest, entries)
        temps[-2].write_bytes(data)
        temps[-1].write_bytes(data)
    return finals


def export_bytes(subgraph: Subgraph, fmt: str, manifest: dict[str, Any], sources: list[Source] | None = None) -> bytes:
    """The export as bytes (for a download)."""
    buf = io.BytesIO()
    export_subgraph(subgraph, fmt, buf, manifest, sources)
    return buf.getvalue()
