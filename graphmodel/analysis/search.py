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

from collections.abc import Sequence

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
