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
people of the same name) are kept for the review report.

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
import re
from dataclasses import dataclass, field
from functools import lru_cache

from graphmodel.kinds import ActorKind
from graphmodel.models import Actor, identifier_scheme, merge_identifiers
from graphmodel.store.contract import StoreView
from graphmodel.text import normalise_name as _normalise_name

#: How alike two names must be (difflib ratio) to be listed for review.
NEAR_MATCH_RATIO = 0.88
#: A name token shared by more actors than this says little; it is not used to find near matches.
BLOCK_LIMIT = 400
#: Near-match candidates compared per incoming actor, most recent first.
NEAR_MATCH_CANDIDATES = 12

COMPANY_KINDS = frozenset({ActorKind.BRAND, ActorKind.SUPPLIER, ActorKind.FACILITY, ActorKind.OTHER})
#: Kinds never matched on initials.
NO_ACRONYMS = frozenset({ActorKind.BRAND, ActorKind.SUPPLIER, ActorKind.FACILITY})
#: Kinds whose near matches are not worth a reviewer's time (titles of programmes vary by design).
NO_NEAR_MATCH = frozenset({ActorKind.PROGRAMME, ActorKind.CAMPAIGN, ActorKind.AGREEMENT})
#: Legal forms dropped from the end of company names for the company-name rule.
LEGAL_FORMS = frozenset("""
    co company corp corporation inc incorporated llc llp ltd limited plc pvt private pte pty
    gmbh ag sa sas sarl srl spa bv nv jsc ojsc cjsc tbk bhd sdn kk kg ab oy oyj ltda cia sl factory
""".split())
#: Spoken forms of legal suffixes tried against the store for the company-name rule.
_LEGAL_SUFFIXES = ("ltd", "limited", "co ltd", "co", "company", "company limited", "inc", "corp", "corporation",
                   "pvt ltd", "private limited", "llc", "sa", "gmbh", "ag", "sdn bhd", "pt")
#: Words left out of initials ("International Labour Organization" -> ILO).
_STOPWORDS = frozenset("a and of the for in on to at de des du la le les el del y e et und fur".split())
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,9}$")


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
class _Known:
    id: str
    kind: ActorKind
    name: str
    country: str | None = None
    guessed: bool = False
    address: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    #: Registration number and city, when a record gives them (two different ones are two actors).
    facts: dict[str, str] = field(default_factory=dict)


@dataclass
class Resolver:
    """Remembers the actors of a run and finds the one an incoming actor is."""

    store: StoreView | None = None
    merged: int = 0
    review: list[ReviewItem] = field(default_factory=list)
    _by_id: dict[str, _Known] = field(default_factory=dict)
    _by_key: dict[str, set[str]] = field(default_factory=dict)
    _blocks: dict[str, list[str]] = field(default_factory=dict)
    _store_empty: bool = True
    _reviewed: set[tuple[str, str]] = field(default_factory=set)
    _merged_ids: dict[str, str] = field(default_factory=dict)
    #: The rule of the last merge :meth:`claim` made (for the ledger).
    last_rule: str | None = None

    def __post_init__(self) -> None:
        if self.store is not None:
            self._store_empty = self.store.stats().actors == 0

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
        if actor.id in self._merged_ids:  # a record merged before, mentioned again
            return self._adopt(actor, self._by_id[self._merged_ids[actor.id]])
        existing = None if self._store_empty else self.store.get_actor(actor.id)
        if existing is not None:
            self._remember(existing)
            return self._adopt(actor, self._by_id[existing.id])
        match = self._match(actor)
        if match is not None:
            self.merged += 1
            self._merged_ids[actor.id] = match.id
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
            ids |= self._by_key.get(_loose_iati_key(value), set())
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
                ids |= self._by_key.get(key, set())
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
        tokens = _block_tokens(norm, self._blocks)
        if not tokens:
            return
        # a similar name shares two of its informative words with this one (or its only word)
        seen: dict[str, int] = {}
        for token in tokens:
            for other_id in self._blocks[token][-NEAR_MATCH_CANDIDATES:]:
                seen[other_id] = seen.get(other_id, 0) + 1
        need = min(2, len(_tokens(norm)))
        candidates = [other_id for other_id, count in seen.items() if count >= need]
        if not candidates:
            return
        grams = _bigrams(norm)
        size = len(norm)
        matcher = None
        for other_id in candidates:
            other = self._by_id[other_id]
            other_norm = normalise_name(other.name)
            if other_norm == norm or 2 * min(size, len(other_norm)) < NEAR_MATCH_RATIO * (size + len(other_norm)):
                continue
            other_grams = _bigrams(other_norm)
            # cheap filter: names this similar share most of their letter pairs
            if 2 * len(grams & other_grams) < 0.7 * (len(grams) + len(other_grams)):
                continue
            if matcher is None:
                matcher = difflib.SequenceMatcher(None, "", norm)
            matcher.set_seq1(other_norm)
            score = matcher.ratio()
            if score >= NEAR_MATCH_RATIO:
                self._review(actor, other, "similar name", round(score, 3))

    def _review(self, actor: Actor, known: _Known, reason: str, score: float) -> None:
        pair = (actor.id, known.id) if actor.id != known.id else (normalise_name(actor.name), known.id)
        if pair in self._reviewed or (actor.id == known.id and "different name" not in reason):
            return
        self._reviewed.add(pair)
        self.review.append(ReviewItem(actor.id, actor.name, known.id, known.name, reason, score))

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
            if ids is None:
                by_key[key] = {actor_id}
            elif actor_id not in ids:
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


# -- keys and names ----------------------------------------------------------
@lru_cache(maxsize=1 << 18)
def normalise_name(text: str) -> str:
    """:func:`graphmodel.text.normalise_name`, remembered (a run sees the same names many times)."""
    return _normalise_name(text)


@lru_cache(maxsize=1 << 18)
def _bigrams(norm: str) -> frozenset[str]:
    return frozenset(norm[i:i + 2] for i in range(len(norm) - 1))


_SCHEMES = frozenset({"wikidata", "iati", "os_id", "lei", "ftm", "kumu"})


def _identifier_key(scheme: str, value: str) -> str:
    return f"x:{scheme}:{value.strip().casefold()}"


def _loose_iati_key(value: str) -> str:
    """IATI refs compared without hyphens, spaces and case: ``GB-CHC-272465`` = ``gbchc272465``."""
    return "X:iati:" + re.sub(r"[^0-9a-z]", "", value.casefold())


def _keys(actor: Actor) -> list[str]:
    keys = [_identifier_key(identifier_scheme(s), v) for s, v in actor.identifiers.items()]
    keys += [_loose_iati_key(v) for s, v in actor.identifiers.items() if identifier_scheme(s) == "iati"]
    if _nameless(actor):
        return keys
    person = actor.kind is ActorKind.PERSON
    keys += _primary_keys(actor.name, person, actor.kind in NO_ACRONYMS)
    for alias in actor.aliases:
        keys += _alias_keys(alias, person)
    if not person and actor.kind in COMPANY_KINDS and actor.country and (core := company_core(actor.name)):
        keys.append(f"c:{actor.country}:{core}")
    return keys


@lru_cache(maxsize=1 << 17)
def _alias_keys(name: str, person: bool) -> tuple[str, ...]:
    norm = normalise_name(name)
    if not norm:
        return ()
    keys = ["n:" + norm]
    compact = norm.replace(" ", "")
    if not person and len(compact) >= 5:
        keys.append("s:" + compact)
    return tuple(keys)


@lru_cache(maxsize=1 << 17)
def _primary_keys(name: str, person: bool, company: bool = False) -> tuple[str, ...]:
    keys = list(_alias_keys(name, person))
    if not person and not company:
        # acronym rule: from the primary name only (a full name with an acronym alias matches on "n:")
        if initial := initials(name):
            keys.append(f"a:{initial}")
        keys += [f"v:{v}" for v in initial_variants(name)]
        if _is_acronym(name):
            keys.append(f"k:{name.replace('.', '').strip().lower()}")
    return tuple(keys)


@lru_cache(maxsize=1 << 16)
def company_core(name: str) -> str:
    """A company's name without the legal forms at its end, or ``''`` when too little is left.

    >>> company_core("Regina Miracle Intimate Apparel (Shenzhen Ltd.)")
    'regina miracle intimate apparel shenzhen'
    >>> company_core("ABC Co., Ltd.")
    ''
    """
    tokens = normalise_name(name).split()
    while tokens and tokens[-1] in LEGAL_FORMS:
        tokens.pop()
    while tokens and tokens[0] in ("pt", "cv", "the"):
        tokens.pop(0)
    core = " ".join(tokens)
    return core if len(tokens) >= 2 and len(core) >= 6 else ""


@lru_cache(maxsize=1 << 16)
def initials(name: str) -> str:
    """Initials of a name of three or more significant words, for matching acronyms.

    >>> initials("Friedrich-Ebert-Stiftung"), initials("International Labour Organization")
    ('fes', 'ilo')
    >>> initials("Solidarity Center")
    ''
    """
    words = [w for w in normalise_name(name).split() if w not in _STOPWORDS]
    return "".join(w[0] for w in words) if len(words) >= 3 and all(w[0].isalpha() for w in words) else ""


@lru_cache(maxsize=1 << 16)
def initial_variants(name: str) -> tuple[str, ...]:
    """Initials of a name of four or more significant words, skipping one inner word.

    >>> initial_variants("Building and Wood Workers' International")
    ('bwi', 'bwi')
    """
    words = [w for w in normalise_name(name).split() if w not in _STOPWORDS]
    if len(words) < 4 or not all(w[0].isalpha() for w in words):
        return ()
    letters = [w[0] for w in words]
    return tuple("".join(letters[:i] + letters[i + 1:]) for i in range(1, len(letters) - 1))


def _is_acronym(name: str) -> bool:
    return bool(_ACRONYM.match(name.replace(".", "").strip()))


@lru_cache(maxsize=1 << 17)
def _tokens(norm: str) -> tuple[str, ...]:
    """Blocking keys of a name: its informative words, and its first letters without spaces
    (so "IrishAid" meets "Irish Aid")."""
    words = [t for t in dict.fromkeys(norm.split()) if len(t) >= 3 and t not in LEGAL_FORMS and t not in _STOPWORDS]
    compact = norm.replace(" ", "")
    return tuple(words + ([f"^{compact[:5]}"] if len(compact) >= 5 else []))


def _block_tokens(norm: str, blocks: dict[str, list[str]], count: int = 4) -> list[str]:
    """The rarest informative tokens of a name that other names share: where its near matches are."""
    sized = sorted((len(blocks[t]), t) for t in _tokens(norm) if 0 < len(blocks.get(t, ())) <= BLOCK_LIMIT)
    return [t for _, t in sized[:count]]


#: Address words too common to tell two sites apart.
_ADDRESS_STOPWORDS = frozenset("""
    road rd street st avenue ave av rua jl jalan lane ln no number moo soi tambon amphur village district
    industrial zone park estate area city town province county state block lot building floor unit km
    highway hwy sub de la del the and of
""".split())


def _address(actor: Actor) -> str | None:
    if actor.kind is not ActorKind.FACILITY:
        return None
    value = actor.attributes.get("address")
    return normalise_name(value) if isinstance(value, str) and value.strip() else None


def same_site(a: str | None, b: str | None) -> bool:
    """Whether two (normalised) addresses may be the same site: unknown counts as may.

    >>> same_site("27 phetkasem rd nongkham", "166 168 moo 1 phetkasem rd yaicha sampran")
    False
    >>> same_site("bangobandhu road tangabari ashulia savar dhaka 1341", "bangobandhu rd tangabari ashulia savar")
    True
    >>> same_site("av juracy magalhaes 5200 vitoria da conquista", "av juracy magalhaes 5100 vitoria da conquista")
    False
    """
    if not a or not b or a == b:
        return True
    ta = {t for t in a.split() if t not in _ADDRESS_STOPWORDS}
    tb = {t for t in b.split() if t not in _ADDRESS_STOPWORDS}
    na = [t for t in a.split() if any(c.isdigit() for c in t)]
    nb = [t for t in b.split() if any(c.isdigit() for c in t)]
    if na and nb and (na[0] != nb[0] or not set(na) & set(nb)):
        return False  # the first number is the street number or plot: another one is another site
    if not ta or not tb:
        return True
    return len(ta & tb) / min(len(ta), len(tb)) >= 0.5


def _same_site(actor: Actor, known: _Known) -> bool:
    if actor.kind is not ActorKind.FACILITY or known.kind is not ActorKind.FACILITY:
        return True
    return same_site(_address(actor), known.address)


#: Identifier schemes that name one record each: two different values mean two different actors.
UNIQUE_SCHEMES = ("os_id", "lei", "wikidata")


def _conflicting_identifier(actor: Actor, known: _Known) -> str | None:
    schemes = UNIQUE_SCHEMES
    if ActorKind.PROGRAMME in (actor.kind, known.kind):
        schemes = (*UNIQUE_SCHEMES, "iati")  # an IATI activity identifier names one activity
    for scheme in schemes:
        mine = {v.casefold() for k, v in actor.identifiers.items() if identifier_scheme(k) == scheme}
        theirs = {v.casefold() for k, v in known.identifiers.items() if identifier_scheme(k) == scheme}
        if mine and theirs and not mine & theirs:
            return scheme
    return None


#: Attributes that say where a company is registered and sits: two different values, two actors.
_REGISTRATION = ("registration_number", "registrationNumber", "company_number", "companyNumber", "registration",
                 "taxNumber", "tax_number", "vatCode", "innCode", "ogrnCode")
_CITY = ("city", "town")


def _first_text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).strip() if value not in (None, "") else None


def _facts(actor: Actor) -> dict[str, str]:
    facts = {}
    for key in _REGISTRATION:
        text = _first_text(actor.attributes.get(key))
        if text:
            facts["registration number"] = re.sub(r"[^0-9a-z]", "", text.casefold())
            break
    for key in _CITY:
        text = _first_text(actor.attributes.get(key))
        if text:
            facts["city"] = normalise_name(text)
            break
    if actor.kind is not ActorKind.FACILITY:
        address = _first_text(actor.attributes.get("address"))
        if address:
            facts["address"] = normalise_name(address)
    return facts


def _conflicting_fact(actor: Actor, known: _Known) -> str | None:
    """A registration number, city or address that both records give and that differ: names alone never
    merge them (two companies of one name in two cities, two sites of one group)."""
    mine = _facts(actor)
    for key in ("registration number", "city"):
        if mine.get(key) and known.facts.get(key) and mine[key] != known.facts[key]:
            return key
    if mine.get("address") and known.facts.get("address") and not same_site(mine["address"], known.facts["address"]):
        return "address"
    return None


def _nameless(actor: Actor) -> bool:
    return bool(actor.attributes.get("name_from_id"))


def _guessed(actor: Actor) -> bool:
    return bool(actor.attributes.get("kind_guessed"))


#: Kinds that are different things from an organisation even when they share its name: a site (a factory
#: and the company named like it), an activity (a programme named after its organisation), a person.
FAMILIES = {ActorKind.FACILITY: "site", ActorKind.PROGRAMME: "activity", ActorKind.CAMPAIGN: "activity",
            ActorKind.AGREEMENT: "activity", ActorKind.PERSON: "person"}


def family(kind: ActorKind) -> str:
    """What sort of thing an actor of ``kind`` is; only an identifier merges actors of two families.

    >>> family(ActorKind.FACILITY), family(ActorKind.SUPPLIER), family(ActorKind.PROGRAMME)
    ('site', 'organisation', 'activity')
    """
    return FAMILIES.get(kind, "organisation")


def _compatible(actor: Actor, known: _Known) -> bool:
    """Whether a name (not an identifier) may make these two one actor: never across families (a group
    and its factory, an organisation and its programme); within one, unless both kinds are curated and
    differ."""
    if family(actor.kind) != family(known.kind):
        return False
    return (actor.kind is known.kind or _guessed(actor) or known.guessed
            or ActorKind.OTHER in (actor.kind, known.kind))
