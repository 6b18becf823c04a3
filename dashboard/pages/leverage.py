"""Leverage: who can move a target, and whom on our side can reach them; the chokepoints; the paths behind a row."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_cytoscape as cyto
from dash import Input, Output, callback, dcc, html, no_update

from graphmodel.analysis.readable import MEDIUM, STRONG
from graphmodel.errors import StakemapError
from graphmodel.export import Selection
from graphmodel.export.selection import LeverageQuery
from graphmodel.figures.leverage import chart

from dashboard.access import current_viewer
from dashboard.answers.leverage import leverage
from dashboard.answers.search import resolve, resolve_all
from dashboard.components import charts
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
REGISTRATION = dict(path="/leverage", name="Leverage", title="Stakemap · Leverage", order=3)

PAGE = "leverage"
STATE = UrlState(Field("target"), Field("side", list), Field("top", int, 10, lo=3, hi=50),
                 Field("hops", int, 4, lo=1, hi=6), Field("row"))

#: The words of graphmodel.analysis.readable, in the grid's own formatter (sorting stays on the raw value).
_WORD = (f"params.value == null ? '–' : params.value >= {STRONG} ? 'strong' : params.value >= {MEDIUM} ? "
         "'medium' : params.value > 0 ? 'weak' : 'none'")
COLUMNS = [
    {"field": "rank", "headerName": "#", "width": 60, "minWidth": 60, "type": "numericColumn"},
    {"field": "name", "headerName": "Actor", "flex": 2, "minWidth": 180, "tooltipField": "name"},
    {"field": "kind", "headerName": "Kind", "flex": 1, "minWidth": 120},
    {"field": "country", "headerName": "Country", "width": 100, "minWidth": 100},
    {"field": "sphere", "headerName": "Acts in", "width": 115, "minWidth": 115},
    {"field": "score", "headerName": "Score", "width": 170, "minWidth": 170, "type": "numericColumn", "sort": "desc",
     "valueFormatter": {"function": f"({_WORD}) + ' · ' + params.data.share"},
     "headerTooltip": "reach × pressure, in words and as a share (0-100) of the best: how well our side reaches the "
                      "actor, times how hard it can press the target"},
    {"field": "reach", "headerName": "Reach", "width": 95, "minWidth": 95, "type": "numericColumn",
     "valueFormatter": {"function": _WORD},
     "headerTooltip": "strength of the strongest path from our side to the actor (1 when no side is given)"},
    {"field": "pressure", "headerName": "Pressure", "width": 100, "minWidth": 100, "type": "numericColumn",
     "valueFormatter": {"function": _WORD},
     "headerTooltip": "strength of the strongest path from the actor to the target"},
]


def layout(**query) -> html.Div:
    viewer = current_viewer()
    st = STATE.decode(query)
    given = [st["target"], *st["side"]]
    st["target"] = resolve(viewer, st["target"])
    resolved_side = [resolve(viewer, s) for s in given[1:]]
    st["side"] = resolve_all(viewer, given[1:])
    unknown = unknown_in_link(given, [st["target"], *resolved_side])
    return html.Div([
        unknown,
        html.Div([html.Div([html.H1("Leverage points"),
                            html.P("Who can move this target? Every actor scores reach × pressure: how strongly our "
                                   "side reaches it, times how strongly it can press the target. Chokepoints are the "
                                   "actors every strong path passes.", className="lede")]), copy_link(PAGE)],
                 className="page-head"),
        html.Div([
            html.Div([html.Label("Target"), actor_picker(PAGE, "target", st["target"],
                                                          placeholder="A brand, supplier, government, trade fair…")],
                     className="control wide"),
            html.Div([html.Label("Our side"), actor_picker(PAGE, "side", st["side"], multi=True,
                                                            placeholder="Who we start from (optional)…")],
                     className="control wide"),
            html.Div([html.Label("Show top"), dcc.Slider(allow_direct_input=False, id="leverage-top", min=3, max=50, step=1, value=st["top"],
                                                         marks={3: "3", 10: "10", 25: "25", 50: "50"})],
                     className="control"),
            html.Div([html.Label("At most hops"), dcc.Slider(allow_direct_input=False, id="leverage-hops", min=1, max=6, step=1,
                                                             value=st["hops"], marks={1: "1", 4: "4", 6: "6"})],
                     className="control"),
            html.Div([html.Label("Unstated links"), dcc.Checklist(
                id="leverage-inferred", options=[{"label": " include inferred and unmapped links", "value": "on"}],
                value=[], className="inline-radio")], className="control",
                title="Links nobody stated (confidence 'inferred', or 'related to' from an import) are left out by "
                      "default; the answer says when they would change it."),
        ], className="controls"),
        dcc.Loading([html.Div(id="leverage-status"), dcc.Store(id="leverage-result")], type="dot", parent_className="answer-loading", overlay_style={"visibility": "visible", "opacity": 0.5}),
        html.Div([html.H3("Ranked leverage points"),
                  dag.AgGrid(columnSize="responsiveSizeToFit", id="leverage-grid", columnDefs=COLUMNS, rowData=[],
                             getRowId="params.data.id",
                             defaultColDef={"sortable": True, "resizable": True, "filter": True},
                             dashGridOptions={"tooltipShowDelay": 300, "animateRows": False,
                                              "rowSelection": {"mode": "singleRow", "checkboxes": False,
                                                               "enableClickSelection": True}},
                             style={"height": 340}),
                  html.Div("Click a row to see the two paths behind its score.", className="muted")],
                 className="card"),
        html.Div([
            html.Div(dcc.Graph(id="leverage-chart", config=charts.CONFIG, figure=charts.empty("")), className="card"),
            html.Div([html.H3("Chokepoints"), html.Div(id="leverage-chokepoints"),
                      html.H3("Where they act", style={"marginTop": "14px"}), html.Div(id="leverage-spheres")],
                     className="card"),
        ], className="grid-2", style={"marginTop": "14px"}),
        html.Div([html.H3(id="leverage-detail-title"),
                  html.Div([cyto.Cytoscape(id="leverage-graph", elements=[], stylesheet=stylesheet(),
                                           className="cyto short", style={"width": "100%", "height": "420px"},
                                           layout={"name": "preset", "fit": True, "padding": 40}, minZoom=0.1,
                                           maxZoom=3, boxSelectionEnabled=False),
                            html.Div(id="leverage-detail", className="side")], className="work")],
                 className="card", style={"marginTop": "14px"}),
        export_bar(PAGE),
        report_button(PAGE),
        dcc.Store(id="leverage-row", data=st["row"]),
        url_store(PAGE, STATE.encode(st)),
    ], className="page page-leverage")


def compute(viewer, target: str | None, side: list[str], top: int, hops: int, inferred: bool = False) -> dict[str, Any]:
    """The leverage result, or ``{"error": message}``."""
    if not target:
        return {"error": "Pick the target you want to move."}
    try:
        return leverage(viewer, target, side, top=top, max_hops=hops, include_inferred=inferred)
    except StakemapError as exc:
        return {"error": exc.message}


@callback(Output("leverage-result", "data"), Output({"type": "export-sel", "page": PAGE}, "data"),
          Input(picker_id(PAGE, "target"), "value"), Input(picker_id(PAGE, "side"), "value"),
          Input("leverage-top", "value"), Input("leverage-hops", "value"), Input("leverage-inferred", "value"))
def _compute(target, side, top, hops, inferred):
    result = compute(current_viewer(), target, side or [], top or 10, hops or 4, bool(inferred))
    return result, export_query(result)


def export_query(result: dict[str, Any]) -> str:
    if "error" in result:
        return ""
    return Selection(leverage=LeverageQuery(target=result["target"]["id"], side=[s["id"] for s in result["from"]],
                                            top=max(1, len(result["leverage"])))).to_query()


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": e["actor"]["id"], "rank": n, "name": e["actor"]["name"], "kind": fmt.kind_label(e["actor"]["kind"]),
             "country": e["actor"].get("country") or "", "sphere": e["sphere"], "score": e["score"],
             "share": e.get("score_share", 0), "reach": e["reach"] if result["from"] else None,
             "pressure": e["pressure"]}
            for n, e in enumerate(result["leverage"], 1)]


@callback(Output("leverage-grid", "rowData"), Output("leverage-chart", "figure"), Output("leverage-status", "children"),
          Output("leverage-chokepoints", "children"), Output("leverage-spheres", "children"),
          Input("leverage-result", "data"))
def _table(result):
    return table(result or {})


def table(result: dict[str, Any]):
    """The grid rows, the chart, a status line with the weights, the chokepoints and the spheres."""
    if not result or "error" in result:
        return [], charts.empty(""), notice(result.get("error", "Pick a target."), "warn" if result else "info"), "", ""
    who = ", ".join(s["name"] for s in result["from"]) or "anyone (ranked by pressure alone)"
    status = html.Div([notice(f"Leverage on {result['target']['name']} from {who}: {fmt.counted(len(result['leverage']), 'actor')} "
                              f"within {result['max_hops']} hops each way; strongest route {fmt.strength(result['best_strength'])}."
                              + (f" {len(result.get('own_sites_left_out', []))} of its own sites and subsidiaries are not "
                                 "counted as pressure on it." if result.get("own_sites_left_out") else "")),
                       *[notice(note, "warn") for note in result.get("notes", [])],
                       weights_note(result["weights"])])
    chokes = [html.Li([html.Strong(c["actor"]["name"]),
                       html.Span(f" ({fmt.kind_label(c['actor']['kind'])}): without it the strongest route falls to "
                                 f"{fmt.strength(c['best_strength_without'])}", className="muted")])
              for c in result["chokepoints"]]
    if not chokes:
        chokes_box = html.P("No chokepoint: strong paths to the target run through different actors"
                            + ("" if result["from"] else " (chokepoints need our side)") + ".", className="muted")
    else:
        chokes_box = html.Ul(chokes)
    spheres = html.Div([html.Div([html.Strong(sphere), html.Div(
        [html.Span(_name(result, a), className="chip") for a in ids], className="chips")], style={"marginBottom": "8px"})
        for sphere, ids in result["by_sphere"].items()])
    return rows(result), chart(result), status, chokes_box, spheres


def _name(result: dict[str, Any], actor_id: str) -> str:
    return next((e["actor"]["name"] for e in result["leverage"] if e["actor"]["id"] == actor_id), actor_id)


@callback(Output("leverage-row", "data"), Input("leverage-grid", "selectedRows"), prevent_initial_call=True)
def _pick(selected):
    return selected[0]["id"] if selected else no_update


@callback(Output("leverage-detail-title", "children"), Output("leverage-graph", "elements"),
          Output("leverage-detail", "children"), Input("leverage-result", "data"), Input("leverage-row", "data"))
def _detail(result, row):
    return detail(result or {}, row)


def detail(result: dict[str, Any], row: str | None):
    """The reach and pressure paths behind one row (the first when none is chosen)."""
    entries = result.get("leverage") or []
    if not entries:
        return "Paths behind a row", [], ""
    entry = next((e for e in entries if e["actor"]["id"] == row), entries[0])
    reach, pressure = entry["paths"]["reach"], entry["paths"]["pressure"]
    joined = pressure if reach is None else {"actors": reach["actors"] + pressure["actors"][1:],
                                             "hops": reach["hops"] + pressure["hops"], "strength": entry["score"]}
    els = elements.path_elements([joined], 0)
    parts = []
    if reach is not None:
        parts += [html.H4(f"Reach {fmt.strength(entry['reach'])}: {path_title(reach)}"), hop_list(reach)]
    parts += [html.H4(f"Pressure {fmt.strength(entry['pressure'])}: {path_title(pressure)}"), hop_list(pressure)]
    kinds, link_kinds = elements.kinds_in(els)
    parts.append(legend(kinds, link_kinds))
    return (f"Why {entry['actor']['name']} scores {fmt.strength(entry['score'])} "
            f"({entry.get('score_share', 100)} of the best; raw {entry['score']:.2g})", els, parts)


@callback(Output(url_id(PAGE), "data"), Input(picker_id(PAGE, "target"), "value"),
          Input(picker_id(PAGE, "side"), "value"), Input("leverage-top", "value"), Input("leverage-hops", "value"),
          Input("leverage-row", "data"))
def _url(target, side, top, hops, row):
    return STATE.encode({"target": target, "side": side, "top": top, "hops": hops, "row": row})
