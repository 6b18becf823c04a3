"""The Coverage page's question: what a funder's money reaches, where, and the gaps against a context table;
and which funders to offer (on Coverage and Export)."""

from __future__ import annotations

from typing import Any

import numpy as np

from graphmodel.analysis import coverage as _coverage, read_context
from graphmodel.analysis.projection import LINK_KINDS
from graphmodel.errors import StakemapError
from graphmodel.figures.coverage import described
from graphmodel.kinds import LinkKind

from .. import bundled
from ..access import Viewer
from ..mapdata import _config, _memoised, _need, projection


def funders(viewer: Viewer, limit: int = 150) -> list[dict[str, Any]]:
    """Actors that fund someone, those with most grants first."""
    proj = projection(viewer)
    funds = proj.link_kind == LINK_KINDS.index(LinkKind.FUNDS)
    if not funds.any():
        return []
    who, counts = np.unique(proj.src[funds], return_counts=True)
    order = np.lexsort((proj.actor_ids[who].astype(str), -counts))[:limit]
    return [proj.actor_ref(int(who[k])) for k in order]


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
    described(result, proj)
    result["listed"] = listed
    result["context_columns"] = context.numeric_columns if context is not None else []
    return result
