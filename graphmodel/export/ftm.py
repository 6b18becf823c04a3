"""FollowTheMoney entities, one JSON object a line, built and checked with the ``followthemoney`` model.

Actors become their kind's schema from the kinds table (``Organization``,
``Company``, ``PublicBody``, ``Person``, ``Project``, ``Contract``,
``LegalEntity``) with name, aliases, countries, sectors, description, Wikidata
id and LEI; the Stakemap kind is the first of ``keywords`` and the
sensitivity and other identifiers are in ``notes``. Links become ``Payment``
(funds), ``Membership`` (affiliation, membership, participation),
``Ownership``, ``Representation`` and ``Succession`` where the kinds table
says so and FtM allows the two ends; ``UnknownLink`` (with the link kind as
``role``) otherwise. Dates, amounts and currencies go to FtM's properties.
Each cited source is a ``Document``; an actor's citations are
``Documentation`` entities (role: the locator, summary: the note); a link's
are summarised in its ``summary`` (FtM documents only things, not links).

Ids are Stakemap's own where FtM accepts them (letters, digits, ``-``), else a
stable digest of them, so re-exporting gives the same ids.

>>> import io, json
>>> from followthemoney import model
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.store.contract import Subgraph
>>> g = Subgraph({"a": Actor(id="a", kind="sso", name="FES", country="DE"),
...               "b": Actor(id="b", kind="guf", name="BWI")},
...              {"l-1": Link(id="l-1", kind="funds", source="a", target="b", amount=5, currency="EUR",
...                           start="2006")})
>>> buf = io.BytesIO()
>>> write_ftm(g, buf, {}, [])
>>> entities = [model.get_proxy(json.loads(line)) for line in buf.getvalue().splitlines()]
>>> [(e.schema.name, e.id) for e in entities]
[('Organization', 'a'), ('Organization', 'b'), ('Payment', 'l-1')]
>>> entities[2].get("payer"), entities[2].get("amount"), entities[2].get("startDate")
(['a'], ['5'], ['2006'])
"""

from __future__ import annotations

import hashlib
import json
from typing import IO, Any

from ..kinds import ACTOR_SPECS, LINK_SPECS
from ..models import Actor, Link, Source
from ..store.contract import Subgraph
from .streams import BlockWriter

#: Identifier schemes with their own FtM property.
_ID_PROPS = {"wikidata": "wikidataId", "lei": "leiCode"}


def ftm_id(record_id: str, prefix: str = "") -> str:
    """An FtM entity id for a Stakemap id: the id itself when FtM accepts it, else a stable digest.

    >>> ftm_id("malaysian-tuc-1a2b3c4d"), ftm_id("iati:XM_1")
    ('malaysian-tuc-1a2b3c4d', 'sm-3b83ad00e9daf23f406bc5be')
    """
    from followthemoney import registry

    candidate = prefix + record_id
    if registry.entity.clean(candidate) == candidate:
        return candidate
    return "sm-" + hashlib.sha1(candidate.encode("utf-8"), usedforsecurity=False).hexdigest()[:24]


def actor_entity(actor: Actor) -> Any:
    """The FtM entity of an actor."""
    from followthemoney import model

    proxy = model.make_entity(ACTOR_SPECS[actor.kind].ftm_schema)
    proxy.id = ftm_id(actor.id)
    proxy.add("name", actor.name)
    proxy.add("keywords", actor.kind.value)
    _add(proxy, "alias", actor.aliases)
    countries = [c.lower() for c in dict.fromkeys([*([actor.country] if actor.country else []), *actor.countries])]
    _add(proxy, "country", countries)
    if actor.country and proxy.schema.get("mainCountry"):
        proxy.add("mainCountry", actor.country.lower())
    _add(proxy, "description", actor.description)
    notes = [f"Stakemap id: {actor.id}", f"Stakemap sensitivity: {actor.sensitivity.value}"]
    if proxy.schema.get("sector"):
        _add(proxy, "sector", actor.sectors)
    elif actor.sectors:
        notes.append("sectors: " + ", ".join(actor.sectors))
    for scheme, value in actor.identifiers.items():
        prop = _ID_PROPS.get(scheme)
        if prop and proxy.schema.get(prop):
            proxy.add(prop, value)
        notes.append(f"{scheme}: {value}")
    for name, value in actor.attributes.items():
        notes.append(f"{name}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}")
    _add(proxy, "notes", notes)
    return proxy


def link_entity(link: Link, schemata: dict[str, str], sources: dict[str, Source]) -> Any:
    """The FtM entity of a link, given the FtM schema of each actor id."""
    from followthemoney import model

    spec = LINK_SPECS[link.kind]
    schema = model.get(spec.ftm_schema)
    src_schema, dst_schema = model.get(schemata[link.source]), model.get(schemata[link.target])
    if schema is None or schema.edge_source is None or not (
            src_schema.is_a(schema.get(schema.edge_source).range)
            and dst_schema.is_a(schema.get(schema.edge_target).range)):
        schema = model.get("UnknownLink")
    proxy = model.make_entity(schema)
    proxy.id = ftm_id(link.id)
    proxy.add(schema.edge_source, ftm_id(link.source))
    proxy.add(schema.edge_target, ftm_id(link.target))
    if schema.get("role"):
        proxy.add("role", link.kind.value)
    if schema.name == "Payment":
        proxy.add("purpose", spec.label)
    _add(proxy, "startDate", link.start)
    _add(proxy, "endDate", link.end)
    _add(proxy, "description", link.description)
    if link.amount is not None and schema.get("amount"):
        proxy.add("amount", _number(link.amount))
        _add(proxy, "currency", link.currency)
    if link.share is not None and schema.get("percentage"):
        proxy.add("percentage", _number(link.share * 100))
    summary = [f"Stakemap link {link.kind.value}", f"confidence: {link.confidence.value}",
               f"sensitivity: {link.sensitivity.value}"]
    if link.amount is not None and not schema.get("amount"):
        summary.append(f"amount: {_number(link.amount)} {link.currency or ''}".strip())
    if link.share is not None and not schema.get("percentage"):
        summary.append(f"share: {link.share}")
    for c in link.citations:
        summary.append("source: " + c.source + (f" ({c.locator})" if c.locator else "") + (f": {c.note}" if c.note else ""))
        src = sources.get(c.source)
        if src is not None and src.url:
            proxy.add("sourceUrl", src.url)
    for name, value in link.attributes.items():
        summary.append(f"{name}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}")
    proxy.add("summary", "; ".join(summary))
    return proxy


def source_entity(source: Source) -> Any:
    from followthemoney import model

    proxy = model.make_entity("Document")
    proxy.id = ftm_id(source.id, "source-")
    proxy.add("title", source.title)
    _add(proxy, "author", source.author)
    _add(proxy, "publisher", source.publisher)
    _add(proxy, "sourceUrl", source.url)
    _add(proxy, "date", str(source.year) if source.year else None)
    _add(proxy, "description", source.description)
    proxy.add("notes", f"Stakemap source: {source.id} ({source.kind})")
    return proxy


def documentation_entities(actor: Actor, sources: dict[str, Source]) -> list[Any]:
    """An actor's citations as ``Documentation`` entities linking its sources' documents to it."""
    from followthemoney import model

    out = []
    for c in actor.citations:
        if c.source not in sources:
            continue
        proxy = model.make_entity("Documentation")
        key = "\x1f".join((actor.id, c.source, c.locator or "", c.note or ""))
        proxy.id = "doc-" + hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:24]
        proxy.add("document", ftm_id(c.source, "source-"))
        proxy.add("entity", ftm_id(actor.id))
        _add(proxy, "role", c.locator)
        _add(proxy, "summary", c.note)
        out.append(proxy)
    return out


def ftm_entities(subgraph: Subgraph, sources: list[Source]):
    """Every entity of the export, in order: sources, actors (with their documentation), links."""
    by_id = {s.id: s for s in sources}
    for source in sources:
        yield source_entity(source)
    schemata: dict[str, str] = {}
    for actor in subgraph.actors.values():
        entity = actor_entity(actor)
        schemata[actor.id] = entity.schema.name
        yield entity
        yield from documentation_entities(actor, by_id)
    for link in subgraph.links.values():
        yield link_entity(link, schemata, by_id)


def write_ftm(subgraph: Subgraph, out: IO[bytes], manifest: dict[str, Any], sources: list[Source]) -> None:
    """Write the export's FtM entities, one JSON object a line, to the binary stream ``out``."""
    write = BlockWriter(out)
    for entity in ftm_entities(subgraph, sources):
        write(json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
    write.flush()


def _add(proxy: Any, prop: str, values: Any) -> None:
    if values is None or values == [] or values == "":
        return
    proxy.add(prop, values)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
