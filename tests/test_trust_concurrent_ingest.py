"""Two ingests at once give the store that the same two ingests give one after the other.

Entity resolution reads the store before the write; without a check, two files naming the same
organisations (each with its own ids) that are ingested together both miss each other's actors and the
map doubles them. Each write now checks, under the store's write lock, that nobody wrote meanwhile, and
the ingest resolves again if somebody did.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from graphmodel.errors import StoreChanged
from graphmodel.models import Actor, Source
from graphmodel.store.contract import Batch
from graphmodel.store.sqlite import SQLiteStore
from ingest.run import run_ingest

REPO = Path(__file__).resolve().parents[1]
N = 3000


def _orgs(path: Path, prefix: str) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name", "kind", "country"])
        for i in range(N):
            out.writerow([f"{prefix}-{i}", f"Garment Workers Union Number {i}", "union", "BD"])
    return path


def _counts(db: Path) -> tuple[int, str]:
    store = SQLiteStore(db, create=False)
    try:
        return store.stats().actors, store.content_hash()
    finally:
        store.close()


def test_two_ingests_started_together_give_the_sequential_store(tmp_path):
    a, b = _orgs(tmp_path / "a.csv", "a"), _orgs(tmp_path / "b.csv", "b")
    sequential = tmp_path / "seq.db"
    for f in (a, b):
        done = subprocess.run([sys.executable, "-m", "stakemap", "ingest", str(f), "--store", f"sqlite:///{sequential}"],
                              cwd=REPO, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    together = tmp_path / "together.db"
    SQLiteStore(together).close()
    runs = [subprocess.Popen([sys.executable, "-m", "stakemap", "ingest", str(f), "--store", f"sqlite:///{together}"],
                             cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in (a, b)]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, out + err
    seq_count, _ = _counts(sequential)
    assert seq_count == N
    assert _counts(together)[0] == N


def test_a_write_computed_against_an_old_store_is_refused_and_nothing_is_written(tmp_path):
    store = SQLiteStore(tmp_path / "m.db")
    before = store.fingerprint()
    store.write(Batch(Source(id="one", title="one", kind="dataset"), actors=[Actor(kind="ngo", name="First")]))
    late = Batch(Source(id="two", title="two", kind="dataset"), actors=[Actor(kind="ngo", name="Second")])
    with pytest.raises(StoreChanged):
        store.write_all([late], expect=before)
    assert [a.name for a in store.iter_actors()] == ["First"]
    store.write_all([late], expect=store.fingerprint())
    assert store.stats().actors == 2


def test_threads_racing_through_run_ingest_agree_with_one_after_the_other(tmp_path):
    a, b = _orgs(tmp_path / "a.csv", "a"), _orgs(tmp_path / "b.csv", "b")
    db = tmp_path / "m.db"
    SQLiteStore(db).close()
    errors = []

    def go(path):
        store = SQLiteStore(db)
        try:
            run_ingest(store, [path])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=go, args=(p,)) for p in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _counts(db)[0] == N
