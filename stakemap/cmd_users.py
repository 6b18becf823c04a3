"""``stakemap users add|remove|list``: who may sign in to the dashboard."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from .console import JsonOption, console, handles_errors, print_json

UsersFileOption = typer.Option(None, "--users", envvar="STAKEMAP_USERS",
                               help="The users file (default ./stakemap-users.json).")

users_app = typer.Typer(
    help=(
        "Manage who may sign in to the dashboard, and with which role.\n\n"
        "Roles: viewer (sees public and internal records, no people, no export), analyst (also people, and "
        "exports), admin (also restricted records; ingest and users). Passwords are stored only as "
        "Argon2id hashes. Once the users file has a user, 'stakemap serve' requires sign-in. "
        "'stakemap users signout NAME' (or --all) ends open sessions at once."
    ),
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


@users_app.command("add")
@handles_errors
def add(
    name: str = typer.Argument(..., help="The user's sign-in name (letters, digits, . _ @ + -)."),
    role: str = typer.Option("viewer", "--role", "-r", help="viewer, analyst or admin."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from standard input (for scripts) "
                                        "instead of asking for it."),
    replace: bool = typer.Option(False, "--replace", help="Change an existing user's password and role."),
    users: Path = UsersFileOption,
) -> None:
    """Add a user (asks for the password twice; it is never an argument).

    Examples:

      stakemap users add amina --role analyst

      printf '%s\\n' "$PASSWORD" | stakemap users add ci-bot --role viewer --password-stdin
    """
    from dashboard.users import add_user, check_name, check_password, parse_role, users_path

    path = users_path(users)
    check_name(name)
    parsed = parse_role(role)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(f"Password for {name}", hide_input=True, confirmation_prompt=True)
    check_password(password)
    user = add_user(path, name, parsed, password, replace=replace)
    ended = _end_sessions(path, name) if replace else 0
    console.print(f"{'changed' if replace else 'added'} {user.name} ({user.role.value}) in {path}"
                  + (f"; {ended} open session(s) ended" if replace else ""), markup=False)


@users_app.command("remove")
@handles_errors
def remove(name: str = typer.Argument(..., help="The user to remove."), users: Path = UsersFileOption) -> None:
    """Remove a user; their open sessions end at once."""
    from dashboard.users import remove_user, users_path

    path = users_path(users)
    user = remove_user(path, name)
    ended = _end_sessions(path, name)
    console.print(f"removed {user.name} ({user.role.value}) from {path}; {ended} open session(s) ended",
                  markup=False)


@users_app.command("signout")
@handles_errors
def signout(
    name: str = typer.Argument(None, help="The user to sign out on every device."),
    everyone: bool = typer.Option(False, "--all", help="Sign every user out (for example after a suspected leak)."),
    users: Path = UsersFileOption,
    as_json: bool = JsonOption,
) -> None:
    """End open dashboard sessions at once, on every device and every server process.

    Examples:

      stakemap users signout amina

      stakemap users signout --all
    """
    from dashboard.users import UsersError, load_users, users_path

    path = users_path(users)
    if everyone == bool(name):
        raise UsersError("name one user, or give --all", hint="stakemap users signout amina")
    if name and load_users(path).get(name) is None:
        raise UsersError(f"no user {name!r} in {path}", hint="'stakemap users list' shows who there is")
    ended = _end_sessions(path, None if everyone else name)
    if as_json:
        print_json({"users_file": str(path), "user": name, "sessions_ended": ended})
        return
    console.print(f"{ended} open session(s) ended for {'every user' if everyone else name}", markup=False)


def _end_sessions(path: Path, name: str | None) -> int:
    from dashboard.signin_state import SessionStore, SignInState, state_path

    state_file = state_path(path)
    if not state_file.exists():
        return 0
    store = SessionStore(SignInState(state_file))
    return store.revoke_all() if name is None else store.revoke_user(name)


@users_app.command("list")
@handles_errors
def list_(users: Path = UsersFileOption, as_json: bool = JsonOption) -> None:
    """List the users and their roles (never their password hashes)."""
    from dashboard.users import ROLE_POLICIES, list_users, users_path

    path = users_path(users)
    found = list_users(path)
    if as_json:
        print_json({"users_file": str(path), "users": [u.public_dict() for u in found]})
        return
    if not found:
        console.print(f"no users in {path}: the dashboard serves on loopback only, without sign-in", markup=False)
        return
    table = Table(title=f"Users in {path}")
    for col in ("name", "role", "sees up to", "people", "export", "changed"):
        table.add_column(col)
    for user in found:
        policy = ROLE_POLICIES[user.role]
        table.add_row(user.name, user.role.value, policy.clearance.value, "yes" if policy.include_people else "no",
                      "yes" if policy.can_export else "no", user.changed)
    console.print(table)
