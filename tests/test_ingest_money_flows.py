"""Money in IATI files lands where it went: placeholders are no one, identical transactions both count, and a
flow published by both sides counts once, in whichever order the files come."""

from __future__ import annotations

from collections import defaultdict

from graphmodel.kinds import LinkKind
from graphmodel.store.sqlite import SQLiteStore
from tests.ingest_helpers import fixture, ingest, links, read


def _funds(store) -> list:
    return [lk for lk in store.iter_links() if lk.kind is LinkKind.FUNDS]


def test_placeholder_receivers_are_each_programmes_undisclosed_recipient():
    result, ctx = read(fixture("iati", "placeholders-and-repeats.xml"))
    assert not ctx.problems
    names = [a.name for a in result.actors]
    assert not any(n in ("Supplier Name Withheld", "Other.", "TBD") for n in names)
    undisclosed = [a for a in result.actors if a.attributes.get("undisclosed") == "recipient"]
    assert sorted(a.name for a in undisclosed) == ["Undisclosed recipient of Domestic workers, Indonesia",
                                                   "Undisclosed recipient of Garment organising, Bangladesh"]
    received = defaultdict(float)
    for lk in links(result):
        if lk.kind is LinkKind.FUNDS:
            received[lk.target] += lk.amount
    by_id = {a.id: a for a in undisclosed}
    assert {by_id[i].name: v for i, v in received.items() if i in by_id} == {
        "Undisclosed recipient of Garment organising, Bangladesh": 5000.0,
        "Undisclosed recipient of Domestic workers, Indonesia": 1100.0}  # 700 + 300 + 100: no money lost
    assert any("undisclosed recipient" in n for n in result.notes)


def test_two_identical_transactions_in_one_activity_are_two_flows():
    result, _ = read(fixture("iati", "placeholders-and-repeats.xml"))
    awaj = next(a for a in result.actors if a.name == "Awaj Example Foundation")
    to_awaj = [lk for lk in links(result) if lk.target == awaj.id and lk.kind is LinkKind.FUNDS]
    assert len(to_awaj) == 2 and sum(lk.amount for lk in to_awaj) == 5000.0


def test_a_flow_both_sides_publish_counts_once_in_either_order(tmp_path):
    hashes, totals = [], []
    for n, order in enumerate((("funder-side.xml", "grantee-side.xml"), ("grantee-side.xml", "funder-side.xml"))):
        store = SQLiteStore(tmp_path / f"m{n}.db")
        for name in order:
            ingest(store, fixture("iati", name))
        flows = [lk for lk in _funds(store) if lk.attributes.get("flow")]
        moved = sum(lk.amount for lk in flows if "moved" in lk.attributes["flow"])
        promised = sum(lk.amount for lk in flows if "promised" in lk.attributes["flow"])
        totals.append((moved, promised, len(flows)))
        both = [lk for lk in flows if len({c.source for c in lk.citations}) == 2]
        assert len(both) == 3, "each flow is cited by both files"
        hashes.append((sorted((a.id, a.kind.value) for a in store.iter_actors()),
                       sorted((lk.id, lk.source, lk.target, lk.amount, lk.currency) for lk in store.iter_links())))
        store.close()
    assert totals == [(3000.0, 3000.0, 3)] * 2
    assert hashes[0] == hashes[1]


def test_the_same_files_in_one_run_or_two_give_one_store(tmp_path):
    one_run = SQLiteStore(tmp_path / "a.db")
    ingest(one_run, fixture("iati", "grantee-side.xml"), fixture("iati", "funder-side.xml"),
           fixture("iati", "placeholders-and-repeats.xml"))
    two_runs = SQLiteStore(tmp_path / "b.db")
    for name in ("placeholders-and-repeats.xml", "funder-side.xml", "grantee-side.xml"):
        ingest(two_runs, fixture("iati", name))
    actors = lambda s: sorted((a.id, a.kind.value) for a in s.iter_actors())  # noqa: E731
    flows = lambda s: sorted((lk.id, lk.amount) for lk in s.iter_links())  # noqa: E731
    assert actors(one_run) == actors(two_runs) and flows(one_run) == flows(two_runs)
