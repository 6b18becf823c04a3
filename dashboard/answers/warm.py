"""Answers prepared for the app factory, in the background while the server listens: what the first
page (the overview) shows, its worked examples, the influence graph, Explore's choices and the brokers.
A page asking for one of them while it is being prepared waits for that preparation (each is built once
per viewer and store content)."""

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
    """Prepare, in a background thread unless ``background`` is false: the overview and its examples
    (computed on new store content, read as saved beside the projection on later starts), the viewer's
    copy of the projection, the influence graph, the neighbour lists, Explore's choices and the brokerage
    scores (seconds each on a large map). The server listens meanwhile; a page asking for one of them
    waits for its preparation."""

    def slow() -> None:
        overview(viewer)
        examples(viewer)
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
