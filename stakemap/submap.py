"""A part of the map chosen as ``stakemap export`` chooses one, for a notebook: :class:`SubMap`.

The choosing is the export's (:func:`graphmodel.export.select_subgraph`, redaction first); a
:class:`SubMap` turns the result into DataFrames (:mod:`stakemap.frames`) or a networkx graph with the
GraphML export's attributes (:func:`graphmodel.export.nxgraph.to_networkx`).

>>> from graphmodel.models import Actor, Link
>>> from graphmodel.store import Batch
>>> from graphmodel.store.sqlite import SQLiteStore
>>> from stakemap.clearance import FULL, clearance_of
>>> st = SQLiteStore(":memory:")
>>> _ = st.write(Batch(Source(id="demo", title="Demo"), actors=[
...     Actor(id="fnv", kind="sso", name="FNV Mondiaal"), Actor(id="bwi", kind="guf", name="BWI"),
...     Actor(id="p1", kind="person", name="An organiser")], links=[
...     Link(id="l1", kind="funds", source="fnv", target="bwi"), Link(id="l2", kind="supports", source="p1",
...     target="bwi")]))
>>> part = select(st, FULL, around=["bwi"])
>>> part, sorted(part.to_networkx().edges(keys=True))
(<SubMap 3 actors, 2 links>, [('fnv', 'bwi', 'l1'), ('p1', 'bwi', 'l2')])
>>> part = select(st, clearance_of("internal"), around=["bwi"])
>>> list(part.actors()["id"]), part.withheld["actors_by_reason"]
(['bwi', 'fnv'], {'person': 1})
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphmodel.errors import ConfigError
from graphmodel.export.redaction import Clearance
from graphmodel.export.selection import PathQuery, SelectedSubgraph, Selection
from graphmodel.models import Source

from . import frames

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import pandas as pd


@dataclass
class SubMap:
    """Actors and the links among them, with what chose them (``selection``), the sources they cite and
    counts of what the clearance withheld from the choice (``withheld``)."""

    subgraph: SelectedSubgraph

    def actors(self) -> "pd.DataFrame":
        """One row per actor (columns: :data:`stakemap.frames.ACTOR_COLUMNS`)."""
        return frames.actors_frame(self.subgraph.actors.values())

    def links(self) -> "pd.DataFrame":
        """One row per link (columns: :data:`stakemap.frames.LINK_COLUMNS`)."""
        return frames.links_frame(self.subgraph.links.values())

    def to_networkx(self) -> "nx.MultiDiGraph":
        """A ``MultiDiGraph``: a node per actor, an edge per link keyed by its id, GraphML's attributes."""
        from graphmodel.export.nxgraph import to_networkx

        return to_networkx(self.subgraph, self.subgraph.sources)

    @property
    def selection(self) -> Selection:
        return self.subgraph.selection

    @property
    def sources(self) -> list[Source]:
        """The sources the actors and links cite."""
        return list(self.subgraph.sources)

    @property
    def withheld(self) -> dict[str, Any]:
        """What the clearance left out of this choice, counted by reason (never named)."""
        return self.subgraph.redaction.as_dict()

    @property
    def notes(self) -> list[str]:
        return list(self.subgraph.notes)

    def __repr__(self) -> str:
        return f"<SubMap {len(self.subgraph.actors)} actors, {len(self.subgraph.links)} links>"


def select(store: Any, clearance: Clearance, *, around: Iterable[str] = (), hops: int = 1,
           kinds: Iterable[Any] | None = None, countries: Iterable[str] | None = None,
           link_kinds: Iterable[Any] | None = None, confidence: Iterable[Any] | None = None,
           as_of: str | None = None, paths: Iterable[tuple[str, str]] = (), k: int = 5, max_hops: int = 4,
           weights: str | Path | None = None) -> SubMap:
    """The :class:`SubMap` these choices describe (actors named by id), redacted to ``clearance``."""
    from pydantic import ValidationError

    from graphmodel.export import select_subgraph

    try:
        selection = Selection(
            around=list(around), hops=hops, kinds=sorted(kinds or []), countries=sorted(countries or []),
            link_kinds=sorted(link_kinds or []), confidence=sorted(confidence or []), as_of=as_of,
            paths=[PathQuery(source=a, target=b) for a, b in paths], k=k, max_hops=max_hops,
            weights=str(weights) if weights else None, clearance=clearance.level,
            include_people=clearance.include_people)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"cannot choose that part of the map: {problems}") from None
    return SubMap(select_subgraph(store, selection))
