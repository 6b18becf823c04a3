"""Explore: an actor's neighbourhood, filtered, expanded in place, with every node's and link's sources."""

from __future__ import annotations

from typing import Any

import dash_cytoscape as cyto
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from graphmodel.export import Selection
from graphmodel.kinds import ACTOR_SPECS, LINK_SPECS, ActorKind, Confidence, LinkKind

from dashboard import graphview
from dashboard.access import current_viewer
from dashboard.answers.changes import actor_changes, compare, union_view, version_options
from dashboard.answers import curation as curate
from dashboard.answers.curation import revertible
from dashboard.answers.explore import actor_details, choices, graph, group_members, link_details
from dashboard.answers.search import resolve, resolve_all
from dashboard.components import graph as elements
from dashboard.components.changes import actor_changes_list, compare_legend, compare_styles, mark_elements
from dashboard.components.curation import edit_block, link_options
from dashboard.components.exportbar import export_bar
from dashboard.components.reportbar import report_button
from dashboard.components.legend import legend
from dashboard.components.panels import actor_panel, group_panel, link_panel, notice, unknown_in_link
from dashboard.components.pickers import actor_picker, picker_id
from dashboard.components.styles import stylesheet
from dashboard.urlstate import Field, State as UrlState, copy_link, url_id, url_store

#: How Dash Pages lists this page (registered by :func:`dashboard.app.create_app`).
REGISTRATION = dict(path="/explore", name="Explore", title="Stakemap · Explore", order=1)

PAGE = "explore"
STATE = UrlState(
    Field("actor", list), Field("hops", int, 1, lo=1, hi=3),
    Field("kinds", list, choices=tuple(k.value for k in ActorKind)), Field("countries", list),
    Field("links", list, choices=tuple(k.value for k in LinkKind)),
    Field("confidence", list, choices=tuple(c.value for c in Confidence)),
    Field("as_of", int, lo=1800, hi=2100), Field("expand", list), Field("more", list), Field("sel"),
    Field("compare"),
)
#: Most changes an actor's panel lists.
PANEL_CHANGES = 20


def layout(**query) -> html.Div:
    viewer = current_viewer()
    st = STATE.decode(query)
    given = list(st["actor"])
    st["actor"] = resolve_all(viewer, given)
    unknown = unknown_in_link(given, [resolve(viewer, a) for a in given])
    opts = choices(viewer)
    years = opts["years"] or (2000, 2025)
    last = years[1] + 1
    return html.Div([
        unknown,
        html.Div([html.Div([html.H1("Explore"),
                            html.P("Search an actor and see who it is tied to. Click a node or a link for its details "
                                   "and sources; open a node's neighbours in place; filter by kind, country, link, "
                                   "confidence and date.", className="lede")]), copy_link(PAGE)], className="page-head"),
        html.Div([
            html.Div([html.Label("Start from"), actor_picker(PAGE, "actor", st["actor"], multi=True,
                                                              placeholder="Search an actor by name or alias…")],
                     className="control wide"),
            html.Div([html.Label("Hops"), dcc.RadioItems(id="explore-hops", options=[1, 2, 3], value=st["hops"],
                                                         inline=True, className="inline-radio")], className="control"),
            html.Div([html.Label("Actor kinds"), dcc.Dropdown(
                id="explore-kinds", multi=True, value=st["kinds"], placeholder="All kinds",
                options=[{"label": ACTOR_SPECS[k].label, "value": k.value} for k in ActorKind])], className="control"),
            html.Div([html.Label("Countries"), dcc.Dropdown(id="explore-countries", multi=True, value=st["countries"],
                                                            options=opts["countries"], placeholder="All countries")],
                     className="control"),
            html.Div([html.Label("Link kinds"), dcc.Dropdown(
                id="explore-links", multi=True, value=st["links"], placeholder="All links",
                options=[{"label": LINK_SPECS[k].label, "value": k.value} for k in LinkKind])], className="control"),
            html.Div([html.Label("Confidence"), dcc.Checklist(
                id="explore-confidence", options=[c.value for c in Confidence], value=st["confidence"], inline=True,
                className="inline-radio")], className="control"),
            html.Div([html.Label("As of"), dcc.Slider(allow_direct_input=False, 
                id="explore-asof", min=years[0], max=last, step=1, value=st["as_of"] if st["as_of"] else last,
                marks=year_marks(years[0], last), tooltip={"placement": "bottom"}, updatemode="mouseup")],
                className="control slider"),
            html.Div([html.Label("Compare with", htmlFor="explore-compare"),
                      dcc.Input(id="explore-compare", type="text", value=st["compare"] or "", debounce=True,
                                list="explore-compare-versions", placeholder="a version or a date (2026-03-31)",
                                className="text-input"),
                      html.Datalist([], id="explore-compare-versions")], className="control"),
        ], className="controls"),
        html.Div([
            html.Div([html.Div(id="explore-status", className="graph-status"),
                      cyto.Cytoscape(id="explore-graph", elements=[], stylesheet=stylesheet() + compare_styles(), className="cyto", style={"width": "100%", "height": "640px"},
                                     layout={"name": "preset", "fit": True, "padding": 30}, minZoom=0.05, maxZoom=3,
                                     boxSelectionEnabled=False)], className="card graph-card"),
            html.Div([
                html.Div([html.Button("Open its neighbours here", id="explore-expand", className="button",
                                      disabled=True),
                          html.Button("Start from it", id="explore-focus", className="button secondary", disabled=True),
                          html.Button("Undo openings", id="explore-reset", className="button secondary")],
                         className="panel-actions"),
                dcc.Loading([html.Div(id="explore-panel")], type="dot", parent_className="answer-loading", overlay_style={"visibility": "visible", "opacity": 0.5}),
                html.Div(id="cur-message", role="status"),
                html.Div(id="explore-legend"),
            ], className="card side"),
        ], className="work"),
        export_bar(PAGE),
        report_button(PAGE),
        dcc.Store(id="explore-expanded", data=st["expand"]), dcc.Store(id="explore-more", data=st["more"]),
        dcc.Store(id="explore-sel", data=st["sel"]), dcc.Store(id="explore-last", data=last),
        dcc.Store(id="explore-edited", data=0),
        url_store(PAGE, STATE.encode(st)),
    ], className="page page-explore")


def year_marks(first: int, last: int) -> dict:
    step = max(1, (last - first) // 6)
    marks = {y: str(y) for y in range(first, last, step)}
    marks[last] = "all"
    return marks


def filters_of(kinds, countries, links, confidence, as_of, last) -> graphview.Filters:
    return graphview.Filters(kinds=tuple(kinds or ()), countries=tuple(countries or ()), link_kinds=tuple(links or ()),
                             confidence=tuple(confidence or ()), as_of=None if not as_of or as_of >= last else int(as_of))


def render(viewer, actors: list[str], hops: int, filters: graphview.Filters, expand: list[str],
           more: list[str], since: str | None = None) -> tuple[list[dict], Any, Any, str]:
    """Elements, legend, status line and export selection of a view (pure apart from reading the map);
    with ``since`` (a version or a date), the view now and then at once, what changed marked."""
    if not actors:
        return [], legend([], []), notice("Search an actor to start."), ""
    view = now = graph(viewer, actors, hops=hops, filters=filters, expand=expand, more=more)
    cmp = compare(viewer, since)
    if cmp is not None and "error" not in cmp:
        view = union_view(view, cmp, filters, hops)
    els = elements.view_elements(view, graphview.radial_layout(view))
    if cmp is not None and "error" not in cmp:
        els = mark_elements(els, cmp)
    kinds, link_kinds = elements.kinds_in(els)
    shown = f"Showing {len(view.nodes):,} actors and {len(view.links):,} links"
    if view.hidden:
        shown += f"; {view.hidden:,} more neighbours are grouped in '+N' boxes: click one to list them"
    if len(view.nodes) >= view.cap:
        shown += f" (a view holds at most {view.cap:,} actors)"
    sel = Selection(around=list(now.nodes), hops=0,  # the download holds the map as it is link_kinds=list(filters.link_kinds),
                    confidence=list(filters.confidence), as_of=str(filters.as_of) if filters.as_of else None)
    key = legend(kinds, link_kinds, "Faded links are inferred.")
    if cmp is not None and "error" in cmp:
        return els, key, html.Span([html.Span(shown + "."), notice(cmp["error"], "warn")]), sel.to_query()
    if cmp is not None:
        marked = {s: sum(1 for e in els if s in e.get("classes", "").split()) for s in ("added", "removed", "changed")}
        return els, key, html.Div([html.Span(shown + "."), compare_legend(cmp["since"], marked)]), sel.to_query()
    return els, key, html.Span(shown + "."), sel.to_query()


@callback(Output("explore-graph", "elements"), Output("explore-legend", "children"),
          Output("explore-status", "children"), Output({"type": "export-sel", "page": PAGE}, "data"),
          Input(picker_id(PAGE, "actor"), "value"), Input("explore-hops", "value"), Input("explore-kinds", "value"),
          Input("explore-countries", "value"), Input("explore-links", "value"), Input("explore-confidence", "value"),
          Input("explore-asof", "value"), Input("explore-expanded", "data"), Input("explore-more", "data"),
          Input("explore-compare", "value"), Input("explore-edited", "data"), State("explore-last", "data"))
def _render(actors, hops, kinds, countries, links, confidence, as_of, expand, more, since, _edited, last):
    filters = filters_of(kinds, countries, links, confidence, as_of, last)
    return render(current_viewer(), actors or [], hops or 1, filters, expand or [], more or [], since or None)


@callback(Output(url_id(PAGE), "data"),
          Input(picker_id(PAGE, "actor"), "value"), Input("explore-hops", "value"), Input("explore-kinds", "value"),
          Input("explore-countries", "value"), Input("explore-links", "value"), Input("explore-confidence", "value"),
          Input("explore-asof", "value"), Input("explore-expanded", "data"), Input("explore-more", "data"),
          Input("explore-sel", "data"), Input("explore-compare", "value"), State("explore-last", "data"))
def _url(actors, hops, kinds, countries, links, confidence, as_of, expand, more, sel, since, last):
    return STATE.encode({"actor": actors, "hops": hops, "kinds": kinds, "countries": countries, "links": links,
                         "confidence": confidence, "as_of": None if not as_of or as_of >= last else as_of,
                         "expand": expand, "more": more, "sel": sel, "compare": since})


@callback(Output("explore-compare-versions", "children"), Input("explore-compare", "id"))
def _versions(_id):
    """The versions to compare with, offered as the box is typed in (read after the page, not before it)."""
    return [html.Option(o["label"], value=o["value"]) for o in version_options(current_viewer())]


@callback(Output("explore-sel", "data"), Input("explore-graph", "tapNodeData"), Input("explore-graph", "tapEdgeData"),
          prevent_initial_call=True)
def _select(node, edge):
    return selection_of(node if ctx.triggered_id and "tapNode" in ctx.triggered[0]["prop_id"] else None, edge)


def selection_of(node: dict | None, edge: dict | None) -> Any:
    """The panel's subject for a tapped node or edge: ``a:<actor id>``, ``g:<kind>:<actor id>`` (a "+N"
    box: its members as a table) or ``l:<link id>``."""
    if node is not None:
        return f"g:{node.get('group_kind', '')}:{node['more_of']}" if node.get("more_of") else f"a:{node['id']}"
    if edge is not None and edge.get("link"):
        return f"l:{edge['link']}"
    return no_update


@callback(Output("explore-panel", "children"), Output("explore-expand", "disabled"),
          Output("explore-focus", "disabled"), Input("explore-sel", "data"), Input("explore-edited", "data"),
          State("explore-kinds", "value"), State("explore-countries", "value"), State("explore-links", "value"),
          State("explore-confidence", "value"), State("explore-asof", "value"), State("explore-last", "data"))
def _panel(sel, _edited, kinds, countries, links, confidence, as_of, last):
    return panel(current_viewer(), sel, filters_of(kinds, countries, links, confidence, as_of, last))


def panel(viewer, sel: str | None, filters: graphview.Filters = graphview.Filters()) -> tuple[Any, bool, bool]:
    """The side panel for ``a:<id>``, ``g:<kind>:<id>`` or ``l:<id>``, and whether the node buttons are off."""
    if not sel or ":" not in sel:
        return notice("Click a node or a link to see its details and sources."), True, True
    what, _, ident = sel.partition(":")
    if what == "g":
        kind, _, actor = ident.partition(":")
        group = group_members(viewer, actor, kind, filters)
        if group is not None:
            return group_panel(group), False, True
    if what == "a":
        details = actor_details(viewer, ident)
        if details is not None:
            mine = actor_changes(viewer, ident, PANEL_CHANGES)
            undo = revertible(viewer, [c["version"] for c in mine])
            opened = curate.opened(viewer, ident) if viewer.can_curate else None
            edit = edit_block(curate.source_options(viewer), opened, link_options(details)) if opened else None
            return html.Div([actor_panel(details), edit, actor_changes_list(mine, PANEL_CHANGES, undo)]), False, False
    elif what == "l":
        details = link_details(viewer, ident)
        if details is not None:
            return link_panel(details), True, True
    return notice("Nothing to show for this selection.", "warn"), True, True


@callback(Output("explore-expanded", "data"), Output("explore-more", "data"), Output(picker_id(PAGE, "actor"), "value"),
          Input("explore-expand", "n_clicks"), Input("explore-focus", "n_clicks"),
          Input("explore-reset", "n_clicks"), State("explore-sel", "data"), State("explore-expanded", "data"),
          State("explore-more", "data"), prevent_initial_call=True)
def _act(_expand, _focus, _reset, sel, expand, more):
    return act(ctx.triggered_id, sel, expand or [], more or [])


def act(trigger: str | None, sel: str | None, expand: list[str], more: list[str]):
    """What a click does to the expanded actors, the opened groups and the starting actors.

    A click on a "+N" box lists its members in the panel; "Open its neighbours here" then draws them.
    """
    chosen = sel[2:] if sel and sel.startswith("a:") else None
    if trigger == "explore-expand" and sel and sel.startswith("g:"):
        parent = sel[2:].partition(":")[2]
        return (no_update, [*more, parent], no_update) if parent and parent not in more else (no_update,) * 3
    if trigger == "explore-expand" and chosen and chosen not in expand:
        return [*expand, chosen], no_update, no_update
    if trigger == "explore-focus" and chosen:
        return [], [], [chosen]
    if trigger == "explore-reset":
        return [], [], no_update
    return no_update, no_update, no_update


from dashboard.pages import explore_curation  # noqa: E402,F401  (registers the panel's curation callbacks)
