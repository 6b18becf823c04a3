"""The compiled projection saved beside the store, memory-mapped on open, never used when stale.

:func:`open_projection` is what :func:`~graphmodel.analysis.get_projection` calls: it opens the
projection saved for the store's current :meth:`~graphmodel.store.StoreView.fingerprint` (the
store id and its generation), or builds one from the store and saves it. Influence graphs built on
that projection (one per weights digest, link kinds and ``inferred``) are saved beside it and opened
the same way, so a one-shot command reads arrays instead of computing them.

Where: for a SQLite store ``<file>.projection/`` next to the file; for any other store (Neo4j) a
folder under the user's cache directory (``$XDG_CACHE_HOME/stakemap/projections``) named by a hash of
the store's URL, database and store id. ``STAKEMAP_PROJECTION_CACHE=off`` turns saving and opening
off (every process builds its own, as before).

One file per projection or graph: a fixed prefix (magic, header length, the header's CRC-32), a JSON
header (format version, Stakemap version, what it holds, store id, fingerprint, a random token, the
file's exact size and where each array lies), the arrays aligned to 64 bytes, and a trailer holding
the token again. A file is opened only when all of these agree: a file from another format or
Stakemap version, another store, an older generation, cut short or left half-written is rebuilt,
never used. Files are written under a temporary name, flushed to disk and renamed over the old one,
so a process killed while building leaves the previous file intact and two processes building at
once each replace the file with a complete one. Files are readable by their owner only (they hold
everything the store holds, whatever the clearance of a later reader).

Arrays are not checksummed on open (that would read every page the memory map avoids reading);
the store's fingerprint, the sizes and the token guard against stale, truncated and mixed files.

>>> import tempfile, pathlib
>>> from graphmodel.store.sqlite import SQLiteStore
>>> from graphmodel.models import Actor
>>> from graphmodel.store.contract import Batch
>>> from graphmodel.models import Source
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> store = SQLiteStore(folder / "map.db")
>>> _ = store.write(Batch(Source(id="s", title="S"), actors=[Actor(id="a", kind="union", name="A")]))
>>> proj = open_projection(store)        # built and saved
>>> again = open_projection(store)       # opened from the file
>>> again.from_disk, again.actor_ref(again.index["a"])["name"]
(True, 'A')
>>> sorted(p.name for p in cache_dir(store).iterdir())
['projection.bin']
>>> store.close()
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import struct
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from .columns import IdIndex, StringColumn, TupleMap, encode_strings

FORMAT = 1
MAGIC = b"STKPROJ\x01"
TRAILER = b"STKPEND\x00"
_PREFIX = struct.Struct("<8sQI4x")  # magic, header length, CRC-32 of the header
_ALIGN = 64
_STALE_TEMP_SECONDS = 600

#: Numeric columns of a projection (saved as they are).
NUMERIC = ("kind", "country", "actor_sensitivity", "link_kind", "src", "dst", "end_year", "confidence",
           "link_sensitivity", "amount", "currency", "share", "influence_forward", "influence_backward")
#: String columns (saved as UTF-8 buffers with offsets).
STRINGS = ("actor_ids", "names", "link_ids", "start", "end")
#: Tuple maps (actor position -> tuple of strings).
TUPLES = ("actor_countries", "actor_sectors")
#: The arrays of an influence graph.
GRAPH = ("indptr", "nbr", "cost", "strength", "link", "along", "rindptr", "rnbr", "rcost", "rarc")


def enabled() -> bool:
    return os.environ.get("STAKEMAP_PROJECTION_CACHE", "on").strip().lower() not in ("off", "0", "no", "false")


def cache_dir(store) -> Path | None:
    """Where the projection of ``store`` is saved (``None``: an in-memory store, or turned off)."""
    if not enabled():
        return None
    path = getattr(store, "path", None)
    if path is not None and getattr(store, "db", None) is not None:
        if str(path) == ":memory:":
            return None
        return Path(str(path) + ".projection")
    url = getattr(store, "url", None)
    if not url:
        return None
    store_id = store.fingerprint().split(":", 1)[0]
    key = hashlib.sha256(f"{url}\n{getattr(store, 'database', '')}\n{store_id}".encode()).hexdigest()[:32]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "stakemap" / "projections" / key


# -- one file: write and read -----------------------------------------------------------------
def write_file(path: Path, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> str:
    """Write ``arrays`` and ``meta`` to ``path`` atomically (temporary name, flush, rename); return the
    file's token."""
    token = os.urandom(16).hex()
    layout: dict[str, list] = {}
    offset = 0
    contiguous = {}
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        if arr.dtype == object:
            raise TypeError(f"{name}: object arrays are not stored")
        contiguous[name] = arr
        layout[name] = [arr.dtype.str, list(arr.shape), offset, arr.nbytes]
        offset = _aligned(offset + arr.nbytes)
    header = {**meta, "format": FORMAT, "stakemap": __version__, "token": token, "arrays": layout}
    # the size depends on the header's length, which holds the size: settle it in two steps
    for _ in range(3):
        raw = json.dumps(header, sort_keys=True).encode()
        start = _aligned(_PREFIX.size + len(raw))
        size = start + offset + len(TRAILER) + len(token)
        if header.get("size") == size:
            break
        header["size"] = size
    raw = json.dumps(header, sort_keys=True).encode()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _clean_temporaries(path.parent)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{token[:8]}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(_PREFIX.pack(MAGIC, len(raw), zlib.crc32(raw)))
            out.write(raw)
            out.write(b"\0" * (start - _PREFIX.size - len(raw)))
            written = 0
            for name, arr in contiguous.items():
                out.write(b"\0" * (layout[name][2] - written))
                out.write(memoryview(arr).cast("B") if arr.nbytes else b"")
                written = layout[name][2] + arr.nbytes
            out.write(b"\0" * (offset - written))
            out.write(TRAILER + token.encode())
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return token


def read_file(path: Path, expect: dict[str, Any]) -> tuple[dict[str, Any], dict[str, np.ndarray]] | None:
    """The header and memory-mapped arrays of ``path``, or ``None`` when it is missing, damaged, of
    another format or version, or its header disagrees with ``expect``."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        if size < _PREFIX.size:
            return None
        buf = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
    magic, length, crc = _PREFIX.unpack_from(buf, 0)
    if magic != MAGIC or _PREFIX.size + length > size:
        return None
    raw = buf[_PREFIX.size:_PREFIX.size + length]
    if zlib.crc32(raw) != crc:
        return None
    try:
        header = json.loads(raw)
    except ValueError:
        return None
    if header.get("format") != FORMAT or header.get("stakemap") != __version__ or header.get("size") != size:
        return None
    if any(header.get(k) != v for k, v in expect.items()):
        return None
    token = header["token"]
    if buf[size - len(TRAILER) - len(token):] != TRAILER + token.encode():
        return None
    start = _aligned(_PREFIX.size + length)
    arrays = {}
    try:
        for name, (dtype, shape, offset, nbytes) in header["arrays"].items():
            dt = np.dtype(dtype)
            count = int(np.prod(shape)) if shape else 1
            if count * dt.itemsize != nbytes or start + offset + nbytes > size - len(TRAILER) - len(token):
                return None
            arrays[name] = np.frombuffer(buf, dtype=dt, count=count, offset=start + offset).reshape(shape)
    except (TypeError, ValueError):
        return None
    return header, arrays


def _aligned(n: int) -> int:
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN


def _clean_temporaries(folder: Path) -> None:
    """Remove what a killed writer left (temporary files older than ten minutes)."""
    now = time.time()
    for tmp in folder.glob("*.tmp-*"):
        try:
            if now - tmp.stat().st_mtime > _STALE_TEMP_SECONDS:
                tmp.unlink()
        except OSError:
            pass


# -- projections -------------------------------------------------------------------------------
def projection_arrays(proj) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """The arrays and header fields that store ``proj`` (``None`` when it cannot be stored)."""
    arrays: dict[str, np.ndarray] = {name: getattr(proj, name) for name in NUMERIC}
    for name in STRINGS:
        values = getattr(proj, name)
        if isinstance(values, StringColumn) and values.raw() is not None:  # already bytes: stored as they are
            parts = values.raw()
        else:
            values = values.array() if isinstance(values, StringColumn) else values
            parts = encode_strings(values.tolist())
        for part, arr in parts.items():
            arrays[f"{name}.{part}"] = arr
    for name in TUPLES:
        mapping = getattr(proj, name)
        if isinstance(mapping, TupleMap) and mapping.raw() is not None:  # as read: stored as it is
            for part, arr in mapping.raw().items():
                arrays[f"{name}.{part}"] = arr
            continue
        encoded = TupleMap.encode(mapping)
        if encoded is None:
            return None
        positions, joined = encoded
        arrays[f"{name}.positions"] = positions
        for part, arr in encode_strings(joined).items():
            arrays[f"{name}.{part}"] = arr
    order = getattr(proj.index, "order", None)
    if order is None or len(order) != proj.n_actors:
        order = _id_order(proj.actor_ids)
    arrays["order"] = np.asarray(order, dtype=np.int64)
    link_order = proj.link_order
    if link_order is None or len(link_order) != proj.n_links:
        link_order = _id_order(proj.link_ids)
    arrays["link_order"] = np.asarray(link_order, dtype=np.int64)
    meta = {"countries": list(proj.countries), "currencies": list(proj.currencies),
            "n_actors": int(proj.n_actors), "n_links": int(proj.n_links)}
    return arrays, meta


def _id_order(ids) -> np.ndarray:
    """Positions sorted by id."""
    ids = ids.array() if isinstance(ids, StringColumn) else ids
    return np.argsort(ids.astype(str), kind="stable").astype(np.int64) if len(ids) else np.zeros(0, dtype=np.int64)


def projection_from_arrays(header: dict[str, Any], arrays: dict[str, np.ndarray]):
    """A :class:`~.projection.Projection` over the arrays of a saved file."""
    from .projection import Projection

    def strings(name: str) -> StringColumn:
        return StringColumn(arrays[f"{name}.text"], arrays[f"{name}.offsets"], arrays.get(f"{name}.none"))

    cols: dict[str, Any] = {name: arrays[name] for name in NUMERIC}
    cols.update({name: strings(name) for name in STRINGS})
    cols.update({name: TupleMap(arrays[f"{name}.positions"], strings(name)) for name in TUPLES})
    if len(cols["kind"]) != header["n_actors"] or len(cols["src"]) != header["n_links"]:
        raise ValueError("column lengths disagree with the header")
    return Projection(**cols, countries=list(header["countries"]), currencies=list(header["currencies"]),
                      active=np.ones(header["n_actors"], dtype=bool), fingerprint=header["fingerprint"],
                      index=IdIndex(cols["actor_ids"], arrays["order"]), link_order=arrays["link_order"])


class DiskCache:
    """The folder a projection was saved in or opened from, for the influence graphs built on it."""

    def __init__(self, folder: Path, fingerprint: str, token: str) -> None:
        self.folder = folder
        self.fingerprint = fingerprint
        self.token = token

    def _graph_path(self, digest: str, kinds, inferred: bool) -> Path:
        names = ",".join(sorted(k.value for k in kinds)) if kinds else "all"
        key = hashlib.sha256(f"{digest}|{names}|{inferred}".encode()).hexdigest()[:16]
        return self.folder / f"influence-{key}.bin"

    def influence(self, weights, kinds, inferred: bool, build: Callable[[], Any]):
        """The influence graph for these settings: opened from its file, or built and saved."""
        from .influence import InfluenceGraph

        path = self._graph_path(weights.digest, kinds, inferred)
        expect = {"kind": "influence", "projection": self.token, "fingerprint": self.fingerprint,
                  "weights": weights.digest}
        found = read_file(path, expect)
        if found is not None:
            header, arrays = found
            return InfluenceGraph(n=header["n"], **{k: arrays[k] for k in GRAPH}, weights=weights, kinds=kinds)
        graph = build()
        try:
            write_file(path, {**expect, "n": graph.n}, {k: getattr(graph, k) for k in GRAPH})
        except OSError:  # a read-only folder or a full disk: the answer stands without the file
            pass
        return graph


def save_projection(proj, folder: Path, fingerprint: str) -> str | None:
    """Save ``proj`` (the store at ``fingerprint``) into ``folder``; its token, or ``None`` when it
    holds values the format cannot store."""
    stored = projection_arrays(proj)
    if stored is None:
        return None
    arrays, meta = stored
    meta = {**meta, "kind": "projection", "store_id": fingerprint.split(":", 1)[0], "fingerprint": fingerprint}
    token = write_file(folder / "projection.bin", meta, arrays)
    for old in folder.glob("influence-*.bin"):  # graphs of an older projection can never be opened again
        if read_file(old, {"projection": token}) is None:
            old.unlink(missing_ok=True)
    return token


def load_projection(folder: Path, fingerprint: str):
    """The projection saved in ``folder`` for ``fingerprint``, or ``None``."""
    expect = {"kind": "projection", "store_id": fingerprint.split(":", 1)[0], "fingerprint": fingerprint}
    found = read_file(folder / "projection.bin", expect)
    if found is None:
        return None
    header, arrays = found
    try:
        proj = projection_from_arrays(header, arrays)
    except (KeyError, ValueError, TypeError):
        return None
    proj.disk = DiskCache(folder, fingerprint, header["token"])
    return proj


def open_projection(store):
    """The projection of ``store``: opened from its saved file when that is of the store's current
    fingerprint, else built from the store and saved (when the store did not change meanwhile)."""
    from .projection import Projection

    folder = cache_dir(store)
    if folder is None:
        return Projection.from_store(store)
    before = store.fingerprint()
    proj = load_projection(folder, before)
    if proj is not None:
        proj.bind(store)
        return proj
    proj = Projection.from_store(store)
    if store.fingerprint() == before == proj.fingerprint:  # nothing was written while it was read
        try:
            token = save_projection(proj, folder, before)
        except OSError:
            token = None
        if token is not None:
            proj.disk = DiskCache(folder, before, token)
    return proj


def refresh_saved(store, before: str, changes) -> bool:
    """Bring the saved projection of ``store`` from fingerprint ``before`` up to the store's current one
    by applying ``changes`` (a :class:`~.projection_update.Changes`: what one write added, changed and
    removed); ``False`` (nothing saved) when there is no saved projection of ``before``."""
    saved = _saved_before(store, before)
    return saved is not None and _apply_saved(store, *saved, changes)


def _saved_before(store, before: str):
    """The cache folder of ``store`` and its saved projection of fingerprint ``before``, or ``None``."""
    folder = cache_dir(store)
    old = load_projection(folder, before) if folder is not None else None
    return (folder, old) if old is not None else None


def _apply_saved(store, folder: Path, old, changes) -> bool:
    from .projection_update import apply_changes

    after = store.fingerprint()
    new = apply_changes(old, changes, fingerprint=after)
    return save_projection(new, folder, after) is not None


class WriteRecorder:
    """A store that remembers what one ``write_all`` sent, so that the saved projection can be brought
    up to date after it (:meth:`refresh`) instead of rebuilt by the next reader.

    Today's signal is the writer's own batches: the actors and links they hold are read back as the
    store now holds them (:meth:`Changes.from_store <.projection_update.Changes.from_store>`). A write
    that removed records (replace-by-source dropped some of the origin's earlier records, whose ids the
    batches do not hold) is not refreshed: the next reader rebuilds. Nor is one another writer came
    between: the store's generation (``store_id:generation``) must have moved by exactly the batches
    written. Everything else is forwarded to the store.
    """

    def __init__(self, store) -> None:
        self.store = store
        self.before: str | None = None
        self.written: int = 0
        self.removed: int = 0
        self.actor_ids: list[str] = []
        self.link_ids: list[str] = []
        self.writes = 0

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def write(self, batch, *, replace: bool = True, **options):
        return self.write_all([batch], replace=replace, **options)[0]

    def write_all(self, batches, *, replace: bool = True, expect: str | None = None, **options):
        before = expect if expect is not None else self.store.fingerprint()
        results = self.store.write_all(batches, replace=replace, expect=expect, **options)
        self.writes += 1
        self.before = before
        self.written = len(batches)
        self.removed = sum(r.actors_removed + r.links_removed for r in results)
        for batch in batches:
            self.actor_ids += [a.id for a in batch.actors]
            self.link_ids += [lk.id for lk in batch.links] + [row[0] for row in batch.link_rows]
        return results

    def refresh(self) -> bool:
        """Bring the saved projection up to date with the write; ``False`` when it was left to be rebuilt.

        What the write changed comes from the version it made (its history names every record it added,
        changed or removed); a store without versions falls back to the batches' own records, and a
        write that removed records is then left to the next reader."""
        if self.writes != 1 or self.before is None:
            return False
        after = self.store.fingerprint()
        if not _advanced_by(self.before, after, self.written):
            return False
        # nothing saved of the store before the write (a first ingest): nothing to bring up to date, so
        # what the write changed is not read back
        try:
            saved = _saved_before(self.store, self.before)
        except OSError:
            return False
        if saved is None:
            return False
        from .projection_update import Changes

        actor_ids, link_ids = self.actor_ids, self.link_ids
        versions = self.store.versions() if hasattr(self.store, "versions") else []
        if versions:  # the batches' records in the order written, then what else the version changed
            number = versions[-1].number
            rows = [r for r in self.store.history_rows(number - 1) if r.version == number]
            actor_ids = [*actor_ids, *(r.id for r in rows if r.record == "actor")]
            link_ids = [*link_ids, *(r.id for r in rows if r.record == "link")]
        elif self.removed:
            return False
        changes = Changes.from_store(self.store, actor_ids, link_ids)
        try:
            return _apply_saved(self.store, *saved, changes)
        except OSError:
            return False

    def prepare(self) -> None:
        """Leave a saved projection of the store as it now is: the one saved before the write brought up to
        date (:meth:`refresh`), or else a new one built and saved, and the store's statistics beside it, so
        that the next question and the dashboard's start open them instead of building them (nothing for
        a store that keeps none)."""
        if cache_dir(self.store) is None:
            return
        if not self.refresh():
            open_projection(self.store)
        saved_stats(self.store)


def _advanced_by(before: str, after: str, steps: int) -> bool:
    """Whether fingerprint ``after`` is ``before`` moved on by exactly ``steps`` generations."""
    b_id, _, b_gen = before.rpartition(":")
    a_id, _, a_gen = after.rpartition(":")
    return b_id == a_id and b_gen.isdigit() and a_gen.isdigit() and int(a_gen) == int(b_gen) + steps


def saved_json(store, name: str, build: Callable[[], Any]) -> Any:
    """A JSON-ready value derived from the whole store (e.g. its statistics), saved beside the
    projection under ``name`` for the store's current fingerprint and read back while that holds."""
    folder = cache_dir(store)
    if folder is None:
        return build()
    fingerprint = store.fingerprint()
    path = folder / f"{name}.json.bin"
    found = read_file(path, {"kind": name, "fingerprint": fingerprint})
    if found is not None:
        try:
            return json.loads(bytes(found[1]["value"]).decode("utf-8"))
        except (KeyError, ValueError):
            pass
    value = build()
    if store.fingerprint() == fingerprint:
        raw = np.frombuffer(json.dumps(value).encode("utf-8"), dtype=np.uint8)
        try:
            write_file(path, {"kind": name, "fingerprint": fingerprint}, {"value": raw})
        except (OSError, TypeError):
            pass
    return value


def saved_stats(store) -> Any:
    """The store's statistics (:meth:`~graphmodel.store.contract.StoreView.stats`), saved beside the projection
    for its current content and read back while that holds: counting a large store takes seconds."""
    from dataclasses import asdict

    from ..store.contract import Stats

    return Stats(**saved_json(store, "stats", lambda: asdict(store.stats())))


_PROJECTIONS: OrderedDict[tuple[str, str], Any] = OrderedDict()
_PROJECTIONS_LOCK = threading.RLock()
_KEEP = 4


def get_projection(store) -> Any:
    """The projection of ``store``, rebuilt only when its fingerprint changed: kept in memory, and saved
    beside the store so that the next process opens it instead of building it
    (:func:`open_projection`)."""
    key = (getattr(store, "url", str(id(store))), store.fingerprint())
    with _PROJECTIONS_LOCK:
        proj = _PROJECTIONS.get(key)
        if proj is not None:
            _PROJECTIONS.move_to_end(key)
    if proj is None:
        proj = open_projection(store)
        with _PROJECTIONS_LOCK:
            _PROJECTIONS[key] = proj
            while len(_PROJECTIONS) > _KEEP:
                _PROJECTIONS.popitem(last=False)
    proj.bind(store)
    return proj


def clear_projections() -> None:
    """Forget every cached projection."""
    with _PROJECTIONS_LOCK:
        _PROJECTIONS.clear()
