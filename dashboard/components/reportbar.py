"""Every page's "Download report" button: the question on screen as one HTML file to take to a meeting.

Any role may download a report (it is made at the viewer's own clearance); one callback serves the
Coverage, Leverage, Paths and Explore pages, reading the page's question from its URL state.
"""

from __future__ import annotations

from dash import MATCH, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard.access import current_viewer
from dashboard.answers.report import report_file
from dashboard.mapdata import DataError

from .panels import notice


def report_button(page: str) -> html.Div:
    """The button, its download and its message."""
    return html.Div([
        html.Button("Download report", id={"type": "report-btn", "page": page}, className="button",
                    title="The question on screen as one HTML file (summary, figures, cited tables, references), "
                          "made at your clearance: it opens anywhere, with no network."),
        dcc.Loading(html.Div(id={"type": "report-msg", "page": page}), type="dot"),
        dcc.Download(id={"type": "report-dl", "page": page}),
    ], className="export-bar report-bar")


def download(page: str, query: str | None):
    """The ``dcc.Download`` data and a message for the report of a page's question."""
    try:
        name, content = report_file(current_viewer(), page, query)
    except DataError as exc:
        return no_update, notice(str(exc), "warn")
    return dcc.send_bytes(content, name), notice(f"Report {name} ({len(content):,} bytes).", "ok")


@callback(Output({"type": "report-dl", "page": MATCH}, "data"), Output({"type": "report-msg", "page": MATCH}, "children"),
          Input({"type": "report-btn", "page": MATCH}, "n_clicks"),
          State({"type": "url-state", "page": MATCH}, "data"), prevent_initial_call=True)
def _download(clicks, query):
    if not clicks or not isinstance(ctx.triggered_id, dict):
        return no_update, no_update
    return download(str(ctx.triggered_id.get("page")), query)


__all__ = ["download", "report_button"]
