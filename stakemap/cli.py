"""``stakemap``: load, inspect, analyse, export and serve a stakeholder map.

Each group of commands lives in its own module and registers itself here.
"""

from __future__ import annotations

import importlib

import typer

from graphmodel import __version__

app = typer.Typer(
    name="stakemap",
    help=(
        "Stakemap maps who funds, supports, owns, sources from, targets and sanctions whom in the "
        "labour-rights movement, and finds influence paths and leverage points.\n\n"
        "Start with 'stakemap demo' to load the bundled data and open the dashboard, or "
        "'stakemap ingest FILE' to load your own, then 'stakemap stats' and 'stakemap show NAME'."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: Modules that add commands; each defines ``register(app)``.
COMMAND_MODULES = [
    "stakemap.cmd_data",
    "stakemap.cmd_analysis",
    "stakemap.cmd_history",
    "stakemap.cmd_review",
    "stakemap.cmd_edit",
    "stakemap.cmd_export",
    "stakemap.cmd_users",
    "stakemap.cmd_sync",
    "stakemap.cmd_serve",
    "stakemap.cmd_report",
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stakemap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Stakemap: stakeholder network graph and influence mapper."""


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    app()
