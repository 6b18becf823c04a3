"""The Export page's questions, and every page's "Download this view" bar: the subgraph a selection
describes, as the viewer may see it, how much it holds, and the file it makes."""

from __future__ import annotations

from typing import Any

from graphmodel.errors import StakemapError

from ..access import Viewer
from ..mapdata import DataError, _config, _memoised, fingerprint, projection, store
from .coverage import coverage
from .leverage import leverage
from .search import resolve


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
