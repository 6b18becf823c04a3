"""The Paths page's question: the strongest chains of influence from one actor to another, each hop cited."""

from __future__ import annotations

from typing import Any

from graphmodel.analysis import influence_paths

from ..access import Viewer
from ..mapdata import _cited_paths, _need, projection, weights


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
