"""The users file: who may sign in to the dashboard, with which role.

A small JSON file holding, for each user, a role and an Argon2id hash of the
password (never the password). ``stakemap users add|remove|list`` manages it;
the dashboard reads it (and notices changes without a restart, so removing a
user or changing a password ends that user's sessions at their next request).

Roles, from least to most trusted:

========  ==================  ============  =======  ======  =======
role      sees up to          people        export   ingest  users
========  ==================  ============  =======  ======  =======
viewer    internal            no            no       no      no
analyst   internal            yes           yes      no      no
admin     restricted          yes           yes      yes     yes
========  ==================  ============  =======  ======  =======

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "users.json"
>>> add_user(path, "amina", "analyst", "a long pass phrase").role
<Role.ANALYST: 'analyst'>
>>> users = load_users(path)
>>> users.verify("amina", "a long pass phrase").name
'amina'
>>> users.verify("amina", "wrong") is None
True
>>> ROLE_POLICIES[Role.VIEWER].clearance.value, ROLE_POLICIES[Role.VIEWER].can_export
('internal', False)
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from graphmodel.errors import ConfigError, StakemapError
from graphmodel.kinds import Sensitivity

USERS_ENV = "STAKEMAP_USERS"
DEFAULT_USERS_FILE = "stakemap-users.json"
FILE_VERSION = 1
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")

#: Argon2id with the library's defaults (RFC 9106 "low memory" profile: t=3, m=64 MiB, p=4).
_HASHER = PasswordHasher()
#: Checked against when a name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


class Role(StrEnum):
    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"


@dataclass(frozen=True)
class RolePolicy:
    """What a role may see and do."""

    clearance: Sensitivity
    include_people: bool
    can_export: bool
    can_ingest: bool = False
    can_manage_users: bool = False
    #: Review the queue, edit records (within the clearance), revert one's own changes.
    can_curate: bool = False
    #: Revert anyone's edit or judgement.
    can_revert_any: bool = False


#: The one table of roles. Restricted records (and every person, by default) are for admins only.
ROLE_POLICIES: dict[Role, RolePolicy] = {
    Role.VIEWER: RolePolicy(Sensitivity.INTERNAL, include_people=False, can_export=False),
    Role.ANALYST: RolePolicy(Sensitivity.INTERNAL, include_people=True, can_export=True, can_curate=True),
    Role.ADMIN: RolePolicy(Sensitivity.RESTRICTED, include_people=True, can_export=True, can_ingest=True,
                           can_manage_users=True, can_curate=True, can_revert_any=True),
}


class UsersError(StakemapError):
    """The users file cannot be read or changed as asked."""


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    password_hash: str
    created: str = ""
    changed: str = ""

    @property
    def policy(self) -> RolePolicy:
        return ROLE_POLICIES[self.role]

    @property
    def session_stamp(self) -> str:
        """Changes whenever the password or role changes: sessions carrying an old stamp end."""
        import hashlib

        return hashlib.sha256(f"{self.role}\x1f{self.password_hash}".encode()).hexdigest()[:16]

    def public_dict(self) -> dict:
        return {"name": self.name, "role": self.role.value, "created": self.created, "changed": self.changed}


@dataclass
class Users:
    """The users of one file."""

    path: Path
    users: dict[str, User]

    def get(self, name: str) -> User | None:
        return self.users.get(name)

    def verify(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else ``None`` (in about the same time either way)."""
        user = self.users.get(name) if isinstance(name, str) else None
        if not isinstance(password, str) or len(password) > MAX_PASSWORD:
            password = ""  # checked against a hash, so it fails like any wrong password  # nosec B105
        try:
            _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return user


def users_path(value: str | Path | None = None) -> Path:
    """The users file in force: the argument, else ``STAKEMAP_USERS``, else ``./stakemap-users.json``."""
    return Path(value or os.environ.get(USERS_ENV) or DEFAULT_USERS_FILE)


def check_name(name: str) -> str:
    if not NAME_PATTERN.match(name or ""):
        raise UsersError(f"{name!r} is not a valid user name",
                         hint="use letters, digits and . _ @ + - (at most 64, starting with a letter or digit)")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UsersError(f"the password is too short ({len(password)} characters)",
                         hint=f"use at least {MIN_PASSWORD} characters; a pass phrase of several words is best")
    if len(password) > MAX_PASSWORD:
        raise UsersError("the password is too long", hint=f"use at most {MAX_PASSWORD} characters")
    return password


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise UsersError(f"unknown role {value!r}", hint="choose one of: " + ", ".join(r.value for r in Role)) from None


_CACHE: dict[Path, tuple[tuple[int, int], Users]] = {}
_CACHE_LOCK = threading.Lock()


def load_users(path: str | Path, *, missing_ok: bool = True) -> Users:
    """The users of ``path`` (none when it does not exist and ``missing_ok``).

    Re-read only when the file changed, so calling it on every request is cheap.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        if missing_ok:
            return Users(path, {})
        raise UsersError(f"no users file at {path}", hint="add a user with 'stakemap users add NAME'") from None
    key = (stat.st_mtime_ns, stat.st_size)
    with _CACHE_LOCK:
        cached = _CACHE.get(path)
        if cached and cached[0] == key:
            return cached[1]
    users = Users(path, _parse(path))
    with _CACHE_LOCK:
        _CACHE[path] = (key, users)
    return users


def _parse(path: Path) -> dict[str, User]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsersError(f"cannot read users file {path}: {exc.__class__.__name__}",
                         hint="it is written by 'stakemap users add'; restore it from a backup") from None
    if not isinstance(data, dict) or data.get("version") != FILE_VERSION or not isinstance(data.get("users"), dict):
        raise UsersError(f"{path} is not a Stakemap users file (version {FILE_VERSION})")
    users: dict[str, User] = {}
    for name, entry in data["users"].items():
        try:
            users[name] = User(check_name(name), Role(entry["role"]), str(entry["hash"]),
                               str(entry.get("created", "")), str(entry.get("changed", "")))
        except (KeyError, TypeError, ValueError, UsersError):
            raise UsersError(f"{path}: the entry for user {name!r} is damaged",
                             hint="remove it with 'stakemap users remove' and add it again") from None
    return users


def _write(path: Path, users: dict[str, User]) -> None:
    """Write atomically, readable by the owner only."""
    data = {"version": FILE_VERSION, "users": {
        u.name: {"role": u.role.value, "hash": u.password_hash, "created": u.created, "changed": u.changed}
        for u in sorted(users.values(), key=lambda u: u.name)}}
    if not path.parent.exists():
        raise ConfigError(f"folder {path.parent} does not exist", hint="create it or choose another users file")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def add_user(path: str | Path, name: str, role: Role | str, password: str, *, replace: bool = False) -> User:
    """Add a user (or, with ``replace``, change an existing user's role and password)."""
    path = Path(path)
    check_name(name)
    role = parse_role(role) if isinstance(role, str) else role
    check_password(password)
    users = dict(load_users(path).users)
    old = users.get(name)
    if old and not replace:
        raise UsersError(f"user {name!r} already exists", hint="use --replace to change their password or role")
    now = _now()
    user = User(name, role, _HASHER.hash(password), old.created if old else now, now)
    users[name] = user
    _write(path, users)
    return user


def remove_user(path: str | Path, name: str) -> User:
    path = Path(path)
    users = dict(load_users(path, missing_ok=False).users)
    if name not in users:
        raise UsersError(f"no user {name!r} in {path}", hint="'stakemap users list' shows who there is")
    user = users.pop(name)
    _write(path, users)
    return user


def list_users(path: str | Path) -> list[User]:
    return sorted(load_users(path).users.values(), key=lambda u: u.name)


__all__ = ["DEFAULT_USERS_FILE", "ROLE_POLICIES", "USERS_ENV", "Role", "RolePolicy", "User", "Users", "UsersError",
           "add_user", "check_password", "list_users", "load_users", "parse_role", "remove_user", "users_path"]
