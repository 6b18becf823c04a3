"""The "Download this view" bar: the current view of a page as a file in any export format, with its manifest.

A page puts the export selection of its current view (a
:meth:`~graphmodel.export.Selection.to_query` string) into its
``{"type": "export-sel", "page": PAGE}`` store; one callback serves every page.
"""

from __future__ import annotations

from dash import MATCH, Input, Output, State, callback, dcc, html, no_update

from graphmodel.export import EXPORT_FORMATS

from dashboard.access import current_viewer
from dashboard.answers.export import export_file
from dashboard.mapdata import DataError

from .panels import notice


#: Formats that need an optional package, and the package: offered only where it is installed.
NEEDS = {"png": "matplotlib"}


def format_options() -> list[dict[str, str]]:
    """The export formats this installation can write (a PNG needs matplotlib: not offered without it)."""
    from importlib.util import find_spec

    return [{"label": f"{name} ({spec.extension}) — {spec.description}", "value": name}
            for name, spec in EXPORT_FORMATS.items() if name not in NEEDS or find_spec(NEEDS[name]) is not None]


def export_refusal(viewer) -> str:
    """Why this viewer's Download button is disabled, and what to do about it."""
    return (f"Downloads are for analysts and administrators; you are signed in as a {viewer.role}. "
            "Ask an administrator for the analyst role if you need files.")


def export_bar(page: str, query: str = "") -> html.Div:
    """Format picker, download button and a link to refine the selection on the Export page."""
    viewer = current_viewer()
    if not viewer.can_export:
        why = export_refusal(viewer)
        return html.Div([
            dcc.Store(id={"type": "export-sel", "page": page}, data=query),
            html.Button("Download", className="button", disabled=True, title=why, id=f"{page}-export-disabled"),
            html.Span(why, className="export-why"),
        ], className="export-bar export-bar-disabled")
    return html.Div([
        dcc.Store(id={"type": "export-sel", "page": page}, data=query),
        html.Span("Download this view as", className="export-label"),
        dcc.Dropdown(id={"type": "export-fmt", "page": page}, options=format_options(), value="gexf",
                     clearable=False, className="export-format", optionHeight=40),
        html.Button("Download", id={"type": "export-btn", "page": page}, className="button"),
        dcc.Link("Refine on the Export page", id={"type": "export-link", "page": page}, href="/export",
                 className="export-refine"),
        dcc.Loading(html.Div(id={"type": "export-msg", "page": page}), type="dot"),
        dcc.Download(id={"type": "export-dl", "page": page}),
    ], className="export-bar")


def download(query: str | None, fmt: str | None):
    """The ``dcc.Download`` data and a message for an export (pure apart from reading the map)."""
    if not query:
        return no_update, notice("Nothing to export yet.", "warn")
    try:
        name, content = export_file(current_viewer(), query, fmt or "gexf")
    except DataError as exc:
        return no_update, notice(str(exc), "error")
    spec = EXPORT_FORMATS[fmt or "gexf"]
    where = "its manifest is inside the file" if spec.embeds_manifest else "this format has no room for the manifest"
    return dcc.send_bytes(content, name), notice(f"Exported {name} ({len(content):,} bytes); {where}.", "ok")


@callback(Output({"type": "export-dl", "page": MATCH}, "data"),
          Output({"type": "export-msg", "page": MATCH}, "children"),
          Input({"type": "export-btn", "page": MATCH}, "n_clicks"),
          State({"type": "export-sel", "page": MATCH}, "data"),
          State({"type": "export-fmt", "page": MATCH}, "value"),
          prevent_initial_call=True)
def _download(_clicks, query, fmt):
    return download(query, fmt)


@callback(Output({"type": "export-link", "page": MATCH}, "href"),
          Input({"type": "export-sel", "page": MATCH}, "data"))
def _refine(query):
    return "/export" + (f"?{query}" if query and len(query) < 6000 else "")
