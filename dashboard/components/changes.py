"""How changes are drawn: the counts, the changes by origin and kind, an actor's changes, and the two-date
graph's marks and legend (pure functions over the answers of :mod:`dashboard.answers.changes`).

>>> box = counts_table({"actors": {"added": 2, "removed": 0, "changed": 1},
...                     "links": {"added": 5, "removed": 1, "changed": 0}})
>>> [td.children for td in box.children[1].children[1].children]
['Links', '5', '1', '0']
>>> mark_elements([{"data": {"id": "a"}, "classes": ""}, {"data": {"id": "link:l", "link": "l", "source": "a"}}],
...               {"actors": {"added": {"a"}, "removed": set(), "changed": set()},
...                "links": {"added": set(), "removed": set(), "changed": {"l"}}})
[{'data': {'id': 'a'}, 'classes': 'added'}, {'data': {'id': 'link:l', 'link': 'l', 'source': 'a'}, 'classes': 'changed'}]
"""

from __future__ import annotations

from typing import Any

from dash import html

#: The colours of the two-date graph (and of the counts): added, removed, changed.
COLOURS = {"added": "#15803d", "removed": "#b91c1c", "changed": "#d97706"}
STATUSES = ("added", "removed", "changed")


def counts_table(counts: dict[str, dict[str, int]]) -> html.Table:
    """Actors and links added, removed and changed, with a bar for each number."""
    top = max((n for r in counts.values() for n in r.values()), default=0) or 1
    head = html.Tr([html.Th("")] + [html.Th(s.capitalize(), className="num", style={"color": COLOURS[s]})
                                     for s in STATUSES])
    rows = [html.Tr([html.Td(record.capitalize())] + [html.Td(f"{counts[record][s]:,}", className="num change-count",
                                                              **{"data-status": s}) for s in STATUSES])
            for record in ("actors", "links")]
    bars = html.Div([html.Div([html.Span(f"{record} {s}", className="bar-label"),
                               html.Div(html.Div(className="bar-fill", style={
                                   "width": f"{max(counts[record][s] / top * 100, 0.8):.1f}%",
                                   "backgroundColor": COLOURS[s]}), className="bar-track"),
                               html.Span(f"{counts[record][s]:,}", className="bar-value")], className="bar-row")
                     for record in ("actors", "links") for s in STATUSES], className="bar-rows")
    return html.Table([html.Thead(head), html.Tbody(rows), html.Caption(bars)], className="table change-counts",
                      id="changes-counts-table")


def groups_table(groups: list[dict[str, Any]]) -> html.Table | html.P:
    """The changes by origin (the dataset or file that made them) and kind."""
    if not groups:
        return html.P("Nothing changed that you may see, with these filters.", className="muted")
    head = html.Tr([html.Th("Origin"), html.Th("Record"), html.Th("Kind")]
                   + [html.Th(s.capitalize(), className="num") for s in STATUSES])
    rows, last = [], None
    for g in groups:
        rows.append(html.Tr([html.Td(g["origin"] if g["origin"] != last else ""), html.Td(g["record"]),
                             html.Td(g["kind"])] + [html.Td(f"{g[s]:,}" if g[s] else "", className="num")
                                                    for s in STATUSES]))
        last = g["origin"]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="table", id="changes-groups-table")


def actor_changes_list(items: list[dict[str, Any]], limit: int, revertible: set[int] = frozenset()) -> html.Div:
    """An actor's changes for its panel: version, date, what happened, fields old → new; a Revert button on
    each version in ``revertible`` (once, on its first change listed)."""
    from .curation import revert_button

    offered: set[int] = set()

    def undo(version: int):
        if version in revertible and version not in offered:
            offered.add(version)
            return revert_button(version)
        return None
    if not items:
        body: Any = html.P("No change to it or its links is kept in the store's history.", className="muted")
    else:
        body = html.Ul([html.Li([html.Span(f"v{c['version']}", className="change-version"),
                                 html.Span(f" {c['at']} ", className="muted"),
                                 html.Span(c["status"], className=f"change-status change-{c['status']}"),
                                 html.Span(f" {c['what']}"), undo(c["version"]),
                                 html.Div(c["fields"], className="muted change-fields") if c["fields"] else None],
                                className="panel-change") for c in items[:limit]], className="panel-changes")
    more = html.P("… and earlier changes (the Changes page lists them all).", className="muted") \
        if len(items) > limit else None
    return html.Div([html.H4("Changes"), body, more], id="explore-actor-changes")


# -- the two-date graph ------------------------------------------------------------------------------
def mark_elements(elements: list[dict], cmp: dict[str, Any]) -> list[dict]:
    """Graph elements with the classes ``added``, ``removed`` or ``changed`` where the comparison says so."""
    out = []
    for el in elements:
        data = el["data"]
        which = cmp["links"] if "source" in data else cmp["actors"]
        key = data.get("link") if "source" in data else data["id"]
        status = next((s for s in STATUSES if key in which[s]), None)
        if status:
            el = {**el, "classes": " ".join(c for c in (el.get("classes", ""), status) if c)}
        out.append(el)
    return out


def compare_styles() -> list[dict]:
    """Cytoscape styles of the marks (after the kinds' own styles, so they win)."""
    return [
        {"selector": "node.added", "style": {"border-width": 4, "border-color": COLOURS["added"]}},
        {"selector": "node.removed", "style": {"border-width": 3, "border-color": COLOURS["removed"],
                                               "border-style": "dashed", "opacity": 0.6}},
        {"selector": "node.changed", "style": {"border-width": 4, "border-color": COLOURS["changed"],
                                               "border-style": "double"}},
        {"selector": "edge.added", "style": {"line-color": COLOURS["added"], "target-arrow-color": COLOURS["added"],
                                             "width": 3, "opacity": 1}},
        {"selector": "edge.removed", "style": {"line-color": COLOURS["removed"], "line-style": "dashed",
                                               "target-arrow-color": COLOURS["removed"], "width": 2.5, "opacity": 0.9}},
        {"selector": "edge.changed", "style": {"line-color": COLOURS["changed"], "target-arrow-color": COLOURS["changed"],
                                               "width": 3, "opacity": 1}},
    ]


def compare_legend(since: str, counts: dict[str, int]) -> html.Div:
    """What the marks mean, and how many of each the view shows."""
    words = {"added": "added since then", "removed": "removed since then (dashed)", "changed": "changed since then"}
    items = [html.Li([html.Span(className="line-swatch", style={
        "borderTop": f"3px {'dashed' if s == 'removed' else 'solid'} {COLOURS[s]}"}),
        html.Span(f"{words[s]}: {counts.get(s, 0):,}")], className="legend-item", **{"data-status": s})
        for s in STATUSES]
    return html.Div([html.H4(f"Compared with {since}", className="legend-title"),
                     html.Ul(items, className="legend-list")], className="legend compare-legend",
                    id="explore-compare-legend")
