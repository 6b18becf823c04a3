"""Curation on every backend: judgements that hold through re-ingests, the review queue, edits with sources,
history and revert."""

from __future__ import annotations

import pytest

from graphmodel.curation import edits
from graphmodel.curation.changelog import RevertRefused, actor_history, revert
from graphmodel.curation.decisions import decide
from graphmodel.curation.review import progress, queue
from graphmodel.errors import ConfigError, NotFoundError
from graphmodel.export.redaction import Clearance
from graphmodel.models import Link
from ingest.run import run_ingest

FILE_A = ("amrc,Asia Monitor Resource Centre,ngo,HK\nlac,Labour Action China,ngo,HK\n",
          "a1,amrc,lac,supports,2004,,,,doc,para 1\n")
FILE_B = ("amrc-b,Asia Monitor Resource Center,ngo,HK\ncic,Chinese Working Women Network,ngo,HK\n"
          "ana,Ana Organiser,person,HK\n",
          "b1,amrc-b,cic,supports,2006,,5000,USD,doc,para 2\nb2,ana,cic,member_of,2008,,,,doc,para 3\n")


def _file(folder, name, actors, links):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.yaml").write_text(f"id: {name}\ntitle: {name}\nformat: tabular\nfiles:\n  actors: actors.csv\n"
                                         "  links: links.csv\n  sources: sources.csv\n")
    (folder / "actors.csv").write_text("id,name,kind,country\n" + actors)
    (folder / "links.csv").write_text("id,from,to,kind,start,end,amount,currency,source,locator\n" + links)
    (folder / "sources.csv").write_text("id,title,kind\ndoc,A report,document\n")
    return folder


@pytest.fixture()
def two_files(tmp_path):
    return _file(tmp_path / "a", "file-a", *FILE_A), _file(tmp_path / "b", "file-b", *FILE_B)


def _pair(store, b="amrc-b"):
    return next(i for i in queue(store) if i.doc.get("b") == b)


def test_a_near_match_against_the_store_is_queued_and_a_decision_holds_through_reingests(store, two_files):
    a, b = two_files
    run_ingest(store, [a])
    run_ingest(store, [b])                          # the store has "Centre", the file says "Center"
    item = _pair(store)
    assert (item.doc["a"], item.doc["reason"], item.links) == ("amrc", "similar name", 2)
    assert item.money == {"USD": 5000.0}
    made = decide(store, "amrc", "amrc-b", "same", who="ana", note="one NGO")
    assert made.merged == ["file-b"] and store.get_actor("amrc-b") is None
    assert {lk.target for lk in store.links_of("amrc")} == {"lac", "cic"}
    assert store.versions()[-1].action == "judgement" and store.versions()[-1].who == "ana"
    merged = store.content_hash()
    for order in ([b, a], [a], [b]):                # the other order, and each alone: the decision holds
        for path in order:
            run_ingest(store, [path])
        assert store.content_hash() == merged
    assert progress(store) == {"decided": 1, "total": 1, "open": 0}


def test_splitting_a_merge_gives_each_record_its_links_and_it_stays_split(store, two_files):
    a, b = two_files
    run_ingest(store, [a])
    run_ingest(store, [b])
    decide(store, "amrc", "amrc-b", "same", who="ana")
    made = decide(store, "amrc", "amrc-b", "different", who="ben", note="two centres after all")
    assert made.split == ["file-b"]
    assert [lk.target for lk in store.links_of("amrc-b") if lk.source == "amrc-b"] == ["cic"]
    assert [lk.target for lk in store.links_of("amrc")] == ["lac"]
    cites = [c.locator for lk in store.links_of("amrc-b") for c in lk.citations]
    assert cites == ["para 2"]
    split_state = store.content_hash()
    run_ingest(store, [b])
    run_ingest(store, [a])
    assert store.content_hash() == split_state
    assert not [i for i in queue(store) if i.doc.get("b") == "amrc-b"]      # decided: not asked again


def test_unsure_changes_nothing_and_bad_judgements_are_refused(store, two_files):
    a, b = two_files
    run_ingest(store, [a, b])
    before = store.content_hash()
    decide(store, "amrc", "amrc-b", "unsure", who="ana")
    assert store.content_hash() == before and _pair(store).verdict == "unsure"
    with pytest.raises(NotFoundError, match="no actor or merged record 'gone'"):
        decide(store, "amrc", "gone", "same")
    with pytest.raises(ConfigError, match="unknown verdict"):
        decide(store, "amrc", "amrc-b", "maybe")
    with pytest.raises(ConfigError, match="cannot merge: link .* would break the kinds table"):
        decide(store, "ana", "cic", "same")        # ana would be a member of herself: person to person


def test_edits_with_sources_outlive_reingests_and_disagreements_are_listed(store, two_files):
    a, _ = two_files
    run_ingest(store, [a])
    ref = edits.SourceRef(title="Annual report 2023", url="https://example.org/ar.pdf", locator="p. 4", note="ours")
    with pytest.raises(ConfigError, match="an edit needs a source"):
        edits.set_fields(store, "lac", {"country": "CN"}, edits.SourceRef())
    with pytest.raises(ConfigError, match=r"allowed from: brand, supplier, other"):
        edits.add_link(store, Link(kind="sources_from", source="amrc", target="lac"), ref)
    added = edits.add_link(store, Link(kind="funds", source="amrc", target="lac", start="2019"), ref, who="ana")
    assert "Annual report 2023" in {s.title for s in store.sources()}
    seen = edits.digest(store.get_link("a1"))
    edits.end_link(store, "a1", "2015", ref, who="ana", expect=seen)
    with pytest.raises(edits.EditConflict, match="changed by someone else"):
        edits.end_link(store, "a1", "2016", ref, who="ben", expect=seen)   # the second editor: refused, told
    assert store.get_link("a1").end == "2015"
    run_ingest(store, [a])                           # the file has no end date: the edit stays, disagreement listed
    assert store.get_link("a1").end == "2015" and store.get_link(added.doc["target"]) is not None
    disagreement = next(i for i in queue(store) if i.doc["type"] == "disagreement")
    assert (disagreement.doc["field"], disagreement.doc["stated"], disagreement.doc["edited"]) == ("end", None, "2015")


def test_an_edit_above_the_editor_s_clearance_is_refused_as_missing(store, two_files):
    a, b = two_files
    run_ingest(store, [a, b])
    viewer = Clearance()
    ref = edits.SourceRef(source="doc", locator="p. 1")
    with pytest.raises(NotFoundError) as hidden:
        edits.set_fields(store, "ana", {"name": "X"}, ref, sees=viewer.sees_actor)
    with pytest.raises(NotFoundError) as missing:
        edits.set_fields(store, "nobody", {"name": "X"}, ref, sees=viewer.sees_actor)
    assert str(hidden.value).replace("'ana'", "?") == str(missing.value).replace("'nobody'", "?")


def test_history_and_revert(store, two_files):
    a, _ = two_files
    run_ingest(store, [a])
    ref = edits.SourceRef(source="doc", locator="p. 9")
    made = edits.set_fields(store, "lac", {"country": "CN"}, ref, who="ana")
    history = actor_history(store, "lac")
    assert history[0]["version"] == made.version and history[0]["fields"]["country"] == {"old": "HK", "new": "CN"}
    assert history[-1]["status"] == "added"
    with pytest.raises(RevertRefused, match="an analyst reverts only their own"):
        revert(store, made.version, who="ben")
    with pytest.raises(RevertRefused, match="only edits and judgements"):
        revert(store, 1, who="ana", admin=True)
    later = edits.set_fields(store, "lac", {"description": "x"}, ref, who="ben")
    with pytest.raises(RevertRefused, match=f"later changes depend on version {made.version}"):
        revert(store, made.version, who="ana")
    revert(store, later.version, who="ben")
    revert(store, made.version, who="ana")
    assert store.get_actor("lac").country == "HK" and store.versions()[-1].action == "revert"


def test_reverting_the_end_of_a_link_added_by_hand_keeps_the_link(store, two_files):
    a, _ = two_files
    run_ingest(store, [a])
    ref = edits.SourceRef(title="Annual report 2023", url="https://example.org/ar.pdf", locator="p. 4")
    added = edits.add_link(store, Link(kind="partners_with", source="amrc", target="lac"), ref, who="amina")
    link_id = added.doc["target"]
    ended = edits.end_link(store, link_id, "2024", ref, who="amina")
    assert store.get_link(link_id).end == "2024"
    revert(store, ended.version, who="amina")
    assert store.get_link(link_id) is not None and store.get_link(link_id).end is None


def test_what_is_at_stake_counts_only_links_the_reader_may_see(store, two_files):
    a, b = two_files
    run_ingest(store, [a])
    run_ingest(store, [b])
    from graphmodel.models import Source
    from graphmodel.store.contract import Batch

    store.write(Batch(Source(id="secret", title="Secret", kind="dataset"),
                      links=[Link(kind="funds", source="amrc", target="lac", amount=9, currency="USD",
                                  sensitivity="restricted")]))
    everything = _pair(store)
    public = next(i for i in queue(store, sees=lambda r: r.sensitivity.value != "restricted")
                  if i.doc.get("b") == "amrc-b")
    assert everything.links == public.links + 1 and "USD" in everything.money and public.money.get("USD") == 5000
