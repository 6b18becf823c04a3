"""GraphML: nodes become actors and edges links, their kinds through the kinds mapping.

Real files that stricter readers (networkx among them) reject are read:
``<key>`` declarations inside ``<graph>`` rather than before it, the same key
id declared once for nodes and once for edges, yEd graphics (its node labels
are used as names when nothing else names a node), nested graphs (flattened),
any namespace. Node attributes are found by
the key's ``attr.name`` (or its id): the name from ``name``/``label``, the
type from ``type``/``kind``/``category`` (see the mapping file), the acronym,
country and description where present; everything else is kept in
``attributes``. Edge types come from ``type``/``label``/``relationship``;
``--mapping`` says what they mean and which ones run against the edge's
direction (``reverse: true``). Self-loops are left out and counted in the notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphmodel.errors import InputError
from graphmodel.models import Source

from .base import ReadContext, ReadResult
from .graphbuild import GraphBuilder, lacks_an_end
from .mapping import load_mapping
from .records import Emitter, origin_for
from .xmlsafe import element_path, localname, parse, text_of

FORMAT = "graphml"


def sniff(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".graphml" or b"<graphml" in head


def read_graphml(path: Path, ctx: ReadContext, origin: Source | None = None) -> ReadResult:
    """Read a GraphML file."""
    tree = parse(path)
    root = tree.getroot()
    if localname(root) != "graphml":
        raise InputError(f"{path}: the root element is <{localname(root)}>, not <graphml>",
                         hint="is this a GraphML file?")
    graphs = [el for el in root.iter() if localname(el) == "graph"]
    if not graphs:
        raise InputError(f"{path}: no <graph> element", hint="a GraphML file holds its nodes in <graph>")
    description = _graph_description(root)
    emit = Emitter(path, FORMAT, ctx, origin_for(path, ctx, FORMAT, origin, description=description))
    builder = GraphBuilder(emit, load_mapping(ctx.options.get("mapping")), FORMAT)
    keys = _keys(root)
    directed_default = (graphs[0].get("edgedefault") or "directed").strip().lower() != "undirected"
    nodes, edges = _members(graphs)
    for node, locator in nodes:
        node_id = node.get("id")
        if node_id is None:
            emit.begin()
            emit.problem(node.sourceline, f"{locator}/@id", "the node has no id", "every GraphML node needs an id")
            emit.end()
            continue
        builder.node(node_id, _data(node, keys, "node"), node.sourceline, f"{locator} (id {node_id})",
                     column=locator)
    for edge, locator in edges:
        if lacks_an_end(emit, edge, locator):
            continue
        source, target = edge.get("source"), edge.get("target")
        directed = edge.get("directed")
        is_directed = directed_default if directed is None else directed.strip().lower() in ("true", "1")
        builder.edge(source, target, _data(edge, keys, "edge"), edge.sourceline, locator,
                     directed=is_directed, column=locator)
    hyper = sum(1 for el in root.iter() if localname(el) == "hyperedge")
    if hyper:
        emit.notice("hyperedges (not read)", f"{hyper} in the file")
    return emit.finish()


def _members(graphs: list) -> tuple[list, list]:
    """The nodes and edges of every graph (nested graphs too), each with its element path."""
    nodes, edges = [], []
    for graph in graphs:
        base = element_path(graph)
        counts = {"node": 0, "edge": 0}
        for child in graph:
            name = localname(child)
            if name in counts:
                counts[name] += 1
                (nodes if name == "node" else edges).append((child, f"{base}/{name}[{counts[name]}]"))
    return nodes, edges


def _keys(root) -> dict[tuple[str, str], tuple[str, Any]]:
    """Every ``<key>``, wherever declared: (for, id) -> (attribute name, default)."""
    keys = {}
    for key in (el for el in root.iter() if localname(el) == "key"):
        key_id = key.get("id")
        if key_id is None:
            continue
        name = key.get("attr.name") or key.get("{http://www.yworks.com/xml/graphml}attr.name") or key_id
        default = next((text_of(c) for c in key if localname(c) == "default"), None)
        kind = (key.get("attr.type") or "string").lower()
        if key.get("yfiles.type") in ("nodegraphics", "edgegraphics"):
            kind = "graphics"
        keys[(key.get("for") or "all", key_id)] = (name.strip(), default, kind)
    return keys


def _data(element, keys: dict, kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for (scope, _), (name, default, _) in keys.items():
        if scope in (kind, "all") and default not in (None, ""):
            out[name] = default
    for data in element:
        if localname(data) != "data":
            continue
        key_id = data.get("key")
        found = keys.get((kind, key_id)) or keys.get(("all", key_id))
        name = found[0] if found else (key_id or "data")
        if found and found[2] == "graphics":
            # yEd keeps a node's visible label in its graphics: a name when the node has no other
            labels = [text_of(el) for el in data.iter() if localname(el) in ("NodeLabel", "EdgeLabel")]
            if labels and labels[0]:
                out.setdefault("label", labels[0])
            continue
        value = text_of(data)
        if value:
            out[name] = _typed(value, found[2] if found else "string")
    return out


def _typed(value: str, attr_type: str) -> Any:
    if attr_type in ("int", "long"):
        try:
            return int(value)
        except ValueError:
            return value
    if attr_type in ("float", "double"):
        try:
            return float(value)
        except ValueError:
            return value
    if attr_type == "boolean":
        return value.strip().lower() in ("true", "1")
    return value


def _graph_description(root) -> str:
    for el in root.iter():
        if localname(el) == "desc" and text_of(el):
            return f"GraphML file: {text_of(el)[:200]}"
    return "GraphML file"
