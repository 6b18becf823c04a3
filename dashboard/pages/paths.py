"""Paths: the strongest chains of influence from one actor to another, each hop explained and cited."""

from __future__ import annotations

from typing import Any

import dash_cytoscape as cyto
from dash import ALL, Input, Output, callback, ctx, dcc, html, no_update

from graphmodel.errors import StakemapError
from graphmodel.export import Selection
from graphmodel.export.selection import PathQuery
from graphmodel.kinds import LINK_SPECS, LinkKind

from dashboard.access import current_viewer
from dashboard.answers.paths import paths as strongest_paths
from dashboard.answers.search import resolve
from dashboard.components import format as fmt
from dashboard.components import graph as elements
from dashboard.components.exportbar import export_bar
from dashboard.components.reportbar import report_button
from dashboard.components.legend import legend
from dashboard.components.panels import hop_list, notice, path_title, unknown_in_link, weights_note
from dashboard.components.pickers import actor_picker, picker_id
from dashboard.components.styles import stylesheet
from dashboard.urlstate import Field, State as UrlState, copy_link, url_id, url_store

#: How Dash Pages lists this page (registered by :func:`dashboard.app.create_app`).
REGISTRATION = dict(path="/paths", name="Paths", title="Stakemap · Paths", order=2)

PAGE = "paths"
STATE = UrlState(Field("from"), Field("to"), Field("k", int, 5, lo=1, hi=10), Field("hops", int, 6, lo=1, hi=8),
                 Field("links", list, choices=tuple(k.value for k in LinkKind)), Field("path", int, 0, lo=0, hi=9))


def layout(**query) -> html.Div:
    viewer = current_viewer()
    st = STATE.decode(query)
    given = [st["from"], st["to"]]
    st["from"], st["to"] = resolve(viewer, st["from"]), resolve(viewer, st["to"])
    return html.Div([
        unknown_in_link(given, [st["from"], st["to"]]),
        html.Div([html.Div([html.H1("Influence paths"),
                            html.P("Through whom can we reach them? The strongest chains of influence from one actor "
                                   "to another: a path is as strong as the product of its hops, each hop a sourced "
                                   "link.", className="lede")]), copy_link(PAGE)], className="page-head"),
        html.Div([
            html.Div([html.Label("From"), actor_picker(PAGE, "from", st["from"], placeholder="Where you start…")],
                     className="control wide"),
            html.Div([html.Label("To"), actor_picker(PAGE, "to", st["to"], placeholder="Whom you want to reach…")],
                     className="control wide"),
            html.Div([html.Label("Paths (k)"), dcc.Slider(allow_direct_input=False, id="paths-k", min=1, max=10, step=1, value=st["k"],
                                                          marks={1: "1", 5: "5", 10: "10"})], className="control"),
            html.Div([html.Label("At most hops"), dcc.Slider(allow_direct_input=False, id="paths-hops", min=1, max=8, step=1, value=st["hops"],
                                                             marks={1: "1", 4: "4", 8: "8"})], className="control"),
            html.Div([html.Label("Follow only"), dcc.Dropdown(
                id="paths-links", multi=True, value=st["links"], placeholder="All link kinds",
                options=[{"label": LINK_SPECS[k].label, "value": k.value} for k in LinkKind])], className="control"),
            html.Div([html.Label("Unstated links"), dcc.Checklist(
                id="paths-inferred", options=[{"label": " include inferred and unmapped links", "value": "on"}],
                value=[], className="inline-radio")], className="control",
                title="Links nobody stated (confidence 'inferred', or 'related to' from an import) are left out by "
                      "default; the answer says when they would change it."),
        ], className="controls"),
        html.Div([
            html.Div([html.Div(id="paths-status", className="graph-status"),
                      cyto.Cytoscape(id="paths-graph", elements=[], stylesheet=stylesheet(), className="cyto", style={"width": "100%", "height": "640px"},
                                     layout={"name": "preset", "fit": True, "padding": 40}, minZoom=0.1, maxZoom=3,
                                     boxSelectionEnabled=False),
                      html.Div(id="paths-legend", style={"padding": "0 12px 10px"})], className="card graph-card"),
            html.Div([html.H3("Ranked paths"), html.Div(id="paths-weights"), dcc.Loading([html.Div(id="paths-list"), dcc.Store(id="paths-result")], type="dot", parent_className="answer-loading", overlay_style={"visibility": "visible", "opacity": 0.5})],
                     className="card side"),
        ], className="work"),
        export_bar(PAGE),
        report_button(PAGE),
        dcc.Store(id="paths-selected", data=st["path"]),
        url_store(PAGE, STATE.encode(st)),
    ], className="page page-paths")


def compute(viewer, source: str | None, target: str | None, k: int, hops: int, links: list[str],
            inferred: bool = False) -> dict[str, Any]:
    """The paths result, or ``{"error": message}`` (safe to show)."""
    if not source or not target:
        return {"error": "Pick where you start and whom you want to reach."}
    try:
        return strongest_paths(viewer, source, target, k=k, max_hops=hops, kinds=links or None,
                               include_inferred=inferred)
    except StakemapError as exc:
        return {"error": exc.message}


@callback(Output("paths-result", "data"), Output({"type": "export-sel", "page": PAGE}, "data"),
          Input(picker_id(PAGE, "from"), "value"), Input(picker_id(PAGE, "to"), "value"), Input("paths-k", "value"),
          Input("paths-hops", "value"), Input("paths-links", "value"), Input("paths-inferred", "value"))
def _compute(source, target, k, hops, links, inferred):
    result = compute(current_viewer(), source, target, k or 5, hops or 6, links or [], bool(inferred))
    return result, export_query(result)


def export_query(result: dict[str, Any]) -> str:
    if "error" in result:
        return ""
    return Selection(paths=[PathQuery(source=result["source"]["id"], target=result["target"]["id"])],
                     k=result["k"], max_hops=min(result["max_hops"], 10), link_kinds=result["kinds"] or []).to_query()


@callback(Output("paths-selected", "data"), Input({"type": "paths-card", "index": ALL}, "n_clicks"),
          prevent_initial_call=True)
def _pick(clicks):
    if not ctx.triggered_id or not any(clicks):
        return no_update
    return ctx.triggered_id["index"]


@callback(Output("paths-graph", "elements"), Output("paths-list", "children"), Output("paths-status", "children"),
          Output("paths-legend", "children"), Output("paths-weights", "children"),
          Input("paths-result", "data"), Input("paths-selected", "data"))
def _show(result, selected):
    return show(result or {}, selected or 0)


def show(result: dict[str, Any], selected: int):
    """Graph elements, the ranked list, a status line, the legend and the weights of a result."""
    if not result or "error" in result:
        message = notice(result.get("error", "Pick two actors."), "warn" if result else "info")
        return [], message, "", legend([], []), ""
    paths = result["paths"]
    if not paths:
        text = (f"No influence path from {result['source']['name']} to {result['target']['name']} within "
                f"{result['max_hops']} hops" + (" over the chosen link kinds" if result.get("kinds") else "") + "."
                + "".join(f" {note}" for note in result.get("notes", [])))
        return [elements.actor_node(result["source"], (0, 0), "end"), elements.actor_node(result["target"], (300, 0), "end")], \
            notice(text, "warn"), text, legend([result["source"]["kind"], result["target"]["kind"]], []), \
            weights_note(result["weights"])
    selected = selected if 0 <= selected < len(paths) else 0
    els = elements.path_elements(paths, selected)
    cards = [html.Div([
        html.Div([html.Span(f"#{n + 1}", className="path-rank"),
                  html.Span(f"{p.get('strength_word') or fmt.strength(p['strength'])} ({p.get('strength_share', 100)} of "
                            "the best)", className="path-strength"),
                  html.Span(f"{len(p['hops'])} hop{'s' if len(p['hops']) != 1 else ''}", className="muted")],
                 className="path-head"),
        html.Div(path_title(p), className="path-route"),
        hop_list(p) if n == selected else html.Div("Click to see each hop and its sources.", className="muted"),
    ], id={"type": "paths-card", "index": n}, className="path-card" + (" selected" if n == selected else ""), n_clicks=0)
        for n, p in enumerate(paths)]
    kinds, link_kinds = elements.kinds_in(els)
    status = (f"{len(paths)} path{'s' if len(paths) != 1 else ''} from {result['source']['name']} to "
              f"{result['target']['name']}; path #{selected + 1} highlighted. Arrows point the way influence flows."
              + "".join(f" {note}" for note in result.get("notes", [])))
    return els, cards, status, legend(kinds, link_kinds), weights_note(result["weights"])


@callback(Output(url_id(PAGE), "data"), Input(picker_id(PAGE, "from"), "value"), Input(picker_id(PAGE, "to"), "value"),
          Input("paths-k", "value"), Input("paths-hops", "value"), Input("paths-links", "value"),
          Input("paths-selected", "data"))
def _url(source, target, k, hops, links, selected):
    return STATE.encode({"from": source, "to": target, "k": k, "hops": hops, "links": links, "path": selected})
