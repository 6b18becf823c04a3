"""Stores the dashboard tests share (no tests here).

``demo_store`` holds the bundled seed and demo datasets, as ``stakemap demo``
loads them. ``hostile_store`` adds records the default viewer must never see
(a restricted actor, a restricted link, a person) and an actor whose name is
markup, quotes and a very long string.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphmodel.models import Actor, Citation, Link, Source
from graphmodel.store import Batch
from graphmodel.store.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "seed"
DEMO = REPO / "data" / "demo"

#: A name that would run script if it were ever rendered as HTML.
HOSTILE_NAME = ('<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> "double" \'single\' '
                + "Verylongname" * 30)
SECRET_NAME = "Secret Ally Network"
PERSON_NAME = "Jane Organiser"


def load_demo(path: Path) -> Path:
    """Write the bundled datasets into a new SQLite store at ``path``."""
    from ingest.run import run_ingest

    if not (SEED / "dataset.yaml").exists():
        pytest.skip("data/seed is not available")
    store = SQLiteStore(path)
    try:
        run_ingest(store, [SEED] + ([DEMO] if (DEMO / "dataset.yaml").exists() else []))
    finally:
        store.close()
    return path


def add_hostile(path: Path) -> Path:
    """Add the records the default viewer must not see, and the hostile name."""
    cite = [Citation(source="hostile-doc", locator="<b>para 1</b>", note="<script>window.__xss=3</script> a note")]
    actors = [
        Actor(id="secret-ally", kind="ngo", name=SECRET_NAME, country="HK", sensitivity="restricted", citations=cite),
        Actor(id="jane", kind="person", name=PERSON_NAME, sensitivity="internal", citations=cite),
        Actor(id="xss-test", kind="ngo", name=HOSTILE_NAME, aliases=["Hostile test actor"], country="HK",
              description='<a href="javascript:alert(1)">click</a>', citations=cite),
    ]
    links = [
        Link(id="secret-targets-lucky", kind="targets", source="secret-ally", target="lucky-gems", citations=cite),
        Link(id="secret-supports-lac", kind="supports", source="secret-ally", target="lac", citations=cite),
        Link(id="restricted-grant", kind="funds", source="fnv-mondiaal", target="lac", sensitivity="restricted",
             amount=987654, currency="EUR", citations=cite),
        Link(id="jane-member-lac", kind="member_of", source="jane", target="lac", citations=cite),
        Link(id="xss-partners-bwi", kind="partners_with", source="xss-test", target="bwi", citations=cite),
    ]
    sources = [Source(id="hostile-doc", title="<script>window.__xss=4</script>Hostile document",
                      url="javascript:alert(1)")]
    store = SQLiteStore(path)
    try:
        store.write(Batch(origin=Source(id="hostile", title="Test records", kind="dataset"), actors=actors,
                          links=links, sources=sources))
    finally:
        store.close()
    return path


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    return load_demo(tmp_path_factory.mktemp("demo") / "stakemap.db")


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory) -> Path:
    return add_hostile(load_demo(tmp_path_factory.mktemp("hostile") / "stakemap.db"))


@pytest.fixture()
def hostile(hostile_store):
    """The dashboard's data layer configured on the hostile store."""
    from dashboard import data

    data.configure(f"sqlite:///{hostile_store}")
    yield data
    data.configure(f"sqlite:///{hostile_store}")  # closes the store


@pytest.fixture()
def demo(demo_store):
    from dashboard import data

    data.configure(f"sqlite:///{demo_store}")
    yield data
    data.configure(f"sqlite:///{demo_store}")
