"""Every answer the dashboard gives, in one place, for callers that are not pages (tests, benchmarks).

The core lives in :mod:`dashboard.mapdata` (the store, the caches and the map
as a viewer may see it, where the viewer's clearance is applied); the answers
the pages ask for live in :mod:`dashboard.answers`, one module per page or
family of questions. This module names them all again and holds nothing of its
own: the caches, the store and its settings are :mod:`dashboard.mapdata`'s, so
``configure`` here configures the one dashboard. Pages import the module that
answers their question, never this one.
"""

from __future__ import annotations

from graphmodel.analysis import get_projection

from .answers.brokers import LABOUR_SIDE, brokers, engagement, influence_power
from .answers.coverage import context_table, coverage, funders
from .answers.explore import actor_details, choices, graph, group_members, link_details
from .answers.export import MAX_EXPORT_ACTORS, export_file, export_preview, export_selection, select
from .answers.leverage import leverage
from .answers.overview import examples, overview
from .answers.paths import paths
from .answers.search import label, option, refs, resolve, resolve_all, search
from .answers.warm import warm
from .mapdata import (DataError, cite, configure, fingerprint, hidden_names, projection, restrict, sources_index,
                      store, store_label, weights)

__all__ = [
    "DataError", "LABOUR_SIDE", "MAX_EXPORT_ACTORS", "actor_details", "brokers", "choices", "cite", "configure",
    "context_table", "coverage", "engagement", "examples", "export_file", "export_preview", "export_selection",
    "fingerprint", "funders", "get_projection", "graph", "group_members", "hidden_names", "influence_power",
    "label", "leverage", "link_details", "option", "overview", "paths", "projection", "refs", "resolve",
    "resolve_all", "restrict", "search", "select", "sources_index", "store", "store_label", "warm", "weights",
]
