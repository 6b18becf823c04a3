"""Cytoscape elements for a neighbourhood view and for influence paths (pure functions).

Node ids are actor ids; edge ids are ``link:<link id>`` (neighbourhoods) or
``hop:<n>:<link id>`` (paths). Placeholders for aggregated neighbours have ids
``more:<actor>:<kind>`` and the class ``more``.

>>> from dashboard.graphview import GraphView, Group
>>> v = GraphView(nodes={"a": {"ref": {"id": "a", "name": "A", "kind": "union", "country": None},
...                            "depth": 0, "parent": None, "seed": True}},
...               links=[], groups=[Group("a", "facility", 12)], order=["a"])
>>> els = view_elements(v, {"a": (0, 0), "more:a:facility": (10, 0)})
>>> [e["data"]["label"] for e in els]
['A', '+12 facilities', '']
"""

from __future__ import annotations

from typing import Any

from dashboard.graphview import GraphView

from . import format as fmt

_PLURAL = {"facility": "facilities", "party": "parties", "person": "people", "ngo": "NGOs", "guf": "GUFs",
           "sso": "SSOs", "igo": "IGOs", "other": "others"}


def plural(kind: str, count: int) -> str:
    if count == 1:
        return fmt.kind_label(kind).lower()
    return _PLURAL.get(kind, kind.replace("_", " ") + "s")


def actor_node(ref: dict[str, Any], position: tuple[float, float] | None = None, classes: str = "") -> dict:
    node = {"data": {"id": ref["id"], "label": fmt.short(ref["name"]), "name": ref["name"], "kind": ref["kind"],
                     "country": ref.get("country") or ""}, "classes": classes}
    if position is not None:
        node["position"] = {"x": position[0], "y": position[1]}
    return node


def view_elements(view: GraphView, positions: dict[str, tuple[float, float]]) -> list[dict]:
    """Elements of a neighbourhood: actors, placeholders for the rest, and links."""
    els = []
    for aid in view.order:
        node = view.nodes[aid]
        els.append(actor_node(node["ref"], positions.get(aid), "seed" if node["seed"] else ""))
    for g in view.groups:
        els.append({"data": {"id": g.id, "label": f"+{g.count} {plural(g.kind, g.count)}", "kind": "more",
                             "more_of": g.parent, "group_kind": g.kind, "count": g.count}, "classes": "more",
                    **({"position": {"x": positions[g.id][0], "y": positions[g.id][1]}} if g.id in positions else {})})
        els.append({"data": {"id": f"edge-{g.id}", "source": g.parent, "target": g.id, "label": ""}, "classes": "more"})
    for lk in view.links:
        els.append({"data": {"id": f"link:{lk['id']}", "link": lk["id"], "source": lk["source"],
                             "target": lk["target"], "kind": lk["kind"], "confidence": lk["confidence"]}})
    return els


def path_elements(paths: list[dict[str, Any]], selected: int | None = None) -> list[dict]:
    """Elements of ranked influence paths, left (start) to right (end); the ``selected`` one stands out.

    Edges point the way influence flows and are labelled with their strength.
    """
    if not paths:
        return []
    column: dict[str, int] = {}
    refs: dict[str, dict] = {}
    for p in paths:
        last = len(p["actors"]) - 1
        for n, a in enumerate(p["actors"]):
            refs[a["id"]] = a
            col = n if n < last else 10_000
            column[a["id"]] = min(column.get(a["id"], col), col)
    end_col = max([c for c in column.values() if c < 10_000], default=0) + 1
    rows: dict[int, list[str]] = {}
    for aid, col in column.items():
        col = end_col if col == 10_000 else col
        column[aid] = col
        rows.setdefault(col, []).append(aid)
    first = paths[0]["actors"][0]["id"]
    last_id = paths[0]["actors"][-1]["id"]
    on = set()
    if selected is not None and 0 <= selected < len(paths):
        on = {a["id"] for a in paths[selected]["actors"]}
    els = []
    for col, ids in rows.items():
        for r, aid in enumerate(ids):
            y = (r - (len(ids) - 1) / 2) * 110
            classes = ["end"] if aid in (first, last_id) else []
            if on and aid not in on:
                classes.append("faded")
            els.append(actor_node(refs[aid], (col * 230.0, y), " ".join(classes)))
    seen = set()
    for rank, p in enumerate(paths):
        for hop in p["hops"]:
            key = (hop["source"], hop["target"], hop["link"])
            if key in seen:
                continue
            seen.add(key)
            classes = ["influence"]
            if on:
                classes.append("on" if rank == selected or _in_path(paths[selected], hop) else "faded")
            els.append({"data": {"id": f"hop:{len(seen)}:{hop['link']}", "link": hop["link"], "source": hop["source"],
                                 "target": hop["target"], "kind": hop["kind"], "confidence": hop["confidence"],
                                 "label": f"{fmt.link_label(hop['kind'])} {fmt.strength(hop['strength'])}"},
                        "classes": " ".join(classes)})
    return els


def _in_path(path: dict[str, Any], hop: dict[str, Any]) -> bool:
    return any(h["source"] == hop["source"] and h["target"] == hop["target"] for h in path["hops"])


def kinds_in(elements: list[dict]) -> tuple[list[str], list[str]]:
    """Actor kinds and link kinds present among elements (for the legend)."""
    actors = {e["data"]["kind"] for e in elements if "source" not in e["data"] and e["data"].get("kind") != "more"}
    links = {e["data"]["kind"] for e in elements if "source" in e["data"] and e["data"].get("kind")}
    return sorted(actors), sorted(links)
