"""What-if: the same question with some actors removed, and what that changed.

Examples
--------
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.analysis.projection import Projection
>>> from graphmodel.analysis.paths import influence_paths
>>> actors = [Actor(id=i, kind=k, name=i) for i, k in
...           [("fnv", "sso"), ("bwi", "guf"), ("lo", "sso"), ("ncwu", "union")]]
>>> links = [Link(kind="funds", source="fnv", target="bwi"), Link(kind="supports", source="bwi", target="ncwu"),
...          Link(kind="funds", source="fnv", target="lo"), Link(kind="supports", source="lo", target="ncwu",
...          confidence="inferred")]
>>> answer = what_if(Projection.from_records(actors, links), ["bwi"],
...                  lambda p: influence_paths(p, "fnv", "ncwu", include_inferred=True))
>>> answer.changes["paths_lost"], round(answer.changes["best_strength_after"], 2)
([['fnv', 'bwi', 'ncwu']], 0.15)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .projection import Projection

R = TypeVar("R")


@dataclass
class WhatIf(Generic[R]):
    """An answer on the whole map (``before``), without some actors (``after``), and the difference."""

    without: list[dict[str, Any]]
    before: R
    after: R
    changes: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The answer without the actors, with a ``what_if`` section saying what changed."""
        out = self.after.as_dict()
        out["what_if"] = {"without": self.without, "changes": self.changes}
        return out


def what_if(proj: Projection, without: Iterable[str], question: Callable[[Projection], R]) -> WhatIf[R]:
    """Ask ``question`` of ``proj`` and of ``proj`` without the actors ``without``; compare the answers.

    ``question`` takes a projection and returns a result with ``compare(before)``
    (every analysis result has one).
    """
    ids = list(dict.fromkeys(without))
    refs = [proj.actor_ref(proj.position(a)) for a in ids]
    before = question(proj)
    after = question(proj.without(ids))
    return WhatIf(without=refs, before=before, after=after, changes=after.compare(before))
