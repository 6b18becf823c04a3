"""Columns of a projection read from a memory-mapped file, turned into Python objects only when asked.

A :class:`StringColumn` holds strings as one UTF-8 buffer and their offsets:
reading one value decodes only that value; anything else (slicing by a mask or
an index array, iterating, ``tolist``, ``astype``, numpy functions) turns the
whole column into the object array a freshly built projection holds, once.
:class:`IdIndex` finds an actor's position by binary search over the ids in
sorted order, until something needs the whole mapping. :class:`TupleMap` is a
dictionary of tuples of strings (an actor's sectors or countries), read on
first use.

>>> col = StringColumn.from_values(["b", None, "añ"])
>>> col[2], col[1], len(col)
('añ', None, 3)
>>> col[np.array([0, 2])].tolist()
['b', 'añ']
>>> index = IdIndex(StringColumn.from_values(["z", "a", "m"]), np.array([1, 2, 0]))
>>> index.get("m"), "q" in index, index["z"]
(2, False, 0)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

PART = "\x1e"    # between the parts of one value of a TupleMap


def encode_strings(values: Sequence[str | None]) -> dict[str, np.ndarray]:
    """The arrays that store ``values``: ``text`` (UTF-8 bytes), ``offsets`` (n + 1) and, when any value
    is ``None``, ``none`` (a mask)."""
    none = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
    texts = ["" if v is None else v for v in values]
    encoded = [t.encode("utf-8") for t in texts]
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    out = {"text": np.frombuffer(b"".join(encoded), dtype=np.uint8), "offsets": offsets}
    if none.any():
        out["none"] = none
    return out


class StringColumn:
    """A column of strings (or ``None``) over a UTF-8 buffer; see the module notes."""

    __slots__ = ("_text", "_offsets", "_none", "_array", "_lock")

    def __init__(self, text: np.ndarray, offsets: np.ndarray, none: np.ndarray | None = None) -> None:
        self._text = text
        self._offsets = offsets
        self._none = none
        self._array: np.ndarray | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_values(cls, values: Sequence[str | None]) -> "StringColumn":
        parts = encode_strings(values)
        return cls(parts["text"], parts["offsets"], parts.get("none"))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def value(self, i: int) -> str | None:
        """The value at position ``i``, decoded alone."""
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"index {i} is out of bounds for a column of {n}")
        if self._none is not None and self._none[i]:
            return None
        return bytes(self._text[self._offsets[i]:self._offsets[i + 1]]).decode("utf-8")

    def array(self) -> np.ndarray:
        """The whole column as an object array (built once)."""
        if self._array is None:
            with self._lock:
                if self._array is None:
                    self._array = self._decode()
        return self._array

    def _decode(self) -> np.ndarray:
        n = len(self)
        out = np.empty(n, dtype=object)
        if n == 0:
            return out
        values: list[Any] = _split_by_offsets(self._text, self._offsets)
        if self._none is not None:
            for i in np.flatnonzero(self._none).tolist():
                values[i] = None
        out[:] = values
        return out

    def __getitem__(self, key):
        if self._array is None and isinstance(key, (int, np.integer)):
            return self.value(int(key))
        return self.array()[key]

    def __iter__(self) -> Iterator:
        return iter(self.array())

    def __array__(self, dtype=None, copy=None):
        a = self.array()
        return a if dtype is None else a.astype(dtype)

    def __eq__(self, other):  # elementwise, as an object array compares
        return self.array() == other

    def __ne__(self, other):
        return self.array() != other

    __hash__ = None  # type: ignore[assignment]

    def __getattr__(self, name: str):
        return getattr(self.array(), name)

    def __repr__(self) -> str:
        return f"StringColumn({len(self)} values)"


def _split_by_offsets(raw: np.ndarray, offsets: np.ndarray) -> list[str]:
    """The values of a UTF-8 buffer cut at byte ``offsets``: the buffer is decoded once and cut at the
    same places counted in characters (a character starts at every byte that is not a continuation
    byte ``0b10xxxxxx``)."""
    text = bytes(raw).decode("utf-8")
    if len(text) == len(raw):  # all ASCII: byte offsets are character offsets
        bounds = offsets.tolist()
    else:
        starts = np.zeros(len(raw) + 1, dtype=np.int64)
        np.cumsum((np.asarray(raw) & 0xC0) != 0x80, out=starts[1:])
        bounds = starts[offsets].tolist()
    return [text[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


class IdIndex(Mapping):
    """Actor id -> position, by binary search over ``order`` (positions sorted by id) until the whole
    mapping is needed (iteration), then as a dict."""

    def __init__(self, ids: StringColumn | np.ndarray, order: np.ndarray) -> None:
        self._ids = ids
        self._order = order
        self._dict: dict[str, int] | None = None

    def _find(self, key: Any) -> int | None:
        if self._dict is not None:
            return self._dict.get(key)
        if not isinstance(key, str):
            return None
        lo, hi = 0, len(self._order)
        while lo < hi:
            mid = (lo + hi) // 2
            value = self._ids[int(self._order[mid])]
            if value < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self._order):
            pos = int(self._order[lo])
            if self._ids[pos] == key:
                return pos
        return None

    def __getitem__(self, key: Any) -> int:
        pos = self._find(key)
        if pos is None:
            raise KeyError(key)
        return pos

    def get(self, key: Any, default: Any = None) -> Any:
        pos = self._find(key)
        return default if pos is None else pos

    def __contains__(self, key: object) -> bool:
        return self._find(key) is not None

    def as_dict(self) -> dict[str, int]:
        if self._dict is None:
            ids = self._ids.array() if isinstance(self._ids, StringColumn) else self._ids
            self._dict = dict(zip(ids.tolist(), range(len(ids))))
        return self._dict

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self._order)


class TupleMap(Mapping):
    """Position -> tuple of strings, read from ``positions`` and a column of joined values on first use."""

    def __init__(self, positions: np.ndarray, values: StringColumn) -> None:
        self._positions = positions
        self._values = values
        self._dict: dict[int, tuple[str, ...]] | None = None

    @staticmethod
    def encode(mapping: Mapping[int, tuple[str, ...]]) -> tuple[np.ndarray, list[str]] | None:
        """Positions and joined values; ``None`` when a value holds the separator (then not storable)."""
        keys = sorted(mapping)
        joined = [PART.join(mapping[k]) for k in keys]
        if any(PART in part for k in keys for part in mapping[k]):
            return None
        return np.array(keys, dtype=np.int64), joined

    def as_dict(self) -> dict[int, tuple[str, ...]]:
        if self._dict is None:
            self._dict = {p: tuple(v.split(PART)) for p, v in zip(self._positions.tolist(), self._values.tolist())}
        return self._dict

    def __getitem__(self, key: int) -> tuple[str, ...]:
        return self.as_dict()[key]

    def __iter__(self) -> Iterator[int]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self._positions)
