"""Brokerage: who bridges which groups, and whose contacts are not otherwise connected.

Gould-Fernandez roles count, for each actor ``v``, the open two-paths
``a -> v -> b`` (``a`` and ``b`` distinct, no tie ``a -> b``) by the groups of
``a``, ``v`` and ``b`` (groups are actor kinds or countries):

============== ============ ==========================================================
role           groups       in words
============== ============ ==========================================================
coordinator    A -> A -> A  links members of its own group
consultant     A -> B -> A  links members of another group, from outside (itinerant)
gatekeeper     A -> B -> B  lets an outsider reach its own group
representative A -> A -> B  carries its own group's tie to an outsider
liaison        A -> B -> C  links two groups, belonging to neither
============== ============ ==========================================================

Ties follow the direction of the links (``partners_with`` and ``related_to``
count both ways); several links between two actors count once.

Burt's constraint and effective size are computed on the undirected ties, with
the same formulas as networkx's ``constraint`` and ``effective_size`` on an
unweighted graph: low constraint and high effective size mean an actor's
contacts are not connected to one another except through it.

All three rest on one listing of the triangles of the tie graph (each found
once, from its lowest-degree corner), so the whole map is analysed in one pass.

Examples
--------
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.analysis.projection import Projection
>>> actors = [Actor(id=i, kind=k, name=i) for i, k in
...           [("hm", "brand"), ("zara", "brand"), ("sup", "supplier"), ("u1", "union"), ("u2", "union")]]
>>> links = [Link(kind="sources_from", source="hm", target="sup"),
...          Link(kind="sources_from", source="zara", target="sup"),
...          Link(kind="represents_workers_at", source="u1", target="sup"),
...          Link(kind="partners_with", source="sup", target="u2")]
>>> result = brokerage(Projection.from_records(actors, links), by="kind")
>>> top = result.brokers[0]
>>> top.actor["id"], top.roles
('sup', {'coordinator': 0, 'consultant': 1, 'gatekeeper': 0, 'representative': 0, 'liaison': 2})
>>> top.sentence
'sup (supplier) is the only bridge from the brand group to the union group (2 of its 3 open two-paths).'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import StakemapError
from ..kinds import LinkKind
from ..values import country_name
from .projection import ACTOR_KINDS, LINK_KINDS, Projection

ROLES = ("coordinator", "consultant", "gatekeeper", "representative", "liaison")
COORDINATOR, CONSULTANT, GATEKEEPER, REPRESENTATIVE, LIAISON = range(5)
_UNDIRECTED = (LinkKind.PARTNERS_WITH, LinkKind.RELATED_TO)
_CHUNK = 2_000_000  # candidate triangles examined at once


@dataclass
class Broker:
    actor: dict[str, Any]
    group: str | None
    roles: dict[str, int]
    brokerage: int          # open two-paths across groups (all roles but coordinator)
    constraint: float | None
    effective_size: float | None
    degree: int
    sentence: str = ""
    bridges: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class BrokerageResult:
    by: str
    brokers: list[Broker]
    groups: dict[str, int]
    triangles: int
    ties: int
    scores: "BrokerageScores | None" = field(default=None, repr=False)
    without: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"by": self.by, "brokers": [b.as_dict() for b in self.brokers], "groups": self.groups,
                "ties": self.ties, "triangles": self.triangles, "without": self.without}

    def compare(self, before: "BrokerageResult") -> dict[str, Any]:
        """What changed from ``before`` (the whole map) to this result."""
        old = {b.actor["id"]: (rank, b.brokerage) for rank, b in enumerate(before.brokers, 1)}
        new = {b.actor["id"]: (rank, b.brokerage) for rank, b in enumerate(self.brokers, 1)}
        sole_before = {(b.actor["id"], x["from"], x["to"]) for b in before.brokers for x in b.bridges if x["only"]}
        sole_after = {(b.actor["id"], x["from"], x["to"]) for b in self.brokers for x in b.bridges if x["only"]}
        return {
            "left_top": [a for a in old if a not in new],
            "entered_top": [a for a in new if a not in old],
            "brokerage": {a: [old[a][1], new[a][1]] for a in new if a in old and old[a][1] != new[a][1]},
            "new_sole_bridges": sorted(sole_after - sole_before),
        }


@dataclass
class BrokerageScores:
    """Per-actor arrays for the whole map (positions as in the projection)."""

    roles: np.ndarray            # (n, 5) open two-paths by role
    constraint: np.ndarray       # nan for actors without ties
    effective_size: np.ndarray   # nan for actors without ties
    degree: np.ndarray           # undirected ties
    group: np.ndarray            # group code per actor
    group_names: list[str | None]
    triangles: int
    ties: int
    between: dict = field(default_factory=dict, repr=False)


def brokerage(proj: Projection, by: str = "kind", top: int = 10) -> BrokerageResult:
    """Gould-Fernandez roles, Burt's constraint and effective size; the top brokers explained.

    Parameters
    ----------
    proj : Projection
        The map.
    by : {"kind", "country"}
        What makes a group.
    top : int
        How many brokers to explain (most cross-group brokerage first).

    Returns
    -------
    BrokerageResult
    """
    scores = brokerage_scores(proj, by)
    across = scores.roles[:, 1:].sum(axis=1)
    order = np.lexsort((proj.actor_ids.astype(str), -scores.roles.sum(axis=1), -across))
    chosen = [int(i) for i in order[:top] if scores.roles[i].sum() > 0 and proj.active[i]]
    bridges = _bridges(proj, scores, chosen)
    brokers = []
    for i in chosen:
        roles = {name: int(scores.roles[i, r]) for r, name in enumerate(ROLES)}
        b = Broker(actor=proj.actor_ref(i), group=scores.group_names[int(scores.group[i])], roles=roles,
                   brokerage=int(across[i]), constraint=_num(scores.constraint[i]),
                   effective_size=_num(scores.effective_size[i]), degree=int(scores.degree[i]),
                   bridges=bridges.get(i, []))
        b.sentence = _sentence(proj, scores, i, b, by)
        brokers.append(b)
    counts = np.bincount(scores.group[proj.active], minlength=len(scores.group_names))
    groups = {str(scores.group_names[g]): int(c) for g, c in enumerate(counts) if c}
    return BrokerageResult(by=by, brokers=brokers, groups=groups, triangles=scores.triangles, ties=scores.ties,
                           scores=scores, without=list(proj.removed))


def brokerage_scores(proj: Projection, by: str = "kind") -> BrokerageScores:
    """Role counts, constraint and effective size of every actor (cached on the projection)."""
    if by not in ("kind", "country"):
        raise StakemapError(f"cannot group by {by!r}", hint="use --by kind or --by country")
    return proj.cached(("brokerage", by), lambda: _scores(proj, by))


def _groups(proj: Projection, by: str) -> tuple[np.ndarray, list[str | None]]:
    """Group code per actor; actors without a country share the last group (``None``)."""
    if by == "kind":
        return proj.kind.astype(np.int64), [k.value for k in ACTOR_KINDS]
    names: list[str | None] = [*proj.countries, None]
    return np.where(proj.country >= 0, proj.country, len(proj.countries)).astype(np.int64), names


def tie_arcs(proj: Projection) -> tuple[np.ndarray, np.ndarray]:
    """Directed ties (tail, head), one per ordered pair, sorted."""
    n = proj.n_actors
    both = np.isin(proj.link_kind, [LINK_KINDS.index(k) for k in _UNDIRECTED])
    tails = np.concatenate([proj.src, proj.dst[both]]).astype(np.int64)
    heads = np.concatenate([proj.dst, proj.src[both]]).astype(np.int64)
    keys = np.unique(tails * n + heads)
    return keys // n, keys % n


def _scores(proj: Projection, by: str) -> BrokerageScores:
    n = proj.n_actors
    group, names = _groups(proj, by)
    ngroups = len(names)
    tails, heads = tie_arcs(proj)

    # In- and out-neighbours by group; mutual ties by group.
    gkey = group
    G = ngroups
    in_by = np.bincount(heads * G + gkey[tails], minlength=n * G).reshape(n, G).astype(np.float64)
    out_by = np.bincount(tails * G + gkey[heads], minlength=n * G).reshape(n, G).astype(np.float64)
    # undirected ties, with which directions exist
    lo = np.minimum(tails, heads)
    hi = np.maximum(tails, heads)
    ukeys, inverse = np.unique(lo * n + hi, return_inverse=True)
    u_lo, u_hi = ukeys // n, ukeys % n
    fwd = np.zeros(len(ukeys), dtype=bool)   # lo -> hi
    bwd = np.zeros(len(ukeys), dtype=bool)   # hi -> lo
    fwd[inverse[tails < heads]] = True
    bwd[inverse[tails > heads]] = True
    mutual = fwd & bwd
    mut_by = (np.bincount(u_lo[mutual] * G + gkey[u_hi[mutual]], minlength=n * G)
              + np.bincount(u_hi[mutual] * G + gkey[u_lo[mutual]], minlength=n * G)).reshape(n, G)

    rows = np.arange(n)
    own = gkey
    i_own, o_own = in_by[rows, own], out_by[rows, own]
    i_all, o_all = in_by.sum(axis=1), out_by.sum(axis=1)
    same_other = (in_by * out_by).sum(axis=1) - i_own * o_own
    m_own = mut_by[rows, own]
    m_other = mut_by.sum(axis=1) - m_own
    roles = np.zeros((n, 5))
    roles[:, COORDINATOR] = i_own * o_own - m_own
    roles[:, CONSULTANT] = same_other - m_other
    roles[:, GATEKEEPER] = (i_all - i_own) * o_own
    roles[:, REPRESENTATIVE] = i_own * (o_all - o_own)
    roles[:, LIAISON] = (i_all - i_own) * (o_all - o_own) - same_other

    deg = np.bincount(u_lo, minlength=n) + np.bincount(u_hi, minlength=n)
    closed = np.zeros(n * 5)
    tri_at = np.zeros(n)
    edge_s = np.zeros(len(ukeys))
    inv_deg = np.divide(1.0, deg, out=np.zeros(n), where=deg > 0)
    count = 0
    for a, b, w, e_ab, e_bw, e_aw in _triangles(n, u_lo, u_hi, deg):
        count += len(a)
        for x in (a, b, w):
            tri_at += np.bincount(x, minlength=n)
        edge_s += np.bincount(e_ab, weights=inv_deg[w], minlength=len(ukeys))
        edge_s += np.bincount(e_bw, weights=inv_deg[a], minlength=len(ukeys))
        edge_s += np.bincount(e_aw, weights=inv_deg[b], minlength=len(ukeys))
        for v, x, y, role_key in _closed_two_paths(a, b, w, e_ab, e_bw, e_aw, u_lo, fwd, bwd, group):
            closed += np.bincount(v * 5 + role_key, minlength=n * 5)
    roles -= closed.reshape(n, 5)

    # Burt: constraint_i = sum_j (1 + S_ij)^2 / deg_i^2 ; effective size_i = deg_i - 2 t_i / deg_i
    sq = (1.0 + edge_s) ** 2
    c_sum = np.bincount(u_lo, weights=sq, minlength=n) + np.bincount(u_hi, weights=sq, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        constraint = np.where(deg > 0, c_sum / deg.astype(float) ** 2, np.nan)
        esize = np.where(deg > 0, deg - 2.0 * tri_at / deg, np.nan)
    return BrokerageScores(roles=np.rint(roles).astype(np.int64), constraint=constraint, effective_size=esize,
                           degree=deg, group=group, group_names=names, triangles=count, ties=len(ukeys))


def _triangles(n: int, u_lo: np.ndarray, u_hi: np.ndarray, deg: np.ndarray):
    """Yield triangles in chunks: corners ``a, b, w`` and the positions of edges ab, bw, aw.

    Each edge is oriented from its lower-ranked end (fewer ties) to the higher; a
    triangle is found once, as a -> b -> w with a -> w.
    """
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((np.arange(n), deg))] = np.arange(n)
    flip = rank[u_lo] > rank[u_hi]
    a_all = np.where(flip, u_hi, u_lo)
    b_all = np.where(flip, u_lo, u_hi)
    order = np.lexsort((rank[b_all], a_all))
    a_sorted, b_sorted = a_all[order], b_all[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(a_sorted, minlength=n), out=indptr[1:])
    keys = a_sorted * n + b_sorted
    key_order = np.argsort(keys, kind="stable")
    sorted_keys = keys[key_order]
    out_len = np.diff(indptr)
    work = out_len[b_sorted]
    start = 0
    m = len(a_sorted)
    while start < m:
        # take edges until about _CHUNK candidates
        cum = np.cumsum(work[start:])
        stop = start + max(1, int(np.searchsorted(cum, _CHUNK, side="right")))
        stop = min(stop, m)
        es = np.arange(start, stop)
        lens = out_len[b_sorted[es]]
        total = int(lens.sum())
        start = stop
        if total == 0:
            continue
        owner = np.repeat(es, lens)
        offs = np.repeat(indptr[b_sorted[es]] - np.concatenate(([0], np.cumsum(lens[:-1]))), lens) + np.arange(total)
        w = b_sorted[offs]
        a = a_sorted[owner]
        q = a * n + w
        pos = np.searchsorted(sorted_keys, q)
        pos[pos >= m] = m - 1
        hit = sorted_keys[pos] == q
        if not hit.any():
            continue
        yield (a[hit], b_sorted[owner[hit]], w[hit], order[owner[hit]], order[offs[hit]],
               order[key_order[pos[hit]]])


def _closed_two_paths(a, b, w, e_ab, e_bw, e_aw, u_lo, fwd, bwd, group):
    """For each triangle, the closed two-paths ``x -> v -> y`` (with ``x -> y``) and their roles at ``v``."""
    def arc(p, q, e):  # does p -> q exist, along undirected edge e?
        return np.where(u_lo[e] == p, fwd[e], bwd[e])

    nodes = {"a": a, "b": b, "w": w}
    edges = {frozenset("ab"): e_ab, frozenset("bw"): e_bw, frozenset("aw"): e_aw}
    for x, v, y in (("a", "b", "w"), ("w", "b", "a"), ("b", "a", "w"), ("w", "a", "b"), ("a", "w", "b"),
                    ("b", "w", "a")):
        px, pv, py = nodes[x], nodes[v], nodes[y]
        ok = (arc(px, pv, edges[frozenset(x + v)]) & arc(pv, py, edges[frozenset(v + y)])
              & arc(px, py, edges[frozenset(x + y)]))
        if ok.any():
            gx, gv, gy = group[px[ok]], group[pv[ok]], group[py[ok]]
            yield pv[ok], px[ok], py[ok], role_of(gx, gv, gy)


def role_of(gx: np.ndarray, gv: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """Gould-Fernandez role codes of two-paths ``x -> v -> y`` by the groups of ``x``, ``v`` and ``y``."""
    return np.select(
        [(gx == gv) & (gv == gy), (gx == gy) & (gx != gv), (gx != gv) & (gv == gy), (gx == gv) & (gv != gy)],
        [COORDINATOR, CONSULTANT, GATEKEEPER, REPRESENTATIVE], LIAISON)


def _bridges(proj: Projection, scores: BrokerageScores, chosen: list[int]) -> dict[int, list[dict[str, Any]]]:
    """For the chosen brokers: open two-paths by (from group, to group), and how many brokers each pair has."""
    if not chosen:
        return {}
    tails, heads = tie_arcs(proj)
    n = proj.n_actors
    G = len(scores.group_names)
    gkey = scores.group
    arc_keys = tails * n + heads  # sorted: tie_arcs returns them in order
    out: dict[int, list[dict[str, Any]]] = {}
    # per broker, count open two-paths by group pair directly (the chosen few)
    t_order = np.argsort(heads, kind="stable")
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(heads, minlength=n), out=in_ptr[1:])
    out_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=out_ptr[1:])
    in_nbrs = tails[t_order]
    for v in chosen:
        ins = in_nbrs[in_ptr[v]:in_ptr[v + 1]]
        outs = heads[out_ptr[v]:out_ptr[v + 1]]
        if len(ins) == 0 or len(outs) == 0:
            continue
        counts = np.zeros((G, G), dtype=np.int64)
        if len(ins) * len(outs) <= 4_000_000:
            xa = np.repeat(ins, len(outs))
            ya = np.tile(outs, len(ins))
            keep = xa != ya
            q = xa[keep] * n + ya[keep]
            pos = np.minimum(np.searchsorted(arc_keys, q), len(arc_keys) - 1)
            closed = arc_keys[pos] == q
            np.add.at(counts, (gkey[xa[keep][~closed]], gkey[ya[keep][~closed]]), 1)
        else:  # too many pairs to list: count all two-paths (closed ones included)
            counts += np.outer(np.bincount(gkey[ins], minlength=G), np.bincount(gkey[outs], minlength=G))
        gv = gkey[v]
        pairs = []
        for ga, gb in zip(*np.nonzero(counts)):
            if ga == gb:
                continue
            pairs.append((int(counts[ga, gb]), int(ga), int(gb)))
        pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
        rows = []
        for c, ga, gb in pairs[:5]:
            others = _brokers_between(scores, in_ptr, in_nbrs, out_ptr, heads, gkey, ga, gb, v)
            rows.append({"from": _gname(scores, ga), "to": _gname(scores, gb), "open_two_paths": c,
                         "other_brokers": others, "only": others == 0,
                         "own_group": "from" if ga == gv else "to" if gb == gv else None})
        out[v] = rows
    return out


def _brokers_between(scores, in_ptr, in_nbrs, out_ptr, heads, gkey, ga, gb, v) -> int:
    """How many other actors have a tie from group ``ga`` and a tie to group ``gb`` (possible brokers)."""
    key = (ga, gb)
    cache = scores.between
    if key not in cache:
        n = len(in_ptr) - 1
        tails_in = np.repeat(np.arange(n), np.diff(in_ptr))
        has_in = np.zeros(n, dtype=bool)
        has_in[tails_in[gkey[in_nbrs] == ga]] = True
        tails_out = np.repeat(np.arange(n), np.diff(out_ptr))
        has_out = np.zeros(n, dtype=bool)
        has_out[tails_out[gkey[heads] == gb]] = True
        cache[key] = has_in & has_out
    both = cache[key]
    return int(both.sum()) - int(both[v])


def _gname(scores: BrokerageScores, g: int) -> str | None:
    return scores.group_names[g]


def _label(name: str | None, by: str) -> str:
    if name is None:
        return "no-country"
    return country_name(name) if by == "country" else name.replace("_", " ")


def _sentence(proj: Projection, scores: BrokerageScores, i: int, b: Broker, by: str) -> str:
    """One plain sentence about a broker."""
    who = f"{proj.names[i]} ({_label(b.group, by)})"
    total = sum(b.roles.values())
    if b.bridges:
        first = b.bridges[0]
        a, z = _label(first["from"], by), _label(first["to"], by)
        others = first["other_brokers"]
        if first["only"]:
            text = f"{who} is the only bridge from the {a} group to the {z} group"
        else:
            text = (f"{who} bridges the {a} group to the {z} group, which {others} other"
                    f" actor{'s' if others != 1 else ''} also tie{'' if others != 1 else 's'}")
        text += f" ({first['open_two_paths']} of its {total} open two-paths)."
    else:
        main = max(b.roles, key=lambda r: b.roles[r])
        text = f"{who} links members of its own group ({b.roles[main]} open two-paths as {main})."
    if b.constraint is not None and b.constraint < 0.2 and b.degree >= 3:
        text += f" Low constraint ({b.constraint:.2f}): its {b.degree} contacts are seldom tied to one another."
    return text


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)
