"""Commands that open the dashboard: ``serve`` (any store) and ``demo`` (load the bundled data, then serve)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer

from graphmodel.errors import ConfigError, StakemapError

from .console import StoreOption, console, err_console, handles_errors

HostOption = typer.Option("127.0.0.1", "--host", help="Address to listen on. Anything but a loopback address "
                          "(127.0.0.1, ::1, localhost) makes the map reachable from other machines.")
PortOption = typer.Option(8050, "--port", min=1, max=65535, help="Port to listen on.")
DebugOption = typer.Option(False, "--debug", help="Dash debug mode (reloader, error pages with code): only "
                           "allowed on a loopback host.")
WeightsOption = typer.Option(None, "--weights", dir_okay=False, exists=True,
                             help="Influence weights YAML (see 'stakemap weights --dump'); the defaults when absent.")
WorkersOption = typer.Option(0, "--workers", min=0, max=64,
                             help="Serve with the production server (gunicorn) and this many worker processes; "
                             "0 (the default) uses the development server.")
ContextOption = typer.Option(None, "--context", dir_okay=False, exists=True,
                             help="Context table for coverage gaps (CSV with a country column); the bundled migrant "
                             "workforce table when absent.")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("demo")(demo)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, True, False)
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def check_debug(host: str, debug: bool) -> None:
    """Refuse debug mode on a host other machines can reach (it would run code shown in error pages)."""
    if debug and not is_loopback(host):
        raise ConfigError(f"--debug is refused on host {host}: debug mode must never be reachable from other "
                          "machines", hint="drop --debug, or serve on 127.0.0.1")


@handles_errors
def serve(store: str = StoreOption, host: str = HostOption, port: int = PortOption, debug: bool = DebugOption,
          weights: Path = WeightsOption, context: Path = ContextOption, workers: int = WorkersOption) -> None:
    """Open the dashboard on a store: overview, explore, paths, leverage, coverage, brokers, export.

    Examples:

      stakemap serve

      stakemap serve --store sqlite:///maps/asia.db --port 8051

      stakemap serve --store bolt://neo4j@localhost:7687/neo4j

      stakemap serve --host 0.0.0.0 --workers 4   (needs sign-in: 'stakemap users add'; see docs/security.md)
    """
    run(store, host, port, debug, weights, context, workers)


@handles_errors
def demo(store: str = StoreOption, host: str = HostOption, port: int = PortOption, debug: bool = DebugOption,
         no_serve: bool = typer.Option(False, "--no-serve", help="Load the data and stop.")) -> None:
    """Load the bundled datasets (the curated seed and the supply-chain demo) and open the dashboard.

    Re-running replaces what the bundled datasets wrote before and nothing
    else. The reference tables are context for the coverage page, not data to
    load.
    """
    from dashboard.bundled import candidates, demo_datasets
    from ingest.run import run_ingest

    from .console import store_at

    check_debug(host, debug)
    folders = demo_datasets()
    if not folders:
        raise StakemapError("the bundled datasets were not found",
                            hint="looked in " + ", ".join(str(c) for c in candidates())
                            + "; set STAKEMAP_DATA to the data folder")
    with store_at(store) as st:
        report = run_ingest(st, folders)
        url = st.url
    for w in report.written:
        console.print(f"loaded {w.origin}: {w.actors} actors, {w.links} links", markup=False)
    console.print(f"store: {url}", markup=False)
    if not no_serve:
        run(store, host, port, debug, None, None)


def run(store: str | None, host: str, port: int, debug: bool, weights: Path | None, context: Path | None,
        workers: int = 0) -> None:
    check_debug(host, debug)
    from dashboard.app import create_app
    from dashboard.auth import AuthSettings
    from dashboard.mapdata import store_label
    from dashboard.security import check_serve

    auth = AuthSettings.from_env(host=host)
    check_serve(host, sign_in=auth.sign_in, debug=debug)
    if workers and debug:
        raise ConfigError("--debug and --workers do not go together", hint="debug with the development server")
    if workers:
        from dashboard.wsgi import serve_production

        where = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
        console.print(f"Stakemap dashboard on {where} ({workers} workers); Ctrl+C to stop", markup=False)
        serve_production(host, port, workers=workers, store_url=store, weights_file=weights, context_file=context,
                         warm=True, auth=auth)
        return
    err_console.print("preparing the map…", markup=False)
    app = create_app(store, weights_file=weights, context_file=context, warm=True, auth=auth)
    where = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    console.print(f"Stakemap dashboard on {where} (store {store_label()}); Ctrl+C to stop", markup=False)
    if not is_loopback(host):
        err_console.print(f"note: listening on {host} with sign-in; put it behind HTTPS (see docs/security.md)",
                          markup=False)
    app.run(host=host, port=port, debug=debug, use_reloader=False)
