"""Stakemap from Python: open a map, read it as pandas DataFrames or a networkx graph, ask the analyses.

>>> import stakemap
>>> m = stakemap.open("sqlite:///:memory:", create=True)
>>> report = m.ingest([stakemap.bundled("seed")])
>>> report.rejected, m.stats().actors == m.to_networkx().number_of_nodes()
(0, True)
>>> m.actors(kind="sso")["name"].head(2).tolist()
['Friedrich-Ebert-Stiftung', 'FNV Mondiaal']
>>> m.paths("Labour Action China", "Baselworld").paths[0].strength_word
'strong'
>>> m.close()

Everything a :class:`Map` returns holds only what its clearance shows (:mod:`stakemap.clearance`): the
default is the command line's (everything in a store one opens oneself); ``clearance="public"`` or
``"internal"`` leaves out records above it and people, everywhere: in tables, graphs, analyses, counts, and
in the close matches an unknown name gets (a withheld actor is unknown, exactly like a missing one). The
command line runs the same functions (:mod:`stakemap.questions`, :mod:`stakemap.counts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphmodel.analysis.schema import BrokersAnswer, CoverageAnswer, LeverageAnswer, PathsAnswer
from graphmodel.errors import InputError, StakemapError
from graphmodel.export.redaction import Clearance
from graphmodel.models import Actor

from . import frames
from .clearance import FULL, clearance_of
from .counts import MapStats, map_stats
from .questions import ask_brokers, ask_coverage, ask_leverage, ask_paths, resolve
from .submap import SubMap, select

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import pandas as pd

    from ingest.run import IngestReport


def open(url: str | Path | None = None, *, clearance: str | Clearance = "restricted",  # noqa: A001
         include_people: bool | None = None, create: bool = False) -> "Map":
    """Open the map at ``url``: ``sqlite:///file.db``, a file path, or ``bolt://user@host:7687/db`` (the
    password from ``STAKEMAP_NEO4J_PASSWORD``); ``None`` for ``STAKEMAP_STORE`` or ``./stakemap.db``.

    ``clearance`` (``public``, ``internal`` or ``restricted``, the default) is the most sensitive record shown;
    people are shown at ``restricted`` and left out below it unless ``include_people`` says otherwise.
    ``create`` makes an empty SQLite store where none is (to ingest into).

    >>> import stakemap
    >>> with stakemap.open("sqlite:///:memory:", create=True, clearance="public") as m:
    ...     m.clearance.as_dict()
    {'clearance': 'public', 'include_people': False}
    """
    from graphmodel.store import open_store

    level = clearance_of(clearance, include_people)
    return Map(open_store(None if url is None else str(url), create=create), clearance=level)


def bundled(name: str = "seed") -> Path:
    """The folder of a bundled dataset (``seed``, ``demo``) or file (``reference/migrant_workers.csv``).

    >>> bundled("seed").name
    'seed'
    """
    from dashboard.bundled import data_dir

    root = data_dir()
    path = root / name if root is not None else None
    if path is None or not path.exists():
        raise InputError(f"no bundled data named {name!r}",
                         hint="set STAKEMAP_DATA to the folder holding seed/, demo/ and reference/")
    return path


class Map:
    """A Stakemap store as one clearance sees it. Close it (or use ``with``) when done."""

    def __init__(self, store: Any, *, clearance: Clearance = FULL) -> None:
        self.store = store
        self.clearance = clearance

    # -- lifetime ---------------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> "Map":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        c = self.clearance
        return f"<stakemap.Map {self.store.url} clearance={c.level.value} people={'yes' if c.include_people else 'no'}>"

    # -- records ----------------------------------------------------------------------------------------
    def actor(self, ref: str) -> Actor:
        """The actor an id, name, alias or ``scheme:identifier`` names; :class:`~graphmodel.errors.NotFoundError`
        (with ``suggestions``) when none the clearance shows does, ``AmbiguousError`` when several do.

        >>> import stakemap
        >>> with stakemap.open("sqlite:///:memory:", create=True) as m:
        ...     _ = m.ingest([stakemap.bundled("seed")])
        ...     m.actor("LAC").name
        'Labour Action China'
        """
        return resolve(self.store, ref, self.clearance)

    def actors(self, kind: str | Iterable[str] | None = None, country: str | Iterable[str] | None = None,
               origin: str | Iterable[str] | None = None, *, with_origins: bool = False) -> "pd.DataFrame":
        """The actors the clearance shows, one row each (columns: :data:`stakemap.frames.ACTOR_COLUMNS`).

        ``kind`` and ``country`` (an actor's country or any it works in) take one value, a comma-separated
        list or a list; ``origin`` keeps actors an ingest origin claims. An ``origins`` column is added with
        ``origin`` or ``with_origins`` (one store query per actor: slow over Bolt on large maps).

        >>> import stakemap
        >>> with stakemap.open("sqlite:///:memory:", create=True) as m:
        ...     _ = m.ingest([stakemap.bundled("seed")])
        ...     m.actors(kind="guf,sso", country="NL")["name"].tolist()
        ['FNV Mondiaal']
        """
        kinds, countries = frames.actor_kinds(kind), frames.countries(country)
        wanted = frames.origins_named(origin, self._origins()) if origin is not None else None
        shown = [a for a in self.store.iter_actors() if self.clearance.sees_actor(a)
                 and (kinds is None or a.kind in kinds)
                 and (countries is None or a.country in countries or bool(countries.intersection(a.countries)))]
        origins = self._origins_of(a.id for a in shown) if wanted is not None or with_origins else None
        if wanted is not None:
            shown = [a for a in shown if wanted.intersection(origins[a.id])]
        return frames.actors_frame(shown, origins)

    def links(self, kind: str | Iterable[str] | None = None, origin: str | Iterable[str] | None = None, *,
              confidence: str | Iterable[str] | None = None, as_of: str | None = None,
              with_origins: bool = False) -> "pd.DataFrame":
        """The links the clearance shows (never one to a withheld actor), one row each (columns:
        :data:`stakemap.frames.LINK_COLUMNS`); filters as in :meth:`actors`, plus ``confidence`` and ``as_of``
        (links valid at a partial date: ``2010``, ``2010-06``).

        >>> import stakemap
        >>> with stakemap.open("sqlite:///:memory:", create=True) as m:
        ...     _ = m.ingest([stakemap.bundled("seed")])
        ...     funds = m.links(kind="funds")
        ...     set(funds["kind"]), funds["amount"].dtype.name
        ({'funds'}, 'float64')
        """
        wanted = frames.origins_named(origin, self._origins()) if origin is not None else None
        part = select(self.store, self.clearance, link_kinds=frames.link_kinds(kind),
                      confidence=frames.confidences(confidence), as_of=as_of)
        shown = list(part.subgraph.links.values())
        origins = self._origins_of(lk.id for lk in shown) if wanted is not None or with_origins else None
        if wanted is not None:
            shown = [lk for lk in shown if wanted.intersection(origins[lk.id])]
        return frames.links_frame(shown, origins)

    def subgraph(self, around: str | Iterable[str] | None = None, hops: int = 1, *,
                 kinds: str | Iterable[str] | None = None, countries: str | Iterable[str] | None = None,
                 link_kinds: str | Iterable[str] | None = None, confidence: str | Iterable[str] | None = None,
                 as_of: str | None = None, paths: Iterable[tuple[str, str]] | None = None, k: int = 5,
                 max_hops: int = 4, weights: str | Path | None = None) -> SubMap:
        """A part of the map chosen as ``stakemap export`` chooses one: actors ``around`` (ids, names or
        aliases) to ``hops`` links, the influence ``paths`` between pairs, united; ``link_kinds``,
        ``confidence`` and ``as_of`` decide which links are followed; ``kinds`` and ``countries`` then prune
        the actors (the named ones stay). Nothing given: the whole map.

        >>> import stakemap
        >>> with stakemap.open("sqlite:///:memory:", create=True) as m:
        ...     _ = m.ingest([stakemap.bundled("seed")])
        ...     part = m.subgraph(around="Baselworld", hops=1)
        ...     G = part.to_networkx()
        ...     "baselworld" in G, len(part.actors()) == G.number_of_nodes()
        (True, True)
        """
        named = [self.actor(ref).id for ref in frames.words(around)]
        pairs = [(self.actor(a).id, self.actor(b).id) for a, b in (paths or [])]
        return select(self.store, self.clearance, around=named, hops=hops, kinds=frames.actor_kinds(kinds),
                      countries=frames.countries(countries), link_kinds=frames.link_kinds(link_kinds),
                      confidence=frames.confidences(confidence), as_of=as_of, paths=pairs, k=k, max_hops=max_hops,
                      weights=weights)

    def to_networkx(self) -> "nx.MultiDiGraph":
        """The whole map the clearance shows as a networkx ``MultiDiGraph``: a node per actor, an edge per link
        keyed by its id, the attributes the GraphML export writes.

        >>> import stakemap
        >>> with stakemap.open("sqlite:///:memory:", create=True) as m:
        ...     _ = m.ingest([stakemap.bundled("seed")])
        ...     G, s = m.to_networkx(), m.stats()
        ...     (G.number_of_nodes(), G.number_of_edges()) == (s.actors, s.links)
        True
        """
        return select(self.store, self.clearance).to_networkx()

    def stats(self) -> MapStats:
        """What ``stakemap stats --json`` prints, counted over what the clearance shows.

        >>> import stakemap
        >>> with stakemap.open("sqlite:///:memory:", create=True) as m:
        ...     _ = m.ingest([stakemap.bundled("seed")])
        ...     full = m.stats()
        >>> full.actors_by_kind["person"] > 0, list(full.records_by_origin)
        (True, ['seed'])
        """
        return map_stats(self.store, self.clearance)

    # -- analyses ---------------------------------------------------------------------------------------
    def paths(self, source: str, target: str, *, k: int = 5, max_hops: int = 6, kinds: Iterable[str] | None = None,
              include_inferred: bool = False, weights: Any = None, without: Iterable[str] | None = None
              ) -> PathsAnswer:
        """``stakemap paths --json``: the ``k`` strongest distinct influence paths from ``source`` to ``target``.

        >>> import stakemap
        >>> with stakemap.open("sqlite:///:memory:", create=True) as m:
        ...     _ = m.ingest([stakemap.bundled("seed")])
        ...     best = m.paths("lac", "baselworld", k=2).paths[0]
        ...     [a.id for a in best.actors], best.hops[0].kind, best.hops[0].sources[0].source
        (['lac', 'baselworld'], 'targets', 'amrc-2010-hk-china-solidarity')
        """
        return ask_paths(self.store, source, target, k=k, max_hops=max_hops, kinds=kinds, weights=weights,
                         include_inferred=include_inferred, without=without, clearance=self.clearance).answer

    def leverage(self, target: str, *, side: Iterable[str] | None = None, top: int = 10, max_hops: int = 4,
                 strong: float = 0.5, include_inferred: bool = False, weights: Any = None,
                 without: Iterable[str] | None = None) -> LeverageAnswer:
        """``stakemap leverage --json``: who can move ``target`` (and how our ``side`` reaches them).

        >>> import stakemap
        >>> with stakemap.open("sqlite:///:memory:", create=True) as m:
        ...     _ = m.ingest([stakemap.bundled("seed")])
        ...     answer = m.leverage("Baselworld", side=["Labour Action China"], top=3)
        ...     answer.target.name, answer.from_[0].id, len(answer.leverage) <= 3
        ('Baselworld', 'lac', True)
        """
        return ask_leverage(self.store, target, side=side, top=top, max_hops=max_hops, strong=strong, weights=weights,
                            include_inferred=include_inferred, without=without, clearance=self.clearance).answer

    def coverage(self, funder: str, *, context: Any = None, context_column: str | None = None, max_hops: int = 6,
                 without: Iterable[str] | None = None) -> CoverageAnswer:
        """``stakemap coverage --json``: what ``funder``'s money reaches; ``context`` is a CSV file (or a read
        table) to find gaps against.

        >>> import stakemap
        >>> with stakemap.open("sqlite:///:memory:", create=True) as m:
        ...     _ = m.ingest([stakemap.bundled("seed")])
        ...     answer = m.coverage("FNV Mondiaal")
        ...     answer.funder.id, answer.reached[0].actor.id, round(sum(c.share for c in answer.countries), 6)
        ('fnv-mondiaal', 'bwi', 1.0)
        """
        return ask_coverage(self.store, funder, context=context, context_column=context_column, max_hops=max_hops,
                            without=without, clearance=self.clearance).answer

    def brokers(self, *, by: str = "kind", top: int = 10, without: Iterable[str] | None = None) -> BrokersAnswer:
        """``stakemap brokers --json``: who bridges groups (``by`` kind or country) that are otherwise apart.

        >>> import stakemap
        >>> with stakemap.open("sqlite:///:memory:", create=True) as m:
        ...     _ = m.ingest([stakemap.bundled("seed")])
        ...     answer = m.brokers(by="country", top=3)
        ...     answer.by, len(answer.brokers), answer.brokers[0].sentence != ""
        ('country', 3, True)
        """
        return ask_brokers(self.store, by=by, top=top, without=without, clearance=self.clearance).answer

    # -- writing ----------------------------------------------------------------------------------------
    def ingest(self, paths: str | Path | Iterable[str | Path], *, format: str = "auto",  # noqa: A002
               source: str | None = None, dry_run: bool = False, skip_invalid: bool = False,
               brand: str | None = None, mapping: str | Path | None = None) -> "IngestReport":
        """Load files or dataset folders, all or nothing, as ``stakemap ingest`` does; returns its report
        (``report.as_dict()`` is what ``stakemap ingest --json`` prints). Needs full clearance: the report
        names the actors records merged into, whatever their sensitivity.

        >>> import stakemap
        >>> with stakemap.open("sqlite:///:memory:", create=True) as m:
        ...     report = m.ingest(stakemap.bundled("seed"), dry_run=True)
        ...     report.read == report.imported + report.rejected, m.stats().actors
        (True, 0)
        """
        from ingest.run import run_ingest

        if self.clearance != FULL:
            raise StakemapError(f"this map was opened at clearance {self.clearance.level.value}: ingest needs the "
                                "full clearance", hint="open it with the default clearance to ingest")
        files = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
        options = {k: v for k, v in {"brand": brand, "mapping": Path(mapping) if mapping else None}.items()
                   if v is not None}
        return run_ingest(self.store, files, fmt=format, source=source, dry_run=dry_run, skip_invalid=skip_invalid,
                          options=options)

    # -- helpers ----------------------------------------------------------------------------------------
    def _origins(self) -> list[str]:
        return list(self.store.stats().records_by_origin)

    def _origins_of(self, ids: Iterable[str]) -> dict[str, list[str]]:
        return {i: self.store.origins_of(i) for i in ids}
