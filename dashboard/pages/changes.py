"""Changes: what the map's versions changed since a version or a date, counts first, then by origin and kind,
each change with its fields old → new and its sources (the answers ``stakemap diff`` gives)."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
from dash import Input, Output, callback, dcc, html

from graphmodel.kinds import ACTOR_SPECS, LINK_SPECS, ActorKind, LinkKind

from dashboard.access import current_viewer
from dashboard.answers.changes import changes, default_since, origins, version_options, versions
from dashboard.answers.explore import choices
from dashboard.answers.search import resolve
from dashboard.components.changes import COLOURS, counts_table, groups_table
from dashboard.components.panels import notice
from dashboard.components.pickers import actor_picker, picker_id
from dashboard.urlstate import Field, State as UrlState, copy_link, url_id, url_store

#: How Dash Pages lists this page (registered by :func:`dashboard.app.create_app`).
REGISTRATION = dict(path="/changes", name="Changes", title="Stakemap · Changes", order=7)

PAGE = "changes"
STATE = UrlState(Field("since"), Field("date"), Field("until"), Field("origin", list),
                 Field("kind", list, choices=tuple(k.value for k in ActorKind) + tuple(k.value for k in LinkKind)),
                 Field("country", list), Field("actor"))

_WRAP = {"wrapText": True, "autoHeight": True,
         "cellStyle": {"lineHeight": "1.45", "paddingTop": "7px", "paddingBottom": "7px", "wordBreak": "normal"}}
_STATUS_STYLE = {"function": f"({{color: {{added: '{COLOURS['added']}', removed: '{COLOURS['removed']}', "
                             f"changed: '{COLOURS['changed']}'}}[params.value], fontWeight: 600}})"}
COLUMNS = [
    {"field": "origin", "headerName": "Origin", "width": 110, "minWidth": 90},
    {"field": "record", "headerName": "Record", "width": 85, "minWidth": 85},
    {"field": "kind", "headerName": "Kind", "width": 130, "minWidth": 110, **_WRAP},
    {"field": "status", "headerName": "Change", "width": 110, "minWidth": 110, "cellStyle": _STATUS_STYLE},
    {"field": "what", "headerName": "What", "flex": 2, "minWidth": 180, **_WRAP},
    {"field": "fields", "headerName": "Fields: old → new", "flex": 3, "minWidth": 220, **_WRAP},
    {"field": "country", "headerName": "Country", "width": 95, "minWidth": 90},
    {"field": "sources", "headerName": "Sources", "flex": 1, "minWidth": 120, "tooltipField": "sources"},
    {"field": "versions", "headerName": "Version", "width": 95, "minWidth": 90},
]


def layout(**query) -> html.Div:
    viewer = current_viewer()
    st = STATE.decode(query)
    listed = versions(viewer)
    head = html.Div([html.Div([html.H1("Changes"), html.P(
        "What the map's versions changed: every ingest and every removal is a numbered version that keeps the "
        "records it replaced. Pick where to start (a version, or a date), and narrow by origin, kind, country or "
        "actor. Only what you may see is shown or counted.", className="lede")]), copy_link(PAGE)],
        className="page-head")
    if not listed["any"]:
        return html.Div([head, notice("This map has no versions yet: nothing has been ingested into it. "
                                      "Versions appear with the first 'stakemap ingest'.", "info"),
                         html.Div(id="changes-status")], className="page page-changes")
    options = version_options(viewer)
    if st["since"] and st["since"] not in {o["value"] for o in options}:
        # a link may name a version that does not exist: kept as chosen (a dropdown clears a value it does
        # not offer, and then whether the page says so would depend on which the browser did first)
        options = [*options, {"label": f"{st['since']} · not a version of this map", "value": st["since"]}]
    kinds = ([{"label": f"Actor: {ACTOR_SPECS[k].label}", "value": k.value} for k in ActorKind]
             + [{"label": f"Link: {LINK_SPECS[k].label}", "value": k.value} for k in LinkKind])
    actor = resolve(viewer, st["actor"]) if st["actor"] else None
    return html.Div([
        head,
        html.Div([
            html.Div([html.Label("Since version"), dcc.Dropdown(
                id="changes-since", options=options, value=st["since"] or default_since(viewer), clearable=False,
                placeholder="A version")], className="control wide"),
            html.Div([html.Label("or since a date", htmlFor="changes-date"), dcc.Input(
                id="changes-date", type="text", value=st["date"] or "", debounce=True, className="text-input",
                placeholder="2026-03-31")], className="control"),
            html.Div([html.Label("Until"), dcc.Dropdown(
                id="changes-until", options=options[:-1] if options and options[-1]["value"] == "0" else options,
                value=st["until"], placeholder="Now")], className="control"),
            html.Div([html.Label("Origin"), dcc.Dropdown(id="changes-origin", multi=True, value=st["origin"],
                                                         options=origins(viewer), placeholder="All origins")],
                     className="control"),
            html.Div([html.Label("Kind"), dcc.Dropdown(id="changes-kind", multi=True, value=st["kind"], options=kinds,
                                                       placeholder="All kinds")], className="control"),
            html.Div([html.Label("Country"), dcc.Dropdown(id="changes-country", multi=True, value=st["country"],
                                                          options=choices(viewer)["countries"],
                                                          placeholder="All countries")], className="control"),
            html.Div([html.Label("Actor"), actor_picker(PAGE, "actor", actor, placeholder="Its changes and its links'")],
                     className="control wide"),
        ], className="controls"),
        html.Div(id="changes-status", className="graph-status"),
        dcc.Loading(html.Div([
            html.Div([html.Div([html.H3("How many"), html.Div(id="changes-counts")], className="card"),
                      html.Div([html.H3("By origin and kind"), html.Div(id="changes-groups")], className="card")],
                     className="grid-2"),
            html.Div([html.H3("Every change"),
                      dag.AgGrid(id="changes-grid", columnDefs=COLUMNS, rowData=[], getRowId="params.data.id",
                                 columnSize="responsiveSizeToFit",
                                 defaultColDef={"sortable": True, "resizable": True, "filter": True},
                                 dashGridOptions={"tooltipShowDelay": 300, "animateRows": False},
                                 style={"height": 460})], className="card", style={"marginTop": "14px"}),
        ]), type="default", parent_className="answer-loading"),
        url_store(PAGE, STATE.encode(st)),
    ], className="page page-changes")


@callback(Output("changes-status", "children"), Output("changes-counts", "children"),
          Output("changes-groups", "children"), Output("changes-grid", "rowData"),
          Input("changes-since", "value"), Input("changes-date", "value"), Input("changes-until", "value"),
          Input("changes-origin", "value"), Input("changes-kind", "value"), Input("changes-country", "value"),
          Input(picker_id(PAGE, "actor"), "value"))
def _show(since, date, until, origin, kind, country, actor):
    return show(changes(current_viewer(), date or since, until, origins=origin, kinds=kind, countries=country,
                        actor=actor))


def show(result: dict[str, Any]) -> tuple[Any, Any, Any, list[dict]]:
    """The status line, the counts, the table by origin and kind, and the rows."""
    if "error" in result:
        return notice(result["error"], "warn"), None, None, []
    line = f"From {result['since']} to {result['until']}: {result['total']:,} changes you may see."
    if result["total"] > len(result["rows"]):
        line += f" The table lists the first {len(result['rows']):,}; narrow the filters to see the rest."
    status = html.Div([html.Span(line)] + [html.P(n, className="muted") for n in result["notes"]])
    return status, counts_table(result["counts"]), groups_table(result["groups"]), result["rows"]


@callback(Output(url_id(PAGE), "data"), Input("changes-since", "value"), Input("changes-date", "value"),
          Input("changes-until", "value"), Input("changes-origin", "value"), Input("changes-kind", "value"),
          Input("changes-country", "value"), Input(picker_id(PAGE, "actor"), "value"))
def _url(since, date, until, origin, kind, country, actor):
    return STATE.encode({"since": since, "date": date, "until": until, "origin": origin, "kind": kind,
                         "country": country, "actor": actor})
