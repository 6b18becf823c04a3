"""Influence paths: the k strongest simple paths from one actor to another.

A path's strength is the product of its hops' strengths, so the strongest paths
are the least-cost paths under ``cost = -log(strength)``. The search:

1. finds, for every actor ``v`` and every hop budget ``r``, the least cost
   from ``v`` to the target in at most ``r`` hops (:meth:`.meet.Meet.layers`:
   a search over the reversed arcs kept near both actors), dropping costs that
   cannot beat a bound: the least cost plus a slack, tighter slacks tried first;
2. enumerates simple paths from the source best-first (A* over partial paths,
   whose estimate is exact but for the no-repeat rule), pushing each partial
   path's extensions lazily in order, so a hub with thousands of arcs costs one
   sort, not thousands of queue entries.

Paths come out strongest first, exactly as Yen's algorithm would give them;
the property tests compare them with networkx's ``shortest_simple_paths``.

Examples
--------
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.analysis.projection import Projection
>>> actors = [Actor(id=i, kind=k, name=i.upper()) for i, k in
...           [("fnv", "sso"), ("bwi", "guf"), ("ncwu", "union"), ("lo", "sso")]]
>>> links = [Link(kind="funds", source="fnv", target="bwi"),
...          Link(kind="supports", source="bwi", target="ncwu"),
...          Link(kind="funds", source="fnv", target="lo", confidence="inferred"),
...          Link(kind="supports", source="lo", target="ncwu")]
>>> proj = Projection.from_records(actors, links)
>>> result = influence_paths(proj, "fnv", "ncwu", k=3)   # the inferred link is left out
>>> [(round(p.strength, 3), [a["id"] for a in p.actors]) for p in result.paths]
[(0.3, ['fnv', 'bwi', 'ncwu'])]
>>> result.notes[0]
'Only 1 distinct route within 6 hops (routes through the same intermediaries are shown once).'
>>> wider = influence_paths(proj, "fnv", "ncwu", k=3, include_inferred=True)
>>> [(round(p.strength, 3), p.as_dict(wider.paths[0].strength)["strength_share"]) for p in wider.paths]
[(0.3, 100), (0.15, 50)]
>>> result.paths[0].hops[0].kind, result.paths[0].hops[0].direction
('funds', 'forward')
"""

from __future__ import annotations

import heapq
import math
import weakref
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import StakemapError
from ..kinds import LINK_SPECS, LinkKind
from .influence import InfluenceGraph, has_inferred, influence_graph, unstated_links
from .meet import Meet, margin, unstated_bound
from .projection import Projection
from .readable import share_of_best, strength_word
from .weights import Weights

_TIE = 1e-12  # costs closer than this are equal
_MAX_TIES = 64  # extra paths tied with the k-th looked at to prefer fewer hops


@dataclass
class Hop:
    """One hop of a path: ``source`` has influence over ``target`` through one link."""

    source: str
    target: str
    kind: str
    strength: float
    direction: str  # "forward": along the link (source is the link's source); "backward": against it
    link: str
    start: str | None
    end: str | None
    confidence: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    says: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class InfluencePath:
    strength: float
    actors: list[dict[str, Any]]
    hops: list[Hop]

    def as_dict(self, best: float | None = None) -> dict[str, Any]:
        return {"strength": self.strength, "strength_word": strength_word(self.strength),
                "strength_share": share_of_best(self.strength, best if best is not None else self.strength),
                "actors": self.actors, "hops": [h.as_dict() for h in self.hops]}


@dataclass
class PathsResult:
    """The strongest influence paths from ``source`` to ``target``, strongest first."""

    source: dict[str, Any]
    target: dict[str, Any]
    paths: list[InfluencePath]
    k: int
    max_hops: int
    kinds: list[str] | None
    weights: dict[str, Any]
    without: list[str] = field(default_factory=list)
    include_inferred: bool = False
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        best = self.paths[0].strength if self.paths else None
        return {"source": self.source, "target": self.target, "paths": [p.as_dict(best) for p in self.paths],
                "k": self.k, "max_hops": self.max_hops, "kinds": self.kinds, "without": self.without,
                "weights": self.weights, "include_inferred": self.include_inferred, "notes": self.notes}

    def compare(self, before: "PathsResult") -> dict[str, Any]:
        """What changed from ``before`` (the same question on the whole map) to this result."""
        def key(p: InfluencePath) -> tuple[str, ...]:
            return tuple(a["id"] for a in p.actors)

        old = {key(p): p for p in before.paths}
        new = {key(p): p for p in self.paths}
        best_before = before.paths[0].strength if before.paths else 0.0
        best_after = self.paths[0].strength if self.paths else 0.0
        return {
            "best_strength_before": best_before,
            "best_strength_after": best_after,
            "paths_lost": [[a["id"] for a in old[k].actors] for k in old if k not in new],
            "paths_new": [[a["id"] for a in new[k].actors] for k in new if k not in old],
            "connected_after": bool(self.paths),
        }


def influence_paths(proj: Projection, source_id: str, target_id: str, k: int = 5, max_hops: int = 6,
                    kinds: Iterable[str] | None = None, weights: Weights | None = None,
                    include_inferred: bool = False) -> PathsResult:
    """The ``k`` strongest simple influence paths from ``source_id`` to ``target_id``.

    Parameters
    ----------
    proj : Projection
        The map.
    source_id, target_id : str
        Actor ids (resolve names first with :func:`graphmodel.resolve.resolve_actor`).
    k : int
        How many paths.
    max_hops : int
        Most hops in a path.
    kinds : iterable of str, optional
        Follow only these link kinds.
    weights : Weights, optional
        Influence weights (default: the kinds table).
    include_inferred : bool
        Also follow ``related_to`` and ``inferred`` links (left out by default; a note says when they
        would change the answer).

    Returns
    -------
    PathsResult
        Distinct routes strongest first (each brings an intermediary no stronger route passes: no two
        share all their middle actors); each hop with its link, direction, dates and sources. A note says
        when fewer than ``k`` distinct routes exist.
    """
    if k < 1 or max_hops < 1:
        raise StakemapError("k and max_hops must be at least 1")
    weights = weights or Weights.default()
    s = proj.position(source_id)
    t = proj.position(target_id)
    if s == t:
        raise StakemapError("source and target are the same actor", hint="give two different actors")
    g = influence_graph(proj, weights, kinds, inferred=include_inferred)
    want = k * DIVERSITY + 8
    with closing(Meet(g, s, t, max_hops)) as meet:
        candidates = k_strongest(g, s, t, want, max_hops, meet=meet)
        found = distinct_routes(candidates, k)
        unstated = not include_inferred and has_inferred(proj) and _unstated_change(
            influence_graph(proj, weights, kinds, inferred=True), unstated_links(proj), meet, candidates, found, want, k)
    paths = _explain(proj, g, found)
    notes = []
    if 0 < len(paths) < k:
        notes.append(f"Only {len(paths)} distinct route{'s' if len(paths) != 1 else ''} within {max_hops} hops "
                     f"(routes through the same intermediaries are shown once).")
    if unstated:
        notes.append("Following inferred and unmapped links too would change these routes "
                     "(--include-inferred); they are left out because nobody stated them.")
    return PathsResult(source=proj.actor_ref(s), target=proj.actor_ref(t), paths=paths, k=k, max_hops=max_hops,
                       kinds=sorted(x.value for x in g.kinds) if g.kinds else None, weights=weights.describe(),
                       without=list(proj.removed), include_inferred=include_inferred, notes=notes)


#: How many candidate paths per wanted route are looked at to find routes through other intermediaries.
DIVERSITY = 4


def distinct_routes(found: list[tuple[float, list[int], list[int]]], k: int) -> list[tuple[float, list[int], list[int]]]:
    """The strongest ``k`` of ``found`` that each bring an intermediary of their own: a path whose middle
    actors all stand on one already chosen path (the same actors, in another order or fewer of them) adds
    no new route. A direct link has no intermediary and is a route of its own.

    >>> distinct_routes([(1.0, [0, 5, 7, 9], []), (1.1, [0, 7, 5, 9], []), (1.2, [0, 5, 9], []),
    ...                  (1.3, [0, 5, 6, 9], []), (1.4, [0, 9], [])], 4)
    [(1.0, [0, 5, 7, 9], []), (1.3, [0, 5, 6, 9], []), (1.4, [0, 9], [])]
    """
    chosen: list[tuple[float, list[int], list[int]]] = []
    middles: list[frozenset[int]] = []
    for item in found:
        middle = frozenset(item[1][1:-1])
        if middle and any(middle <= m for m in middles):
            continue
        chosen.append(item)
        middles.append(middle)
        if len(chosen) == k:
            break
    return chosen


def _unstated_change(wide: InfluenceGraph, unstated: np.ndarray, meet: Meet,
                     candidates: list[tuple[float, list[int], list[int]]],
                     found: list[tuple[float, list[int], list[int]]], want: int, k: int) -> bool:
    """Whether the routes ``found`` (the distinct ones among ``candidates``, the ``want`` least-cost paths of
    ``meet``'s graph, which leaves out the links ``unstated`` marks) would differ on ``wide``, the graph with
    those links: other actors, or the same actors through other links.

    Routes are chosen from the candidates in order, so only those up to the one that brought the last route
    decide them (all, when fewer than ``k`` routes came). ``wide`` holds every arc of ``meet``'s graph but
    where a link of ``unstated`` is as strong between the same two actors, so its first paths are the same
    unless one that takes an arc of such a link costs at most the last deciding candidate
    (:func:`.meet.unstated_bound`); else the routes of ``wide``'s first paths are compared.
    """
    s, t, max_hops = meet.s, meet.t, meet.max_hops
    deciding = candidates.index(found[-1]) + 1 if len(found) == k else len(candidates)
    complete = len(found) < k and len(candidates) < want  # every stated path was enumerated
    if deciding and not complete and \
            unstated_bound(meet, wide, unstated, candidates[deciding - 1][0]) > margin(candidates[deciding - 1][0]):
        return False

    def named(graph: InfluenceGraph, chosen: list[tuple[float, list[int], list[int]]]) -> list:
        return [(nodes, [int(graph.link[a]) for a in arcs]) for _, nodes, arcs in chosen]
    mine = named(meet.g, found)
    with closing(Meet(wide, s, t, max_hops)) as wider:
        if not candidates or margin(wider.best_cost()) < candidates[0][0]:
            return math.isfinite(wider.best_cost())  # a route where there was none, or a stronger first one
        need = deciding if len(found) == k else want
        first = k_strongest(wide, s, t, need, max_hops, meet=wider)
        routes = named(wide, distinct_routes(first, k))
        if len(routes) == k or len(first) < need or need == want or routes != mine[:len(routes)]:
            return routes != mine  # these are wide's routes, or already differ from a prefix of them
        return named(wide, distinct_routes(k_strongest(wide, s, t, want, max_hops, meet=wider), k)) != mine


def k_strongest(g: InfluenceGraph, s: int, t: int, k: int, max_hops: int,
                blocked: np.ndarray | None = None, meet: Meet | None = None) -> list[tuple[float, list[int], list[int]]]:
    """The ``k`` least-cost simple paths ``s -> t`` of at most ``max_hops`` arcs.

    Returns ``(cost, nodes, arcs)`` triples, least cost first (ties: fewer hops first, then by positions).
    ``meet``, when given, is the search of this question to use (and leave open: its balls serve again).
    """
    if s == t:
        return []
    own = meet is None
    meet = Meet(g, s, t, max_hops, blocked) if meet is None else meet
    try:
        # A bound first: the best path's cost, by a search from both ends that meets in the middle.
        best = meet.best_cost()
        if not math.isfinite(best):
            return []
        for limit, before in _limits(best, _Cap(g, s, max_hops)):
            found, clear = _enumerate(g, s, t, k, max_hops, limit, meet.layers(limit))
            if clear or (before and len(found) >= k) or limit == math.inf:
                return found
        return []  # not reached: the last limit is inf
    finally:
        if own:
            meet.close()


def _limits(best: float, cap: "float | _Cap") -> Iterable[tuple[float, bool]]:
    """The limits to enumerate under, each with whether it is one of ``best + 1``, ``best + 4``,
    ``best + 16``, ... (``inf`` from ``cap`` on), whose answer stands as it is; between them, tighter ones
    (cheaper searches) whose answer stands when it is clear of the limit (see :func:`_enumerate`)."""
    below = cap.above if isinstance(cap, _Cap) else cap.__gt__
    slack, step = _FIRST, 1.0
    while True:
        while slack < step:
            if below(best + slack):
                yield best + slack, False
            slack *= _LADDER
        limit = best + step
        under = below(limit)
        yield (limit, True) if under else (math.inf, True)
        if not under:
            return
        slack, step = step * _LADDER, step * 4.0


class _Cap:
    """``max_hops`` times the costliest arc of ``g``: no simple path costs more. Whether a limit lies
    below it is first judged against a bound from a few arcs (those of ``s`` and the first ones stored),
    and only a limit at or above that bound reads every arc (once per graph)."""

    _SAMPLE = 1 << 16

    def __init__(self, g: InfluenceGraph, s: int, max_hops: int) -> None:
        self.g, self.max_hops = g, max_hops
        lo, hi = int(g.indptr[s]), int(g.indptr[s + 1])
        seen = np.concatenate((g.cost[lo:hi], g.cost[:self._SAMPLE]))
        self.floor = max_hops * float(seen[np.isfinite(seen)].max(initial=0.0))

    def above(self, limit: float) -> bool:
        """Whether ``limit < max_hops * max cost``, exactly as that comparison would say."""
        if limit < self.floor:
            return True
        return limit < self.max_hops * _max_cost(self.g)


#: The first slack tried over the least cost, and the ratio of one limit tried to the one before.
_FIRST = 0.5
_LADDER = 1.5


_MAX_COST: "weakref.WeakKeyDictionary[InfluenceGraph, float]" = weakref.WeakKeyDictionary()


def _max_cost(g: InfluenceGraph) -> float:
    """The costliest arc of ``g`` (0 when none), kept per graph."""
    got = _MAX_COST.get(g)
    if got is None:
        got = _MAX_COST[g] = float(g.cost[np.isfinite(g.cost)].max(initial=0.0))
    return got


def _enumerate(g: InfluenceGraph, s: int, t: int, k: int, max_hops: int, limit: float,
               table: tuple[np.ndarray, np.ndarray]) -> tuple[list[tuple[float, list[int], list[int]]], bool]:
    """Best-first enumeration of the ``k`` least-cost simple paths among those of cost <= ``limit``;
    ``table`` holds the least cost to ``t`` with ``r`` arcs left (see :meth:`.meet.Meet.layers`)."""
    column, layers = table
    indptr, nbr, cost = g.indptr, g.nbr, g.cost
    heap: list = []
    seq = 0

    def expand(path: tuple[int, ...], arcs: tuple[int, ...], spent: float) -> None:
        nonlocal seq
        v = path[-1]
        left = max_hops - (len(path) - 1)
        if left <= 0:
            return
        lo, hi = indptr[v], indptr[v + 1]
        heads = nbr[lo:hi]
        f = spent + cost[lo:hi] + layers[left - 1][column[heads]]
        idx = np.nonzero(np.isfinite(f) & (f <= limit))[0]
        if len(path) > 1:
            idx = idx[~np.isin(heads[idx], path)]
        if len(idx) == 0:
            return
        order = idx[np.lexsort((heads[idx], f[idx]))]
        heapq.heappush(heap, (float(f[order[0]]), seq, path, arcs, spent, order + lo, f[order], 0))
        seq += 1

    expand((s,), (), 0.0)
    found: list[tuple[float, list[int], list[int]]] = []
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
    # The answer is that of any larger limit when the k-th path found (and the ties looked at after it)
    # stayed clear of this one; else only that of this limit.
    clear = len(found) >= k and found[k - 1][0] + _TIE < limit
    # equal strengths: fewer hops first, then by actor positions
    found.sort(key=lambda x: (round(x[0] / _TIE) if math.isfinite(x[0]) else math.inf, len(x[1]), x[1]))
    return found[:k], clear


def _explain(proj: Projection, g: InfluenceGraph, found: list[tuple[float, list[int], list[int]]]) -> list[InfluencePath]:
    link_positions = [int(g.link[a]) for _, _, arcs in found for a in arcs]
    cites = proj.citations(proj.link_ids[j] for j in link_positions)
    out = []
    for cost, nodes, arcs in found:
        hops = []
        for u, v, a in zip(nodes, nodes[1:], arcs):
            j = int(g.link[a])
            ref = proj.link_ref(j)
            kind = LinkKind(ref["kind"])
            along = bool(g.along[a])
            hops.append(Hop(
                source=proj.actor_ids[u], target=proj.actor_ids[v], kind=kind.value, strength=float(g.strength[a]),
                direction="forward" if along else "backward", link=ref["id"], start=ref["start"], end=ref["end"],
                confidence=ref["confidence"], sources=cites.get(ref["id"], []),
                says=_says(proj, j, kind),
            ))
        strength = float(np.prod([h.strength for h in hops]))
        out.append(InfluencePath(strength=strength, actors=[proj.actor_ref(i) for i in nodes], hops=hops))
    return out


def _says(proj: Projection, j: int, kind: LinkKind) -> str:
    """The link in words: ``"FNV Mondiaal funds BWI"``."""
    return f"{proj.names[proj.src[j]]} {LINK_SPECS[kind].label} {proj.names[proj.dst[j]]}"
