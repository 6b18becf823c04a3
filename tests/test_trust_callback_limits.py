"""Callback values are checked and bounded on the server; a long answer is cut off and blocks no one.

A small Dash app behind the dashboard's sign-in, with a callback that takes as long as it is asked to
(what ``hops=10**9`` did to explore), and the real checker and runner in front of it.
"""

from __future__ import annotations

import threading
import time

import dash
import pytest
from dash import Input, Output, dcc, html

from dashboard.auth import AuthSettings, install_auth
from dashboard.callback_limits import NUMBERS, CallbackRunner, check_request, install_callback_limits
from dashboard.users import Role, add_user
from tests.test_trust_auth import own_callbacks, sign_in

PASSWORD = "limits test pass phrase"


@pytest.fixture
def slow_site(tmp_path):
    with own_callbacks():
        yield _slow_site(tmp_path)


def _slow_site(tmp_path):
    users = tmp_path / "users.json"
    for name in ("vera", "ana"):
        add_user(users, name, Role.VIEWER, PASSWORD)
    app = dash.Dash(__name__, serve_locally=True)
    app.layout = html.Div([dcc.Slider(id="paths-k", min=1, max=10, value=3), html.Div(id="out"),
                           dcc.Store(id="box", data={"n": 1}), html.Div(id="typed")])

    @app.callback(Output("out", "children"), Input("paths-k", "value"))
    def work(seconds):
        time.sleep(seconds / 10)  # the answer takes a tenth of a second per path asked for
        return f"slept {seconds}"

    @app.callback(Output("typed", "children"), Input("box", "data"))
    def typed(box):
        return str(box["n"] + 1)  # a store the page fills with {"n": 1}: a tampered one fails here

    install_auth(app.server, AuthSettings(users_file=users, secret_key=b"k" * 32, audit_log=tmp_path / "a.jsonl",
                                              guard=False))
    runner = install_callback_limits(app.server, CallbackRunner(seconds=0.5, slots=2, per_user=1))
    app.server.config["TESTING"] = True
    return app, runner


def _client(app, name="vera"):
    client = app.server.test_client()
    assert sign_in(client, name, PASSWORD).status_code == 302
    return client


def _ask(client, value, cid="paths-k", prop="value", out="out"):
    body = {"output": f"{out}.children", "outputs": {"id": out, "property": "children"},
            "inputs": [{"id": cid, "property": prop, "value": value}], "changedPropIds": [f"{cid}.{prop}"]}
    return client.post("/_dash-update-component", json=body)


def test_values_beyond_the_controls_are_refused_with_400_naming_the_control(slow_site):
    app, _ = slow_site
    client = _client(app)
    assert _ask(client, 2).status_code == 200
    for value in (10**6, 0, -1, 2.5, "3", True, [3], {"$gt": 1}, float("nan")):
        answer = _ask(client, value)
        assert answer.status_code == 400, value
        assert "paths-k" in answer.get_json()["error"]


def test_malformed_and_oversized_requests_get_400_not_500(slow_site):
    app, _ = slow_site
    client = _client(app)
    for body in (b"{not json", b"[]", b'{"output": 3}', b"[" * 5000 + b"]" * 5000,
                 b'{"output": "out.children", "inputs": "x"}'):
        answer = client.post("/_dash-update-component", data=body, content_type="application/json")
        assert answer.status_code == 400, body[:20]
    assert _ask(client, "x" * 30_000, cid="q").status_code == 400
    assert _ask(client, 1, cid={"type": "p", "page": {"nested": 1}}).status_code == 400


def test_a_wrongly_typed_store_value_answers_400_not_a_server_error(slow_site):
    app, _ = slow_site
    client = _client(app)
    assert _ask(client, {"n": 1}, cid="box", prop="data", out="typed").status_code == 200
    for tampered in ("text", {"m": 1}, [1, 2], {"n": "one"}):
        answer = _ask(client, tampered, cid="box", prop="data", out="typed")
        assert answer.status_code == 400, tampered
        assert "Reload the page" in answer.get_json()["error"]


def test_a_long_answer_is_cut_off_with_a_clear_message(slow_site):
    app, _ = slow_site
    started = time.monotonic()
    answer = _ask(_client(app), 10)  # one second of work against a half-second limit
    assert answer.status_code == 503 and "longer than" in answer.get_json()["error"]
    assert time.monotonic() - started < 0.9


def test_slow_answers_block_neither_sign_in_nor_other_users(slow_site):
    app, runner = slow_site
    hog = _client(app, "vera")
    results = []
    threads = [threading.Thread(target=lambda: results.append(_ask(hog, 10).status_code)) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    started = time.monotonic()
    other = app.server.test_client()
    assert sign_in(other, "ana", PASSWORD).status_code == 302  # sign-in does not wait for the slow answers
    assert other.get("/login").status_code in (200, 302)
    assert time.monotonic() - started < 1.0
    for t in threads:
        t.join()
    assert set(results) <= {429, 503} and 429 in results  # one user holds at most one slot


def test_the_checker_is_pure_and_names_what_is_wrong():
    ok = {"output": "x.y", "inputs": [{"id": "explore-hops", "property": "value", "value": 3}], "state": []}
    assert check_request(ok) is None
    ok["inputs"][0]["value"] = 10**9
    assert check_request(ok) == "explore-hops must be a whole number from 1 to 3 (it was 1000000000)"
    assert NUMBERS["leverage-top"] == (3, 50)
