"""The registry of input formats and how a file's format is detected.

Formats are tried in order; the first whose ``sniff`` accepts the file's name
and first bytes reads it. ``--format NAME`` skips detection.
"""

from __future__ import annotations

from pathlib import Path

from graphmodel.errors import InputError

from .base import Format
from .tabular import read_tabular

_TABULAR_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xlsm"}


def _sniff_tabular(path: Path, head: bytes) -> bool:
    return path.suffix.lower() in _TABULAR_SUFFIXES


#: Every format, in detection order (specific formats before the generic tabular template).
FORMATS: list[Format] = [
    Format("tabular", "Stakemap's template: actors, links and sources as CSV files or XLSX sheets",
           read_tabular, _sniff_tabular),
]


def format_names() -> list[str]:
    return [f.name for f in FORMATS]


def get_format(name: str) -> Format:
    for fmt in FORMATS:
        if fmt.name == name:
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
