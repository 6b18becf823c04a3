"""Answers prepared before the first request, for the app factory: the viewer's map and what the first
page (the overview) shows at once; the influence graph, Explore's choices and the brokers in the
background, so that the server listens as soon as the first page is ready."""

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
    """Open the projection and prepare the viewer's copy, the overview and its examples now, before the
    first request (the overview and examples are read as saved beside the projection when the store's
    content is the one they were computed for); then, in a background thread unless ``background`` is
    false, the influence graph, the neighbour lists, Explore's choices and the brokerage scores (the
    slowest to compute: seconds on a large map)."""
    proj = projection(viewer)
    overview(viewer)
    examples(viewer)

    def slow() -> None:
        influence_graph(proj, weights())
        adjacency(proj)
        choices(viewer)
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
