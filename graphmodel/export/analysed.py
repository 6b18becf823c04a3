"""Selections that come from the analysis engine: influence paths, coverage, leverage.

The analysis runs on a projection restricted to the user's clearance (and
without people unless they were asked for) and to the links the selection's
filters keep, so a path can never pass through something the export would
withhold. The records on the result are then read from the store. The
weights that ranked the result are recorded for the manifest.
"""

from __future__ import annotations

from typing import Any

from ..kinds import ActorKind
from ..store.contract import StoreView, Subgraph
from .redaction import Clearance
from .selection import LinkFilter, SelectedSubgraph, Selection, SelectionError, _resolve


def analysed_subgraph(view: StoreView, selection: Selection, clearance: Clearance, link_filter: LinkFilter,
                      result: SelectedSubgraph, projection: Any = None) -> None:
    """Add the actors and links of ``selection``'s paths, coverage and leverage to ``result``."""
    from ..analysis.projection_cache import get_projection
    from ..analysis.weights import Weights

    weights = Weights.load(selection.weights)
    proj = restricted_projection(projection if projection is not None else get_projection(view), clearance,
                                 link_filter)
    actor_ids: set[str] = set()
    link_ids: set[str] = set()
    if selection.paths:
        from ..analysis.paths import influence_paths

        for pair in selection.paths:
            a, b = _resolve(view, [pair.source, pair.target], clearance, result)
            found = influence_paths(proj, a.id, b.id, k=selection.k, max_hops=selection.max_hops,
                                    kinds=[k.value for k in link_filter.kinds] if link_filter.kinds else None,
                                    weights=weights)
            actor_ids.update((a.id, b.id))
            for path in found.paths:
                actor_ids.update(x["id"] for x in path.actors)
                link_ids.update(h.link for h in path.hops)
            if not found.paths:
                result.notes.append(f"no influence path from {a.id} to {b.id} within {selection.max_hops} hops")
    for what, name in (("coverage", "coverage"), ("leverage", "leverage")):
        if getattr(selection, what):
            raise SelectionError(f"selecting by {name} needs the analysis engine's {name}, "
                                 "which this version does not have yet",
                                 hint="select with --around, --paths or the filters for now")
    result.weights = weights.describe()
    found_actors = view.get_actors(sorted(actor_ids))
    links = {i: link for i, link in view.get_links(sorted(link_ids)).items()
             if link.source in found_actors and link.target in found_actors}
    result.add(Subgraph(found_actors, links))


def restricted_projection(proj: Any, clearance: Clearance, link_filter: LinkFilter) -> Any:
    """``proj`` without what ``clearance`` withholds and without links ``link_filter`` drops."""
    from ..analysis.projection import ACTOR_KINDS
    from .projected import link_filter_mask

    proj = proj.restrict(clearance.level)
    if not clearance.include_people:
        people = proj.actor_ids[(proj.kind == ACTOR_KINDS.index(ActorKind.PERSON)) & proj.active]
        proj = proj.without(list(people))
    keep = link_filter_mask(proj, link_filter)
    if not keep.all():
        proj = proj.subset(proj.active, keep)
    return proj
