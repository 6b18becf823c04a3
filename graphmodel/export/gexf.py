"""GEXF 1.3, ready for Gephi: colours, sizes and shapes by kind, and time intervals.

Nodes carry a ``viz:color`` and ``viz:shape`` from the kinds table and a
``viz:size`` by kind (federations and funders larger than facilities); edges
a colour and line style from the link kind, ``kind`` (GEXF's multi-relational
attribute) and ``label`` set to the link kind. Links with dates get a
``start``/``end`` interval (partial dates widened to whole days: ``2006`` runs
from 2006-01-01 to 2006-12-31) and the graph is then ``dynamic``, so Gephi's
timeline can filter by them; the partial dates as written are kept as the
``start_date``/``end_date`` attributes. Links of undirected kinds are
``mutual``. Every field, identifier, extra attribute and citation is an
attribute column, as in GraphML; the manifest is in ``meta/description``.

>>> import io, networkx as nx
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.store.contract import Subgraph
>>> g = Subgraph({"a": Actor(id="a", kind="sso", name="FES"), "b": Actor(id="b", kind="guf", name="BWI")},
...              {"l": Link(id="l", kind="funds", source="a", target="b", start="2006", end="2007-02")})
>>> buf = io.BytesIO()
>>> write_gexf(g, buf, {"format": "gexf", "created": "2024-05-01T00:00:00+00:00"}, [])
>>> G = nx.read_gexf(io.BytesIO(buf.getvalue()), version="1.3")
>>> G.nodes["b"]["label"], G.nodes["b"]["viz"]["color"]["r"], G.edges["a", "b"]["end"]
('BWI', 192, '2007-02-28')
"""

from __future__ import annotations

import json
from typing import IO, Any

from ..kinds import ACTOR_SPECS, LINK_SPECS, ActorKind
from ..models import Source
from ..store.contract import Subgraph
from ..values import date_ceiling, date_floor
from .flat import ACTOR_FIELDS, FIELD_TYPES, LINK_FIELDS, actor_row, attribute_columns, attribute_types, link_row
from .streams import BlockWriter
from .xmltext import attr, text

#: Node size by kind: the bodies a map is read around are drawn larger.
KIND_SIZES: dict[ActorKind, float] = {
    ActorKind.INTERNATIONAL_CONFEDERATION: 24.0, ActorKind.GUF: 20.0, ActorKind.SSO: 16.0,
    ActorKind.GOVERNMENT: 16.0, ActorKind.IGO: 16.0, ActorKind.BRAND: 16.0, ActorKind.NATIONAL_CENTRE: 14.0,
    ActorKind.PLATFORM: 14.0, ActorKind.EMPLOYER_ASSOCIATION: 12.0, ActorKind.PARTY: 12.0,
    ActorKind.CAMPAIGN: 12.0, ActorKind.AGREEMENT: 10.0, ActorKind.UNION: 10.0, ActorKind.NGO: 10.0,
    ActorKind.SUPPLIER: 10.0, ActorKind.PROGRAMME: 8.0, ActorKind.WORKER_ORGANISATION: 8.0,
    ActorKind.PERSON: 6.0, ActorKind.FACILITY: 6.0, ActorKind.OTHER: 6.0,
}
#: GEXF's node shapes (disc, square, triangle, diamond) for the kinds table's shapes.
_SHAPES = {"rectangle": "square", "round-rectangle": "square", "barrel": "square", "triangle": "triangle",
           "vee": "triangle", "diamond": "diamond", "star": "diamond"}
_GEXF_TYPES = {"boolean": "boolean", "long": "long", "double": "double", "string": "string"}


def rgb(colour: str) -> tuple[int, int, int]:
    """``#c0392b`` -> ``(192, 57, 43)``."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def write_gexf(subgraph: Subgraph, out: IO[bytes], manifest: dict[str, Any], sources: list[Source]) -> None:
    """Write ``subgraph`` as GEXF 1.3 to the binary stream ``out``."""
    actors = list(subgraph.actors.values())
    links = list(subgraph.links.values())
    actor_attrs = attribute_columns(actors, ACTOR_FIELDS)
    link_attrs = attribute_columns(links, LINK_FIELDS + ("start_date", "end_date"))
    node_cols = [c for c in ACTOR_FIELDS if c not in ("id", "name")] + list(actor_attrs.values()) \
        + ["sources", "citations"]
    edge_cols = ["kind", "directed", "start_date", "end_date", "amount", "currency", "share", "confidence",
                 "sensitivity", "description", *link_attrs.values(), "sources", "citations"]
    node_types = {**{c: FIELD_TYPES.get(c, "string") for c in node_cols}, **attribute_types(actors, actor_attrs)}
    edge_types = {**{c: FIELD_TYPES.get(c, "string") for c in edge_cols}, **attribute_types(links, link_attrs)}
    dynamic = any(lk.start or lk.end for lk in links)
    created = str(manifest.get("created", ""))[:10]
    write = BlockWriter(out)
    write('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n')
    write(f'  <meta{" lastmodifieddate=" + attr(created) if created else ""}>\n'
          f'    <creator>Stakemap {text(manifest.get("stakemap", ""))}</creator>\n'
          f'    <keywords>stakemap, manifest in description</keywords>\n'
          f'    <description>{text(json.dumps({"manifest": manifest, "sources": [s.model_dump(mode="json", exclude_none=True) for s in sources]}, ensure_ascii=False))}</description>\n'
          '  </meta>\n')
    mode = ' mode="dynamic" timeformat="date"' if dynamic else ' mode="static"'
    write(f'  <graph defaultedgetype="directed"{mode}>\n')
    write('    <attributes class="node" mode="static">\n')
    for i, col in enumerate(node_cols):
        write(f'      <attribute id="n{i}" title={attr(col)} type="{_GEXF_TYPES[node_types[col]]}"/>\n')
    write('    </attributes>\n    <attributes class="edge" mode="static">\n')
    for i, col in enumerate(edge_cols):
        write(f'      <attribute id="e{i}" title={attr(col)} type="{_GEXF_TYPES[edge_types[col]]}"/>\n')
    write('    </attributes>\n    <nodes>\n')
    styles = {k: _node_style(k) for k in ActorKind}
    for actor in actors:
        row = actor_row(actor, actor_attrs)
        values = "".join(f'<attvalue for="n{i}" value={attr(row[c])}/>'
                         for i, c in enumerate(node_cols) if row.get(c) is not None)
        write(f'      <node id={attr(actor.id)} label={attr(actor.name)}><attvalues>{values}</attvalues>'
              f'{styles[actor.kind]}</node>\n')
    write('    </nodes>\n    <edges>\n')
    edge_styles = {k: _edge_style(k) for k in LINK_SPECS}
    for link in links:
        row = link_row(link, link_attrs)
        row["start_date"], row["end_date"] = link.start, link.end
        spec = LINK_SPECS[link.kind]
        values = "".join(f'<attvalue for="e{i}" value={attr(row[c])}/>'
                         for i, c in enumerate(edge_cols) if row.get(c) is not None)
        when = ""
        if link.start:
            when += f' start="{date_floor(link.start)}"'
        if link.end:
            when += f' end="{date_ceiling(link.end)}"'
        kind_type = "directed" if spec.directed else "mutual"
        write(f'      <edge id={attr(link.id)} source={attr(link.source)} target={attr(link.target)} '
              f'type="{kind_type}" kind="{link.kind.value}" label="{link.kind.value}"{when}>'
              f'<attvalues>{values}</attvalues>{edge_styles[link.kind]}</edge>\n')
    write('    </edges>\n  </graph>\n</gexf>\n')
    write.flush()


def _node_style(kind: ActorKind) -> str:
    spec = ACTOR_SPECS[kind]
    r, g, b = rgb(spec.colour)
    return (f'<viz:color r="{r}" g="{g}" b="{b}" a="1.0"/><viz:size value="{KIND_SIZES.get(kind, 8.0)}"/>'
            f'<viz:shape value="{_SHAPES.get(spec.shape, "disc")}"/>')


def _edge_style(kind) -> str:
    spec = LINK_SPECS[kind]
    r, g, b = rgb(spec.colour)
    return f'<viz:color r="{r}" g="{g}" b="{b}" a="1.0"/><viz:shape value="{spec.line}"/>'
