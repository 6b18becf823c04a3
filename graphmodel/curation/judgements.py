"""Judgements: a person's decision that two records are the same actor, are not, or that they cannot tell.

Kept as store documents of kind ``judgement``, one per pair (its key is the
two ids in order), with who, when, why and every earlier verdict on the pair.

>>> j = Judgement("amrc", "asia-monitor-resource-center", "same", "ana", "2026-12-04T09:00:00+00:00", "one NGO")
>>> j.key, Judgement.from_doc(j.as_doc()) == j
('amrc|asia-monitor-resource-center', True)
>>> verdict_between({j.key: j}, "asia-monitor-resource-center", "amrc")
'same'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KIND = "judgement"
VERDICTS = ("same", "different", "unsure")


def pair_key(a: str, b: str) -> str:
    """The key of a pair, whichever order it is named in."""
    return "|".join(sorted((a, b)))


@dataclass(frozen=True)
class Judgement:
    """``a`` and ``b`` are the same actor, are not, or cannot be told (``verdict``)."""

    a: str
    b: str
    verdict: str
    who: str | None
    at: str
    note: str | None = None
    earlier: tuple[dict[str, Any], ...] = field(default=(), compare=False)

    @property
    def key(self) -> str:
        return pair_key(self.a, self.b)

    def as_doc(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "verdict": self.verdict, "who": self.who, "at": self.at,
                "note": self.note, "earlier": list(self.earlier)}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> "Judgement":
        return cls(doc["a"], doc["b"], doc["verdict"], doc.get("who"), doc["at"], doc.get("note"),
                   tuple(doc.get("earlier") or ()))

    def superseding(self, before: "Judgement | None") -> "Judgement":
        """This judgement, keeping the verdicts given on the pair before it."""
        if before is None:
            return self
        history = (*before.earlier, {k: v for k, v in before.as_doc().items() if k != "earlier"})
        return Judgement(self.a, self.b, self.verdict, self.who, self.at, self.note, history)


def load(view: Any) -> dict[str, Judgement]:
    """Every judgement in a store, by pair key."""
    return {key: Judgement.from_doc(doc) for key, doc in view.docs(KIND).items()}


def verdict_between(judgements: dict[str, Judgement], a: str, b: str) -> str | None:
    found = judgements.get(pair_key(a, b))
    return found.verdict if found else None
