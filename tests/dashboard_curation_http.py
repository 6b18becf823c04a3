"""Curation in the dashboard over HTTP, as each role (run by ``tests/test_dashboard_curation.py`` in a process of
its own: Dash gives the pages' callbacks to the first app a process creates).

A store with a near-match pair, a restricted actor and a document; one user per role. Each callback is
POSTed to ``/_dash-update-component`` as the browser would, and the store and the audit log are read after.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.audit import AuditLog
from dashboard.auth import AuthSettings, LoginLimits
from dashboard.users import Role, add_user
from graphmodel.curation import edits
from graphmodel.curation.review import queue
from graphmodel.store.sqlite import SQLiteStore
from tests.test_curation import FILE_A, FILE_B, _file
from ingest.run import run_ingest
from graphmodel.models import Actor, Source
from graphmodel.store.contract import Batch

PASSWORD = "curation test pass phrase"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("curation")
    db = tmp / "store.db"
    store = SQLiteStore(db)
    run_ingest(store, [_file(tmp / "a", "file-a", *FILE_A)])
    run_ingest(store, [_file(tmp / "b", "file-b", *FILE_B)])
    store.write(Batch(Source(id="secret", title="Secret", kind="dataset"),
                      actors=[Actor(id="hidden-ngo", kind="ngo", name="Hidden Shelter", sensitivity="restricted")]))
    store.close()
    users = tmp / "users.json"
    for role in Role:
        add_user(users, role.value, role, PASSWORD)
    settings = AuthSettings(users_file=users, secret_key=b"c" * 32, audit_log=tmp / "audit.jsonl",
                            limits=LoginLimits(address_attempts=1000))
    from dashboard.app import create_app

    app = create_app(f"sqlite:///{db}", auth=settings)
    return app, settings, db


def signed_in(app, role: str):
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": role, "password": PASSWORD, "csrf": token}).status_code == 302
    return client


def call(client, output: str, inputs: list[tuple], state: list[tuple] = ()) -> tuple[int, str]:
    def entry(item):
        cid, prop, value = item
        return {"id": cid, "property": prop, "value": value}
    body = {"output": output, "outputs": _outputs(output), "inputs": [entry(i) for i in inputs],
            "state": [entry(s) for s in state],
            "changedPropIds": [f"{i[0]}.{i[1]}" for i in inputs if i[2]]}
    response = client.post("/_dash-update-component", json=body)
    return response.status_code, response.get_data(as_text=True)


def _outputs(output: str):
    if not output.startswith(".."):
        cid, _, prop = output.rpartition(".")
        return {"id": cid, "property": prop}
    return [{"id": o.rpartition(".")[0], "property": o.rpartition(".")[2]} for o in output[2:-2].split("...")]


DECIDE = "..review-message.children...review-done.data.."
WRITE = "..cur-message.children...explore-edited.data.."
FIELDS = ("name", "kind", "country", "description", "aliases")


def decide(client, key, button="review-same", note="one NGO"):
    buttons = ("review-same", "review-different", "review-unsure", "review-dismiss")
    return call(client, DECIDE, [(b, "n_clicks", 1 if b == button else None) for b in buttons],
                [("review-queue", "value", key), ("review-note", "value", note), ("review-done", "data", 0)])


def write(client, button, opened, typed=None, source=("", "", "", "", ""), other=None, kind=None, end_link=None,
          date=None, revert=()):
    from dashboard.pages.explore_curation import BUTTONS

    typed = typed or {}
    inputs = [(b, "n_clicks", 1 if b == button else None) for b in BUTTONS]
    inputs.append(([{"id": {"type": "cur-revert", "version": v}, "property": "n_clicks", "value": 1} for v in revert]))
    state = [("cur-opened", "data", opened)] + [(f"cur-{f}", "value", typed.get(f)) for f in FIELDS]
    state += [({"type": "actor-picker", "page": "curate", "name": "link-to"}, "value", other),
              ("cur-link-dir", "value", "out"), ("cur-link-kind", "value", kind)]
    state += [(f"cur-link-{f}", "value", None) for f in ("start", "end", "amount", "currency")]
    state += [("cur-end-link", "value", end_link), ("cur-end-date", "value", date)]
    state += [(f"cur-src-{f}", "value", v) for f, v in zip(("source", "title", "url", "locator", "note"), source)]
    state += [("explore-edited", "data", 0)]
    body = {"output": WRITE, "outputs": _outputs(WRITE),
            "inputs": [{"id": i[0], "property": i[1], "value": i[2]} if isinstance(i, tuple) else i for i in inputs],
            "state": [{"id": s[0], "property": s[1], "value": s[2]} for s in state],
            "changedPropIds": [f"{button}.n_clicks"] if button else
            ['{"type":"cur-revert","version":"%s"}.n_clicks' % v for v in revert]}
    response = client.post("/_dash-update-component", json=body)
    return response.status_code, response.get_data(as_text=True)


def _store(db):
    return SQLiteStore(Path(db))


def _opened(db, actor_id):
    store = _store(db)
    try:
        actor = store.get_actor(actor_id)
        return {"id": actor_id, "digest": edits.digest(actor),
                "values": {"name": actor.name, "kind": actor.kind.value, "country": actor.country or "",
                           "description": actor.description or "", "aliases": "|".join(actor.aliases)}}
    finally:
        store.close()


def _versions(db) -> int:
    store = _store(db)
    try:
        return len(store.versions())
    finally:
        store.close()


def _audit(settings, event):
    return [e for e in AuditLog(settings.audit_log).read() if e["event"] == event]


NEW_SOURCE = ("", "Annual report 2023", "https://example.org/ar.pdf", "p. 4", "says so")


def test_a_viewer_is_refused_on_the_server_for_every_curation_callback(site):
    app, settings, db = site
    client = signed_in(app, "viewer")
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "nav-review" not in layout  # no navigation entry
    before = _versions(db)
    key = next(i.key for i in queue(_store(db)))
    assert "may look at the map but not change it" in decide(client, key)[1]
    for button in ("cur-save", "cur-link-add", "cur-end-save", "cur-retire"):
        status, text = write(client, button, _opened(db, "amrc"), {"name": "Renamed"}, NEW_SOURCE, other="lac",
                             kind="supports", end_link="a1", date="2020")
        assert status == 200 and "may look at the map but not change it" in text, button
    assert "may look at the map but not change it" in write(client, None, None, revert=["1"])[1]
    status, text = call(client, "review-add-message.children", [("review-add", "n_clicks", 1)],
                        [("review-add-name", "value", "X"), ("review-add-kind", "value", "ngo"),
                         ("review-add-country", "value", ""), ("review-add-description", "value", "")]
                        + [(f"review-add-src-{f}", "value", v) for f, v in
                           zip(("source", "title", "url", "locator", "note"), NEW_SOURCE)])
    assert status == 200 and "may look at the map but not change it" in text
    status, text = call(client, "..review-queue.options...review-queue.value...review-progress.children..",
                        [("review-done", "data", 0)], [("review-queue", "value", None)])
    assert "amrc" not in text and "may look at the map" in text
    assert _versions(db) == before  # nothing written
    denied = [e for e in _audit(settings, "denied") if e["user"] == "viewer"]
    assert len(denied) >= 8


def test_an_edit_needs_a_source_and_an_analyst_cannot_edit_above_clearance(site):
    app, settings, db = site
    client = signed_in(app, "analyst")
    before = _versions(db)
    text = write(client, "cur-save", _opened(db, "amrc"), {"name": "AMRC renamed"})[1]
    assert "an edit needs a source" in text
    hidden = write(client, "cur-save", {**_opened(db, "hidden-ngo"), "id": "hidden-ngo"}, {"name": "X"}, NEW_SOURCE)[1]
    missing = write(client, "cur-save", {**_opened(db, "hidden-ngo"), "id": "nomatch-ngo"}, {"name": "X"},
                    NEW_SOURCE)[1]
    assert "no actor or link 'hidden-ngo' in the store" in hidden
    assert hidden.replace("hidden-ngo", "<id>") == missing.replace("nomatch-ngo", "<id>")
    assert _versions(db) == before


def test_a_link_the_kinds_table_refuses_names_the_allowed_kinds(site):
    app, _, db = site
    client = signed_in(app, "analyst")
    text = write(client, "cur-link-add", _opened(db, "amrc"), source=NEW_SOURCE, other="lac", kind="sources_from")[1]
    assert "cannot go from a ngo to a ngo" in text and "allowed from:" in text


def test_two_people_editing_at_once_the_second_gets_a_conflict_and_loses_nothing(site):
    app, settings, db = site
    analyst, admin = signed_in(app, "analyst"), signed_in(app, "admin")
    seen = _opened(db, "lac")  # both opened it
    first = write(admin, "cur-save", seen, {**seen["values"], "description": "Admin's words"}, NEW_SOURCE)[1]
    assert "Saved:" in first
    second = write(analyst, "cur-save", seen, {**seen["values"], "description": "Analyst's words"}, NEW_SOURCE)[1]
    assert "changed by someone else since you opened it" in second
    assert "cur-name" not in second and "Analyst" not in second.split("holds")[0]  # the form is not written over
    store = _store(db)
    assert store.get_actor("lac").description == "Admin's words"
    store.close()
    assert any(e["target"] == "lac" and e["user"] == "admin" for e in _audit(settings, "edit"))


def test_decide_add_link_end_link_and_revert_rules(site):
    app, settings, db = site
    analyst, admin = signed_in(app, "analyst"), signed_in(app, "admin")
    store = _store(db)
    key = next(i.key for i in queue(store) if i.doc.get("b") == "amrc-b")
    store.close()
    text = decide(analyst, key, "review-same")[1]
    assert "amrc-b is now part of amrc" in text
    store = _store(db)
    assert store.get_actor("amrc-b") is None
    store.close()
    assert "No such review entry" in decide(analyst, "000000000000", "review-same")[1]  # an id that is gone
    out = "..review-queue.options...review-queue.value...review-progress.children.."
    listed = call(analyst, out, [("review-done", "data", 1)], [("review-queue", "value", key)])[1]
    assert key not in listed and "1 of 1 decided" in listed  # decided: the next entry shows
    judged = _audit(settings, "judgement")[-1]
    assert judged["user"] == "analyst" and judged["verdict"] == "same" and judged["a"] == "amrc"
    # a link with a new source, then its end
    text = write(analyst, "cur-link-add", _opened(db, "amrc"), source=NEW_SOURCE, other="cic", kind="partners_with")[1]
    assert "Saved: added partners_with" in text
    store = _store(db)
    link = next(lk for lk in store.links_of("amrc") if lk.kind.value == "partners_with")
    assert "annual-report-2023" in {c.source for c in link.citations}
    store.close()
    text = write(analyst, "cur-end-save", _opened(db, "amrc"), source=("annual-report-2023", "", "", "p. 5", ""),
                 end_link=link.id, date="2024")[1]
    assert "Saved: end link" in text
    store = _store(db)
    assert store.get_link(link.id).end == "2024"
    versions = {v.number: v for v in store.versions()}
    store.close()
    mine = max(n for n, v in versions.items() if v.who == "analyst" and v.action == "edit")
    theirs = max(n for n, v in versions.items() if v.who == "admin" and v.action == "edit")
    assert "an analyst reverts only their own" in write(analyst, None, None, revert=[str(theirs)])[1]
    link_added = mine - 1
    assert "later changes depend on version" in write(analyst, None, None, revert=[str(link_added)])[1]
    assert "reverted:" in write(analyst, None, None, revert=[str(mine)])[1]
    store = _store(db)
    assert store.get_link(link.id).end is None
    store.close()
    assert "reverted:" in write(admin, None, None, revert=[str(theirs)])[1]  # an admin reverts anyone's
    assert {e["user"] for e in _audit(settings, "revert")} == {"analyst", "admin"}
    # several buttons in one request decide nothing
    status, text = call(analyst, DECIDE, [(b, "n_clicks", 1) for b in ("review-same", "review-different",
                                                                        "review-unsure", "review-dismiss")],
                        [("review-queue", "value", key), ("review-note", "value", ""), ("review-done", "data", 0)])
    assert "Press one button" in text


def test_the_queue_leaves_out_entries_naming_a_hidden_actor(site):
    app, _, db = site
    from graphmodel.curation.review import pair_entry

    store = _store(db)
    k, doc = pair_entry("file-a", {"incoming": "hidden-ngo", "incoming_name": "Hidden Shelter", "candidate": "lac",
                                   "candidate_name": "Labour Action China", "reason": "similar name", "score": 0.9})
    store.write_docs({"review": {k: doc}}, who="test", action="review")
    store.close()
    out = "..review-queue.options...review-queue.value...review-progress.children.."
    analyst = call(signed_in(app, "analyst"), out, [("review-done", "data", 0)], [("review-queue", "value", None)])[1]
    admin = call(signed_in(app, "admin"), out, [("review-done", "data", 0)], [("review-queue", "value", None)])[1]
    assert "Hidden Shelter" not in analyst and "Hidden Shelter" in admin
    assert "Hidden Shelter" not in call(signed_in(app, "analyst"), "review-pair.children",
                                        [("review-queue", "value", k)])[1]


def test_only_a_role_that_may_curate_gets_the_edit_forms_and_revert_buttons(site):
    app, _, _ = site
    out = "..explore-panel.children...explore-expand.disabled...explore-focus.disabled.."
    state = [(f"explore-{k}", "value", None) for k in ("kinds", "countries", "links", "confidence", "asof")]
    state.append(("explore-last", "data", 2030))
    got = {role: call(signed_in(app, role), out, [("explore-sel", "data", "a:lac"), ("explore-edited", "data", 0)],
                      state)[1] for role in ("viewer", "analyst")}
    assert "Labour Action China" in got["viewer"] and "cur-box" not in got["viewer"] and "cur-revert" not in got["viewer"]
    assert "cur-box" in got["analyst"] and "cur-opened" in got["analyst"]
