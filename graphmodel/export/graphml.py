"""GraphML: every actor and link with all its fields, sources and dates.

One ``<key>`` per field; lists joined with ``|``; external identifiers and
extra attributes as their own keys; each record's cited source ids in
``sources`` and its full citations (source, locator, note) as JSON in
``citations``. The graph carries the export's ``manifest`` and the cited
``sources_json`` (both JSON). The graph is directed; links of undirected kinds
(``partners_with``, ``related_to``) have ``directed`` false, because networkx
and Gephi refuse graphs mixing ``directed="false"`` edges into a directed
graph.

>>> import io, networkx as nx
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.store.contract import Subgraph
>>> g = Subgraph({"a": Actor(id="a", kind="sso", name="FES"), "b": Actor(id="b", kind="guf", name="BWI")},
...              {"l": Link(id="l", kind="funds", source="a", target="b", start="2006", amount=5, currency="EUR")})
>>> buf = io.BytesIO()
>>> write_graphml(g, buf, {"format": "graphml"}, [])
>>> G = nx.read_graphml(io.BytesIO(buf.getvalue()))
>>> G.nodes["a"]["name"], G.edges["a", "b"]["kind"], G.edges["a", "b"]["amount"], G.edges["a", "b"]["start"]
('FES', 'funds', 5.0, '2006')
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO, Any

from ..models import Actor, Link, Source
from ..store.contract import Subgraph
from .streams import BlockWriter
from .flat import ACTOR_FIELDS, FIELD_TYPES, LINK_FIELDS, actor_row, attribute_columns, attribute_types, link_row
from .xmltext import attr, clean, text

_NS = ('xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
       'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
       'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"')
_TYPES = {"boolean": "boolean", "long": "long", "double": "double", "string": "string"}


@dataclass(frozen=True)
class GraphMLKeys:
    """The keys a GraphML file of these records has (node and edge columns, in order, with their types), and
    each record's values under them: what :func:`write_graphml` writes and
    :func:`graphmodel.export.nxgraph.to_networkx` puts on nodes and edges.

    >>> from graphmodel.models import Actor, Link
    >>> keys = GraphMLKeys.of([Actor(id="a", kind="sso", name="FES", attributes={"n": 1})], [])
    >>> keys.node_types["n"], keys.node_row(Actor(id="b", kind="ngo", name="X", attributes={"n": 2}))
    ('long', {'name': 'X', 'kind': 'ngo', 'sensitivity': 'public', 'n': 2})
    """

    actor_attrs: dict[str, str]
    link_attrs: dict[str, str]
    node_types: dict[str, str]
    edge_types: dict[str, str]

    @classmethod
    def of(cls, actors: list[Actor], links: list[Link]) -> "GraphMLKeys":
        actor_attrs = attribute_columns(actors, ACTOR_FIELDS)
        link_attrs = attribute_columns(links, LINK_FIELDS)
        node_cols = [c for c in ACTOR_FIELDS if c != "id"] + list(actor_attrs.values()) + ["sources", "citations"]
        edge_cols = [c for c in LINK_FIELDS if c not in ("id", "source", "target")] + list(link_attrs.values()) \
            + ["sources", "citations"]
        node_types = {**{c: FIELD_TYPES.get(c, "string") for c in node_cols}, **attribute_types(actors, actor_attrs)}
        edge_types = {**{c: FIELD_TYPES.get(c, "string") for c in edge_cols}, **attribute_types(links, link_attrs)}
        return cls(actor_attrs, link_attrs, node_types, edge_types)

    def node_row(self, actor: Actor) -> dict[str, Any]:
        """The actor's values under the node keys (empty ones left out), as written."""
        row = actor_row(actor, self.actor_attrs)
        return {col: row[col] for col in self.node_types if row.get(col) is not None}

    def edge_row(self, link: Link) -> dict[str, Any]:
        """The link's values under the edge keys (empty ones left out), as written."""
        row = link_row(link, self.link_attrs)
        return {col: row[col] for col in self.edge_types if row.get(col) is not None}


def typed(value: Any, kind: str) -> Any:
    """A written value as a GraphML reader reads it back under a key of type ``kind``.

    >>> typed(5, "double"), typed(5, "string"), typed(1, "long"), typed(True, "boolean")
    (5.0, '5', 1, True)
    """
    if kind == "double":
        return float(value)
    if kind == "long":
        return int(value)
    if kind == "boolean":
        return bool(value)
    return clean(value)


def sources_json(sources: list[Source]) -> str:
    """The graph's ``sources_json``: the cited sources as a JSON list."""
    return json.dumps([s.model_dump(mode="json", exclude_none=True) for s in sources], ensure_ascii=False)


def write_graphml(subgraph: Subgraph, out: IO[bytes], manifest: dict[str, Any], sources: list[Source]) -> None:
    """Write ``subgraph`` as GraphML to the binary stream ``out``."""
    actors = list(subgraph.actors.values())
    links = list(subgraph.links.values())
    keys = GraphMLKeys.of(actors, links)
    node_keys = {c: f"n{i}" for i, c in enumerate(keys.node_types)}
    edge_keys = {c: f"e{i}" for i, c in enumerate(keys.edge_types)}
    node_types, edge_types = keys.node_types, keys.edge_types

    buf: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n', f"<graphml {_NS}>\n",
                      '  <key id="g_manifest" for="graph" attr.name="manifest" attr.type="string"/>\n',
                      '  <key id="g_sources" for="graph" attr.name="sources_json" attr.type="string"/>\n']
    for col, key in node_keys.items():
        buf.append(f'  <key id="{key}" for="node" attr.name={attr(col)} attr.type="{_TYPES[node_types[col]]}"/>\n')
    for col, key in edge_keys.items():
        buf.append(f'  <key id="{key}" for="edge" attr.name={attr(col)} attr.type="{_TYPES[edge_types[col]]}"/>\n')
    buf.append('  <graph id="stakemap" edgedefault="directed">\n')
    buf.append(f'    <data key="g_manifest">{text(json.dumps(manifest, ensure_ascii=False))}</data>\n')
    buf.append(f'    <data key="g_sources">{text(sources_json(sources))}</data>\n')
    write = BlockWriter(out)
    for piece in buf:
        write(piece)
    for actor in actors:
        parts = [f"    <node id={attr(actor.id)}>"]
        for col, value in keys.node_row(actor).items():
            parts.append(f'<data key="{node_keys[col]}">{text(value)}</data>')
        parts.append("</node>\n")
        write("".join(parts))
    for link in links:
        parts = [f"    <edge id={attr(link.id)} source={attr(link.source)} target={attr(link.target)}>"]
        for col, value in keys.edge_row(link).items():
            parts.append(f'<data key="{edge_keys[col]}">{text(value)}</data>')
        parts.append("</edge>\n")
        write("".join(parts))
    write("  </graph>\n</graphml>\n")
    write.flush()
