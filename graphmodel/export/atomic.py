"""Writing files so an interrupted export never leaves a truncated file.

Every file is written under a temporary name in the same folder and renamed
to its final name only when it is complete (``os.replace`` is atomic on one
file system). Several files that belong together are renamed together at the
end, after all of them were written. Files are created readable by their
owner only (0600): an export holds what its maker was cleared to see.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_files([folder / "a.txt"]) as (tmp,):
...     _ = tmp.write_text("done")
>>> (folder / "a.txt").read_text()
'done'
>>> try:
...     with atomic_files([folder / "b.txt"]) as (tmp,):
...         _ = tmp.write_text("half")
...         raise KeyboardInterrupt
... except KeyboardInterrupt:
...     pass
>>> sorted(p.name for p in folder.iterdir())
['a.txt']
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..private_files import owner_only_file


def temporary_name(final: Path) -> Path:
    """A hidden name beside ``final`` for writing it: ``.name.1a2b3c.part``."""
    return final.with_name(f".{final.name}.{secrets.token_hex(4)}.part")


@contextmanager
def atomic_files(finals: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield temporary paths for ``finals``; rename them all when the block ends without error.

    On any error (or interrupt) the temporary files are deleted and the final
    names are left as they were.
    """
    finals = [Path(f) for f in finals]
    temps = [temporary_name(f) for f in finals]
    try:
        for temp in temps:  # exports hold what their maker may see: readable by their owner only
            owner_only_file(temp)
        yield temps
        for temp, final in zip(temps, finals):
            if temp.exists():
                _flush_to_disk(temp)
        for temp, final in zip(temps, finals):
            if temp.exists():
                os.replace(temp, final)
    finally:
        for temp in temps:
            try:
                temp.unlink()
            except FileNotFoundError:
                pass


def _flush_to_disk(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on read-only descriptors
        pass
    finally:
        os.close(fd)
