"""The Overview page's questions: what the map holds for the viewer (counts, origins, documents, freshness),
and a worked example of each of the three questions, picked from the map itself."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from graphmodel.analysis import Projection, get_projection
from graphmodel.analysis.projection import ACTOR_KINDS, CONFIDENCES, LINK_KINDS
from graphmodel.kinds import ActorKind, LinkKind

from .. import graphview
from ..access import LOCAL_VIEWER, Viewer
from ..free_text import redact_fields
from ..mapdata import (_memoised, _seen_by, fingerprint, hidden_names, projection, saved_json, sources_index, store,
                       store_label, store_stats)
from .brokers import LABOUR_SIDE
from .coverage import coverage, funders


def overview(viewer: Viewer) -> dict[str, Any]:
    """What the map holds for this viewer: counts by kind, country, link kind and origin, and freshness.
    Counted once per store content and clearance, and saved beside the store's projection (see
    :func:`saved_answer`), since counting a large map takes seconds."""
    administers = viewer.role == "admin" or viewer is LOCAL_VIEWER
    name = f"overview-{'admin' if administers else 'viewer'}"
    return {**saved_answer(name, viewer, lambda: _overview(projection(viewer), viewer)),
            # where the store lives on the server is for its administrators (and a local user) only
            "store": store_label() if administers else "this server's map"}


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
    st = store_stats()
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


def examples(viewer: Viewer) -> dict[str, dict[str, Any]]:
    """A worked example for each of the three questions, picked from the map itself (once per store
    content and clearance, saved as :func:`overview` is)."""
    return saved_answer("examples", viewer, lambda: _examples(viewer, projection(viewer)))


def saved_answer(name: str, viewer: Viewer, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``build()``, kept in memory and saved beside the store's projection under ``name`` and what decides
    what the viewer sees (clearance, people), for the store's content as it is: a later start of the
    dashboard on the same content reads it instead of computing it again. Saved as JSON, so ``build``
    returns plain values (a JSON round trip gives them back equal)."""
    clearance, people = viewer.key
    tag = f"{name}-{clearance}-{'people' if people else 'no-people'}"
    return _memoised(("saved", tag, fingerprint()), lambda: saved_json(store(), tag, build))


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
