"""Asking a question of the map as it was: at a date of valid time, at a version of the store, or two side by side.

*Valid time* is when a link held in the world (its start and end); *transaction
time* is when the store learnt it (its versions, see
:mod:`graphmodel.store.history`). :func:`at_date` keeps the links that held at
some point of a date; the caller opens the store at a version
(:class:`graphmodel.store.versioned.StoreAtVersion`) for the other. A
:class:`Compared` answer holds both answers and what differs, as a what-if does.

>>> from graphmodel.models import Actor, Link
>>> from graphmodel.analysis.projection import Projection
>>> proj = Projection.from_records(
...     [Actor(id="fnv", kind="sso", name="FNV"), Actor(id="bwi", kind="guf", name="BWI")],
...     [Link(kind="funds", source="fnv", target="bwi", start="2006", end="2012"),
...      Link(kind="supports", source="fnv", target="bwi", start="2015")])
>>> at_date(proj, "2010").n_links, at_date(proj, "2013").n_links, at_date(proj, "2016").n_links
(1, 0, 1)
>>> When(as_of="2018").describe()
'valid time 2018, the store as it is now'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

from ..values import date_ceiling, date_floor
from .projection import Projection
from .weights import Weights

R = TypeVar("R")


@dataclass(frozen=True)
class When:
    """Which state of the map a question is asked of (None: now)."""

    as_of: str | None = None
    version: int | None = None
    version_at: str | None = None

    def describe(self) -> str:
        valid = f"valid time {self.as_of}" if self.as_of else "links valid at any time"
        stored = (f"the store at version {self.version}" + (f" ({self.version_at})" if self.version_at else "")
                  if self.version is not None else "the store as it is now")
        return f"{valid}, {stored}"

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "version": self.version, "version_at": self.version_at,
                "says": self.describe()}

    def weights(self, weights: Weights | None) -> Weights | None:
        """Weights that age links as of this date (a link ended in 2012 is older in 2022 than in 2014)."""
        if not self.as_of or weights is None:
            return weights
        return dataclasses.replace(weights, as_of=int(self.as_of[:4]))


def at_date(proj: Projection, date: str | None) -> Projection:
    """The projection with only the links that held at some point of ``date`` (a year, month or day);
    open starts and ends hold."""
    if not date:
        return proj

    def build() -> Projection:
        first, last = date_floor(date), date_ceiling(date)
        began = np.fromiter((not s or date_floor(s) <= last for s in proj.start), bool, len(proj.start))
        lasting = np.fromiter((not e or date_ceiling(e) >= first for e in proj.end), bool, len(proj.end))
        return proj.subset(proj.active, began & lasting)

    return proj.cached(("at_date", date), build)


@dataclass
class Compared(Generic[R]):
    """One question asked of two states of the map: ``then`` and ``now``, and what changed."""

    when_then: When
    when_now: When
    then: R
    now: R
    changes: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        out = self.now.as_dict()  # type: ignore[attr-defined]
        out["compare"] = {"then": self.when_then.as_dict(), "now": self.when_now.as_dict(),
                          "then_answer": self.then.as_dict(), "changes": self.changes}  # type: ignore[attr-defined]
        return out


def compare(then_proj: Projection, now_proj: Projection, when_then: When, when_now: When,
            question: Callable[[Projection, When], R]) -> Compared[R]:
    """Ask ``question`` of two states; ``changes`` is the answer's own ``compare`` (as for what-if)."""
    then = question(then_proj, when_then)
    now = question(now_proj, when_now)
    return Compared(when_then, when_now, then, now, now.compare(then))  # type: ignore[attr-defined]
