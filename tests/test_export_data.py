"""A small map with every feature an export must carry, shared by the export tests."""

from __future__ import annotations

from pathlib import Path

from graphmodel.export import Selection, build_manifest, select_subgraph
from graphmodel.models import Actor, Citation, Link, Source
from graphmodel.store.contract import Batch
from graphmodel.store.sqlite import SQLiteStore

ORIGIN = Source(id="sample-map", title="Sample map", kind="dataset", publisher="Stakemap tests")
SOURCES = [
    Source(id="seed-000", title="Campaign across three places", kind="document", author="A. Author",
           year=2012, url="https://example.org/seed-000"),
    Source(id="seed-004", title="International actors in Asia", kind="document", publisher="A publisher"),
]


def _cite(source: str, locator: str | None = None, note: str | None = None) -> Citation:
    return Citation(source=source, locator=locator, note=note)


ACTORS = [
    Actor(id="fnv", kind="sso", name="FNV Mondiaal", aliases=["FNV"], country="NL", sectors=["all"],
          identifiers={"wikidata": "Q2001"}, description="Dutch union development agency",
          citations=[_cite("seed-004", "p. 12", "funds affiliates in Asia"), _cite("seed-000")],
          attributes={"founded": 1976, "website": "https://example.org/fnv"}),
    Actor(id="bwi", kind="guf", name="Building and Wood Workers' International", aliases=["BWI"],
          countries=["CH", "MY"], identifiers={"iati": "XM-BWI-1"}, citations=[_cite("seed-004", "p. 3")]),
    Actor(id="ktu", kind="union", name="Kesatuan Pekerja Ünïcode", country="MY",
          description="Line one\nline two, with \"quotes\" & <angles>", sensitivity="internal",
          attributes={"members": 1200.5, "flags": ["a", "b"]}),
    Actor(id="hktdc", kind="platform", name="Hong Kong Trade Development Council", country="HK",
          citations=[_cite("seed-000", "section 4")]),
    Actor(id="basel", kind="platform", name="Baselworld", country="CH"),
    Actor(id="acme", kind="brand", name="=HYPERLINK(\"http://x\")", country="HK",
          attributes={"note": "-starts with minus"}),
    Actor(id="factory", kind="facility", name="Factory 1", country="CN", identifiers={"os_id": "CN2019abcdef"}),
    Actor(id="secret", kind="ngo", name="Restricted NGO", country="HK", sensitivity="restricted"),
    Actor(id="organiser", kind="person", name="An Organiser", country="CN"),
    Actor(id="prog", kind="programme", name="Migrant programme 2006-2010", country="MY"),
]

LINKS = [
    Link(id="l-fund", kind="funds", source="fnv", target="bwi", start="2006", end="2010-06", amount=250000,
         currency="EUR", confidence="confirmed", citations=[_cite("seed-004", "table 2", "grant, own words")]),
    Link(id="l-aff", kind="affiliated_to", source="ktu", target="bwi", start="2001-05-01",
         citations=[_cite("seed-004"), _cite("seed-000", "p. 1")], attributes={"since": "2001"}),
    Link(id="l-partner", kind="partners_with", source="fnv", target="hktdc", confidence="reported"),
    Link(id="l-sanction", kind="sanctions", source="basel", target="acme", start="2008", confidence="confirmed",
         description="expelled the exhibitor", citations=[_cite("seed-000", "section 5")]),
    Link(id="l-hktdc", kind="sanctions", source="hktdc", target="acme", start="2009"),
    Link(id="l-source", kind="sources_from", source="acme", target="factory", share=0.4, start="2005",
         end="2007", confidence="inferred"),
    Link(id="l-rep", kind="represents_workers_at", source="ktu", target="factory", sensitivity="internal"),
    Link(id="l-secret", kind="supports", source="secret", target="ktu"),
    Link(id="l-person", kind="member_of", source="organiser", target="ktu"),
    Link(id="l-restricted", kind="targets", source="bwi", target="acme", sensitivity="restricted"),
    Link(id="l-prog", kind="funds", source="fnv", target="prog", amount=10.5, currency="USD"),
    Link(id="l-impl", kind="implements", source="bwi", target="prog"),
]


def sample_store(path: Path) -> SQLiteStore:
    store = SQLiteStore(path)
    store.write(Batch(ORIGIN, actors=list(ACTORS), links=list(LINKS), sources=list(SOURCES)))
    return store


def sample_export(store: SQLiteStore, selection: Selection | None = None, fmt: str = "json"):
    """The sample selected (whole store by default) and its manifest."""
    selected = select_subgraph(store, selection or Selection())
    return selected, build_manifest(selected, fmt=fmt, store=store, out_name="out")


def test_the_sample_is_redacted_by_default(tmp_path):
    store = sample_store(tmp_path / "s.db")
    selected, manifest = sample_export(store)
    assert "secret" not in selected.actors and "organiser" not in selected.actors
    assert {"l-secret", "l-person", "l-restricted"}.isdisjoint(selected.links)
    assert manifest["redacted"]["actors"] == 2 and manifest["redacted"]["links"] == 3
    assert manifest["redacted"]["actors_by_reason"] == {"person": 1, "sensitivity restricted": 1}
    assert manifest["counts"]["actors"] == len(ACTORS) - 2
