"""The reconciliation ledger, over every reader: money in = money written + money set aside; ingesting a set
of files in any order gives the same map; ingesting twice changes nothing; the ledger shows in the command
line's summary and --json, in `stakemap stats` and on the overview for administrators."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from graphmodel.store.sqlite import SQLiteStore
from stakemap.cli import app
from tests.ingest_helpers import fixture, ingest, read

#: A good file of every reader (some with placeholders, repeats, merged rows and money set aside).
GOOD = [fixture(*p) for p in (
    ("iati", "union-grants-2.03.xml"), ("iati", "placeholders-and-repeats.xml"), ("iati", "funder-side.xml"),
    ("iati", "grantee-side.xml"), ("iati", "legacy-1.05.xml"), ("ftm", "payments.ijson"),
    ("ftm", "entities.ftm.json"), ("oshub", "facilities-download-typed.csv"), ("oshub", "list-upload.csv"),
    ("supplier_lists", "multibrand-suppliers-2024-01.csv"), ("gexf", "gexf-1.3.gexf"),
    ("graphml", "quirks.graphml"), ("kumu", "solidarity-map.xlsx"), ("kumu", "blueprint.json"),
)]


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_every_readers_ledger_adds_up(path):
    result, _ = read(path)
    ledger = result.ledger
    assert ledger is not None and not ledger.check(), ledger.check()
    for cur, m in ledger.money().items():
        if m["stated"] is not None:
            assert m["reconciles"], (path.name, cur, m)


def _map(store) -> tuple:
    return (sorted((a.id, a.kind.value) for a in store.iter_actors()),
            sorted((lk.id, lk.kind.value, lk.source, lk.target, lk.amount, lk.currency) for lk in store.iter_links()))


#: Files whose records meet by identifiers (IATI refs, os_ids) and by names of one kind, from several readers.
MEETING = [p for p in GOOD if p.parent.name == "iati"] + [fixture(*p) for p in (
    ("ftm", "payments.ijson"), ("oshub", "facilities-download-typed.csv"), ("oshub", "list-upload.csv"),
    ("supplier_lists", "multibrand-suppliers-2024-01.csv"), ("gexf", "gexf-1.3.gexf"))]


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.permutations(list(range(len(MEETING)))))
def test_any_order_gives_the_same_map_and_again_changes_nothing(tmp_path_factory, order):
    files = [MEETING[i] for i in order]
    baseline = SQLiteStore(tmp_path_factory.mktemp("base") / "m.db")
    for f in MEETING:
        ingest(baseline, f, skip_invalid=True)
    expected = _map(baseline)
    baseline.close()
    store = SQLiteStore(tmp_path_factory.mktemp("perm") / "m.db")
    for f in files:
        report = ingest(store, f, skip_invalid=True)
        assert all(fr.ledger.get("reconciles", True) for fr in report.files)
    assert _map(store) == expected
    before = store.content_hash()
    for f in files:  # the same ingests again, in the same order: nothing changes
        ingest(store, f, skip_invalid=True)
    assert store.content_hash() == before
    store.close()


def test_money_that_cannot_be_read_is_set_aside_with_its_place_and_reason(sqlite_store):
    result, ctx = read(fixture("iati", "bad-values.xml"))
    ledger = result.ledger.as_dict()
    assert ledger["reconciles"] and ledger["set_aside"]
    assert all(item["where"].startswith("bad-values.xml:") and item["why"] for item in ledger["set_aside"])
    rejected = [i for i in ledger["set_aside"] if i["why"].startswith("rejected:")]
    assert rejected and {p.file for p in ctx.problems} == {"bad-values.xml"}
    with pytest.raises(Exception):  # without --skip-invalid nothing loads
        ingest(sqlite_store, fixture("iati", "bad-values.xml"))
    assert sqlite_store.stats().actors == 0
    report = ingest(sqlite_store, fixture("iati", "bad-values.xml"), skip_invalid=True)
    assert report.files[0].ledger["reconciles"] and sqlite_store.stats().actors > 0


def test_the_ledger_in_the_summary_json_stats_and_overview(tmp_path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'm.db'}"
    done = runner.invoke(app, ["ingest", str(fixture("iati", "placeholders-and-repeats.xml")), "--store", db])
    assert done.exit_code == 0, done.output
    assert "ledger placeholders-and-repeats.xml: money EUR: stated 11,100.00 = written 11,100.00" in \
        " ".join(done.output.split())
    done = runner.invoke(app, ["ingest", str(fixture("ftm", "payments.ijson")), "--store", db, "--json"])
    payload = json.loads(done.output)
    ledger = payload["files"][0]["ledger"]
    assert ledger["money"]["XYZ"] == {"stated": 75.0, "written": 0.0, "set_aside": 75.0, "reconciles": True}
    assert any(i["why"] == "the payment's currency is not ISO 4217" for i in ledger["set_aside"])
    stats = json.loads(runner.invoke(app, ["stats", "--store", db, "--json"]).output)
    assert set(stats["ledgers"]) == {"placeholders-and-repeats", "payments"}
    assert stats["ledgers"]["payments"]["files"][0]["money"]["GBP"]["written"] == 500.0
    text = runner.invoke(app, ["stats", "--store", db]).output
    assert "ledger payments (payments.ijson)" in text

    from dashboard import data
    from dashboard.access import LOCAL_VIEWER, Viewer
    from graphmodel.kinds import Sensitivity

    data.configure(db)
    try:
        assert set(data.overview(LOCAL_VIEWER)["ledgers"]) == {"placeholders-and-repeats", "payments"}
        viewer = Viewer("v", "viewer", Sensitivity.INTERNAL, False, False)
        assert data.overview(viewer)["ledgers"] == {}
    finally:
        data.configure(db)


def test_an_empty_store_reports_no_merges_with_existing_actors(tmp_path):
    runner = CliRunner()
    done = runner.invoke(app, ["ingest", str(fixture("iati", "funder-side.xml")), "--store",
                               f"sqlite:///{tmp_path / 'm.db'}"])
    assert done.exit_code == 0 and "merged with existing actors" not in done.output
    assert "records merged into" not in done.output


def _money_and_links(store) -> tuple:
    totals: dict[str, float] = {}
    for lk in store.iter_links():
        if lk.amount is not None:
            totals[lk.currency] = round(totals.get(lk.currency, 0.0) + lk.amount, 2)
    return store.stats().links, totals, sorted(lk.kind.value for lk in store.iter_links())


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.permutations(list(range(len(GOOD)))))
def test_every_reader_in_any_order_writes_the_same_links_and_money(tmp_path_factory, order):
    """Over every reader's files, the links and the money written do not depend on the order of ingest, and
    ingesting them all again, in any order, changes nothing
    (which record's id an actor keeps when files merge by name can: see the README's "The order of files")."""
    stores = []
    for files in (GOOD, [GOOD[i] for i in order]):
        store = SQLiteStore(tmp_path_factory.mktemp("all") / "m.db")
        for f in files:
            ingest(store, f, skip_invalid=True)
        stores.append(_money_and_links(store))
        before = store.content_hash()
        for f in reversed(files):  # every file again, in another order: nothing changes
            ingest(store, f, skip_invalid=True)
        assert store.content_hash() == before
        store.close()
    assert stores[0] == stores[1]


def test_a_links_table_states_its_money_and_every_row_is_accounted_for(sqlite_store):
    actors, links = fixture("tabular", "actors-for-money.csv"), fixture("tabular", "links-with-money.csv")
    with pytest.raises(Exception):  # without --skip-invalid nothing loads
        ingest(sqlite_store, actors, links)
    assert sqlite_store.stats().links == 0
    report = ingest(sqlite_store, actors, links, skip_invalid=True)
    ledger = next(f.ledger for f in report.files if f.path.endswith("links-with-money.csv"))
    assert ledger["money_tracked"] and ledger["reconciles"]
    assert ledger["money"]["EUR"] == {"stated": 202460.5, "written": 102500.5, "set_aside": 99960.0,
                                      "reconciles": True}  # the repeated row's 100,000 and the -40
    assert ledger["money"]["USD"] == {"stated": 700.0, "written": 0.0, "set_aside": 700.0, "reconciles": True}
    whys = {item["where"].rsplit(":", 1)[1]: item["why"] for item in ledger["set_aside"]}
    assert whys["3"].startswith("the same link as row 2") and "Nobody Known" in whys["6"]
    assert {"5", "7", "8", "9"} <= set(whys) and all(whys[r].startswith("rejected:") for r in ("5", "6", "7", "8", "9"))
    records = ledger["records"]
    assert (records["read"], records["written"], records["rejected"]) == (8, 3, 5)  # the repeat adds its sources
