"""Where the bundled datasets are: ``data/`` beside the packages, in a source checkout or an install.

Looked for, in order: ``$STAKEMAP_DATA``; ``data/`` at the root of the source
tree these packages were imported from; ``share/stakemap/data`` under the
Python prefix (where an installed package puts its data files); ``./data``.
A folder counts when it holds ``seed/dataset.yaml``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA_ENV = "STAKEMAP_DATA"
#: Datasets ``stakemap demo`` loads, in order (``reference`` is a context table, not a dataset to load).
DEMO_DATASETS = ("seed", "demo")
#: The context table the coverage page finds gaps against, and its default column.
CONTEXT_TABLE = ("reference", "migrant_workers.csv")
CONTEXT_COLUMN = "temporary_labour_migrants"


def candidates() -> list[Path]:
    """The folders looked in, in order."""
    out = []
    if os.environ.get(DATA_ENV):
        out.append(Path(os.environ[DATA_ENV]))
    out.append(Path(__file__).resolve().parents[1] / "data")
    out.append(Path(sys.prefix) / "share" / "stakemap" / "data")
    out.append(Path.cwd() / "data")
    return out


def data_dir() -> Path | None:
    """The first folder holding the bundled datasets, or ``None``."""
    for folder in candidates():
        if (folder / "seed" / "dataset.yaml").is_file():
            return folder
    return None


def demo_datasets() -> list[Path]:
    """The dataset folders ``stakemap demo`` loads (empty when none is found)."""
    root = data_dir()
    if root is None:
        return []
    return [root / name for name in DEMO_DATASETS if (root / name / "dataset.yaml").is_file()]


def context_table() -> Path | None:
    """The bundled context table (migrant workers by destination country), when present."""
    root = data_dir()
    if root is None:
        return None
    path = root.joinpath(*CONTEXT_TABLE)
    return path if path.is_file() else None
