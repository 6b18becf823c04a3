"""Sign-in for the dashboard, at the Flask level, below every Dash callback.

:func:`install_auth` adds to the Flask server:

* ``/login`` (a small form) and ``/logout``; a signed session cookie that is
  HttpOnly, SameSite=Lax and Secure (always when configured so, and whenever
  the request came over HTTPS), and ends after ``session_hours``, when the
  user is removed from the users file, or when their password or role changes;
* a check before every request: without a signed-in user, pages redirect to
  ``/login`` and everything else (Dash's ``/_dash-*`` routes, assets) answers
  401; cross-site POSTs are refused (``Origin`` check);
* rate limiting of sign-in (per user name and per client address);
* security headers on every response: a content security policy (scripts
  only from this server, plus the hashes of Dash's own inline scripts),
  ``frame-ancestors 'none'``, ``nosniff``, no referrer, ``no-store`` caching;
* debug-mode requests from anywhere but loopback are refused;
* the audit log of sign-ins (:mod:`dashboard.audit`), and the response guard
  (:mod:`dashboard.guard`) that blocks any response revealing records the
  user is not cleared for, enforces the export right and logs exports and
  views of restricted records.

:func:`current_user` gives the signed-in user of the current request (or
``None``); :func:`auth_installed` says whether sign-in is in force.
"""

from __future__ import annotations

import hmac
import html
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, jsonify, redirect, request, session
from flask.sessions import SecureCookieSessionInterface

from graphmodel.errors import ConfigError

from .audit import AuditLog, audit_path
from .security import is_loopback
from .signin_state import LoginLimiter, LoginLimits, SessionStore, SignInState, state_path
from .users import ROLE_POLICIES, Role, RolePolicy, load_users, users_path

EXTENSION = "stakemap_auth"
SECRET_ENV = "STAKEMAP_SECRET_KEY"  # the name of an environment variable  # nosec B105
SECRET_FILE_ENV = "STAKEMAP_SECRET_KEY_FILE"  # likewise  # nosec B105
SECURE_ENV = "STAKEMAP_SECURE_COOKIES"
PROXIES_ENV = "STAKEMAP_TRUSTED_PROXIES"
SESSION_COOKIE = "stakemap_session"

#: Paths reachable without signing in.
PUBLIC_PATHS = frozenset({"/login", "/logout"})


@dataclass(frozen=True)
class AuthSettings:
    """How sign-in works. :meth:`from_env` reads the ``STAKEMAP_*`` environment."""

    users_file: Path | None = None
    secret_key: bytes = field(default=b"", repr=False)
    audit_log: Path | None = None
    #: ``True``: cookies always Secure; ``None``: Secure when the request came over HTTPS.
    secure_cookies: bool | None = None
    session_hours: float = 8.0
    #: Reverse proxies in front of the server whose X-Forwarded-For/-Proto are trusted.
    trusted_proxies: int = 0
    limits: LoginLimits = LoginLimits()
    #: Where sessions and sign-in attempts are kept (shared by server processes); in memory when ``None``.
    state_db: Path | None = None
    #: Block responses that would reveal withheld records (see dashboard.guard).
    guard: bool = True

    @property
    def sign_in(self) -> bool:
        """Whether sign-in is configured: a users file with at least one user."""
        return bool(self.users_file and load_users(self.users_file).users)

    @classmethod
    def from_env(cls, *, users_file: str | Path | None = None, audit_log: str | Path | None = None,
                 host: str | None = None) -> "AuthSettings":
        """Settings from arguments and the environment.

        The secret that signs session cookies comes from ``STAKEMAP_SECRET_KEY``,
        else from the file ``STAKEMAP_SECRET_KEY_FILE`` (default: beside the
        users file, created with a random key readable by the owner only).
        Cookies are always Secure off loopback (``STAKEMAP_SECURE_COOKIES=0``
        turns that off only where TLS is impossible and the network is trusted).
        """
        users = users_path(users_file)
        configured = bool(load_users(users).users)
        secure_env = os.environ.get(SECURE_ENV, "").strip().lower()
        if secure_env in ("1", "true", "yes"):
            secure: bool | None = True
        elif secure_env in ("0", "false", "no"):
            secure = None
        else:
            secure = None if host is None or is_loopback(host) else True
        proxies = os.environ.get(PROXIES_ENV, "0").strip() or "0"
        if not proxies.isdigit():
            raise ConfigError(f"{PROXIES_ENV} must be a number of proxies, not {proxies!r}")
        # Without users nothing is signed in: a throwaway key, and no files are made.
        return cls(users_file=users, secret_key=_secret_key(users) if configured else secrets.token_bytes(32),
                   audit_log=audit_path(audit_log), secure_cookies=secure, trusted_proxies=int(proxies),
                   state_db=state_path(users) if configured else None)


def _make_secret_file(path: Path) -> None:
    """Write a new random key to ``path`` whole or not at all: server processes starting together
    (``--workers N``) all read the one key that landed first, never a half-written file."""
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        os.link(draft, path)  # fails if another process's key landed first: that one is kept
    except FileExistsError:
        pass
    except OSError:
        return  # a folder that cannot take the file: the caller falls back to a key in memory
    finally:
        draft.unlink(missing_ok=True)


def _secret_key(users: Path) -> bytes:
    value = os.environ.get(SECRET_ENV)
    if value:
        if len(value) < 32:
            raise ConfigError(f"{SECRET_ENV} is too short", hint="use at least 32 random characters, e.g. "
                              "python -c 'import secrets; print(secrets.token_hex(32))'")
        return value.encode()
    path = Path(os.environ.get(SECRET_FILE_ENV) or users.with_name(users.name + ".secret"))
    if not path.exists() and path.parent.exists():
        _make_secret_file(path)
    try:
        key = path.read_text().strip()
    except OSError:
        return secrets.token_bytes(32)  # no place to keep one: sessions end when the server stops
    if len(key) < 32:
        raise ConfigError(f"the secret key in {path} is too short", hint="delete the file to make a new one")
    return key.encode()


@dataclass(frozen=True)
class SignedIn:
    """The user of the current request."""

    name: str
    role: Role
    via: str = "password"

    @property
    def policy(self) -> RolePolicy:
        return ROLE_POLICIES[self.role]


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, Secure when configured or when the request is HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


@dataclass
class _State:
    settings: AuthSettings
    audit: AuditLog
    limiter: LoginLimiter
    sessions: SessionStore
    dash_app: object | None
    csp: str | None = None


def install_auth(server: Flask, settings: AuthSettings, *, dash_app=None, store_url: str | None = None) -> None:
    """Put sign-in, security headers, the audit log and the response guard in front of ``server``.

    Security headers are always added. Sign-in is enforced when ``settings.sign_in``
    (a users file with users); otherwise the server is for loopback use only
    (``stakemap serve`` refuses anything else) and :func:`current_user` is ``None``.
    ``dash_app`` lets the content security policy allow Dash's own inline scripts
    by hash; ``store_url`` lets the guard know which records are restricted.
    """
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]
    server.secret_key = settings.secret_key or secrets.token_bytes(32)
    server.session_interface = _SessionInterface()
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.secure_cookies),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=server.config.get("MAX_CONTENT_LENGTH") or 16 * 1024 * 1024,
    )
    signin = SignInState(settings.state_db)
    state = _State(settings, AuditLog(settings.audit_log), LoginLimiter(settings.limits, signin), SessionStore(signin),
                   dash_app)
    server.extensions[EXTENSION] = state
    server.add_url_rule("/login", "stakemap_login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "stakemap_logout", _logout, methods=["GET", "POST"])
    server.before_request(_before)
    server.after_request(_after)
    if settings.guard:
        from .guard import install_guard

        install_guard(server, state.audit, store_url)


def auth_installed() -> bool:
    """Whether sign-in is in force for the current app."""
    state = current_app.extensions.get(EXTENSION)
    return bool(state and state.settings.sign_in)


def current_user() -> SignedIn | None:
    """The signed-in user of the current request, or ``None`` (no sign-in configured, or not signed in)."""
    return g.get("stakemap_user")


def audit_log() -> AuditLog:
    state = current_app.extensions.get(EXTENSION)
    return state.audit if state else AuditLog(None)


def client_address() -> str:
    return request.remote_addr or "?"


# -- before and after every request -----------------------------------------------------------

def _before():
    state: _State = current_app.extensions[EXTENSION]
    if current_app.debug and not is_loopback(request.remote_addr):
        abort(403, "debug mode answers only on loopback")
    if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin():
        state.audit.record("refused", reason="cross-site request", path=request.path, ip=client_address())
        if request.path in PUBLIC_PATHS and _wants_page():
            return _login_page(state, "/", "This form was sent from another site and was refused. Open this "
                               "server's own sign-in page and try again.", 403)
        return _refuse(403, "cross-site request refused")
    if not state.settings.sign_in:
        if not is_loopback(request.remote_addr):  # however the server was started, never off this machine
            return _refuse(403, "sign-in is not configured, so this dashboard answers only on this machine")
        return None
    user = _session_user(state)
    if user is not None:
        g.stakemap_user = user
        return None
    if request.path in PUBLIC_PATHS:
        return None
    if request.method == "GET" and _wants_page():
        return redirect("/login?next=" + _quote_next(request.full_path.rstrip("?")))
    return _refuse(401, "sign in first")


def _session_user(state: _State) -> SignedIn | None:
    sid = session.get("sid")
    if not sid:
        return None
    found = state.sessions.get(sid)
    user = load_users(state.settings.users_file).get(found.user) if found and state.settings.users_file else None
    if (found is None or user is None or time.time() - found.created > state.settings.session_hours * 3600
            or not hmac.compare_digest(found.stamp, user.session_stamp)):
        state.sessions.revoke(sid)
        session.clear()
        return None
    return SignedIn(user.name, user.role)


def _same_origin() -> bool:
    """Whether a state-changing request comes from a page of this server.

    Browsers say so in ``Sec-Fetch-Site`` (which a page cannot forge); older ones
    send ``Origin`` (``null`` when a page's referrer policy hides it, which is
    refused). A request with neither was not sent cross-site by a browser.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if not origin:
        return True  # not sent by a browser making a cross-site request; cookies are SameSite=Lax besides
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    return f"{parts.hostname}:{port or (443 if parts.scheme == 'https' else 80)}" == _host_port()


def _host_port() -> str:
    host = request.host.rsplit(":", 1) if not request.host.endswith("]") else [request.host]
    if len(host) == 2 and host[1].isdigit():
        return f"{host[0]}:{host[1]}"
    return f"{host[0]}:{443 if request.is_secure else 80}"


def _wants_page() -> bool:
    return not request.path.startswith(("/_dash-", "/_reload-hash", "/assets/", "/_favicon"))


def _refuse(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _csp(state: _State) -> str:
    if state.csp is None:
        hashes: list[str] = []
        if state.dash_app is not None and hasattr(state.dash_app, "csp_hashes"):
            try:
                hashes = [f"'{h}'" if not h.startswith("'") else h for h in state.dash_app.csp_hashes()]
            except Exception:  # noqa: BLE001 - no hashes means inline scripts are simply blocked
                hashes = []
        state.csp = "; ".join([
            "default-src 'self'",
            "script-src " + " ".join(["'self'", *hashes]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ])
    return state.csp


def _after(response: Response) -> Response:
    state: _State = current_app.extensions[EXTENSION]
    headers = response.headers
    headers["Content-Security-Policy"] = _csp(state)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"  # never to other sites; lets browsers send this site's Origin
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    if not request.path.startswith(("/_dash-component-suites/", "/assets/")):
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Pragma", "no-cache")
    return response


# -- sign-in and sign-out ---------------------------------------------------------------------

def _login():
    state: _State = current_app.extensions[EXTENSION]
    if not state.settings.sign_in:
        return redirect("/")
    next_url = _safe_next(request.values.get("next", "/"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(next_url)
        return _login_page(state, next_url)
    name = (request.form.get("username") or "").strip()[:64]
    password = request.form.get("password") or ""
    token = request.form.get("csrf") or ""
    if not token or not hmac.compare_digest(token, str(session.get("csrf", ""))):
        return _login_page(state, next_url, "Your sign-in form expired. Please try again.", 400)
    address = client_address()
    attempt = state.limiter.begin(address, name)  # counted before the password is checked
    if not attempt.allowed:
        state.audit.record("sign_in_limited", user=name, ip=address, wait_s=attempt.wait)
        minutes = (attempt.wait + 59) // 60
        wait = f"{minutes} minute(s)" if attempt.wait >= 60 else f"{attempt.wait} seconds"
        response = _login_page(state, next_url, f"Too many attempts from here. Try again in {wait}.", 429)
        response.headers["Retry-After"] = str(attempt.wait)
        return response
    user = load_users(state.settings.users_file).verify(name, password) if name else None
    state.limiter.finish(attempt, address, name, user is not None)
    if user is None:
        state.audit.record("sign_in", user=name, ip=address, ok=False, reason="wrong name or password")
        return _login_page(state, next_url, "Wrong name or password.", 401)
    old = session.get("sid")
    if old:
        state.sessions.revoke(old)
    session.clear()
    session.permanent = True
    state.sessions.expire(time.time() - state.settings.session_hours * 3600)
    session["sid"] = state.sessions.create(user.name, user.session_stamp)
    state.audit.record("sign_in", user=user.name, role=user.role.value, ip=address, ok=True, via="password")
    return redirect(next_url)


def _logout():
    """``GET`` asks (a link from another site must not sign anyone out); ``POST`` with the form's token signs out."""
    state: _State = current_app.extensions[EXTENSION]
    user = current_user()
    if request.method == "GET":
        if user is None:
            return redirect("/login")
        return _page(state, _LOGOUT_FORM, f"Signed in as {user.name}.")
    token = request.form.get("csrf") or ""
    if not token or not hmac.compare_digest(token, str(session.get("csrf", ""))):
        return _page(state, _LOGOUT_FORM, "Your sign-out form expired. Please try again.", 400)
    everywhere = request.form.get("everywhere") == "1" and user is not None
    ended = 1
    if everywhere:
        ended = state.sessions.revoke_user(user.name)
    elif session.get("sid"):
        state.sessions.revoke(session["sid"])
    if user is not None:
        state.audit.record("sign_out", user=user.name, role=user.role.value, ip=client_address(),
                           everywhere=everywhere, sessions=ended)
    session.clear()
    return redirect("/login")


def csrf_token() -> str:
    """The current session's form token (made on first use), for forms that POST to this server."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def _safe_next(value: str) -> str:
    """Only a path on this server (no scheme, no host, no ``//``) is followed after sign-in."""
    value = (value or "/").strip()
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _quote_next(value: str) -> str:
    from urllib.parse import quote

    return quote(_safe_next(value), safe="/")


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Stakemap</title>
<style>
body{{font-family:system-ui,sans-serif;background:#f4f6f7;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}}
form{{background:#fff;padding:2rem 2.5rem;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15);min-width:18rem}}
h1{{font-size:1.3rem;margin:0 0 1rem}} label{{display:block;margin:.8rem 0 .2rem;font-size:.9rem}}
input[type=text],input[type=password]{{width:100%;padding:.45rem;box-sizing:border-box;font-size:1rem}}
button{{margin-top:1.2rem;padding:.5rem 1.2rem;font-size:1rem;background:#2874a6;color:#fff;border:0;border-radius:4px}}
.error{{color:#922b21;margin:.5rem 0}} .note{{color:#566573;font-size:.8rem;margin-top:1rem}}
</style></head>
<body>{form}</body></html>
"""

_LOGIN_FORM = """<form method="post" action="/login" autocomplete="on">
<h1>Stakemap</h1>
{message}
<label for="username">Name</label><input type="text" id="username" name="username" required autofocus maxlength="64" autocomplete="username">
<label for="password">Password</label><input type="password" id="password" name="password" required maxlength="1024" autocomplete="current-password">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="next" value="{next}">
<button type="submit" id="sign-in">Sign in</button>
<p class="note">Sign-ins are recorded in the audit log.</p>
</form>"""

_LOGOUT_FORM = """<form method="post" action="/logout">
<h1>Sign out of Stakemap</h1>
{message}
<input type="hidden" name="csrf" value="{csrf}">
<label><input type="checkbox" name="everywhere" value="1"> Also sign out on every other device</label>
<button type="submit" id="sign-out">Sign out</button>
</form>"""


def _page(state: _State, form: str, message: str = "", status: int = 200, next_url: str = "/") -> Response:
    cls = "error" if status >= 400 else "note"
    body = _PAGE.format(title="Sign in" if form is _LOGIN_FORM else "Sign out", form=form.format(
        message=f'<p class="{cls}" role="alert">{html.escape(message)}</p>' if message else "",
        csrf=html.escape(csrf_token()), next=html.escape(next_url)))
    return Response(body, status=status, mimetype="text/html")


def _login_page(state: _State, next_url: str, error: str = "", status: int = 200) -> Response:
    return _page(state, _LOGIN_FORM, error, status, next_url)


__all__ = ["AuthSettings", "LoginLimiter", "LoginLimits", "SignedIn", "audit_log", "auth_installed",
           "client_address", "csrf_token", "current_user", "install_auth"]
