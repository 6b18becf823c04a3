"""Records as a property graph sees them: labels, relationship types and properties.

The Neo4j store writes records this way and the Cypher export writes scripts
that recreate them the same way, so both take the mapping from here; it
imports only the records and the kinds table, never a store or an export.

* An actor is a node labelled ``Actor`` plus its kind's label from the kinds
  table; a source is a node labelled ``Source``; a link is a relationship
  typed from the kinds table.
* Citations travel as three lists of equal length (``citation_sources``,
  ``citation_locators``, ``citation_notes``), identifiers as ``scheme:value``,
  extra attributes as JSON text; a field with no value is left out.
* ``origins`` lists the origins claiming a record and ``sm_claims`` keeps each
  one's claim as JSON (an actor's claim is the actor as that origin gave it, a
  link's is that origin's citations); ``lookup`` and ``name_keys`` serve
  lookups by name and identifier; ``sm_seq`` is the run that wrote the record.
* :func:`actor_create` and :data:`SOURCE_CREATE` write nodes from rows of
  ``{id, props}``; :func:`unique_id_constraint` keeps one node per id.

>>> from graphmodel.models import Actor
>>> p = actor_props(Actor(id="fnv", kind="sso", name="FNV Mondiaal", identifiers={"wikidata": "Q2001"}), [], 1)
>>> p["identifiers"], p["name_keys"], p["lookup"].strip().splitlines()
(['wikidata:Q2001'], ['fnv mondiaal'], ['i:fnv', 'n:fnv mondiaal', 'x:wikidata:q2001'])
>>> actor_from_props(p).name
'FNV Mondiaal'
>>> actor_label("sso"), link_type("funds"), link_kind_of_type("FUNDS").value
('SolidaritySupportOrganisation', 'FUNDS', 'funds')
"""

from __future__ import annotations

import json

from .kinds import ACTOR_SPECS, LINK_SPECS, ActorKind, LinkKind
from .models import Actor, Citation, Link, Source, actor_keys, identifier_scheme, merge_citations, merge_identifiers
from .text import normalise_name

#: The label every actor node carries besides its kind's label.
ACTOR = "Actor"
#: The label of source nodes.
SOURCE = "Source"

_TYPE_TO_KIND = {LINK_SPECS[k].neo4j_type: k for k in LinkKind}


def actor_label(kind: ActorKind | str) -> str:
    """The node label of an actor kind."""
    return ACTOR_SPECS[ActorKind(kind)].neo4j_label


def link_type(kind: LinkKind | str) -> str:
    """The relationship type of a link kind."""
    return LINK_SPECS[LinkKind(kind)].neo4j_type


def link_kind_of_type(rel_type: str) -> LinkKind:
    """The link kind a relationship type stands for."""
    return _TYPE_TO_KIND[rel_type]


def kind_labels() -> list[str]:
    """Every actor kind's label, in the order of the kinds table."""
    return [ACTOR_SPECS[k].neo4j_label for k in ActorKind]


def rel_types() -> list[str]:
    return [LINK_SPECS[k].neo4j_type for k in LinkKind]


# -- records <-> properties --------------------------------------------------------------------
def _clean(props: dict) -> dict:
    return {k: v for k, v in props.items() if v is not None}


def actor_props(actor: Actor, claims: list[dict], seq: int) -> dict:
    """An actor's node properties: its merged fields, its claims and its lookup keys."""
    names = [actor.name, *actor.aliases]
    name_keys = list(dict.fromkeys(k for k in (normalise_name(n) for n in names) if k))
    return _clean({
        "id": actor.id, "kind": actor.kind.value, "name": actor.name, "aliases": list(actor.aliases),
        "country": actor.country, "countries": list(actor.countries), "sectors": list(actor.sectors),
        "identifiers": [f"{identifier_scheme(k)}:{v}" for k, v in actor.identifiers.items()],
        "description": actor.description, "sensitivity": actor.sensitivity.value,
        "citation_sources": [c.source for c in actor.citations],
        "citation_locators": [c.locator or "" for c in actor.citations],
        "citation_notes": [c.note or "" for c in actor.citations],
        "attributes": json.dumps(actor.attributes, ensure_ascii=False) if actor.attributes else None,
        "origins": [c["origin"] for c in claims],
        "sm_claims": [json.dumps(c, ensure_ascii=False) for c in claims],
        "name_keys": name_keys,
        "lookup": "\n" + "\n".join(sorted(actor_keys(actor))) + "\n",
        "sm_seq": seq,
    })


def actor_from_props(p: dict) -> Actor:
    cites = zip(p.get("citation_sources", []), p.get("citation_locators", []), p.get("citation_notes", []))
    return Actor.model_validate({
        "id": p["id"], "kind": p["kind"], "name": p["name"], "aliases": p.get("aliases", []),
        "country": p.get("country"), "countries": p.get("countries", []), "sectors": p.get("sectors", []),
        "identifiers": merge_identifiers(*({k: v} for k, v in (i.split(":", 1) for i in p.get("identifiers", [])))),
        "description": p.get("description"), "sensitivity": p["sensitivity"],
        "citations": [{"source": s, "locator": loc or None, "note": n or None} for s, loc, n in cites],
        "attributes": json.loads(p["attributes"]) if p.get("attributes") else {},
    })


def actor_claims(p: dict) -> list[dict]:
    """The claims an actor's properties keep: ``{origin, seq, sub, doc}``, ``doc`` the actor as JSON."""
    return [json.loads(c) for c in p.get("sm_claims", [])]


def actor_claim(origin: str, seq: int, sub: int, actor: Actor) -> dict:
    """One origin's claim on an actor, made in run ``seq`` by its ``sub``-th batch."""
    return {"origin": origin, "seq": seq, "sub": sub, "doc": actor.model_dump_json()}


def claimed_actor(claim: dict) -> Actor:
    return Actor.model_validate_json(claim["doc"])


def citation_rows(citations: list[Citation]) -> list[list]:
    """Citations as a link claim keeps them: ``[source, locator, note]`` each."""
    return [[c.source, c.locator, c.note] for c in citations]


def link_props(link: Link, claims: dict[str, list], seq: int) -> dict:
    """A link's relationship properties: its fields (latest write) and every origin's citations."""
    origins = sorted(claims)
    cited = merge_citations([Citation(source=s, locator=loc, note=n) for o in origins for s, loc, n in claims[o]])
    return _clean({
        "id": link.id, "kind": link.kind.value, "start": link.start, "end": link.end, "amount": link.amount,
        "currency": link.currency, "share": link.share, "confidence": link.confidence.value,
        "sensitivity": link.sensitivity.value, "description": link.description,
        "attributes": json.dumps(link.attributes, ensure_ascii=False) if link.attributes else None,
        "origins": origins,
        "sm_claims": [json.dumps(claims[o], ensure_ascii=False) for o in origins],
        "citation_sources": [c.source for c in cited],
        "citation_locators": [c.locator or "" for c in cited],
        "citation_notes": [c.note or "" for c in cited],
        "sources": list(dict.fromkeys(c.source for c in cited)),
        "sm_seq": seq,
    })


def link_claims(p: dict) -> dict[str, list]:
    """Each origin's citations of a link, from its properties."""
    return {o: json.loads(c) for o, c in zip(p.get("origins", []), p.get("sm_claims", []))}


def link_from_props(p: dict, source: str, target: str) -> Link:
    claims = link_claims(p)
    cited = merge_citations([Citation(source=s, locator=loc, note=n) for o in sorted(claims) for s, loc, n in claims[o]])
    return Link.model_validate({
        "id": p["id"], "kind": p["kind"], "source": source, "target": target, "start": p.get("start"),
        "end": p.get("end"), "amount": p.get("amount"), "currency": p.get("currency"), "share": p.get("share"),
        "confidence": p["confidence"], "sensitivity": p["sensitivity"], "description": p.get("description"),
        "citations": cited, "attributes": json.loads(p["attributes"]) if p.get("attributes") else {},
    })


_SOURCE_FIELDS = tuple(Source.model_fields)


def source_props(source: Source, seq: int) -> dict:
    return _clean({**source.model_dump(), "sm_seq": seq})


def source_from_props(p: dict) -> Source:
    return Source.model_validate({k: p[k] for k in _SOURCE_FIELDS if k in p})


# -- writing nodes ------------------------------------------------------------------------------
def unique_id_constraint(label: str) -> str:
    """The Neo4j 5 constraint that keeps one node per id under ``label``."""
    return f"CREATE CONSTRAINT stakemap_{label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"


def actor_set(kind: ActorKind, find: str = "MERGE") -> str:
    """Actors of one kind take all their properties and their kind's label at once: found by ``MATCH``
    or made by ``MERGE`` (new actors, or a purged id written again)."""
    if find not in ("MERGE", "MATCH"):
        raise ValueError(find)
    others = ":".join(kind_labels())
    return f"""UNWIND $rows AS r
{find} (a:{ACTOR} {{id: r.id}})
REMOVE a:{others}
SET a = r.props, a:{actor_label(kind)}
RETURN count(a) AS n"""


def actor_create(kind: ActorKind) -> str:
    """New actors of one kind (or a purged id written again): all properties at once."""
    return actor_set(kind, "MERGE")


SOURCE_CREATE = f"""UNWIND $rows AS r
MERGE (s:{SOURCE} {{id: r.id}})
SET s = r.props
RETURN count(s) AS n"""
