"""Node-link JSON: Stakemap's stable interchange format.

::

    {"format": "stakemap-node-link", "version": 1,
     "directed": true, "multigraph": true, "graph": {...},
     "nodes": [{"id", "name", "kind", "aliases", "country", "countries", "sectors",
                "identifiers", "description", "sensitivity", "citations", "attributes"}],
     "links": [{"id", "source", "target", "kind", "directed", "start", "end", "amount", "currency",
                "share", "confidence", "sensitivity", "description", "citations", "attributes"}],
     "sources": [{"id", "title", ...}],
     "manifest": {...}}

Every key is always present (``null`` or empty when unknown); ``citations``
are ``{"source", "locator", "note"}`` objects naming a source in ``sources``.
networkx reads it with ``node_link_graph(data, edges="links", key="id")``.

>>> import io, json, networkx as nx
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.store.contract import Subgraph
>>> g = Subgraph({"a": Actor(id="a", kind="sso", name="FES"), "b": Actor(id="b", kind="guf", name="BWI")},
...              {"l": Link(id="l", kind="funds", source="a", target="b", start="2006")})
>>> buf = io.BytesIO()
>>> write_json(g, buf, {"format": "json"}, [])
>>> data = json.loads(buf.getvalue())
>>> list(data["nodes"][0])[:5]
['id', 'name', 'kind', 'aliases', 'country']
>>> G = nx.node_link_graph(data, edges="links", key="id")
>>> G.edges["a", "b", "l"]["kind"]
'funds'
"""

from __future__ import annotations

import json
from typing import IO, Any

from ..kinds import LINK_SPECS
from ..models import Actor, Citation, Link, Source
from ..store.contract import Subgraph
from .streams import BlockWriter

FORMAT_NAME = "stakemap-node-link"
FORMAT_VERSION = 1


def citation_dicts(citations: list[Citation]) -> list[dict[str, Any]]:
    return [{"source": c.source, "locator": c.locator, "note": c.note} for c in citations]


def actor_dict(actor: Actor) -> dict[str, Any]:
    """An actor as a node object (every key present)."""
    return {"id": actor.id, "name": actor.name, "kind": actor.kind.value, "aliases": list(actor.aliases),
            "country": actor.country, "countries": list(actor.countries), "sectors": list(actor.sectors),
            "identifiers": dict(actor.identifiers), "description": actor.description,
            "sensitivity": actor.sensitivity.value if actor.sensitivity else None,
            "citations": citation_dicts(actor.citations), "attributes": dict(actor.attributes)}


def link_dict(link: Link) -> dict[str, Any]:
    """A link as a link object (every key present)."""
    return {"id": link.id, "source": link.source, "target": link.target, "kind": link.kind.value,
            "directed": LINK_SPECS[link.kind].directed, "start": link.start, "end": link.end,
            "amount": link.amount, "currency": link.currency, "share": link.share,
            "confidence": link.confidence.value, "sensitivity": link.sensitivity.value,
            "description": link.description, "citations": citation_dicts(link.citations),
            "attributes": dict(link.attributes)}


def source_dict(source: Source) -> dict[str, Any]:
    return source.model_dump(mode="json")


def write_json(subgraph: Subgraph, out: IO[bytes], manifest: dict[str, Any], sources: list[Source]) -> None:
    """Write ``subgraph`` as node-link JSON to the binary stream ``out``."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    write = BlockWriter(out)
    write(f'{{"format": "{FORMAT_NAME}", "version": {FORMAT_VERSION}, "directed": true, "multigraph": true,'
          f' "graph": {dumps({"name": "stakemap"})},\n"nodes": [')
    _items(write, (dumps(actor_dict(a)) for a in subgraph.actors.values()))
    write('],\n"links": [')
    _items(write, (dumps(link_dict(lk)) for lk in subgraph.links.values()))
    write('],\n"sources": [')
    _items(write, (dumps(source_dict(s)) for s in sources))
    write(f'],\n"manifest": {dumps(manifest)}}}\n')
    write.flush()


def _items(write: BlockWriter, items) -> None:
    first = True
    for item in items:
        write(("\n" if first else ",\n") + item)
        first = False


def read_json(data: dict[str, Any]) -> Subgraph:
    """The subgraph a node-link JSON document holds (validated as models)."""
    actors = {n["id"]: Actor(**{k: v for k, v in n.items() if k in Actor.model_fields}) for n in data["nodes"]}
    links = {lk["id"]: Link(**{k: v for k, v in lk.items() if k in Link.model_fields}) for lk in data["links"]}
    return Subgraph(actors, links)
