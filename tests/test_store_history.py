"""Versions and history on every backend: what each write changed, the map at a version, pruning."""

from __future__ import annotations

import pytest

from graphmodel.errors import StoreError
from graphmodel.store import Batch
from graphmodel.store.versioned import StoreAtVersion, changes, resolve_version
from tests.test_store_contract import ORIGIN_A, ORIGIN_B, actor, base_batch, link


def _amount_changed(batch: Batch, amount: float) -> Batch:
    funds = next(lk for lk in batch.links if lk.kind.value == "funds")
    batch.links[batch.links.index(funds)] = funds.model_copy(update={"amount": amount})
    return batch


def _three_changes() -> Batch:
    """Base batch again with one link removed, one added and one amount changed."""
    batch = _amount_changed(base_batch(), 125000)
    batch.links = [lk for lk in batch.links if lk.kind.value != "affiliated_to"]
    batch.links.append(link("cgt", "bwi", "affiliated_to", start="2012"))
    return batch


def test_every_write_is_a_numbered_version_with_who_and_counts(store):
    store.write_all([base_batch()], who="ana")
    store.write_all([base_batch()], who="ben")          # the same again: a version that changed nothing
    versions = store.versions()
    assert [v.number for v in versions] == [1, 2]
    assert [v.who for v in versions] == ["ana", "ben"]
    assert versions[0].origins == ("origin-a",) and versions[0].action == "ingest"
    assert versions[0].counts["actors_added"] == 4 and versions[0].counts["links_added"] == 3
    assert sum(versions[1].counts.values()) == 0
    assert store.history_from() == 0


def test_diff_lists_exactly_the_link_removed_added_and_changed(store):
    store.write_all([base_batch()], who="ana")
    store.write_all([_three_changes()], who="ana")
    found = changes(store, 1, 2)
    assert sorted((c.record, c.status) for c in found) == [("link", "added"), ("link", "changed"), ("link", "removed")]
    changed = next(c for c in found if c.status == "changed")
    assert changed.fields() == {"amount": (100000.0, 125000.0)}
    assert changed.origins == ["origin-a"] and changed.versions == [2]
    assert next(c for c in found if c.status == "removed").before.kind.value == "affiliated_to"
    assert changes(store, 2) == []
    assert {(c.record, c.status) for c in changes(store, 0)} == {("actor", "added"), ("link", "added")}


def test_the_map_at_an_earlier_version(store):
    store.write_all([base_batch()])
    store.write_all([_three_changes()])
    then = StoreAtVersion(store, 1)
    assert then.stats().links == 3 and store.stats().links == 3
    funds = next(lk for lk in then.links_of("fnv") if lk.kind.value == "funds")
    assert funds.amount == 100000
    assert {lk.kind.value for lk in then.links_of("bwi")} == {"funds", "supports", "affiliated_to"}
    assert not [lk for lk in then.links_of("cgt")]
    assert {a.id for a in StoreAtVersion(store, 0).iter_actors()} == set()


def test_removing_an_origin_and_a_second_origin_are_versions_too(store):
    store.write_all([base_batch(ORIGIN_A)])
    other = Batch(ORIGIN_B, [actor("gefont", "national_centre", "GEFONT", country="NP")], [link("bwi", "gefont")], [])
    store.write_all([other])
    store.remove_origin("origin-b", who="ana")
    last = store.versions()[-1]
    assert (last.action, last.origins, last.who) == ("remove", ("origin-b",), "ana")
    gone = changes(store, 2, 3)
    assert {(c.record, c.id, c.status) for c in gone} >= {("actor", "gefont", "removed")}
    assert [c.origins for c in gone] == [["origin-b"]] * len(gone)


def test_pruning_keeps_the_current_state_and_later_history(store):
    store.write_all([base_batch()])
    store.write_all([_amount_changed(base_batch(), 1)])
    store.write_all([_amount_changed(base_batch(), 2)])
    before = store.content_hash()
    freed = store.prune_history(2)
    assert freed["rows"] >= 1
    assert store.content_hash() == before
    assert store.history_from() == 2
    assert [c.fields()["amount"] for c in changes(store, 2, 3)] == [(1.0, 2.0)]
    with pytest.raises(StoreError, match="history starts at version 2"):
        resolve_version(store, "1")


def test_naming_versions(store):
    store.write_all([base_batch()])
    store.write_all([_amount_changed(base_batch(), 1)])
    assert resolve_version(store, "2") == 2 and resolve_version(store, None) is None
    assert resolve_version(store, "1999-01-01") == 0
    assert resolve_version(store, "2999-01-01") == 2
    with pytest.raises(StoreError, match=r"version 7 does not exist; the nearest are 2 \("):
        resolve_version(store, "7")
    with pytest.raises(StoreError, match="neither a version number nor a date"):
        resolve_version(store, "last tuesday")
    with pytest.raises(StoreError, match="comes after"):
        changes(store, 2, 1)


def test_a_failed_write_makes_no_version(store):
    store.write_all([base_batch()])
    bad = base_batch()
    bad.links.append(link("bwi", "no-such-actor"))
    with pytest.raises(Exception):
        store.write_all([bad])
    assert [v.number for v in store.versions()] == [1]
    assert changes(store, 1) == []


def test_documents_are_kept_replaced_and_deleted_each_write_a_version(store):
    store.write_all([base_batch()], docs={"review": {"r1": {"a": "x"}, "r2": {"a": "y"}}})
    assert store.docs("review") == {"r1": {"a": "x"}, "r2": {"a": "y"}}
    made = store.write_docs({"judgement": {"bwi|mtuc": {"verdict": "different"}}, "review": {"r1": None}},
                            who="ana", action="judgement", note="not the same")
    assert (made.number, made.action, made.who, made.note) == (2, "judgement", "ana", "not the same")
    assert store.docs("review") == {"r2": {"a": "y"}}
    assert store.docs("judgement") == {"bwi|mtuc": {"verdict": "different"}}
    store.write_docs({"judgement": {"bwi|mtuc": {"verdict": "same"}}})
    assert store.docs("judgement") == {"bwi|mtuc": {"verdict": "same"}}
    assert store.docs("nothing") == {}
    assert store.stats().actors == 4


def test_an_origin_batch_writes_the_origin_again_unchanged(store):
    store.write_all([base_batch(ORIGIN_A)])
    other = Batch(ORIGIN_B, [actor("gefont", "national_centre", "GEFONT", country="NP"), actor("bwi", "guf", "BWI global")],
                  [link("bwi", "gefont", "supports"), link("fnv", "bwi", "funds", start="2006", amount=1, currency="EUR")],
                  [])
    store.write_all([other])
    before = store.content_hash()
    again = store.origin_batch("origin-b")
    assert {a.id for a in again.actors} == {"gefont", "bwi"} and again.origin.id == "origin-b"
    assert next(a for a in again.actors if a.id == "bwi").name == "BWI global"   # its own claim, not the merge
    assert len(again.links) == 2 and {s.id for s in again.sources} == {"doc-1"}
    store.write_all([again])
    assert store.content_hash() == before and sum(store.versions()[-1].counts.values()) == 0
    assert store.origin_batch("nobody") is None
