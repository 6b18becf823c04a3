"""Searches from both ends of an influence-paths question, kept near the two actors.

A *ball* around the source holds the least cost from it to every actor within a
radius, for each number of arcs up to ``max_hops``; around the target, the least
cost to it. Outside a ball the cost is at least its radius, so a label found
from one end with ``h`` arcs can be dropped when it plus the other ball's bound
in the ``max_hops - h`` arcs left cannot stay under the limit: a search from
one end then reaches only its own ball and the few actors between the two. The
balls grow, the one that cost less work first, until their radii together cover
the limit; a ball's radius is the least label it dropped (any radius below gives
the same ball).

:class:`Meet` answers what :mod:`.paths` asks: the least cost ``s -> t`` split
as a forward search of ``(max_hops + 1) // 2`` arcs and a backward one of
``max_hops // 2`` (the very number the dense searches give), and the
backward layers of the enumeration. The layers differ from the dense ones only
where a label plus the least cost from the source (in the arcs left) exceeds the
limit, where the enumeration drops the label anyway; the tests compare both.

Examples
--------
>>> import numpy as np
>>> from graphmodel.analysis.influence import InfluenceGraph
>>> from graphmodel.analysis.weights import Weights
>>> def graph(n, arcs):  # arcs: (tail, head, cost), sorted
...     tails, heads, cost = (np.array(x) for x in zip(*arcs))
...     indptr = np.searchsorted(tails, np.arange(n + 1)); order = np.lexsort((tails, heads))
...     return InfluenceGraph(n, indptr, heads, cost, np.exp(-cost), np.arange(len(arcs)), np.ones(len(arcs), bool),
...                           np.searchsorted(heads[order], np.arange(n + 1)), tails[order], cost[order], order,
...                           Weights.default(), None)
>>> g = graph(4, [(0, 1, 1.0), (0, 2, 0.5), (1, 3, 1.0), (2, 3, 2.0)])
>>> meet = Meet(g, 0, 3, 6)
>>> meet.best_cost()
2.0
>>> column, layers = meet.layers(3.0)
>>> layers[2, column].tolist()
[2.0, 1.0, 2.0, 0.0]
>>> meet.close()
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .influence import InfluenceGraph
from .search import Reach, gather, sparse_layers

_START = 0.5  # first radius of each ball
_GROW = 1.25  # a ball's radius grows by this factor at least
_EPS = 1e-9  # relative margin for rounding when a label is dropped against a bound
_SHARPEN = 8  # before a backward search, the source's ball grows while it cost this much less than the last one
_SHARPEN_GROW = _GROW  # and its radius grows by this factor each time


def margin(limit: float) -> float:
    """``limit`` a little raised, so that a sum rounded otherwise stays below it."""
    return limit + _EPS * (1.0 + abs(limit))


class _Ball:
    """The least costs from (``forward``) or to one actor, within ``radius`` and ``hops`` arcs."""

    def __init__(self, g: InfluenceGraph, node: int, forward: bool, hops: int, blocked: np.ndarray | None):
        self.g, self.node, self.forward, self.hops, self.blocked = g, node, forward, hops, blocked
        self.radius = 0.0
        self.reach: Reach | None = None
        self._table: tuple[np.ndarray, np.ndarray] | None = None
        self._columns: np.ndarray | None = None

    @property
    def work(self) -> int:
        return self.reach.work if self.reach is not None else 0

    def grow(self, radius: float) -> None:
        g = self.g
        rows = (g.indptr, g.nbr, g.cost) if self.forward else (g.rindptr, g.rnbr, g.rcost)
        if self.reach is not None:
            self.reach.release()
        self.reach = sparse_layers(*rows, [self.node], self.hops, limit=radius, blocked=self.blocked)
        # the same search for any radius below the least label it dropped: claim the largest
        self.radius = math.inf if self.reach.complete else max(radius, math.nextafter(self.reach.spare, 0.0))
        self._table = self._columns = None

    def lower(self, hops_left: Callable[[int], int]) -> Callable[[int, np.ndarray], np.ndarray]:
        """For :func:`.search.sparse_layers`: a lower bound of the cost from the source (or to the target)
        of nodes reached with ``h`` arcs by the other search, within ``hops_left(h)`` arcs: the cost in the
        ball, else its radius (nothing is cheaper outside it)."""
        _, layers = self.table()
        column, radius = self._column(), self.radius

        def bound(h: int, nodes: np.ndarray) -> np.ndarray:
            return np.minimum(layers[hops_left(h)][column[nodes]], radius)
        return bound

    def _column(self) -> np.ndarray:
        if self._columns is None:
            nodes, layers = self.table()
            self._columns = np.full(self.g.n, len(nodes), dtype=np.int32)
            self._columns[nodes] = np.arange(len(nodes), dtype=np.int32)
        return self._columns

    def table(self) -> tuple[np.ndarray, np.ndarray]:
        if self._table is None:
            self._table = self._grown().table()
        return self._table

    def _grown(self) -> Reach:
        if self.reach is None:
            raise RuntimeError("the ball has not been grown")
        return self.reach

    def close(self) -> None:
        if self.reach is not None:
            self.reach.release()
            self.reach = None


class Meet:
    """Searches for the paths ``s -> t`` of at most ``max_hops`` arcs avoiding ``blocked`` actors."""

    def __init__(self, g: InfluenceGraph, s: int, t: int, max_hops: int, blocked: np.ndarray | None = None):
        self.g, self.s, self.t, self.max_hops, self.blocked = g, s, t, max_hops, blocked
        self.closed = blocked is not None and bool(blocked[s] or blocked[t])
        self.src = _Ball(g, s, True, max_hops, blocked)
        self.dst = _Ball(g, t, False, max_hops, blocked)
        self.upper = math.inf  # an upper bound of the least cost (of a walk of at most max_hops arcs)
        self._best: float | None = None
        self.spent = 0  # the arcs the last backward search of :meth:`layers` looked at

    def _rest(self, h: int) -> int:
        """Arcs a path may still have after ``h`` from one end."""
        return self.max_hops - h

    def close(self) -> None:
        self.src.close()
        self.dst.close()

    def _joined(self) -> float:
        """The least cost of a walk the two balls show (at most ``max_hops`` arcs), a little raised so it
        bounds the least cost however its sum is rounded."""
        fnodes, flayers = self.src.table()
        bnodes, blayers = self.dst.table()
        common, fi, bi = np.intersect1d(fnodes, bnodes, assume_unique=True, return_indices=True)
        if len(common) == 0:
            return math.inf
        h = self.max_hops
        best = min(float(np.min(flayers[p, fi] + blayers[h - p, bi])) for p in range(h + 1))
        return margin(best) if math.isfinite(best) else math.inf

    def cover(self, limit: float, meet: bool = False, source_only: bool = False) -> None:
        """Grow the balls, the one that cost less work first, until their radii add up to ``limit``
        (with ``meet``: to the least cost they show, however far; with ``source_only``: only the source's
        ball, and only while it is the cheaper one)."""
        for ball in (self.src, self.dst):
            if ball.reach is None:
                ball.grow(_START)
        while True:
            if meet:
                self.upper = min(self.upper, self._joined())
                limit = self.upper
            have = self.src.radius + self.dst.radius
            if have >= limit:
                return
            small, other = ((self.src, self.dst) if (self.src.work, self.src.radius) <= (self.dst.work, self.dst.radius)
                            else (self.dst, self.src))
            if source_only and small is not self.src:
                return  # the search from the target will cover the rest
            radius = small.radius * _GROW
            wanted = limit - other.radius
            if small.radius < wanted < radius:
                radius = wanted  # just what is missing, when that is near
            small.grow(radius)

    def _sharpen(self, limit: float) -> None:
        """Grow the source's ball towards ``limit`` while it costs far less than the last backward search:
        a wider ball bounds more tightly the labels that search keeps (any radius gives the same layers
        wherever they can matter, see :meth:`layers`), and questions whose routes appear only at wide
        limits would otherwise search far from the target under a loose bound."""
        ball = self.src
        while ball.radius < limit and ball.work * _SHARPEN < self.spent:
            ball.grow(min(limit, ball.radius * _SHARPEN_GROW))

    def best_cost(self) -> float:
        """``min over v of F(v) + B(v)``: ``F`` the least cost from ``s`` in ``(max_hops + 1) // 2`` arcs,
        ``B`` to ``t`` in ``max_hops // 2`` (``inf`` when ``t`` cannot be reached); found once."""
        if self._best is None:
            self._best = self._best_cost()
        return self._best

    def _best_cost(self) -> float:
        if self.closed:
            return math.inf
        self.cover(math.inf, meet=True)
        g, upper = self.g, self.upper
        cap = margin(upper)
        rest = self._rest
        fwd = sparse_layers(g.indptr, g.nbr, g.cost, [self.s], (self.max_hops + 1) // 2, limit=upper,
                            blocked=self.blocked, lower=self.dst.lower(rest), cap=cap)
        bwd = sparse_layers(g.rindptr, g.rnbr, g.rcost, [self.t], self.max_hops // 2, limit=upper,
                            blocked=self.blocked, lower=self.src.lower(rest), cap=cap)
        try:
            nodes = fwd.nodes()
            return float(np.min(fwd.value[nodes] + bwd.value[nodes], initial=math.inf))
        finally:
            fwd.release()
            bwd.release()

    def layers(self, limit: float) -> tuple[np.ndarray, np.ndarray]:
        """The backward layers of the enumeration: ``(column, layers)``, ``layers[r, column[v]]`` the least
        cost to ``t`` in at most ``r`` arcs (``r < max_hops``), wherever it plus the least cost from ``s``
        stays within ``limit``; ``inf`` above ``limit``."""
        g = self.g
        if math.isfinite(limit):
            self.cover(limit, source_only=True)
            self._sharpen(limit)
        reach = sparse_layers(g.rindptr, g.rnbr, g.rcost, [self.t], self.max_hops - 1, limit=limit,
                              blocked=self.blocked, lower=self.src.lower(self._rest), cap=margin(limit))
        self.spent = reach.work
        try:
            nodes, table = reach.table()
        finally:
            reach.release()
        column = np.full(g.n, len(nodes), dtype=np.int32)
        column[nodes] = np.arange(len(nodes), dtype=np.int32)
        return column, table


def unstated_bound(meet: Meet, wide: InfluenceGraph, unstated: np.ndarray, limit: float) -> float:
    """A lower bound of the cost of a path ``s -> t`` of ``wide`` (at most ``max_hops`` arcs) that takes an arc
    of a link ``unstated`` marks, where ``meet`` searches a graph without those links, when it exceeds
    ``limit``; at most ``limit`` (raised by :func:`margin`) when such a path may cost that.

    The first such arc leaves an actor the source reaches without them, and the last one enters an actor that
    reaches the target without them, so the path costs at least the least (cost from ``s`` to a tail plus its
    arc) plus the least cost from a head to ``t``: as ``meet``'s balls show them, or else their radii. Their
    cheapest actors are looked at first, and the balls grow until their radii exceed ``limit`` only when
    that decides nothing.
    """
    hops = meet.max_hops - 1

    def bound(few: int | None = None) -> tuple[float, bool]:
        first, seen_first = _nearest(meet.src, wide.indptr, None, wide.link, unstated, wide.cost, hops, few)
        last, seen_last = _nearest(meet.dst, wide.rindptr, wide.rarc, wide.link, unstated, None, hops, few)
        return first + last, seen_first and seen_last

    if meet.src.reach is not None and meet.dst.reach is not None:
        near, seen = bound(_FEW)
        if seen and near <= margin(limit):
            return near  # costs found, not bounds: a path with such an arc may cost this
        lower, exact = bound()
        if exact or lower > margin(limit):
            return lower
    meet.cover(math.nextafter(margin(limit), math.inf))
    return bound()[0]


_FEW = 256  # the cheapest actors of each ball looked at first


def _nearest(ball: _Ball, indptr: np.ndarray, arc: np.ndarray | None, link: np.ndarray, unstated: np.ndarray,
             cost: np.ndarray | None, hops: int, few: int | None = None) -> tuple[float, bool]:
    """The least cost in ``ball`` (within ``hops`` arcs) of an actor with an arc of a link ``unstated`` marks
    in the rows ``indptr`` (``arc`` maps their positions to arcs), plus that arc's ``cost`` when given; the
    ball's radius when less (outside the ball nothing is cheaper). And whether it was found in the ball.
    With ``few``, only that many of the ball's cheapest actors are looked at (a cost found is then one
    such arc's, not the least)."""
    nodes, layers = ball.table()
    reach = layers[hops, :-1]
    inside = np.flatnonzero(np.isfinite(reach))
    if few is not None and len(inside) > few:
        inside = inside[np.argpartition(reach[inside], few)[:few]]
    pos, at = gather(indptr, nodes[inside], reach[inside])
    arcs = pos if arc is None else arc[pos]
    marked = unstated[link[arcs]]
    values = at[marked] if cost is None else at[marked] + cost[arcs[marked]]
    least = float(values.min(initial=math.inf))
    return (least, True) if least <= ball.radius else (ball.radius, False)
