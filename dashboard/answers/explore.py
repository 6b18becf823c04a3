"""Explore's questions: an actor's neighbourhood, the filters' choices, the members behind a "+N" box, and
the details (with sources) of an actor or a link. Export offers the same countries to filter by."""

from __future__ import annotations

from typing import Any

import numpy as np

from graphmodel.analysis.projection import adjacency
from graphmodel.kinds import LINK_SPECS, ActorKind
from graphmodel.values import country_name

from .. import graphview
from ..access import Viewer
from ..free_text import redact_fields
from ..graphview import Filters, GraphView
from ..mapdata import _memoised, _visible, cite, hidden_names, projection, store


def choices(viewer: Viewer) -> dict[str, Any]:
    """What the Explore filters can offer: countries present and the years links span."""
    proj = projection(viewer)

    def build():
        codes = np.unique(proj.country[proj.active])
        countries = sorted((proj.countries[c] for c in codes if c >= 0), key=country_name)
        return {"countries": [{"value": c, "label": f"{country_name(c)} ({c})"} for c in countries],
                "years": graphview.year_range(proj)}
    return _memoised(("choices", id(proj), proj.fingerprint), build)


def graph(viewer: Viewer, seeds: list[str], hops: int = 1, filters: Filters = Filters(),
          expand: list[str] | tuple[str, ...] = (), more: list[str] | tuple[str, ...] = (),
          cap: int = graphview.VIEW_CAP) -> GraphView:
    """The neighbourhood of ``seeds`` the viewer may see, capped (see :mod:`dashboard.graphview`)."""
    return graphview.neighbourhood(projection(viewer), seeds, hops=hops, filters=filters, expand=expand,
                                   more=more, cap=cap)


def group_members(viewer: Viewer, actor_id: str, kind: str, filters: Filters = Filters()) -> dict[str, Any] | None:
    """The neighbours of one kind behind a "+N" box, for a table: the actor, the rows, how many in all."""
    proj = projection(viewer)
    i = _visible(proj, actor_id)
    if i is None or kind not in {k.value for k in ActorKind}:
        return None
    rows, total = graphview.neighbours_of_kind(proj, actor_id, kind, filters)
    return {"actor": proj.actor_ref(i), "kind": kind, "rows": rows, "total": total}


_MAX_PANEL_LINKS = 150


def actor_details(viewer: Viewer, actor_id: str) -> dict[str, Any] | None:
    """An actor the viewer may see, with its visible links and the sources of both."""
    proj = projection(viewer)
    i = _visible(proj, actor_id)
    if i is None:
        return None
    actor = store().get_actor(actor_id)
    if actor is None:
        return None
    indptr, _, via = adjacency(proj)
    mine = via[indptr[i]:indptr[i + 1]]  # the viewer's projection holds only links the viewer may see
    first = mine[np.argsort(proj.link_ids[mine].astype(str), kind="stable")[:_MAX_PANEL_LINKS]]
    links = []
    for link in store().get_links(proj.link_ids[first].tolist()).values():
        other = link.target if link.source == actor_id else link.source
        j = _visible(proj, other)
        if j is not None and viewer.sees(link.sensitivity):
            links.append({"id": link.id, "kind": link.kind.value, "outgoing": link.source == actor_id,
                          "other": proj.actor_ref(j), "start": link.start, "end": link.end,
                          "confidence": link.confidence.value, "amount": link.amount, "currency": link.currency,
                          "sources": len(link.citations)})
    data = actor.model_dump(mode="json", exclude_none=True)
    data.pop("sensitivity", None)
    data["citations"] = cite(data.get("citations", []), viewer)
    data = redact_fields(data, hidden_names(viewer), authors=True)
    data["links"] = links
    data["link_count"] = len(mine)
    return data


def link_details(viewer: Viewer, link_id: str) -> dict[str, Any] | None:
    """A link the viewer may see (both ends visible), with its sources."""
    proj = projection(viewer)
    link = store().get_link(link_id)
    if link is None or not viewer.sees(link.sensitivity):
        return None
    s, t = _visible(proj, link.source), _visible(proj, link.target)
    if s is None or t is None:
        return None
    data = link.model_dump(mode="json", exclude_none=True)
    data.pop("sensitivity", None)
    data["citations"] = cite(data.get("citations", []), viewer)
    data = redact_fields(data, hidden_names(viewer), authors=True)
    data["source_ref"] = proj.actor_ref(s)
    data["target_ref"] = proj.actor_ref(t)
    data["says"] = f"{proj.names[s]} {LINK_SPECS[link.kind].label} {proj.names[t]}"
    return data
