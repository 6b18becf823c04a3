"""The Changes page's answers, the two-date explore view and an actor's changes: the same answers as
``stakemap diff``, and nothing of a withheld record's change (no id, name or count) reaching a viewer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.access import Viewer
from graphmodel.kinds import Sensitivity
from graphmodel.models import Actor, Citation, Link, Source
from graphmodel.store import Batch
from graphmodel.store.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[1]
VIEWER = Viewer(name="v", role="viewer", clearance=Sensitivity.INTERNAL, include_people=False)
ADMIN = Viewer(name="a", role="admin", clearance=Sensitivity.RESTRICTED, include_people=True)
#: In every withheld record's id and name: no answer to VIEWER may hold it.
TOKEN = "zqxj"
ORIGIN = Source(id="ledger", title="Grants ledger", kind="dataset")
CITE = [Citation(source="grants-report", locator="p. 3")]


def _actors() -> list[Actor]:
    return [Actor(id="fund-a", kind="sso", name="Fund A", country="NL", citations=CITE),
            Actor(id="union-b", kind="union", name="Union B", country="BD", citations=CITE),
            Actor(id=f"{TOKEN}-person", kind="person", name=f"{TOKEN.title()} Organiser", country="BD",
                  description="an organiser"),
            Actor(id=f"{TOKEN}-shelter", kind="ngo", name=f"{TOKEN.title()} Shelter", country="BD",
                  sensitivity="restricted")]


def _links() -> list[Link]:
    return [Link(id="grant", kind="funds", source="fund-a", target="union-b", amount=100000, currency="EUR",
                 start="2020", citations=CITE),
            Link(id="training", kind="supports", source="fund-a", target="union-b", citations=CITE),
            Link(id="turns-secret", kind="partners_with", source="fund-a", target="union-b", citations=CITE),
            Link(id=f"{TOKEN}-member", kind="member_of", source=f"{TOKEN}-person", target="union-b"),
            Link(id=f"{TOKEN}-shelter-supports", kind="supports", source=f"{TOKEN}-shelter", target="union-b",
                 sensitivity="restricted"),
            Link(id=f"{TOKEN}-restricted-grant", kind="funds", source="fund-a", target="union-b", amount=5000,
                 currency="EUR", sensitivity="restricted")]


def _write(store, actors, links) -> None:
    store.write(Batch(origin=ORIGIN, actors=actors, links=links,
                      sources=[Source(id="grants-report", title="Grants report 2024", kind="document")]))


def _second(actors: list[Actor], links: list[Link]) -> tuple[list[Actor], list[Link]]:
    """Version 2: a grant's amount changes, a link goes, one comes; the person, the shelter and the restricted
    grant change too; a public link becomes restricted; a restricted link is added."""
    by = {lk.id: lk for lk in links}
    by["grant"] = by["grant"].model_copy(update={"amount": 125000.0})
    del by["training"]
    by["affiliation"] = Link(id="affiliation", kind="affiliated_to", source="union-b", target="fund-a", citations=CITE)
    by["turns-secret"] = by["turns-secret"].model_copy(update={"sensitivity": Sensitivity.RESTRICTED})
    by[f"{TOKEN}-restricted-grant"] = by[f"{TOKEN}-restricted-grant"].model_copy(update={"amount": 7000.0})
    by[f"{TOKEN}-new"] = Link(id=f"{TOKEN}-new", kind="opposes", source="fund-a", target="union-b",
                              sensitivity="restricted")
    actors = [a.model_copy(update={"description": "moved"}) if TOKEN in a.id else a for a in actors]
    return actors, list(by.values())


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("changes") / "store.db"
    store = SQLiteStore(path)
    try:
        actors, links = _actors(), _links()
        _write(store, actors, links)                      # version 1
        actors, links = _second(actors, links)
        _write(store, actors, links)                      # version 2
        shelter = next(a for a in actors if a.id == f"{TOKEN}-shelter")
        _write(store, [a if a.id != shelter.id else shelter.model_copy(update={"name": f"{TOKEN.title()} Refuge"})
                       for a in actors], links)           # version 3: only a restricted actor changes
    finally:
        store.close()
    return path


@pytest.fixture()
def answers(store_path):
    from dashboard import mapdata
    from dashboard.answers import changes

    mapdata.configure(f"sqlite:///{store_path}")
    yield changes
    mapdata.configure(f"sqlite:///{store_path}")


def _cli_counts(store_path: Path, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "stakemap", "diff", "--store", f"sqlite:///{store_path}", "--json",
                          *args], capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(out.stdout)["counts"]


def test_counts_are_the_command_lines(answers, store_path):
    for since in ("0", "1", "2"):
        assert answers.changes(VIEWER, since)["counts"] == _cli_counts(store_path, "--since", since)
        assert answers.changes(ADMIN, since)["counts"] == _cli_counts(store_path, "--since", since, "--clearance",
                                                                      "restricted", "--include-people")
    assert answers.changes(VIEWER, "1", kinds=["funds"])["counts"] == _cli_counts(store_path, "--since", "1",
                                                                                   "--kind", "funds")
    assert answers.changes(VIEWER, "1", actor="union-b")["counts"] == _cli_counts(store_path, "--since", "1",
                                                                                   "--around", "union-b", "--hops", "0")


def test_the_viewer_sees_exactly_the_public_changes(answers):
    result = answers.changes(VIEWER, "1")
    assert result["counts"] == {"actors": {"added": 0, "removed": 0, "changed": 0},
                                "links": {"added": 1, "removed": 1, "changed": 1}}
    rows = {r["id"]: r for r in result["rows"]}
    assert set(rows) == {"link:grant", "link:training", "link:affiliation"}
    assert rows["link:grant"]["fields"] == "amount: 100000.0 → 125000.0"
    assert rows["link:grant"]["sources"] == "Grants report 2024" and rows["link:grant"]["origin"] == "ledger"
    assert [(g["origin"], g["record"], g["kind"], g["added"], g["removed"], g["changed"]) for g in result["groups"]] \
        == [("ledger", "link", "is affiliated to", 1, 0, 0), ("ledger", "link", "funds", 0, 0, 1),
            ("ledger", "link", "supports", 0, 1, 0)]
    # the administrator sees the rest, so the checks below can fail
    seen = json.dumps(answers.changes(ADMIN, "1"))
    assert TOKEN in seen and "turns-secret" in seen


def test_no_withheld_change_reaches_the_viewer(answers):
    """Not its id, its name, a count, a version that changed only it, nor a mark in the two-date view."""
    from dashboard.pages import explore

    said = [answers.changes(VIEWER, since) for since in ("0", "1", "2", None)]
    said += [answers.versions(VIEWER), answers.version_options(VIEWER), answers.origins(VIEWER),
             answers.actor_changes(VIEWER, "union-b"), answers.actor_changes(VIEWER, f"{TOKEN}-person"),
             answers.compare(VIEWER, "1"), answers.compare(VIEWER, "0"),
             answers.changes(VIEWER, "1", actor=f"{TOKEN}-person")]
    text = json.dumps(said, default=str).lower()
    assert TOKEN not in text and "turns-secret" not in text
    assert [v["number"] for v in answers.versions(VIEWER)["versions"]] == [2, 1, 0]  # not 3: it changed a withheld actor
    assert [v["number"] for v in answers.versions(ADMIN)["versions"]] == [3, 2, 1, 0]
    assert answers.changes(VIEWER, "2")["total"] == 0 and answers.changes(VIEWER)["since"].startswith("version 1")
    from dashboard.graphview import Filters

    els, legend, status, _ = explore.render(VIEWER, ["union-b"], 1, Filters(), [], [], "1")
    drawn = json.dumps([els, legend.to_plotly_json(), status.to_plotly_json()], default=str).lower()
    assert TOKEN not in drawn and "turns-secret" not in drawn


def test_the_two_date_view_marks_what_changed(answers):
    from dashboard.graphview import Filters
    from dashboard.pages import explore

    els, legend, status, _ = explore.render(VIEWER, ["union-b"], 1, Filters(), [], [], "1")
    marks = {e["data"].get("link", e["data"]["id"]): e.get("classes", "") for e in els}
    assert marks["grant"] == "changed" and marks["affiliation"] == "added" and marks["training"] == "removed"
    assert "Compared with version 1" in json.dumps(status.to_plotly_json(), default=str)
    plain, *_ = explore.render(VIEWER, ["union-b"], 1, Filters(), [], [])
    assert "training" not in {e["data"].get("link") for e in plain}
    assert not any(c in e.get("classes", "") for e in plain for c in ("added", "removed", "changed"))


def test_an_actors_panel_lists_its_changes_newest_first(answers):
    from dashboard.pages import explore

    mine = answers.actor_changes(VIEWER, "union-b")
    assert [(c["version"], c["status"], c["what"]) for c in mine] == [
        (2, "added", "Union B is affiliated to Fund A"), (2, "changed", "Fund A funds Union B"),
        (2, "removed", "Fund A supports Union B"), (1, "added", "Union B"), (1, "added", "Fund A funds Union B"),
        (1, "added", "Fund A supports Union B")]  # the public link that became restricted: no
    panel, *_ = explore.panel(VIEWER, "a:union-b")
    text = json.dumps(panel.to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    assert "explore-actor-changes" in text and "amount: 100000.0 → 125000.0" in text and TOKEN not in text.lower()


def test_a_version_that_does_not_exist_says_which_do(answers):
    error = answers.changes(VIEWER, "99")["error"]
    assert error.startswith("version 99 does not exist; the nearest are 2 (")
    assert "3 (" not in answers.changes(VIEWER, "3")["error"]  # a version the viewer may not see is not named
    assert "neither a version number nor a date" in answers.changes(VIEWER, "last tuesday")["error"]
    assert "error" in answers.compare(VIEWER, "99")
    assert answers.changes(VIEWER, "2030-01-01")["total"] == 0


def test_a_store_with_no_versions_says_so(tmp_path):
    from dashboard import mapdata
    from dashboard.answers import changes
    from dashboard.pages import changes as page

    SQLiteStore(tmp_path / "empty.db").close()
    mapdata.configure(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert "no versions yet" in changes.changes(VIEWER)["error"]
        assert "no versions yet" in json.dumps(page.layout().to_plotly_json(), default=lambda o: o.to_plotly_json())
        assert page.show(changes.changes(VIEWER))[3] == []
    finally:
        mapdata.configure(None)


def test_the_shared_diff_is_the_same_on_both_backends(store):
    """What the command line and the dashboard share (graphmodel.changes), on SQLite and on Neo4j."""
    from graphmodel.changes import changes_by_version, seen_changes, version_diff
    from graphmodel.export.redaction import Clearance

    actors, links = _actors(), _links()
    _write(store, actors, links)
    _write(store, *_second(actors, links))
    seen = Clearance(Sensitivity.INTERNAL, False)
    rules = (seen.sees_actor, lambda lk: seen.link_reason(lk.sensitivity) is None)
    diff, then = version_diff(store, "1")
    shown, _ = seen_changes(store, diff.changes, *rules, after_is_now=diff.after_is_now)
    assert sorted((c.id, c.status) for c in shown) == [("affiliation", "added"), ("grant", "changed"),
                                                         ("training", "removed")]
    assert seen_changes(store, diff.changes, *rules)[0] == shown  # reading the records again: the same
    per = changes_by_version(store)
    assert sorted(per) == [1, 2] and {c.id for c in per[2]} >= {"grant", "training", "affiliation", "turns-secret"}
    visible = {n: sorted(c.id for c in seen_changes(store, found, *rules)[0]) for n, found in per.items()}
    assert visible == {1: ["fund-a", "grant", "training", "union-b"], 2: ["affiliation", "grant", "training"]}
    assert then.get_link("grant").amount == 100000
