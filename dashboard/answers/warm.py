"""Answers prepared before the first request, for the app factory: what the first page (the overview)
shows at once; the viewer's map, the influence graph, Explore's choices and the brokers in the
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
    """Prepare the overview and its examples now, before the first request (computed on the viewer's copy
    of the projection, or read as saved for the store's content); then, in a background thread unless
    ``background`` is false, the viewer's copy, the influence graph, the neighbour lists, Explore's
    choices and the brokerage scores (the slowest to compute: seconds on a large map)."""
    overview(viewer)
    examples(viewer)

    def slow() -> None:
        proj = projection(viewer)  # already made, unless the overview and examples were read as saved
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
