"""Files Stakemap creates hold what their maker was cleared to see: readable by their owner only.

>>> import tempfile, pathlib, stat
>>> path = pathlib.Path(tempfile.mkdtemp()) / "map.db"
>>> owner_only_file(path)
>>> oct(stat.S_IMODE(path.stat().st_mode))
'0o600'
"""

from __future__ import annotations

import os
from pathlib import Path


def owner_only_file(path: Path) -> None:
    """Create ``path`` empty, readable and writable by its owner only (it must not exist yet)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


__all__ = ["owner_only_file"]
