"""The graph's style sheet, derived from the kinds table (:data:`~graphmodel.kinds.ACTOR_SPECS`,
:data:`~graphmodel.kinds.LINK_SPECS`): colour and shape by actor kind, colour and line by link kind.

Labels are drawn by Cytoscape on a canvas, as text.

>>> sheet = stylesheet()
>>> [s["style"]["shape"] for s in sheet if s["selector"] == 'node[kind = "guf"]']
['star']
>>> [s["style"]["line-style"] for s in sheet if s["selector"] == 'edge[kind = "member_of"]']
['dashed']
"""

from __future__ import annotations

from graphmodel.kinds import ACTOR_SPECS, LINK_SPECS

SELECTED = "#111827"
HIGHLIGHT = "#0f766e"


def stylesheet() -> list[dict]:
    """Cytoscape styles for every actor kind and link kind, aggregates, seeds and highlighted paths."""
    sheet: list[dict] = [
        {"selector": "node", "style": {
            "label": "data(label)", "font-size": 9, "color": "#1f2937", "text-valign": "bottom",
            "text-halign": "center", "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": "110px",
            "width": 22, "height": 22, "border-width": 1, "border-color": "#ffffff",
            "text-background-color": "#ffffff", "text-background-opacity": 0.7, "text-background-padding": 1,
            "min-zoomed-font-size": 6}},
        {"selector": "edge", "style": {
            "width": 1.4, "curve-style": "bezier", "opacity": 0.8, "arrow-scale": 0.8,
            "target-arrow-shape": "triangle"}},
    ]
    for kind, spec in ACTOR_SPECS.items():
        sheet.append({"selector": f'node[kind = "{kind.value}"]',
                      "style": {"background-color": spec.colour, "shape": spec.shape}})
    for kind, spec in LINK_SPECS.items():
        style = {"line-color": spec.colour, "target-arrow-color": spec.colour, "line-style": spec.line}
        if not spec.directed:
            style["target-arrow-shape"] = "none"
        sheet.append({"selector": f'edge[kind = "{kind.value}"]', "style": style})
    sheet += [
        {"selector": 'edge[confidence = "inferred"]', "style": {"opacity": 0.45}},
        {"selector": ".seed", "style": {"width": 40, "height": 40, "border-width": 3, "border-color": SELECTED,
                                        "font-size": 12, "font-weight": "bold", "z-index": 10}},
        {"selector": ".end", "style": {"width": 34, "height": 34, "border-width": 3, "border-color": SELECTED,
                                       "font-size": 11, "font-weight": "bold"}},
        {"selector": ".more", "style": {
            "shape": "round-rectangle", "background-color": "#f3f4f6", "border-color": "#6b7280",
            "border-style": "dashed", "border-width": 1.5, "width": 56, "height": 20, "label": "data(label)",
            "text-valign": "center", "text-margin-y": 0, "font-size": 8, "color": "#374151",
            "text-background-opacity": 0}},
        {"selector": "edge.more", "style": {"line-style": "dashed", "line-color": "#9ca3af",
                                            "target-arrow-shape": "none", "opacity": 0.6}},
        {"selector": ".influence", "style": {"label": "data(label)", "font-size": 8, "text-rotation": "autorotate",
                                             "text-background-color": "#ffffff", "text-background-opacity": 0.8,
                                             "color": "#374151"}},
        {"selector": ".faded", "style": {"opacity": 0.3}},
        {"selector": ".on", "style": {"width": 4, "opacity": 1, "z-index": 9}},
        {"selector": "node:selected", "style": {"border-width": 4, "border-color": HIGHLIGHT}},
        {"selector": "edge:selected", "style": {"width": 4, "line-color": HIGHLIGHT,
                                                "target-arrow-color": HIGHLIGHT}},
    ]
    return sheet
