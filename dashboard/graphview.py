"""Neighbourhoods small enough to draw, cut from an analysis projection.

The dashboard never draws the whole map. :func:`neighbourhood` walks out from
one or more actors over the links the filters keep, and stops growing a view
at ``cap`` actors: past ``fan`` neighbours of one actor (unless the user asked
to see them all), and past the cap, the rest are *aggregated* into one
"N more <kind>" placeholder per actor and kind, which the user can open.

:func:`radial_layout` places a view deterministically (so a shared URL draws
the same picture): the starting actors in the middle, each further ring one
hop out, every actor inside the angle of the actor it was reached from.
Actors expanded later are opened in place, on an arc around the expanded actor.

Everything here is pure: it reads a projection (already restricted to what the
viewer may see) and returns plain data.

Examples
--------
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.analysis import Projection
>>> proj = Projection.from_records(
...     [Actor(id=i, kind="union", name=i.upper()) for i in "abcde"],
...     [Link(kind="partners_with", source="a", target=x) for x in "bcd"]
...     + [Link(kind="partners_with", source="d", target="e")])
>>> view = neighbourhood(proj, ["a"], hops=1)
>>> sorted(view.nodes), view.hidden
(['a', 'b', 'c', 'd'], 0)
>>> view = neighbourhood(proj, ["a"], hops=1, fan=2)  # d has more links, so it is shown first
>>> sorted(view.nodes), [(g.parent, g.kind, g.count) for g in view.groups]
(['a', 'b', 'd'], [('a', 'union', 1)])
>>> sorted(neighbourhood(proj, ["a"], hops=1, expand=["d"]).nodes)
['a', 'b', 'c', 'd', 'e']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from graphmodel.analysis import Projection
from graphmodel.analysis.projection import ACTOR_KINDS, CONFIDENCES, LINK_KINDS, adjacency
from graphmodel.export.projected import actor_filter_mask
from graphmodel.export.selection import ActorFilter
from graphmodel.kinds import ActorKind, Confidence, LinkKind

#: Most actors one view shows.
VIEW_CAP = 1500
#: Most neighbours shown per actor before the rest are grouped into "+N" boxes (listed as a table when
#: clicked, drawn only when asked): a view that stays readable, never a starburst.
FAN = 16


@dataclass(frozen=True)
class Filters:
    """Which actors and links a view keeps (empty means no restriction)."""

    kinds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    link_kinds: tuple[str, ...] = ()
    confidence: tuple[str, ...] = ()
    as_of: int | None = None

    @property
    def key(self) -> tuple:
        return (self.kinds, self.countries, self.link_kinds, self.confidence, self.as_of)


@dataclass
class Group:
    """Neighbours of ``parent`` of one kind that the view does not show, counted."""

    parent: str
    kind: str
    count: int
    late: bool = False

    @property
    def id(self) -> str:
        return f"more:{self.parent}:{self.kind}"


@dataclass
class GraphView:
    """Actors (by id, with how they were reached), the links among them, and what was held back."""

    nodes: dict[str, dict]                     # id -> {"ref", "depth", "parent", "seed", "late"}
    links: list[dict]                          # link refs (projection facts) among the nodes
    groups: list[Group] = field(default_factory=list)
    order: list[str] = field(default_factory=list)   # ids in the order they were reached
    expanded: list[str] = field(default_factory=list)
    cap: int = VIEW_CAP

    @property
    def hidden(self) -> int:
        """How many neighbours were aggregated instead of shown."""
        return sum(g.count for g in self.groups)


# -- masks ---------------------------------------------------------------------------
def link_years(proj: Projection) -> tuple[np.ndarray, np.ndarray]:
    """First and last year of each link (0 when open), cached on the projection."""
    def build() -> tuple[np.ndarray, np.ndarray]:
        if hasattr(proj.start, "year_prefix"):  # a saved projection: read from its buffer
            return proj.start.year_prefix(), proj.end_year
        start = np.fromiter((int(s[:4]) if s else 0 for s in proj.start), dtype=np.int32, count=proj.n_links)
        return start, proj.end_year
    return proj.cached(("dashboard", "years"), build)


def year_range(proj: Projection) -> tuple[int, int] | None:
    """Earliest and latest year any link starts or ends in."""
    start, end = link_years(proj)
    years = np.concatenate([start[start > 0], end[end > 0]])
    return (int(years.min()), int(years.max())) if len(years) else None


def link_mask(proj: Projection, filters: Filters) -> np.ndarray:
    """Links the filters keep (kinds, confidence, valid in the ``as_of`` year)."""
    keep = np.ones(proj.n_links, dtype=bool)
    if filters.link_kinds:
        keep &= np.isin(proj.link_kind, [LINK_KINDS.index(LinkKind(k)) for k in filters.link_kinds])
    if filters.confidence:
        keep &= np.isin(proj.confidence, [CONFIDENCES.index(Confidence(c)) for c in filters.confidence])
    if filters.as_of is not None:
        start, end = link_years(proj)
        keep &= (start <= filters.as_of) & ((end == 0) | (end >= filters.as_of))
    return keep


def actor_mask(proj: Projection, filters: Filters) -> np.ndarray:
    """Actors the filters keep (and the viewer may see)."""
    wanted = ActorFilter(frozenset(ActorKind(k) for k in filters.kinds) or None, frozenset(filters.countries) or None)
    return proj.active & actor_filter_mask(proj, wanted)


def degrees(proj: Projection) -> np.ndarray:
    """Links per actor (cached)."""
    indptr = adjacency(proj)[0]  # outside the builder: the projection's cache lock is not re-entrant
    return proj.cached(("dashboard", "degree"), lambda: np.diff(indptr))


# -- walking out ------------------------------------------------------------------------
def neighbourhood(proj: Projection, seeds: Sequence[str], hops: int = 1, filters: Filters = Filters(),
                  expand: Iterable[str] = (), more: Iterable[str] = (), cap: int = VIEW_CAP,
                  fan: int = FAN) -> GraphView:
    """The actors within ``hops`` of ``seeds`` (then one hop around each of ``expand``), capped.

    Seeds and expanded actors the viewer cannot see are ignored. Actors in
    ``more`` show all their neighbours (up to the cap) instead of ``fan``.
    """
    indptr, nbr, via = adjacency(proj)
    lkeep = link_mask(proj, filters)
    akeep = actor_mask(proj, filters)
    deg = degrees(proj)
    full = set(more)
    nodes: dict[str, dict] = {}
    order: list[str] = []
    groups: list[Group] = []
    seen = np.zeros(proj.n_actors, dtype=bool)

    def add(i: int, depth: int, parent: str | None, seed: bool = False, late: bool = False) -> None:
        aid = proj.actor_ids[i]
        seen[i] = True
        nodes[aid] = {"ref": proj.actor_ref(i), "depth": depth, "parent": parent, "seed": seed, "late": late}
        order.append(aid)

    def grow(i: int, depth: int, late: bool = False) -> list[int]:
        """Add the unseen neighbours of actor ``i``; return the positions added."""
        lo, hi = indptr[i], indptr[i + 1]
        cand = nbr[lo:hi][lkeep[via[lo:hi]]]
        cand = np.unique(cand[akeep[cand] & ~seen[cand]])
        if len(cand) == 0:
            return []
        room = max(cap - len(nodes), 0)
        limit = min(room, len(cand) if proj.actor_ids[i] in full else fan)
        if len(cand) > limit:
            ranked = cand[np.lexsort((proj.actor_ids[cand].astype(str), -deg[cand]))]
            shown, rest = ranked[:limit], ranked[limit:]
            kinds, counts = np.unique(proj.kind[rest], return_counts=True)
            groups.extend(Group(proj.actor_ids[i], ACTOR_KINDS[k].value, int(c), late)
                          for k, c in zip(kinds, counts))
        else:
            shown = cand
        parent = proj.actor_ids[i]
        for j in shown.tolist():
            add(j, depth, parent, late=late)
        return shown.tolist()

    frontier = []
    for s in dict.fromkeys(seeds):
        i = proj.index.get(s)
        if i is not None and proj.active[i] and not seen[i]:
            add(i, 0, None, seed=True)
            frontier.append(i)
    for depth in range(1, hops + 1):
        nxt: list[int] = []
        for i in frontier:
            nxt += grow(i, depth)
        frontier = nxt
    expanded = []
    for e in dict.fromkeys(expand):
        i = proj.index.get(e)
        if i is None or not proj.active[i]:
            continue
        if not seen[i]:  # an expanded actor no longer reached (filters changed): skip it
            continue
        expanded.append(e)
        grow(i, nodes[e]["depth"] + 1, late=True)
    # links among the shown actors
    inview = seen
    keep = lkeep & inview[proj.src] & inview[proj.dst]
    links = [proj.link_ref(int(j)) for j in np.nonzero(keep)[0]]
    return GraphView(nodes=nodes, links=links, groups=groups, order=order, expanded=expanded, cap=cap)


def neighbours_of_kind(proj: Projection, actor_id: str, kind: str, filters: Filters = Filters(),
                       limit: int = 200) -> tuple[list[dict], int]:
    """The neighbours of one kind an actor has under ``filters``, best connected first (at most ``limit``),
    each with the kinds of link that join them; and how many there are in all.

    What a "+N" box stands for, listed as a table instead of drawn as a starburst.

    >>> from graphmodel.models import Actor, Link
    >>> from graphmodel.analysis import Projection
    >>> proj = Projection.from_records(
    ...     [Actor(id="nike", kind="brand", name="Nike")] + [Actor(id=f"f{i}", kind="facility", name=f"F{i}")
    ...                                                      for i in range(3)],
    ...     [Link(kind="sources_from", source="nike", target=f"f{i}") for i in range(3)])
    >>> rows, total = neighbours_of_kind(proj, "nike", "facility", limit=2)
    >>> [r["ref"]["id"] for r in rows], rows[0]["links"], total
    (['f0', 'f1'], ['sources_from'], 3)
    """
    i = proj.index.get(actor_id)
    if i is None or not proj.active[i]:
        return [], 0
    indptr, nbr, via = adjacency(proj)
    lo, hi = indptr[i], indptr[i + 1]
    keep = link_mask(proj, filters)[via[lo:hi]]
    cand, links = nbr[lo:hi][keep], via[lo:hi][keep]
    wanted = ACTOR_KINDS.index(ActorKind(kind))
    chosen = (proj.kind[cand] == wanted) & actor_mask(proj, filters)[cand]
    cand, links = cand[chosen], links[chosen]
    joined: dict[int, set[str]] = {}
    for j, lk in zip(cand.tolist(), links.tolist()):
        joined.setdefault(j, set()).add(LINK_KINDS[proj.link_kind[lk]].value)
    deg = degrees(proj)
    ranked = sorted(joined, key=lambda j: (-int(deg[j]), str(proj.actor_ids[j])))
    return ([{"ref": proj.actor_ref(j), "links": sorted(joined[j]), "degree": int(deg[j])} for j in ranked[:limit]],
            len(ranked))


# -- placing ------------------------------------------------------------------------------
SPACING = 46.0   # px along a ring between two actors
RING = 190.0     # px between rings


def radial_layout(view: GraphView) -> dict[str, tuple[float, float]]:
    """Positions for every actor and group of ``view`` (deterministic).

    >>> v = GraphView(nodes={"a": {"depth": 0, "parent": None, "seed": True},
    ...                      "b": {"depth": 1, "parent": "a", "seed": False}}, links=[], order=["a", "b"])
    >>> pos = radial_layout(v)
    >>> pos["a"], round(math.hypot(*pos["b"]))
    ((0.0, 0.0), 190)
    """
    children: dict[str | None, list[str]] = {}
    late: dict[str, list[str]] = {}
    depth_of: dict[str, int] = {}
    for aid in view.order:
        node = view.nodes[aid]
        depth_of[aid] = node["depth"]
        (late if node.get("late") else children).setdefault(node["parent"], []).append(aid)
    for g in view.groups:
        depth_of[g.id] = depth_of.get(g.parent, 0) + 1
        (late if g.late else children).setdefault(g.parent, []).append(g.id)

    # ring radii: wide enough for the actors on each ring
    per_ring: dict[int, int] = {}
    for parent, kids in children.items():
        for k in kids:
            per_ring[depth_of[k]] = per_ring.get(depth_of[k], 0) + 1
    roots = children.get(None, [])
    radius = {0: 0.0 if len(roots) <= 1 else max(RING * 0.6, len(roots) * SPACING / (2 * math.pi))}
    for d in range(1, max(per_ring, default=0) + 1):
        radius[d] = max(radius[d - 1] + RING, per_ring.get(d, 0) * SPACING / (2 * math.pi))

    leaves: dict[str, int] = {}

    def weight(aid: str) -> int:
        if aid not in leaves:
            leaves[aid] = max(1, sum(weight(k) for k in children.get(aid, [])))
        return leaves[aid]

    pos: dict[str, tuple[float, float]] = {}

    def place(ids: list[str], lo: float, hi: float) -> None:
        total = sum(weight(a) for a in ids) or 1
        start = lo
        for aid in ids:
            span = (hi - lo) * weight(aid) / total
            angle = start + span / 2
            r = radius.get(depth_of[aid], 0.0)
            pos[aid] = (r * math.cos(angle), r * math.sin(angle))
            place(children.get(aid, []), start, start + span)
            start += span

    if len(roots) == 1:
        pos[roots[0]] = (0.0, 0.0)
        place(children.get(roots[0], []), 0.0, 2 * math.pi)
    else:
        place(roots, 0.0, 2 * math.pi)
    # actors opened in place: an arc around the expanded actor, facing away from the middle
    for parent in [p for p in view.expanded if p in late]:
        ids = late[parent]
        px, py = pos.get(parent, (0.0, 0.0))
        facing = math.atan2(py, px) if (px or py) else 0.0
        r = max(RING * 0.8, len(ids) * SPACING / math.pi)
        spread = min(math.pi * 1.2, max(math.pi / 3, len(ids) * SPACING / r))
        for k, aid in enumerate(ids):
            angle = facing - spread / 2 + spread * (k + 0.5) / len(ids)
            pos[aid] = (px + r * math.cos(angle), py + r * math.sin(angle))
    for key, (x, y) in pos.items():
        pos[key] = (round(x, 1) + 0.0, round(y, 1) + 0.0)
    return pos
