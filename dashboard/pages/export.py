"""Export: build a subgraph (around actors, paths, coverage, leverage; filtered) and download it in any format.

The page's URL is the export selection itself (the query ``stakemap export``
and the manifest record), plus ``format``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import Input, Output, State, callback, dcc, html, no_update

from graphmodel.export import EXPORT_FORMATS, Selection
from graphmodel.export.selection import LeverageQuery, PathQuery
from graphmodel.kinds import ACTOR_SPECS, LINK_SPECS, ActorKind, Confidence, LinkKind

from dashboard.access import current_viewer
from dashboard.answers.coverage import funders
from dashboard.answers.explore import choices
from dashboard.answers.export import export_preview, export_selection
from dashboard.components.exportbar import export_refusal, format_options
from dashboard.components.format import counted, kind_count
from dashboard.components.panels import notice
from dashboard.components.pickers import actor_picker, picker_id
from dashboard.mapdata import DataError
from dashboard.urlstate import copy_link, url_id, url_store

#: How Dash Pages lists this page (registered by :func:`dashboard.app.create_app`).
REGISTRATION = dict(path="/export", name="Export", title="Stakemap · Export", order=6)

PAGE = "export"


def query_of(query: dict[str, Any]) -> tuple[str, str]:
    """The selection query and the format from a page's query parameters."""
    fmt = query.get("format")
    fmt = fmt[-1] if isinstance(fmt, list) else fmt
    pairs = [(k, v) for k, v in query.items() if k != "format"]
    return urlencode(pairs, doseq=True), fmt if fmt in EXPORT_FORMATS else "gexf"


def layout(**query) -> html.Div:
    viewer = current_viewer()
    text, fmt = query_of(query)
    try:
        sel = export_selection(viewer, text)
        problem = None
    except DataError as exc:
        sel, problem = Selection(), str(exc) if text else None
    path = sel.paths[0] if sel.paths else None
    lev = sel.leverage
    return html.Div([
        html.Div([html.Div([html.H1("Export"),
                            html.P("Build a subgraph and download it for Gephi, R, Excel, Kumu, Neo4j or Aleph. "
                                   "Parts are united; filters then apply. Every file carries a manifest: what was "
                                   "selected, from which store and sources, with which weights.", className="lede")]),
                  copy_link(PAGE)], className="page-head"),
        html.Div([
            html.Div([html.H3("Start from"),
                      _control("Actors", actor_picker(PAGE, "around", sel.around, multi=True,
                                                      placeholder="Their neighbourhood…")),
                      _control("Links away", dcc.Slider(allow_direct_input=False, id="export-hops", min=0, max=4, step=1, value=sel.hops,
                                                        marks={i: str(i) for i in range(5)})),
                      html.H3("Influence paths", style={"marginTop": "12px"}),
                      _control("From", actor_picker(PAGE, "from", path.source if path else None)),
                      _control("To", actor_picker(PAGE, "to", path.target if path else None)),
                      _control("Paths (k)", dcc.Slider(allow_direct_input=False, id="export-k", min=1, max=10, step=1, value=min(sel.k, 10),
                                                       marks={1: "1", 5: "5", 10: "10"})),
                      _control("At most hops", dcc.Slider(allow_direct_input=False, id="export-maxhops", min=1, max=8, step=1,
                                                          value=min(sel.max_hops, 8), marks={1: "1", 4: "4", 8: "8"}))],
                     className="card"),
            html.Div([html.H3("Coverage and leverage"),
                      _control("Money of funder", actor_picker(PAGE, "coverage", sel.coverage[0] if sel.coverage else None,
                                                               defaults=funders(viewer))),
                      _control("Leverage over", actor_picker(PAGE, "leverage", lev.target if lev else None)),
                      _control("From our side", actor_picker(PAGE, "side", lev.side if lev else [], multi=True)),
                      html.H3("Filters", style={"marginTop": "12px"}),
                      _control("Actor kinds", dcc.Dropdown(id="export-kinds", multi=True, value=[k.value for k in sel.kinds],
                                                           options=[{"label": ACTOR_SPECS[k].label, "value": k.value}
                                                                    for k in ActorKind], placeholder="All kinds")),
                      _control("Countries", dcc.Dropdown(id="export-countries", multi=True, value=sel.countries,
                                                         options=choices(viewer)["countries"],
                                                         placeholder="All countries")),
                      _control("Link kinds", dcc.Dropdown(id="export-links", multi=True,
                                                          value=[k.value for k in sel.link_kinds], placeholder="All links",
                                                          options=[{"label": LINK_SPECS[k].label, "value": k.value}
                                                                   for k in LinkKind])),
                      _control("Confidence", dcc.Checklist(id="export-confidence", inline=True, className="inline-radio",
                                                           options=[c.value for c in Confidence],
                                                           value=[c.value for c in sel.confidence])),
                      _control("Valid at (a year or date)", dcc.Input(id="export-asof", type="text", value=sel.as_of or "",
                                                                      placeholder="e.g. 2010", debounce=True))],
                     className="card"),
            html.Div([html.H3("File"),
                      _control("Format", dcc.Dropdown(id="export-format", options=format_options(), value=fmt,
                                                      clearable=False, optionHeight=44)),
                      html.Button("Download", id="export-download", className="button",
                                  disabled=not viewer.can_export, style={"marginTop": "10px"},
                                  title=None if viewer.can_export else export_refusal(viewer)),
                      None if viewer.can_export else html.P(export_refusal(viewer), className="export-why"),
                      dcc.Download(id="export-file"),
                      dcc.Loading(html.Div(id="export-message"), type="dot"),
                      html.H3("What it will hold", style={"marginTop": "14px"}),
                      dcc.Loading(html.Div(id="export-preview"), type="dot"),
                      notice(problem, "warn") if problem else None],
                     className="card"),
        ], className="grid-3", style={"marginTop": 0}),
        url_store(PAGE, query_string(text, fmt)),
    ], className="page page-export")


def _control(label: str, widget) -> html.Div:
    return html.Div([html.Label(label), widget], className="control", style={"marginBottom": "8px"})


def query_string(selection_query: str, fmt: str) -> str:
    return "&".join(x for x in (selection_query, f"format={fmt}" if fmt != "gexf" else "") if x)


def build(around, hops, source, target, k, max_hops, funder, lev_target, side, kinds, countries, links, confidence,
          as_of) -> str:
    """The selection query of the page's controls (actors are ids from the pickers)."""
    sel = Selection(
        around=around or [], hops=hops if hops is not None else 1,
        paths=[PathQuery(source=source, target=target)] if source and target else [], k=k or 5,
        max_hops=max_hops or 4, coverage=[funder] if funder else [],
        leverage=LeverageQuery(target=lev_target, side=side or []) if lev_target else None,
        kinds=kinds or [], countries=countries or [], link_kinds=links or [], confidence=confidence or [],
        as_of=(as_of or "").strip() or None)
    return sel.to_query()


_INPUTS = [Input(picker_id(PAGE, "around"), "value"), Input("export-hops", "value"),
           Input(picker_id(PAGE, "from"), "value"), Input(picker_id(PAGE, "to"), "value"), Input("export-k", "value"),
           Input("export-maxhops", "value"), Input(picker_id(PAGE, "coverage"), "value"),
           Input(picker_id(PAGE, "leverage"), "value"), Input(picker_id(PAGE, "side"), "value"),
           Input("export-kinds", "value"), Input("export-countries", "value"), Input("export-links", "value"),
           Input("export-confidence", "value"), Input("export-asof", "value")]


@callback(Output("export-preview", "children"), Output(url_id(PAGE), "data"), *_INPUTS, Input("export-format", "value"))
def _preview(*values):
    *controls, fmt = values
    return preview(current_viewer(), controls, fmt)


def preview(viewer, controls: list, fmt: str | None):
    """The preview panel and the page's URL query for the controls' values."""
    try:
        query = build(*controls)
    except ValueError as exc:
        return notice(f"This selection cannot be made: {str(exc).splitlines()[0]}", "warn"), no_update
    url = query_string(query, fmt or "gexf")
    if not query.replace("hops=0", "").strip("&"):
        return notice("Choose where to start: actors, paths, a funder or a leverage target."), url
    try:
        p = export_preview(viewer, query)
    except DataError as exc:
        return notice(str(exc), "warn"), url
    kinds = ", ".join(kind_count(n, k) for k, n in list(p["kinds"].items())[:8])
    return html.Div([
        html.P(", ".join((counted(p["actors"], "actor"), counted(p["links"], "link"), counted(p["sources"], "source")))
               + (f" ({kinds})" if kinds else "")),
        *[notice(n) for n in p["notes"]],
        html.Div("The same export from the command line:", className="muted"),
        html.Div(p["command"].replace("FORMAT", fmt or "gexf", 1), className="mono"),
    ]), url


@callback(Output("export-file", "data"), Output("export-message", "children"), Input("export-download", "n_clicks"),
          State(url_id(PAGE), "data"), State("export-format", "value"), prevent_initial_call=True)
def _download(_clicks, url_query, fmt):
    from dashboard.components.exportbar import download

    text, _ = query_of(dict(_pairs(url_query)))
    return download(text, fmt)


def _pairs(query: str | None) -> list[tuple[str, Any]]:
    from urllib.parse import parse_qs

    return [(k, v if len(v) > 1 else v[0]) for k, v in parse_qs(query or "").items()]
