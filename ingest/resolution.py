"""Entity resolution: the same organisation from two files becomes one actor.

Match on external identifiers first (Wikidata, IATI ref, os_id, LEI), then on
normalised names and aliases (case, accents, punctuation and spacing ignored),
among the actors already seen in this run and those in the store. More careful
rules follow, each only when exactly one candidate fits: a company's name
without its legal form in the same country ("Scavi Hue Company" = "SCAVI HUE",
both in VN), names equal but for spaces ("IrishAid" = "Irish Aid"), and (not
for companies, within a run) an acronym equal to the initials of a name ("ILO" =
"International Labour Organization"; one inner word may be skipped: "BWI" =
"Building and Wood Workers' International"). These weaker merges are also
listed for review.

Never merged automatically: people; actors of two families on a name alone (a
site and an organisation, such as a group and its factory of the same name; an
activity and an organisation, such as a programme named after its
organisation: only a shared identifier joins them); actors whose kinds are both curated and
differ; actors of the same name in different countries; facilities of the same
name at different addresses (one company often runs several sites); actors
whose os_id, LEI or Wikidata id differ (and programmes whose IATI identifiers
differ). A kind marked ``kind_guessed`` gives way to a curated one. Near
matches left unmerged (similar names, an exact name shared by several actors,
people of the same name; names alike but for their numbers, "Local 12" and "Local 13", are no near match), against the run's actors and the store's, are kept for
the review queue. A person's judgement on a pair (see graphmodel.curation) wins
over every rule: "different" keeps two records apart, "same" joins them.

>>> r = Resolver()
>>> a = r.claim(Actor(id="bwi", kind="guf", name="Building and Wood Workers' International", aliases=["BWI"]))
>>> b = r.claim(Actor(kind="ngo", name="BWI", attributes={"kind_guessed": True}))
>>> (b.id, b.kind.value, b.name, b.aliases)   # the record keeps its name; the store decides which leads
('bwi', 'guf', 'BWI', ["Building and Wood Workers' International"])
>>> r.merged
1
>>> ilo = r.claim(Actor(id="ilo", kind="igo", name="International Labour Organization"))
>>> r.claim(Actor(kind="igo", name="ILO ")).id
'ilo'
>>> r.claim(Actor(kind="igo", name="International Labor Organisation")).id   # a near match: listed, not merged
'international-labor-organisation-...'
>>> r.review[-1].reason, r.review[-1].candidate
('similar name', 'ilo')
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from graphmodel.kinds import ActorKind
from graphmodel.models import Actor, identifier_scheme, merge_identifiers
from graphmodel.store.contract import StoreView

from .matchkeys import (_LEGAL_SUFFIXES, _SCHEMES, BLOCK_LIMIT, COMPANY_KINDS, NO_ACRONYMS, NO_NEAR_MATCH, _bigrams,
                        _block_tokens, _guessed, _identifier_key, _is_acronym, _keys, _loose_iati_key, _nameless,
                        _tokens, company_core, initial_variants, initials, normalise_name, numbered_apart)
from .sameness import (Known as _Known, _address, _compatible, _conflicting_fact, _conflicting_identifier, _facts,
                       _same_site, same_site)

#: What other modules use from here (the matching rules' helpers live in .matchkeys and .sameness).
__all__ = ["NEAR_MATCH_RATIO", "Resolver", "ReviewItem", "company_core", "initials", "normalise_name", "same_site"]

#: How alike two names must be (difflib ratio) to be listed for review.
NEAR_MATCH_RATIO = 0.88
#: Near-match candidates compared per incoming actor, most recent first.
NEAR_MATCH_CANDIDATES = 12


@dataclass(frozen=True)
class ReviewItem:
    """A pair of actors that may be the same but were not merged (or were merged on a weaker rule)."""

    incoming: str
    incoming_name: str
    candidate: str
    candidate_name: str
    reason: str
    score: float

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Resolver:
    """Remembers the actors of a run and finds the one an incoming actor is."""

    store: StoreView | None = None
    merged: int = 0
    review: list[ReviewItem] = field(default_factory=list)
    _by_id: dict[str, _Known] = field(default_factory=dict)
    #: Match key -> the ids of the actors it names (a 1-tuple for one id, else a set).
    _by_key: dict[str, tuple[str] | set[str]] = field(default_factory=dict)
    _blocks: dict[str, list[str]] = field(default_factory=dict)
    _store_empty: bool = True
    _reviewed: set[tuple[str, str]] = field(default_factory=set)
    #: Records of this run merged into an actor of another id: record id -> actor id.
    merges: dict[str, str] = field(default_factory=dict)
    #: The same, as earlier runs decided them (kept with each origin in the store).
    _remembered: dict[str, str] = field(default_factory=dict)
    #: The rule of the last merge :meth:`claim` made (for the ledger).
    last_rule: str | None = None
    #: People's judgements on pairs: pair key -> verdict; and record id -> the actor a "same" joins it to.
    _judged: dict[str, str] = field(default_factory=dict)
    _judged_same: dict[str, str] = field(default_factory=dict)
    #: The store's actors by informative name word, for near matches (read on first need).
    _store_blocks: dict[str, list[tuple[str, str]]] | None = None

    def __post_init__(self) -> None:
        if self.store is not None:
            self._store_empty = self.store.stats().actors == 0
        if not self._store_empty:
            for source in self.store.sources():
                if source.merges:
                    self._remembered.update(json.loads(source.merges))
        if self.store is not None:
            for key, doc in self.store.docs("judgement").items():
                self._judged[key] = doc["verdict"]
                if doc["verdict"] == "same":
                    self._judged_same[doc["b"]] = doc["a"]

    def judged(self, a: str, b: str) -> str | None:
        """A person's verdict on two ids (``same``, ``different``, ``unsure``), if any."""
        return self._judged.get("|".join(sorted((a, b))))

    # -- public -------------------------------------------------------------
    def claim(self, actor: Actor) -> Actor:
        """The actor as it should be written: with the id of the actor it matches, if any."""
        self.last_rule = "same id"
        if actor.id in self._by_id:
            known = self._by_id[actor.id]
            if actor.identifiers and normalise_name(actor.name) != normalise_name(known.name):
                # an id made from an identifier (an IATI ref): one identifier, two names; merged, and listed
                scheme = identifier_scheme(next(iter(actor.identifiers)))
                self._review(actor, known, f"merged: same {scheme} identifier, different name", 1.0)
            return self._adopt(actor, known)
        if actor.id in self.merges:  # a record merged before, mentioned again
            return self._adopt(actor, self._by_id[self.merges[actor.id]])
        existing = None if self._store_empty else self.store.get_actor(actor.id)
        if existing is not None:
            self._remember(existing)
            return self._adopt(actor, self._by_id[existing.id])
        for into, rule in ((self._judged_same.get(actor.id), "judged the same"),
                           (self._remembered.get(actor.id), "merged the same way before")):
            if into is not None and self.judged(actor.id, into) != "different" and self.kind_of(into) is not None:
                self.last_rule = rule  # a person's judgement, or an earlier run's merge: again, the same way
                self.merged += 1
                self.merges[actor.id] = into
                return self._adopt(actor, self._by_id[into])
        match = self._match(actor)
        if match is not None and self.judged(actor.id, match.id) == "different":
            match = None
        if match is not None:
            self.merged += 1
            self.merges[actor.id] = match.id
            return self._adopt(actor, match)
        if not _nameless(actor):
            self._near_matches(actor)
        self._remember(actor)
        return actor

    def lookup(self, ref: str) -> str | None:
        """The id of the actor a reference names, when exactly one does.

        A reference is an id, a name or alias, or ``scheme:identifier`` (e.g. ``iati:GB-CHC-272465``).
        """
        text = ref.strip()
        if text in self._by_id:
            return text
        scheme, _, value = text.partition(":")
        if value and scheme.lower() in _SCHEMES:
            found = self._identifier_hits(scheme.lower(), value.strip())
            if len(found) == 1:
                return found[0].id
        ids = self._by_key.get("n:" + normalise_name(text), ())
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

    def name_of(self, actor_id: str) -> str | None:
        """The name an actor is known by in this run (or in the store)."""
        if actor_id not in self._by_id:
            self.kind_of(actor_id)
        known = self._by_id.get(actor_id)
        return known.name if known else None

    def kind_of(self, actor_id: str) -> ActorKind | None:
        known = self._by_id.get(actor_id)
        if known is None and not self._store_empty:
            stored = self.store.get_actor(actor_id)
            if stored is not None:
                self._remember(stored)
                known = self._by_id[actor_id]
        return known.kind if known else None

    # -- matching -----------------------------------------------------------
    def _match(self, actor: Actor) -> _Known | None:
        if actor.kind is ActorKind.PERSON:
            self._same_name_people(actor)
            return None
        nameless = _nameless(actor)
        for key, value in actor.identifiers.items():
            scheme = identifier_scheme(key)
            hits = self._identifier_hits(scheme, value)
            if len(hits) == 1:
                self.last_rule = f"same {scheme} identifier"
                if normalise_name(hits[0].name) not in {normalise_name(n) for n in [actor.name, *actor.aliases]}:
                    self._review(actor, hits[0], f"merged: same {scheme} identifier, different name", 1.0)
                return hits[0]
        if nameless:  # a graph file's node named only by its local id ("n0") is matched by identifiers only
            return None
        for name in [actor.name, *actor.aliases]:
            key = normalise_name(name)
            if not key:
                continue
            hits = self._name_hits(key, actor)
            if len(hits) == 1:
                self.last_rule = "same name"
                return hits[0]
            if len(hits) > 1:
                for k in hits:
                    self._review(actor, k, "name shared by several actors", 1.0)
                return None
        for rule, finder in (("same name apart from spaces", self._spacing_match),
                             ("company name without legal form", self._company_match),
                             ("acronym of the name", self._acronym_match)):
            found = finder(actor)
            if found is not None:
                self.last_rule = rule
                return found
        return None

    def _spacing_match(self, actor: Actor) -> _Known | None:
        """Names equal but for spaces ("IrishAid" = "Irish Aid"), within this run."""
        compact = normalise_name(actor.name).replace(" ", "")
        if len(compact) < 5:
            return None
        hits = [self._by_id[i] for i in sorted(self._by_key.get(f"s:{compact}", ()))]
        hits = [k for k in hits if k.kind is not ActorKind.PERSON and _compatible(actor, k)
                and not (actor.country and k.country and actor.country != k.country)
                and _same_site(actor, k) and not _conflicting_identifier(actor, k)
                and not _conflicting_fact(actor, k)]
        if len(hits) == 1:
            self._review(actor, hits[0], "merged: same name apart from spaces", 1.0)
            return hits[0]
        return None

    def _identifier_hits(self, scheme: str, value: str) -> list[_Known]:
        ids = set(self._by_key.get(_identifier_key(scheme, value), ()))
        if scheme == "iati":
            ids.update(self._by_key.get(_loose_iati_key(value), ()))
        if not self._store_empty:
            found = self.store.actor_by_identifier(scheme, value)
            if found is not None:
                self._remember(found)
                ids.add(found.id)
        return [self._by_id[i] for i in sorted(ids) if self._by_id[i].kind is not ActorKind.PERSON]

    def _name_hits(self, key: str, actor: Actor) -> list[_Known]:
        ids = set(self._by_key.get("n:" + key, ()))
        if not self._store_empty:
            for s in self.store.find_actors(key, limit=5):
                if key in {normalise_name(n) for n in [s.name, *s.aliases]}:
                    self._remember(s)
                    ids.add(s.id)
        hits = []
        for i in sorted(ids):
            k = self._by_id[i]
            if k.kind is ActorKind.PERSON or not _compatible(actor, k):
                continue
            if actor.country and k.country and actor.country != k.country:
                self._review(actor, k, "same name, different country", 1.0)
                continue
            if not _same_site(actor, k):
                self._review(actor, k, "same name, different address", 1.0)
                continue
            if conflict := _conflicting_identifier(actor, k) or _conflicting_fact(actor, k):
                self._review(actor, k, f"same name, different {conflict}", 1.0)
                continue
            hits.append(k)
        return hits

    def _company_match(self, actor: Actor) -> _Known | None:
        if actor.kind not in COMPANY_KINDS or not actor.country:
            return None
        core = company_core(actor.name)
        if not core:
            return None
        ids = set(self._by_key.get(f"c:{actor.country}:{core}", ()))
        if not self._store_empty:
            for suffix in ("", *_LEGAL_SUFFIXES):
                for s in self.store.find_actors(f"{core} {suffix}".strip(), limit=3):
                    if s.country == actor.country and company_core(s.name) == core:
                        self._remember(s)
                        ids.add(s.id)
        hits = [self._by_id[i] for i in sorted(ids)]
        hits = [k for k in hits if k.kind in COMPANY_KINDS and _compatible(actor, k) and _same_site(actor, k)
                and not _conflicting_identifier(actor, k) and not _conflicting_fact(actor, k)]
        if len(hits) == 1:
            self._review(actor, hits[0], "merged: same company name apart from its legal form, same country", 1.0)
            return hits[0]
        return None

    def _acronym_match(self, actor: Actor) -> _Known | None:
        """An acronym and a name whose initials it is ("ILO" = "International Labour Organization"),
        exact initials first, then initials that skip one inner word ("BWI" = "Building and Wood
        Workers' International"); only a single candidate is merged. Not for companies: factories and
        brands are not known by their initials."""
        if actor.kind in NO_ACRONYMS:
            return None
        acronym = actor.name.replace(".", "").strip().lower() if _is_acronym(actor.name) else ""
        exact, loose = initials(actor.name), initial_variants(actor.name)
        for keys in (
            ({f"a:{acronym}"} if acronym else set()) | ({f"k:{exact}"} if exact else set()),
            ({f"v:{acronym}"} if acronym else set()) | {f"k:{v}" for v in loose},
        ):
            ids: set[str] = set()
            for key in keys:
                ids.update(self._by_key.get(key, ()))
            hits = [self._by_id[i] for i in sorted(ids)]
            hits = [k for k in hits if k.kind is not ActorKind.PERSON and _compatible(actor, k)
                    and not (actor.country and k.country and actor.country != k.country)
                    and not _conflicting_identifier(actor, k) and not _conflicting_fact(actor, k)]
            if len(hits) == 1:
                self._review(actor, hits[0], "merged: acronym matches the initials of the name", 1.0)
                return hits[0]
            if hits:
                return None
        return None

    def _same_name_people(self, actor: Actor) -> None:
        for key in {normalise_name(n) for n in [actor.name, *actor.aliases]} - {""}:
            for other in sorted(self._by_key.get("n:" + key, ())):
                known = self._by_id[other]
                if known.kind is ActorKind.PERSON and known.id != actor.id:
                    self._review(actor, known, "same name; people are never merged automatically", 1.0)

    def _near_matches(self, actor: Actor) -> None:
        if actor.kind in NO_NEAR_MATCH:
            return
        norm = normalise_name(actor.name)
        # a similar name shares two of its informative words with this one (or its only word), in this run
        # or in the store
        seen: dict[str, int] = {}
        for token in _block_tokens(norm, self._blocks):
            for other_id in self._blocks[token][-NEAR_MATCH_CANDIDATES:]:
                seen[other_id] = seen.get(other_id, 0) + 1
        stored: dict[str, _Known] = {}
        for token in _tokens(norm):
            for other_id, other_name in self._stored_blocks().get(token, [])[-NEAR_MATCH_CANDIDATES:]:
                if other_id not in self._by_id:
                    stored[other_id] = _Known(other_id, ActorKind.OTHER, other_name)  # for the review list only
                    seen[other_id] = seen.get(other_id, 0) + 1
        need = min(2, len(_tokens(norm)))
        candidates = [other_id for other_id, count in seen.items() if count >= need]
        if not candidates:
            return
        grams = _bigrams(norm)
        size = len(norm)
        matcher = None
        for other_id in candidates:
            other = self._by_id.get(other_id) or stored[other_id]
            other_norm = normalise_name(other.name)
            if other_norm == norm or 2 * min(size, len(other_norm)) < NEAR_MATCH_RATIO * (size + len(other_norm)):
                continue
            if numbered_apart(norm, other_norm):  # Local 12 and Local 13: not one organisation misspelt
                continue
            other_grams = _bigrams(other_norm)
            # cheap filter: names this similar share most of their letter pairs
            if 2 * len(grams & other_grams) < 0.7 * (len(grams) + len(other_grams)):
                continue
            if matcher is None:
                matcher = difflib.SequenceMatcher(None, "", norm)
            matcher.set_seq1(other_norm)
            if matcher.quick_ratio() < NEAR_MATCH_RATIO:  # an upper bound of ratio(), from letter counts alone
                continue
            score = matcher.ratio()
            if score >= NEAR_MATCH_RATIO:
                self._review(actor, other, "similar name", round(score, 3))

    def _review(self, actor: Actor, known: _Known, reason: str, score: float) -> None:
        pair = (actor.id, known.id) if actor.id != known.id else (normalise_name(actor.name), known.id)
        if pair in self._reviewed or (actor.id == known.id and "different name" not in reason) \
                or self.judged(actor.id, known.id) in ("same", "different"):
            return
        self._reviewed.add(pair)
        self.review.append(ReviewItem(actor.id, actor.name, known.id, known.name, reason, score))

    def _stored_blocks(self) -> dict[str, list[tuple[str, str]]]:
        """The store's actors (those near matches are sought for) by informative name word, read once."""
        if self._store_blocks is None:
            self._store_blocks = {}
            if not self._store_empty:
                for a in self.store.iter_actors():
                    if a.kind in NO_NEAR_MATCH or _nameless(a):
                        continue
                    for token in _tokens(normalise_name(a.name)):
                        members = self._store_blocks.setdefault(token, [])
                        if len(members) <= BLOCK_LIMIT:
                            members.append((a.id, a.name))
        return self._store_blocks

    # -- bookkeeping --------------------------------------------------------
    def _remember(self, actor: Actor) -> None:
        if actor.id in self._by_id:
            return
        self._by_id[actor.id] = _Known(actor.id, actor.kind, actor.name, actor.country, _guessed(actor),
                                       _address(actor), dict(actor.identifiers), _facts(actor))
        self._index(actor, actor.id)
        if actor.kind not in NO_NEAR_MATCH and not _nameless(actor):
            for token in _tokens(normalise_name(actor.name)):
                members = self._blocks.setdefault(token, [])
                if len(members) <= BLOCK_LIMIT:
                    members.append(actor.id)

    def _index(self, actor: Actor, actor_id: str) -> None:
        by_key = self._by_key
        for key in _keys(actor):
            ids = by_key.get(key)
            if ids is None:  # most keys name one actor: a 1-tuple is a quarter of a set's size
                by_key[key] = (actor_id,)
            elif actor_id in ids:
                continue
            elif type(ids) is tuple:
                by_key[key] = {ids[0], actor_id}
            else:
                ids.add(actor_id)

    def _adopt(self, actor: Actor, known: _Known) -> Actor:
        """The incoming actor under the known actor's id, with its own name and the known name as an alias.

        A curated kind wins over a guessed one: the incoming kind is kept unless it was guessed
        (or is ``other``) and the known one was not.
        """
        incoming_guessed = _guessed(actor) or actor.kind is ActorKind.OTHER
        if incoming_guessed and not (known.guessed and actor.kind is not ActorKind.OTHER
                                     and known.kind is ActorKind.OTHER):
            kind, guessed = known.kind, known.guessed
        else:
            kind, guessed = actor.kind, _guessed(actor)
        # The record keeps its own name (the known one becomes an alias) and says whether its source stated
        # the kind: the store picks the actor's name and kind from all origins' claims, whatever their order.
        aliases = [n for n in dict.fromkeys([*actor.aliases, known.name]) if n != actor.name]
        update: dict = {"id": known.id, "kind": kind, "aliases": aliases}
        if "kind_guessed" in actor.attributes or known.guessed or kind is not actor.kind:
            update["attributes"] = {**actor.attributes, "kind_guessed": _guessed(actor) or kind is not actor.kind}
        if not actor.country and known.country:
            update["country"] = known.country
        adopted = actor.model_copy(update=update)
        # matched from now on as before: by the known name's keys, this record's names as aliases
        self._index(adopted.model_copy(update={"name": known.name, "aliases": [
            n for n in dict.fromkeys([actor.name, *actor.aliases]) if n != known.name]}), known.id)
        known.kind, known.guessed = kind, guessed
        known.country = known.country or adopted.country
        known.address = known.address or _address(adopted)
        known.facts = {**_facts(adopted), **known.facts}
        known.identifiers = merge_identifiers(known.identifiers, adopted.identifiers)
        return adopted
