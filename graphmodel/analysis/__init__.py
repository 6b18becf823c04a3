"""Analysis: influence paths, leverage points, programme coverage and brokerage.

It imports only graphmodel's kinds, models, values and errors (and reads a store through the contract's
methods): never a store backend, the exporters, ingest or the dashboard.

Pure functions over a :class:`Projection` of a store (numpy columns, built once
per store content). The stable API, for the command line, the dashboard and
the exporters:

Projections
    ``Projection.from_store(store)`` builds one; ``get_projection(store)`` returns
    a cached one, rebuilt only when ``store.fingerprint()`` changes.
    ``Projection.from_records(actors, links)`` builds one from models (tests, notebooks).
    ``proj.restrict("public")`` drops records above a clearance;
    ``proj.without(["actor-id"])`` removes actors (what-if).
    ``proj.position(id)`` / ``proj.actor_ref(i)`` / ``proj.link_ref(j)`` /
    ``proj.citations(link_ids)`` look things up. Functions take actor *ids*:
    resolve what a user typed with :func:`graphmodel.resolve.resolve_actor`.

Weights
    ``Weights.default()`` (from the kinds table), ``Weights.load(path)``,
    ``Weights.from_mapping(dict)``; ``weights.dump_yaml()`` writes an editable
    file; ``weights.describe()`` is what each result reports.

Questions (each result has ``as_dict()`` for JSON, ``compare(before)`` for what-if, and a pydantic
model of that JSON from :func:`graphmodel.analysis.schema.answer_model`)
    ``influence_paths(proj, source_id, target_id, k=5, max_hops=6, kinds=None, weights=None) -> PathsResult``
        ``{"paths": [{"strength", "actors": [{"id", "name", "kind", ...}],
        "hops": [{"source", "target", "kind", "strength", "direction", "link", "start", "end",
        "confidence", "sources": [...], "says"}]}], "weights": {...}, ...}``
    ``leverage(proj, target_id, from_ids=(), top=10, max_hops=4, weights=None, strong=0.5) -> LeverageResult``
        ``{"target", "from", "leverage": [{"actor", "score", "reach", "pressure", "sphere",
        "actor_sphere", "paths": {"reach", "pressure"}}], "by_sphere", "chokepoints": [...], ...}``
    ``coverage(proj, funder_id, context=None, max_hops=6) -> CoverageResult``
        ``{"funder", "reached": [{"actor", "share", "kept", "path", "via", ...}],
        "countries": [{"country", "share", "actors"}], "sectors", "kinds", "gaps", "overlaps",
        "dependence", ...}``; ``context`` from ``read_context(path, column=None)``.
    ``brokerage(proj, by="kind", top=10) -> BrokerageResult``
        ``{"by", "brokers": [{"actor", "group", "roles", "brokerage", "constraint",
        "effective_size", "sentence", "bridges"}], ...}``; whole-map arrays from
        ``brokerage_scores(proj, by)``.
    ``what_if(proj, without_ids, question) -> WhatIf``
        ``question`` is ``lambda p: influence_paths(p, ...)`` or any of the above.

Lower level: ``influence_graph(proj, weights, kinds)`` (the arcs of influence, CSR,
cost ``-log(strength)``), ``k_strongest(graph, s, t, k, max_hops)`` on positions,
``flow(proj, funder, max_hops)`` (raw coverage arrays).

Examples
--------
>>> from graphmodel.analysis import Projection, coverage, influence_paths
>>> from graphmodel.models import Actor, Link
>>> proj = Projection.from_records(
...     [Actor(id="fnv", kind="sso", name="FNV Mondiaal"), Actor(id="bwi", kind="guf", name="BWI")],
...     [Link(kind="funds", source="fnv", target="bwi")])
>>> influence_paths(proj, "fnv", "bwi").as_dict()["paths"][0]["strength"]
0.6
>>> coverage(proj, "fnv").as_dict()["reached"][0]["actor"]["id"]
'bwi'
"""

import sys
import types

from ..lazy import lazy_names

#: Where each public name lives: the modules are imported on first use, so that a command needing
#: paths alone does not import brokerage, coverage or leverage.
_WHERE = {
    "BrokerageResult": "brokerage", "BrokerageScores": "brokerage", "brokerage": "brokerage",
    "brokerage_scores": "brokerage", "ContextTable": "context", "parse_context": "context",
    "read_context": "context", "CoverageResult": "coverage", "coverage": "coverage", "flow": "coverage",
    "InfluenceGraph": "influence", "influence_graph": "influence", "link_strengths": "influence",
    "LeverageResult": "leverage", "leverage": "leverage", "PathsResult": "paths", "influence_paths": "paths",
    "k_strongest": "paths", "Projection": "projection", "clear_projections": "projection_cache",
    "get_projection": "projection_cache", "DEFAULT_WEIGHTS_FILE": "weights", "Weights": "weights",
    "WhatIf": "whatif", "what_if": "whatif",
}

__all__ = sorted(_WHERE)


__getattr__, __dir__ = lazy_names(__name__, _WHERE)


class _Package(types.ModuleType):
    """This package: importing its submodule ``coverage`` (or ``brokerage``, ``leverage``) must not
    replace the function of that name, as the import system would (it sets the submodule as an
    attribute of the package)."""

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and _WHERE.get(name) == name and hasattr(value, name):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
