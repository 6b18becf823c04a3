"""The searches kept near both ends (``meet``, ``sparse_layers``) give exactly what the dense searches gave.

The reference below is the enumeration as it was with dense layers over every actor (``hop_layers``);
the fast one must return the very same paths, costs and order on random graphs with zero-cost arcs,
tied costs, hubs, blocked actors, hop limits and pairs that are not connected.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest

from graphmodel.analysis.influence import InfluenceGraph
from graphmodel.analysis.meet import Meet
from graphmodel.analysis.paths import _TIE, _MAX_TIES, k_strongest
from graphmodel.analysis.search import hop_layers, sparse_layers
from graphmodel.analysis.weights import Weights


def _graph(n: int, tails: np.ndarray, heads: np.ndarray, cost: np.ndarray) -> InfluenceGraph:
    keep = tails != heads
    tails, heads, cost = tails[keep], heads[keep], cost[keep]
    order = np.lexsort((heads, tails))
    tails, heads, cost = tails[order], heads[order], cost[order]
    first = np.ones(len(tails), dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    tails, heads, cost = tails[first], heads[first], cost[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=indptr[1:])
    rorder = np.lexsort((tails, heads))
    rindptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(heads, minlength=n), out=rindptr[1:])
    m = len(tails)
    return InfluenceGraph(n=n, indptr=indptr, nbr=heads.astype(np.int32), cost=cost, strength=np.exp(-cost),
                          link=np.arange(m, dtype=np.int32), along=np.ones(m, dtype=bool), rindptr=rindptr,
                          rnbr=tails[rorder].astype(np.int32), rcost=cost[rorder], rarc=rorder.astype(np.int64),
                          weights=Weights.default(), kinds=None)


def _random_graph(rng: np.random.Generator, n: int, m: int, hubs: int = 0) -> InfluenceGraph:
    tails = rng.integers(0, n, m)
    heads = rng.integers(0, n, m)
    if hubs:  # a few actors with many arcs both ways, as on real maps
        hub = rng.integers(0, hubs, m)
        side = rng.random(m)
        tails = np.where(side < 0.2, hub, tails)
        heads = np.where((side >= 0.2) & (side < 0.4), hub, heads)
    # tied and zero costs as well as spread ones
    cost = np.where(rng.random(m) < 0.5, rng.choice([0.0, 0.0, 0.25, 0.5, 1.0, 2.0], m), rng.uniform(0, 3, m))
    return _graph(n, tails.astype(np.int64), heads.astype(np.int64), cost)


# -- the dense reference (the search as it was) ------------------------------------------------
def _ref_best(g, s, t, max_hops, blocked):
    fwd = g.forward([s], (max_hops + 1) // 2, blocked=blocked)[-1]
    bwd = g.backward([t], max_hops // 2, blocked=blocked)[-1]
    return float(np.min(fwd + bwd))


def _ref_enumerate(g, s, t, k, max_hops, limit, blocked):
    layers = g.backward([t], max_hops - 1, limit=limit, blocked=blocked)
    indptr, nbr, cost = g.indptr, g.nbr, g.cost
    heap: list = []
    seq = 0

    def expand(path, arcs, spent):
        nonlocal seq
        v = path[-1]
        left = max_hops - (len(path) - 1)
        if left <= 0:
            return
        lo, hi = indptr[v], indptr[v + 1]
        heads = nbr[lo:hi]
        f = spent + cost[lo:hi] + layers[left - 1][heads]
        ok = np.isfinite(f) & (f <= limit)
        if len(path) > 1:
            ok &= ~np.isin(heads, path)
        idx = np.nonzero(ok)[0]
        if len(idx) == 0:
            return
        order = idx[np.lexsort((heads[idx], f[idx]))]
        heapq.heappush(heap, (float(f[order[0]]), seq, path, arcs, spent, order + lo, f[order], 0))
        seq += 1

    expand((s,), (), 0.0)
    found = []
    while heap and (len(found) < k or (heap[0][0] <= found[k - 1][0] + _TIE and len(found) < k + _MAX_TIES)):
        fval, _, path, arcs, spent, options, fs, i = heapq.heappop(heap)
        if i + 1 < len(options):
            heapq.heappush(heap, (float(fs[i + 1]), seq, path, arcs, spent, options, fs, i + 1))
            seq += 1
        a = int(options[i])
        v = int(nbr[a])
        new_spent = spent + float(cost[a])
        if v == t:
            found.append((new_spent, [*path, v], [*arcs, a]))
            continue
        expand((*path, v), (*arcs, a), new_spent)
    found.sort(key=lambda x: (round(x[0] / _TIE) if math.isfinite(x[0]) else math.inf, len(x[1]), x[1]))
    return found[:k]


def _ref_k_strongest(g, s, t, k, max_hops, blocked=None):
    if s == t:
        return []
    best = _ref_best(g, s, t, max_hops, blocked)
    if not math.isfinite(best):
        return []
    cap = max_hops * float(g.cost[np.isfinite(g.cost)].max(initial=0.0))
    slack = 1.0
    while True:
        limit = best + slack
        if limit >= cap:
            limit = math.inf
        found = _ref_enumerate(g, s, t, k, max_hops, limit, blocked)
        if len(found) >= k or limit == math.inf:
            return found[:k]
        slack *= 4.0


def _same(ours, theirs):
    assert [(c, p, [int(a) for a in arcs]) for c, p, arcs in ours] == \
        [(c, p, [int(a) for a in arcs]) for c, p, arcs in theirs]


def _cases(seed: int, trials: int, sizes):
    rng = np.random.default_rng(seed)
    for trial in range(trials):
        n, m, hubs = sizes[trial % len(sizes)]
        g = _random_graph(rng, n, m, hubs)
        blocked = rng.random(n) < 0.1 if trial % 3 == 0 else None
        yield rng, g, blocked


# -- tests ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_sparse_layers_equal_hop_layers(seed):
    for rng, g, blocked in _cases(seed, 40, [(12, 30, 0), (60, 300, 3), (200, 1500, 5)]):
        s = int(rng.integers(g.n))
        hops = int(rng.integers(1, 7))
        limit = float(rng.choice([np.inf, rng.uniform(0, 4)]))
        dense = hop_layers(g.indptr, g.nbr, g.cost, [s], hops, limit=limit, blocked=blocked)
        reach = sparse_layers(g.indptr, g.nbr, g.cost, [s], hops, limit=limit, blocked=blocked)
        nodes, table = reach.table()
        full = np.full((hops + 1, g.n), np.inf)
        full[:, nodes] = table[:, :-1]
        assert np.array_equal(full, dense)
        assert np.array_equal(reach.value, dense[-1])
        if reach.complete:
            assert np.array_equal(dense, hop_layers(g.indptr, g.nbr, g.cost, [s], hops, blocked=blocked))
        reach.release()


@pytest.mark.parametrize("seed", range(4))
def test_best_cost_and_layers_equal_the_dense_ones(seed):
    for rng, g, blocked in _cases(100 + seed, 40, [(12, 30, 0), (60, 300, 3), (300, 2500, 6)]):
        s, t = (int(x) for x in rng.choice(g.n, 2, replace=False))
        max_hops = int(rng.integers(1, 8))
        meet = Meet(g, s, t, max_hops, blocked)
        try:
            best = meet.best_cost()
            assert best == _ref_best(g, s, t, max_hops, blocked) or (math.isinf(best) and
                                                                      math.isinf(_ref_best(g, s, t, max_hops, blocked)))
            if not math.isfinite(best):
                continue
            fwd = g.forward([s], max_hops, blocked=blocked)
            for limit in (best + 0.5, best + 1.0, best + 4.0, math.inf):
                column, table = meet.layers(limit)
                dense = g.backward([t], max_hops - 1, limit=limit, blocked=blocked)
                full = table[:, column]
                assert np.all(full >= dense)  # never below the least cost
                for r in range(max_hops):  # equal wherever the enumeration may use it
                    used = np.isfinite(fwd[max_hops - r]) & (fwd[max_hops - r] + dense[r] <= limit)
                    assert np.array_equal(full[r][used], dense[r][used])
        finally:
            meet.close()


@pytest.mark.parametrize("seed", range(6))
def test_k_strongest_equals_the_dense_enumeration(seed):
    sizes = [(8, 20, 0), (30, 120, 2), (80, 600, 3), (250, 2500, 5)]
    for rng, g, blocked in _cases(200 + seed, 40, sizes):
        max_hops = int(rng.integers(1, 8))
        k = int(rng.choice([1, 3, 5, 28]))
        for _ in range(3):
            s, t = (int(x) for x in rng.choice(g.n, 2, replace=False))
            _same(k_strongest(g, s, t, k, max_hops, blocked), _ref_k_strongest(g, s, t, k, max_hops, blocked))


def test_disconnected_and_blocked_ends():
    rng = np.random.default_rng(9)
    g = _random_graph(rng, 40, 200, 2)
    # an actor with no arcs in or out
    lonely = int(np.nonzero((np.diff(g.indptr) == 0) & (np.diff(g.rindptr) == 0))[0][0]) \
        if np.any((np.diff(g.indptr) == 0) & (np.diff(g.rindptr) == 0)) else None
    pairs = [(0, 1), (1, 0), (2, 39)] + ([(0, lonely), (lonely, 0)] if lonely is not None else [])
    for s, t in pairs:
        for blocked in (None, np.isin(np.arange(40), [s]), np.isin(np.arange(40), [t]), rng.random(40) < 0.5):
            _same(k_strongest(g, s, t, 5, 6, blocked), _ref_k_strongest(g, s, t, 5, 6, blocked))
    # two halves with no arc between them
    tails = np.concatenate([rng.integers(0, 20, 80), rng.integers(20, 40, 80)])
    heads = np.concatenate([rng.integers(0, 20, 80), rng.integers(20, 40, 80)])
    halves = _graph(40, tails, heads, rng.uniform(0, 2, 160))
    assert k_strongest(halves, 3, 30, 5, 6) == [] == _ref_k_strongest(halves, 3, 30, 5, 6)


def test_all_zero_costs():
    rng = np.random.default_rng(3)
    g = _graph(30, rng.integers(0, 30, 150), rng.integers(0, 30, 150), np.zeros(150))
    for s, t in [(0, 1), (5, 9), (29, 0)]:
        _same(k_strongest(g, s, t, 10, 4), _ref_k_strongest(g, s, t, 10, 4))


@pytest.mark.parametrize("seed", range(3))
def test_long_rows_read_cheapest_first_change_nothing(seed, monkeypatch):
    from graphmodel.analysis import search

    monkeypatch.setattr(search, "_BIG", 3)  # every row of more than two arcs is cut at the limit
    for rng, g, blocked in _cases(300 + seed, 30, [(30, 200, 2), (120, 1500, 4)]):
        s, t = (int(x) for x in rng.choice(g.n, 2, replace=False))
        hops, limit = int(rng.integers(1, 7)), float(rng.uniform(0, 4))
        dense = hop_layers(g.indptr, g.nbr, g.cost, [s], hops, limit=limit, blocked=blocked)
        reach = sparse_layers(g.indptr, g.nbr, g.cost, [s], hops, limit=limit, blocked=blocked)
        assert np.array_equal(reach.value, dense[-1])
        assert reach.spare > limit and (reach.complete or reach.spare < np.inf)
        reach.release()
        k, max_hops = int(rng.choice([1, 5, 28])), int(rng.integers(1, 8))
        _same(k_strongest(g, s, t, k, max_hops, blocked), _ref_k_strongest(g, s, t, k, max_hops, blocked))


@pytest.mark.parametrize("seed", range(4))
def test_source_ball_grown_before_each_backward_search_changes_nothing(seed, monkeypatch):
    """The source's ball grown towards the limit before the backward search (as when that search was
    large the time before) bounds its labels more tightly, but the layers the enumeration uses and the
    paths stay the same: hubs, tied and zero-cost arcs, blocked actors and hop limits 1-7."""
    from graphmodel.analysis import meet as meet_module

    monkeypatch.setattr(meet_module, "_SHARPEN", 0)  # grow it every time, whatever it cost
    for grow in (1.01, 1.25, 3.0):
        monkeypatch.setattr(meet_module, "_SHARPEN_GROW", grow)
        for rng, g, blocked in _cases(400 + seed, 24, [(12, 40, 0), (60, 400, 3), (250, 2500, 6)]):
            s, t = (int(x) for x in rng.choice(g.n, 2, replace=False))
            max_hops = int(rng.integers(1, 8))
            meet = Meet(g, s, t, max_hops, blocked)
            try:
                best = meet.best_cost()
                if not math.isfinite(best):
                    continue
                fwd = g.forward([s], max_hops, blocked=blocked)
                for limit in (best, best + 0.25, best + 1.0, best + 2.5, math.inf):
                    meet.spent = 1 << 40
                    column, table = meet.layers(limit)
                    assert math.isinf(limit) or meet.src.radius >= limit
                    dense = g.backward([t], max_hops - 1, limit=limit, blocked=blocked)
                    full = table[:, column]
                    assert np.all(full >= dense)
                    for r in range(max_hops):
                        used = np.isfinite(fwd[max_hops - r]) & (fwd[max_hops - r] + dense[r] <= limit)
                        assert np.array_equal(full[r][used], dense[r][used])
            finally:
                meet.close()
            k = int(rng.choice([1, 3, 28]))
            _same(k_strongest(g, s, t, k, max_hops, blocked), _ref_k_strongest(g, s, t, k, max_hops, blocked))


def test_source_ball_grown_on_zero_costs_and_a_hub(monkeypatch):
    from graphmodel.analysis import meet as meet_module

    monkeypatch.setattr(meet_module, "_SHARPEN", 0)
    rng = np.random.default_rng(11)
    zero = _graph(30, rng.integers(0, 30, 150), rng.integers(0, 30, 150), np.zeros(150))
    for s, t in [(0, 1), (5, 9), (29, 0)]:
        _same(k_strongest(zero, s, t, 10, 4), _ref_k_strongest(zero, s, t, 10, 4))
    # one hub with many cheap, tied arcs both ways, and a few costly routes around it
    n = 200
    tails = np.concatenate([np.zeros(150, dtype=np.int64), rng.integers(1, n, 150), rng.integers(1, n, 300)])
    heads = np.concatenate([rng.integers(1, n, 150), np.zeros(150, dtype=np.int64), rng.integers(1, n, 300)])
    cost = np.concatenate([np.full(300, 0.25), rng.uniform(0.5, 3.0, 300)])
    hub = _graph(n, tails, heads, cost)
    for _ in range(20):
        s, t = (int(x) for x in rng.choice(np.arange(1, n), 2, replace=False))
        for max_hops in (1, 2, 3, 6):
            _same(k_strongest(hub, s, t, 28, max_hops), _ref_k_strongest(hub, s, t, 28, max_hops))
