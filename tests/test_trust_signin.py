"""Sign-in findings closed: copied cookies after sign-out, the raced limiter, Origin handling, sign-out by GET.

Each test reproduces what an attacker tried against a running server (with the Flask test client, or
threads against the real limiter and its shared file) and shows it refused.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from typer.testing import CliRunner

from dashboard.signin_state import LoginLimiter, LoginLimits, SessionStore, SignInState, state_path
from stakemap.cli import app as cli_app
from tests.test_trust_auth import PASSWORDS, _client, call, events, sign_in, sign_out, site  # noqa: F401


def _cookie(client) -> str:
    return client.get_cookie("stakemap_session").value


def test_a_cookie_copied_before_sign_out_is_refused_after_it(site):
    app, _ = site
    client = _client(app)
    sign_in(client, "vera")
    stolen = _cookie(client)
    thief = _client(app)
    thief.set_cookie("stakemap_session", stolen)
    assert thief.get("/_dash-layout").status_code == 200  # the copy works while the session is open
    sign_out(client)
    assert thief.get("/_dash-layout").status_code == 401
    assert thief.get("/").headers["Location"].startswith("/login")


def test_sign_out_everywhere_ends_every_session_of_the_user(site):
    app, settings = site
    laptop, phone, other = _client(app), _client(app), _client(app)
    sign_in(laptop, "vera")
    sign_in(phone, "vera")
    sign_in(other, "ana")
    sign_out(laptop, everywhere=True)
    assert phone.get("/_dash-layout").status_code == 401
    assert other.get("/_dash-layout").status_code == 200
    assert any(e["event"] == "sign_out" and e.get("everywhere") for e in events(settings))


def test_users_signout_command_ends_sessions_in_a_running_server(tmp_path):
    from dashboard.users import add_user

    users = tmp_path / "users.json"
    add_user(users, "vera", "viewer", PASSWORDS["vera"])
    sessions = SessionStore(SignInState(state_path(users)))
    sid = sessions.create("vera", "stamp")
    runner = CliRunner()
    done = runner.invoke(cli_app, ["users", "signout", "vera", "--users", str(users), "--json"])
    assert done.exit_code == 0, done.output
    assert '"sessions_ended": 1' in done.output and sessions.get(sid) is None
    bad = runner.invoke(cli_app, ["users", "signout", "nobody", "--users", str(users)])
    assert bad.exit_code != 0 and "no user" in bad.output and "Traceback" not in bad.output
    assert state_path(users).stat().st_mode & 0o777 == 0o600


def test_get_logout_from_another_site_signs_nobody_out(site):
    app, _ = site
    client = _client(app)
    sign_in(client, "vera")
    page = client.get("/logout", headers={"Sec-Fetch-Site": "cross-site"})
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 200
    forged = client.post("/logout", data={"csrf": "guess"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 403
    assert client.get("/_dash-layout").status_code == 200


def test_a_browser_form_post_with_origin_null_but_same_origin_fetch_is_accepted(site):
    """Chromium sends ``Origin: null`` under a no-referrer policy, and always ``Sec-Fetch-Site``."""
    app, _ = site
    client = _client(app)
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    form = {"username": "vera", "password": PASSWORDS["vera"], "csrf": token, "next": "/"}
    done = client.post("/login", data=form, headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert done.status_code == 302 and done.headers["Location"] == "/"


def test_origin_null_without_fetch_metadata_and_malformed_origins_are_refused_with_4xx(site):
    app, _ = site
    client = _client(app)
    sign_in(client, "vera")
    for origin in ("null", "http://localhost:notaport", "http://[::1", "javascript:alert(1)", "http://"):
        body = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
                "inputs": [{"id": "ask", "property": "value", "value": "x"}], "changedPropIds": ["ask.value"]}
        answer = client.post("/_dash-update-component", json=body, headers={"Origin": origin})
        assert answer.status_code == 403, origin
    refused = _client(app).post("/login", data={"username": "vera"}, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and "another site" in refused.get_data(as_text=True)
    assert sum(e["event"] == "refused" for e in events(site[1])) == 6


def test_parallel_wrong_passwords_are_checked_no_more_often_than_the_limit(site):
    """30 wrong passwords at once for one user: only the free ones reach the password check."""
    app, settings = site

    def guess(_):
        return sign_in(_client(app), "vera", "wrong wrong wrong").status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(guess, range(30)))
    checked = [e for e in events(settings) if e["event"] == "sign_in" and e.get("ok") is False]
    assert len(checked) == settings.limits.free_failures == statuses.count(401)
    assert statuses.count(429) == 30 - settings.limits.free_failures
    assert sum(e["event"] == "sign_in_limited" for e in events(settings)) == statuses.count(429)
    assert sign_in(_client(app), "vera", environ={"REMOTE_ADDR": "192.0.2.80"}).status_code == 302


def test_the_limiter_is_atomic_across_processes_sharing_its_file(tmp_path):
    """Two limiters on one file (as two server workers): threads racing through both never pass the limit."""
    path = tmp_path / "state.db"
    limits = LoginLimits(free_failures=5)
    limiters = [LoginLimiter(limits, SignInState(path)) for _ in range(2)]
    allowed = []
    lock = threading.Lock()

    def go(n):
        attempt = limiters[n % 2].begin("198.51.100.9", "amina")
        time.sleep(0.01)  # the slow password check
        with lock:
            allowed.append(attempt.allowed)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(go, range(40)))
    assert allowed.count(True) == 5


def test_delays_grow_and_end(tmp_path):
    limits = LoginLimits(free_failures=2, first_delay=10, max_delay=40)
    limiter = LoginLimiter(limits, SignInState(None))
    for _ in range(2):
        assert limiter.begin("a", "u").allowed
    refused = limiter.begin("a", "u")
    assert not refused.allowed and 9 <= refused.wait <= 10
    db = limiter.state.db
    db.execute("UPDATE attempts SET at = at - 11")  # ten seconds later: one more try, then twice as long
    assert limiter.begin("a", "u").allowed
    assert 19 <= limiter.begin("a", "u").wait <= 20
    db.execute("UPDATE attempts SET at = at - 3600")  # past the window: forgotten
    assert limiter.begin("a", "u").allowed


def test_a_viewer_cannot_reuse_a_session_after_its_role_changes(site):
    from dashboard.users import add_user

    app, settings = site
    client = _client(app)
    sign_in(client, "ana")
    assert call(client, "x").status_code == 200
    add_user(settings.users_file, "ana", "viewer", PASSWORDS["ana"], replace=True)
    assert client.get("/_dash-layout").status_code == 401
