"""Gathering what a :class:`~graphmodel.export.selection.Selection` describes: :func:`select_subgraph`.

Neighbourhoods are walked here on the store (or, given a projection, in
:mod:`.projected`); influence paths, coverage and leverage come from
:mod:`.analysed`. Redaction comes first: what the clearance withholds is never
traversed, and what a walk met but withheld is counted in the result.
"""

from __future__ import annotations

from typing import Any

from ..models import Actor, Link
from ..store.contract import StoreView, Subgraph
from .analysed import analysed_subgraph
from .projected import projected_neighbourhood
from .redaction import Clearance, RedactionReport
from .selection import ActorFilter, LinkFilter, SelectedSubgraph, Selection, _resolve


def select_subgraph(view: StoreView, selection: Selection, *, projection: Any = None,
                    whole: bool = False) -> SelectedSubgraph:
    """The actors and links ``selection`` describes, redacted to its clearance.

    ``projection`` (an analysis projection of ``view``) is used for influence
    paths, coverage and leverage; one is built when needed and not given.
    When given, neighbourhoods are found on it too (:mod:`.projected`: the same
    result, far faster around hubs), and what they withheld is counted only when
    ``whole`` says it is a projection of the whole store (not a viewer's copy).

    Examples
    --------
    >>> from graphmodel.store.sqlite import SQLiteStore
    >>> from graphmodel.store.contract import Batch
    >>> from graphmodel.models import Source
    >>> st = SQLiteStore(":memory:")
    >>> _ = st.write(Batch(Source(id="demo", title="Demo"), actors=[
    ...     Actor(id="fnv", kind="sso", name="FNV Mondiaal", country="NL"),
    ...     Actor(id="bwi", kind="guf", name="BWI", country="CH"),
    ...     Actor(id="ktu", kind="union", name="KTU", country="MY"),
    ...     Actor(id="p1", kind="person", name="An organiser")], links=[
    ...     Link(id="l1", kind="funds", source="fnv", target="bwi", start="2006", end="2008"),
    ...     Link(id="l2", kind="affiliated_to", source="ktu", target="bwi"),
    ...     Link(id="l3", kind="member_of", source="p1", target="ktu")]))
    >>> g = select_subgraph(st, Selection(around=["BWI"], hops=1))
    >>> sorted(g.actors), sorted(g.links)
    (['bwi', 'fnv', 'ktu'], ['l1', 'l2'])
    >>> g.redaction.actors, g.redaction.links
    (0, 0)
    >>> g = select_subgraph(st, Selection(around=["ktu"], hops=2, as_of="2010"))
    >>> sorted(g.actors), g.redaction.actors, g.redaction.links
    (['bwi', 'ktu'], 1, 1)
    >>> sorted(select_subgraph(st, Selection(kinds=["union"])).actors)
    ['ktu']
    """
    clearance = selection.clearance_of
    report = RedactionReport(clearance)
    link_filter = LinkFilter.of(selection)
    actor_filter = ActorFilter.of(selection)
    result = SelectedSubgraph(selection=selection, redaction=report)
    if selection.is_whole_store:
        _whole_store(view, clearance, link_filter, actor_filter, result)
    else:
        _starting_points(view, selection, clearance, link_filter, result, projection, whole)
        _prune(result, actor_filter)
    cited = {c.source for record in (*result.actors.values(), *result.links.values()) for c in record.citations}
    result.sources = [s for s in view.sources() if s.id in cited]
    return result


def _whole_store(view: StoreView, clearance: Clearance, link_filter: LinkFilter, actor_filter: ActorFilter,
                 result: SelectedSubgraph) -> None:
    report = result.redaction
    for actor in view.iter_actors():
        reason = clearance.actor_reason(actor.kind, actor.sensitivity)
        if reason:
            report.withhold_actor(actor.id, reason)
        elif actor_filter.keeps(actor):
            result.actors[actor.id] = actor
    for link in view.iter_links():
        if not link_filter.keeps(link):
            continue
        reason = clearance.link_reason(link.sensitivity)
        if reason is None and (link.source in report.actor_ids or link.target in report.actor_ids):
            reason = "joins a withheld actor"
        if reason:
            report.withhold_link(link.id, reason)
        elif link.source in result.actors and link.target in result.actors:
            result.links[link.id] = link


def _starting_points(view: StoreView, selection: Selection, clearance: Clearance, link_filter: LinkFilter,
                     result: SelectedSubgraph, projection: Any, whole: bool = False) -> None:
    if selection.around:
        seeds = _resolve(view, selection.around, clearance, result)
        if projection is not None:
            result.add(projected_neighbourhood(view, projection, seeds, selection.hops, clearance, link_filter,
                                               result.redaction if whole else None))
        else:
            result.add(neighbourhood(view, seeds, selection.hops, clearance, link_filter, result.redaction))
    if selection.paths or selection.coverage or selection.leverage:
        analysed_subgraph(view, selection, clearance, link_filter, result, projection)


def neighbourhood(view: StoreView, seeds: list[Actor], hops: int, clearance: Clearance,
                  link_filter: LinkFilter, report: RedactionReport) -> Subgraph:
    """Actors within ``hops`` links of ``seeds`` and the links among them, traversing only
    links that ``link_filter`` keeps and that ``clearance`` shows, between actors it shows."""
    seen: dict[str, Actor] = {a.id: a for a in seeds}
    links: dict[str, Link] = {}
    frontier = list(seen)
    for depth in range(hops + 1):
        last = depth == hops
        candidates: list[Link] = []
        for actor_id in frontier:
            for link in view.links_of(actor_id):
                if link.id in links or link.id in report.link_ids or not link_filter.keeps(link):
                    continue
                reason = clearance.link_reason(link.sensitivity)
                if reason:
                    if not last or (link.source in seen and link.target in seen):
                        report.withhold_link(link.id, reason)
                    continue
                candidates.append(link)
        if not last:
            unknown = {e for lk in candidates for e in (lk.source, lk.target)
                       if e not in seen and e not in report.actor_ids}
            fresh: list[str] = []
            for actor_id, actor in view.get_actors(sorted(unknown)).items():
                reason = clearance.actor_reason(actor.kind, actor.sensitivity)
                if reason:
                    report.withhold_actor(actor_id, reason)
                else:
                    seen[actor_id] = actor
                    fresh.append(actor_id)
            frontier = fresh
        for link in candidates:
            if link.source in report.actor_ids or link.target in report.actor_ids:
                report.withhold_link(link.id, "joins a withheld actor")
            elif link.source in seen and link.target in seen:
                links[link.id] = link
        if last or not frontier:
            break
    return Subgraph(seen, links)


def _prune(result: SelectedSubgraph, actor_filter: ActorFilter) -> None:
    """Apply the actor filters, keeping the actors the selection names."""
    if not actor_filter.active:
        return
    named = set(result.seeds.values())
    result.actors = {i: a for i, a in result.actors.items() if i in named or actor_filter.keeps(a)}
    result.links = {i: lk for i, lk in result.links.items()
                    if lk.source in result.actors and lk.target in result.actors}
