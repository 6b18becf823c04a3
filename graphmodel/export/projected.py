"""Neighbourhood selections made on an analysis projection instead of by walking the store.

Walking the store reads every link of every actor it reaches, as records:
around a hub of a large map that is hundreds of thousands of records for a
result a fraction of that size. A :class:`~graphmodel.analysis.Projection`
holds the same graph as columns, so the walk is a few array operations and
only the records of the result are read back (:func:`projected_neighbourhood`),
or none at all when only their number is wanted (:class:`Tally`).

The result is the one :func:`~graphmodel.export.selection.neighbourhood`
gives, in the same order: the user's clearance and the selection's link
filters decide what is traversed, and the links among the actors reached are
kept. What the clearance withheld is counted only on a projection of the whole
store (:func:`count_withheld`): a projection made for a user holds only what the
user may see.

Examples
--------
>>> from graphmodel.analysis import Projection
>>> from graphmodel.models import Actor, Link
>>> proj = Projection.from_records(
...     [Actor(id="fnv", kind="sso", name="FNV"), Actor(id="bwi", kind="guf", name="BWI"),
...      Actor(id="ktu", kind="union", name="KTU"), Actor(id="p1", kind="person", name="P")],
...     [Link(id="l1", kind="funds", source="fnv", target="bwi"),
...      Link(id="l2", kind="affiliated_to", source="ktu", target="bwi"),
...      Link(id="l3", kind="member_of", source="p1", target="ktu")])
>>> actors, links = around_ids(proj, ["bwi"], 2, Clearance(), LinkFilter())
>>> actors, links
(['bwi', 'fnv', 'ktu'], ['l1', 'l2'])
>>> around_ids(proj, ["bwi"], 1, Clearance(), LinkFilter(kinds=frozenset({LinkKind.FUNDS})))
(['bwi', 'fnv'], ['l1'])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..analysis.columns import pick
from ..analysis.projection import ACTOR_KINDS, CONFIDENCES, LINK_KINDS, Projection, adjacency
from ..analysis.search import gather
from ..kinds import SENSITIVITY_RANK, ActorKind, LinkKind  # noqa: F401 - LinkKind is used by the examples
from ..models import Actor
from ..store.contract import StoreView, Subgraph
from .redaction import Clearance, RedactionReport
from .selection import ActorFilter, LinkFilter

_PERSON = ACTOR_KINDS.index(ActorKind.PERSON)


def link_filter_mask(proj: Projection, link_filter: LinkFilter) -> np.ndarray:
    """Links ``link_filter`` keeps (kinds, confidence, valid at its date); the date test is cached."""
    keep = np.ones(proj.n_links, dtype=bool)
    if link_filter.kinds is not None:
        keep &= np.isin(proj.link_kind, [LINK_KINDS.index(k) for k in link_filter.kinds])
    if link_filter.confidence is not None:
        keep &= np.isin(proj.confidence, [CONFIDENCES.index(c) for c in link_filter.confidence])
    if link_filter.as_of is not None:
        def valid() -> np.ndarray:
            return np.fromiter((link_filter.valid_at(s, e) for s, e in zip(proj.start, proj.end)), dtype=bool,
                               count=proj.n_links)
        keep &= proj.cached(("export", "valid_at", link_filter.as_of), valid)
    return keep


def visible(proj: Projection, clearance: Clearance, link_filter: LinkFilter) -> tuple[np.ndarray, np.ndarray]:
    """``(actors, links)`` masks of what ``clearance`` shows and, for links, what ``link_filter`` keeps
    between shown actors."""
    actors = proj.active & (proj.actor_sensitivity <= SENSITIVITY_RANK[clearance.level])
    if not clearance.include_people:
        actors &= proj.kind != _PERSON
    links = ((proj.link_sensitivity <= SENSITIVITY_RANK[clearance.level]) & actors[proj.src] & actors[proj.dst]
             & link_filter_mask(proj, link_filter))
    return actors, links


def neighbourhood_positions(proj: Projection, seeds: Sequence[int], hops: int,
                            links_ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Actors within ``hops`` of ``seeds`` over links in ``links_ok`` (seeds first, then each hop's
    actors by id) and the links among them (by the first actor each touches, then by id)."""
    parts = _layers(proj, seeds, hops, links_ok)
    actors = np.concatenate(parts)
    rank = np.full(proj.n_actors, -1, dtype=np.int64)
    rank[actors] = np.arange(len(actors))
    links = np.flatnonzero(links_ok & (rank[proj.src] >= 0) & (rank[proj.dst] >= 0))
    first = np.minimum(rank[proj.src[links]], rank[proj.dst[links]])
    links = links[np.lexsort((np.array(pick(proj.link_ids, links), dtype=str), first))]
    return actors, links


def _layers(proj: Projection, seeds: Sequence[int], hops: int, links_ok: np.ndarray) -> list[np.ndarray]:
    """The seeds, then the actors first reached at each hop (by id), over links in ``links_ok``."""
    indptr, nbr, via = adjacency(proj)
    order = list(dict.fromkeys(int(s) for s in seeds))
    reached = np.zeros(proj.n_actors, dtype=bool)
    reached[order] = True
    frontier = np.array(order, dtype=np.int64)
    parts = [frontier]
    for _ in range(hops):
        if not len(frontier):
            break
        arcs, _ = gather(indptr, frontier)
        arcs = arcs[links_ok[via[arcs]]]
        fresh = np.unique(nbr[arcs])
        fresh = fresh[~reached[fresh]]
        fresh = fresh[np.argsort(np.array(pick(proj.actor_ids, fresh), dtype=str), kind="stable")]
        reached[fresh] = True
        parts.append(fresh)
        frontier = fresh
    return parts


def count_withheld(proj: Projection, seeds: Sequence[int], hops: int, clearance: Clearance, link_filter: LinkFilter,
                   report: RedactionReport) -> None:
    """Count in ``report`` what the walk of the store around ``seeds`` (:func:`~.gather.neighbourhood`)
    withholds, found on ``proj``, a projection of the whole store: the actors the clearance withholds that
    a link it shows joins to an actor short of the last hop; the links above the clearance that leave an
    actor short of the last hop or join two reached actors; and the links it shows that join a reached
    actor to a withheld one. What the walk never meets is not counted, as there. (A selection walks its
    neighbourhood first, so ``report`` holds nothing yet.)

    >>> from graphmodel.analysis import Projection
    >>> from graphmodel.models import Actor, Link
    >>> proj = Projection.from_records(
    ...     [Actor(id="fnv", kind="sso", name="FNV"), Actor(id="bwi", kind="guf", name="BWI"),
    ...      Actor(id="p1", kind="person", name="P"), Actor(id="far", kind="ngo", name="Far")],
    ...     [Link(id="l1", kind="funds", source="fnv", target="bwi", sensitivity="restricted"),
    ...      Link(id="l2", kind="member_of", source="p1", target="bwi"),
    ...      Link(id="l3", kind="supports", source="far", target="p1")])
    >>> report = RedactionReport(Clearance())
    >>> count_withheld(proj, [proj.index["bwi"]], 1, Clearance(), LinkFilter(), report)
    >>> report.as_dict()["actors_by_reason"], report.as_dict()["links_by_reason"]
    ({'person': 1}, {'joins a withheld actor': 1, 'sensitivity restricted': 1})
    """
    level = SENSITIVITY_RANK[clearance.level]
    parts = _layers(proj, seeds, hops, visible(proj, clearance, link_filter)[1])
    seen = np.zeros(proj.n_actors, dtype=bool)
    seen[np.concatenate(parts)] = True
    inner = np.zeros(proj.n_actors, dtype=bool)  # reached short of the last hop: the walk goes on from them
    for part in parts[:hops]:
        inner[part] = True
    people = (proj.kind == _PERSON) & (not clearance.include_people)
    hidden_actor = people | (proj.actor_sensitivity > level)
    kept = link_filter_mask(proj, link_filter)
    hidden_link = kept & (proj.link_sensitivity > level)
    shown_link = kept & ~(proj.link_sensitivity > level)
    src, dst = proj.src, proj.dst
    met = shown_link & ((inner[src] & hidden_actor[dst]) | (inner[dst] & hidden_actor[src]))
    withheld = np.zeros(proj.n_actors, dtype=bool)
    withheld[src[met]] = True
    withheld[dst[met]] = True
    withheld &= hidden_actor
    names = {rank: s.value for s, rank in SENSITIVITY_RANK.items()}
    for i in np.flatnonzero(withheld).tolist():
        report.withhold_actor(proj.actor_ids[i], "person" if people[i] else
                              f"sensitivity {names[int(proj.actor_sensitivity[i])]}")
    above = hidden_link & (inner[src] | inner[dst] | (seen[src] & seen[dst]))
    for j in np.flatnonzero(above).tolist():
        report.withhold_link(proj.link_ids[j], f"sensitivity {names[int(proj.link_sensitivity[j])]}")
    joins = shown_link & ((seen[src] & withheld[dst]) | (withheld[src] & seen[dst]))
    for j in np.flatnonzero(joins).tolist():
        report.withhold_link(proj.link_ids[j], "joins a withheld actor")


def around_ids(proj: Projection, seeds: Sequence[str], hops: int, clearance: Clearance,
               link_filter: LinkFilter) -> tuple[list[str], list[str]]:
    """Ids of the actors and links :func:`~graphmodel.export.selection.neighbourhood` selects around
    ``seeds`` (actor ids; those not in the projection are kept but lead nowhere)."""
    tally = Tally()
    tally.add_around(proj, seeds, hops, clearance, link_filter)
    return list(tally.actors), list(tally.links)


def projected_neighbourhood(view: StoreView, proj: Projection, seeds: list[Actor], hops: int,
                            clearance: Clearance, link_filter: LinkFilter,
                            report: RedactionReport | None = None) -> Subgraph:
    """The neighbourhood of ``seeds`` found on ``proj``, its records read from ``view``; with ``report``
    (``proj`` then being a projection of the whole store), what the clearance withheld is counted there
    as the walk of the store counts it (:func:`count_withheld`)."""
    if report is not None:
        count_withheld(proj, [proj.index[a.id] for a in seeds if a.id in proj.index], hops, clearance, link_filter,
                       report)
    actor_ids, link_ids = around_ids(proj, [a.id for a in seeds], hops, clearance, link_filter)
    actors = {a.id: a for a in seeds}
    actors.update(view.get_actors([i for i in actor_ids if i not in actors]))
    actors = {i: actors[i] for i in actor_ids if i in actors}
    links = {i: lk for i, lk in view.get_links(link_ids).items() if lk.source in actors and lk.target in actors}
    return Subgraph(actors, links)


@dataclass
class Tally:
    """The actor and link ids a selection holds (in order; links with their ends), gathered without
    reading records: what a preview counts.

    >>> from graphmodel.analysis import Projection
    >>> from graphmodel.models import Actor, Link
    >>> proj = Projection.from_records([Actor(id="a", kind="brand", name="A"), Actor(id="b", kind="supplier",
    ...     name="B", country="BD"), Actor(id="c", kind="facility", name="C", country="BD"),
    ...     Actor(id="d", kind="facility", name="D", country="KH")],
    ...     [Link(kind="sources_from", source="a", target="b"), Link(kind="owns", source="b", target="c"),
    ...      Link(kind="owns", source="b", target="d")])
    >>> t = Tally()
    >>> t.add_around(proj, ["a"], 2, Clearance(), LinkFilter())
    >>> len(t.actors), len(t.links)
    (4, 3)
    >>> t.prune(proj, ActorFilter(countries=frozenset({"BD"})), named={"a"})
    >>> len(t.actors), len(t.links), t.kinds(proj)
    (3, 2, {'brand': 1, 'supplier': 1, 'facility': 1})
    """

    actors: dict[str, None] = field(default_factory=dict)
    links: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add_around(self, proj: Projection, seeds: Sequence[str], hops: int, clearance: Clearance,
                   link_filter: LinkFilter) -> None:
        """The neighbourhood :func:`around_ids` finds (``seeds`` are actor ids)."""
        _, links_ok = visible(proj, clearance, link_filter)
        actors, links = neighbourhood_positions(proj, [proj.index[s] for s in seeds if s in proj.index], hops,
                                                links_ok)
        self.actors.update(dict.fromkeys([*seeds, *pick(proj.actor_ids, actors)]))
        ends = zip(pick(proj.link_ids, links), pick(proj.actor_ids, proj.src[links]), pick(proj.actor_ids, proj.dst[links]))
        self.links.update((i, (s, t)) for i, s, t in ends)

    def add_subgraph(self, sub: Subgraph) -> None:
        self.actors.update(dict.fromkeys(sub.actors))
        self.links.update((i, (lk.source, lk.target)) for i, lk in sub.links.items())

    def unite(self, other: "Tally") -> None:
        self.actors.update(other.actors)
        self.links.update(other.links)

    def prune(self, proj: Projection, actor_filter: ActorFilter, named: set[str]) -> None:
        """Keep the actors ``actor_filter`` keeps or ``named`` holds, and the links among them
        (as :func:`~graphmodel.export.gather.select_subgraph` prunes)."""
        if not actor_filter.active:
            return
        keep = actor_filter_mask(proj, actor_filter)
        self.actors = {i: None for i in self.actors if i in named or (i in proj.index and keep[proj.index[i]])}
        self.links = {i: ends for i, ends in self.links.items() if ends[0] in self.actors and ends[1] in self.actors}

    def kinds(self, proj: Projection) -> dict[str, int]:
        """Actors by kind, most first."""
        counts = Counter(ACTOR_KINDS[proj.kind[proj.index[i]]].value for i in self.actors if i in proj.index)
        return dict(counts.most_common())


def actor_filter_mask(proj: Projection, actor_filter: ActorFilter) -> np.ndarray:
    """Actors ``actor_filter`` keeps (kinds; countries, an actor's own or any it works in)."""
    keep = np.ones(proj.n_actors, dtype=bool)
    if actor_filter.kinds is not None:
        keep &= np.isin(proj.kind, [ACTOR_KINDS.index(k) for k in actor_filter.kinds])
    if actor_filter.countries is not None:
        codes = [i for i, c in enumerate(proj.countries) if c in actor_filter.countries]
        there = np.isin(proj.country, codes)
        for i, listed in proj.actor_countries.items():
            if not there[i] and actor_filter.countries.intersection(listed):
                there[i] = True
        keep &= there
    return keep
