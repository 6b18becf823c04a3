"""Sign-in, roles, session cookies, rate limiting, security headers, the serve policy, the response guard
and the audit log, on a small Dash app with the same Flask-level protection as the dashboard."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
import subprocess
import sys
from pathlib import Path

import dash
import pytest
from dash import Input, Output, dcc, html

from dashboard.audit import AuditLog
from dashboard.auth import AuthSettings, LoginLimits, install_auth
from dashboard.security import check_serve, is_loopback
from dashboard.users import ROLE_POLICIES, Role, UsersError, add_user, list_users, load_users, remove_user
from graphmodel.errors import ConfigError
from graphmodel.models import Actor, Link, Source
from graphmodel.store.contract import Batch
from graphmodel.store.sqlite import SQLiteStore

PASSWORDS = {"vera": "viewer pass phrase 1", "ana": "analyst pass phrase 2", "ada": "admin pass phrase 3"}
ROLES = {"vera": Role.VIEWER, "ana": Role.ANALYST, "ada": Role.ADMIN}
SECRET_ID = "canary-safehouse-1a2b3c4d"
PERSON_ID = "canary-person-5e6f7a8b"


@pytest.fixture
def site(tmp_path):
    """A store with a restricted actor and a person, a users file, and a small app behind install_auth."""
    # Dash gives the callbacks registered with dash.callback (the dashboard's pages, if imported) to the
    # first app that serves a request; this small app must not take them from the real one.
    with own_callbacks():
        yield _site(tmp_path)


@contextmanager
def own_callbacks():
    """Keep the dashboard's pages' callbacks (registered with dash.callback) away from a small test app."""
    from dash import _callback

    saved = (list(_callback.GLOBAL_CALLBACK_LIST), dict(_callback.GLOBAL_CALLBACK_MAP),
             list(_callback.GLOBAL_INLINE_SCRIPTS))
    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_INLINE_SCRIPTS.clear()
    try:
        yield
    finally:
        _callback.GLOBAL_CALLBACK_LIST[:] = saved[0]
        _callback.GLOBAL_CALLBACK_MAP.clear()
        _callback.GLOBAL_CALLBACK_MAP.update(saved[1])
        _callback.GLOBAL_INLINE_SCRIPTS[:] = saved[2]


def _site(tmp_path):
    db = tmp_path / "store.db"
    store = SQLiteStore(db)
    store.write(Batch(Source(id="t", title="t", kind="dataset"), actors=[
        Actor(id="open-union", kind="union", name="Open Union"),
        Actor(id=SECRET_ID, kind="ngo", name="Canary Safehouse", sensitivity="restricted"),
        Actor(id=PERSON_ID, kind="person", name="Canary Person", sensitivity="internal"),
    ], links=[Link(kind="supports", source=SECRET_ID, target="open-union")]))
    store.close()
    users = tmp_path / "users.json"
    for name, password in PASSWORDS.items():
        add_user(users, name, ROLES[name], password)
    settings = AuthSettings(users_file=users, secret_key=b"k" * 32, audit_log=tmp_path / "audit.jsonl",
                            limits=LoginLimits(free_failures=3, address_attempts=8))
    app = dash.Dash(__name__, serve_locally=True)
    app.layout = html.Div([dcc.Input(id="ask"), html.Div(id="out"), dcc.Download(id="dl"),
                           html.Button(id="go")])

    @app.callback(Output("out", "children"), Input("ask", "value"))
    def answer(value):  # deliberately leaky: names records it was not asked about
        leaks = {"secret": SECRET_ID, "person": PERSON_ID}
        return f"found {leaks[value]}" if value in leaks else f"you asked for {value}"

    @app.callback(Output("dl", "data"), Input("go", "n_clicks"), prevent_initial_call=True)
    def download(_n):
        return dcc.send_bytes(b"id,name\nopen-union,Open Union\n", "map.csv")

    install_auth(app.server, settings, dash_app=app, store_url=f"sqlite:///{db}")
    app.server.config["TESTING"] = True
    return app, settings


def _client(app):
    return app.server.test_client()


def sign_in(client, name: str, password: str | None = None, *, follow: bool = False, environ: dict | None = None):
    environ = environ or {}
    page = client.get("/login", environ_base=environ)
    token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/login", data={"username": name, "password": password or PASSWORDS[name], "csrf": token,
                                       "next": "/"}, follow_redirects=follow, environ_base=environ)


def sign_out(client, *, everywhere: bool = False):
    page = client.get("/logout")
    token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/logout", data={"csrf": token, **({"everywhere": "1"} if everywhere else {})})


def call(client, value: str):
    body = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
            "inputs": [{"id": "ask", "property": "value", "value": value}], "changedPropIds": ["ask.value"]}
    return client.post("/_dash-update-component", json=body)


def download(client):
    body = {"output": "dl.data", "outputs": {"id": "dl", "property": "data"},
            "inputs": [{"id": "go", "property": "n_clicks", "value": 1}], "changedPropIds": ["go.n_clicks"]}
    return client.post("/_dash-update-component", json=body)


def events(settings) -> list[dict]:
    return list(AuditLog(settings.audit_log).read())


# -- users file --------------------------------------------------------------------------------

def test_users_file_holds_argon2_hashes_only(site, tmp_path):
    _, settings = site
    text = settings.users_file.read_text()
    assert all(p not in text for p in PASSWORDS.values())
    assert text.count("$argon2id$") == 3
    assert settings.users_file.stat().st_mode & 0o777 == 0o600
    assert [u.name for u in list_users(settings.users_file)] == ["ada", "ana", "vera"]
    with pytest.raises(UsersError):
        add_user(settings.users_file, "vera", "viewer", "another long password")
    with pytest.raises(UsersError):
        add_user(settings.users_file, "short", "viewer", "tiny")
    with pytest.raises(UsersError):
        add_user(settings.users_file, "bad name!", "viewer", "a long enough password")
    assert load_users(settings.users_file).verify("vera", "wrong password") is None


def test_roles_table():
    assert ROLE_POLICIES[Role.VIEWER].clearance.value == "internal"
    assert not ROLE_POLICIES[Role.VIEWER].include_people and not ROLE_POLICIES[Role.VIEWER].can_export
    assert ROLE_POLICIES[Role.ANALYST].can_export and ROLE_POLICIES[Role.ANALYST].clearance.value == "internal"
    assert ROLE_POLICIES[Role.ADMIN].clearance.value == "restricted" and ROLE_POLICIES[Role.ADMIN].can_manage_users


def test_users_command_line(tmp_path):
    users = tmp_path / "u.json"
    run = lambda *args, stdin=None: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "stakemap", "users", *args, "--users", str(users)], input=stdin, text=True,
        capture_output=True, timeout=60, cwd=tmp_path)
    added = run("add", "amina", "--role", "analyst", "--password-stdin", stdin="a long pass phrase\n")
    assert added.returncode == 0, added.stderr
    listed = run("list", "--json")
    assert json.loads(listed.stdout)["users"][0]["role"] == "analyst" and "argon2" not in listed.stdout
    short = run("add", "bo", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "too short" in short.stderr and "Traceback" not in short.stderr
    assert run("remove", "amina").returncode == 0
    assert run("remove", "amina").returncode == 1


# -- sign-in -----------------------------------------------------------------------------------

def test_everything_needs_sign_in(site):
    app, _ = site
    client = _client(app)
    page = client.get("/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    for path in ("/_dash-layout", "/_dash-dependencies", "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js"):
        assert client.get(path).status_code == 401, path
    assert call(client, SECRET_ID).status_code == 401


def test_sign_in_sets_a_safe_cookie_and_signs_out(site):
    app, settings = site
    client = _client(app)
    response = sign_in(client, "vera")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("stakemap_session=")][-1]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/_dash-layout").status_code == 200
    assert call(client, "open-union").status_code == 200
    assert client.get("/logout").status_code == 200  # a GET only asks
    assert client.get("/_dash-layout").status_code == 200
    sign_out(client)
    assert client.get("/_dash-layout").status_code == 401
    kinds = [(e["event"], e.get("user"), e.get("ok")) for e in events(settings)]
    assert ("sign_in", "vera", True) in kinds and ("sign_out", "vera", None) in kinds


def test_cookie_is_secure_over_https(site):
    app, _ = site
    client = app.server.test_client()
    page = client.get("/login", base_url="https://localhost")
    token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post("/login", base_url="https://localhost",
                           data={"username": "vera", "password": PASSWORDS["vera"], "csrf": token})
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("stakemap_session=")][-1]
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert "Strict-Transport-Security" in response.headers


def test_cookies_always_secure_off_loopback(tmp_path, monkeypatch):
    monkeypatch.delenv("STAKEMAP_SECURE_COOKIES", raising=False)
    users = tmp_path / "users.json"
    add_user(users, "vera", "viewer", PASSWORDS["vera"])
    assert AuthSettings.from_env(users_file=users, host="0.0.0.0").secure_cookies is True
    assert AuthSettings.from_env(users_file=users, host="127.0.0.1").secure_cookies is None
    secret = users.with_name(users.name + ".secret")
    assert secret.exists() and secret.stat().st_mode & 0o777 == 0o600


def test_wrong_password_and_rate_limit(site):
    app, settings = site
    client = _client(app)
    for _ in range(3):
        assert sign_in(client, "vera", "not the password").status_code == 401
    limited = sign_in(client, "vera")  # the right password, but too many failures for this name from here
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert client.get("/_dash-layout").status_code == 401
    elsewhere = _client(app)  # the real user, from another address, is not locked out
    assert sign_in(elsewhere, "vera", environ={"REMOTE_ADDR": "192.0.2.44"}).status_code == 302
    for i in range(6):  # and too many attempts from one address, whatever the names
        sign_in(client, f"guesser{i}", "guess guess guess")
    assert sign_in(client, "ana").status_code == 429
    names = [e["event"] for e in events(settings)]
    assert names.count("sign_in_limited") >= 2
    assert all("not the password" not in json.dumps(e) for e in events(settings))


def test_login_needs_its_form_token_and_only_follows_local_next(site):
    app, _ = site
    client = _client(app)
    client.get("/login")
    assert client.post("/login", data={"username": "vera", "password": PASSWORDS["vera"]}).status_code == 400
    page = client.get("/login?next=https://evil.example/")
    assert "evil.example" not in page.get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client = _client(app)
        page = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        done = client.post("/login", data={"username": "vera", "password": PASSWORDS["vera"], "csrf": token,
                                           "next": target})
        assert done.headers["Location"] == "/", target


def test_session_ends_when_user_is_removed_or_password_changes(site):
    app, settings = site
    client = _client(app)
    sign_in(client, "vera")
    assert client.get("/_dash-layout").status_code == 200
    add_user(settings.users_file, "vera", "viewer", "a brand new pass phrase", replace=True)
    assert client.get("/_dash-layout").status_code == 401
    sign_in(client, "ana")
    remove_user(settings.users_file, "ana")
    assert client.get("/_dash-layout").status_code == 401


def test_cross_site_posts_are_refused(site):
    app, _ = site
    client = _client(app)
    sign_in(client, "vera")
    body = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
            "inputs": [{"id": "ask", "property": "value", "value": "x"}], "changedPropIds": ["ask.value"]}
    evil = client.post("/_dash-update-component", json=body, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    same = client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})
    assert same.status_code == 200


# -- headers -----------------------------------------------------------------------------------

def test_security_headers(site):
    app, _ = site
    client = _client(app)
    sign_in(client, "vera")
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "no-store"
    html_text = re.sub(r"<!--.*?-->", "", page.get_data(as_text=True), flags=re.S)  # (Dash's note for old IE)
    for script in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html_text, re.S):
        if script.strip() and not script.lstrip().startswith("{"):
            import base64
            import hashlib

            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in csp, "an inline script the policy would block"


# -- the serve policy ----------------------------------------------------------------------------

def test_serve_policy():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.8.9.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("") and not is_loopback("::")
    check_serve("127.0.0.1", sign_in=False, debug=True)
    check_serve("0.0.0.0", sign_in=True, debug=False)
    with pytest.raises(ConfigError, match="without sign-in"):
        check_serve("0.0.0.0", sign_in=False, debug=False)
    with pytest.raises(ConfigError, match="debug mode"):
        check_serve("192.0.2.1", sign_in=True, debug=True)


def test_without_sign_in_only_loopback_is_answered(site, tmp_path):
    app = dash.Dash(__name__)
    app.layout = html.Div("hello")
    install_auth(app.server, AuthSettings(users_file=tmp_path / "none.json", secret_key=b"k" * 32))
    client = app.server.test_client()
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/_dash-layout", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 403


def test_debug_mode_answers_only_on_loopback(site):
    app, _ = site
    app.server.debug = True
    try:
        client = _client(app)
        assert client.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 403
        assert client.get("/login").status_code == 200
    finally:
        app.server.debug = False


# -- the guard and the audit log -------------------------------------------------------------------

def test_guard_blocks_a_response_that_would_leak(site):
    app, settings = site
    for name, leaks in (("vera", True), ("ana", True), ("ada", False)):
        client = _client(app)
        sign_in(client, name)
        secret = call(client, "secret")
        assert (secret.status_code == 403) is leaks, name
        if leaks:
            assert SECRET_ID not in secret.get_data(as_text=True)
        person = call(client, "person")  # internal, but a person: hidden from viewers only
        assert (person.status_code == 403) is (name == "vera"), name
        assert call(client, "open-union").status_code == 200
        assert call(client, SECRET_ID).status_code == 200  # an id the user sent is only echoed back
    log = events(settings)
    denied = [e for e in log if e["event"] == "denied"]
    assert {e["user"] for e in denied} == {"vera", "ana"}
    views = [e for e in log if e["event"] == "view_restricted"]
    assert views and all(e["user"] == "ada" and SECRET_ID in e["records"] for e in views)


def test_export_right_is_enforced_and_exports_are_logged(site):
    app, settings = site
    client = _client(app)
    sign_in(client, "vera")
    assert download(client).status_code == 403
    client = _client(app)
    sign_in(client, "ana")
    done = download(client)
    assert done.status_code == 200 and "map.csv" in done.get_data(as_text=True)
    log = events(settings)
    assert any(e["event"] == "denied" and e["user"] == "vera" and e["files"] == ["map.csv"] for e in log)
    assert any(e["event"] == "export" and e["user"] == "ana" and e["file"] == "map.csv" for e in log)


def test_audit_log_is_json_lines_without_secrets(site):
    app, settings = site
    client = _client(app)
    sign_in(client, "ada")
    sign_in(_client(app), "vera", "a wrong guess here")
    lines = Path(settings.audit_log).read_text().splitlines()
    assert lines and all(json.loads(line)["ts"] for line in lines)
    text = "\n".join(lines)
    assert all(p not in text for p in PASSWORDS.values()) and "a wrong guess here" not in text
    assert Path(settings.audit_log).stat().st_mode & 0o777 == 0o600
