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
        "Argon2id hashes. Once the users file has a user, 'stakemap serve' requires sign-in."
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
    console.print(f"{'changed' if replace else 'added'} {user.name} ({user.role.value}) in {path}", markup=False)


@users_app.command("remove")
@handles_errors
def remove(name: str = typer.Argument(..., help="The user to remove."), users: Path = UsersFileOption) -> None:
    """Remove a user; their open sessions end at their next request."""
    from dashboard.users import remove_user, users_path

    path = users_path(users)
    user = remove_user(path, name)
    console.print(f"removed {user.name} ({user.role.value}) from {path}", markup=False)


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
