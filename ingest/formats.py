"""The registry of input formats and how a file's format is detected.

Formats are tried in order; the first whose ``sniff`` accepts the file's name
and first bytes reads it. ``--format NAME`` skips detection.
"""

from __future__ import annotations

from pathlib import Path

from graphmodel.errors import InputError

from . import ftm, gexf, graphml, iati, kumu, oshub, supplier_list
from .base import Format
from .columnar import read_tabular

_TABULAR_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xlsm"}


def _sniff_tabular(path: Path, head: bytes) -> bool:
    return path.suffix.lower() in _TABULAR_SUFFIXES


#: Every format, in detection order (specific formats before the generic tabular template).
FORMATS: list[Format] = [
    Format("iati", "IATI activity XML (1.0x-2.03): programmes, participating organisations, transactions",
           iati.read_iati, iati.sniff),
    Format("graphml", "GraphML (node types and edge labels mapped to kinds with --mapping)",
           graphml.read_graphml, graphml.sniff),
    Format("gexf", "GEXF 1.1-1.3 from Gephi (node types and edge labels mapped to kinds with --mapping)",
           gexf.read_gexf, gexf.sniff),
    Format("ftm", "FollowTheMoney entity lines (Aleph exports)", ftm.read_ftm, ftm.sniff),
    Format("oshub", "Open Supply Hub: facility download CSV, list-upload CSV, API GeoJSON (or a recorded cassette)",
           oshub.read_oshub, oshub.sniff),
    Format("kumu", "Kumu: Elements/Connections workbook, JSON blueprint or project export",
           kumu.read_kumu, kumu.sniff),
    Format("supplier-list", "A brand's supplier or factory disclosure list (XLS, XLSX, CSV); --brand names the brand",
           supplier_list.read_supplier_list, supplier_list.sniff),
    Format("tabular", "Stakemap's template: actors, links and sources as CSV files or XLSX sheets",
           read_tabular, _sniff_tabular),
]


def format_names() -> list[str]:
    return [f.name for f in FORMATS]


def get_format(name: str) -> Format:
    wanted = name.strip().lower().replace("_", "-")
    for fmt in FORMATS:
        if fmt.name == wanted:
            return fmt
    raise InputError(f"unknown format {name!r}", hint="choose one of: auto, " + ", ".join(format_names()))


def detect_format(path: Path) -> Format:
    """The format of a file, from its name and first bytes."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    for fmt in FORMATS:
        if fmt.sniff(path, head):
            return fmt
    raise InputError(f"{path}: cannot tell which format this file is",
                     hint="give --format, one of: " + ", ".join(format_names()))
