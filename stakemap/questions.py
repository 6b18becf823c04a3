"""The analysis questions as the command line and the Python API both ask them.

Each ``ask_*`` function resolves the actors a user named (an id, a name, an alias) as the clearance
allows, runs the analysis on the store's projection restricted to that clearance (as a what-if when
``without`` names actors), and returns an :class:`Asked`: the result, the what-if around it, the
actors named, and :attr:`Asked.answer`, the pydantic model ``--json`` prints.

>>> from graphmodel.models import Actor, Link, Source
>>> from graphmodel.store import Batch
>>> from graphmodel.store.sqlite import SQLiteStore
>>> st = SQLiteStore(":memory:")
>>> _ = st.write(Batch(Source(id="demo", title="Demo"), actors=[
...     Actor(id="fnv", kind="sso", name="FNV Mondiaal"), Actor(id="bwi", kind="guf", name="BWI")],
...     links=[Link(id="l1", kind="funds", source="fnv", target="bwi")]))
>>> asked = ask_paths(st, "FNV Mondiaal", "BWI")
>>> [a.id for a in asked.actors], asked.answer.paths[0].hops[0].link
(['fnv', 'bwi'], 'l1')
>>> link_kinds(["funds,supports"])
['funds', 'supports']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from graphmodel.errors import ConfigError
from graphmodel.export.redaction import Clearance
from graphmodel.kinds import LinkKind, parse_link_kind
from graphmodel.models import Actor
from graphmodel.resolve import resolve_actor

from .clearance import FULL, cleared_projection, cleared_view

if TYPE_CHECKING:
    from graphmodel.analysis.schema import Answer

R = TypeVar("R")
WeightsLike = Any  # a Weights, a path to a weights YAML file, or None for the defaults


@dataclass
class Asked(Generic[R]):
    """A question's result (without the ``without`` actors, in a what-if), the what-if or comparison
    around it, the actors the question named, resolved, and which state of the map it was asked of."""

    result: R
    what_if: Any
    actors: list[Actor]
    when: Any = None

    @property
    def answer(self) -> Answer:
        """The answer's pydantic model: ``answer.model_dump(mode="json")`` is what ``--json`` prints."""
        from graphmodel.analysis.schema import WhenInfo, answer_model

        model = answer_model(self.what_if if self.what_if is not None else self.result)
        if self.when is not None and (self.when.as_of or self.when.version is not None):
            model.when = WhenInfo(**self.when.as_dict())
        return model


def when_of(store: Any, as_of: str | None = None, version: str | int | None = None) -> Any:
    """The state of the map a question is about: ``as_of`` a date of valid time (2018, 2018-06), ``version``
    a version of the store (a number or a date, see ``stakemap versions``); None for now."""
    from graphmodel.analysis.when import When
    from graphmodel.store.versioned import resolve_version
    from graphmodel.values import partial_date

    if as_of:
        try:
            as_of = partial_date(str(as_of))
        except ValueError as exc:
            raise ConfigError(str(exc), hint="a year, year-month or date: 2018, 2018-06, 2018-06-30") from None
    number = resolve_version(store, version, end_of_day=True) if version not in (None, "") else None
    at = next((v.at for v in store.versions() if v.number == number), None) if number is not None else None
    return When(as_of=as_of or None, version=number, version_at=at)


def _projection(store: Any, clearance: Clearance, when: Any) -> Any:
    from graphmodel.analysis.when import at_date
    from graphmodel.store.versioned import StoreAtVersion

    view = StoreAtVersion(store, when.version) if when is not None and when.version is not None else store
    return at_date(cleared_projection(view, clearance), when.as_of if when is not None else None)


def resolve(store: Any, ref: str, clearance: Clearance = FULL) -> Actor:
    """The actor ``ref`` names, as ``clearance`` sees the store (a withheld actor is not found)."""
    return resolve_actor(cleared_view(store, clearance), ref)


def link_kinds(values: Iterable[str] | None) -> list[str] | None:
    """Link kinds from repeated or comma-separated words (``None`` for all)."""
    if not values:
        return None
    out = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                try:
                    out.append(parse_link_kind(part).value)
                except ValueError as exc:
                    raise ConfigError(f"unknown link kind {part.strip()!r}",
                                      hint="known kinds: " + ", ".join(k.value for k in LinkKind)) from exc
    return out


def weights_of(weights: WeightsLike) -> Any:
    """A :class:`~graphmodel.analysis.Weights` from itself, a YAML file or ``None`` (the defaults)."""
    from graphmodel.analysis import Weights

    return weights if isinstance(weights, Weights) else Weights.load(weights)


def _ask(store: Any, clearance: Clearance, without: Iterable[str] | None, named: list[Actor],
         question: Callable[[Any, Any], R], weights: Any, when: Any = None, compare: Any = None) -> Asked[R]:
    """Ask ``question(projection, weights)`` of the map ``when`` says (now by default): as a what-if
    without some actors, or side by side with the state ``compare`` says."""
    from graphmodel.analysis import what_if
    from graphmodel.analysis.when import When, compare as compare_states

    when = when or When()
    ids = [resolve(store, ref, clearance).id for ref in (without or [])]
    proj = _projection(store, clearance, when)
    if compare is not None:
        if ids:
            raise ConfigError("a what-if (--without) and a comparison of two dates go one at a time",
                              hint="ask one, then the other")
        answer = compare_states(_projection(store, clearance, compare), proj, compare, when,
                                lambda p, w: question(p, w.weights(weights)))
        return Asked(answer.now, answer, named, when)
    ask = lambda p: question(p, when.weights(weights))  # noqa: E731
    if not ids:
        return Asked(ask(proj), None, named, when)
    answer = what_if(proj, ids, ask)
    return Asked(answer.after, answer, named, when)


def ask_paths(store: Any, source: str, target: str, *, k: int = 5, max_hops: int = 6,
              kinds: Iterable[str] | None = None, weights: WeightsLike = None, include_inferred: bool = False,
              without: Iterable[str] | None = None, clearance: Clearance = FULL, when: Any = None,
              compare: Any = None) -> Asked:
    """``stakemap paths``: the ``k`` strongest distinct influence paths from ``source`` to ``target``
    (``when``/``compare``: see :func:`when_of`)."""
    from graphmodel.analysis import influence_paths

    wanted = link_kinds(kinds)
    a, b = resolve(store, source, clearance), resolve(store, target, clearance)
    return _ask(store, clearance, without, [a, b],
                lambda p, w: influence_paths(p, a.id, b.id, k=k, max_hops=max_hops, kinds=wanted, weights=w,
                                             include_inferred=include_inferred),
                weights_of(weights), when, compare)


def ask_leverage(store: Any, target: str, *, side: Iterable[str] | None = None, top: int = 10, max_hops: int = 4,
                 strong: float = 0.5, weights: WeightsLike = None, include_inferred: bool = False,
                 without: Iterable[str] | None = None, clearance: Clearance = FULL, when: Any = None,
                 compare: Any = None) -> Asked:
    """``stakemap leverage``: who can move ``target``, and how our ``side`` reaches them."""
    from graphmodel.analysis import leverage

    t = resolve(store, target, clearance)
    ours = [resolve(store, ref, clearance) for ref in (side or [])]
    return _ask(store, clearance, without, [t, *ours],
                lambda p, w: leverage(p, t.id, from_ids=[a.id for a in ours], top=top, max_hops=max_hops,
                                      weights=w, strong=strong, include_inferred=include_inferred),
                weights_of(weights), when, compare)


def ask_coverage(store: Any, funder: str, *, context: Any = None, context_column: str | None = None,
                 max_hops: int = 6, without: Iterable[str] | None = None, clearance: Clearance = FULL,
                 when: Any = None, compare: Any = None) -> Asked:
    """``stakemap coverage``: what ``funder``'s money reaches; ``context`` is a context table or its file."""
    from graphmodel.analysis import coverage, read_context

    table = read_context(context, context_column) if isinstance(context, (str, Path)) else context
    f = resolve(store, funder, clearance)
    return _ask(store, clearance, without, [f], lambda p, w: coverage(p, f.id, context=table, max_hops=max_hops),
                None, when, compare)


def ask_brokers(store: Any, *, by: str = "kind", top: int = 10, without: Iterable[str] | None = None,
                clearance: Clearance = FULL) -> Asked:
    """``stakemap brokers``: Gould-Fernandez brokerage, Burt's constraint and effective size."""
    from graphmodel.analysis import brokerage

    return _ask(store, clearance, without, [], lambda p, w: brokerage(p, by=by, top=top), None)
