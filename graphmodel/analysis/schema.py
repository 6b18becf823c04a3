"""The JSON shape of every analysis answer, as pydantic models: what ``--json`` prints and what the
Python API returns.

Each result's ``as_dict()`` is validated into its model by :func:`answer_model`; the command line prints
``answer_model(result).model_dump(mode="json")``, so the shape is defined here once. A what-if answer
(:class:`~graphmodel.analysis.whatif.WhatIf`) is the answer without the actors plus a ``what_if``
section. Keys a result gains before its model does are kept (``extra="allow"``), after the known ones.

Examples
--------
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.analysis import Projection, influence_paths
>>> proj = Projection.from_records(
...     [Actor(id="fnv", kind="sso", name="FNV Mondiaal"), Actor(id="bwi", kind="guf", name="BWI")],
...     [Link(id="l1", kind="funds", source="fnv", target="bwi")])
>>> result = influence_paths(proj, "fnv", "bwi")
>>> answer = answer_model(result)
>>> type(answer).__name__, answer.paths[0].hops[0].link, answer.paths[0].strength_word
('PathsAnswer', 'l1', 'strong')
>>> answer.model_dump(mode="json") == result.as_dict()
True
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", serialize_by_alias=True, validate_by_name=True,
                              validate_by_alias=True)


class ActorRef(_Shape):
    """An actor as answers name it."""

    id: str
    name: str
    kind: str
    country: str | None = None


class CitationRef(_Shape):
    """A source a link cites: its id, where in it, and a note in our own words (empty ones left out)."""

    source: str
    locator: str | None = None
    note: str | None = None

    @model_serializer(mode="wrap")
    def _without_empty(self, handler: Any) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


class WeightsInfo(_Shape):
    """The influence weights that produced an answer: where they come from, their digest, what differs from
    the defaults (``{"links.funds.forward": [default, this]}``)."""

    source: str
    digest: str
    changed: dict[str, list[Any]] = Field(default_factory=dict)


class HopModel(_Shape):
    """One hop: ``source`` has influence over ``target`` through ``link`` (``direction`` says whether with or
    against the link)."""

    source: str
    target: str
    kind: str
    strength: float
    direction: str
    link: str
    start: str | None = None
    end: str | None = None
    confidence: str
    sources: list[CitationRef] = Field(default_factory=list)
    says: str = ""


class PathModel(_Shape):
    """A path: its strength (raw, as a word, as a share of the best answer, 0-100), actors and hops."""

    strength: float
    strength_word: str
    strength_share: int
    actors: list[ActorRef]
    hops: list[HopModel]


class WhatIfSection(_Shape):
    """The actors taken out, and what that changed."""

    without: list[ActorRef]
    changes: dict[str, Any]

    @field_validator("changes", mode="before")
    @classmethod
    def _json_keys(cls, value: Any) -> Any:
        return _json_keys(value)


def _json_keys(value: Any) -> Any:
    """Dict keys as JSON writes them (``None`` as ``"null"``, numbers as text), at every depth."""
    if isinstance(value, dict):
        return {json.dumps(k) if not isinstance(k, str) else k: _json_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_keys(v) for v in value]
    return value


class WhenInfo(_Shape):
    """Which state of the map an answer is about: a date of valid time, a version of the store."""

    as_of: str | None = None
    version: int | None = None
    version_at: str | None = None
    says: str


class CompareSection(_Shape):
    """The same question asked of an earlier state (``then``): its answer, and what changed since."""

    then: WhenInfo
    now: WhenInfo
    then_answer: dict[str, Any]
    changes: dict[str, Any]

    @field_validator("changes", "then_answer", mode="before")
    @classmethod
    def _json_keys(cls, value: Any) -> Any:
        return _json_keys(value)


class Answer(_Shape):
    """What every answer shares: the what-if section when asked, which state of the map it is about
    (``when``, when not now), and the comparison with another state when asked."""

    what_if: WhatIfSection | None = None
    when: WhenInfo | None = None
    compare: CompareSection | None = None

    @model_serializer(mode="wrap")
    def _what_if_last(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        for key in ("what_if", "when", "compare"):
            section = data.pop(key, None)
            if section is not None:
                data[key] = section
        return data


class PathsAnswer(Answer):
    """``stakemap paths --json``: the strongest influence paths from ``source`` to ``target``."""

    source: ActorRef
    target: ActorRef
    paths: list[PathModel]
    k: int
    max_hops: int
    kinds: list[str] | None = None
    without: list[str] = Field(default_factory=list)
    weights: WeightsInfo
    include_inferred: bool = False
    notes: list[str] = Field(default_factory=list)


class LeveragePaths(_Shape):
    reach: PathModel | None = None
    pressure: PathModel


class LeverageEntryModel(_Shape):
    """An actor who can move the target: score = reach × pressure, where it acts, and both paths."""

    actor: ActorRef
    score: float
    score_word: str
    score_share: int
    reach: float
    pressure: float
    pressure_word: str
    sphere: str
    actor_sphere: str
    paths: LeveragePaths


class Chokepoint(_Shape):
    """An actor every strong path passes, and the best strength left without it."""

    actor: ActorRef
    best_strength_without: float


class LeverageAnswer(Answer):
    """``stakemap leverage --json``: who can move ``target``, and how ``from`` reaches them."""

    target: ActorRef
    from_: list[ActorRef] = Field(default_factory=list, alias="from")
    leverage: list[LeverageEntryModel]
    by_sphere: dict[str, list[str]]
    chokepoints: list[Chokepoint]
    best_strength: float
    best_strength_word: str
    max_hops: int
    strong: float
    without: list[str] = Field(default_factory=list)
    weights: WeightsInfo
    include_inferred: bool = False
    notes: list[str] = Field(default_factory=list)
    own_sites_left_out: list[str] = Field(default_factory=list)


class Reached(_Shape):
    """An actor the money reaches: its share of the money, the share that stays with it, and the way there."""

    actor: ActorRef
    share: float
    kept: float
    hops: int
    path: list[str]
    via: list[str]
    links: list[str]


class CountryShare(_Shape):
    """A country (``None``: no identifiable country): its share of what the money reaches, and which actors."""

    country: str | None
    share: float
    n_actors: int
    actors: list[str]


class SectorShare(_Shape):
    """A sector (``None``: none stated): its share of what the money reaches, and which actors."""

    sector: str | None
    share: float
    n_actors: int
    actors: list[str]


class KindShare(_Shape):
    """An actor kind: its share of what the money reaches, and which actors."""

    kind: str
    share: float
    n_actors: int
    actors: list[str]


class Gap(_Shape):
    """A country's share of the context measure against its share of coverage."""

    country: str
    context: float
    context_share: float
    coverage_share: float
    gap: float
    reached: bool


class Overlap(_Shape):
    """Another funder reaching some of the same actors."""

    funder: ActorRef
    count: int
    actors: list[str]


class Dependence(_Shape):
    """A grantee's dependence on the funder: its share of the grantee's known funding."""

    actor: ActorRef
    share: float
    basis: str
    funders: int


class CoverageAnswer(Answer):
    """``stakemap coverage --json``: what ``funder``'s money reaches."""

    funder: ActorRef
    reached: list[Reached]
    countries: list[CountryShare]
    sectors: list[SectorShare]
    kinds: list[KindShare]
    gaps: list[Gap]
    overlaps: list[Overlap]
    dependence: list[Dependence]
    amounts_known: float
    max_hops: int
    n_reached: int = 0
    context: dict[str, Any] | None = None
    without: list[str] = Field(default_factory=list)
    unlocated_share: float


class Bridge(_Shape):
    """Two groups a broker joins: open two-paths through it, and how many others bridge them."""

    from_: str | None = Field(alias="from")
    to: str | None
    open_two_paths: int
    other_brokers: int
    only: bool
    own_group: str | None = None


class BrokerModel(_Shape):
    """A broker: Gould-Fernandez roles, Burt's constraint and effective size, said in a sentence."""

    actor: ActorRef
    group: str | None = None
    roles: dict[str, int]
    brokerage: int
    constraint: float | None = None
    effective_size: float | None = None
    degree: int
    sentence: str = ""
    bridges: list[Bridge] = Field(default_factory=list)


class BrokersAnswer(Answer):
    """``stakemap brokers --json``: who bridges groups that are otherwise apart."""

    by: str
    brokers: list[BrokerModel]
    groups: dict[str, int]
    ties: int
    triangles: int
    without: list[str] = Field(default_factory=list)


_MODELS: dict[str, type[Answer]] = {"PathsResult": PathsAnswer, "LeverageResult": LeverageAnswer,
                                    "CoverageResult": CoverageAnswer, "BrokerageResult": BrokersAnswer}


def answer_model(result: Any) -> Answer:
    """The pydantic model of an analysis result or of a what-if answer about one.

    Raises ``TypeError`` for anything else.
    """
    question = getattr(result, "after", getattr(result, "now", result))
    model = _MODELS.get(type(question).__name__)
    if model is None:
        raise TypeError(f"no answer model for {type(question).__name__}")
    return model.model_validate(result.as_dict())


__all__ = ["ActorRef", "Answer", "Bridge", "BrokerModel", "BrokersAnswer", "Chokepoint", "CitationRef",
           "CountryShare", "CoverageAnswer", "Dependence", "Gap", "HopModel", "KindShare", "LeverageAnswer",
           "LeverageEntryModel", "Overlap", "PathModel", "PathsAnswer", "Reached", "SectorShare", "WeightsInfo",
           "WhatIfSection", "WhenInfo", "CompareSection", "answer_model"]
