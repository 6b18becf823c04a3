"""What every command shares: the console, error printing, JSON output, store opening."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

from graphmodel.errors import AmbiguousError, NotFoundError, StakemapError, ValidationFailed

if TYPE_CHECKING:  # the models, stores and progress bars load when a command needs them, not for --help
    from rich.progress import Progress

    from graphmodel.models import Actor
    from graphmodel.store import Store

#: Control characters other than tab and new line (C0, DEL, C1): a terminal would act on them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class SafeConsole(Console):
    """A console for text that comes from records: never interpreted as markup unless a caller
    asks (``markup=True``, with record text passed through :func:`escape`), and stripped of
    control characters (an escape sequence in a name or description could retitle the
    terminal, fake output or plant a link)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("highlight", False)
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs):  # type: ignore[override]
        return super().render_str(_CONTROL.sub("", text), **kwargs)


console = SafeConsole()
err_console = SafeConsole(stderr=True)

StoreOption = typer.Option(None, "--store", envvar="STAKEMAP_STORE",
                           help="Store URL: sqlite:///file.db (default ./stakemap.db) or bolt://user@host:7687/db.")
JsonOption = typer.Option(False, "--json", help="Print the result as JSON (for scripts).")


def fail(error: StakemapError, *, max_problems: int = 50) -> None:
    """Print an error (every problem, one line each) and exit 1."""
    if isinstance(error, ValidationFailed):
        for problem in error.problems[:max_problems]:
            err_console.print(f"[red]error[/red] {escape(str(problem))}", markup=True, soft_wrap=True, emoji=False)
        if len(error.problems) > max_problems:
            err_console.print(f"... and {len(error.problems) - max_problems} more problems")
        err_console.print(f"{len(error.problems)} problem(s); nothing was written."
                          + (f" Hint: {error.hint}" if error.hint else ""), soft_wrap=True)
    else:
        err_console.print("[red]error[/red] ", end="", markup=True)
        err_console.print(str(error), markup=False, soft_wrap=True, emoji=False)
        if isinstance(error, NotFoundError) and error.suggestions:
            pass  # already in the hint
    raise typer.Exit(1)


def handles_errors(func: Callable) -> Callable:
    """Turn Stakemap's own errors into a one-line message and exit code 1."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except StakemapError as error:
            fail(error)
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130)
    return wrapper


@contextmanager
def store_at(url: str | None, *, create: bool = True) -> Iterator[Store]:
    from graphmodel.store import open_store

    store = open_store(url, create=create)
    try:
        yield store
    finally:
        store.close()


def actor_arg(store: Store, ref: str) -> Actor:
    from graphmodel.resolve import resolve_actor

    return resolve_actor(store, ref)


def current_user() -> str | None:
    """Who runs this command, for the store's versions (the login name; None when the system has none)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def progress() -> Progress:
    """A rich progress bar on stderr (hidden when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err_console, transient=True)


__all__ = ["AmbiguousError", "JsonOption", "current_user", "SafeConsole", "StoreOption", "actor_arg", "console", "err_console", "escape",
           "fail",
           "handles_errors", "print_json", "progress", "store_at"]
