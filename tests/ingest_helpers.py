"""Helpers shared by the ingest tests: read one file, ingest into a fresh store, look records up."""

from __future__ import annotations

from pathlib import Path

from graphmodel.models import Actor, Link
from graphmodel.store.sqlite import SQLiteStore
from ingest.base import ReadContext, ReadResult
from ingest.formats import detect_format, get_format
from ingest.resolution import Resolver
from ingest.run import IngestReport, run_ingest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture(*parts: str) -> Path:
    return FIXTURES.joinpath(*parts)


def read(path: Path, fmt: str = "auto", **options) -> tuple[ReadResult, ReadContext]:
    """Read one file with a fresh resolver (no store), as the run would."""
    ctx = ReadContext(Resolver(), options=dict(options))
    reader = (detect_format(path) if fmt == "auto" else get_format(fmt)).read
    return reader(path, ctx), ctx


def ingest(store: SQLiteStore, *paths: Path, **kwargs) -> IngestReport:
    options = kwargs.pop("options", {})
    return run_ingest(store, list(paths), options=options, **kwargs)


def by_name(actors: list[Actor], name: str) -> list[Actor]:
    return [a for a in actors if a.name == name or name in a.aliases]


def one(actors: list[Actor], name: str) -> Actor:
    found = by_name(actors, name)
    assert len(found) == 1, f"{name!r}: {[(a.id, a.name) for a in found]}"
    return found[0]


def links_between(links: list[Link], source: str, target: str) -> list[Link]:
    return [lk for lk in links if lk.source == source and lk.target == target]


def links(result: ReadResult) -> list[Link]:
    """A reader's links as models (readers keep them as rows)."""
    from graphmodel.store.contract import link_from_row

    return [*result.links, *(link_from_row(row) for row in result.link_rows)]
