"""Selecting what to export: neighbourhoods, filters, dates, redaction, paths, and serialising a selection."""

from __future__ import annotations

import pytest

from graphmodel.export import Selection, SelectionError, select_subgraph
from graphmodel.export.selection import PathQuery

from .test_export_data import sample_store


@pytest.fixture
def store(tmp_path):
    s = sample_store(tmp_path / "s.db")
    yield s
    s.close()


def test_neighbourhood_stops_at_hops_and_keeps_links_among_reached(store):
    g = select_subgraph(store, Selection(around=["fnv"], hops=1))
    assert set(g.actors) == {"fnv", "bwi", "hktdc", "prog"}
    assert set(g.links) == {"l-fund", "l-partner", "l-prog", "l-impl"}
    assert g.seeds == {"fnv": "fnv"}


def test_redaction_is_applied_while_traversing(store):
    g = select_subgraph(store, Selection(around=["ktu"], hops=1))
    assert "secret" not in g.actors and "organiser" not in g.actors
    assert g.redaction.actors == 2 and g.redaction.links == 2
    wider = select_subgraph(store, Selection(around=["ktu"], hops=1, clearance="restricted", include_people=True))
    assert {"secret", "organiser"} <= set(wider.actors) and wider.redaction.actors == 0


def test_public_clearance_withholds_internal_records(store):
    g = select_subgraph(store, Selection(clearance="public"))
    assert "ktu" not in g.actors and "l-rep" not in g.links and "l-aff" not in g.links
    assert g.redaction.as_dict()["actors_by_reason"]["sensitivity internal"] == 1


def test_a_withheld_seed_is_an_error_naming_the_clearance(store):
    with pytest.raises(SelectionError, match="withheld"):
        select_subgraph(store, Selection(around=["secret"]))


def test_as_of_follows_only_links_valid_then(store):
    g = select_subgraph(store, Selection(as_of="2011"))
    assert "l-fund" not in g.links and "l-source" not in g.links and "l-aff" in g.links
    g = select_subgraph(store, Selection(as_of="2010-06"))
    assert "l-fund" in g.links
    g = select_subgraph(store, Selection(as_of="2005"))
    assert "l-sanction" not in g.links and "l-source" in g.links


def test_link_kind_and_confidence_filters(store):
    assert set(select_subgraph(store, Selection(link_kinds=["sanctions"])).links) == {"l-sanction", "l-hktdc"}
    assert set(select_subgraph(store, Selection(confidence=["inferred"])).links) == {"l-source"}


def test_actor_filters_keep_named_actors(store):
    g = select_subgraph(store, Selection(around=["fnv"], hops=2, kinds=["union"]))
    assert set(g.actors) == {"fnv", "ktu"}
    g = select_subgraph(store, Selection(countries=["my"]))
    assert set(g.actors) == {"ktu", "prog", "bwi"}


def test_influence_paths_union(store):
    from graphmodel.analysis.projection import Projection

    proj = Projection.from_records(store.iter_actors(), store.iter_links())
    g = select_subgraph(store, Selection(paths=[PathQuery(source="fnv", target="acme")], k=3), projection=proj)
    assert {"fnv", "acme"} <= set(g.actors)
    assert g.links and all(lk.source in g.actors and lk.target in g.actors for lk in g.links.values())
    assert "l-restricted" not in g.links and g.weights


def test_selection_serialises_to_query_and_command():
    s = Selection(around=["A B"], hops=2, paths=[PathQuery(source="x", target="y")], kinds=["union", "guf"],
                  as_of="2010-05", clearance="public", include_people=True)
    assert Selection.from_query(s.to_query()) == s
    assert s.to_command("gexf", "o.gexf") == ("stakemap export --format gexf --around 'A B' --hops 2 --paths x y "
                                              "--kinds union --kinds guf --as-of 2010-05 --clearance public "
                                              "--include-people --out o.gexf")
    with pytest.raises(ValueError):
        Selection(as_of="2010-13")
