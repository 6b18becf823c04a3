"""The records Stakemap stores: sources, actors and links.

>>> a = Actor(kind="sso", name="FNV Mondiaal", country="nl")
>>> a.country, a.sensitivity.value
('NL', 'public')
>>> Actor(kind="person", name="A worker").sensitivity.value
'restricted'
>>> Link(kind="funds", source="fnv", target="bwi", start="2006", amount=1000, currency="eur").currency
'EUR'
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from . import ids
from .errors import InvalidRecordError
from .kinds import (
    ACTOR_SPECS,
    LINK_SPECS,
    ActorKind,
    Confidence,
    LinkKind,
    Sensitivity,
    parse_actor_kind,
    parse_link_kind,
)
from .text import clean_text, normalise_name
from .values import country_code, currency_code, partial_date

#: External identifier schemes an actor may carry, with the pattern each must match.
IDENTIFIER_SCHEMES: dict[str, str] = {
    "wikidata": r"^Q[1-9][0-9]*$",
    "iati": r"^\S{2,}$",
    "os_id": r"^[A-Z]{2}[0-9A-Z]{6,}$",
    "lei": r"^[0-9A-Z]{18}[0-9]{2}$",
    "ftm": r"^\S+$",
    "kumu": r"^\S+$",
}


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=False)


class Source(_Record):
    """Where records come from: a document we read or a dataset we loaded."""

    id: str
    title: str
    kind: str = Field("document", pattern=r"^(document|dataset|file)$")
    author: str | None = None
    publisher: str | None = None
    year: int | None = Field(None, ge=1800, le=2100)
    url: str | None = None
    licence: str | None = None
    format: str | None = None
    description: str | None = None
    #: For an origin (a dataset or file that was ingested): the compact reconciliation ledger of the run that
    #: last wrote it, as JSON (what its files stated, wrote and set aside; see ingest.ledger).
    ledger: str | None = None
    #: For an origin: the records of its files that were merged into an actor of another id, as JSON
    #: ``{record id: actor id}``; ingesting it again merges them the same way, whatever else the map holds.
    merges: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _check_id(value)


class Citation(_Record):
    """One source backing one record, with where in it and a note in our words."""

    source: str
    locator: str | None = None
    note: str | None = None


class Actor(_Record):
    """An organisation, company, programme, campaign, agreement or person."""

    id: str = ""
    kind: ActorKind
    name: str = Field(min_length=1, max_length=500)
    aliases: list[str] = Field(default_factory=list)
    country: str | None = None
    countries: list[str] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)
    identifiers: dict[str, str] = Field(default_factory=dict)
    description: str | None = None
    sensitivity: Sensitivity | None = None
    citations: list[Citation] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        return parse_actor_kind(value) if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        cleaned = clean_text(value)
        if not cleaned:
            raise ValueError("name is empty")
        return cleaned

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, values: list[str]) -> list[str]:
        return _unique(clean_text(v) for v in values if clean_text(v))

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return country_code(value) if value else None

    @field_validator("countries")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        return _unique(country_code(v) for v in values if v.strip())

    @field_validator("identifiers")
    @classmethod
    def _identifiers(cls, values: dict[str, str]) -> dict[str, str]:
        return check_identifiers(values)

    @model_validator(mode="after")
    def _derive(self) -> "Actor":
        if not self.id:
            self.id = ids.actor_id(self.kind, self.name, self.country)
        else:
            _check_id(self.id)
        if self.sensitivity is None:
            self.sensitivity = ACTOR_SPECS[self.kind].default_sensitivity
        if self.kind is ActorKind.PERSON and self.sensitivity is Sensitivity.PUBLIC and not self.citations:
            raise ValueError("a person may be public only when a cited source makes them public")
        self.aliases = [a for a in self.aliases if a != self.name]
        return self


class Link(_Record):
    """A typed relationship from ``source`` to ``target`` (actor ids)."""

    id: str = ""
    kind: LinkKind
    source: str
    target: str
    start: str | None = None
    end: str | None = None
    amount: float | None = Field(None, ge=0)
    currency: str | None = None
    share: float | None = Field(None, ge=0, le=1)
    confidence: Confidence = Confidence.CONFIRMED
    sensitivity: Sensitivity = Sensitivity.PUBLIC
    description: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        return parse_link_kind(value) if isinstance(value, str) else value

    @field_validator("start", "end")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        return partial_date(value) if value else None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        return currency_code(value) if value else None

    @model_validator(mode="after")
    def _derive(self) -> "Link":
        if self.source == self.target:
            raise ValueError("a link cannot join an actor to itself")
        if self.start and self.end and self.end < self.start[: len(self.end)]:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.amount is not None and not self.currency:
            raise ValueError("an amount needs a currency (ISO 4217, e.g. EUR)")
        if not self.id:
            qualifier = self.attributes.get("ref") if isinstance(self.attributes.get("ref"), str) else None
            self.id = ids.link_id(self.source, self.kind, self.target, self.start, qualifier)
        else:
            _check_id(self.id)
        return self


def check_link_kinds(link: Link, source_kind: ActorKind, target_kind: ActorKind) -> None:
    """Raise when the kinds table forbids this link between these kinds of actor.

    >>> check_link_kinds(Link(kind="sources_from", source="u", target="f"), ActorKind.UNION, ActorKind.FACILITY)
    Traceback (most recent call last):
    ...
    graphmodel.errors.InvalidRecordError: a 'sources_from' link cannot go from a union to a facility (allowed from: brand, supplier, other)
    """
    spec = LINK_SPECS[link.kind]
    if not spec.allows(source_kind, target_kind):
        allowed = ", ".join(k.value for k in ActorKind if k in spec.sources)
        raise InvalidRecordError(
            f"a {link.kind.value!r} link cannot go from a {source_kind.value} to a {target_kind.value}"
            f" (allowed from: {allowed})"
        )


def identifier_scheme(key: str) -> str:
    """The scheme of an identifiers key: an actor with several ids of one scheme keeps the second and later
    under ``scheme#2``, ``scheme#3``...

    >>> identifier_scheme("iati#2"), identifier_scheme("os_id")
    ('iati', 'os_id')
    """
    return key.split("#", 1)[0]


def actor_keys(actor: Actor) -> set[str]:
    """The keys an actor is looked up by: ``i:`` its id, ``n:`` its normalised name and aliases,
    ``x:scheme:value`` its identifiers (values casefolded).

    >>> sorted(actor_keys(Actor(id="fnv", kind="sso", name="FNV Mondiaal", identifiers={"wikidata": "Q2001"})))
    ['i:fnv', 'n:fnv mondiaal', 'x:wikidata:q2001']
    """
    keys = {"i:" + actor.id.casefold()}
    for name in [actor.name, *actor.aliases]:
        norm = normalise_name(name)
        if norm:
            keys.add("n:" + norm)
    for scheme, value in actor.identifiers.items():
        keys.add(f"x:{identifier_scheme(scheme)}:{value.casefold()}")
    return keys


def merge_identifiers(*groups: dict[str, str]) -> dict[str, str]:
    """Every identifier of ``groups``, each value once per scheme, the first of a scheme under its name.

    >>> merge_identifiers({"iati": "GB-CHC-1"}, {"iati": "XM-DAC-7", "lei": "X"}, {"iati": "gb-chc-1"})
    {'iati': 'GB-CHC-1', 'iati#2': 'XM-DAC-7', 'lei': 'X'}
    >>> sorted(check_identifiers(merge_identifiers(*({"ftm": f"e{i}"} for i in range(12)))))[-3:]
    ['ftm#7', 'ftm#8', 'ftm#9']
    """
    out: dict[str, str] = {}
    for group in groups:
        for key, value in group.items():
            base = identifier_scheme(key)
            if any(identifier_scheme(k) == base and v.casefold() == str(value).casefold() for k, v in out.items()):
                continue
            if base not in out:
                out[base] = value
                continue
            n = 2
            while f"{base}#{n}" in out:
                n += 1
            out[f"{base}#{n}"] = value
    return out


def check_identifiers(values: dict[str, str]) -> dict[str, str]:
    import re

    out: dict[str, str] = {}
    for scheme, value in values.items():
        key = scheme.strip().lower()
        text = str(value).strip()
        if not text:
            continue
        if "#" in key and not re.match(r"^[a-z_]+#([2-9]|[1-9][0-9]+)$", key):
            raise ValueError(f"unknown identifier scheme {scheme!r} (a second id of a scheme is written scheme#2)")
        pattern = IDENTIFIER_SCHEMES.get(identifier_scheme(key))
        if pattern is None:
            raise ValueError(f"unknown identifier scheme {scheme!r} (known: {', '.join(IDENTIFIER_SCHEMES)})")
        if identifier_scheme(key) in ("wikidata", "os_id", "lei"):
            text = text.upper()
        if not re.match(pattern, text):
            raise ValueError(f"{text!r} is not a valid {identifier_scheme(key)} identifier")
        out[key] = text
    return out


def _check_id(value: str) -> str:
    if not ids.is_valid_id(value):
        raise ValueError(
            f"{value!r} is not a valid id (letters, digits, '-', '_', '.', ':'; at most 128; start with a letter or digit)"
        )
    return value


def _unique(values) -> list:
    seen: dict = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)


def merge_citations(*groups: list[Citation]) -> list[Citation]:
    """Union of citations, first occurrence kept, order stable."""
    seen: dict[tuple, Citation] = {}
    for group in groups:
        for c in group:
            seen.setdefault((c.source, c.locator or "", c.note or ""), c)
    return list(seen.values())
