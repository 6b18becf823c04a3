"""The Leverage page's question: who can move a target and whom on our side can reach them, with both
paths of each (cited) and the chokepoints."""

from __future__ import annotations

from typing import Any

from graphmodel.analysis import leverage as _leverage

from ..access import Viewer
from ..mapdata import _cited_paths, _need, _visible, projection, weights


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
