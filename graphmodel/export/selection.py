"""Choosing what to export: a :class:`Selection`, its filters and its result (gathered by
:func:`graphmodel.export.gather.select_subgraph`).

A selection is what a user asked for, small enough to record in an export's
manifest and to carry in a dashboard URL. It has two parts:

* **what to start from** (any combination, united): ``around`` actors to
  ``hops`` links; influence ``paths`` between pairs of actors; a funder's
  ``coverage``; a ``leverage`` query. With none of these, the whole store.
* **filters** (all applied): link kinds, confidence levels and an ``as_of``
  date decide which links count, and so which actors are reached; actor kinds
  and countries then prune the result (actors the selection names are kept).

Redaction comes first: what the user's clearance withholds is never
traversed, so a selection cannot reveal it by its shape; withheld actors and
links the selection met are counted in the result's ``redaction``.

Examples
--------
>>> s = Selection(around=["BWI"], hops=2, link_kinds=["funds"], as_of="2010")
>>> s.to_query()
'around=BWI&hops=2&link_kinds=funds&as_of=2010'
>>> Selection.from_query(s.to_query()) == s
True
>>> s.to_args()
['--around', 'BWI', '--hops', '2', '--link-kinds', 'funds', '--as-of', '2010']
>>> Selection().is_whole_store
True
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import StakemapError
from ..kinds import ActorKind, Confidence, LinkKind, Sensitivity, parse_actor_kind, parse_link_kind
from ..models import Actor, Link, Source
from ..store.contract import StoreView, Subgraph
from ..values import country_code, date_ceiling, date_floor, partial_date
from .redaction import Clearance, RedactionReport


class SelectionError(StakemapError):
    """A selection cannot be made: an unknown actor, a withheld seed, a missing analysis."""


class PathQuery(BaseModel):
    """Influence paths from one actor to another."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    target: str


class LeverageQuery(BaseModel):
    """Leverage points over ``target`` for our ``side`` (actors a campaign starts from)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target: str
    side: list[str] = Field(default_factory=list)
    top: int = Field(10, ge=1, le=1000)


class Selection(BaseModel):
    """What to export. Serialises to a URL query (:meth:`to_query`) and to command arguments (:meth:`to_args`)."""

    model_config = ConfigDict(extra="forbid")

    around: list[str] = Field(default_factory=list, description="Actors (ids, names or aliases) to start from.")
    hops: int = Field(1, ge=0, le=10, description="How many links away from `around` to go.")
    paths: list[PathQuery] = Field(default_factory=list, description="Pairs of actors to join by influence paths.")
    k: int = Field(5, ge=1, le=100, description="How many paths per pair.")
    max_hops: int = Field(4, ge=1, le=10, description="Longest path, in links.")
    coverage: list[str] = Field(default_factory=list, description="Funders whose coverage to include.")
    leverage: LeverageQuery | None = None
    weights: str | None = Field(None, description="Influence weights file (YAML); the defaults when empty.")
    kinds: list[ActorKind] = Field(default_factory=list, description="Keep only actors of these kinds.")
    countries: list[str] = Field(default_factory=list, description="Keep only actors in these countries.")
    link_kinds: list[LinkKind] = Field(default_factory=list, description="Follow and keep only these link kinds.")
    confidence: list[Confidence] = Field(default_factory=list, description="Follow and keep only links of these confidences.")
    as_of: str | None = Field(None, description="Follow and keep only links valid at this (partial) date.")
    clearance: Sensitivity = Sensitivity.INTERNAL
    include_people: bool = False

    @field_validator("kinds", mode="before")
    @classmethod
    def _kinds(cls, values: Any) -> Any:
        return [parse_actor_kind(v) if isinstance(v, str) else v for v in _listed(values)]

    @field_validator("link_kinds", mode="before")
    @classmethod
    def _link_kinds(cls, values: Any) -> Any:
        return [parse_link_kind(v) if isinstance(v, str) else v for v in _listed(values)]

    @field_validator("confidence", "around", "coverage", mode="before")
    @classmethod
    def _lists(cls, values: Any) -> Any:
        return _listed(values)

    @field_validator("countries", mode="before")
    @classmethod
    def _countries(cls, values: Any) -> Any:
        return [country_code(v) for v in _listed(values)]

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, value: str | None) -> str | None:
        return partial_date(value) if value else None

    # -- what kind of selection ---------------------------------------------
    @property
    def is_whole_store(self) -> bool:
        return not (self.around or self.paths or self.coverage or self.leverage)

    @property
    def uses_weights(self) -> bool:
        return bool(self.paths or self.leverage or self.coverage)

    @property
    def clearance_of(self) -> Clearance:
        return Clearance(self.clearance, self.include_people)

    # -- serialising --------------------------------------------------------
    def to_pairs(self) -> list[tuple[str, str]]:
        """The non-default fields as ``(name, value)`` pairs, lists repeated, in a fixed order."""
        defaults = Selection()
        pairs: list[tuple[str, str]] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value == getattr(defaults, name):
                continue
            if name == "paths":
                for p in value:
                    pairs += [("path_from", p.source), ("path_to", p.target)]
            elif name == "leverage":
                pairs.append(("leverage", value.target))
                pairs += [("leverage_side", s) for s in value.side]
                if value.top != 10:
                    pairs.append(("leverage_top", str(value.top)))
            elif isinstance(value, list):
                pairs += [(name, str(getattr(v, "value", v))) for v in value]
            elif isinstance(value, bool):
                pairs.append((name, "true" if value else "false"))
            else:
                pairs.append((name, str(getattr(value, "value", value))))
        return pairs

    def to_query(self) -> str:
        """A URL query string (for a dashboard link) that :meth:`from_query` reads back."""
        return urlencode(self.to_pairs())

    @classmethod
    def from_query(cls, query: str) -> "Selection":
        """The selection a URL query string describes (unknown keys are an error)."""
        data: dict[str, Any] = {}
        sources: list[str] = []
        targets: list[str] = []
        lev: dict[str, Any] = {}
        for key, value in parse_qsl(query.lstrip("?"), keep_blank_values=False):
            if key == "path_from":
                sources.append(value)
            elif key == "path_to":
                targets.append(value)
            elif key == "leverage":
                lev["target"] = value
            elif key == "leverage_side":
                lev.setdefault("side", []).append(value)
            elif key == "leverage_top":
                lev["top"] = int(value)
            elif key in _LIST_FIELDS:
                data.setdefault(key, []).append(value)
            elif key == "include_people":
                data[key] = value.lower() in ("1", "true", "yes")
            else:
                data[key] = value
        if len(sources) != len(targets):
            raise SelectionError("every path_from needs a path_to")
        if sources:
            data["paths"] = [PathQuery(source=s, target=t) for s, t in zip(sources, targets)]
        if lev:
            data["leverage"] = LeverageQuery(**lev)
        return cls(**data)

    def to_args(self) -> list[str]:
        """The ``stakemap export`` options that make this selection."""
        args: list[str] = []
        pairs = self.to_pairs()
        i = 0
        while i < len(pairs):
            key, value = pairs[i]
            if key == "path_from":
                args += ["--paths", value, pairs[i + 1][1]]
                i += 2
                continue
            option = "--" + key.replace("_", "-")
            if key == "include_people":
                args.append(option if value == "true" else "--exclude-people")
            else:
                args += [option, value]
            i += 1
        return args

    def to_command(self, fmt: str, out: str | None = None, store: str | None = None) -> str:
        """The command line that re-creates an export of this selection."""
        args = ["stakemap", "export", "--format", fmt, *self.to_args()]
        if store:
            args += ["--store", store]
        if out:
            args += ["--out", out]
        return shlex.join(args)


_LIST_FIELDS = {"around", "coverage", "kinds", "countries", "link_kinds", "confidence"}


def _listed(values: Any) -> list:
    if values is None:
        return []
    if isinstance(values, str):
        return [v.strip() for v in values.split(",") if v.strip()]
    out = []
    for v in values:
        out += [x.strip() for x in v.split(",") if x.strip()] if isinstance(v, str) else [v]
    return out


# -- the result ------------------------------------------------------------------
@dataclass
class SelectedSubgraph(Subgraph):
    """A :class:`Subgraph` with what produced it: the selection, the named actors, the sources
    its records cite, what was withheld, and the weights that ranked paths or leverage."""

    selection: Selection = field(default_factory=Selection)
    seeds: dict[str, str] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    redaction: RedactionReport = field(default_factory=RedactionReport)
    weights: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


# -- link and actor tests ------------------------------------------------------------
@dataclass(frozen=True)
class LinkFilter:
    """Which links count: kinds, confidence levels and validity at a date.

    >>> f = LinkFilter(as_of="2010-06")
    >>> f.valid_at("2006", "2010"), f.valid_at("2011", None), f.valid_at(None, "2010-05")
    (True, False, False)
    """

    kinds: frozenset[LinkKind] | None = None
    confidence: frozenset[Confidence] | None = None
    as_of: str | None = None

    @classmethod
    def of(cls, selection: Selection) -> "LinkFilter":
        return cls(frozenset(selection.link_kinds) or None, frozenset(selection.confidence) or None,
                   selection.as_of)

    def valid_at(self, start: str | None, end: str | None) -> bool:
        if self.as_of is None:
            return True
        if start and date_floor(start) > date_ceiling(self.as_of):
            return False
        if end and date_ceiling(end) < date_floor(self.as_of):
            return False
        return True

    def keeps(self, link: Link) -> bool:
        return ((self.kinds is None or link.kind in self.kinds)
                and (self.confidence is None or link.confidence in self.confidence)
                and self.valid_at(link.start, link.end))


@dataclass(frozen=True)
class ActorFilter:
    """Which actors a selection keeps: kinds and countries (an actor's country or any it works in)."""

    kinds: frozenset[ActorKind] | None = None
    countries: frozenset[str] | None = None

    @classmethod
    def of(cls, selection: Selection) -> "ActorFilter":
        return cls(frozenset(selection.kinds) or None, frozenset(selection.countries) or None)

    @property
    def active(self) -> bool:
        return self.kinds is not None or self.countries is not None

    def keeps(self, actor: Actor) -> bool:
        if self.kinds is not None and actor.kind not in self.kinds:
            return False
        if self.countries is not None:
            return actor.country in self.countries or bool(self.countries.intersection(actor.countries))
        return True


# -- naming the starting actors --------------------------------------------------
def _resolve(view: StoreView, refs: Iterable[str], clearance: Clearance, result: SelectedSubgraph) -> list[Actor]:
    from ..resolve import resolve_actor

    found = []
    for ref in refs:
        actor = resolve_actor(view, ref)
        reason = clearance.actor_reason(actor.kind, actor.sensitivity)
        if reason:
            hint = ("add --include-people" if reason == "person"
                    else f"a clearance of {actor.sensitivity.value} is needed (--clearance)")
            raise SelectionError(f"{ref!r} is withheld at clearance {clearance.level.value}"
                                 + (" (people are left out)" if reason == "person" else ""), hint=hint)
        result.seeds[ref] = actor.id
        found.append(actor)
    return found
