"""Brokerage: Gould-Fernandez roles by brute force, Burt's measures against networkx."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphmodel.analysis import Projection, brokerage, brokerage_scores, what_if
from graphmodel.analysis.brokerage import ROLES, tie_arcs
from graphmodel.errors import StakemapError
from graphmodel.kinds import LinkKind
from graphmodel.models import Actor, Link


@pytest.fixture
def two_clusters() -> Projection:
    """Brands source from suppliers; unions represent workers at suppliers; one supplier partners a union
    federation: the supplier 's1' is the only bridge from the brand cluster to the union cluster."""
    actors = [Actor(id=i, kind=k, name=i.upper(), country=c) for i, k, c in [
        ("b1", "brand", "SE"), ("b2", "brand", "DE"), ("s1", "supplier", "BD"), ("s2", "supplier", "BD"),
        ("u1", "union", "BD"), ("u2", "union", "BD"), ("fed", "national_centre", "BD")]]
    links = [Link(kind="sources_from", source=b, target=s) for b, s in [("b1", "s1"), ("b2", "s1"), ("b2", "s2")]]
    links += [Link(kind="represents_workers_at", source="u1", target="s2"),
              Link(kind="supports", source="s1", target="u1"),
              Link(kind="affiliated_to", source="u1", target="fed"),
              Link(kind="affiliated_to", source="u2", target="fed")]
    return Projection.from_records(actors, links)


def test_roles_and_sentences_by_kind(two_clusters):
    result = brokerage(two_clusters, by="kind", top=3)
    by_id = {b.actor["id"]: b for b in result.brokers}
    s1 = by_id["s1"]
    # b1 -> s1 -> u1 and b2 -> s1 -> u1: liaison (brand, supplier, union)
    assert s1.roles == {"coordinator": 0, "consultant": 0, "gatekeeper": 0, "representative": 0, "liaison": 2}
    assert s1.sentence.startswith("S1 (supplier) is the only bridge from the brand group to the union group")
    u1 = by_id["u1"]
    # s1 -> u1 -> fed (liaison) ; u1 -> s2 is outgoing, no two-path through u1 ends there from s1? s1 -> u1 -> s2:
    # supplier -> union -> supplier: consultant
    assert u1.roles["liaison"] == 1 and u1.roles["consultant"] == 1
    data = result.as_dict()
    assert set(data["brokers"][0]) >= {"actor", "roles", "constraint", "effective_size", "sentence"}


def test_roles_by_country(two_clusters):
    s1 = next(b for b in brokerage(two_clusters, by="country").brokers if b.actor["id"] == "s1")
    # SE -> BD -> BD and DE -> BD -> BD: the supplier lets outsiders reach its own country (gatekeeper)
    assert s1.roles["gatekeeper"] == 2 and s1.group == "BD"


def test_bad_grouping(two_clusters):
    with pytest.raises(StakemapError, match="cannot group"):
        brokerage(two_clusters, by="sector")


def test_what_if_the_bridge_is_gone(two_clusters):
    answer = what_if(two_clusters, ["s1"], lambda p: brokerage(p, top=5))
    assert "s1" in answer.changes["left_top"]


# -- oracles ------------------------------------------------------------------------
def _brute_roles(proj: Projection, group: np.ndarray) -> np.ndarray:
    tails, heads = tie_arcs(proj)
    arcs = set(zip(tails.tolist(), heads.tolist()))
    n = proj.n_actors
    out = np.zeros((n, 5), dtype=int)
    succ = {v: [h for t, h in arcs if t == v] for v in range(n)}
    pred = {v: [t for t, h in arcs if h == v] for v in range(n)}
    for v in range(n):
        for a in pred[v]:
            for b in succ[v]:
                if a == b or (a, b) in arcs:
                    continue
                ga, gv, gb = group[a], group[v], group[b]
                if ga == gv == gb:
                    role = 0
                elif ga == gb:
                    role = 1
                elif gv == gb:
                    role = 2
                elif ga == gv:
                    role = 3
                else:
                    role = 4
                out[v, role] += 1
    return out


@st.composite
def tie_maps(draw):
    n = draw(st.integers(2, 12))
    kinds = ["brand", "supplier", "union", "ngo"]
    actors = [Actor(id=f"a{i}", kind=draw(st.sampled_from(kinds)), name=f"A{i}",
                    country=draw(st.sampled_from(["BD", "KH", None]))) for i in range(n)]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
                          max_size=45))
    links = [Link(kind=draw(st.sampled_from(list(LinkKind))), source=f"a{s}", target=f"a{t}",
                  attributes={"ref": str(j)}) for j, (s, t) in enumerate(pairs)]
    return Projection.from_records(actors, links)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tie_maps())
def test_roles_constraint_and_effective_size_match_the_oracles(proj):
    for by in ("kind", "country"):
        scores = brokerage_scores(proj, by)
        assert np.array_equal(scores.roles, _brute_roles(proj, scores.group)), by
    tails, heads = tie_arcs(proj)
    g = nx.Graph()
    g.add_nodes_from(range(proj.n_actors))
    g.add_edges_from(zip(tails.tolist(), heads.tolist()))
    constraint = nx.constraint(g)
    esize = nx.effective_size(g)
    scores = brokerage_scores(proj, "kind")
    for v in range(proj.n_actors):
        if g.degree(v) == 0:
            assert math.isnan(scores.constraint[v]) and math.isnan(scores.effective_size[v])
        else:
            assert scores.constraint[v] == pytest.approx(constraint[v])
            assert scores.effective_size[v] == pytest.approx(esize[v])
    assert scores.triangles == sum(nx.triangles(g).values()) // 3


def test_larger_graph_against_the_oracles():
    rng = np.random.default_rng(3)
    n = 300
    actors = [Actor(id=f"a{i}", kind=["brand", "supplier", "union"][i % 3], name=f"A{i}") for i in range(n)]
    # preferential attachment: heavy-tailed, many triangles
    g = nx.barabasi_albert_graph(n, 4, seed=3)
    links = [Link(kind="supports" if rng.random() < 0.8 else "partners_with", source=f"a{u}", target=f"a{v}")
             for u, v in g.edges()]
    proj = Projection.from_records(actors, links)
    scores = brokerage_scores(proj, "kind")
    assert np.array_equal(scores.roles, _brute_roles(proj, scores.group))
    und = nx.Graph(g)
    constraint = nx.constraint(und)
    assert np.allclose([scores.constraint[v] for v in range(n)], [constraint[v] for v in range(n)])
    result = brokerage(proj, top=5)
    assert len(result.brokers) == 5 and all(b.sentence for b in result.brokers)
    assert set(ROLES) == set(result.brokers[0].roles)
