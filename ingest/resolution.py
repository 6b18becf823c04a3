"""Entity resolution: the same organisation from two files becomes one actor.

Match on external identifiers first (Wikidata, IATI ref, os_id, LEI), then on
normalised names and aliases, among the actors already seen in this run and
those in the store. People are never merged automatically. Near matches that
are left unmerged (similar names, or an exact name shared by several actors)
are kept for a review report.

>>> r = Resolver()
>>> a = r.claim(Actor(id="bwi", kind="guf", name="Building and Wood Workers' International", aliases=["BWI"]))
>>> b = r.claim(Actor(kind="ngo", name="BWI", attributes={"kind_guessed": True}))
>>> (b.id, b.kind.value, b.name)
('bwi', 'guf', "Building and Wood Workers' International")
>>> r.merged
1
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from graphmodel.kinds import ActorKind
from graphmodel.models import Actor
from graphmodel.store.contract import StoreView
from graphmodel.text import normalise_name

#: How alike two names must be (difflib ratio) to be listed for review.
NEAR_MATCH_RATIO = 0.88


@dataclass(frozen=True)
class ReviewItem:
    """A pair of actors that may be the same but were not merged."""

    incoming: str
    incoming_name: str
    candidate: str
    candidate_name: str
    reason: str
    score: float

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class _Known:
    id: str
    kind: ActorKind
    name: str


@dataclass
class Resolver:
    """Remembers the actors of a run and finds the one an incoming actor is."""

    store: StoreView | None = None
    merged: int = 0
    review: list[ReviewItem] = field(default_factory=list)
    _by_id: dict[str, _Known] = field(default_factory=dict)
    _by_key: dict[str, set[str]] = field(default_factory=dict)
    _blocks: dict[str, set[str]] = field(default_factory=dict)
    _store_empty: bool = True

    def __post_init__(self) -> None:
        if self.store is not None:
            self._store_empty = self.store.stats().actors == 0

    # -- public -------------------------------------------------------------
    def claim(self, actor: Actor) -> Actor:
        """The actor as it should be written: with the id of the actor it matches, if any."""
        if actor.id in self._by_id:
            return self._adopt(actor, self._by_id[actor.id], count=False)
        existing = None if self._store_empty else self.store.get_actor(actor.id)
        if existing is not None:
            self._remember(existing)
            return self._adopt(actor, self._by_id[existing.id], count=False)
        match = self._match(actor)
        if match is not None:
            self.merged += 1
            return self._adopt(actor, match, count=True)
        self._near_matches(actor)
        self._remember(actor)
        return actor

    def lookup(self, ref: str) -> str | None:
        """The id of the actor a reference (id, name or alias) names, when exactly one does."""
        text = ref.strip()
        if text in self._by_id:
            return text
        ids = self._by_key.get("n:" + normalise_name(text), set())
        if len(ids) == 1:
            return next(iter(ids))
        if ids or self._store_empty:
            return None
        exact = self.store.get_actor(text)
        found = [exact] if exact else self.store.find_actors(text, limit=2)
        if len(found) == 1:
            self._remember(found[0])
            return found[0].id
        return None

    def kind_of(self, actor_id: str) -> ActorKind | None:
        known = self._by_id.get(actor_id)
        if known is None and not self._store_empty:
            stored = self.store.get_actor(actor_id)
            if stored is not None:
                self._remember(stored)
                known = self._by_id[actor_id]
        return known.kind if known else None

    # -- matching -----------------------------------------------------------
    def _keys(self, actor: Actor) -> list[str]:
        keys = [f"x:{s}:{v.casefold()}" for s, v in actor.identifiers.items()]
        keys += ["n:" + normalise_name(n) for n in [actor.name, *actor.aliases] if normalise_name(n)]
        return keys

    def _match(self, actor: Actor) -> _Known | None:
        if actor.kind is ActorKind.PERSON:
            return None
        for scheme, value in actor.identifiers.items():
            hit = self._candidates(f"x:{scheme}:{value.casefold()}", actor, by_identifier=(scheme, value))
            if len(hit) == 1:
                return hit[0]
        for key in self._keys(actor):
            if not key.startswith("n:"):
                continue
            hits = [k for k in self._candidates(key, actor) if _compatible(actor, k.kind)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                for k in hits:
                    self.review.append(ReviewItem(actor.id, actor.name, k.id, k.name, "name shared by several actors", 1.0))
                return None
        return None

    def _candidates(self, key: str, actor: Actor, by_identifier: tuple[str, str] | None = None) -> list[_Known]:
        ids = set(self._by_key.get(key, ()))
        if not self._store_empty:
            if by_identifier:
                found = self.store.actor_by_identifier(*by_identifier)
                stored = [found] if found else []
            else:
                stored = self.store.find_actors(key[2:], limit=5)
            for s in stored:
                if s.kind is not ActorKind.PERSON and (by_identifier or key[2:] in
                                                       {normalise_name(n) for n in [s.name, *s.aliases]}):
                    self._remember(s)
                    ids.add(s.id)
        return [self._by_id[i] for i in sorted(ids) if self._by_id[i].kind is not ActorKind.PERSON]

    def _near_matches(self, actor: Actor) -> None:
        norm = normalise_name(actor.name)
        block = norm[:3]
        for other_id in self._blocks.get(block, ()):
            other = self._by_id[other_id]
            score = difflib.SequenceMatcher(None, norm, normalise_name(other.name)).ratio()
            if score >= NEAR_MATCH_RATIO:
                self.review.append(ReviewItem(actor.id, actor.name, other.id, other.name, "similar name", round(score, 3)))

    # -- bookkeeping --------------------------------------------------------
    def _remember(self, actor: Actor) -> None:
        if actor.id in self._by_id:
            return
        self._by_id[actor.id] = _Known(actor.id, actor.kind, actor.name)
        for key in self._keys(actor):
            self._by_key.setdefault(key, set()).add(actor.id)
        self._blocks.setdefault(normalise_name(actor.name)[:3], set()).add(actor.id)

    def _adopt(self, actor: Actor, known: _Known, *, count: bool) -> Actor:
        """The incoming actor under the known actor's id; the first name stays, others become aliases."""
        kind = known.kind if (_guessed(actor) or actor.kind is ActorKind.OTHER) else actor.kind
        aliases = [n for n in dict.fromkeys([actor.name, *actor.aliases]) if n != known.name]
        adopted = actor.model_copy(update={"id": known.id, "kind": kind, "name": known.name, "aliases": aliases})
        for key in self._keys(adopted):
            self._by_key.setdefault(key, set()).add(known.id)
        if not _guessed(actor) and actor.kind is not ActorKind.OTHER:
            known.kind = actor.kind
        return adopted


def _guessed(actor: Actor) -> bool:
    return bool(actor.attributes.get("kind_guessed"))


def _compatible(actor: Actor, kind: ActorKind) -> bool:
    return actor.kind is kind or _guessed(actor) or ActorKind.OTHER in (actor.kind, kind)
