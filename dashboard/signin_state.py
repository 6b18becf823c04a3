"""What the server remembers about sign-in: open sessions and recent sign-in attempts.

One small SQLite file beside the users file (``stakemap-users.json.state.db``),
shared by every server process (``--workers N``), or memory when no file is
given (a single process, in tests). Stakemap creates it readable by its owner only.

**Sessions.** A session cookie carries only a random session id; the server
keeps a digest of it with the user, the user's session stamp and when it was
made. Deleting the row ends the session: sign-out, an administrator's
``stakemap users signout``, or a user removed, or whose password or role
changed (their stamp no longer matches). A copied cookie is worthless once its
row is gone.

**Sign-in attempts.** :class:`LoginLimiter` slows password guessing without
letting anyone lock a user out (OWASP's authentication guidance: throttle,
don't lock). Each attempt is recorded, as a failure, *before* the password is
checked, inside one write transaction, so parallel requests cannot slip past
the count; a success then removes it. A user name tried from one client
address gets ``free_failures`` wrong passwords, then must wait
``first_delay`` seconds after the last failure, twice as long after each
further one, up to ``max_delay``. One client address may fail
``address_attempts`` times in ``address_window`` seconds, whatever the names.
The same user signing in from another address is never held back.

>>> state = SignInState(None)
>>> limiter = LoginLimiter(LoginLimits(free_failures=2, first_delay=30), state)
>>> [limiter.begin("10.0.0.9", "amina").allowed for _ in range(3)]
[True, True, False]
>>> limiter.begin("10.0.0.7", "amina").allowed  # the real user, elsewhere
True
>>> sessions = SessionStore(state)
>>> sid = sessions.create("amina", "stamp1")
>>> sessions.get(sid).user
'amina'
>>> sessions.revoke(sid); sessions.get(sid) is None
True
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS attempts(key TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS attempts_key ON attempts(key, at)",
    "CREATE TABLE IF NOT EXISTS sessions(digest TEXT PRIMARY KEY, user TEXT NOT NULL, stamp TEXT NOT NULL,"
    " created REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user)",
)


class SignInState:
    """The SQLite file (or memory) that sessions and attempts live in, with one write lock per process."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None and not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        self.db = sqlite3.connect(str(path) if path else ":memory:", timeout=10, isolation_level=None,
                                  check_same_thread=False)
        if path is not None:
            os.chmod(path, 0o600)
        self._lock = threading.Lock()
        with self.write():
            for statement in _SCHEMA:
                self.db.execute(statement)

    @contextmanager
    def write(self):
        """One write transaction, exclusive across this process's threads and every other process."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def read(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self.db.execute(sql, args).fetchall()


# -- sign-in attempts ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginLimits:
    """How sign-in guessing is slowed (see the module's description)."""

    #: Wrong passwords for one name from one address before any wait.
    free_failures: int = 5
    #: The wait after the first failure past the free ones, doubled after each further one (seconds).
    first_delay: int = 30
    #: The longest wait.
    max_delay: int = 15 * 60
    #: How long a failure counts against a name and address.
    failure_window: int = 60 * 60
    #: Failed attempts one client address may make, whatever the names, in ``address_window`` seconds.
    address_attempts: int = 30
    address_window: int = 5 * 60


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt: allowed (and counted as a failure until :meth:`LoginLimiter.finish`), or not."""

    allowed: bool
    wait: int = 0
    rows: tuple[int, ...] = ()


class LoginLimiter:
    """Counts sign-in attempts atomically, across threads and server processes."""

    def __init__(self, limits: LoginLimits, state: SignInState) -> None:
        self.limits = limits
        self.state = state

    @staticmethod
    def _keys(address: str, user: str) -> tuple[str, str]:
        return "p:" + user + "\x1f" + address, "a:" + address

    def begin(self, address: str, user: str) -> Attempt:
        """Allow an attempt (recorded as a failure now, before the password is checked) or say how long to wait."""
        lim = self.limits
        pair, addr = self._keys(address, user)
        now = time.time()
        with self.state.write() as db:
            db.execute("DELETE FROM attempts WHERE at < ?", (now - max(lim.failure_window, lim.address_window),))
            waits = [0.0]
            failures = [at for (at,) in db.execute("SELECT at FROM attempts WHERE key=? AND at >= ? ORDER BY at",
                                                   (pair, now - lim.failure_window))]
            past = len(failures) - lim.free_failures
            if past >= 0:
                delay = min(lim.max_delay, lim.first_delay * 2 ** min(past, 30))
                waits.append(failures[-1] + delay - now)
            recent = [at for (at,) in db.execute("SELECT at FROM attempts WHERE key=? AND at >= ? ORDER BY at",
                                                 (addr, now - lim.address_window))]
            if len(recent) >= lim.address_attempts:
                waits.append(recent[-lim.address_attempts] + lim.address_window - now)
            wait = max(waits)
            if wait > 0:
                return Attempt(False, int(wait + 0.999))
            rows = tuple(db.execute("INSERT INTO attempts VALUES (?, ?)", (key, now)).lastrowid for key in (pair, addr))
        return Attempt(True, 0, rows)

    def finish(self, attempt: Attempt, address: str, user: str, ok: bool) -> None:
        """A successful sign-in clears the name's failures from that address; a failure stays counted."""
        if not ok or not attempt.allowed:
            return
        pair, _ = self._keys(address, user)
        with self.state.write() as db:
            db.execute("DELETE FROM attempts WHERE key=?", (pair,))
            db.executemany("DELETE FROM attempts WHERE rowid=?", [(r,) for r in attempt.rows])


# -- sessions -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenSession:
    user: str
    stamp: str
    created: float


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class SessionStore:
    """Server-side sessions: the cookie holds a random id, the server its digest (see the module)."""

    def __init__(self, state: SignInState) -> None:
        self.state = state

    def create(self, user: str, stamp: str) -> str:
        sid = secrets.token_urlsafe(32)
        with self.state.write() as db:
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", (_digest(sid), user, stamp, time.time()))
        return sid

    def get(self, sid: str) -> OpenSession | None:
        if not isinstance(sid, str) or not sid or len(sid) > 128:
            return None
        rows = self.state.read("SELECT user, stamp, created FROM sessions WHERE digest=?", (_digest(sid),))
        return OpenSession(*rows[0]) if rows else None

    def revoke(self, sid: str) -> None:
        if isinstance(sid, str) and sid:
            with self.state.write() as db:
                db.execute("DELETE FROM sessions WHERE digest=?", (_digest(sid),))

    def revoke_user(self, user: str) -> int:
        """End every session of ``user`` (sign out everywhere); returns how many ended."""
        with self.state.write() as db:
            return db.execute("DELETE FROM sessions WHERE user=?", (user,)).rowcount

    def revoke_all(self) -> int:
        with self.state.write() as db:
            return db.execute("DELETE FROM sessions").rowcount

    def expire(self, older_than: float) -> None:
        with self.state.write() as db:
            db.execute("DELETE FROM sessions WHERE created < ?", (older_than,))


def state_path(users_file: Path) -> Path:
    """Where the sign-in state of a users file lives."""
    return users_file.with_name(users_file.name + ".state.db")


__all__ = ["Attempt", "LoginLimiter", "LoginLimits", "OpenSession", "SessionStore", "SignInState", "state_path"]
