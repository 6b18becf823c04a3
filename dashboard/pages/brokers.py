"""Brokers: who bridges which groups (Gould-Fernandez roles, Burt's constraint), and a power/engagement map."""

from __future__ import annotations

import math
from typing import Any

import dash_ag_grid as dag
import numpy as np
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html

from graphmodel.kinds import ACTOR_SPECS, ActorKind

from dashboard.access import current_viewer
from dashboard.answers.brokers import brokers as top_brokers
from dashboard.components import charts
from dashboard.components import format as fmt
from dashboard.components.panels import notice, weights_note
from dashboard.urlstate import Field, State as UrlState, copy_link, url_id, url_store

#: How Dash Pages lists this page (registered by :func:`dashboard.app.create_app`).
REGISTRATION = dict(path="/brokers", name="Brokers", title="Stakemap · Brokers", order=5)

PAGE = "brokers"
STATE = UrlState(Field("by", str, "kind", choices=("kind", "country")), Field("top", int, 15, lo=5, hi=50))
ROLES = ("coordinator", "consultant", "gatekeeper", "representative", "liaison")
ROLE_HELP = {
    "coordinator": "links members of its own group",
    "consultant": "links members of another group, from outside",
    "gatekeeper": "lets an outsider reach its own group",
    "representative": "carries its own group's tie to an outsider",
    "liaison": "links two groups, belonging to neither",
}

COLUMNS = [
    {"field": "name", "headerName": "Broker", "flex": 2, "minWidth": 190, "tooltipField": "sentence", "pinned": "left"},
    {"field": "group", "headerName": "Group", "width": 140, "minWidth": 140},
    {"field": "brokerage", "headerName": "Across groups", "width": 130, "minWidth": 130, "type": "numericColumn", "sort": "desc",
     "headerTooltip": "open two-paths a → broker → b whose ends are in different groups"},
    *[{"field": r, "headerName": r.capitalize(), "width": 125, "minWidth": 125, "type": "numericColumn", "headerTooltip": ROLE_HELP[r]}
      for r in ROLES],
    {"field": "constraint", "headerName": "Constraint", "width": 115, "minWidth": 115, "type": "numericColumn",
     "valueFormatter": {"function": "params.value == null ? '' : d3.format('.2f')(params.value)"},
     "headerTooltip": "Burt's constraint: low when its contacts are not tied to one another"},
    {"field": "effective_size", "headerName": "Effective size", "width": 125, "minWidth": 125, "type": "numericColumn",
     "valueFormatter": {"function": "params.value == null ? '' : d3.format('.1f')(params.value)"}},
]


def layout(**query) -> html.Div:
    st = STATE.decode(query)
    return html.Div([
        html.Div([html.Div([html.H1("Brokers"),
                            html.P("Who bridges groups that are otherwise apart, and who holds power on the map. "
                                   "Brokerage counts open two-paths (a → broker → b with no tie a → b) by the groups "
                                   "of the three actors.", className="lede")]), copy_link(PAGE)], className="page-head"),
        html.Div([
            html.Div([html.Label("Groups are"), dcc.RadioItems(
                id="brokers-by", options=[{"label": "actor kinds", "value": "kind"},
                                          {"label": "countries", "value": "country"}],
                value=st["by"], inline=True, className="inline-radio")], className="control"),
            html.Div([html.Label("Show top"), dcc.Slider(allow_direct_input=False, id="brokers-top", min=5, max=50, step=1, value=st["top"],
                                                         marks={5: "5", 15: "15", 30: "30", 50: "50"})],
                     className="control slider"),
        ], className="controls"),
        dcc.Loading(html.Div([
            html.Div([html.Div(dcc.Graph(id="brokers-quadrant", config=charts.CONFIG, figure=charts.empty("")),
                               className="card"),
                      html.Div([html.H3("In plain words"), html.Div(id="brokers-sentences")], className="card side")],
                     className="work"),
            html.Div([html.H3("Brokerage roles"),
                      dag.AgGrid(columnSize="responsiveSizeToFit", id="brokers-grid", columnDefs=COLUMNS, rowData=[], getRowId="params.data.id",
                                 defaultColDef={"sortable": True, "resizable": True, "filter": True},
                                 dashGridOptions={"tooltipShowDelay": 300, "animateRows": False},
                                 style={"height": 420}),
                      html.Div(id="brokers-weights")], className="card", style={"marginTop": "14px"}),
        ]), type="default"),
        url_store(PAGE, STATE.encode(st)),
    ], className="page page-brokers")


@callback(Output("brokers-quadrant", "figure"), Output("brokers-sentences", "children"),
          Output("brokers-grid", "rowData"), Output("brokers-weights", "children"),
          Input("brokers-by", "value"), Input("brokers-top", "value"))
def _show(by, top):
    return show(top_brokers(current_viewer(), by=by or "kind", top=top or 15))


def show(result: dict[str, Any]):
    """The quadrant, the sentences, the role table and the weights behind the power axis."""
    rows = [{"id": b["actor"]["id"], "name": b["actor"]["name"], "group": _group(b["group"], result["by"]),
             "brokerage": b["brokerage"], **b["roles"], "constraint": b["constraint"],
             "effective_size": b["effective_size"], "sentence": b["sentence"]} for b in result["brokers"]]
    sentences = [html.P(b["sentence"], className="sentence") for b in result["brokers"][:10]] or [
        notice("No actor bridges two others on this map.")]
    note = html.Div([weights_note(result["weights"]), html.P(
        "Power on the map is the summed strength of the influence an actor has over its direct contacts under "
        "these weights; engagement is the share of its links that tie it to unions, worker organisations, NGOs, "
        "solidarity support organisations, campaigns or agreements.", className="muted")])
    return quadrant(result), sentences, rows, note


def _group(name: str | None, by: str) -> str:
    if name is None:
        return "(no country)"
    return fmt.country(name) if by == "country" else fmt.kind_label(name)


def quadrant(result: dict[str, Any]) -> go.Figure:
    points = result["points"]
    if not points:
        return charts.empty("No actor has a link on this map.")
    power = np.array([p["power"] for p in points])
    cut_y = float(np.median(power[power > 0])) if (power > 0).any() else 0.0
    brokers = {b["actor"]["id"] for b in result["brokers"]}
    top_brokerage = max([p["brokerage"] for p in points] + [1])
    fig = go.Figure()
    for kind in ActorKind:
        part = [p for p in points if p["kind"] == kind.value]
        if not part:
            continue
        spec = ACTOR_SPECS[kind]
        fig.add_scatter(
            x=[p["interest"] for p in part], y=[max(p["power"], 1e-3) for p in part], mode="markers",
            name=fmt.plotly_text(spec.label),
            marker={"color": spec.colour, "size": [7 + 13 * (p["brokerage"] / top_brokerage) ** 0.5 for p in part],
                    "line": {"width": [2 if p["id"] in brokers else 0.5 for p in part], "color": "#111827"},
                    "opacity": 0.85},
            hovertext=[fmt.plotly_text(f"{p['name']} ({spec.label}) — power {p['power']:.2f}, engagement "
                                       f"{p['interest']:.0%}, brokerage {p['brokerage']}") for p in part],
            hoverinfo="text")
    labelled = [p for p in points if p["id"] in brokers][:6]
    for n, p in enumerate(labelled):
        fig.add_annotation(x=p["interest"], y=math.log10(max(p["power"], 1e-3)), text=fmt.plotly_text(fmt.short(p["name"], 28)),
                           showarrow=True, arrowhead=0, arrowcolor="#9ca3af", ax=40 if n % 2 else -40, ay=-22 - 8 * (n % 3),
                           font={"size": 10, "color": "#374151"}, bgcolor="rgba(255,255,255,0.8)")
    fig.add_vline(x=0.5, line={"color": "#9ca3af", "dash": "dot"})
    if cut_y > 0:
        fig.add_hline(y=cut_y, line={"color": "#9ca3af", "dash": "dot"})
    for x, y, text in ((0.98, 0.98, "Engaged and powerful: work with them closely"),
                       (0.02, 0.98, "Powerful, little engaged: keep satisfied, press"),
                       (0.98, 0.02, "Engaged, less powerful: keep informed, ally"),
                       (0.02, 0.02, "Watch")):
        fig.add_annotation(xref="paper", yref="paper", x=x, y=y, text=text, showarrow=False,
                           xanchor="right" if x > 0.5 else "left", yanchor="top" if y > 0.5 else "bottom",
                           font={"size": 11, "color": "#6b7280"}, bgcolor="rgba(255,255,255,0.7)")
    fig.update_xaxes(title="engagement with the labour side (share of its links)", range=[-0.03, 1.03],
                     tickformat=".0%", gridcolor="#eef0f3", zeroline=False)
    fig.update_yaxes(title="power on the map (influence over direct contacts, log)", type="log", dtick=1,
                     gridcolor="#eef0f3")
    return charts.base_layout(fig, 560, title={"text": f"Power and engagement of the {len(points)} most powerful actors "
                                                       "(outlined: top brokers)", "x": 0, "font": {"size": 14}},
                              legend={"font": {"size": 10}, "itemsizing": "constant"})


@callback(Output(url_id(PAGE), "data"), Input("brokers-by", "value"), Input("brokers-top", "value"))
def _url(by, top):
    return STATE.encode({"by": by, "top": top})
