"""Programme coverage: what a funder's money reaches, and how much of it.

Money moves along four kinds of step, each allowed only from actors that hold
the funder's money (:data:`MOVES`):

* ``funds``: a grant, funder to recipient (re-granting: donor -> GUF -> affiliate);
* ``implements`` forwards: an organisation holding the money to a programme it runs;
* ``implements`` backwards: a funded programme to the organisations that run it
  (not from an organisation that got the money as an implementer to its other programmes);
* ``supports``: an organisation holding the money to those it supports with it (a
  federation funded for a migration project that supports a local union reaches that
  union). Support is not money: a supported actor passes nothing on.

Shares (no double counting). Each actor holding a share ``x`` of the funder's
money passes it on and keeps the rest:

* a step with a known amount (in the actor's budget currency) passes
  ``x * amount / budget``, where the budget is the actor's known income (what
  all its funders give it) or, when unknown, its known spending;
* what is left is split equally among the steps without an amount and the
  actor itself (the funder keeps nothing: the whole of its money is what it gives);
* money goes only to actors not reached at an earlier step (breadth-first);
  money that would go back to an actor already reached stays with the sender.
  Such an actor still counts as reached, and what it reaches in its new role
  (say, as a programme's implementer) too, possibly with a share of 0.

So what every actor keeps adds up to the whole of the funder's money, and
country, sector and kind totals add up to 1. ``share`` of an actor is what
reaches it (including what it passes on); ``kept`` is what stays with it.

Examples
--------
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.analysis.projection import Projection
>>> actors = [Actor(id="fnv", kind="sso", name="FNV", country="NL"),
...           Actor(id="bwi", kind="guf", name="BWI", country="CH"),
...           Actor(id="ncwu", kind="union", name="NCWU", country="HK"),
...           Actor(id="mtuc", kind="national_centre", name="MTUC", country="MY")]
>>> links = [Link(kind="funds", source="fnv", target="bwi", amount=300, currency="EUR"),
...          Link(kind="funds", source="fnv", target="mtuc", amount=100, currency="EUR"),
...          Link(kind="supports", source="bwi", target="ncwu")]
>>> result = coverage(Projection.from_records(actors, links), "fnv")
>>> [(r["actor"]["id"], r["share"], r["kept"]) for r in result.reached]
[('bwi', 0.75, 0.375), ('ncwu', 0.375, 0.375), ('mtuc', 0.25, 0.25)]
>>> [(c["country"], c["share"]) for c in result.countries]
[('CH', 0.375), ('HK', 0.375), ('MY', 0.25)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import StakemapError
from ..kinds import LinkKind
from .columns import TupleMap, pick
from .context import ContextTable
from .projection import ACTOR_KINDS, LINK_KINDS, Projection
from .search import gather

# Steps money takes (codes), and the states an actor can hold the money in.
FUNDS, SUPPORTS, IMPLEMENTS_OUT, IMPLEMENTS_IN = 0, 1, 2, 3
STEP_NAMES = ("funds", "supports", "implements", "implemented by")
HOLDS, RUNS, IMPLEMENTER, SUPPORTED = 0, 1, 2, 3
N_STATES = 4
#: For each state, the steps allowed from it; SUPPORTED passes nothing on.
MOVES: dict[int, frozenset[int]] = {
    HOLDS: frozenset({FUNDS, SUPPORTS, IMPLEMENTS_OUT, IMPLEMENTS_IN}),
    RUNS: frozenset({FUNDS, SUPPORTS, IMPLEMENTS_IN}),
    IMPLEMENTER: frozenset({FUNDS, SUPPORTS}),
    SUPPORTED: frozenset(),
}
#: The state a step leads to.
NEXT_STATE = {FUNDS: HOLDS, SUPPORTS: SUPPORTED, IMPLEMENTS_OUT: RUNS, IMPLEMENTS_IN: IMPLEMENTER}
_ALLOWED = np.zeros((N_STATES, 4), dtype=bool)
for _state, _steps in MOVES.items():
    for _step in _steps:
        _ALLOWED[_state, _step] = True
_NEXT = np.array([NEXT_STATE[s] for s in range(4)], dtype=np.int64)


@dataclass(eq=False)
class MoneyGraph:
    """The steps money can take, grouped by the actor they leave, and each actor's budget."""

    indptr: np.ndarray
    nbr: np.ndarray
    step: np.ndarray
    amount: np.ndarray      # amount in the tail's budget currency; nan when unknown or another currency
    link: np.ndarray
    income: np.ndarray      # known income in the budget currency (0 when unknown)
    budget_currency: np.ndarray
    funds_in_indptr: np.ndarray  # funds links grouped by recipient (for overlaps and dependence)
    funds_in_src: np.ndarray
    funds_in_link: np.ndarray


def money_graph(proj: Projection) -> MoneyGraph:
    """The money steps of ``proj`` (cached on the projection)."""
    return proj.cached(("money",), lambda: _build_money(proj))


def _build_money(proj: Projection) -> MoneyGraph:
    n = proj.n_actors
    kind = proj.link_kind
    funds = kind == LINK_KINDS.index(LinkKind.FUNDS)
    supports = kind == LINK_KINDS.index(LinkKind.SUPPORTS)
    implements = kind == LINK_KINDS.index(LinkKind.IMPLEMENTS)
    links = np.arange(proj.n_links, dtype=np.int64)
    parts = [
        (proj.src[funds], proj.dst[funds], FUNDS, links[funds]),
        (proj.src[supports], proj.dst[supports], SUPPORTS, links[supports]),
        (proj.src[implements], proj.dst[implements], IMPLEMENTS_OUT, links[implements]),
        (proj.dst[implements], proj.src[implements], IMPLEMENTS_IN, links[implements]),
    ]
    tails = np.concatenate([p[0] for p in parts]).astype(np.int64)
    heads = np.concatenate([p[1] for p in parts]).astype(np.int64)
    steps = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int8) for p in parts])
    link = np.concatenate([p[3] for p in parts])

    # Budget currency: the currency of an actor's largest known income, else of its largest known spending.
    ncur = max(len(proj.currencies), 1)
    has_amount = ~np.isnan(proj.amount) & (proj.currency >= 0)
    income = np.zeros(n)
    budget_cur = np.full(n, -1, dtype=np.int64)
    for who, mask in ((proj.src, has_amount & (funds | implements)), (proj.dst, has_amount & funds)):
        key = who[mask].astype(np.int64) * ncur + proj.currency[mask]
        totals = np.bincount(key, weights=proj.amount[mask], minlength=n * ncur).reshape(n, ncur)
        best = totals.argmax(axis=1)
        have = totals.max(axis=1) > 0
        budget_cur[have] = best[have]  # the income pass runs second and wins
        if who is proj.dst:
            income = np.where(have, totals[np.arange(n), best], 0.0)
    amount = np.full(len(link), np.nan)
    ok = has_amount[link] & (steps != SUPPORTS)
    ok &= proj.currency[link] == budget_cur[tails]
    amount[ok] = proj.amount[link[ok]]

    order = np.argsort(tails, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=indptr[1:])
    fin = np.nonzero(funds)[0]
    forder = fin[np.argsort(proj.dst[fin], kind="stable")]
    findptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(proj.dst[fin], minlength=n), out=findptr[1:])
    return MoneyGraph(indptr=indptr, nbr=heads[order], step=steps[order], amount=amount[order], link=link[order],
                      income=income, budget_currency=budget_cur, funds_in_indptr=findptr,
                      funds_in_src=proj.src[forder].astype(np.int64), funds_in_link=forder)


@dataclass
class Flow:
    """The raw outcome of :func:`flow`: per actor, what reaches it and what it keeps."""

    inflow: np.ndarray            # per actor
    kept: np.ndarray              # per actor
    pairs: np.ndarray             # reached (actor * 4 + state), in the order reached
    pair_flow: np.ndarray
    pair_parent: np.ndarray       # parent pair, -1 for the funder
    pair_link: np.ndarray         # link carrying it there, -1 for the funder
    pair_step: np.ndarray
    pair_depth: np.ndarray


def flow(proj: Projection, funder: int, max_hops: int = 6) -> Flow:
    """Spread the funder's money along the money steps (see the module notes)."""
    mg = money_graph(proj)
    n = proj.n_actors
    seen = np.zeros(n * N_STATES, dtype=bool)
    start = funder * N_STATES + HOLDS
    seen[start] = True
    lookup = np.zeros(n * N_STATES, dtype=np.int64)
    pending = np.zeros(n * N_STATES, dtype=bool)
    node_seen = np.zeros(n, dtype=bool)
    node_seen[funder] = True
    inflow = np.zeros(n)
    kept = np.zeros(n)
    pairs_out = [np.array([start])]
    flow_out = [np.array([1.0])]
    parent_out = [np.array([-1])]
    link_out = [np.array([-1])]
    step_out = [np.array([-1])]
    depth_out = [np.array([0])]
    frontier = np.array([start], dtype=np.int64)
    fflow = np.array([1.0])
    inflow[funder] = 1.0
    for depth in range(1, max_hops + 1):
        nodes = frontier // N_STATES
        states = frontier % N_STATES
        arcs, owner = gather(mg.indptr, nodes, np.arange(len(frontier)))
        allowed = _ALLOWED[states[owner], mg.step[arcs]]
        heads = mg.nbr[arcs]
        allowed &= heads != funder
        arcs, owner, heads = arcs[allowed], owner[allowed], heads[allowed]
        if len(arcs) == 0:
            kept_here = fflow
            np.add.at(kept, nodes, kept_here)
            frontier = frontier[:0]
            break
        frac = _fractions(mg, arcs, owner, len(frontier), nodes, is_funder=(depth == 1))
        target = heads * N_STATES + _NEXT[mg.step[arcs]]
        new = ~seen[target]
        fresh = new & ~node_seen[heads]  # money goes only to actors not reached before
        passed = np.where(fresh, fflow[owner] * frac, 0.0)
        sent = np.bincount(owner, weights=passed, minlength=len(frontier))
        np.add.at(kept, nodes, fflow - sent)
        if not new.any():
            frontier = frontier[:0]
            break
        t_new = target[new]
        pending[t_new] = True
        uniq = np.flatnonzero(pending)
        pending[uniq] = False
        lookup[uniq] = np.arange(len(uniq))
        inv = lookup[t_new]
        got = np.bincount(inv, weights=passed[new], minlength=len(uniq))
        # parent: the arc bringing the most money (first on ties)
        passed_new = passed[new]
        most = np.zeros(len(uniq))
        np.maximum.at(most, inv, passed_new)
        best = np.flatnonzero(passed_new == most[inv])
        firsts = np.full(len(uniq), len(passed_new), dtype=np.int64)
        np.minimum.at(firsts, inv[best], best)
        seen[uniq] = True
        node_seen[uniq // N_STATES] = True
        pairs_out.append(uniq)
        flow_out.append(got)
        parent_out.append(frontier[owner[new][firsts]])
        link_out.append(mg.link[arcs[new][firsts]])
        step_out.append(mg.step[arcs[new][firsts]].astype(np.int64))
        depth_out.append(np.full(len(uniq), depth))
        np.add.at(inflow, uniq // N_STATES, got)
        frontier, fflow = uniq, got
    if len(frontier):
        np.add.at(kept, frontier // N_STATES, fflow)
    return Flow(inflow=inflow, kept=kept, pairs=np.concatenate(pairs_out), pair_flow=np.concatenate(flow_out),
                pair_parent=np.concatenate(parent_out), pair_link=np.concatenate(link_out),
                pair_step=np.concatenate(step_out), pair_depth=np.concatenate(depth_out))


def _fractions(mg: MoneyGraph, arcs: np.ndarray, owner: np.ndarray, m: int, nodes: np.ndarray,
               is_funder: bool) -> np.ndarray:
    """The share of its holder's money each step passes on (see the module notes)."""
    amount = mg.amount[arcs]
    known = ~np.isnan(amount)
    a = np.where(known, amount, 0.0)
    total = np.bincount(owner, weights=a, minlength=m)
    n_known = np.bincount(owner, weights=known, minlength=m)
    n_unknown = np.bincount(owner, weights=~known, minlength=m)
    mean = np.divide(total, n_known, out=np.zeros(m), where=n_known > 0)
    self_count = 0.0 if is_funder else 1.0
    income = mg.income[nodes]
    use_income = (income > 0) & (not is_funder)
    budget = np.where(use_income, income, total + mean * (n_unknown + self_count))
    budget = np.maximum(budget, total)
    frac_known = np.divide(a, budget[owner], out=np.zeros(len(a)), where=budget[owner] > 0)
    residual = 1.0 - np.divide(total, budget, out=np.zeros(m), where=budget > 0)
    slots = n_unknown + self_count
    each = np.divide(residual, slots, out=np.zeros(m), where=slots > 0)
    return np.where(known, frac_known, each[owner])


@dataclass
class CoverageResult:
    """What a funder's money reaches. ``as_dict`` gives the JSON shape of ``stakemap coverage``."""

    funder: dict[str, Any]
    reached: list[dict[str, Any]]
    countries: list[dict[str, Any]]
    sectors: list[dict[str, Any]]
    kinds: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    overlaps: list[dict[str, Any]]
    dependence: list[dict[str, Any]]
    amounts_known: float
    max_hops: int
    n_reached: int = 0
    context: dict[str, Any] | None = None
    without: list[str] = field(default_factory=list)

    @property
    def unlocated_share(self) -> float:
        """The share of the money (or of the reach, where amounts are unknown) that reaches no actor with an
        identifiable country."""
        return _r(sum(c["share"] for c in self.countries if not c["country"]))

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "unlocated_share": self.unlocated_share}

    def compare(self, before: "CoverageResult") -> dict[str, Any]:
        """What changed from ``before`` (the same funder on the whole map) to this result."""
        old = {r["actor"]["id"]: r["share"] for r in before.reached}
        new = {r["actor"]["id"]: r["share"] for r in self.reached}
        oc = {c["country"]: c["share"] for c in before.countries}
        nc = {c["country"]: c["share"] for c in self.countries}
        return {
            "actors_lost": [a for a in old if a not in new],
            "actors_gained": [a for a in new if a not in old],
            "countries_lost": [c for c in oc if c not in nc],
            "country_shares": {c: [oc.get(c, 0.0), nc.get(c, 0.0)]
                               for c in sorted(oc.keys() | nc.keys(), key=lambda x: x or "")
                               if abs(oc.get(c, 0.0) - nc.get(c, 0.0)) > 1e-9},
        }


def coverage(proj: Projection, funder_id: str, context: ContextTable | None = None, max_hops: int = 6,
             limit_actors: int | None = None, group_actors: int | None = 50) -> CoverageResult:
    """Where ``funder_id``'s money goes: actors, countries, sectors and kinds, gaps, overlaps, dependence.

    Parameters
    ----------
    proj : Projection
        The map.
    funder_id : str
        The funder's actor id.
    context : ContextTable, optional
        A figure per country (see :func:`.context.read_context`) to find gaps against.
    max_hops : int
        Most steps from the funder.
    limit_actors : int, optional
        List at most this many reached actors (largest share first); totals count them all.
    group_actors : int, optional
        List at most this many actors per country, sector or kind, and at most this many
        overlapping funders (``None``: all); ``n_actors`` counts them all.

    Returns
    -------
    CoverageResult
    """
    if max_hops < 1:
        raise StakemapError("max_hops must be at least 1")
    f = proj.position(funder_id)
    fl = flow(proj, f, max_hops)
    mg = money_graph(proj)
    pair_nodes = fl.pairs // N_STATES
    mask = np.zeros(proj.n_actors, dtype=bool)
    mask[pair_nodes] = True
    mask[f] = False
    reached_nodes = np.flatnonzero(mask)
    # the pair that brought each actor the most money gives its path (the first on ties)
    most = np.full(proj.n_actors, -1.0)
    np.maximum.at(most, pair_nodes, fl.pair_flow)
    top = np.flatnonzero(fl.pair_flow == most[pair_nodes])
    best_pair = np.full(proj.n_actors, len(fl.pairs), dtype=np.int64)
    np.minimum.at(best_pair, pair_nodes[top], top)
    pair_sorted = np.argsort(fl.pairs)
    rank = id_rank(proj)
    listed = reached_nodes[np.lexsort((rank[reached_nodes], -fl.inflow[reached_nodes]))]
    if limit_actors is not None:
        listed = listed[:limit_actors]
    # each pair's parent pair (its position among the pairs), found for all at once
    has_parent = fl.pair_parent >= 0
    up = np.full(len(fl.pairs) + 1, -1, dtype=np.int64)  # the last entry stands for "no pair"
    up[:-1][has_parent] = pair_sorted[np.searchsorted(fl.pairs, fl.pair_parent[has_parent], sorter=pair_sorted)]
    # the pairs on each listed actor's path, from the actor back to the funder, one level at a time
    level = best_pair[listed]
    levels = []
    while True:
        level = np.where(up[level] >= 0, level, -1)
        if not (level >= 0).any():
            break
        levels.append(level)
        level = up[level]
    hops = np.zeros(len(listed), dtype=np.int64)
    chains = np.empty((len(listed), 0), dtype=np.int64)
    if levels:
        back = np.stack(levels, axis=1)  # back[j, d]: the pair d steps before actor j's own (-1 past the funder)
        hops = (back >= 0).sum(axis=1)
        at = hops[:, None] - 1 - np.arange(back.shape[1])[None, :]  # funder side first
        chains = np.where(at >= 0, np.take_along_axis(back, np.maximum(at, 0), axis=1), -1)
    every = chains[chains >= 0]  # actor by actor, funder side first
    ids = pick(proj.actor_ids, pair_nodes[every])
    lids = pick(proj.link_ids, fl.pair_link[every])
    vias = [STEP_NAMES[x] for x in fl.pair_step[every].tolist()]
    funder_id = proj.actor_ids[f]
    reached = []
    start = 0
    for i, n in zip(listed.tolist(), hops.tolist()):
        end = start + n
        reached.append({
            "actor": proj.actor_ref(i), "share": _r(fl.inflow[i]), "kept": _r(fl.kept[i]),
            "hops": n, "path": [funder_id] + ids[start:end], "via": vias[start:end], "links": lids[start:end],
        })
        start = end
    countries = _group(proj, fl.kept, "country", group_actors)
    sectors = _group(proj, fl.kept, "sector", group_actors)
    kinds = _group(proj, fl.kept, "kind", group_actors)
    gaps = _gaps(countries, context) if context is not None else []
    overlaps = _overlaps(proj, mg, reached_nodes, f, group_actors)
    dependence = _dependence(proj, mg, f, fl)
    steps_with_amounts = mg.amount[gather(mg.indptr, np.array([f]))[0]]
    amounts_known = float(np.mean(~np.isnan(steps_with_amounts))) if len(steps_with_amounts) else 0.0
    return CoverageResult(
        funder=proj.actor_ref(f), reached=reached, countries=countries, sectors=sectors, kinds=kinds, gaps=gaps,
        overlaps=overlaps, dependence=dependence, amounts_known=amounts_known, max_hops=max_hops,
        n_reached=int(len(reached_nodes)),
        context=context.describe() if context is not None else None, without=list(proj.removed),
    )


def _r(x: float) -> float:
    return round(float(x), 12)


def id_rank(proj: Projection) -> np.ndarray:
    """Each actor's rank in id order (cached), to break ties by id without comparing strings."""
    def build() -> np.ndarray:
        rank = np.empty(proj.n_actors, dtype=np.int64)
        order = getattr(proj.index, "order", None)  # a saved projection keeps its ids' order
        if order is None or len(order) != proj.n_actors:
            order = np.argsort(proj.actor_ids.astype(str), kind="stable")
        rank[order] = np.arange(proj.n_actors)
        return rank
    return proj.cached(("id_rank",), build)


def _memberships(proj: Projection, by: str, among: np.ndarray | None = None,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str | None]]:
    """(actor, group code, weight) rows in id order: an actor in several countries or sectors counts a part
    in each. For every actor (cached), or only for the positions ``among`` (not cached: a one-off question
    on a large map then reads only the actors it reached)."""
    def build(positions):
        if by == "kind":
            return (positions, proj.kind[positions].astype(np.int64), np.ones(len(positions)),
                    [k.value for k in ACTOR_KINDS])
        if among is None:  # every actor's, reading one by one only the actors that list several
            return _membership_rows(proj, by)
        labels: dict[str | None, int] = {}
        actors, groups, weights = [], [], []
        listed = proj.actor_countries if by == "country" else proj.actor_sectors
        for i in positions.tolist():
            values = listed.get(i)
            if not values:
                values = ((proj.actor_country(i),) if by == "country" else (None,))
            for v in values:
                actors.append(i)
                groups.append(labels.setdefault(v, len(labels)))
                weights.append(1.0 / len(values))
        return (np.array(actors, dtype=np.int64), np.array(groups, dtype=np.int64), np.array(weights),
                list(labels))

    def in_id_order(positions):
        actors, groups, weights, labels = build(positions)
        order = np.argsort(id_rank(proj)[actors], kind="stable")  # so that stable sorts break ties by id
        return actors[order], groups[order], weights[order], labels
    if among is not None:
        return in_id_order(np.asarray(among, dtype=np.int64))
    return proj.cached(("memberships", by), lambda: in_id_order(np.arange(proj.n_actors)))


def _membership_rows(proj: Projection, by: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str | None]]:
    """Rows of :func:`_memberships` in actor order: each actor's listed countries (sectors) in their
    order, else its own country (no sector); groups numbered by first appearance. Only the listed
    actors are read one by one."""
    n = proj.n_actors
    listed = proj.actor_countries if by == "country" else proj.actor_sectors
    vocab: dict[str | None, int] = {None: 0}
    if by == "country":
        for c in proj.countries:
            vocab.setdefault(c, len(vocab))
        codes = np.asarray(proj.country, dtype=np.int64)
        lookup = np.array([0] + [vocab[c] for c in proj.countries], dtype=np.int64)
        own = lookup[np.where(codes >= 0, codes + 1, 0)]
    else:
        own = np.zeros(n, dtype=np.int64)
    entries = listed.as_dict() if isinstance(listed, TupleMap) else listed
    items = [(i, v) for i, v in entries.items() if 0 <= i < n and v]
    at = np.array([i for i, _ in items], dtype=np.int64)
    if np.any(at[1:] <= at[:-1]):  # in actor order, as the rows are
        items.sort(key=lambda item: item[0])
        at = np.array([i for i, _ in items], dtype=np.int64)
    counts = np.ones(n, dtype=np.int64)
    counts[at] = [len(v) for _, v in items]
    has = np.zeros(n, dtype=bool)
    has[at] = True
    given = [vocab.setdefault(x, len(vocab)) for _, v in items for x in v]
    rows = own[np.repeat(np.arange(n), counts)] if has.any() else own.copy()
    rows[np.repeat(has, counts)] = np.array(given, dtype=np.int64)
    actors = np.repeat(np.arange(n), counts)
    weights = np.repeat(1.0 / counts, counts)
    # number the groups by their first row, as a walk over the rows would
    seen, first = np.unique(rows, return_index=True)
    by_first = seen[np.argsort(first, kind="stable")]
    code = np.empty(len(vocab), dtype=np.int64)
    code[by_first] = np.arange(len(by_first))
    names = list(vocab)
    return actors, code[rows], weights, [names[v] for v in by_first.tolist()]


def _group(proj: Projection, kept: np.ndarray, by: str, limit: int | None) -> list[dict[str, Any]]:
    reached = np.flatnonzero(kept > 0)
    few = by != "kind" and not proj.is_cached(("memberships", by)) and len(reached) * 8 < proj.n_actors
    return _grouped(proj, kept, by, limit, _memberships(proj, by, reached if few else None))


def _grouped(proj: Projection, kept: np.ndarray, by: str, limit: int | None, memberships) -> list[dict[str, Any]]:
    actors, groups, weights, labels = memberships
    part = kept[actors] * weights
    rows = part > 0
    actors, groups, part = actors[rows], groups[rows], part[rows]
    totals = np.bincount(groups, weights=part, minlength=len(labels))
    counts = np.bincount(groups, minlength=len(labels))
    order = np.lexsort((-part, groups))  # stable: rows come in id order
    actors, groups = actors[order], groups[order]
    starts = np.searchsorted(groups, np.arange(len(labels)))
    out = []
    present = np.nonzero(counts)[0]
    label_order = sorted(present.tolist(), key=lambda g: (-totals[g], labels[g] or ""))
    for g in label_order:
        members = actors[starts[g]: starts[g] + (counts[g] if limit is None else min(counts[g], limit))]
        out.append({by: labels[g], "share": _r(totals[g]), "n_actors": int(counts[g]),
                    "actors": proj.actor_ids[members].tolist()})
    return out


def _gaps(countries: list[dict[str, Any]], context: ContextTable) -> list[dict[str, Any]]:
    covered = {c["country"]: c["share"] for c in countries if c["country"]}
    in_context = sum(covered.get(c, 0.0) for c in context.values)
    out = []
    for country, need in context.shares().items():
        got = covered.get(country, 0.0) / in_context if in_context > 0 else 0.0
        out.append({"country": country, "context": context.values[country], "context_share": _r(need),
                    "coverage_share": _r(got), "gap": _r(need - got), "reached": country in covered})
    out.sort(key=lambda g: (-g["gap"], g["country"]))
    return out


def _overlaps(proj: Projection, mg: MoneyGraph, reached: np.ndarray, funder: int,
              limit: int | None) -> list[dict[str, Any]]:
    """Other funders (outside this funder's chains) that fund actors this funder reaches."""
    if len(reached) == 0:
        return []
    inside = np.zeros(proj.n_actors, dtype=bool)
    inside[reached] = True
    inside[funder] = True
    arcs, recipients = gather(mg.funds_in_indptr, reached)
    others = mg.funds_in_src[arcs]
    keep = ~inside[others]
    keys = np.sort(others[keep] * proj.n_actors + recipients[keep])
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    givers, takers = keys // proj.n_actors, keys % proj.n_actors
    per_giver = np.bincount(givers, minlength=proj.n_actors)
    uniq = np.flatnonzero(per_giver)
    counts = per_giver[uniq]
    rank = id_rank(proj)
    starts = np.searchsorted(givers, uniq)  # keys are sorted by giver
    out = []
    for k in np.lexsort((rank[uniq], -counts))[:limit].tolist():
        members = takers[starts[k]: starts[k] + counts[k]]
        members = members[np.argsort(rank[members])][:limit]
        out.append({"funder": proj.actor_ref(int(uniq[k])), "count": int(counts[k]),
                    "actors": proj.actor_ids[members].tolist()})
    return out


def _dependence(proj: Projection, mg: MoneyGraph, funder: int, fl: Flow) -> list[dict[str, Any]]:
    """Each direct grantee's dependence on the funder: its share of the grantee's known funding."""
    lo, hi = mg.indptr[funder], mg.indptr[funder + 1]
    grantees = mg.nbr[lo:hi][mg.step[lo:hi] == FUNDS]
    out = []
    for r in sorted(set(grantees.tolist()), key=lambda i: proj.actor_ids[i]):
        arcs = np.arange(mg.funds_in_indptr[r], mg.funds_in_indptr[r + 1])
        links = mg.funds_in_link[arcs]
        funders = mg.funds_in_src[arcs]
        amounts = proj.amount[links]
        cur = proj.currency[links]
        mine = funders == funder
        budget = mg.budget_currency[r]
        usable = ~np.isnan(amounts) & (cur == budget) & (budget >= 0)
        n_funders = len(set(funders.tolist()))
        if usable[mine].any() and amounts[usable].sum() > 0:
            share, basis = amounts[usable & mine].sum() / amounts[usable].sum(), "amount"
        else:
            share, basis = 1.0 / n_funders, "count"
        out.append({"actor": proj.actor_ref(r), "share": _r(share), "basis": basis, "funders": n_funders})
    out.sort(key=lambda d: (-d["share"], d["actor"]["id"]))
    return out
