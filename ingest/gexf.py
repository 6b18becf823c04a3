"""GEXF (Gephi), versions 1.1draft to 1.3: nodes become actors and edges links.

Every GEXF namespace is accepted, the old Gephi ``http://www.gexf.net/1.1draft``
included. Attribute values are matched to their declarations by ``for`` (1.2,
1.3), by ``id`` (1.1) or, when a file gives neither, by position. A node's
name is its ``label``; its type is an attribute titled ``type``, ``kind`` or
``category`` (see the mapping file). An edge's relationship is its ``label``,
its ``kind`` (1.2+) or a ``type``-like attribute; ``type="undirected"`` is
kept in the link's attributes. Nested nodes are flattened.

Time: an edge's ``start``/``end`` (and ``startopen``/``endopen``), or its
``<spells>``, become the link's valid time (several spells: from the first start
to the last end, and the notes say how many were spanned). Actors have no valid
time, so a node's spells are named in the notes. A dynamic attribute (values
with ``start``/``end``) keeps its latest value, and every value with its dates
under ``<title> (over time)``; the notes say which attributes were dynamic.
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

FORMAT = "gexf"


def sniff(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".gexf" or b"<gexf" in head


def read_gexf(path: Path, ctx: ReadContext, origin: Source | None = None) -> ReadResult:
    """Read a GEXF file."""
    root = parse(path).getroot()
    if localname(root) != "gexf":
        raise InputError(f"{path}: the root element is <{localname(root)}>, not <gexf>", hint="is this a GEXF file?")
    graph = next((c for c in root if localname(c) == "graph"), None)
    if graph is None:
        raise InputError(f"{path}: no <graph> element", hint="a GEXF file holds its nodes in <graph>")
    meta = next((c for c in root if localname(c) == "meta"), None)
    creator = text_of(next((c for c in meta if localname(c) == "creator"), None)) if meta is not None else ""
    about = text_of(next((c for c in meta if localname(c) == "description"), None)) if meta is not None else ""
    version = root.get("version") or "?"
    emit = Emitter(path, FORMAT, ctx, origin_for(path, ctx, FORMAT, origin, author=creator or None,
                                                  description=f"GEXF {version} file" + (f": {about}" if about else "")))
    builder = GraphBuilder(emit, load_mapping(ctx.options.get("mapping")), FORMAT)
    declared = _attributes(graph)
    default_type = (graph.get("defaultedgetype") or "directed").strip().lower()
    base = element_path(graph)
    node_spells = 0
    node_count = 0
    for container in (c for c in graph if localname(c) == "nodes"):
        for node, locator in _nodes(container, f"{base}/nodes"):
            node_count += 1
            node_spells += any(localname(c) == "spells" for c in node)
            node_id = node.get("id")
            if node_id is None:
                emit.begin()
                emit.problem(node.sourceline, f"{locator}/@id", "the node has no id", "every GEXF node needs an id")
                emit.end()
                continue
            data = _values(node, declared.get("node", []), emit, locator)
            if node.get("label"):
                data.setdefault("label", node.get("label"))
            if node.get("pid"):
                data.setdefault("parent node", node.get("pid"))
            builder.node(node_id, data, node.sourceline, f"{locator} (id {node_id})", column=locator)
    for container in (c for c in graph if localname(c) == "edges"):
        count = 0
        for edge in container:
            if localname(edge) != "edge":
                continue
            count += 1
            locator = f"{base}/edges/edge[{count}]"
            if lacks_an_end(emit, edge, locator):
                continue
            source, target = edge.get("source"), edge.get("target")
            data = _values(edge, declared.get("edge", []), emit, locator)
            label = edge.get("label") or edge.get("kind") or None
            if edge.get("weight"):
                data.setdefault("weight", _number(edge.get("weight")))
            for key in ("start", "end"):
                value = edge.get(key) or edge.get(f"{key}open")
                if value:
                    data.setdefault(key, value)
            _spells(edge, data, emit, locator)
            edge_type = (edge.get("type") or default_type).strip().lower()
            builder.edge(source, target, data, edge.sourceline, locator, directed=edge_type == "directed",
                         column=locator, label=label)
    if node_spells:
        emit.notice("node spells (actors have no valid time: not read)", f"{node_spells} nodes have spells")
    if node_count == 0:
        emit.notice("empty graph", "the file has no nodes")
    return emit.finish()


def _nodes(container, base: str):
    """Nodes of a <nodes> element, nested ones flattened, each with its path."""
    count = 0
    for node in container:
        if localname(node) != "node":
            continue
        count += 1
        path = f"{base}/node[{count}]"
        yield node, path
        for inner in node:
            if localname(inner) == "nodes":
                yield from _nodes(inner, f"{path}/nodes")


def _attributes(graph) -> dict[str, list[tuple[str, str, Any]]]:
    """Declared attributes by class: [(id, title, default)] in order."""
    out: dict[str, list] = {}
    for block in (c for c in graph if localname(c) == "attributes"):
        cls = (block.get("class") or "node").strip().lower()
        for attribute in (c for c in block if localname(c) == "attribute"):
            default = next((text_of(c) for c in attribute if localname(c) == "default"), None)
            out.setdefault(cls, []).append((attribute.get("id") or "", attribute.get("title") or attribute.get("id")
                                            or "", default))
    return out


def _values(element, declared: list[tuple[str, str, Any]], emit: Emitter | None = None,
            locator: str = "") -> dict[str, Any]:
    """An element's attribute values under their declared titles: matched by ``for``/``id``, by a ``for``
    that is the declaration's position, or by their own position."""
    by_id = {d[0]: d[1] for d in declared}
    out: dict[str, Any] = {title: default for _, title, default in declared if default not in (None, "")}
    timeline: dict[str, list[dict[str, str]]] = {}
    for block in (c for c in element if localname(c) == "attvalues"):
        position = 0
        for value in (c for c in block if localname(c) == "attvalue"):
            ref = value.get("for") if value.get("for") is not None else value.get("id")
            if ref is None:
                title = declared[position][1] if position < len(declared) else f"attribute {position}"
            elif ref in by_id:
                title = by_id[ref]
            elif ref.strip().isdigit() and int(ref) < len(declared):
                title = declared[int(ref)][1]  # declared by name, given by position
            else:
                title = ref
            position += 1
            text = value.get("value")
            if text in (None, ""):
                continue
            start = value.get("start") or value.get("startopen")
            end = value.get("end") or value.get("endopen")
            if start or end:
                timeline.setdefault(title, []).append({"value": text, "start": start or "", "end": end or ""})
            else:
                out[title] = text
    for title, values in timeline.items():
        values.sort(key=lambda v: (v["start"], v["end"]))
        out[title] = values[-1]["value"]
        out[f"{title} (over time)"] = values
        if emit is not None:
            emit.notice("dynamic attributes (the latest value kept, every value under '<title> (over time)')",
                        f"{locator}: {title}")
    return out


def _spells(edge, data: dict[str, Any], emit: Emitter, locator: str) -> None:
    """An edge's spells as its valid time: one spell is its start and end; several are spanned."""
    spells = [(s.get("start") or s.get("startopen") or "", s.get("end") or s.get("endopen") or "")
              for block in edge if localname(block) == "spells" for s in block if localname(s) == "spell"]
    if not spells:
        return
    starts = sorted(a for a, _ in spells if a)
    ends = sorted(b for _, b in spells if b)
    if starts:
        data.setdefault("start", starts[0])
    if ends and all(b for _, b in spells):
        data.setdefault("end", ends[-1])
    if len(spells) > 1:
        data["spells"] = [{"start": a, "end": b} for a, b in spells]
        emit.notice("edges with several spells (valid from the first start to the last end; all kept in "
                    "'spells')", f"{locator}: {len(spells)} spells")


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text
