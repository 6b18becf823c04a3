"""The analysis projection: from a store, from records, restricted, without actors, cached."""

from __future__ import annotations

import numpy as np
import pytest

from graphmodel.analysis import Projection, clear_projections, get_projection, influence_graph
from graphmodel.errors import NotFoundError
from graphmodel.models import Actor, Citation, Link, Source
from graphmodel.store import Batch

ACTORS = [
    Actor(id="fnv", kind="sso", name="FNV Mondiaal", country="NL"),
    Actor(id="bwi", kind="guf", name="Building and Wood Workers' International", aliases=["BWI"],
          sectors=["construction"]),
    Actor(id="ncwu", kind="union", name="Nepalese Construction Workers Union", country="HK", sectors=["construction"]),
    Actor(id="secret", kind="union", name="Underground union", country="CN", sensitivity="restricted"),
    Actor(id="prog", kind="programme", name="Migration project", countries=["HK", "MY"]),
]
LINKS = [
    Link(kind="funds", source="fnv", target="bwi", amount=1000, currency="EUR", start="2006",
         citations=[Citation(source="doc", locator="p. 3", note="FNV funds BWI's migration work")]),
    Link(kind="supports", source="bwi", target="ncwu", start="2007", confidence="reported"),
    Link(kind="supports", source="bwi", target="secret", sensitivity="internal"),
    Link(kind="implements", source="bwi", target="prog", attributes={"influence": 0.9}),
    Link(kind="sources_from", source="bwi", target="ncwu", share=0.4, sensitivity="restricted"),
]


def _load(store) -> None:
    store.write(Batch(origin=Source(id="test", title="Test"), actors=ACTORS, links=LINKS,
                      sources=[Source(id="doc", title="A document")]))


def _same(a: Projection, b: Projection) -> None:
    order_a = np.argsort(a.link_ids.astype(str))
    order_b = np.argsort(b.link_ids.astype(str))
    assert sorted(a.actor_ids) == sorted(b.actor_ids)
    ids_a = [a.actor_ids[i] for i in a.src[order_a]], [a.actor_ids[i] for i in a.dst[order_a]]
    ids_b = [b.actor_ids[i] for i in b.src[order_b]], [b.actor_ids[i] for i in b.dst[order_b]]
    assert ids_a == ids_b
    for col in ("link_kind", "confidence", "link_sensitivity", "amount", "share", "influence_forward"):
        assert np.array_equal(getattr(a, col)[order_a], getattr(b, col)[order_b], equal_nan=True), col
    assert {a.actor_ids[i]: v for i, v in a.actor_sectors.items()} == {b.actor_ids[i]: v for i, v in
                                                                        b.actor_sectors.items()}
    assert {a.actor_ids[i]: v for i, v in a.actor_countries.items()} == {b.actor_ids[i]: v for i, v in
                                                                          b.actor_countries.items()}


def test_from_store_matches_from_records(sqlite_store):
    _load(sqlite_store)
    _same(Projection.from_store(sqlite_store), Projection.from_records(ACTORS, LINKS))


def test_generic_reader_matches_sqlite_reader(sqlite_store):
    _load(sqlite_store)
    generic = Projection.from_records(sqlite_store.iter_actors(), sqlite_store.iter_links())
    _same(Projection.from_store(sqlite_store), generic)


def test_citations_are_read_back_from_the_store(sqlite_store):
    _load(sqlite_store)
    proj = Projection.from_store(sqlite_store)
    funds = next(lid for lid in proj.link_ids if proj.link_ref(list(proj.link_ids).index(lid))["kind"] == "funds")
    cites = proj.citations([funds])
    assert cites[funds] == [{"source": "doc", "locator": "p. 3", "note": "FNV funds BWI's migration work"}]
    sqlite_store.close()
    assert proj.citations([funds]) == {funds: []}  # a closed store: no sources, no failure


def test_get_projection_is_cached_by_fingerprint(sqlite_store):
    clear_projections()
    _load(sqlite_store)
    first = get_projection(sqlite_store)
    assert get_projection(sqlite_store) is first
    sqlite_store.write(Batch(origin=Source(id="more", title="More"),
                             actors=[Actor(id="x", kind="ngo", name="X")]))
    second = get_projection(sqlite_store)
    assert second is not first and "x" in second.index


def test_restrict_drops_records_above_clearance():
    proj = Projection.from_records(ACTORS, LINKS)
    public = proj.restrict("public")
    assert not public.active[proj.index["secret"]]
    assert public.n_links == 3  # the internal and restricted links go
    internal = proj.restrict("internal")
    assert internal.n_links == 3  # the link to a restricted actor goes with it
    assert proj.restrict("restricted").n_links == len(LINKS)
    with pytest.raises(NotFoundError, match="not in the map"):
        public.position("secret")


def test_without_keeps_positions_and_drops_links():
    proj = Projection.from_records(ACTORS, LINKS)
    gone = proj.without(["bwi"])
    assert gone.n_links == 0
    assert gone.index == proj.index
    assert gone.removed == ("bwi",)
    with pytest.raises(NotFoundError, match="removed for this question"):
        gone.position("bwi")
    assert influence_graph(gone).n_arcs == 0
    assert influence_graph(proj).n_arcs > 0


def test_influence_graph_keeps_strongest_arc_per_pair():
    proj = Projection.from_records(ACTORS, LINKS)
    g = influence_graph(proj)
    bwi, ncwu = proj.index["bwi"], proj.index["ncwu"]
    # supports (0.5 x 0.8 reported) and sources_from (0.6 x (0.5 + 0.4)): the stronger stays
    assert g.arc_strength(bwi, ncwu) == pytest.approx(0.54)
    assert proj.link_ref(int(g.link[g.arc_index(bwi, ncwu)]))["kind"] == "sources_from"
    # the per-link override
    assert g.arc_strength(bwi, proj.index["prog"]) == pytest.approx(0.9)
    only_support = influence_graph(proj, kinds=["supports"])
    assert only_support.arc_strength(bwi, ncwu) == pytest.approx(0.4)
    assert only_support.arc_strength(bwi, proj.index["prog"]) == 0.0
