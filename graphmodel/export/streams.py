"""Writing text to a binary stream in large UTF-8 blocks (fast for millions of small pieces).

>>> import io
>>> buf = io.BytesIO()
>>> w = BlockWriter(buf)
>>> w("é"); w("\\n"); w.flush()
>>> buf.getvalue()
b'\\xc3\\xa9\\n'
"""

from __future__ import annotations

import io
from typing import IO


class BlockWriter:
    """Collects text pieces and writes them to ``out`` encoded, a few thousand at a time."""

    def __init__(self, out: IO[bytes], pieces: int = 2048) -> None:
        self.out, self.parts, self.pieces = out, [], pieces

    def __call__(self, piece: str) -> None:
        self.parts.append(piece)
        if len(self.parts) >= self.pieces:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.out.write("".join(self.parts).encode("utf-8"))
            self.parts = []


def text_stream(out: IO[bytes]) -> io.TextIOWrapper:
    """A UTF-8 text view of a binary stream; call ``detach()`` when done so ``out`` stays open."""
    return io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
