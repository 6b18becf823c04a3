"""The map as a report's maker may see it: the clearance applied before anything is computed.

A report is made for one reader's :class:`~graphmodel.export.Clearance` (a
sensitivity level, and whether people may be shown), by the rule the
dashboard and the exports use: actors above the level, people unless asked
for, and every link above the level or touching such an actor are removed
from the projection the analyses run on (:func:`graphmodel.export.projected.visible`),
so no answer, figure, table or count is shaped by them. What the reader types
is resolved among the actors they may see only: a withheld actor gets the
answer an actor that does not exist gets, and close matches never name one.
Free text (titles, locators, notes, descriptions) has the names of the people
the reader may not see masked, and sources' authors are shown only to readers
who see people (:mod:`graphmodel.free_text`).

>>> from graphmodel.analysis import Projection
>>> from graphmodel.models import Actor, Link
>>> proj = Projection.from_records(
...     [Actor(id="fnv", kind="sso", name="FNV"), Actor(id="p1", kind="person", name="Qzxvk Canary"),
...      Actor(id="bwi", kind="guf", name="BWI")],
...     [Link(kind="funds", source="fnv", target="bwi"), Link(kind="member_of", source="p1", target="bwi")])
>>> seen = restricted(proj, Clearance())
>>> bool(seen.active[seen.index["p1"]]), seen.n_links
(False, 1)
>>> withheld_sentence(Clearance()).startswith("Made at clearance internal, without people")
True
>>> withheld_sentence(Clearance(Sensitivity.RESTRICTED, True))
'Made at the highest clearance (restricted, people included): nothing was withheld.'
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from ..analysis import Projection, get_projection
from ..analysis.projection import ACTOR_KINDS
from ..errors import AmbiguousError, NotFoundError
from ..export.projected import visible
from ..export.redaction import Clearance
from ..export.selection import LinkFilter
from ..free_text import name_pattern, redact_fields
from ..kinds import SENSITIVITY_RANK, ActorKind, Sensitivity


def restricted(proj: Projection, clearance: Clearance) -> Projection:
    """``proj`` without what ``clearance`` withholds (actors keep their positions; withheld ones are inactive)."""
    actors, links = visible(proj, clearance, LinkFilter())
    return proj.subset(actors, links, clearance=SENSITIVITY_RANK[clearance.level])


def withheld_sentence(clearance: Clearance) -> str:
    """What a report says about what it leaves out: the clearance it was made at, never whether or how
    many records were withheld (a withheld record leaves no trace, not even in a count)."""
    if clearance.level is Sensitivity.RESTRICTED and clearance.include_people:
        return "Made at the highest clearance (restricted, people included): nothing was withheld."
    people = "people included" if clearance.include_people else "without people"
    return (f"Made at clearance {clearance.level.value}, {people}: records above that clearance"
            + ("" if clearance.include_people else ", and people,")
            + " are withheld from every figure, table, count and reference of this report, and it does not say "
              "whether any were or how many. A reader with a higher clearance may get a fuller report.")


@dataclass
class ReportView:
    """The store, the clearance, the projection restricted to it and the names to mask in free text."""

    store: Any
    clearance: Clearance
    proj: Projection
    full: Projection
    hidden: re.Pattern[str] | None = None
    _sources: dict[str, dict[str, Any]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, store, clearance: Clearance, projection: Projection | None = None) -> "ReportView":
        full = projection if projection is not None else get_projection(store)
        return cls(store, clearance, restricted(full, clearance), full, _hidden_people(store, full, clearance))

    # -- who the reader means ----------------------------------------------------------------
    def sees(self, actor_id: str) -> bool:
        i = self.proj.index.get(actor_id)
        return i is not None and bool(self.proj.active[i])

    def ref(self, actor_id: str) -> dict[str, Any]:
        return self.proj.actor_ref(self.proj.index[actor_id])

    def resolve(self, ref: str) -> dict[str, Any]:
        """The one visible actor ``ref`` names (id, name, alias or identifier), as an actor ref.

        Raises :class:`NotFoundError` (with close matches the reader may see) or :class:`AmbiguousError`;
        an actor the reader may not see is answered exactly as one that does not exist."""
        text = (ref or "").strip()
        if not text:
            raise NotFoundError("no actor given", hint="give an id, a name or an alias")
        if self.sees(text):
            return self.ref(text)
        found = [a for a in self.store.find_actors(text, limit=50) if self.sees(a.id)]
        if len(found) == 1:
            return self.ref(found[0].id)
        if len(found) > 1:
            listing = [f"{a.id} ({a.name}, {a.kind.value}{', ' + a.country if a.country else ''})" for a in found]
            raise AmbiguousError(f"{ref!r} matches {len(found)} actors: " + "; ".join(listing[:8]),
                                 candidates=[a.id for a in found], hint="give the id instead")
        near = self.suggest(text)
        raise NotFoundError(f"no actor matches {ref!r}", suggestions=near,
                            hint=("did you mean: " + ", ".join(near)) if near else
                            "run 'stakemap stats' or search with a shorter name")

    def suggest(self, text: str, limit: int = 5) -> list[str]:
        """Close matches among the actors the reader may see, as ``id (name)``."""
        wide = limit * 4 + 20
        near = [a for a in self.store.search_actors(text, limit=wide) if self.sees(a.id)]
        for word in sorted(text.split(), key=len, reverse=True)[:2]:
            if len(near) < limit and len(word) >= 3:
                near += [a for a in self.store.search_actors(word, limit=wide) if self.sees(a.id) and a not in near]
        near.sort(key=lambda a: (-difflib.SequenceMatcher(None, text.casefold(), a.name.casefold()).ratio(), a.id))
        return [f"{a.id} ({a.name})" for a in near[:limit]]

    # -- free text and sources ---------------------------------------------------------------
    def text(self, record: dict[str, Any]) -> dict[str, Any]:
        """A record, citation or source dict with its free text as the reader may read it."""
        return redact_fields(record, self.hidden, authors=self.clearance.include_people)

    def sources(self) -> dict[str, dict[str, Any]]:
        """Every source by id, free text masked (only those a report cites are ever shown)."""
        if self._sources is None:
            self._sources = {s.id: self.text(s.model_dump(mode="json", exclude_none=True))
                             for s in self.store.sources()}
        return self._sources


def _hidden_people(store, full: Projection, clearance: Clearance) -> re.Pattern[str] | None:
    """A pattern of the names and aliases of the people in the map ``clearance`` does not show."""
    person = ACTOR_KINDS.index(ActorKind.PERSON)
    rows = full.kind == person
    if clearance.include_people:
        rows &= full.actor_sensitivity > SENSITIVITY_RANK[clearance.level]
    ids = full.actor_ids[rows].tolist()
    people = store.get_actors(ids).values() if ids else []
    return name_pattern([n for a in people for n in (a.name, *a.aliases)])


__all__ = ["Clearance", "ReportView", "restricted", "withheld_sentence"]
