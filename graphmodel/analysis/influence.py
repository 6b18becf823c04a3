"""The directed influence graph derived from typed links and a set of weights.

Each link gives up to two arcs: source over target with its forward strength,
target over source with its backward strength (see :mod:`.weights` for how a
link's strength is computed). Between two actors only the strongest arc each
way is kept. An arc's cost is ``-log(strength)``, so the cheapest path is the
strongest (a path's strength is the product of its hops' strengths).

Examples
--------
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.analysis.projection import Projection
>>> proj = Projection.from_records(
...     [Actor(id="fnv", kind="sso", name="FNV"), Actor(id="bwi", kind="guf", name="BWI")],
...     [Link(kind="funds", source="fnv", target="bwi", confidence="reported")])
>>> g = influence_graph(proj)
>>> g.arc_strength(proj.index["fnv"], proj.index["bwi"])  # 0.6 x 0.8 (reported)
0.48
>>> round(g.arc_strength(proj.index["bwi"], proj.index["fnv"]), 3)  # 0.1 x 0.8
0.08
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..kinds import Confidence, LinkKind, parse_link_kind
from .projection import CONFIDENCES, LINK_KINDS, Projection
from .search import hop_layers
from .weights import Weights


def link_strengths(proj: Projection, weights: Weights) -> tuple[np.ndarray, np.ndarray]:
    """Forward and backward influence strength of every link (see :mod:`.weights`).

    Returns two float arrays of length ``proj.n_links``.
    """
    base_f = np.array([weights.links[k.value][0] for k in LINK_KINDS])
    base_b = np.array([weights.links[k.value][1] for k in LINK_KINDS])
    fwd = base_f[proj.link_kind]
    bwd = base_b[proj.link_kind]
    override = ~np.isnan(proj.influence_forward)
    fwd[override] = proj.influence_forward[override]
    override = ~np.isnan(proj.influence_backward)
    bwd[override] = proj.influence_backward[override]

    share = funding_shares(proj)
    known = ~np.isnan(share)
    fwd[known] *= weights.share_low + (weights.share_high - weights.share_low) * share[known]

    conf = np.array([weights.confidence[c.value] for c in CONFIDENCES])[proj.confidence]
    fwd = np.minimum(fwd, weights.max_strength) * conf
    bwd = np.minimum(bwd, weights.max_strength) * conf
    if weights.half_life_years:
        as_of = weights.as_of or _dt.date.today().year
        ended = proj.end_year > 0
        years = np.clip(as_of - proj.end_year[ended], 0, None)
        decay = 0.5 ** (years / weights.half_life_years)
        fwd[ended] *= decay
        bwd[ended] *= decay
    return fwd, bwd


def funding_shares(proj: Projection) -> np.ndarray:
    """Each link's known share: ``Link.share`` (or a ``share`` attribute) where given, else
    for ``funds`` links with an amount, the amount over the recipient's known funding
    in that currency; ``nan`` where unknown."""
    share = proj.share.copy()
    funds = (proj.link_kind == LINK_KINDS.index(LinkKind.FUNDS)) & ~np.isnan(proj.amount) & (proj.currency >= 0)
    funds &= np.isnan(share)
    if funds.any():
        ncur = max(len(proj.currencies), 1)
        key = proj.dst[funds].astype(np.int64) * ncur + proj.currency[funds]
        uniq, inverse = np.unique(key, return_inverse=True)
        totals = np.bincount(inverse, weights=proj.amount[funds])
        with np.errstate(invalid="ignore", divide="ignore"):
            share[funds] = np.where(totals[inverse] > 0, proj.amount[funds] / totals[inverse], np.nan)
    return share


@dataclass(eq=False)
class InfluenceGraph:
    """Arcs of influence in compressed sparse rows, both ways.

    ``indptr``/``nbr``/``cost``/``strength``/``link``/``along`` list each actor's
    outgoing arcs (``along`` is True when influence follows the link's own
    direction); the ``r*`` arrays hold the same arcs grouped by their head.
    """

    n: int
    indptr: np.ndarray
    nbr: np.ndarray
    cost: np.ndarray
    strength: np.ndarray
    link: np.ndarray
    along: np.ndarray
    rindptr: np.ndarray
    rnbr: np.ndarray
    rcost: np.ndarray
    rarc: np.ndarray  # position of each reverse arc in the forward arrays
    weights: Weights
    kinds: frozenset[LinkKind] | None

    @property
    def n_arcs(self) -> int:
        return len(self.nbr)

    def arcs(self) -> tuple[np.ndarray, np.ndarray]:
        """Tail and head of every arc."""
        tails = np.repeat(np.arange(self.n, dtype=np.int32), np.diff(self.indptr))
        return tails, self.nbr

    def arc_index(self, u: int, v: int) -> int:
        """Position of the arc ``u -> v`` (-1 when none)."""
        lo, hi = self.indptr[u], self.indptr[u + 1]
        k = lo + int(np.searchsorted(self.nbr[lo:hi], v))
        return k if k < hi and self.nbr[k] == v else -1

    def forward(self, sources, hops: int, **options) -> np.ndarray:
        """:func:`.search.hop_layers` from ``sources`` along the arcs (influence they exert)."""
        return hop_layers(self.indptr, self.nbr, self.cost, sources, hops,
                          pull=(self.rindptr, self.rnbr, self.rcost), **options)

    def backward(self, targets, hops: int, **options) -> np.ndarray:
        """:func:`.search.hop_layers` from ``targets`` against the arcs (influence they receive)."""
        return hop_layers(self.rindptr, self.rnbr, self.rcost, targets, hops,
                          pull=(self.indptr, self.nbr, self.cost), **options)

    def arc_strength(self, u: int, v: int) -> float:
        k = self.arc_index(u, v)
        return float(self.strength[k]) if k >= 0 else 0.0


def parse_kinds(kinds: Iterable[str | LinkKind] | None) -> frozenset[LinkKind] | None:
    """Link kinds to keep (``None``: all)."""
    if kinds is None:
        return None
    out = frozenset(k if isinstance(k, LinkKind) else parse_link_kind(k) for k in kinds)
    return out or None


def influence_graph(proj: Projection, weights: Weights | None = None,
                    kinds: Iterable[str | LinkKind] | None = None, inferred: bool = True) -> InfluenceGraph:
    """The influence graph of ``proj`` under ``weights``, optionally only some link kinds (cached).

    With ``inferred=False`` the links nobody stated are left out: ``related_to`` (what an import could not
    map) and links of confidence ``inferred``.
    """
    weights = weights or Weights.default()
    wanted = parse_kinds(kinds)
    key = ("influence", weights.digest, wanted, inferred)

    def build() -> InfluenceGraph:
        if proj.disk is not None and not proj.removed and proj.clearance is None:  # the saved projection itself
            return proj.disk.influence(weights, wanted, inferred, lambda: _build(proj, weights, wanted, inferred))
        return _build(proj, weights, wanted, inferred)
    return proj.cached(key, build)


def stated_only(proj: Projection) -> np.ndarray:
    """Per link: True unless it is ``related_to`` or of confidence ``inferred``."""
    unmapped = proj.link_kind == LINK_KINDS.index(LinkKind.RELATED_TO)
    guessed = proj.confidence == CONFIDENCES.index(Confidence.INFERRED)
    return ~(unmapped | guessed)


def unstated_links(proj: Projection) -> np.ndarray:
    """Per link: True where :func:`stated_only` leaves it out (cached)."""
    return proj.cached(("unstated",), lambda: ~stated_only(proj))


def has_inferred(proj: Projection) -> bool:
    """Whether the map holds any link :func:`stated_only` leaves out (cached)."""
    return proj.cached(("has_inferred",), lambda: bool(unstated_links(proj).any()))


def _build(proj: Projection, weights: Weights, kinds: frozenset[LinkKind] | None,
           inferred: bool = True) -> InfluenceGraph:
    n = proj.n_actors
    fwd, bwd = link_strengths(proj, weights)
    m = proj.n_links
    tails = np.concatenate([proj.src, proj.dst])
    heads = np.concatenate([proj.dst, proj.src])
    strength = np.concatenate([fwd, bwd])
    link = np.concatenate([np.arange(m, dtype=np.int32)] * 2)
    along = np.concatenate([np.ones(m, dtype=bool), np.zeros(m, dtype=bool)])
    keep = strength > 0
    if not inferred:
        keep &= np.concatenate([stated_only(proj)] * 2)
    if kinds is not None:
        codes = np.array([LINK_KINDS.index(k) for k in kinds])
        keep &= np.isin(np.concatenate([proj.link_kind] * 2), codes)
    tails, heads, strength, link, along = tails[keep], heads[keep], strength[keep], link[keep], along[keep]
    # the strongest arc per ordered pair (ties: the lowest link position); a pair as one number
    pair = tails.astype(np.int64) * max(n, 1) + heads
    order = np.lexsort((link, -strength, pair))
    pair, tails, heads, strength, link, along = (pair[order], tails[order], heads[order], strength[order],
                                                 link[order], along[order])
    if len(tails):
        first = np.ones(len(tails), dtype=bool)
        first[1:] = pair[1:] != pair[:-1]
        tails, heads, strength, link, along = tails[first], heads[first], strength[first], link[first], along[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=indptr[1:])
    with np.errstate(divide="ignore"):
        cost = -np.log(strength)
    rorder = np.argsort(heads.astype(np.int64) * max(n, 1) + tails, kind="stable")  # by head, then tail
    rindptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(heads, minlength=n), out=rindptr[1:])
    return InfluenceGraph(
        n=n, indptr=indptr, nbr=heads.astype(np.int32), cost=cost, strength=strength, link=link, along=along,
        rindptr=rindptr, rnbr=tails[rorder].astype(np.int32), rcost=cost[rorder], rarc=rorder.astype(np.int64),
        weights=weights, kinds=kinds,
    )
