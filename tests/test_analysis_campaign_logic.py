"""Leverage as a strategist reasons (docs/campaign-logic.md), tried on the bundled map and on small maps
built from the rules: the expected leverage points are in the top five and a target's own sites never are."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphmodel.analysis import Projection, get_projection, leverage
from graphmodel.models import Actor, Link
from graphmodel.store.sqlite import SQLiteStore
from ingest.run import run_ingest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("bundled") / "m.db")
    run_ingest(store, [REPO / "data" / "seed", REPO / "data" / "demo"])
    yield get_projection(store)
    store.close()


def _top(proj, target, n=5, **kw) -> list[str]:
    return [e.actor["id"] for e in leverage(proj, target, top=n, **kw).leverage]


def test_supplier_its_sanctioning_exhibition_bodies(bundled):
    """Seed 000: the HKTDC and Baselworld both sanctioned the gemstone company."""
    top = _top(bundled, "lucky-gems")
    assert {"baselworld", "hktdc"} <= set(top), top


def test_supplier_group_its_buyer_and_never_its_own_factories(bundled):
    result = leverage(bundled, "grp-feng-tay", top=10)
    ids = [e.actor["id"] for e in result.leverage]
    assert ids and ids[0].startswith("nike"), ids  # the buyer of its 14 sites
    assert len(result.own) == 14 and not set(result.own) & set(ids)
    assert all(e.actor["kind"] not in ("facility", "supplier") for e in result.leverage)


def test_trade_fair_the_campaign_that_targets_it(bundled):
    top = _top(bundled, "hktdc")
    assert "lac" in top or any("campaign" in t for t in top), top


def test_federation_its_funders(bundled):
    assert "fnv-mondiaal" in _top(bundled, "bwi")


def test_government_the_campaigns_and_unions_that_press_it(bundled):
    result = leverage(bundled, "cn-government", top=5)
    kinds = {e.actor["kind"] for e in result.leverage}
    assert kinds & {"campaign", "national_centre", "union", "igo"}, kinds


def _map(actors, links) -> Projection:
    return Projection.from_records([Actor(id=i, kind=k, name=i) for i, k in actors],
                                   [Link(kind=k, source=s, target=t, **kw) for s, k, t, kw in links])


def test_brand_investor_regulator_fair_campaign_union_at_a_supplier_and_not_its_suppliers():
    proj = _map(
        [("brand", "brand"), ("fund", "sso"), ("ministry", "government"), ("fair", "platform"),
         ("ccc", "campaign"), ("union", "union"), ("factory", "facility"), ("group", "supplier"),
         ("accord", "agreement")],
        [("fund", "owns", "brand", {"share": 0.3}), ("ministry", "sanctions", "brand", {}),
         ("fair", "sanctions", "brand", {}), ("ccc", "targets", "brand", {}),
         ("brand", "sources_from", "factory", {}), ("union", "represents_workers_at", "factory", {}),
         ("group", "owns", "factory", {}), ("brand", "signatory_to", "accord", {})])
    result = leverage(proj, "brand", top=10)
    ids = [e.actor["id"] for e in result.leverage]
    assert {"fund", "ministry", "fair", "ccc"} <= set(ids[:5]), ids
    assert "union" in ids and "factory" not in ids and "group" not in ids
    assert result.own == []


def test_supplier_buyers_owner_union_and_binding_agreement_but_not_its_sites():
    proj = _map(
        [("supplier", "supplier"), ("site1", "facility"), ("site2", "facility"), ("buyer", "brand"),
         ("parent", "supplier"), ("union", "union"), ("msi", "platform"), ("other", "facility")],
        [("supplier", "operates", "site1", {}), ("supplier", "operates", "site2", {}),
         ("buyer", "sources_from", "site1", {}), ("buyer", "sources_from", "other", {}),
         ("parent", "owns", "supplier", {}), ("union", "represents_workers_at", "site2", {}),
         ("supplier", "participates_in", "msi", {})])
    result = leverage(proj, "supplier", top=5)
    ids = [e.actor["id"] for e in result.leverage]
    assert {"buyer", "parent", "union", "msi"} <= set(ids), ids
    assert not {"site1", "site2", "other"} & set(ids)
    assert set(result.own) == {"site1", "site2"}


def test_succession_is_no_hop():
    proj = _map([("imf", "guf"), ("industriall", "guf"), ("union", "union"), ("target", "supplier")],
                [("imf", "merged_into", "industriall", {}), ("union", "represents_workers_at", "target", {}),
                 ("imf", "supports", "union", {})])
    assert leverage(proj, "target", from_ids=["industriall"], top=5).leverage == []
    assert [e.actor["id"] for e in leverage(proj, "target", from_ids=["imf"], top=5).leverage] == ["union"]


def test_buyers_weigh_by_how_many_of_the_suppliers_sites_they_source_from():
    sites = [f"site{i}" for i in range(1, 5)]
    proj = _map([("group", "supplier"), ("big", "brand"), ("small", "brand"), *((s, "facility") for s in sites)],
                [*(("group", "operates", s, {}) for s in sites), *(("big", "sources_from", s, {}) for s in sites),
                 ("small", "sources_from", "site1", {})])
    result = leverage(proj, "group", top=5)
    scores = {e.actor["id"]: e.pressure for e in result.leverage}
    assert [e.actor["id"] for e in result.leverage] == ["big", "small"]
    assert scores["small"] == pytest.approx(scores["big"] / 4)  # one site of four
    assert any("big 4 of 4, small 1 of 4" in note for note in result.notes)
    # a buyer of the group itself sources from all of it
    proj = _map([("group", "supplier"), ("big", "brand"), ("whole", "brand"), *((s, "facility") for s in sites)],
                [*(("group", "operates", s, {}) for s in sites), ("big", "sources_from", "site1", {}),
                 ("whole", "sources_from", "group", {})])
    assert _top(proj, "group")[0] == "whole"
