"""Leverage points: who can move a target, and who can we reach that can.

For a target ``T`` and our side ``A`` (one or more actors), every other actor
``X`` scores ``reach(A -> X) x pressure(X -> T)``: the strength of the
strongest path from any of ``A`` to ``X`` times that of the strongest path
from ``X`` to ``T``, each within ``max_hops``. Without ``A``, actors rank by
pressure alone. Each entry shows both paths and where ``X`` acts: the sphere
(production, capital, market, regulation, funding, organising) of the link
through which it presses on the next actor towards ``T``.

Chokepoints are the actors that every *strong* path to the target passes:
paths from ``A`` (or, without ``A``, from the ranked actors) whose strength is
at least ``strong`` times that of the strongest such path. An actor is a
chokepoint when removing it leaves no strong path; ``best_strength_without``
says what is left (0 when nothing is left above a tenth of the strong threshold).

Examples
--------
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.analysis.projection import Projection
>>> actors = [Actor(id=i, kind=k, name=i) for i, k in [("lac", "ngo"), ("camp", "campaign"),
...           ("hktdc", "platform"), ("basel", "platform"), ("lucky", "supplier")]]
>>> links = [Link(kind="participates_in", source="lac", target="camp"),
...          Link(kind="targets", source="camp", target="hktdc"),
...          Link(kind="targets", source="camp", target="basel"),
...          Link(kind="sanctions", source="hktdc", target="lucky"),
...          Link(kind="sanctions", source="basel", target="lucky")]
>>> proj = Projection.from_records(actors, links)
>>> result = leverage(proj, "lucky", from_ids=["lac"], top=3)
>>> [(e.actor["id"], round(e.reach, 2), e.pressure, round(e.score, 2), e.sphere) for e in result.leverage]
[('basel', 0.15, 0.8, 0.12, 'regulation'), ('camp', 0.3, 0.4, 0.12, 'organising'), ('hktdc', 0.15, 0.8, 0.12, 'regulation')]
>>> [c["actor"]["id"] for c in result.chokepoints]
['camp']
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import StakemapError
from ..kinds import ACTOR_SPECS, LINK_SPECS, ActorKind, LinkKind
from .columns import pick
from .influence import InfluenceGraph, has_inferred, influence_graph
from .paths import InfluencePath, _explain
from .projection import ACTOR_KINDS, LINK_KINDS, Projection
from .readable import share_of_best, strength_word
from .search import walk_back
from .weights import Weights

#: Chokepoint reports give the best strength left without the actor down to a tenth of the strong
#: threshold; weaker paths count as none.
_WIDE = math.log(10.0)
#: Searches widen their cost limit by this much (a factor e^2 in strength) until the answer is covered,
#: and search without a limit past _GIVE_UP.
_STEP = 2.0
_GIVE_UP = 25.0


@dataclass
class LeverageEntry:
    actor: dict[str, Any]
    score: float
    reach: float
    pressure: float
    sphere: str
    actor_sphere: str
    reach_path: InfluencePath | None
    pressure_path: InfluencePath

    def as_dict(self, best: float | None = None) -> dict[str, Any]:
        return {"actor": self.actor, "score": self.score, "score_word": strength_word(self.score),
                "score_share": share_of_best(self.score, best if best is not None else self.score),
                "reach": self.reach, "pressure": self.pressure, "pressure_word": strength_word(self.pressure),
                "sphere": self.sphere, "actor_sphere": self.actor_sphere,
                "paths": {"reach": self.reach_path.as_dict() if self.reach_path else None,
                          "pressure": self.pressure_path.as_dict()}}


@dataclass
class LeverageResult:
    target: dict[str, Any]
    sources: list[dict[str, Any]]
    leverage: list[LeverageEntry]
    chokepoints: list[dict[str, Any]]
    best_strength: float
    max_hops: int
    strong: float
    weights: dict[str, Any]
    without: list[str] = field(default_factory=list)
    #: Whether inferred and unmapped links were followed, and what the reader should know about the answer.
    include_inferred: bool = False
    notes: list[str] = field(default_factory=list)
    #: The target's own sites and subsidiaries (what it owns or operates), never ranked as pressure on it.
    own: list[str] = field(default_factory=list)

    def by_sphere(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for e in self.leverage:
            out.setdefault(e.sphere, []).append(e.actor["id"])
        return out

    def as_dict(self) -> dict[str, Any]:
        best = self.leverage[0].score if self.leverage else None
        return {"target": self.target, "from": self.sources, "leverage": [e.as_dict(best) for e in self.leverage],
                "by_sphere": self.by_sphere(), "chokepoints": self.chokepoints, "best_strength": self.best_strength,
                "best_strength_word": strength_word(self.best_strength), "max_hops": self.max_hops,
                "strong": self.strong, "without": self.without, "weights": self.weights,
                "include_inferred": self.include_inferred, "notes": self.notes, "own_sites_left_out": self.own}

    def compare(self, before: "LeverageResult") -> dict[str, Any]:
        """What changed from ``before`` (the same question on the whole map) to this result."""
        old = {e.actor["id"]: (rank, e.score) for rank, e in enumerate(before.leverage, 1)}
        new = {e.actor["id"]: (rank, e.score) for rank, e in enumerate(self.leverage, 1)}
        return {
            "left_top": [a for a in old if a not in new],
            "entered_top": [a for a in new if a not in old],
            "moved": {a: [old[a][0], new[a][0]] for a in new if a in old and old[a][0] != new[a][0]},
            "best_strength_before": before.best_strength,
            "best_strength_after": self.best_strength,
            "chokepoints_before": [c["actor"]["id"] for c in before.chokepoints],
            "chokepoints_after": [c["actor"]["id"] for c in self.chokepoints],
        }


def leverage(proj: Projection, target_id: str, from_ids: Iterable[str] = (), top: int = 10, max_hops: int = 4,
             weights: Weights | None = None, strong: float = 0.5, include_inferred: bool = False) -> LeverageResult:
    """Actors ranked by reach from ``from_ids`` times pressure on ``target_id``, and the chokepoints.

    Parameters
    ----------
    proj : Projection
        The map.
    target_id : str
        The actor to move.
    from_ids : iterable of str
        Our side; empty to rank by pressure alone.
    top : int
        How many actors to return.
    max_hops : int
        Most hops of each path (reach and pressure).
    weights : Weights, optional
        Influence weights.
    strong : float
        A path is strong when at least this share of the strongest path's strength.
    include_inferred : bool
        Also follow ``related_to`` and ``inferred`` links (left out by default: nobody stated them);
        without them, a note says when including them would change the top of the answer.

    Returns
    -------
    LeverageResult
        The target's own sites and subsidiaries (what it owns or operates, directly or through each
        other) are never ranked: they are the target, not pressure on it. Nor are factories and
        suppliers, unless they own the target: pressure passes through them (their workers, their
        buyers, their owners); they do not press (see docs/campaign-logic.md).
    """
    result = _leverage(proj, target_id, from_ids, top, max_hops, weights, strong, include_inferred)
    if not include_inferred and has_inferred(proj):
        wider = _leverage(proj, target_id, from_ids, top, max_hops, weights, strong, True)
        mine, theirs = [e.actor["id"] for e in result.leverage[:5]], [e.actor["id"] for e in wider.leverage[:5]]
        if mine != theirs:
            result.notes.append("Following inferred and unmapped links too would change the top of this answer "
                                "(--include-inferred); they are left out because nobody stated them.")
    return result


def _leverage(proj: Projection, target_id: str, from_ids: Iterable[str], top: int, max_hops: int,
              weights: Weights | None, strong: float, include_inferred: bool) -> LeverageResult:
    if top < 1 or max_hops < 1:
        raise StakemapError("top and max_hops must be at least 1")
    if not 0 < strong <= 1:
        raise StakemapError("strong must be in (0, 1]")
    weights = weights or Weights.default()
    g = influence_graph(proj, weights, inferred=include_inferred)
    t = proj.position(target_id)
    own = own_sites(proj, t)
    # production companies are places and conduits of pressure (their workers, their buyers, their owners),
    # not actors that press: a factory or supplier ranks only as an owner of the target
    production = np.isin(proj.kind, [ACTOR_KINDS.index(ActorKind.FACILITY), ACTOR_KINDS.index(ActorKind.SUPPLIER)])
    production[owners_of(proj, t)] = False
    sites = np.nonzero(production)[0]
    sourcing, own_facilities = _sourcing(proj, t, own)
    buyers = _buyers(proj, t, sourcing, own_facilities)
    sources = list(dict.fromkeys(proj.position(a) for a in from_ids))
    if t in sources:
        raise StakemapError("the target is also on our side", hint="leave it out of --from")
    # Search only as far as the answer needs: costs up to a limit that grows until it covers the
    # top actors and the chokepoint margin (then every value below it is exact).
    limit = _first_limit(g, t)
    step = _STEP
    while True:
        pressure_layers = g.backward([t], max_hops, limit=limit)
        pressure = _weigh_buyers(g, pressure_layers, t, sourcing, buyers)
        if sources:
            reach_layers = g.forward(sources, max_hops, limit=limit)
            reach = reach_layers[-1]
            total = reach + pressure
        else:
            reach_layers = None
            reach = np.zeros(g.n)
            total = pressure.copy()
        candidates = total.copy()
        candidates[t] = np.inf
        candidates[sources] = np.inf
        candidates[own] = np.inf
        candidates[sites] = np.inf
        candidates[~proj.active] = np.inf
        covered = candidates <= limit
        best_seen = float(np.min(total if sources else candidates))
        if not math.isfinite(limit) or (covered.sum() >= top and limit >= best_seen + _margin(strong)):
            break
        grow = limit + step
        if math.isfinite(best_seen):
            grow = max(grow if covered.sum() < top else limit, best_seen + _margin(strong) + 0.5)
        limit = grow if grow < _GIVE_UP else math.inf
        step *= 1.5
    ranked = _top(candidates, top, proj)

    entries: list[LeverageEntry] = []
    pressure_paths = [walk_back(pressure_layers, g.indptr, g.nbr, g.cost, x)[::-1] for x in ranked]
    reach_paths = [walk_back(reach_layers, g.rindptr, g.rnbr, g.rcost, x) if reach_layers is not None else None
                   for x in ranked]
    explained = _explain(proj, g, [(0.0, p, _arcs(g, p)) for p in pressure_paths]
                         + [(0.0, p, _arcs(g, p)) for p in reach_paths if p is not None])
    pressure_explained = explained[: len(ranked)]
    reach_explained = iter(explained[len(ranked):])
    for x, ppath, rpath, pexp in zip(ranked, pressure_paths, reach_paths, pressure_explained):
        first = g.link[_arcs(g, ppath)[0]]
        sphere = LINK_SPECS[LINK_KINDS[proj.link_kind[first]]].sphere.value
        entries.append(LeverageEntry(
            actor=proj.actor_ref(x), score=math.exp(-total[x]), reach=math.exp(-reach[x]),
            pressure=math.exp(-pressure[x]), sphere=sphere,
            actor_sphere=ACTOR_SPECS[proj.actor_kind(x)].sphere.value,
            reach_path=next(reach_explained) if rpath is not None else None, pressure_path=pexp,
        ))

    if sources:
        strong_from = sources
        hops = 2 * max_hops
        best_total = float(np.min(total))
        best_walk = None
        if math.isfinite(best_total):
            x = int(np.argmin(total))
            head = walk_back(reach_layers, g.rindptr, g.rnbr, g.rcost, x)
            tail = walk_back(pressure_layers, g.indptr, g.nbr, g.cost, x)[::-1]
            best_walk = head + tail[1:]
    else:
        strong_from = list(ranked)
        hops = max_hops
        best_total = float(min((pressure[x] for x in ranked), default=np.inf))
        best_walk = pressure_paths[0] if ranked else None
    chokepoints = _chokepoints(proj, g, strong_from, t, hops, best_total, best_walk, strong, pressure_layers)
    return LeverageResult(
        target=proj.actor_ref(t), sources=[proj.actor_ref(a) for a in sources], leverage=entries,
        chokepoints=chokepoints, best_strength=math.exp(-best_total) if math.isfinite(best_total) else 0.0,
        max_hops=max_hops, strong=strong, weights=weights.describe(), without=list(proj.removed),
        include_inferred=include_inferred, own=[str(proj.actor_ids[i]) for i in own],
        notes=[note] if (note := _buyers_note(proj, t, buyers)) else [],
    )


def owners_of(proj: Projection, t: int) -> list[int]:
    """Positions of who owns or operates actor ``t``, directly or through each other.

    >>> from graphmodel.models import Actor, Link
    >>> proj = Projection.from_records([Actor(id=i, kind=k, name=i) for i, k in (("grp", "supplier"),
    ...     ("sub", "supplier"), ("f1", "facility"))],
    ...     [Link(kind="owns", source="grp", target="sub"), Link(kind="operates", source="sub", target="f1")])
    >>> sorted(proj.actor_ids[i] for i in owners_of(proj, proj.position("f1")))
    ['grp', 'sub']
    """
    return _holding(proj, t, up=True)


def own_sites(proj: Projection, t: int) -> list[int]:
    """Positions of what actor ``t`` owns or operates, directly or through what it owns or operates.

    >>> from graphmodel.models import Actor, Link
    >>> proj = Projection.from_records([Actor(id=i, kind=k, name=i) for i, k in (("grp", "supplier"),
    ...     ("sub", "supplier"), ("f1", "facility"), ("nike", "brand"))],
    ...     [Link(kind="owns", source="grp", target="sub"), Link(kind="operates", source="sub", target="f1"),
    ...      Link(kind="sources_from", source="nike", target="f1")])
    >>> sorted(proj.actor_ids[i] for i in own_sites(proj, proj.position("grp")))
    ['f1', 'sub']
    """
    return _holding(proj, t, up=False)


def buyers_of(proj: Projection, t: int, own: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """Who sources from actor ``t`` or its sites: each buyer's position with (sites it sources from, sites).

    A buyer sourcing from ``t`` itself sources from all of it; so does every buyer of an actor with no
    sites of its own.

    >>> from graphmodel.models import Actor, Link
    >>> proj = Projection.from_records([Actor(id=i, kind=k, name=i) for i, k in (("grp", "supplier"),
    ...     ("f1", "facility"), ("f2", "facility"), ("nike", "brand"), ("puma", "brand"))],
    ...     [Link(kind="operates", source="grp", target=f) for f in ("f1", "f2")]
    ...     + [Link(kind="sources_from", source="nike", target=f) for f in ("f1", "f2")]
    ...     + [Link(kind="sources_from", source="puma", target="f2")])
    >>> {proj.actor_ids[b]: n for b, n in buyers_of(proj, proj.position("grp")).items()}
    {'nike': (2, 2), 'puma': (1, 2)}
    """
    own = own_sites(proj, t) if own is None else own
    return _buyers(proj, t, *_sourcing(proj, t, own))


def _buyers(proj: Projection, t: int, links: np.ndarray, sites: np.ndarray) -> dict[int, tuple[int, int]]:
    buyer, seller = proj.src[links], proj.dst[links]
    whole = int(sites.sum()) or 1
    direct = np.zeros(proj.n_actors, dtype=bool)
    direct[buyer[(seller == t) | (not sites.any())]] = True
    pairs = np.unique(buyer.astype(np.int64) * proj.n_actors + seller)
    at_sites = np.bincount(pairs[sites[pairs % proj.n_actors]] // proj.n_actors, minlength=proj.n_actors)
    return {int(b): (whole if direct[b] else int(at_sites[b]) or whole, whole) for b in np.unique(buyer)}


def _sourcing(proj: Projection, t: int, own: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The sourcing links into ``t`` or what it owns (a mask over links), and its sites (a mask over
    actors: the facilities it owns or operates, else everything it owns or operates)."""
    holds = np.zeros(proj.n_actors, dtype=bool)
    holds[own] = True
    sites = holds & (proj.kind == ACTOR_KINDS.index(ActorKind.FACILITY))
    if not sites.any():
        sites = holds.copy()
    holds[t] = True
    links = (proj.link_kind == LINK_KINDS.index(LinkKind.SOURCES_FROM)) & holds[proj.dst]
    links &= proj.active[proj.src] & proj.active[proj.dst]
    return links, sites


def _weigh_buyers(g: InfluenceGraph, layers: list[np.ndarray], t: int, links: np.ndarray,
                  buyers: dict[int, tuple[int, int]]) -> np.ndarray:
    """Pressure costs with each buyer whose pressure runs through the target's sites weighted by the
    share of those sites it sources from (a buyer of 1 site of 14 presses a fourteenth as hard)."""
    pressure = layers[-1].copy()
    part = [(b, mine, whole) for b, (mine, whole) in buyers.items() if mine < whole and np.isfinite(pressure[b])]
    if not part:
        return pressure
    who = np.array([b for b, _, _ in part])
    share = np.array([mine / whole for _, mine, whole in part])
    # each such buyer's arcs (rows of the graph), and among them its sourcing arcs into the target's sites
    counts = g.indptr[who + 1] - g.indptr[who]
    arcs = np.repeat(g.indptr[who] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    owner = np.repeat(np.arange(len(who)), counts)
    into = links[g.link[arcs]] & g.along[arcs] & (g.nbr[arcs] != t)
    via = np.full(len(who), np.inf)
    np.minimum.at(via, owner[into], g.cost[arcs[into]] + pressure[g.nbr[arcs[into]]])
    through = via <= pressure[who] + 1e-9  # its strongest pressure runs through one of the sites
    pressure[who[through]] -= np.log(share[through])
    return pressure


def _buyers_note(proj: Projection, t: int, buyers: dict[int, tuple[int, int]]) -> str | None:
    whole = next(iter(buyers.values()))[1] if buyers else 0
    if whole < 2:
        return None
    ranked = sorted(buyers.items(), key=lambda kv: (-kv[1][0], str(proj.actor_ids[kv[0]])))
    listed = ", ".join(f"{proj.actor_ref(b)['name']} {mine} of {whole}" for b, (mine, _) in ranked[:6])
    more = f" and {len(ranked) - 6} more" if len(ranked) > 6 else ""
    return (f"Buyers are weighted by how many of {proj.actor_ref(t)['name']}'s {whole} sites they source from: "
            f"{listed}{more}.")


def _holding(proj: Projection, t: int, up: bool) -> list[int]:
    holding = np.isin(proj.link_kind, [LINK_KINDS.index(LinkKind.OWNS), LINK_KINDS.index(LinkKind.OPERATES)])
    src, dst = (proj.dst[holding], proj.src[holding]) if up else (proj.src[holding], proj.dst[holding])
    seen = {t}
    frontier = [t]
    while frontier:
        nxt = [int(d) for d in dst[np.isin(src, frontier)] if int(d) not in seen]
        seen.update(nxt)
        frontier = nxt
    seen.discard(t)
    return sorted(seen)


def _first_limit(g: InfluenceGraph, t: int) -> float:
    """A first cost limit: the cheapest arc into the target plus two steps."""
    lo, hi = g.rindptr[t], g.rindptr[t + 1]
    return float(g.rcost[lo:hi].min()) + 2 * _STEP if hi > lo else math.inf


def _margin(strong: float) -> float:
    """How far below the best the chokepoint search looks (see :func:`_chokepoints`)."""
    return -math.log(strong) + _WIDE + 1e-9


def _top(cost: np.ndarray, top: int, proj: Projection) -> list[int]:
    finite = np.nonzero(np.isfinite(cost))[0]
    if len(finite) > top * 4:
        cut = np.partition(cost[finite], top - 1)[top - 1]
        finite = finite[cost[finite] <= cut]
    ids = pick(proj.actor_ids, finite)  # only these are decoded, not the whole column
    order = sorted(range(len(finite)), key=lambda i: (round(float(cost[finite[i]]), 12), ids[i]))
    return [int(finite[i]) for i in order[:top]]


def _arcs(g: InfluenceGraph, nodes: list[int]) -> list[int]:
    return [g.arc_index(u, v) for u, v in zip(nodes, nodes[1:])]


def _chokepoints(proj: Projection, g: InfluenceGraph, sources: list[int], t: int, hops: int, best: float,
                 walk: list[int] | None, strong: float, pressure: np.ndarray) -> list[dict[str, Any]]:
    """Actors on the strongest path without which no strong path (>= ``strong`` x best) is left.

    Each test is a search from the sources with the actor blocked, pruned by the
    least cost to the target (unblocked, by hops left): only near-strong walks are explored.
    """
    if walk is None or not math.isfinite(best) or not sources:
        return []
    limit = best - math.log(strong) + 1e-12
    wide = limit + _WIDE
    to_target = _extend(g, pressure, hops, wide)
    excluded = set(sources) | {t}
    out = []
    for c in dict.fromkeys(walk):
        if c in excluded:
            continue
        blocked = np.zeros(g.n, dtype=bool)
        blocked[c] = True
        layers = g.forward(sources, hops, limit=limit, blocked=blocked, bound=to_target)
        if not layers[-1, t] <= limit:
            without = g.forward(sources, hops, limit=wide, blocked=blocked,
                                 bound=to_target)[-1, t]
            out.append({"actor": proj.actor_ref(c),
                        "best_strength_without": math.exp(-without) if math.isfinite(without) else 0.0})
    return out


def _extend(g: InfluenceGraph, pressure: np.ndarray, hops: int, limit: float) -> np.ndarray:
    """Least cost to the target by hops left, up to ``hops``, continuing the pressure layers (costs
    above ``limit`` dropped)."""
    have = pressure.shape[0] - 1
    if hops <= have:
        return pressure[: hops + 1]
    last = pressure[-1]
    start = np.flatnonzero(last <= limit)
    more = g.backward(start, hops - have, limit=limit, source_cost=last[start])
    return np.vstack([pressure, more[1:]])
