"""What every format reader gets and gives.

A reader is a function ``read(path, ctx) -> ReadResult``. It validates as it
goes, records every problem in ``ctx`` with the file, row (or element path)
and field, passes each actor through ``ctx.claim`` (entity resolution) before
linking to it, and never writes to the store: the run does that, atomically.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graphmodel.errors import InvalidRecordError, Problem
from graphmodel.kinds import ActorKind, Sensitivity
from graphmodel.models import Actor, Link, Source, check_link_kinds

from .resolution import Resolver


@dataclass
class ReadResult:
    """What one reader made of one file."""

    path: Path
    format: str
    origin: Source
    actors: list[Actor] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    link_rows: list[tuple] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    read: int = 0
    rejected: int = 0
    notes: list[str] = field(default_factory=list)
    merged: int = 0
    #: The file's reconciliation (ingest.ledger.Ledger), when the reader keeps one.
    ledger: Any = None
    #: Records of the file merged into an actor of another id: record id -> actor id.
    merges: dict[str, str] = field(default_factory=dict)

    @property
    def imported(self) -> int:
        return self.read - self.rejected


@dataclass
class ReadContext:
    """Shared by the readers of one run: options, entity resolution, problems."""

    resolver: Resolver
    source_name: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Ids as the input files wrote them -> ids in the map, shared by the files of a run.
    local_ids: dict[str, str] = field(default_factory=dict)

    def problem(self, file: str | Path, row: int | None, column: str | None, message: str,
                hint: str | None = None) -> None:
        self.problems.append(Problem(str(file), row, column, message, hint))

    def claim(self, actor: Actor) -> Actor:
        return self.resolver.claim(actor)

    def lookup(self, ref: str) -> str | None:
        return self.resolver.lookup(ref)

    def kind_of(self, actor_id: str) -> ActorKind | None:
        return self.resolver.kind_of(actor_id)

    def check_link(self, link: Link, file: str | Path, row: int | None) -> bool:
        """Check a link's ends exist and the kinds table allows it; record a problem if not."""
        kinds = [self.kind_of(link.source), self.kind_of(link.target)]
        for end, kind, column in ((link.source, kinds[0], "from"), (link.target, kinds[1], "to")):
            if kind is None:
                self.problem(file, row, column, f"no actor {end!r}", "add it to the actors, or fix the reference")
                return False
        try:
            check_link_kinds(link, kinds[0], kinds[1])
        except InvalidRecordError as exc:
            self.problem(file, row, "kind", exc.message, "choose a link kind that fits, see 'stakemap kinds'")
            return False
        return True


Reader = Callable[[Path, ReadContext], ReadResult]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk load.

    A load builds millions of small rows that hold no reference cycles; with the
    collector on, every few thousand allocations it walks all of them again,
    which took four times as long as parsing the CSV itself. Memory is still
    freed by reference counting, and collection resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def bulk_reader(read: Reader) -> Reader:
    """A reader that runs with the collector paused (see :func:`collector_paused`): a bulk file's records
    are many small objects without reference cycles, and the collector would walk them all again and again.
    What it reads is the same either way."""

    @functools.wraps(read)
    def paused(path: Path, ctx: ReadContext, *args: Any, **kwargs: Any) -> ReadResult:
        with collector_paused():
            return read(path, ctx, *args, **kwargs)

    return paused


def withhold_uncited_people(result: ReadResult, ctx: ReadContext) -> None:
    """People marked public whom only the input file itself cites are made restricted, with a problem.

    A person may be public only when a cited document makes them public (a source other than the
    file or dataset being read); a ``public`` cell alone does not. Under ``--skip-invalid`` the
    person is imported restricted, the safe default, and the problem says so.
    """
    for i, actor in enumerate(result.actors):
        if actor.kind is ActorKind.PERSON and actor.sensitivity is Sensitivity.PUBLIC and all(
                c.source == result.origin.id for c in actor.citations):
            where = actor.citations[0].locator if actor.citations else None  # the file's own "file:row"
            ctx.problem(where or result.path, None, "sensitivity",
                        f"person {actor.name!r} is marked public, but no cited document makes them "
                        "public (imported as restricted with --skip-invalid)",
                        "cite the document that names them (source and locator columns), or leave sensitivity "
                        "empty: people are restricted unless a source makes them public")
            result.actors[i] = actor.model_copy(update={"sensitivity": Sensitivity.RESTRICTED})


def load_yaml(text: str) -> Any:
    """YAML from a file a stranger may have written: safe types only, and no aliases.

    An alias (``*name``) repeats a node; nested aliases make a few lines stand for
    billions of values (a "YAML bomb"). No file Stakemap reads needs them.

    >>> load_yaml("a: [1, 2]")
    {'a': [1, 2]}
    >>> try:
    ...     load_yaml("{a: &x [1], b: *x}")
    ... except Exception as exc:
    ...     print(exc.problem)
    aliases (*name) are not allowed
    """
    import yaml

    class _NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
            if self.check_event(yaml.AliasEvent):
                raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)

    loader = _NoAliasLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@dataclass(frozen=True)
class Format:
    """A registered input format."""

    name: str
    description: str
    read: Reader
    sniff: Callable[[Path, bytes], bool]


def validation_problems(exc: ValidationError, file: str | Path, row: int | None,
                        columns: dict[str, str] | None = None) -> list[Problem]:
    """One :class:`Problem` per pydantic error, naming the input column where known."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        fieldname = loc[0] if loc else None
        column = (columns or {}).get(fieldname, fieldname) if fieldname else None
        message = err.get("msg", "invalid value").removeprefix("Value error, ")
        if err.get("type") == "enum" and fieldname == "kind":
            message = f"unknown kind {err.get('input')!r}"
        out.append(Problem(str(file), row, column, message, _hint_for(fieldname)))
    return out


def _hint_for(fieldname: str | None) -> str | None:
    return {
        "kind": "run 'stakemap kinds' to list the kinds",
        "country": "use an ISO 3166 code such as MY, or an English country name",
        "countries": "use ISO 3166 codes separated by |",
        "start": "dates are 2006, 2006-05 or 2006-05-01",
        "end": "dates are 2006, 2006-05 or 2006-05-01",
        "currency": "use an ISO 4217 code such as EUR",
        "id": "ids use letters, digits, '-', '_', '.', ':'",
        "confidence": "use confirmed, reported or inferred",
        "sensitivity": "use public, internal or restricted",
        "identifiers": "check the identifier's format (e.g. Wikidata Q123)",
    }.get(fieldname or "")
