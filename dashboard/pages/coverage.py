"""Coverage: what a funder's money reaches, where, through which chains; the gaps and the other funders."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
from dash import Input, Output, callback, dcc, html

from graphmodel.errors import StakemapError
from graphmodel.export import Selection
from graphmodel.figures.coverage import gaps_chart, sankey, world_map

from dashboard import bundled
from dashboard.access import current_viewer
from dashboard.answers.coverage import context_table, coverage, funders
from dashboard.answers.search import resolve
from dashboard.app import topojson_url
from dashboard.components import charts
from dashboard.components import format as fmt
from dashboard.components.exportbar import export_bar
from dashboard.components.reportbar import report_button
from dashboard.components.panels import notice, unknown_in_link
from dashboard.components.pickers import actor_picker, picker_id
from dashboard.urlstate import Field, State as UrlState, copy_link, url_id, url_store

#: How Dash Pages lists this page (registered by :func:`dashboard.app.create_app`).
REGISTRATION = dict(path="/coverage", name="Coverage", title="Stakemap · Coverage", order=4)

PAGE = "coverage"
STATE = UrlState(Field("funder"), Field("hops", int, 6, lo=1, hi=8), Field("column", str, bundled.CONTEXT_COLUMN))

REACHED_COLUMNS = [
    {"field": "name", "headerName": "Organisation reached", "flex": 2, "minWidth": 200, "tooltipField": "name"},
    {"field": "kind", "headerName": "Kind", "flex": 1, "minWidth": 120},
    {"field": "country", "headerName": "Country", "width": 110, "minWidth": 110},
    {"field": "share", "headerName": "Reaches it", "width": 115, "minWidth": 115, "type": "numericColumn", "sort": "desc",
     "valueFormatter": {"function": "d3.format('.1%')(params.value)"},
     "headerTooltip": "share of the funder's money that reaches it, including what it passes on"},
    {"field": "kept", "headerName": "Stays with it", "width": 120, "minWidth": 120, "type": "numericColumn",
     "valueFormatter": {"function": "d3.format('.1%')(params.value)"}},
    {"field": "hops", "headerName": "Steps", "width": 85, "minWidth": 85, "type": "numericColumn"},
    {"field": "route", "headerName": "Through", "flex": 3, "minWidth": 260, "tooltipField": "route"},
]


def layout(**query) -> html.Div:
    viewer = current_viewer()
    st = STATE.decode(query)
    given = st["funder"]
    st["funder"] = resolve(viewer, st["funder"])
    unknown = unknown_in_link([given], [st["funder"]])
    context = context_table(None)
    columns = context.numeric_columns if context is not None else []
    if st["column"] not in columns:
        st["column"] = bundled.CONTEXT_COLUMN if bundled.CONTEXT_COLUMN in columns else (columns[0] if columns else None)
    return html.Div([
        unknown,
        html.Div([html.Div([html.H1("Programme coverage"),
                            html.P("What does our money reach? A funder's grants followed through re-granting "
                                   "(donor → federation → affiliate), the programmes they pay for and the "
                                   "organisations those support, amount-weighted where amounts are known.",
                                   className="lede")]), copy_link(PAGE)], className="page-head"),
        html.Div([
            html.Div([html.Label("Funder"), actor_picker(PAGE, "funder", st["funder"], defaults=funders(viewer),
                                                          placeholder="A funder (solidarity support organisation…)")],
                     className="control wide"),
            html.Div([html.Label("At most steps"), dcc.Slider(allow_direct_input=False, id="coverage-hops", min=1, max=8, step=1,
                                                              value=st["hops"], marks={1: "1", 4: "4", 8: "8"})],
                     className="control"),
            html.Div([html.Label("Gaps against"), dcc.Dropdown(
                id="coverage-column", value=st["column"], clearable=False, disabled=not columns,
                options=[{"label": fmt.heading(c), "value": c} for c in columns])], className="control wide"),
        ], className="controls"),
        dcc.Loading([html.Div(id="coverage-status"), dcc.Store(id="coverage-result")], type="dot", parent_className="answer-loading", overlay_style={"visibility": "visible", "opacity": 0.5}),
        html.Div([html.Div(dcc.Graph(id="coverage-map", config={**charts.CONFIG, "topojsonURL": topojson_url()},
                                     figure=charts.empty("")), className="card"),
                  html.Div(dcc.Graph(id="coverage-sankey", config=charts.CONFIG, figure=charts.empty("")),
                           className="card")], className="grid-2"),
        html.Div([html.H3("Organisations reached"),
                  dag.AgGrid(columnSize="responsiveSizeToFit", id="coverage-grid", columnDefs=REACHED_COLUMNS, rowData=[], getRowId="params.data.id",
                             defaultColDef={"sortable": True, "resizable": True, "filter": True},
                             dashGridOptions={"tooltipShowDelay": 300, "animateRows": False}, style={"height": 380})],
                 className="card", style={"marginTop": "14px"}),
        html.Div([html.Div([dcc.Graph(id="coverage-gaps", config=charts.CONFIG, figure=charts.empty("")),
                            html.Div(id="coverage-gap-table")], className="card"),
                  html.Div([html.H3("Other funders of the same organisations"), html.Div(id="coverage-overlaps"),
                            html.H3("How much each direct grantee depends on this funder", style={"marginTop": "14px"}),
                            html.Div(id="coverage-dependence")], className="card")],
                 className="grid-2", style={"marginTop": "14px"}),
        export_bar(PAGE),
        report_button(PAGE),
        url_store(PAGE, STATE.encode(st)),
    ], className="page page-coverage")


def compute(viewer, funder: str | None, hops: int, column: str | None) -> dict[str, Any]:
    if not funder:
        return {"error": "Pick a funder."}
    try:
        return coverage(viewer, funder, max_hops=hops, column=column)
    except StakemapError as exc:
        return {"error": exc.message}


@callback(Output("coverage-result", "data"), Output({"type": "export-sel", "page": PAGE}, "data"),
          Input(picker_id(PAGE, "funder"), "value"), Input("coverage-hops", "value"), Input("coverage-column", "value"))
def _compute(funder, hops, column):
    result = compute(current_viewer(), funder, hops or 6, column)
    return result, ("" if "error" in result else Selection(coverage=[result["funder"]["id"]]).to_query())


@callback(Output("coverage-status", "children"), Output("coverage-map", "figure"), Output("coverage-sankey", "figure"),
          Output("coverage-grid", "rowData"), Output("coverage-gaps", "figure"), Output("coverage-gap-table", "children"),
          Output("coverage-overlaps", "children"), Output("coverage-dependence", "children"),
          Input("coverage-result", "data"))
def _show(result):
    return show(result or {})


def show(result: dict[str, Any]):
    if not result or "error" in result:
        empty = charts.empty("")
        return notice(result.get("error", "Pick a funder."), "warn" if result else "info"), empty, empty, [], empty, \
            "", "", ""
    return (status(result), world_map(result), sankey(result), reached_rows(result), gaps_chart(result),
            gaps_table(result), overlaps(result), dependence(result))


def status(result: dict[str, Any]) -> html.Div:
    n = len(result["reached"])
    countries = [c for c in result["countries"] if c["country"]]
    more = " (the largest listed)" if n >= result.get("listed", n + 1) else ""
    text = (f"{result['funder']['name']}'s money reaches {n:,} actors{more} in {len(countries)} countries within "
            f"{result['max_hops']} steps. Amounts are known for {result['amounts_known']:.0%} of its own grants; "
            "where they are not, money is split equally.")
    if result.get("unlocated_share"):
        text += (f" {result['unlocated_share']:.0%} of it reaches no identifiable country (programmes, undisclosed "
                 "recipients, organisations without a country): the map and the gaps speak only of the rest.")
    return html.Div([notice(text), html.Div(
        "Coverage follows money, not influence: no influence weights are used here.", className="weights-note")])


def reached_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    names = result["path_actors"]
    out = []
    for r in result["reached"]:
        route = [names.get(a, {"name": result["funder"]["name"]})["name"] for a in r["path"][1:-1]]
        out.append({"id": r["actor"]["id"], "name": r["actor"]["name"], "kind": fmt.kind_label(r["actor"]["kind"]),
                    "country": r["actor"].get("country") or "", "share": r["share"], "kept": r["kept"],
                    "hops": r["hops"], "route": " → ".join([*route, r["actor"]["name"]]) + "  (" + ", ".join(r["via"]) + ")"})
    return out


def gaps_table(result: dict[str, Any]) -> html.Table | str:
    if not result["gaps"]:
        return ""
    rows = [html.Tr([html.Th("Country"), html.Th("Figure", className="num"), html.Th("Need", className="num"),
                     html.Th("Money", className="num"), html.Th("Gap", className="num")])]
    for g in result["gaps"]:
        rows.append(html.Tr([html.Td(g["name"] + ("" if g["reached"] else " (not reached)")),
                             html.Td(f"{g['context']:g}", className="num"), html.Td(fmt.share(g["context_share"]), className="num"),
                             html.Td(fmt.share(g["coverage_share"]), className="num"),
                             html.Td(f"{g['gap']:+.1%}", className="num")]))
    ctx = result.get("context") or {}
    return html.Div([html.Table(rows, className="table"),
                     html.P(f"Need: each country's share of {fmt.heading(ctx.get('column', ''), start=False)} in the context "
                            "table; money: its share of what reaches those countries.", className="muted")])


def overlaps(result: dict[str, Any]) -> html.Div:
    names = result["path_actors"]
    if not result["overlaps"]:
        return html.P("No other funder on the map funds the organisations reached.", className="muted")
    items = [html.Li([html.Strong(o["funder"]["name"]),
                      html.Span(f" also funds {o['count']}: " + ", ".join(names.get(a, {"name": a})["name"]
                                                                         for a in o["actors"][:6])
                                + (" …" if len(o["actors"]) > 6 else ""), className="muted")])
             for o in result["overlaps"][:15]]
    return html.Ul(items)


def dependence(result: dict[str, Any]) -> html.Table | html.P:
    if not result["dependence"]:
        return html.P("No direct grant on the map.", className="muted")
    rows = [html.Tr([html.Th("Grantee"), html.Th("Depends", className="num"), html.Th("Basis"),
                     html.Th("Funders", className="num")])]
    for d in result["dependence"][:20]:
        rows.append(html.Tr([html.Td(d["actor"]["name"]), html.Td(fmt.share(d["share"]), className="num"),
                             html.Td("amounts" if d["basis"] == "amount" else "number of funders"),
                             html.Td(str(d["funders"]), className="num")]))
    return html.Table(rows, className="table")


@callback(Output(url_id(PAGE), "data"), Input(picker_id(PAGE, "funder"), "value"), Input("coverage-hops", "value"),
          Input("coverage-column", "value"))
def _url(funder, hops, column):
    return STATE.encode({"funder": funder, "hops": hops, "column": column})
