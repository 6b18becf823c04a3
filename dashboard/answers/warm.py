"""Answers prepared before the first request, for the app factory: the viewer's map, the overview,
Explore's choices and the examples at once, the brokers in the background."""

from __future__ import annotations

import threading

from graphmodel.analysis import influence_graph
from graphmodel.analysis.projection import adjacency
from graphmodel.errors import StakemapError

from ..access import Viewer
from ..mapdata import projection, weights
from .brokers import brokers
from .explore import choices
from .overview import examples, overview


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
