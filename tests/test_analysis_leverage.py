"""Leverage points and chokepoints: hand-computed cases and networkx as the oracle."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphmodel.analysis import Projection, influence_graph, leverage, what_if
from graphmodel.errors import StakemapError
from graphmodel.kinds import LinkKind
from graphmodel.models import Actor, Link


@pytest.fixture
def gemstone() -> Projection:
    """The 2010 campaign, simplified: LAC runs a campaign that targets two exhibition bodies,
    which sanction the company; a union presses the company's owner."""
    actors = [Actor(id=i, kind=k, name=n) for i, k, n in [
        ("lac", "ngo", "Labour Action China"), ("camp", "campaign", "Gemstone campaign"),
        ("hktdc", "platform", "HKTDC"), ("basel", "platform", "Baselworld"),
        ("lucky", "supplier", "Lucky Gems"), ("owner", "supplier", "Parent company"),
        ("union", "union", "A union"), ("brand", "brand", "A brand")]]
    links = [
        Link(kind="implements", source="lac", target="camp"),        # lac over camp 0.4
        Link(kind="targets", source="camp", target="hktdc"),          # 0.5
        Link(kind="targets", source="camp", target="basel"),          # 0.5
        Link(kind="sanctions", source="hktdc", target="lucky"),       # 0.8
        Link(kind="sanctions", source="basel", target="lucky"),       # 0.8
        Link(kind="owns", source="owner", target="lucky", confidence="inferred"),  # 0.9 x 0.5 = 0.45
        Link(kind="represents_workers_at", source="union", target="owner"),        # 0.5
        Link(kind="sources_from", source="brand", target="lucky", share=0.1),      # 0.6 x 0.6 = 0.36
    ]
    return Projection.from_records(actors, links)


def test_inferred_links_are_left_out_by_default_and_the_answer_says_so(gemstone):
    result = leverage(gemstone, "lucky", top=4)
    assert "owner" not in [e.actor["id"] for e in result.leverage]  # its only link was inferred
    assert result.notes and "--include-inferred" in result.notes[0]
    assert result.as_dict()["include_inferred"] is False


def test_rank_by_pressure_alone(gemstone):
    result = leverage(gemstone, "lucky", top=4, include_inferred=True)
    got = [(e.actor["id"], round(e.pressure, 6), e.sphere) for e in result.leverage]
    assert got == [("basel", 0.8, "regulation"), ("hktdc", 0.8, "regulation"), ("owner", 0.45, "capital"),
                   ("camp", 0.4, "organising")]
    assert all(e.reach == 1.0 and e.score == e.pressure for e in result.leverage)
    assert result.leverage[0].reach_path is None
    assert [a["id"] for a in result.leverage[3].pressure_path.actors] in (["camp", "basel", "lucky"],
                                                                           ["camp", "hktdc", "lucky"])
    assert result.chokepoints == []  # pressure comes from several sides


def test_reach_times_pressure_with_both_paths(gemstone):
    result = leverage(gemstone, "lucky", from_ids=["lac"], top=3)
    top = result.leverage[0]
    assert top.actor["id"] == "basel"
    assert top.reach == pytest.approx(0.2) and top.pressure == pytest.approx(0.8)
    assert top.score == pytest.approx(0.16)
    assert [a["id"] for a in top.reach_path.actors] == ["lac", "camp", "basel"]
    assert [a["id"] for a in top.pressure_path.actors] == ["basel", "lucky"]
    assert {e.actor["id"] for e in result.leverage} == {"basel", "hktdc", "camp"}
    assert result.best_strength == pytest.approx(0.16)
    # every strong path from LAC runs through the campaign
    assert [c["actor"]["id"] for c in result.chokepoints] == ["camp"]
    assert result.chokepoints[0]["best_strength_without"] == 0.0
    data = result.as_dict()
    assert set(data) >= {"target", "leverage", "chokepoints", "weights", "by_sphere"}
    assert set(data["leverage"][0]) >= {"actor", "score", "reach", "pressure", "paths", "sphere"}
    assert data["by_sphere"] == {"regulation": ["basel", "hktdc"], "organising": ["camp"]}


def test_chokepoint_threshold(gemstone):
    # from the union, everything runs through the owner; with a loose threshold the brand route does not count
    result = leverage(gemstone, "lucky", from_ids=["union"], top=5, include_inferred=True)
    assert [c["actor"]["id"] for c in result.chokepoints] == ["owner"]


def test_what_if_an_exhibition_body_is_gone(gemstone):
    answer = what_if(gemstone, ["basel"], lambda p: leverage(p, "lucky", from_ids=["lac"], top=3))
    assert "basel" in answer.changes["left_top"]
    assert answer.changes["best_strength_after"] == pytest.approx(0.16)
    assert answer.as_dict()["what_if"]["without"][0]["id"] == "basel"


def test_bad_questions(gemstone):
    with pytest.raises(StakemapError, match="our side"):
        leverage(gemstone, "lucky", from_ids=["lucky"])
    with pytest.raises(StakemapError):
        leverage(gemstone, "lucky", top=0)


@st.composite
def random_maps(draw):
    n = draw(st.integers(3, 10))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
                          max_size=30))
    kinds = list(LinkKind)
    links = [Link(kind=draw(st.sampled_from(kinds)), source=f"a{s}", target=f"a{t}",
                  confidence=draw(st.sampled_from(["confirmed", "reported", "inferred"])), attributes={"ref": str(j)})
             for j, (s, t) in enumerate(pairs)]
    actors = [Actor(id=f"a{i}", kind="other", name=f"A{i}") for i in range(n)]
    return Projection.from_records(actors, links), draw(st.integers(1, 3))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_maps())
def test_reach_and_pressure_equal_networkx_dijkstra(case):
    proj, hops_cap = case
    n = proj.n_actors
    g = influence_graph(proj)
    tails, heads = g.arcs()
    dg = nx.DiGraph()
    dg.add_nodes_from(range(n))
    dg.add_weighted_edges_from(zip(tails.tolist(), heads.tolist(), g.cost.tolist()))
    target, source = n - 1, 0
    # with a hop limit of n, least-cost walks are unconstrained: networkx's Dijkstra is the oracle
    result = leverage(proj, f"a{target}", from_ids=[f"a{source}"], top=n, max_hops=n, include_inferred=True)
    to_t = nx.single_source_dijkstra_path_length(dg.reverse(copy=True), target)
    from_s = nx.single_source_dijkstra_path_length(dg, source)
    own = {int(i[1:]) for i in result.own}  # the target's own sites and subsidiaries are not ranked
    expected = sorted(((from_s[x] + to_t[x]), x) for x in range(n)
                      if x not in (source, target) and x not in own and x in to_t and x in from_s)
    got = [(e.actor["id"], e.score) for e in result.leverage]
    assert len(got) == len(expected)
    assert np.allclose(sorted(-math.log(s) for _, s in got), [c for c, _ in expected])
    for e in result.leverage:
        x = int(e.actor["id"][1:])
        assert e.pressure == pytest.approx(math.exp(-to_t[x]))
        assert e.reach == pytest.approx(math.exp(-from_s[x]))
        assert e.pressure_path.strength == pytest.approx(e.pressure)
        assert e.reach_path.strength == pytest.approx(e.reach)
    # and chokepoints are exactly the actors whose removal leaves no strong path
    if result.best_strength > 0:
        best = -math.log(result.best_strength)
        limit = best - math.log(result.strong)
        expected_choke = set()
        for c in range(n):
            if c in (source, target):
                continue
            h = dg.copy()
            h.remove_node(c)
            try:
                d = nx.dijkstra_path_length(h, source, target)
            except nx.NetworkXNoPath:
                d = math.inf
            if d > limit + 1e-9:  # no strong path left without c
                expected_choke.add(c)
        assert {int(c["actor"]["id"][1:]) for c in result.chokepoints} == expected_choke
