"""Neighbourhoods found on a projection are exactly those found by walking the store.

The dashboard selects and counts exports on its in-memory projection; the command
line walks the store. On random maps, clearances and filters, both give the same
actors and links in the same order, the same sources, and the same counts.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from graphmodel.analysis import Projection
from graphmodel.export import select_subgraph
from graphmodel.export.projected import Tally
from graphmodel.export.selection import ActorFilter, LinkFilter, Selection
from graphmodel.kinds import Confidence, LinkKind, Sensitivity
from graphmodel.models import Actor, Citation, Link, Source
from graphmodel.store.contract import Batch
from graphmodel.store.sqlite import SQLiteStore

KINDS = ["brand", "supplier", "facility", "union", "ngo", "person", "guf"]
COUNTRIES = ["BD", "KH", "MY"]
LINK_KINDS = [LinkKind.SOURCES_FROM, LinkKind.FUNDS, LinkKind.SUPPORTS, LinkKind.AFFILIATED_TO, LinkKind.OWNS]
SENS = list(Sensitivity)
DOCS = [Source(id="doc-1", title="One", kind="document"), Source(id="doc-2", title="Two", kind="document")]
DATES = [None, "2004", "2008-05", "2010", "2012-11-02", "2016"]


@st.composite
def maps(draw):
    n = draw(st.integers(2, 16))
    actors = [Actor(id=f"a{i:02d}", kind=draw(st.sampled_from(KINDS)), name=f"Actor {i}",
                    country=draw(st.sampled_from([None, *COUNTRIES])),
                    countries=draw(st.lists(st.sampled_from(COUNTRIES), max_size=1)),
                    sensitivity=draw(st.sampled_from(SENS)),
                    citations=[Citation(source=draw(st.sampled_from(["doc-1", "doc-2"])), locator=f"row {i}")])
              for i in range(n)]
    links = []
    for j in range(draw(st.integers(0, 40))):
        s, t = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        if s == t:
            continue
        start, end = sorted(draw(st.lists(st.sampled_from(DATES[1:]), min_size=2, max_size=2)))
        links.append(Link(id=f"l{j:02d}", kind=draw(st.sampled_from(LINK_KINDS)), source=actors[s].id,
                          target=actors[t].id, start=draw(st.sampled_from([None, start])),
                          end=draw(st.sampled_from([None, end])), confidence=draw(st.sampled_from(list(Confidence))),
                          sensitivity=draw(st.sampled_from(SENS)),
                          citations=[Citation(source=draw(st.sampled_from(["doc-1", "doc-2"])), locator=f"l{j}")]))
    return actors, links


@st.composite
def selections(draw, actors):
    clearance = draw(st.sampled_from(SENS))
    people = draw(st.booleans())
    probe = Selection(clearance=clearance, include_people=people).clearance_of
    shown = [a.id for a in actors if probe.sees_actor(a)]
    around = draw(st.lists(st.sampled_from(shown), min_size=1, max_size=2, unique=True)) if shown else []
    return Selection(around=around, hops=draw(st.integers(0, 3)), clearance=clearance, include_people=people,
                     link_kinds=draw(st.lists(st.sampled_from(LINK_KINDS), max_size=2, unique=True)),
                     confidence=draw(st.lists(st.sampled_from(list(Confidence)), max_size=2, unique=True)),
                     as_of=draw(st.sampled_from([None, "2009", "2012-11"])),
                     kinds=draw(st.lists(st.sampled_from(KINDS), max_size=2, unique=True)),
                     countries=draw(st.lists(st.sampled_from(COUNTRIES), max_size=1)))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_projection_selects_what_the_store_walk_selects(data):
    actors, links = data.draw(maps())
    store = SQLiteStore(":memory:")
    store.write(Batch(Source(id="origin", title="Random map", kind="dataset"), actors, links, DOCS))
    sel = data.draw(selections(actors))
    if not sel.around:
        return
    proj = Projection.from_store(store)
    if data.draw(st.booleans()):  # a projection already restricted to the user, as the dashboard's is
        proj = proj.restrict(sel.clearance)
    walked = select_subgraph(store, sel)
    projected = select_subgraph(store, sel, projection=proj)
    assert list(projected.actors) == list(walked.actors)
    assert list(projected.links) == list(walked.links)
    assert projected.actors == walked.actors and projected.links == walked.links
    assert [s.id for s in projected.sources] == [s.id for s in walked.sources]

    tally = Tally()
    tally.add_around(proj, sel.around, sel.hops, sel.clearance_of, LinkFilter.of(sel))
    tally.prune(proj, ActorFilter.of(sel), set(sel.around))
    assert list(tally.actors) == list(walked.actors) and list(tally.links) == list(walked.links)
    kinds: dict[str, int] = {}
    for a in walked.actors.values():
        kinds[a.kind.value] = kinds.get(a.kind.value, 0) + 1
    assert tally.kinds(proj) == kinds
    cited = store.cited_sources(list(tally.actors), list(tally.links))
    assert sorted(s.id for s in store.sources() if s.id in cited) == sorted(s.id for s in walked.sources)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_on_the_whole_stores_projection_the_withheld_counts_are_the_store_walks(data):
    """The command line finds a neighbourhood on the projection of the whole store and counts there what
    the clearance withholds: the same records withheld, for the same reasons, as walking the store."""
    actors, links = data.draw(maps())
    store = SQLiteStore(":memory:")
    store.write(Batch(Source(id="origin", title="Random map", kind="dataset"), actors, links, DOCS))
    sel = data.draw(selections(actors))
    if not sel.around:
        return
    walked = select_subgraph(store, sel)
    projected = select_subgraph(store, sel, projection=Projection.from_store(store), whole=True)
    assert list(projected.actors) == list(walked.actors) and list(projected.links) == list(walked.links)
    assert projected.actors == walked.actors and projected.links == walked.links
    assert projected.redaction.actor_ids == walked.redaction.actor_ids
    assert projected.redaction.link_ids == walked.redaction.link_ids
    assert projected.redaction.as_dict() == walked.redaction.as_dict()
