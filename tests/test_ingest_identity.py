"""Identity: every id an organisation carries is kept and any matches; one id under two names is merged and
listed for review; node ids of graph files are local to their file."""

from __future__ import annotations

from graphmodel.kinds import ActorKind
from tests.ingest_helpers import fixture, ingest


def test_an_organisation_keeps_every_iati_ref_and_any_of_them_matches(sqlite_store):
    report = ingest(sqlite_store, fixture("iati", "two-refs.xml"))
    [foundation] = [a for a in sqlite_store.iter_actors() if a.name == "Two Refs Solidarity Foundation"]
    refs = {v for k, v in foundation.identifiers.items() if k.split("#")[0] == "iati"}
    assert refs == {"NL-KVK-2", "XI-IATI-TRSF"}
    ingest(sqlite_store, fixture("iati", "second-ref-only.xml"))
    found = [a for a in sqlite_store.iter_actors() if "TRSF" in [a.name, *a.aliases]]
    assert [a.id for a in found] == [foundation.id]  # the second ref alone finds it
    assert report.files[0].ledger["merged"], "the merge is in the ledger"


def test_one_ref_with_two_names_is_merged_and_listed_for_review(sqlite_store):
    report = ingest(sqlite_store, fixture("iati", "two-refs.xml"))
    centres = [a for a in sqlite_store.iter_actors() if a.identifiers.get("iati") == "KE-NGO-77"]
    assert len(centres) == 1 and "Nairobi Workers Centre (renamed)" in centres[0].aliases
    reasons = {(r.incoming_name, r.reason) for r in report.review}
    assert any(name == "Nairobi Workers Centre (renamed)" and "same iati identifier, different name" in why
               for name, why in reasons), reasons


def test_unlabelled_graph_nodes_of_two_files_stay_apart(sqlite_store):
    ingest(sqlite_store, fixture("graphml", "unlabelled-a.graphml"), fixture("graphml", "unlabelled-b.graphml"))
    nodes = [a for a in sqlite_store.iter_actors() if a.name in ("n0", "n1", "n2")]
    assert len(nodes) == 5 and all(a.kind is ActorKind.OTHER for a in nodes)
    assert sqlite_store.stats().links == 3


def test_same_name_different_registration_or_address_are_two_actors():
    from tests.ingest_helpers import read

    result, ctx = read(fixture("ftm", "same-name-companies.ftm.json"))
    assert not ctx.problems
    named = [a for a in result.actors if a.name.startswith("Example Textiles")]
    registered = [a for a in named if a.attributes.get("registrationNumber")]
    assert len(registered) == 2  # never merged: the survivor would carry the other's dissolution
    dissolved = [a for a in registered if a.attributes.get("dissolutionDate")]
    assert len(dissolved) == 1
    reasons = {r.reason for r in ctx.resolver.review}
    assert any("different registration number" in r or "different address" in r for r in reasons), reasons


def test_a_file_ingested_again_merges_its_records_the_same_way(sqlite_store, tmp_path):
    """A merge decided on a name stays decided: ingesting the file again, after another file made the name
    ambiguous, merges the record into the same actor and changes nothing."""
    files = {"a.csv": "id,kind,name,country\na-mtuc,union,MTUC,GB\n",
             "b.csv": "id,kind,name,sectors\nb-mtuc,union,MTUC,construction\n",
             "c.csv": "id,kind,name,country\nc-mtuc,union,MTUC,MY\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        ingest(sqlite_store, tmp_path / name)
    [merged] = [a for a in sqlite_store.iter_actors() if a.sectors]
    assert merged.id == "a-mtuc" and sqlite_store.stats().actors == 2  # b joined a; c (another country) did not
    before = sqlite_store.content_hash()
    report = ingest(sqlite_store, tmp_path / "b.csv")  # "MTUC" now names two actors: b is merged as before
    assert sqlite_store.content_hash() == before
    assert report.files[0].merged == 1
