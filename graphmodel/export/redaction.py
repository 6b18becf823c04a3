"""Redaction: leaving out what a user is not cleared to see, and counting it.

A user's :class:`Clearance` is a sensitivity level (``public``, ``internal``
or ``restricted``) and whether people may be shown. An actor is withheld when
its sensitivity is above the level, or when it is a person and people were not
asked for; a link is withheld when its own sensitivity is above the level or
when either of its ends is withheld (a link would reveal the actor it joins).
What is withheld is only counted, never named.

>>> from graphmodel.models import Actor, Link
>>> from graphmodel.store.contract import Subgraph
>>> a = Actor(id="fnv", kind="sso", name="FNV Mondiaal")
>>> b = Actor(id="bwi", kind="guf", name="BWI")
>>> p = Actor(id="p1", kind="person", name="A worker")
>>> g = Subgraph({x.id: x for x in (a, b, p)},
...              {lk.id: lk for lk in (Link(id="l1", kind="funds", source="fnv", target="bwi"),
...                                    Link(id="l2", kind="member_of", source="p1", target="bwi"))})
>>> kept, report = redact(g, Clearance())
>>> sorted(kept.actors), sorted(kept.links)
(['bwi', 'fnv'], ['l1'])
>>> report.as_dict()["actors"], report.as_dict()["links"]
(1, 1)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..kinds import SENSITIVITY_RANK, ActorKind, Sensitivity
from ..models import Actor, Link
from ..store.contract import Subgraph


@dataclass(frozen=True)
class Clearance:
    """What a user may see: records up to ``level``, and people only when ``include_people``."""

    level: Sensitivity = Sensitivity.INTERNAL
    include_people: bool = False

    def actor_reason(self, kind: ActorKind | str, sensitivity: Sensitivity | str) -> str | None:
        """Why an actor of this kind and sensitivity is withheld, or ``None`` when it is shown."""
        if str(kind) == ActorKind.PERSON.value and not self.include_people:
            return "person"
        if SENSITIVITY_RANK[Sensitivity(sensitivity)] > SENSITIVITY_RANK[self.level]:
            return f"sensitivity {Sensitivity(sensitivity).value}"
        return None

    def sees_actor(self, actor: Actor) -> bool:
        return self.actor_reason(actor.kind, actor.sensitivity) is None

    def link_reason(self, sensitivity: Sensitivity | str) -> str | None:
        """Why a link of this sensitivity is withheld on its own account, or ``None``."""
        if SENSITIVITY_RANK[Sensitivity(sensitivity)] > SENSITIVITY_RANK[self.level]:
            return f"sensitivity {Sensitivity(sensitivity).value}"
        return None

    def as_dict(self) -> dict:
        return {"clearance": self.level.value, "include_people": self.include_people}


@dataclass
class RedactionReport:
    """Counts of what was withheld from a selection, by reason (no ids)."""

    clearance: Clearance = field(default_factory=Clearance)
    actor_ids: set[str] = field(default_factory=set, repr=False)
    link_ids: set[str] = field(default_factory=set, repr=False)
    actor_reasons: Counter = field(default_factory=Counter)
    link_reasons: Counter = field(default_factory=Counter)

    def withhold_actor(self, actor_id: str, reason: str) -> None:
        if actor_id not in self.actor_ids:
            self.actor_ids.add(actor_id)
            self.actor_reasons[reason] += 1

    def withhold_link(self, link_id: str, reason: str) -> None:
        if link_id not in self.link_ids:
            self.link_ids.add(link_id)
            self.link_reasons[reason] += 1

    @property
    def actors(self) -> int:
        return len(self.actor_ids)

    @property
    def links(self) -> int:
        return len(self.link_ids)

    def as_dict(self) -> dict:
        """The manifest's ``redacted`` block: counts only."""
        return {**self.clearance.as_dict(), "actors": self.actors, "links": self.links,
                "actors_by_reason": dict(sorted(self.actor_reasons.items())),
                "links_by_reason": dict(sorted(self.link_reasons.items()))}


def redact(subgraph: Subgraph, clearance: Clearance) -> tuple[Subgraph, RedactionReport]:
    """The part of ``subgraph`` a user with ``clearance`` may see, and what was withheld."""
    report = RedactionReport(clearance)
    actors: dict[str, Actor] = {}
    for actor_id, actor in subgraph.actors.items():
        reason = clearance.actor_reason(actor.kind, actor.sensitivity)
        if reason:
            report.withhold_actor(actor_id, reason)
        else:
            actors[actor_id] = actor
    links: dict[str, Link] = {}
    for link_id, link in subgraph.links.items():
        reason = clearance.link_reason(link.sensitivity)
        if reason is None and (link.source in report.actor_ids or link.target in report.actor_ids):
            reason = "joins a withheld actor"
        if reason:
            report.withhold_link(link_id, reason)
        elif link.source in actors and link.target in actors:
            links[link_id] = link
    return Subgraph(actors, links), report
