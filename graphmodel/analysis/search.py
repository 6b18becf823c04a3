"""Hop-limited least-cost searches over compressed sparse rows, vectorised with numpy.

:func:`hop_layers` is Bellman-Ford by hop count: layer ``h`` holds, for every
actor, the least cost of a walk of at most ``h`` arcs from the sources. Each
round relaxes only the arcs leaving actors whose cost fell in the round before,
and costs above ``limit`` are dropped, so a search stays near its sources when
the limit is tight. With non-negative costs the least-cost walk of a layer can
always be taken simple (see :func:`walk_back`).

Examples
--------
>>> import numpy as np
>>> indptr = np.array([0, 2, 3, 3])          # 0 -> 1 (1.0), 0 -> 2 (5.0), 1 -> 2 (1.0)
>>> nbr = np.array([1, 2, 2]); cost = np.array([1.0, 5.0, 1.0])
>>> hop_layers(indptr, nbr, cost, [0], 2)
array([[ 0., inf, inf],
       [ 0.,  1.,  5.],
       [ 0.,  1.,  2.]])
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence

import numpy as np


_PULL = 0.3  # share of all arcs live in a round above which pulling beats pushing


def gather(indptr: np.ndarray, nodes: np.ndarray, labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Arc positions leaving ``nodes`` and, for each, the node it leaves (or its entry in ``labels``)."""
    labels = nodes if labels is None else labels
    starts = indptr[nodes]
    lengths = indptr[nodes + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=labels.dtype)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths[:-1]))), lengths)
    return offsets + np.arange(total), np.repeat(labels, lengths)


def hop_layers(indptr: np.ndarray, nbr: np.ndarray, cost: np.ndarray, sources: Sequence[int] | np.ndarray,
               hops: int, *, limit: float = np.inf, blocked: np.ndarray | None = None,
               source_cost: np.ndarray | None = None, bound: np.ndarray | None = None,
               pull: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Least cost from ``sources`` to every node with at most ``h`` arcs, for ``h = 0..hops``.

    Parameters
    ----------
    indptr, nbr, cost : arrays
        Compressed sparse rows of the arcs to follow.
    sources : sequence of int
        Start nodes (cost 0, or ``source_cost``).
    hops : int
        Most arcs in a walk.
    limit : float
        Costs above this are not kept (``inf`` in the result).
    blocked : bool array, optional
        Nodes a walk may not enter.
    source_cost : array, optional
        Starting cost of each source.
    bound : array, optional
        Shape ``(hops + 1, n)``: a lower bound on the cost still to pay from each node with ``r``
        hops left (e.g. layers of a search from the target). A label is dropped when it plus the
        bound exceeds ``limit``.
    pull : (indptr, nbr, cost), optional
        The same arcs grouped by head. When most arcs are live in a round, that round pulls
        along these rows (one contiguous pass) instead of pushing from the frontier.

    Returns
    -------
    numpy.ndarray
        Shape ``(hops + 1, n)``.
    """
    n = len(indptr) - 1
    layers = np.full((hops + 1, n), np.inf)
    src = np.asarray(sources, dtype=np.int64)
    start = np.zeros(len(src)) if source_cost is None else np.asarray(source_cost, dtype=float)
    np.minimum.at(layers[0], src, start)
    if blocked is not None:
        layers[0][blocked] = np.inf
    frontier = np.nonzero(np.isfinite(layers[0]))[0]
    for h in range(1, hops + 1):
        prev = layers[h - 1]
        cur = layers[h]
        cur[:] = prev
        if len(frontier) == 0:
            continue
        if pull is not None and (indptr[frontier + 1] - indptr[frontier]).sum() > _PULL * len(nbr):
            # most arcs are live: pull along the transposed rows instead (contiguous, no scatter)
            tindptr, tnbr, tcost = pull
            ends = np.concatenate([prev[tnbr] + tcost, [np.inf]])
            best = np.minimum.reduceat(ends, np.minimum(tindptr[:-1], len(ends) - 1))
            best[tindptr[:-1] == tindptr[1:]] = np.inf
            ok = best <= limit
            if bound is not None:
                ok &= best + bound[hops - h] <= limit
            if blocked is not None:
                ok &= ~blocked
            np.minimum(cur, np.where(ok, best, np.inf), out=cur)
            frontier = np.nonzero(cur < prev)[0]
            continue
        arcs, tails = gather(indptr, frontier)
        if len(arcs) == 0:
            frontier = frontier[:0]
            continue
        heads = nbr[arcs]
        cand = prev[tails] + cost[arcs]
        ok = (cand < cur[heads]) & (cand <= limit)
        if bound is not None:
            ok &= cand + bound[hops - h][heads] <= limit
        if blocked is not None:
            ok &= ~blocked[heads]
        np.minimum.at(cur, heads[ok], cand[ok])
        frontier = np.nonzero(cur < prev)[0]
    return layers


def walk_back(layers: np.ndarray, pindptr: np.ndarray, pnbr: np.ndarray, pcost: np.ndarray,
              node: int, hops: int | None = None) -> list[int] | None:
    """The least-cost walk (as nodes, source first) that ``layers`` found to ``node``.

    ``pindptr``/``pnbr``/``pcost`` hold each node's arcs in the opposite direction
    of the search (its predecessors). Taking at each step the fewest hops that
    reach the least cost keeps the walk simple, even with zero-cost arcs.
    Returns ``None`` when ``node`` was not reached.
    """
    top = layers.shape[0] - 1 if hops is None else hops
    best = layers[top, node]
    if not np.isfinite(best):
        return None
    walk = [node]
    v = node
    h = int(np.argmax(layers[: top + 1, v] <= best))
    while h > 0:
        target = layers[h, v]
        lo, hi = pindptr[v], pindptr[v + 1]
        preds = pnbr[lo:hi]
        total = layers[h - 1, preds] + pcost[lo:hi]
        k = int(np.argmin(np.abs(total - target)))
        u = int(preds[k])
        # the fewest hops at which u reaches its cost
        h = int(np.argmax(layers[:h, u] <= layers[h - 1, u]))
        walk.append(u)
        v = u
    walk.reverse()
    return walk


# -- sparse searches: only the actors a search reaches are touched ------------------------------

_BIG = 1024  # rows this long are read cheapest arc first, up to what a limit leaves
_SORTED: dict[int, tuple[weakref.ref, dict[int, tuple[np.ndarray, np.ndarray]]]] = {}


def _sorted_row(indptr: np.ndarray, cost: np.ndarray, u: int) -> tuple[np.ndarray, np.ndarray]:
    """The arcs of row ``u``, cheapest first, and their costs (kept per cost array)."""
    key = id(cost)
    got = _SORTED.get(key)
    if got is None or got[0]() is not cost:
        got = _SORTED[key] = (weakref.ref(cost, lambda _: _SORTED.pop(key, None)), {})
    rows = got[1]
    row = rows.get(u)
    if row is None:
        lo, hi = int(indptr[u]), int(indptr[u + 1])
        order = np.argsort(cost[lo:hi], kind="stable")
        row = rows[u] = (order.astype(np.int32), cost[lo:hi][order])
    return row


def _gather_within(indptr: np.ndarray, cost: np.ndarray, frontier: np.ndarray, value: np.ndarray,
                   limit: float) -> tuple[np.ndarray, np.ndarray, float]:
    """:func:`gather`, leaving out arcs of long rows whose head would cost more than ``limit``; with the
    least cost so left out (``inf`` when none)."""
    lengths = indptr[frontier + 1] - indptr[frontier]
    big = lengths >= _BIG
    if not np.isfinite(limit) or not big.any():
        arcs, tails = gather(indptr, frontier)
        return arcs, tails, np.inf
    arcs, tails = gather(indptr, frontier[~big])
    parts, owners = [arcs], [tails]
    least = np.inf
    margin = 1e-9 * (1.0 + abs(limit))  # rounding: an arc left out must cost more than the limit
    for u in frontier[big].tolist():
        order, costs = _sorted_row(indptr, cost, u)
        cut = int(np.searchsorted(costs, limit - value[u] + margin, side="right"))
        parts.append(order[:cut] + indptr[u])
        owners.append(np.full(cut, u, dtype=frontier.dtype))
        if cut < len(costs):
            least = min(least, float(value[u] + costs[cut]))
    return np.concatenate(parts), np.concatenate(owners), least


_POOL: dict[int, list[np.ndarray]] = {}
_POOL_SIZE = 8  # blank arrays kept per node count


def _blank(n: int) -> np.ndarray:
    """An array of ``n`` infinities (from the pool when one is free)."""
    free = _POOL.get(n)
    if free:
        try:
            return free.pop()
        except IndexError:  # taken meanwhile by another thread
            pass
    return np.full(n, np.inf)


class Reach:
    """What :func:`sparse_layers` found.

    ``value`` holds, for every node, the least cost of a walk of at most ``hops`` arcs (``inf`` where
    none was kept); ``steps[h]`` the nodes whose cost fell at hop ``h`` and their new costs; ``work``
    the arcs looked at; ``complete`` whether no label was dropped for ``limit`` or ``lower`` (the search
    then equals the unlimited one); ``spare`` the least label dropped for ``limit`` (any limit below it
    gives the same search).
    """

    def __init__(self, value: np.ndarray, steps: list[tuple[np.ndarray, np.ndarray]], work: int, complete: bool,
                 spare: float = np.inf):
        self.value, self.steps, self.work, self.complete, self.spare = value, steps, work, complete, spare

    def nodes(self) -> np.ndarray:
        """The nodes reached, sorted."""
        return np.unique(np.concatenate([nodes for nodes, _ in self.steps]))

    def table(self) -> tuple[np.ndarray, np.ndarray]:
        """``(nodes, layers)``: the nodes reached (sorted) and, per hop ``h``, their least cost with at
        most ``h`` arcs; ``layers`` has one column more than ``nodes``, all ``inf`` (for nodes not reached)."""
        nodes = self.nodes()
        layers = np.full((len(self.steps), len(nodes) + 1), np.inf)
        for h, (changed, values) in enumerate(self.steps):
            if h:
                layers[h] = layers[h - 1]
            layers[h, np.searchsorted(nodes, changed)] = values
        return nodes, layers

    def release(self) -> None:
        """Give ``value`` back to the pool (the search is not used any more)."""
        value = self.value
        value[self.nodes()] = np.inf
        free = _POOL.setdefault(len(value), [])
        if len(free) < _POOL_SIZE:
            free.append(value)
        self.value = np.empty(0)


def sparse_layers(indptr: np.ndarray, nbr: np.ndarray, cost: np.ndarray, sources: Sequence[int] | np.ndarray,
                  hops: int, *, limit: float = np.inf, blocked: np.ndarray | None = None,
                  lower: Callable[[int, np.ndarray], np.ndarray] | None = None, cap: float = np.inf) -> Reach:
    """:func:`hop_layers` kept sparse: each round touches only the arcs leaving the nodes whose cost fell
    in the round before, and the layers are kept as the changes of each round.

    Costs are the same as those of :func:`hop_layers` (``sources`` start at 0; those ``blocked`` are
    left out). ``lower(h, nodes)`` bounds from below the cost still to pay from each of ``nodes`` reached
    with ``h`` arcs: a label is dropped when it plus that bound exceeds ``cap``, or when the bound is
    ``inf`` (nothing is left to reach).

    >>> indptr = np.array([0, 2, 3, 3]); nbr = np.array([1, 2, 2]); cost = np.array([1.0, 5.0, 1.0])
    >>> reach = sparse_layers(indptr, nbr, cost, [0], 2)
    >>> reach.table()[1]
    array([[ 0., inf, inf, inf],
           [ 0.,  1.,  5., inf],
           [ 0.,  1.,  2., inf]])
    >>> sparse_layers(indptr, nbr, cost, [0], 2, limit=1.5).value, reach.complete
    (array([ 0.,  1., inf]), True)
    """
    value = _blank(len(indptr) - 1)
    src = np.unique(np.asarray(sources, dtype=np.int64))
    if blocked is not None:
        src = src[~blocked[src]]
    value[src] = 0.0
    steps = [(src, np.zeros(len(src)))]
    none = (np.empty(0, dtype=np.int64), np.empty(0))
    frontier = src
    work = 0
    complete = True
    spare = np.inf
    for h in range(1, hops + 1):
        if len(frontier) == 0:
            steps.append(none)
            continue
        arcs, tails, cut = _gather_within(indptr, cost, frontier, value, limit)
        if cut < np.inf:
            complete = False
            spare = min(spare, cut)
        work += len(arcs)
        heads = nbr[arcs]
        cand = value[tails] + cost[arcs]
        better = cand < value[heads]
        keep = np.nonzero(better & (cand <= limit))[0]
        if len(keep) < np.count_nonzero(better):
            over = cand[better & (cand > limit)]
            spare = min(spare, float(over.min()))
        if lower is not None:
            bound = lower(h, heads[keep])
            keep = keep[(cand[keep] + bound <= cap) & (bound < np.inf)]
        if complete and len(keep) != np.count_nonzero(better):
            complete = False
        if blocked is not None:
            keep = keep[~blocked[heads[keep]]]
        heads, cand = heads[keep], cand[keep]
        if len(heads) == 0:
            frontier = frontier[:0]
            steps.append(none)
            continue
        np.minimum.at(value, heads, cand)
        frontier = np.unique(heads)
        steps.append((frontier, value[frontier]))
    return Reach(value, steps, work, complete, spare)
