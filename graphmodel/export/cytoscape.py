"""Cytoscape.js JSON: ``elements`` with every field in ``data``, and a style sheet from the kinds table.

Loads with ``cytoscape({elements: doc.elements, style: doc.style})``, into
Cytoscape desktop (File > Import > Network from file, ``.cyjs``) and into
networkx (``cytoscape_graph``). Each node's ``data`` holds the node-link
fields (:func:`graphmodel.export.jsonfile.actor_dict`) plus ``label`` and
``value`` (networkx's node key); each element has its kind as its class.
The top-level ``data`` holds the manifest and the cited sources.

>>> import io, json, networkx as nx
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.store.contract import Subgraph
>>> g = Subgraph({"a": Actor(id="a", kind="sso", name="FES"), "b": Actor(id="b", kind="guf", name="BWI")},
...              {"l": Link(id="l", kind="funds", source="a", target="b")})
>>> buf = io.BytesIO()
>>> write_cytoscape(g, buf, {"format": "cytoscape"}, [])
>>> doc = json.loads(buf.getvalue())
>>> doc["elements"]["nodes"][1]["classes"], doc["style"][1]["selector"]
('guf', 'node.guf')
>>> nx.cytoscape_graph(doc).edges["a", "b", "l"]["kind"]
'funds'
"""

from __future__ import annotations

import json
from typing import IO, Any

from ..kinds import ACTOR_SPECS, LINK_SPECS
from ..models import Source
from ..store.contract import Subgraph
from .jsonfile import actor_dict, link_dict, source_dict
from .streams import BlockWriter


def stylesheet() -> list[dict[str, Any]]:
    """Cytoscape.js style rules: colour and shape per actor kind, colour, line and arrow per link kind."""
    rules: list[dict[str, Any]] = [{"selector": "node", "style": {"label": "data(label)", "font-size": 10}}]
    for kind, spec in ACTOR_SPECS.items():
        rules.append({"selector": f"node.{kind.value}",
                      "style": {"background-color": spec.colour, "shape": spec.shape}})
    rules.append({"selector": "edge", "style": {"curve-style": "bezier", "width": 1.5}})
    for kind, spec in LINK_SPECS.items():
        rules.append({"selector": f"edge.{kind.value}",
                      "style": {"line-color": spec.colour, "line-style": spec.line,
                                "target-arrow-color": spec.colour,
                                "target-arrow-shape": "triangle" if spec.directed else "none"}})
    return rules


def write_cytoscape(subgraph: Subgraph, out: IO[bytes], manifest: dict[str, Any], sources: list[Source]) -> None:
    """Write ``subgraph`` as Cytoscape.js JSON to the binary stream ``out``."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    write = BlockWriter(out)
    head = {"name": "stakemap", "manifest": manifest, "sources": [source_dict(s) for s in sources]}
    write(f'{{"format_version": "1.0", "generated_by": "stakemap", "target_cytoscapejs_version": "~3",'
          f' "directed": true, "multigraph": true,\n"data": {dumps(head)},\n"elements": {{"nodes": [')
    first = True
    for actor in subgraph.actors.values():
        data = actor_dict(actor)
        data["label"] = actor.name
        data["value"] = actor.id
        write(("\n" if first else ",\n") + dumps({"data": data, "classes": actor.kind.value}))
        first = False
    write('],\n"edges": [')
    first = True
    for link in subgraph.links.values():
        data = link_dict(link)
        data["key"] = link.id
        write(("\n" if first else ",\n") + dumps({"data": data, "classes": link.kind.value}))
        first = False
    write(f']}},\n"style": {dumps(stylesheet())}}}\n')
    write.flush()
