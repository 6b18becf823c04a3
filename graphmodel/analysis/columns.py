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
>>> StringColumn.from_values(["x", "y", "z"])[np.array([True, False, True])][1]
'z'
>>> StringColumn.from_values(["2006-05", None, "", "1999"]).year_prefix().tolist()
[2006, 0, 0, 1999]
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


def pick(column: "StringColumn | np.ndarray", positions: np.ndarray) -> list:
    """The values of ``column`` at ``positions``, as a list (a string column decodes only those)."""
    if isinstance(column, StringColumn):
        return column.values(positions)
    return column[np.asarray(positions, dtype=np.int64)].tolist()


class StringColumn:
    """A column of strings (or ``None``) over a UTF-8 buffer; see the module notes."""

    __slots__ = ("_text", "_offsets", "_none", "_array", "_lock", "_base", "_rows")

    def __init__(self, text: np.ndarray, offsets: np.ndarray, none: np.ndarray | None = None) -> None:
        self._text = text
        self._offsets = offsets
        self._none = none
        self._array: np.ndarray | None = None
        self._lock = threading.Lock()
        self._base: StringColumn | None = None  # when this column is rows of another
        self._rows: np.ndarray | None = None

    def take(self, key) -> "StringColumn":
        """The values at ``key`` (a mask or positions), still undecoded: a column over this one's buffer."""
        rows = np.arange(len(self))[key] if self._rows is None else self._rows[key]
        base = self if self._base is None else self._base
        out = StringColumn(base._text, base._offsets, base._none)
        out._base, out._rows = base, rows
        return out

    @classmethod
    def from_values(cls, values: Sequence[str | None]) -> "StringColumn":
        parts = encode_strings(values)
        return cls(parts["text"], parts["offsets"], parts.get("none"))

    def __len__(self) -> int:
        return len(self._offsets) - 1 if self._rows is None else len(self._rows)

    def raw(self) -> dict[str, np.ndarray] | None:
        """The arrays this column is stored as (see :func:`encode_strings`); ``None`` for rows of another."""
        if self._rows is not None:
            return None
        out = {"text": self._text, "offsets": self._offsets}
        if self._none is not None and self._none.any():
            out["none"] = self._none
        return out

    def value(self, i: int) -> str | None:
        """The value at position ``i``, decoded alone."""
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"index {i} is out of bounds for a column of {n}")
        if self._rows is not None:
            i = int(self._rows[i])
        if self._none is not None and self._none[i]:
            return None
        return bytes(self._text[self._offsets[i]:self._offsets[i + 1]]).decode("utf-8")

    def values(self, positions: np.ndarray) -> list[str | None]:
        """The values at ``positions`` (non-negative), as :meth:`value` decodes them one by one, without
        decoding the whole column."""
        base = self if self._base is None else self._base
        if self._array is not None or base._array is not None:
            return self.array()[positions].tolist()
        rows = np.asarray(positions, dtype=np.int64)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(self)):
            raise IndexError(f"a position is out of bounds for a column of {len(self)}")
        if self._rows is not None:
            rows = self._rows[rows]
        text, none = base._text, base._none
        out: list[str | None] = [bytes(text[a:b]).decode("utf-8") for a, b in
                                 zip(base._offsets[rows].tolist(), base._offsets[rows + 1].tolist())]
        if none is not None:
            for k in np.flatnonzero(none[rows]).tolist():
                out[k] = None
        return out

    def raw_value(self, i: int) -> bytes:
        """The UTF-8 bytes of row ``i`` of a column that is not rows of another (``None`` reads as empty)."""
        return self._text[self._offsets[i]:self._offsets[i + 1]].tobytes()

    def array(self) -> np.ndarray:
        """The whole column as an object array (built once)."""
        if self._array is None:
            with self._lock:
                if self._array is None:
                    self._array = self._decode()
        return self._array

    def _decode(self) -> np.ndarray:
        if self._base is not None:
            return self._base.array()[self._rows]
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
        if self._array is None:
            if isinstance(key, (int, np.integer)):
                return self.value(int(key))
            if isinstance(key, np.ndarray) and key.dtype == bool and len(key) == len(self):
                base = self if self._base is None else self._base
                if base._array is None:  # nothing decoded yet: stay undecoded
                    return self.take(key)
        return self.array()[key]

    def __iter__(self) -> Iterator:
        return iter(self.array())

    def tolist(self) -> list:
        """The values as a list; a few rows of an undecoded column are decoded alone."""
        base = self if self._base is None else self._base
        if self._rows is not None and base._array is None and len(self._rows) * 4 < len(base):
            return [base.value(int(r)) for r in self._rows]
        return self.array().tolist()

    def year_prefix(self) -> np.ndarray:
        """The year each value starts with (``"2006-05"`` gives 2006; 0 for ``None`` or empty), read
        from the buffer without decoding the strings."""
        base = self if self._base is None else self._base
        rows = np.arange(len(base)) if self._rows is None else self._rows
        starts = base._offsets[:-1][rows]
        long_enough = (base._offsets[1:][rows] - starts) >= 4
        if base._none is not None:
            long_enough &= ~base._none[rows]
        out = np.zeros(len(rows), dtype=np.int32)
        at = starts[long_enough]
        digits = np.stack([np.asarray(base._text[at + k], dtype=np.int32) - 48 for k in range(4)]) if len(at) else \
            np.zeros((4, 0), dtype=np.int32)
        plain = ((digits >= 0) & (digits <= 9)).all(axis=0)
        years = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        where = np.flatnonzero(long_enough)
        out[where[plain]] = years[plain]
        for i in where[~plain].tolist():  # not four digits: read as the projection's builder does
            out[i] = int(self.value(i)[:4])
        for i in np.flatnonzero(~long_enough).tolist():
            value = self.value(i)
            out[i] = int(value[:4]) if value else 0
        return out

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
        ids = self._ids
        if isinstance(ids, StringColumn) and ids._rows is None and ids._array is None:
            # compare UTF-8 bytes (their order is the strings' order) without decoding
            value: Any = ids.raw_value
            key_: Any = key.encode("utf-8")
        else:
            value, key_ = ids.__getitem__, key
        order = self._order
        lo, hi = 0, len(order)
        while lo < hi:
            mid = (lo + hi) // 2
            if value(int(order[mid])) < key_:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(order):
            pos = int(order[lo])
            if value(pos) == key_:
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

    @property
    def order(self) -> np.ndarray:
        """Positions in id order."""
        return self._order


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

    def raw(self) -> dict[str, np.ndarray] | None:
        """The arrays this map was read from, while it has not been changed."""
        parts = self._values.raw()
        return None if parts is None else {"positions": self._positions, **parts}

    def as_dict(self) -> dict[int, tuple[str, ...]]:
        if self._dict is None:
            self._dict = {p: tuple(v.split(PART)) for p, v in zip(self._positions.tolist(), self._values.tolist())}
        return self._dict

    def __getitem__(self, key: int) -> tuple[str, ...]:
        return self.as_dict()[key]

    def get(self, key: int, default=None):
        """The value at ``key``: before the whole map is read, found by binary search and decoded alone."""
        if self._dict is not None or not isinstance(key, (int, np.integer)):
            return self.as_dict().get(key, default)
        at = int(np.searchsorted(self._positions, key))
        if at < len(self._positions) and self._positions[at] == key:
            return tuple(self._values.value(at).split(PART))
        return default

    def __iter__(self) -> Iterator[int]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self._positions)


def assemble(old: StringColumn, rows: np.ndarray, fresh: Sequence[str | None]) -> StringColumn:
    """A column whose value ``i`` is ``old``'s row ``rows[i]`` when that is >= 0, else ``fresh[-1 - rows[i]]``:
    runs of consecutive old rows are copied as bytes, never decoded.

    >>> old = StringColumn.from_values(["a", "bb", None, "dd"])
    >>> assemble(old, np.array([0, 1, -1, 3, -2]), ["x", None]).tolist()
    ['a', 'bb', 'x', 'dd', None]
    """
    base = old if old._base is None else old._base
    rows = np.asarray(rows, dtype=np.int64)
    if old._rows is not None:
        rows = np.where(rows >= 0, old._rows[np.maximum(rows, 0)], rows)
    n = len(rows)
    off = base._offsets
    is_old = rows >= 0
    brk = np.ones(n, dtype=bool)
    if n > 1:
        brk[1:] = ~(is_old[1:] & is_old[:-1] & (rows[1:] == rows[:-1] + 1))
    starts = np.flatnonzero(brk).tolist()
    ends = starts[1:] + [n]
    chunks: list[np.ndarray] = []
    lengths = np.zeros(n, dtype=np.int64)
    none = np.zeros(n, dtype=bool)
    for a, b in zip(starts, ends):
        if is_old[a]:
            r0, r1 = int(rows[a]), int(rows[b - 1]) + 1
            chunks.append(np.asarray(base._text[off[r0]:off[r1]]))
            lengths[a:b] = np.diff(off[r0:r1 + 1])
            if base._none is not None:
                none[a:b] = base._none[r0:r1]
        else:
            for i in range(a, b):
                value = fresh[-1 - int(rows[i])]
                raw = b"" if value is None else value.encode("utf-8")
                chunks.append(np.frombuffer(raw, dtype=np.uint8))
                lengths[i] = len(raw)
                none[i] = value is None
    text = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.uint8)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return StringColumn(text, offsets, none if none.any() else None)


def sorted_insert(order: np.ndarray, values: StringColumn | np.ndarray, new: Sequence[int]) -> np.ndarray:
    """``order`` (positions sorted by their value in ``values``) with the positions ``new`` put in place,
    by binary search (a few values decoded per position).

    >>> sorted_insert(np.array([1, 0]), StringColumn.from_values(["b", "a", "c", "ab"]), [2, 3]).tolist()
    [1, 3, 0, 2]
    """
    read = values.raw_value if isinstance(values, StringColumn) and values._rows is None else values.__getitem__
    new = sorted(new, key=read)
    at = []
    for p in new:
        key = read(p)
        lo, hi = 0, len(order)
        while lo < hi:
            mid = (lo + hi) // 2
            if read(int(order[mid])) < key:
                lo = mid + 1
            else:
                hi = mid
        at.append(lo)
    return np.insert(order, np.array(at, dtype=np.int64), np.array(list(new), dtype=order.dtype))
