"""Shared fixtures. ``store`` runs a test once per store backend in STORE_BACKENDS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import os

import pytest
from hypothesis import settings

# In CI, property tests draw the same examples every run, so a red build can be reproduced.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

from graphmodel.store import Store
from graphmodel.store.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _sqlite(tmp_path: Path, request) -> Store:
    return SQLiteStore(tmp_path / "store.db")


def _bolt(tmp_path: Path, request) -> Store:
    from tests.bolt_server import fresh_store

    return fresh_store(request)


#: Backends the contract suite runs on: name -> factory(tmp_path, request) giving an empty store.
STORE_BACKENDS: dict[str, Callable[[Path, object], Store]] = {
    "sqlite": _sqlite,
    "bolt": _bolt,
}


@pytest.fixture(params=list(STORE_BACKENDS))
def store(request, tmp_path) -> Iterator[Store]:
    s = STORE_BACKENDS[request.param](tmp_path, request)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "store.db")
    try:
        yield s
    finally:
        s.close()


def samples(*parts: str) -> Path:
    """A file under shared/samples, or skip the test when samples are absent."""
    path = SAMPLES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"sample {'/'.join(parts)} not available")
    return path
