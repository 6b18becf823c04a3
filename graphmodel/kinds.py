"""The one table of actor kinds and link kinds.

Everything that depends on a kind derives from :data:`ACTOR_SPECS` and
:data:`LINK_SPECS`: validation of link endpoints, Neo4j labels and relationship
types, FollowTheMoney schemata, dashboard colours and shapes, and the default
influence weights.

Examples
--------
>>> LINK_SPECS[LinkKind.FUNDS].allows(ActorKind.SSO, ActorKind.GUF)
True
>>> LINK_SPECS[LinkKind.SOURCES_FROM].allows(ActorKind.UNION, ActorKind.FACILITY)
False
>>> ACTOR_SPECS[ActorKind.GUF].neo4j_label
'GlobalUnionFederation'
>>> LINK_SPECS[LinkKind.AFFILIATED_TO].neo4j_type
'AFFILIATED_TO'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class ActorKind(StrEnum):
    GUF = "guf"
    INTERNATIONAL_CONFEDERATION = "international_confederation"
    SSO = "sso"
    GOVERNMENT = "government"
    IGO = "igo"
    NATIONAL_CENTRE = "national_centre"
    UNION = "union"
    WORKER_ORGANISATION = "worker_organisation"
    NGO = "ngo"
    BRAND = "brand"
    SUPPLIER = "supplier"
    FACILITY = "facility"
    PLATFORM = "platform"
    EMPLOYER_ASSOCIATION = "employer_association"
    PARTY = "party"
    PROGRAMME = "programme"
    CAMPAIGN = "campaign"
    AGREEMENT = "agreement"
    PERSON = "person"
    OTHER = "other"


class LinkKind(StrEnum):
    FUNDS = "funds"
    IMPLEMENTS = "implements"
    AFFILIATED_TO = "affiliated_to"
    MEMBER_OF = "member_of"
    SUPPORTS = "supports"
    PARTNERS_WITH = "partners_with"
    OWNS = "owns"
    OPERATES = "operates"
    SOURCES_FROM = "sources_from"
    SIGNATORY_TO = "signatory_to"
    PARTICIPATES_IN = "participates_in"
    TARGETS = "targets"
    LOBBIES = "lobbies"
    SANCTIONS = "sanctions"
    OPPOSES = "opposes"
    REPRESENTS_WORKERS_AT = "represents_workers_at"
    MERGED_INTO = "merged_into"
    REPRESSES = "represses"
    LISTS = "lists"
    RELATED_TO = "related_to"


class Sphere(StrEnum):
    """Where an actor or a link acts: the groups leverage results are shown in."""

    PRODUCTION = "production"
    CAPITAL = "capital"
    MARKET = "market"
    REGULATION = "regulation"
    FUNDING = "funding"
    ORGANISING = "organising"


class Confidence(StrEnum):
    CONFIRMED = "confirmed"
    REPORTED = "reported"
    INFERRED = "inferred"


class Sensitivity(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    RESTRICTED = "restricted"


#: How far a hop's strength is trusted, by the confidence of its link.
CONFIDENCE_FACTOR: dict[Confidence, float] = {
    Confidence.CONFIRMED: 1.0,
    Confidence.REPORTED: 0.8,
    Confidence.INFERRED: 0.5,
}

#: Order of clearance: a user cleared for a level sees it and everything below.
SENSITIVITY_RANK: dict[Sensitivity, int] = {
    Sensitivity.PUBLIC: 0,
    Sensitivity.INTERNAL: 1,
    Sensitivity.RESTRICTED: 2,
}


@dataclass(frozen=True)
class ActorSpec:
    kind: ActorKind
    label: str
    neo4j_label: str
    ftm_schema: str
    sphere: Sphere
    colour: str
    shape: str
    default_sensitivity: Sensitivity = Sensitivity.PUBLIC


@dataclass(frozen=True)
class LinkSpec:
    """One link kind: which kinds it may join and how influence flows along it.

    ``forward`` is the default strength of influence from the link's source
    over its target, ``backward`` the reverse (0 when none flows that way).
    """

    kind: LinkKind
    label: str
    sources: frozenset[ActorKind]
    targets: frozenset[ActorKind]
    directed: bool
    ftm_schema: str
    sphere: Sphere
    forward: float
    backward: float
    colour: str
    line: str = "solid"

    @property
    def neo4j_type(self) -> str:
        return self.kind.value.upper()

    def allows(self, source: ActorKind, target: ActorKind) -> bool:
        """Whether a link of this kind may join ``source`` to ``target``."""
        if source in self.sources and target in self.targets:
            return True
        return not self.directed and target in self.sources and source in self.targets


K = ActorKind
_A = ActorSpec
ACTOR_SPECS: dict[ActorKind, ActorSpec] = {
    s.kind: s
    for s in (
        _A(K.GUF, "Global union federation", "GlobalUnionFederation", "Organization", Sphere.ORGANISING, "#c0392b", "star"),
        _A(K.INTERNATIONAL_CONFEDERATION, "International confederation", "InternationalConfederation", "Organization", Sphere.ORGANISING, "#922b21", "star"),
        _A(K.SSO, "Solidarity support organisation", "SolidaritySupportOrganisation", "Organization", Sphere.FUNDING, "#d68910", "diamond"),
        _A(K.GOVERNMENT, "Government or state body", "Government", "PublicBody", Sphere.REGULATION, "#5d6d7e", "octagon"),
        _A(K.IGO, "Intergovernmental organisation", "IntergovernmentalOrganisation", "PublicBody", Sphere.REGULATION, "#85929e", "octagon"),
        _A(K.NATIONAL_CENTRE, "National union centre", "NationalCentre", "Organization", Sphere.ORGANISING, "#e74c3c", "hexagon"),
        _A(K.UNION, "Union", "Union", "Organization", Sphere.ORGANISING, "#f1948a", "ellipse"),
        _A(K.WORKER_ORGANISATION, "Worker organisation", "WorkerOrganisation", "Organization", Sphere.ORGANISING, "#f5b7b1", "ellipse"),
        _A(K.NGO, "NGO", "Ngo", "Organization", Sphere.ORGANISING, "#27ae60", "round-rectangle"),
        _A(K.BRAND, "Brand", "Brand", "Company", Sphere.MARKET, "#2874a6", "rectangle"),
        _A(K.SUPPLIER, "Supplier", "Supplier", "Company", Sphere.PRODUCTION, "#5dade2", "rectangle"),
        _A(K.FACILITY, "Facility", "Facility", "Company", Sphere.PRODUCTION, "#aed6f1", "triangle"),
        _A(K.PLATFORM, "Platform, fair or initiative", "Platform", "Organization", Sphere.MARKET, "#8e44ad", "vee"),
        _A(K.EMPLOYER_ASSOCIATION, "Employer association", "EmployerAssociation", "Organization", Sphere.CAPITAL, "#1b4f72", "barrel"),
        _A(K.PARTY, "Political party", "Party", "Organization", Sphere.REGULATION, "#6c3483", "octagon"),
        _A(K.PROGRAMME, "Programme", "Programme", "Project", Sphere.FUNDING, "#f4d03f", "round-tag"),
        _A(K.CAMPAIGN, "Campaign", "Campaign", "Project", Sphere.ORGANISING, "#f39c12", "tag"),
        _A(K.AGREEMENT, "Agreement or declaration", "Agreement", "Contract", Sphere.REGULATION, "#a04000", "concave-hexagon"),
        _A(K.PERSON, "Person", "Person", "Person", Sphere.ORGANISING, "#7f8c8d", "ellipse", Sensitivity.RESTRICTED),
        _A(K.OTHER, "Other (unmapped)", "OtherActor", "LegalEntity", Sphere.ORGANISING, "#bdc3c7", "ellipse"),
    )
}

# Groups of kinds used to state which links may join which actors.
UNION_SIDE = frozenset({K.GUF, K.INTERNATIONAL_CONFEDERATION, K.NATIONAL_CENTRE, K.UNION, K.WORKER_ORGANISATION})
COMPANIES = frozenset({K.BRAND, K.SUPPLIER, K.FACILITY})
ORGANISATIONS = frozenset(ACTOR_SPECS) - {K.PROGRAMME, K.CAMPAIGN, K.AGREEMENT, K.PERSON}
ACTIVITIES = frozenset({K.PROGRAMME, K.CAMPAIGN})
ANY = frozenset(ACTOR_SPECS)
AGENTS = ORGANISATIONS | {K.PERSON}
POWER_HOLDERS = frozenset({K.GOVERNMENT, K.IGO, K.PARTY, K.PLATFORM, K.EMPLOYER_ASSOCIATION, K.OTHER}) | COMPANIES

L = LinkKind
_L = LinkSpec
LINK_SPECS: dict[LinkKind, LinkSpec] = {
    s.kind: s
    for s in (
        _L(L.FUNDS, "funds", AGENTS | ACTIVITIES, ORGANISATIONS | ACTIVITIES | {K.PERSON}, True, "Payment", Sphere.FUNDING, 0.6, 0.1, "#d68910"),
        _L(L.IMPLEMENTS, "implements", ORGANISATIONS, ACTIVITIES | {K.AGREEMENT}, True, "UnknownLink", Sphere.FUNDING, 0.4, 0.6, "#f4d03f"),
        _L(L.AFFILIATED_TO, "is affiliated to", ORGANISATIONS, UNION_SIDE | {K.NGO, K.OTHER}, True, "Membership", Sphere.ORGANISING, 0.3, 0.5, "#c0392b"),
        _L(L.MEMBER_OF, "is a member of", AGENTS, ORGANISATIONS, True, "Membership", Sphere.ORGANISING, 0.3, 0.4, "#e6b0aa", "dashed"),
        _L(L.SUPPORTS, "supports", AGENTS | ACTIVITIES, ANY, True, "UnknownLink", Sphere.ORGANISING, 0.5, 0.1, "#27ae60"),
        _L(L.PARTNERS_WITH, "partners with", AGENTS | ACTIVITIES, AGENTS | ACTIVITIES, False, "UnknownLink", Sphere.ORGANISING, 0.3, 0.3, "#7dcea0", "dotted"),
        _L(L.OWNS, "owns", AGENTS, ORGANISATIONS, True, "Ownership", Sphere.CAPITAL, 0.9, 0.1, "#1b4f72"),
        _L(L.OPERATES, "operates", ORGANISATIONS, ORGANISATIONS | ACTIVITIES, True, "UnknownLink", Sphere.PRODUCTION, 0.8, 0.1, "#2e86c1"),
        _L(L.SOURCES_FROM, "sources from", frozenset({K.BRAND, K.SUPPLIER, K.OTHER}), frozenset({K.SUPPLIER, K.FACILITY, K.OTHER}), True, "UnknownLink", Sphere.MARKET, 0.6, 0.1, "#2874a6"),
        _L(L.SIGNATORY_TO, "is a signatory to", AGENTS, frozenset({K.AGREEMENT}), True, "UnknownLink", Sphere.REGULATION, 0.2, 0.4, "#a04000"),
        _L(L.PARTICIPATES_IN, "participates in", AGENTS, ACTIVITIES | {K.PLATFORM, K.AGREEMENT}, True, "Membership", Sphere.ORGANISING, 0.3, 0.2, "#f5cba7"),
        _L(L.TARGETS, "targets", AGENTS | ACTIVITIES, ANY, True, "UnknownLink", Sphere.ORGANISING, 0.5, 0.0, "#f39c12", "dashed"),
        _L(L.LOBBIES, "lobbies", AGENTS | ACTIVITIES, ORGANISATIONS | {K.AGREEMENT}, True, "UnknownLink", Sphere.REGULATION, 0.3, 0.0, "#884ea0", "dashed"),
        _L(L.SANCTIONS, "sanctions", POWER_HOLDERS | UNION_SIDE, AGENTS, True, "UnknownLink", Sphere.REGULATION, 0.8, 0.0, "#7b241c"),
        _L(L.OPPOSES, "opposes", AGENTS | ACTIVITIES, ANY, True, "UnknownLink", Sphere.ORGANISING, 0.2, 0.0, "#566573", "dotted"),
        _L(L.REPRESENTS_WORKERS_AT, "represents workers at", UNION_SIDE | {K.NGO}, COMPANIES | {K.EMPLOYER_ASSOCIATION, K.GOVERNMENT, K.OTHER}, True, "Representation", Sphere.PRODUCTION, 0.5, 0.2, "#ec7063"),
        # succession, not influence: a predecessor's record is part of its successor's history, never a hop
        _L(L.MERGED_INTO, "merged into", ORGANISATIONS, ORGANISATIONS, True, "Succession", Sphere.ORGANISING, 0.0, 0.0, "#b2babb", "dotted"),
        _L(L.REPRESSES, "represses", POWER_HOLDERS, AGENTS | ACTIVITIES, True, "UnknownLink", Sphere.REGULATION, 0.6, 0.0, "#17202a"),
        # a registry, certifier, auditor, initiative, union or researcher that names a site in a list it publishes
        _L(L.LISTS, "lists", AGENTS | ACTIVITIES, frozenset({K.FACILITY, K.SUPPLIER, K.OTHER}), True, "UnknownLink", Sphere.REGULATION, 0.2, 0.0, "#a9cce3", "dashed"),
        _L(L.RELATED_TO, "is related to (unmapped)", ANY, ANY, False, "UnknownLink", Sphere.ORGANISING, 0.1, 0.1, "#d5d8dc", "dotted"),
    )
}

del K, L, _A, _L


@lru_cache(maxsize=1024)
def parse_actor_kind(value: str) -> ActorKind:
    """Read an actor kind, forgiving case, spaces and hyphens (remembered: a file names few kinds, often).

    >>> parse_actor_kind("National Centre")
    <ActorKind.NATIONAL_CENTRE: 'national_centre'>
    """
    return ActorKind(_kind_token(value))


@lru_cache(maxsize=1024)
def parse_link_kind(value: str) -> LinkKind:
    """Read a link kind, forgiving case, spaces and hyphens (remembered).

    >>> parse_link_kind("Sources from")
    <LinkKind.SOURCES_FROM: 'sources_from'>
    """
    return LinkKind(_kind_token(value))


def _kind_token(value: str) -> str:
    return "_".join(value.strip().lower().replace("-", " ").split())
