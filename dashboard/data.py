"""The dashboard's only way to the store, and where the viewer's clearance is applied.

Every function takes the :class:`~dashboard.access.Viewer` first and returns
plain data (dicts and lists) holding only what that viewer may see: actors and
links above the viewer's clearance, and people unless the viewer may see
people, are dropped *before* anything is computed (the analyses run on
:func:`projection`, a copy of the map restricted to the viewer), so they never
appear in a graph, a table, a search suggestion, an export, an error message
or a count.

Analyses run on the analysis engine's cached projection
(:func:`graphmodel.analysis.get_projection`), rebuilt when the store's
fingerprint changes; the restricted copy is cached per projection and viewer.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from graphmodel.analysis import (Projection, Weights, brokerage, brokerage_scores, coverage as _coverage,
                                 get_projection, influence_graph, influence_paths, leverage as _leverage,
                                 read_context)
from graphmodel.analysis.projection import ACTOR_KINDS, CONFIDENCES, LINK_KINDS, adjacency
from graphmodel.errors import StakemapError
from graphmodel.kinds import ACTOR_SPECS, LINK_SPECS, SENSITIVITY_RANK, ActorKind, LinkKind
from graphmodel.settings import parse_store_url, resolve_store_url
from graphmodel.store import Store, open_store
from graphmodel.text import normalise_name
from graphmodel.values import country_alpha3, country_name

from . import bundled, graphview
from .access import LOCAL_VIEWER, Viewer
from .graphview import Filters, GraphView
from .free_text import name_pattern, redact_fields


class DataError(StakemapError):
    """A question the dashboard cannot answer, said in words safe to show the viewer."""


@dataclass
class _Config:
    store_url: str | None = None
    weights_file: str | None = None
    context_file: str | None = None


_config = _Config()
_store: Store | None = None
_store_lock = threading.Lock()
_cache_lock = threading.Lock()
_restricted: OrderedDict[tuple, Projection] = OrderedDict()
_memo: OrderedDict[tuple, Any] = OrderedDict()
_KEEP = 8


def configure(store_url: str | None = None, *, weights_file: str | Path | None = None,
              context_file: str | Path | None = None) -> None:
    """Say which store, influence weights and context table the dashboard uses (closes an open store)."""
    global _store
    with _store_lock:
        if _store is not None:
            _store.close()
            _store = None
        _config.store_url = resolve_store_url(store_url)
        _config.weights_file = str(weights_file) if weights_file else None
        _config.context_file = str(context_file) if context_file else None
    Weights.load(_config.weights_file)  # fail early on a bad file
    with _cache_lock:
        _restricted.clear()
        _memo.clear()


def store() -> Store:
    """The open store (opened on first use; shared by all requests)."""
    global _store
    with _store_lock:
        if _store is None:
            _store = open_store(_config.store_url, create=False)
        return _store


def store_label() -> str:
    """The store URL without secrets."""
    return parse_store_url(resolve_store_url(_config.store_url)).display


def weights() -> Weights:
    """The influence weights in use."""
    return _memoised(("weights", _config.weights_file), lambda: Weights.load(_config.weights_file))


def _memoised(key: tuple, build):
    with _cache_lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
    value = build()
    with _cache_lock:
        _memo[key] = value
        while len(_memo) > 64:
            _memo.popitem(last=False)
    return value


# -- the viewer's map --------------------------------------------------------------------
def projection(viewer: Viewer) -> Projection:
    """The map as ``viewer`` may see it: above-clearance records and (unless allowed) people removed."""
    full = get_projection(store())
    key = (id(full), full.fingerprint, viewer.key)
    with _cache_lock:
        hit = _restricted.get(key)
        if hit is not None:
            _restricted.move_to_end(key)
            return hit
    proj = restrict(full, viewer)
    with _cache_lock:
        _restricted[key] = proj
        while len(_restricted) > _KEEP:
            _restricted.popitem(last=False)
    return proj


def restrict(proj: Projection, viewer: Viewer) -> Projection:
    """``proj`` without what ``viewer`` may not see. People are hidden, not *removed*: a removed
    actor would be named in results' ``without`` lists."""
    actors, links = _seen_by(proj, viewer)
    return proj.subset(actors, links, clearance=SENSITIVITY_RANK[viewer.clearance])


def _seen_by(proj: Projection, viewer: Viewer) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the actors and links of ``proj`` that ``viewer`` may see (the exports' clearance rule)."""
    from graphmodel.export import Clearance
    from graphmodel.export.projected import visible
    from graphmodel.export.selection import LinkFilter

    return visible(proj, Clearance(viewer.clearance, viewer.include_people), LinkFilter())


def _visible(proj: Projection, actor_id: str | None) -> int | None:
    if not actor_id:
        return None
    i = proj.index.get(actor_id)
    return i if i is not None and proj.active[i] else None


def fingerprint() -> str:
    return store().fingerprint()


# -- actors ---------------------------------------------------------------------------------
def label(ref: dict[str, Any]) -> str:
    """How an actor is named in pickers: ``Name (kind, country)``."""
    bits = [ACTOR_SPECS[ActorKind(ref["kind"])].label.lower()]
    if ref.get("country"):
        bits.append(ref["country"])
    return f"{ref['name']} ({', '.join(bits)})"


def option(ref: dict[str, Any]) -> dict[str, str]:
    """A dropdown option for an actor (labels are plain text)."""
    return {"label": label(ref), "value": ref["id"]}


def search(viewer: Viewer, text: str, limit: int = 12) -> list[dict[str, Any]]:
    """Visible actors whose name or alias contains ``text``, best first."""
    text = (text or "").strip()
    if len(normalise_name(text)) < 2:
        return []
    proj = projection(viewer)
    out = []
    for actor in store().search_actors(text, limit=limit * 3 + 10):
        i = _visible(proj, actor.id)
        if i is not None:
            out.append(proj.actor_ref(i))
        if len(out) >= limit:
            break
    return out


def refs(viewer: Viewer, actor_ids: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    """``{"id", "name", "kind", "country"}`` of the given actors that the viewer may see, in order."""
    proj = projection(viewer)
    return [proj.actor_ref(i) for a in actor_ids if (i := _visible(proj, a)) is not None]


def resolve(viewer: Viewer, text: str | None) -> str | None:
    """The id of the one visible actor ``text`` names (id, name, alias or identifier), else ``None``."""
    if not text:
        return None
    proj = projection(viewer)
    if _visible(proj, text) is not None:
        return text
    found = [a.id for a in store().find_actors(text) if _visible(proj, a.id) is not None]
    return found[0] if len(found) == 1 else None


def resolve_all(viewer: Viewer, texts: list[str] | tuple[str, ...]) -> list[str]:
    """:func:`resolve` each, dropping what names no visible actor."""
    return list(dict.fromkeys(i for t in texts if (i := resolve(viewer, t))))


def funders(viewer: Viewer, limit: int = 150) -> list[dict[str, Any]]:
    """Actors that fund someone, those with most grants first."""
    proj = projection(viewer)
    funds = proj.link_kind == LINK_KINDS.index(LinkKind.FUNDS)
    if not funds.any():
        return []
    who, counts = np.unique(proj.src[funds], return_counts=True)
    order = np.lexsort((proj.actor_ids[who].astype(str), -counts))[:limit]
    return [proj.actor_ref(int(who[k])) for k in order]


def sources_index() -> dict[str, dict[str, Any]]:
    """Every source by id (documents and datasets), cached per store content."""
    def build():
        return {s.id: s.model_dump(mode="json", exclude_none=True) for s in store().sources()}
    return _memoised(("sources", fingerprint()), build)


def cite(citations: list[dict[str, Any]], viewer: Viewer) -> list[dict[str, Any]]:
    """Citations with their source's title, author, year and address filled in, free text as the viewer
    may see it (:mod:`dashboard.free_text`)."""
    index = sources_index()
    hidden = hidden_names(viewer)
    out = []
    for c in citations:
        src = index.get(c.get("source"), {})
        out.append(redact_fields({**c, "title": src.get("title") or c.get("source"), "year": src.get("year"),
                                  "publisher": src.get("publisher"), "author": src.get("author"),
                                  "url": src.get("url")}, hidden, authors=viewer.include_people))
    return out


def hidden_names(viewer: Viewer):
    """A pattern of the names and aliases of the people in the map this viewer may not see."""
    def build():
        full = get_projection(store())
        person = ACTOR_KINDS.index(ActorKind.PERSON)
        mask_rows = full.kind == person
        if viewer.include_people:
            mask_rows &= full.actor_sensitivity > viewer.rank
        ids = full.actor_ids[mask_rows].tolist()
        people = store().get_actors(ids).values() if ids else []
        return name_pattern([n for a in people for n in (a.name, *a.aliases)])
    return _memoised(("hidden-names", fingerprint(), viewer.key), build)


# -- overview ---------------------------------------------------------------------------------
def overview(viewer: Viewer) -> dict[str, Any]:
    """What the map holds for this viewer: counts by kind, country, link kind and origin, and freshness."""
    proj = projection(viewer)
    administers = viewer.role == "admin" or viewer is LOCAL_VIEWER
    return _memoised(("overview", id(proj), proj.fingerprint, viewer.key, administers), lambda: _overview(proj, viewer))


def _overview(proj: Projection, viewer: Viewer) -> dict[str, Any]:
    active = proj.active
    kinds = np.bincount(proj.kind[active], minlength=len(ACTOR_KINDS))
    codes = proj.country[active]
    by_country = Counter({proj.countries[c]: int(n) for c, n in enumerate(np.bincount(codes[codes >= 0],
                                                                                   minlength=len(proj.countries)))
                          if n})
    links = np.bincount(proj.link_kind, minlength=len(LINK_KINDS))
    conf = np.bincount(proj.confidence, minlength=len(CONFIDENCES))
    years = graphview.year_range(proj)
    st = store().stats()
    index = sources_index()
    origins = set(st.records_by_origin)
    # an origin whose every record is withheld from this viewer is not shown, named or counted
    counted = [o for o in _origin_counts(proj, viewer, st.records_by_origin)
               if o["actors"] is None or o["actors"] or o["links"]]
    visible = {o["origin"] for o in counted}
    datasets = [s for s in index.values() if s["id"] in visible]
    shown = _documents_shown(viewer, [i for i in index if i not in origins])
    hidden = hidden_names(viewer)
    documents = [redact_fields(s, hidden, authors=viewer.include_people) for s in index.values() if s["id"] in shown]
    return {
        "actors": int(active.sum()), "links": int(proj.n_links),
        "actors_by_kind": {ACTOR_KINDS[k].value: int(n) for k, n in enumerate(kinds) if n},
        "actors_by_country": dict(by_country.most_common()),
        "no_country": int((codes < 0).sum()),
        "links_by_kind": {LINK_KINDS[k].value: int(n) for k, n in enumerate(links) if n},
        "links_by_confidence": {CONFIDENCES[k].value: int(n) for k, n in enumerate(conf) if n},
        "origins": counted,
        "datasets": sorted(datasets, key=lambda s: s["id"]),
        # the reconciliation ledgers count every record of a file, withheld ones too: administrators only
        "ledgers": {d["id"]: json.loads(d["ledger"]) for d in datasets if d.get("ledger")}
        if viewer.role == "admin" or viewer is LOCAL_VIEWER else {},
        "documents": sorted(documents, key=lambda s: (-(s.get("year") or 0), s["id"])),
        "last_write": st.last_write,
        "years": list(years) if years else None,
        # where the store lives on the server is for its administrators (and a local user) only
        "store": store_label() if viewer.role == "admin" or viewer is LOCAL_VIEWER else "this server's map",
    }


def _documents_shown(viewer: Viewer, documents: list[str]) -> set[str]:
    """The documents cited by at least one record the viewer may see: a document cited only by
    withheld records (a report on a detained organiser, say) is not listed, named or counted."""
    if not documents:
        return set()
    full = get_projection(store())
    actors, links = _seen_by(full, viewer)
    hidden_actors = set(full.actor_ids[full.active & ~actors].tolist())
    hidden_links = set(full.link_ids[~links].tolist())
    return {doc for doc, (actors, links) in store().citing(documents).items()
            if actors - hidden_actors or links - hidden_links}


_MAX_LOOKUPS = 20_000


def _origin_counts(proj: Projection, viewer: Viewer, claimed: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """Actors and links each origin (ingested dataset or file) contributes that the viewer may see.

    The store counts every claim; the claims on withheld records are taken off,
    one lookup each (only the counts are returned). When there are too many to
    look up, counts are left out rather than shown wrong.
    """
    full = get_projection(store())
    if full.n_actors != proj.n_actors:  # the store changed in between: count nothing rather than wrongly
        return [{"origin": o, "title": o, "actors": None, "links": None} for o in claimed]
    hidden_actors = np.nonzero(~proj.active & full.active)[0]
    shown = proj.active
    hidden_links = full.link_ids[(full.link_sensitivity > viewer.rank) | ~shown[full.src] | ~shown[full.dst]].tolist()
    exact = len(hidden_actors) + len(hidden_links) <= _MAX_LOOKUPS
    counts = {o: dict(c) for o, c in claimed.items()}
    if exact:
        st = store()
        for i in hidden_actors.tolist():
            for origin in st.origins_of(full.actor_ids[i]):
                if origin in counts:
                    counts[origin]["actors"] = counts[origin].get("actors", 0) - 1
        for link_id in hidden_links:
            for origin in st.origins_of(link_id):
                if origin in counts:
                    counts[origin]["links"] = counts[origin].get("links", 0) - 1
    index = sources_index()
    out = []
    for origin, c in counts.items():
        src = index.get(origin, {})
        out.append({"origin": origin, "title": src.get("title") or origin, "publisher": src.get("publisher"),
                    "licence": src.get("licence"), "year": src.get("year"),
                    "actors": max(c.get("actors", 0), 0) if exact else None,
                    "links": max(c.get("links", 0), 0) if exact else None})
    return out


# -- explore ------------------------------------------------------------------------------------
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


# -- the three questions, and brokers --------------------------------------------------------------
def _need(proj: Projection, actor_id: str | None, role: str) -> None:
    if _visible(proj, actor_id) is None:
        raise DataError(f"Choose {role}: no actor with that id is on the map.")


def _cited_paths(paths: list[dict[str, Any]], viewer: Viewer) -> None:
    for p in paths:
        if p:
            for hop in p["hops"]:
                hop["sources"] = cite(hop.get("sources", []), viewer)


def paths(viewer: Viewer, source: str | None, target: str | None, k: int = 5, max_hops: int = 6,
          kinds: list[str] | None = None, include_inferred: bool = False) -> dict[str, Any]:
    """The ``k`` strongest influence paths, each hop explained and cited."""
    proj = projection(viewer)
    _need(proj, source, "where the paths start")
    _need(proj, target, "where the paths end")
    result = influence_paths(proj, source, target, k=k, max_hops=max_hops, kinds=kinds or None,
                             weights=weights(), include_inferred=include_inferred).as_dict()
    _cited_paths(result["paths"], viewer)
    return result


def leverage(viewer: Viewer, target: str | None, side: list[str] | tuple[str, ...] = (), top: int = 10,
             max_hops: int = 4, include_inferred: bool = False) -> dict[str, Any]:
    """Leverage points over ``target`` from ``side``, with both paths of each, and the chokepoints."""
    proj = projection(viewer)
    _need(proj, target, "a target")
    side = [s for s in side if _visible(proj, s) is not None and s != target]
    result = _leverage(proj, target, from_ids=side, top=top, max_hops=max_hops, weights=weights(),
                       include_inferred=include_inferred).as_dict()
    for entry in result["leverage"]:
        _cited_paths([entry["paths"]["reach"], entry["paths"]["pressure"]], viewer)
    return result


def context_table(column: str | None = None):
    """The context table coverage gaps are found against (``None`` when there is none)."""
    path = _config.context_file or bundled.context_table()
    if not path:
        return None
    key = ("context", str(path), column)
    try:
        return _memoised(key, lambda: read_context(path, column))
    except StakemapError:
        return None


def coverage(viewer: Viewer, funder: str | None, max_hops: int = 6, column: str | None = None,
             listed: int = 500) -> dict[str, Any]:
    """What ``funder``'s money reaches: actors, countries (with ISO alpha-3 for the map), gaps, overlaps."""
    proj = projection(viewer)
    _need(proj, funder, "a funder")
    context = context_table(column or bundled.CONTEXT_COLUMN)
    result = _coverage(proj, funder, context=context, max_hops=max_hops, limit_actors=listed).as_dict()
    names = {}
    for r in result["reached"]:
        for a in r["path"]:
            if a not in names and (i := _visible(proj, a)) is not None:
                names[a] = proj.actor_ref(i)
    result["path_actors"] = names
    for c in result["countries"]:
        c["alpha3"] = country_alpha3(c["country"]) if c["country"] else None
        c["name"] = country_name(c["country"]) if c["country"] else "(no country)"
    for g in result["gaps"]:
        g["name"] = country_name(g["country"])
    result["listed"] = listed
    result["context_columns"] = context.numeric_columns if context is not None else []
    return result


def brokers(viewer: Viewer, by: str = "kind", top: int = 15, points: int = 300) -> dict[str, Any]:
    """Brokerage roles of the top brokers, and a power/engagement map of the most powerful actors."""
    proj = projection(viewer)
    key = ("brokers", id(proj), proj.fingerprint, by, top, points, weights().digest)
    return _memoised(key, lambda: _brokers(proj, by, top, points))


def _brokers(proj: Projection, by: str, top: int, points: int) -> dict[str, Any]:
    result = brokerage(proj, by=by, top=top).as_dict()
    scores = brokerage_scores(proj, by)
    power = influence_power(proj)
    interest = engagement(proj)
    active = proj.active & (graphview.degrees(proj) > 0)
    ranked = np.nonzero(active)[0]
    ranked = ranked[np.lexsort((proj.actor_ids[ranked].astype(str), -power[ranked]))][:points]
    chosen = list(dict.fromkeys([*ranked.tolist(), *(proj.index[b["actor"]["id"]] for b in result["brokers"])]))
    across = scores.roles[:, 1:].sum(axis=1)
    result["points"] = [{**proj.actor_ref(i), "power": float(power[i]), "interest": float(interest[i]),
                         "brokerage": int(across[i]), "degree": int(scores.degree[i])} for i in chosen]
    result["weights"] = weights().describe()
    return result


#: Kinds whose ties count as engagement with labour rights on the Brokers map.
LABOUR_SIDE = frozenset({ActorKind.GUF, ActorKind.INTERNATIONAL_CONFEDERATION, ActorKind.NATIONAL_CENTRE,
                         ActorKind.UNION, ActorKind.WORKER_ORGANISATION, ActorKind.NGO, ActorKind.SSO,
                         ActorKind.CAMPAIGN, ActorKind.AGREEMENT})


def influence_power(proj: Projection) -> np.ndarray:
    """Each actor's power: the summed strength of the influence it has over its direct contacts."""
    w = weights()
    g = influence_graph(proj, w)
    return proj.cached(("dashboard", "power", w.digest),
                       lambda: np.bincount(g.arcs()[0], weights=g.strength, minlength=proj.n_actors))


def engagement(proj: Projection) -> np.ndarray:
    """Each actor's engagement: the share of its links that tie it to the labour side."""
    def build():
        side = np.isin(proj.kind, [ACTOR_KINDS.index(k) for k in LABOUR_SIDE])
        n = proj.n_actors
        hits = np.bincount(proj.src, weights=side[proj.dst], minlength=n) + np.bincount(
            proj.dst, weights=side[proj.src], minlength=n)
        deg = np.bincount(proj.src, minlength=n) + np.bincount(proj.dst, minlength=n)
        return np.divide(hits, deg, out=np.zeros(n), where=deg > 0)
    return proj.cached(("dashboard", "engagement"), build)


# -- export -------------------------------------------------------------------------------------------
#: Largest subgraph the dashboard writes (the command line has no such limit).
MAX_EXPORT_ACTORS = 50_000


def export_selection(viewer: Viewer, query: str):
    """The :class:`~graphmodel.export.Selection` a query describes, with actors resolved to ids the
    viewer may see and the viewer's clearance (never the query's)."""
    from pydantic import ValidationError

    from graphmodel.export import Selection
    from graphmodel.export.selection import LeverageQuery, PathQuery

    try:
        sel = Selection.from_query(query or "")
    except (ValidationError, StakemapError, ValueError) as exc:
        raise DataError(f"This selection cannot be read: {_first_line(exc)}") from None

    def one(ref: str) -> str:
        found = resolve(viewer, ref)
        if found is None:
            raise DataError(f"No single actor on the map matches {ref!r}.")
        return found

    update: dict[str, Any] = {
        "around": [one(r) for r in sel.around],
        "paths": [PathQuery(source=one(p.source), target=one(p.target)) for p in sel.paths],
        "coverage": [one(r) for r in sel.coverage],
        "leverage": (LeverageQuery(target=one(sel.leverage.target), side=[one(s) for s in sel.leverage.side],
                                   top=sel.leverage.top) if sel.leverage else None),
        "clearance": viewer.clearance, "include_people": viewer.include_people,
        "weights": _config.weights_file,
    }
    sel = sel.model_copy(update=update)
    if sel.is_whole_store:
        raise DataError("Choose where to start: actors, paths, a funder's coverage or a leverage target.")
    return sel


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def select(viewer: Viewer, query: str):
    """The subgraph a query selects, as the viewer may see it."""
    return _select(viewer, export_selection(viewer, query))


_BY_THE_DASHBOARD = "coverage and leverage were selected by the dashboard: their actors and the links among them"


def _parts(viewer: Viewer, sel):
    """``(engine, analysed)``: the part of a selection the export engine makes (around and paths; ``None``
    when there is none) and, when the selection asks for coverage or leverage (which the engine cannot
    make yet), the actors the dashboard's analyses reach as a selection of its own (hops 0)."""
    if not (sel.coverage or sel.leverage):
        return sel, None
    ids: set[str] = set(sel.coverage)
    for funder in sel.coverage:
        ids.update(a for r in coverage(viewer, funder, listed=2000)["reached"] for a in r["path"])
    if sel.leverage:
        ids.add(sel.leverage.target)
        for e in leverage(viewer, sel.leverage.target, sel.leverage.side, top=sel.leverage.top)["leverage"]:
            ids.update(a["id"] for p in (e["paths"]["reach"], e["paths"]["pressure"]) if p for a in p["actors"])
    engine = sel.model_copy(update={"coverage": [], "leverage": None})
    analysed = engine.model_copy(update={"around": sorted(ids), "hops": 0, "paths": []})
    return (None if engine.is_whole_store else engine), analysed


def _make(viewer: Viewer, sel):
    from graphmodel.export import SelectionError, select_subgraph

    try:
        return select_subgraph(store(), sel, projection=projection(viewer))
    except SelectionError:
        raise DataError("This selection cannot be made on the map you can see.") from None
    except StakemapError:  # e.g. paths from an actor to itself: say so without details
        raise DataError("This selection cannot be made: check that the actors of a path differ.") from None


def _select(viewer: Viewer, sel):
    """The parts of a selection (see :func:`_parts`) made and united."""
    engine, analysed = _parts(viewer, sel)
    made = [_make(viewer, part) for part in (engine, analysed) if part is not None]
    found = made[0]
    for other in made[1:]:
        found.add(other)
        found.seeds.update(other.seeds)
        found.notes += other.notes
        found.weights = found.weights or other.weights
        cited = {s.id for s in (*found.sources, *other.sources)}
        found.sources = [s for s in store().sources() if s.id in cited]
    found.selection = sel
    if analysed is not None:
        found.notes.append(_BY_THE_DASHBOARD)
    return found


def export_preview(viewer: Viewer, query: str) -> dict[str, Any]:
    """How many actors, links and sources a query selects (what the download will hold).

    Neighbourhoods are counted on the viewer's projection, reading no records (around a hub of a
    large map, the difference between seconds and milliseconds); only paths are made."""
    sel = export_selection(viewer, query)
    return _memoised(("preview", fingerprint(), viewer.key, sel.to_query()), lambda: _preview(viewer, sel))


def _preview(viewer: Viewer, sel) -> dict[str, Any]:
    from graphmodel.export.projected import Tally
    from graphmodel.export.selection import ActorFilter, LinkFilter

    proj = projection(viewer)
    engine, analysed = _parts(viewer, sel)
    tally, notes = Tally(), []
    if engine is not None:
        if engine.around:
            tally.add_around(proj, engine.around, engine.hops, engine.clearance_of, LinkFilter.of(engine))
        named = set(engine.around)
        if engine.paths:
            paths = _make(viewer, engine.model_copy(update={"around": [], "kinds": [], "countries": []}))
            tally.add_subgraph(paths)
            named.update(paths.seeds.values())
            notes += paths.notes
        tally.prune(proj, ActorFilter.of(engine), named)
    if analysed is not None:
        more = Tally()
        more.add_around(proj, analysed.around, 0, analysed.clearance_of, LinkFilter.of(analysed))
        tally.unite(more)
        notes.append(_BY_THE_DASHBOARD)
    cited = store().cited_sources(list(tally.actors), list(tally.links))
    return {"actors": len(tally.actors), "links": len(tally.links),
            "sources": sum(1 for s in store().sources() if s.id in cited), "kinds": tally.kinds(proj),
            "notes": notes, "command": sel.to_command("FORMAT")}


def export_file(viewer: Viewer, query: str, fmt: str) -> tuple[str, bytes]:
    """``(file name, content)`` of the export of a query in format ``fmt``, with its manifest."""
    from graphmodel.export import EXPORT_FORMATS, build_manifest, export_bytes

    if not viewer.can_export:
        raise DataError("You may not export from this map.")
    spec = EXPORT_FORMATS.get(fmt)
    if spec is None:
        raise DataError("Choose one of the export formats offered.")
    found = select(viewer, query)
    if len(found.actors) > MAX_EXPORT_ACTORS:
        raise DataError(f"This selection holds {len(found.actors):,} actors, more than the dashboard exports "
                        f"({MAX_EXPORT_ACTORS:,}); use 'stakemap export' for it.")
    manifest = build_manifest(found, fmt=spec.name, store=store(), dashboard_query=found.selection.to_query())
    # the server's file system is not the downloader's business: the map is named, not located
    if manifest.get("store"):
        manifest["store"]["url"] = "the dashboard's map"
    # what was withheld is not even counted for the viewer
    manifest["redacted"] = {"clearance": viewer.clearance.value, "include_people": viewer.include_people}
    try:
        content = export_bytes(found, spec.name, manifest)
    except ImportError as exc:
        raise DataError(f"The {spec.name} format needs a package that is not installed ({exc.name}).") from None
    except StakemapError as exc:  # e.g. a picture format whose library is missing: said on the page
        raise DataError(exc.message) from None
    return f"stakemap-export{spec.extension}", content


def warm(viewer: Viewer, *, background: bool = True) -> threading.Thread | None:
    """Build the projection, the viewer's copy, the overview and the examples now (before the first
    request); then, in a background thread unless ``background`` is false, the brokerage scores (the
    slowest to compute: seconds on a large map)."""
    proj = projection(viewer)
    influence_graph(proj, weights())
    adjacency(proj)
    overview(viewer)
    choices(viewer)
    examples(viewer)

    def slow() -> None:
        try:
            brokers(viewer)
        except StakemapError:  # nothing to warm on an odd map; the page will say why
            pass

    if not background:
        slow()
        return None
    thread = threading.Thread(target=slow, name="stakemap-warm", daemon=True)
    thread.start()
    return thread


def examples(viewer: Viewer) -> dict[str, dict[str, Any]]:
    """A worked example for each of the three questions, picked from the map itself."""
    proj = projection(viewer)
    return _memoised(("examples", id(proj), proj.fingerprint), lambda: _examples(viewer, proj))


def _examples(viewer: Viewer, proj: Projection) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    ranked = funders(viewer, limit=50)
    top = [f for f in ranked if f["kind"] == ActorKind.SSO.value] or ranked  # solidarity support organisations first
    if top:
        funder = top[0]
        out["coverage"] = {"funder": funder}
        reached = coverage(viewer, funder["id"], listed=200)["reached"]
        far = [r for r in reached if ActorKind(r["actor"]["kind"]) in LABOUR_SIDE - {ActorKind.SSO}]
        if far:
            best = max(far, key=lambda r: (r["hops"], r["share"]))
            out["paths"] = {"from": funder, "to": best["actor"]}
    pressed = np.isin(proj.link_kind, [LINK_KINDS.index(LinkKind.SANCTIONS), LINK_KINDS.index(LinkKind.TARGETS)])
    if pressed.any():
        who, counts = np.unique(proj.dst[pressed], return_counts=True)
        sanctioned = np.isin(who, proj.dst[proj.link_kind == LINK_KINDS.index(LinkKind.SANCTIONS)])
        k = int(np.lexsort((proj.actor_ids[who].astype(str), -counts, ~sanctioned))[0])
        target = proj.actor_ref(int(who[k]))
        side = proj.src[pressed & (proj.dst == who[k])]
        campaigners = [proj.actor_ref(int(i)) for i in np.unique(side)]
        out["leverage"] = {"target": target, "side": campaigners[:1]}
    return out
