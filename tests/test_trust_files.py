"""Stakemap's files are readable by their owner only: a new store with its -wal and -shm files, exports,
and the near-match review file, whatever the user's umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphmodel.store.sqlite import SQLiteStore
from stakemap.cli import app

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def loose_umask():
    old = os.umask(0o022)  # what most systems give: new files readable by everyone
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_and_its_journal_files_are_owner_only(tmp_path, loose_umask):
    store = SQLiteStore(tmp_path / "map.db")
    store.db.execute("CREATE TABLE IF NOT EXISTS probe(x)")  # WAL and shared memory exist while it is open
    files = sorted(p.name for p in tmp_path.iterdir())
    assert {"map.db", "map.db-wal", "map.db-shm"} <= set(files)
    assert {p.name: _mode(p) for p in tmp_path.iterdir()} == {name: 0o600 for name in files}
    store.close()


def test_exports_and_the_review_file_are_owner_only(tmp_path, loose_umask):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'map.db'}"
    done = runner.invoke(app, ["ingest", str(REPO / "data" / "seed"), "--store", db,
                               "--review", str(tmp_path / "review.csv")])
    assert done.exit_code == 0, done.output
    for fmt, name in (("csv", "out.zip"), ("graphml", "out.graphml"), ("xlsx", "out.xlsx")):
        done = runner.invoke(app, ["export", "--store", db, "--format", fmt, "--out", str(tmp_path / name)])
        assert done.exit_code == 0, done.output
    made = [p for p in tmp_path.iterdir() if p.is_file()]
    assert len(made) >= 7
    assert {p.name: _mode(p) for p in made} == {p.name: 0o600 for p in made}


def _key_of(users: str) -> bytes:
    from dashboard.auth import _secret_key

    return _secret_key(Path(users))


def test_server_processes_starting_together_share_one_whole_secret_key(tmp_path, loose_umask):
    from concurrent.futures import ProcessPoolExecutor

    users = tmp_path / "users.json"
    with ProcessPoolExecutor(4) as pool:
        keys = set(pool.map(_key_of, [str(users)] * 16))
    assert len(keys) == 1 and len(next(iter(keys))) == 64
    assert _mode(users.with_name("users.json.secret")) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["users.json.secret"]  # no drafts left behind
