"""`stakemap versions`, `diff` and `watch` as a user runs them: re-ingest an updated file and see what it did."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from graphmodel.changes import valid_at
from graphmodel.store.sqlite import SQLiteStore
from stakemap.cli import app

runner = CliRunner()

ACTORS = """id,name,kind,country,source,locator
fnv,FNV Mondiaal,sso,NL,doc,p. 1
bwi,Building and Wood Workers' International,guf,CH,doc,p. 1
ncwu,Nepalese Construction Workers Union,union,NP,doc,p. 2
gefont,GEFONT,national_centre,NP,doc,p. 2
ana,Ana Organiser,person,NP,doc,p. 3
"""
LINKS = """id,from,to,kind,start,end,amount,currency,source,locator
f1,fnv,bwi,funds,2006,2012,100000,EUR,doc,p. 4
s1,bwi,ncwu,supports,2008,,,,doc,p. 5
a1,ncwu,gefont,affiliated_to,1995,2016,,,doc,p. 6
p1,ana,ncwu,member_of,2010,,,,doc,p. 7
"""
SOURCES = """id,title,kind
doc,A report,document
"""


def _dataset(folder, links: str = LINKS):
    folder.mkdir(exist_ok=True)
    (folder / "dataset.yaml").write_text("id: grants\ntitle: Grants\nformat: tabular\nfiles:\n  actors: actors.csv\n"
                                         "  links: links.csv\n  sources: sources.csv\n")
    (folder / "actors.csv").write_text(ACTORS)
    (folder / "links.csv").write_text(links)
    (folder / "sources.csv").write_text(SOURCES)
    return folder


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture()
def updated(tmp_path):
    """A store with version 1 (the file) and 2 (its update: a1 gone, w1 new, f1's amount changed,
    and the person's link changed)."""
    url = f"sqlite:///{tmp_path / 'map.db'}"
    _run("ingest", str(_dataset(tmp_path / "v1")), "--store", url)
    newer = (LINKS.replace("a1,ncwu,gefont,affiliated_to,1995,2016,,,doc,p. 6\n", "")
             .replace("100000,EUR", "125000,EUR").replace("p1,ana,ncwu,member_of,2010,", "p1,ana,ncwu,member_of,2011,")
             + "w1,fnv,ncwu,funds,2019,,5000,EUR,doc,p. 9\n")
    _run("ingest", str(_dataset(tmp_path / "v2", newer)), "--store", url, "--source", "grants")
    return url


def test_diff_lists_exactly_what_the_update_did(updated):
    diff = json.loads(_run("diff", "--json", "--store", updated))
    assert diff["counts"] == {"actors": {"added": 0, "removed": 0, "changed": 0},
                              "links": {"added": 1, "removed": 1, "changed": 1}}
    assert [c["id"] for c in diff["links"]["added"]] == ["w1"]
    assert [c["id"] for c in diff["links"]["removed"]] == ["a1"]
    assert diff["links"]["changed"][0]["fields"] == {"amount": {"old": 100000.0, "new": 125000.0}}
    assert diff["links"]["changed"][0]["origins"] == ["grants"]
    text = _run("diff", "--store", updated)
    assert "amount: 100000.0 → 125000.0" in text and "FNV Mondiaal → Nepalese Construction Workers Union" in text


def test_a_person_s_change_is_never_shown_or_counted_below_clearance(updated):
    hidden = _run("diff", "--json", "--store", updated)
    assert "ana" not in json.loads(hidden)["links"]["changed"].__repr__() and "Ana Organiser" not in hidden
    cleared = json.loads(_run("diff", "--json", "--store", updated, "--include-people", "--clearance", "restricted"))
    assert cleared["counts"]["links"]["changed"] == 2
    assert {c["id"] for c in cleared["links"]["changed"]} == {"f1", "p1"}


def test_versions_say_who_when_and_what(updated):
    listing = json.loads(_run("versions", "--json", "--store", updated))
    assert [v["number"] for v in listing["versions"]] == [1, 2]
    assert listing["versions"][1]["counts"]["links_changed"] == 2 and listing["versions"][1]["who"]
    assert "links +/-/~" in _run("versions", "--store", updated)
    assert json.loads(_run("versions", "--json", "--origin", "nothing", "--store", updated))["versions"] == []


def test_since_until_around_and_kind(updated):
    whole = json.loads(_run("diff", "--since", "0", "--json", "--store", updated))
    assert whole["counts"]["actors"]["added"] == 4 and whole["counts"]["links"]["added"] == 3  # people left out
    assert json.loads(_run("diff", "--since", "1", "--until", "1", "--json", "--store", updated))["counts"]["links"] == {
        "added": 0, "removed": 0, "changed": 0}
    near = json.loads(_run("diff", "--around", "GEFONT", "--hops", "0", "--json", "--store", updated))
    assert [c["id"] for c in near["links"]["removed"]] == ["a1"] and not near["links"]["added"]
    funds = json.loads(_run("diff", "--kind", "funds", "--json", "--store", updated))
    assert funds["counts"]["links"] == {"added": 1, "removed": 0, "changed": 1}


@pytest.mark.parametrize("args, message", [
    (["--since", "9"], "version 9 does not exist; the nearest are 2"),
    (["--since", "2", "--until", "1"], "comes after until"),
    (["--since", "yesterday"], "neither a version number nor a date"),
    (["--valid-from", "2015"], "--valid-from and --valid-to go together"),
    (["--valid-from", "2015", "--valid-to", "20x2"], "is not a date"),
    (["--around", "Nobody At All"], "no actor matches"),
    (["--around", "Ana Organiser"], "no actor matches"),      # a hidden person reads as missing
])
def test_bad_input_gets_a_clear_message(updated, args, message):
    result = runner.invoke(app, ["diff", *args, "--store", updated])
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_valid_time_diff_matches_the_links_dates(updated):
    diff = json.loads(_run("diff", "--valid-from", "2010", "--valid-to", "2020", "--json", "--store", updated))
    store = SQLiteStore(updated.removeprefix("sqlite:///"))
    links = [lk for lk in store.iter_links() if lk.source != "ana"]
    expected_removed = {lk.id for lk in links if valid_at(lk, "2010") and not valid_at(lk, "2020")}
    expected_added = {lk.id for lk in links if valid_at(lk, "2020") and not valid_at(lk, "2010")}
    assert {c["id"] for c in diff["links"]["removed"]} == expected_removed == {"f1"}
    assert {c["id"] for c in diff["links"]["added"]} == expected_added == {"w1"}


def test_watch_list_narrows_the_diff(updated, tmp_path):
    _run("watch", "add", "GEFONT", "--store", updated)
    assert json.loads(_run("watch", "list", "--json", "--store", updated))["actors"] == ["gefont"]
    watched = json.loads(_run("diff", "--watched", "--json", "--store", updated))
    assert [c["id"] for c in watched["links"]["removed"]] == ["a1"] and not watched["links"]["changed"]
    _run("watch", "add", "kind:funds", "NP", "--store", updated)
    both = json.loads(_run("diff", "--watched", "--json", "--store", updated))
    assert both["counts"]["links"] == {"added": 1, "removed": 1, "changed": 1}
    _run("watch", "remove", "GEFONT", "kind:funds", "NP", "--store", updated)
    assert json.loads(_run("diff", "--watched", "--json", "--store", updated))["notes"]
    bad = runner.invoke(app, ["watch", "add", "kind:nonsense", "--store", updated])
    assert bad.exit_code == 1 and "is not a kind" in bad.output


def test_pruning_frees_history_and_keeps_the_map(updated):
    before = json.loads(_run("stats", "--json", "--store", updated))
    pruned = json.loads(_run("versions", "--prune", "1", "--json", "--store", updated))
    assert pruned["rows"] > 0 and pruned["pruned_before"] == 1
    assert json.loads(_run("stats", "--json", "--store", updated)) == before
    assert json.loads(_run("diff", "--json", "--store", updated))["counts"]["links"]["changed"] == 1
    gone = runner.invoke(app, ["diff", "--since", "0", "--store", updated])
    assert gone.exit_code == 1 and "history starts at version 1" in gone.output


def test_a_store_written_before_versions_starts_its_history_and_says_so(tmp_path):
    path = tmp_path / "old.db"
    _run("ingest", str(_dataset(tmp_path / "v1")), "--store", f"sqlite:///{path}")
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE history; DROP TABLE versions; DELETE FROM meta WHERE key='history_from';"
                     " PRAGMA user_version=2;")
    db.close()
    diff = runner.invoke(app, ["diff", "--store", f"sqlite:///{path}"])
    assert diff.exit_code == 0 and "history starts here" in diff.output
    listing = json.loads(_run("versions", "--json", "--store", f"sqlite:///{path}"))
    assert listing["versions"][0]["action"] == "start" and listing["history_from"] == 1


def test_analyses_then_and_now(updated):
    now = json.loads(_run("coverage", "FNV Mondiaal", "--json", "--store", updated))
    assert "when" not in now
    then = json.loads(_run("coverage", "FNV Mondiaal", "--version", "1", "--json", "--store", updated))
    assert then["when"]["version"] == 1 and "version 1" in then["when"]["says"]
    reached = lambda answer: {r["actor"]["id"] for r in answer["reached"]}  # noqa: E731
    direct = lambda answer: {r["actor"]["id"] for r in answer["reached"] if len(r["path"]) == 2}  # noqa: E731
    assert "ncwu" in direct(now) and "ncwu" not in direct(then)      # the 2019 grant came with version 2
    old = json.loads(_run("coverage", "FNV Mondiaal", "--as-of", "2010", "--json", "--store", updated))
    new = json.loads(_run("coverage", "FNV Mondiaal", "--as-of", "2020", "--json", "--store", updated))
    assert direct(old) == {"bwi"} and direct(new) == {"ncwu"}   # f1 ended in 2012, w1 began in 2019
    both = json.loads(_run("coverage", "FNV Mondiaal", "--as-of", "2020", "--compare-as-of", "2010", "--json",
                           "--store", updated))
    assert both["compare"]["then"]["as_of"] == "2010" and both["compare"]["changes"]["actors_lost"] == ["bwi"]
    assert reached(both) == reached(new) and reached(both["compare"]["then_answer"]) == reached(old)
    text = _run("paths", "FNV Mondiaal", "GEFONT", "--version", "1", "--store", updated)
    assert "asked of: links valid at any time, the store at version 1" in text
    bad = runner.invoke(app, ["paths", "FNV Mondiaal", "GEFONT", "--version", "5", "--store", updated])
    assert bad.exit_code == 1 and "version 5 does not exist" in bad.output
    bad = runner.invoke(app, ["leverage", "GEFONT", "--as-of", "20x0", "--store", updated])
    assert bad.exit_code == 1 and "is not a date" in bad.output
