"""What makes two records two actors whatever their names: different families (a site, an activity, an
organisation, a person), different sites, identifiers of one record each that differ, and different
registration numbers, cities or addresses.

>>> family(ActorKind.FACILITY), same_site("12 harbour rd", "12 harbour road")
('site', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphmodel.kinds import ActorKind
from graphmodel.models import Actor, identifier_scheme

from .matchkeys import _guessed, normalise_name


@dataclass
class Known:
    """What a run remembers of an actor to tell whether a record is it."""

    id: str
    kind: ActorKind
    name: str
    country: str | None = None
    guessed: bool = False
    address: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    #: Registration number and city, when a record gives them (two different ones are two actors).
    facts: dict[str, str] = field(default_factory=dict)

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


def _same_site(actor: Actor, known: Known) -> bool:
    if actor.kind is not ActorKind.FACILITY or known.kind is not ActorKind.FACILITY:
        return True
    return same_site(_address(actor), known.address)


#: Identifier schemes that name one record each: two different values mean two different actors.
UNIQUE_SCHEMES = ("os_id", "lei", "wikidata")


def _conflicting_identifier(actor: Actor, known: Known) -> str | None:
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


def _conflicting_fact(actor: Actor, known: Known) -> str | None:
    """A registration number, city or address that both records give and that differ: names alone never
    merge them (two companies of one name in two cities, two sites of one group)."""
    mine = _facts(actor)
    for key in ("registration number", "city"):
        if mine.get(key) and known.facts.get(key) and mine[key] != known.facts[key]:
            return key
    if mine.get("address") and known.facts.get("address") and not same_site(mine["address"], known.facts["address"]):
        return "address"
    return None


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


def _compatible(actor: Actor, known: Known) -> bool:
    """Whether a name (not an identifier) may make these two one actor: never across families (a group
    and its factory, an organisation and its programme); within one, unless both kinds are curated and
    differ."""
    if family(actor.kind) != family(known.kind):
        return False
    return (actor.kind is known.kind or _guessed(actor) or known.guessed
            or ActorKind.OTHER in (actor.kind, known.kind))
