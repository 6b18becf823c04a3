"""Exporting a subgraph: pure writers, one module per format, and the registry that names them.

What to export is a :class:`Selection` (:mod:`.selection`), gathered by :mod:`.gather` from the store
contract and the analyses; exporters import the analyses, the models and the neutral record <-> property
mapping, never a store backend (the Cypher export builds its own statements).

Use
---
::

    from graphmodel.export import EXPORT_FORMATS, export_subgraph, select_subgraph, Selection, build_manifest

    sel = Selection(around=["BWI"], hops=2)              # or Selection.from_query(url_query)
    sub = select_subgraph(store, sel)                    # redacted to sel.clearance; counts what it withheld
    manifest = build_manifest(sub, fmt="gexf", store=store, dashboard_query=sel.to_query())
    export_subgraph(sub, "gexf", "bwi.gexf", manifest)   # writes bwi.gexf and bwi.gexf.manifest.json
    export_subgraph(sub, "gexf", stream, manifest)       # or into any binary stream (a download)

:data:`EXPORT_FORMATS` maps a format's name to an :class:`ExportFormat`: its
``writer(subgraph, out, manifest, sources)`` (writes to a binary stream), its
file ``extension``, ``media_type`` and whether it embeds the manifest.

=========  ============  ==========================================  =============================================
name       extension     media type                                  what
=========  ============  ==========================================  =============================================
graphml    .graphml      application/graphml+xml                     GraphML, every field as a key
gexf       .gexf         application/gexf+xml                        GEXF 1.3 for Gephi: colours, sizes, intervals
csv        .zip          application/zip                             nodes.csv, links.csv, sources.csv (Gephi)
xlsx       .xlsx         application/vnd.openxmlformats-...sheet     Elements/Connections/Sources (Kumu)
json       .json         application/json                            node-link JSON, Stakemap's interchange
cytoscape  .cyjs         application/json                            Cytoscape.js elements and style
cypher     .cypher       text/plain                                  script recreating the subgraph in Neo4j
ftm        .ftm.json     application/x-ndjson                        FollowTheMoney entities, one a line
svg        .svg          image/svg+xml                               a picture
png        .png          image/png                                   a picture (needs matplotlib)
=========  ============  ==========================================  =============================================

Writing to a path is atomic (a temporary name, renamed when complete) and
puts ``<path>.manifest.json`` beside the file. ``csv`` to a path not ending in
``.zip`` writes a folder holding the three tables, ``dataset.yaml`` (so
``stakemap ingest FOLDER`` reads it back) and ``manifest.json``.

Examples
--------
>>> from graphmodel.export import EXPORT_FORMATS
>>> sorted(EXPORT_FORMATS)
['csv', 'cypher', 'cytoscape', 'ftm', 'gexf', 'graphml', 'json', 'png', 'svg', 'xlsx']
>>> EXPORT_FORMATS["gexf"].extension, EXPORT_FORMATS["gexf"].media_type
('.gexf', 'application/gexf+xml')
"""

from ..lazy import lazy_names

#: Where each public name lives: modules load on first use, so that a command needing only a
#: clearance or a selection does not import every writer.
_WHERE = {
    "EXPORT_FORMATS": "registry", "ExportError": "registry", "ExportFormat": "registry", "Writer": "registry",
    "export_bytes": "registry", "export_subgraph": "registry", "get_format": "registry",
    "Clearance": "redaction", "RedactionReport": "redaction", "redact": "redaction",
    "SelectedSubgraph": "selection", "Selection": "selection", "SelectionError": "selection",
    "build_manifest": "manifest", "select_subgraph": "gather",
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_names(__name__, _WHERE)
