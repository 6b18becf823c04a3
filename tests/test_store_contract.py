"""The store contract, written once and run on every backend (see conftest.STORE_BACKENDS)."""

from __future__ import annotations

import pytest

from graphmodel.errors import AmbiguousError, NotFoundError
from graphmodel.models import Actor, Citation, Link, Source
from graphmodel.resolve import resolve_actor
from graphmodel.store import Batch

ORIGIN_A = Source(id="origin-a", title="Dataset A", kind="dataset")
ORIGIN_B = Source(id="origin-b", title="Dataset B", kind="dataset")
DOC = Source(id="doc-1", title="A report", kind="document", publisher="Someone", year=2021)


def actor(actor_id: str, kind: str = "union", name: str | None = None, **kw) -> Actor:
    return Actor(id=actor_id, kind=kind, name=name or actor_id.upper(), **kw)


def link(source: str, target: str, kind: str = "supports", **kw) -> Link:
    return Link(kind=kind, source=source, target=target,
                citations=kw.pop("citations", [Citation(source="doc-1", locator="p. 1", note="n")]), **kw)


def base_batch(origin: Source = ORIGIN_A) -> Batch:
    actors = [
        actor("bwi", "guf", "Building and Wood Workers' International", aliases=["BWI"]),
        actor("mtuc", "national_centre", "Malaysian Trades Union Congress", aliases=["MTUC"], country="MY"),
        actor("fnv", "sso", "FNV Mondiaal", country="NL", identifiers={"wikidata": "Q2457291"}),
        actor("cgt", "union", "Confédération Générale du Travail", country="FR"),
    ]
    links = [
        link("fnv", "bwi", "funds", start="2006", amount=100000, currency="EUR"),
        link("bwi", "mtuc", "supports", start="2008-05"),
        link("mtuc", "bwi", "affiliated_to"),
    ]
    return Batch(origin, actors, links, [DOC])


def test_write_then_read(store):
    store.write(base_batch())
    stats = store.stats()
    assert (stats.actors, stats.links) == (4, 3)
    assert stats.actors_by_kind["guf"] == 1
    assert stats.records_by_origin["origin-a"] == {"actors": 4, "links": 3}
    # most first, ties by name: on both backends, whichever way each counts them
    assert list(stats.links_by_kind.items()) == [("affiliated_to", 1), ("funds", 1), ("supports", 1)]
    bwi = store.get_actor("bwi")
    assert bwi.name == "Building and Wood Workers' International" and bwi.aliases == ["BWI"]
    funds = [lk for lk in store.links_of("fnv") if lk.kind.value == "funds"][0]
    assert (funds.amount, funds.currency, funds.start) == (100000, "EUR", "2006")
    assert funds.citations == [Citation(source="doc-1", locator="p. 1", note="n")]
    assert store.get_link(funds.id) == funds
    assert {s.id for s in store.sources()} == {"origin-a", "doc-1"}


def test_upsert_is_idempotent(store):
    store.write(base_batch())
    before = store.content_hash()
    store.write(base_batch())
    assert store.content_hash() == before
    assert store.stats().links == 3


def test_failed_write_changes_nothing(store):
    store.write(base_batch())
    before = store.content_hash()
    bad = base_batch()
    bad.links.append(link("bwi", "no-such-actor"))  # a link to a missing actor fails the write
    with pytest.raises(Exception):
        store.write(bad)
    assert store.content_hash() == before


def test_replace_by_source_touches_only_its_source(store):
    store.write(base_batch(ORIGIN_A))
    other = Batch(ORIGIN_B, [actor("gefont", "national_centre", "GEFONT", country="NP"), actor("bwi", "guf", "BWI global")],
                  [link("bwi", "gefont", "supports")], [DOC])
    store.write(other)
    # Re-ingest A without MTUC and its links.
    smaller = base_batch(ORIGIN_A)
    smaller.actors = [a for a in smaller.actors if a.id != "mtuc"]
    smaller.links = [lk for lk in smaller.links if "mtuc" not in (lk.source, lk.target)]
    result = store.write(smaller)
    assert result.links_removed == 2 and result.actors_removed == 1
    assert store.get_actor("mtuc") is None
    assert store.get_actor("gefont") is not None
    assert {(lk.source, lk.target) for lk in store.links_of("bwi")} == {("fnv", "bwi"), ("bwi", "gefont")}
    assert store.origins_of("bwi") == ["origin-a", "origin-b"]


def test_shared_actor_keeps_other_claims(store):
    store.write(base_batch(ORIGIN_A))
    store.write(Batch(ORIGIN_B, [actor("bwi", "guf", "Building and Wood Workers' International", aliases=["IFBWW successor"])], []))
    assert set(store.get_actor("bwi").aliases) == {"BWI", "IFBWW successor"}
    store.remove_origin("origin-b")
    assert store.get_actor("bwi").aliases == ["BWI"]
    store.remove_origin("origin-a")
    assert store.stats().actors == 0 and store.stats().links == 0


def test_lookup_by_name_alias_identifier_case_and_accents(store):
    store.write(base_batch())
    assert [a.id for a in store.find_actors("mtuc")] == ["mtuc"]
    assert [a.id for a in store.find_actors("malaysian trades union congress")] == ["mtuc"]
    assert [a.id for a in store.find_actors("confederation generale du travail")] == ["cgt"]
    assert [a.id for a in store.find_actors("CONFÉDÉRATION GÉNÉRALE DU TRAVAIL")] == ["cgt"]
    assert store.actor_by_identifier("wikidata", "q2457291").id == "fnv"
    assert [a.id for a in store.search_actors("trades")] == ["mtuc"]
    assert resolve_actor(store, "BWI").id == "bwi"


def test_resolve_reports_suggestions_and_ambiguity(store):
    store.write(base_batch())
    with pytest.raises(NotFoundError) as missing:
        resolve_actor(store, "Malaysian Trade Union")
    assert any("mtuc" in s for s in missing.value.suggestions)
    store.write(Batch(ORIGIN_B, [actor("mtuc-2", "union", "MTUC", country="MY")], []))
    with pytest.raises(AmbiguousError) as twice:
        resolve_actor(store, "MTUC")
    assert resolve_actor(store, "mtuc").id == "mtuc"  # an exact id wins
    assert set(twice.value.candidates) == {"mtuc", "mtuc-2"}


def test_neighbourhood(store):
    store.write(base_batch())
    one = store.neighbourhood(["fnv"], hops=1)
    assert set(one.actors) == {"fnv", "bwi"}
    two = store.neighbourhood(["fnv"], hops=2)
    assert set(two.actors) == {"fnv", "bwi", "mtuc"}
    assert len(two.links) == 3


def test_fingerprint_changes_on_write(store):
    first = store.fingerprint()
    store.write(base_batch())
    second = store.fingerprint()
    assert first != second
    assert store.fingerprint() == second


def test_iterators_return_everything(store):
    store.write(base_batch())
    assert sorted(a.id for a in store.iter_actors()) == ["bwi", "cgt", "fnv", "mtuc"]
    links = list(store.iter_links())
    assert len(links) == 3 and all(lk.citations for lk in links)


def test_write_all_is_atomic_across_batches(store):
    good = base_batch(ORIGIN_A)
    bad = Batch(ORIGIN_B, [actor("x", "union", "X")], [link("x", "missing")], [DOC])
    with pytest.raises(Exception):
        store.write_all([good, bad])
    assert store.stats().actors == 0


def test_hostile_names_round_trip(store):
    names = ["Robert'); DROP TABLE actors;--", "<script>alert(1)</script>", "MATCH (n) DETACH DELETE n",
             "=cmd|' /C calc'!A0", "名字 \u202e reversed", 'quote " and \\ backslash']
    batch = Batch(ORIGIN_A, [actor(f"h{i}", "ngo", name) for i, name in enumerate(names)], [], [])
    store.write(batch)
    assert [store.get_actor(a.id) for a in batch.actors] == batch.actors
    assert store.stats().actors == len(names)


def test_shared_link_keeps_every_origins_citations(store):
    cite_a, cite_b = Citation(source="doc-1", locator="p. 1", note="n"), Citation(source="doc-1", locator="p. 9")
    shared_a = Batch(ORIGIN_A, [actor("bwi", "guf"), actor("mtuc", "national_centre")],
                     [link("bwi", "mtuc", citations=[cite_a])], [DOC])
    shared_b = Batch(ORIGIN_B, [actor("bwi", "guf"), actor("mtuc", "national_centre")],
                     [link("bwi", "mtuc", citations=[cite_b])], [DOC])
    store.write(shared_a)
    store.write(shared_b)
    both = store.content_hash()
    (only,) = store.links_of("bwi")
    assert only.citations == [cite_a, cite_b]
    assert store.origins_of(only.id) == ["origin-a", "origin-b"]
    assert store.stats().records_by_origin == {"origin-a": {"actors": 2, "links": 1},
                                               "origin-b": {"actors": 2, "links": 1}}
    store.write(shared_b)  # re-writing the second claim changes nothing
    assert store.content_hash() == both
    store.remove_origin("origin-a")  # the first claim goes: the link stays, with B's citations
    (only,) = store.links_of("bwi")
    assert only.citations == [cite_b] and store.origins_of(only.id) == ["origin-b"]
    store.write(shared_a)  # written in the other order: the same content as before
    assert store.content_hash() == both
    store.write(Batch(ORIGIN_A, [], []))  # A now claims nothing: B's claim alone remains
    assert store.links_of("bwi")[0].citations == [cite_b]
    store.remove_origin("origin-b")
    assert store.stats().links == 0


def test_links_and_cited_sources_by_id(store):
    other = Source(id="doc-2", title="Another report", kind="document")
    batch = base_batch()
    batch.links.append(link("cgt", "fnv", citations=[Citation(source="doc-2", locator="p. 3")]))
    batch.actors.append(actor("ktu", citations=[Citation(source="doc-2", locator="annex")]))
    batch.sources.append(other)
    store.write(batch)
    ids = [lk.id for lk in batch.links]
    wanted = [ids[3], "no-such-link", ids[0]]
    found = store.get_links(wanted)
    assert list(found) == [ids[3], ids[0]]  # in the order asked, unknown ids left out
    assert found[ids[0]] == store.get_link(ids[0])
    assert store.cited_sources([], [ids[3]]) == {"doc-2"}
    assert store.cited_sources(["bwi"], [ids[0]]) == {"doc-1"}
    assert store.cited_sources(["ktu", "no-such-actor"], []) == {"doc-2"}
    assert store.cited_sources(["bwi", "cgt"], ids) == {"doc-1", "doc-2"}
    assert store.cited_sources([], []) == set()
    assert store.citing(["doc-2"]) == {"doc-2": ({"ktu"}, {ids[3]})}
    assert store.citing(["doc-1", "no-such-source"]) == {"doc-1": (set(), set(ids[:3])),
                                                        "no-such-source": (set(), set())}


def test_a_link_written_again_with_another_kind_replaces_it(store):
    store.write(Batch(ORIGIN_A, [actor("bwi", "guf"), actor("mtuc", "national_centre")],
                      [Link(id="pact", kind="supports", source="bwi", target="mtuc")]))
    store.write(Batch(ORIGIN_A, [actor("bwi", "guf"), actor("mtuc", "national_centre")],
                      [Link(id="pact", kind="partners_with", source="bwi", target="mtuc")]))
    assert [(lk.id, lk.kind.value) for lk in store.links_of("bwi")] == [("pact", "partners_with")]
    assert store.stats().links == 1 and store.get_link("pact").kind.value == "partners_with"
    store.write(Batch(ORIGIN_B, [actor("bwi", "guf"), actor("mtuc", "national_centre")],
                      [Link(id="pact", kind="supports", source="mtuc", target="bwi")]))  # another origin, turned
    (only,) = store.links_of("bwi")
    assert (only.kind.value, only.source, only.target) == ("supports", "mtuc", "bwi")
    assert store.origins_of("pact") == ["origin-a", "origin-b"] and store.stats().links == 1


def test_a_write_computed_before_another_writer_wrote_is_refused(store):
    """``expect``: the fingerprint the batches were computed against, checked under the write lock."""
    from graphmodel.errors import StoreChanged

    before = store.fingerprint()
    store.write(base_batch())
    after = store.content_hash()
    with pytest.raises(StoreChanged):
        store.write_all([base_batch(ORIGIN_B)], expect=before)
    assert store.content_hash() == after  # nothing of the refused write is there
    store.write_all([base_batch(ORIGIN_B)], expect=store.fingerprint())
    assert store.stats().records_by_origin["origin-b"] == {"actors": 4, "links": 3}


def test_an_actor_claimed_by_two_origins_does_not_depend_on_their_order(store):
    a = Batch(ORIGIN_A, [actor("x", "union", "MTUC", attributes={"members": 800})], [])
    b = Batch(ORIGIN_B, [actor("x", "other", "Malaysian Trades Union Congress", country="MY",
                               attributes={"kind_guessed": True})], [])

    def written(*batches: Batch) -> Actor:
        for origin in ("origin-a", "origin-b"):
            store.remove_origin(origin)
        for batch in batches:
            store.write(batch)
        return store.get_actor("x")

    first = written(a, b)
    assert (first.kind.value, first.name, first.country) == ("union", "MTUC", "MY")  # the stated kind leads
    assert first.aliases == ["Malaysian Trades Union Congress"] and first.attributes["members"] == 800
    assert not first.attributes["kind_guessed"]
    assert written(b, a) == first
    assert written(a, b, a) == first  # writing one origin again does not reorder anything


def test_a_link_claimed_by_two_origins_does_not_depend_on_their_order(store):
    def written(*origins: Source) -> Link:
        for origin in (ORIGIN_A, ORIGIN_B):
            store.remove_origin(origin.id)
        for origin in origins:
            note = "as origin A says" if origin is ORIGIN_A else "as origin B says"
            store.write(Batch(origin, [actor("fnv", "sso"), actor("bwi", "guf")],
                              [link("fnv", "bwi", "funds", start="2020", description=note)], [DOC]))
        return next(iter(store.iter_links()))

    first = written(ORIGIN_A, ORIGIN_B)
    assert first.description == "as origin B says"  # the greatest origin id leads
    again = written(ORIGIN_B, ORIGIN_A)
    assert (again.description, again.id) == (first.description, first.id)
