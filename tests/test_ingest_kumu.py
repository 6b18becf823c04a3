"""Kumu: workbooks (Elements + Connections), JSON blueprints and project exports."""

from __future__ import annotations

import pytest

from graphmodel.errors import InputError, ValidationFailed
from graphmodel.kinds import ActorKind, LinkKind, Sensitivity
from tests.conftest import samples
from tests.ingest_helpers import fixture, ingest, links, links_between, one, read


def test_paypal_workbook_sample():
    result, ctx = read(samples("kumu", "kumu-sample-paypal.xlsx"))
    assert result.format == "kumu" and not ctx.problems
    people = [a for a in result.actors if a.kind is ActorKind.PERSON]
    assert people and all(a.sensitivity is Sensitivity.RESTRICTED for a in people)
    thiel = one(result.actors, "Peter Thiel")
    assert thiel.kind is ActorKind.PERSON and thiel.attributes["tags"]
    tesla = one(result.actors, "Tesla Motors")
    assert tesla.kind is ActorKind.OTHER and tesla.attributes["type"] == "Company"
    assert tesla.attributes["kind_guessed"] is True
    kinds = {lk.attributes.get("label"): lk.kind for lk in links(result)}
    assert kinds["Employee/Founder"] is LinkKind.RELATED_TO  # unmapped: kept, not dropped
    assert kinds["Investor"] is LinkKind.OWNS
    assert len(links(result)) >= 45


def test_project_export_sample():
    result, ctx = read(samples("kumu", "kumu-project-export-sample.json"))
    assert not ctx.problems
    new_york = one(result.actors, "New York")
    assert new_york.identifiers == {"kumu": "elem-0UuWEP00"}
    assert new_york.attributes["2014 population"] == 19746227 and new_york.attributes["type"] == "State"
    assert len([a for a in result.actors]) == 51
    assert all(lk.kind is LinkKind.RELATED_TO and lk.attributes["directed"] is False for lk in links(result))
    assert "US State Population Growth" in result.origin.description


def test_workbook_fixture_fan_out_tags_ignore_and_mapping():
    result, ctx = read(fixture("kumu", "solidarity-map.xlsx"))
    assert result.format == "kumu" and not ctx.problems
    bwi = one(result.actors, "Building and Wood Workers' International")
    assert bwi.kind is ActorKind.GUF and bwi.attributes["tags"] == ["union", "global"]
    mtuc = one(result.actors, "MTUC")
    assert mtuc.kind is ActorKind.UNION and mtuc.country == "MY"
    network = one(result.actors, "Migrant Workers Network")
    assert network.kind is ActorKind.OTHER and network.attributes["country_text"] == "Various"
    partner = [lk for lk in links(result) if lk.attributes.get("label") == "Partner"]
    assert sorted(lk.target for lk in partner) == sorted([mtuc.id, network.id])  # "MTUC|Migrant Workers Network"
    assert all(lk.start == "2010-05" and lk.attributes["direction"] == "mutual" for lk in partner)
    [affiliation] = links_between(links(result), mtuc.id, bwi.id)
    assert affiliation.kind is LinkKind.AFFILIATED_TO and affiliation.start == "2005"
    phantom = one(result.actors, "Phantom Supplier Co")  # named only in a connection: created, as Kumu does
    assert phantom.kind is ActorKind.OTHER
    acme = one(result.actors, "Acme Apparel")
    assert links_between(links(result), acme.id, phantom.id)[0].kind is LinkKind.SOURCES_FROM
    assert {lk.kind for lk in links_between(links(result), mtuc.id, acme.id)} == {LinkKind.OWNS, LinkKind.RELATED_TO}
    assert not any(a.name in ("Nobody", "Nothing") for a in result.actors)  # "(ignore)" sheet
    assert all(lk.citations[0].locator.startswith("solidarity-map.xlsx[Connections]:") for lk in links(result))


def test_blueprint_fixture():
    result, ctx = read(fixture("kumu", "blueprint.json"))
    assert not ctx.problems
    bwi = one(result.actors, "Building and Wood Workers' International")
    mtuc = one(result.actors, "MTUC")
    assert mtuc.kind is ActorKind.NATIONAL_CENTRE
    assert {lk.kind for lk in links_between(links(result), mtuc.id, bwi.id)} == {LinkKind.AFFILIATED_TO,
                                                                                 LinkKind.RELATED_TO}
    knows = next(lk for lk in links(result) if lk.attributes.get("label") == "knows")
    assert knows.start == "2020" and knows.end is None  # an end before the start is left out, with a note
    acme = one(result.actors, "Acme Apparel")
    assert acme.identifiers == {} and any("not-a-qid" in n for n in result.notes)
    assert one(result.actors, "Someone Not Listed").kind is ActorKind.OTHER


def test_project_export_fixture_missing_element(sqlite_store):
    path = fixture("kumu", "project-export.json")
    result, ctx = read(path)
    assert [p.place for p in ctx.problems] == ["project-export.json:connections[2]/@target"]
    fnv = one(result.actors, "FNV Mondiaal")
    assert fnv.kind is ActorKind.SSO and fnv.identifiers == {"kumu": "elem-AAAA0001"}
    gefont = one(result.actors, "GEFONT")
    [funds] = links_between(links(result), fnv.id, gefont.id)
    assert funds.kind is LinkKind.FUNDS and funds.start == "2008"
    declaration = one(result.actors, "Phuket Declaration")
    assert declaration.kind is ActorKind.AGREEMENT
    assert links_between(links(result), gefont.id, declaration.id)[0].kind is LinkKind.SIGNATORY_TO
    with pytest.raises(ValidationFailed):
        ingest(sqlite_store, path)
    assert sqlite_store.stats().actors == 0


@pytest.mark.parametrize("name, message", [
    ("broken.json", r"broken.json:\d+: not valid JSON"),
    ("wrong-shape.json", "expected a Kumu blueprint or project export"),
    ("not-a-map.xlsx", "no Elements sheet"),
])
def test_broken_kumu_files(name, message):
    with pytest.raises(InputError, match=message):
        read(fixture("kumu", name), "kumu")


def test_user_mapping_changes_kinds(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("actor_kinds:\n  network: worker_organisation\nlink_kinds:\n"
                       "  shares an office with: {kind: partners_with}\n")
    result, ctx = read(fixture("kumu", "solidarity-map.xlsx"), mapping=mapping)
    assert one(result.actors, "Migrant Workers Network").kind is ActorKind.WORKER_ORGANISATION
    assert "kind_guessed" not in one(result.actors, "Migrant Workers Network").attributes
    assert any(lk.kind is LinkKind.PARTNERS_WITH and lk.attributes["label"] == "Shares an office with"
               for lk in links(result))


def test_detection():
    from ingest.formats import detect_format

    for name in ("solidarity-map.xlsx", "blueprint.json", "project-export.json"):
        assert detect_format(fixture("kumu", name)).name == "kumu", name


def test_workbook_with_a_sources_sheet(tmp_path):
    """Stakemap's own Kumu-ready export: a Sources sheet, rows citing it with cites/locator/note."""
    import openpyxl

    book = openpyxl.Workbook()
    elements = book.active
    elements.title = "Elements"
    elements.append(["ID", "Label", "Type", "sensitivity", "cites", "locator", "note"])
    elements.append(["fes", "Friedrich-Ebert-Stiftung", "sso", "internal", "amrc", "para 3", "A funder."])
    elements.append(["bwi", "BWI", "guf", "", "", "", ""])
    connections = book.create_sheet("Connections")
    connections.append(["ID", "From", "To", "Type", "amount", "currency", "confidence", "cites", "locator"])
    connections.append(["l1", "fes", "bwi", "funds", 5000, "EUR", "reported", "amrc", "para 4"])
    sources = book.create_sheet("Sources")
    sources.append(["id", "title", "kind", "year"])
    sources.append(["amrc", "Hong Kong - China Solidarity", "document", 2010])
    path = tmp_path / "export.xlsx"
    book.save(path)
    result, ctx = read(path, "kumu")
    assert not ctx.problems
    assert [s.id for s in result.sources] == ["amrc"]
    assert sorted(a.name for a in result.actors) == ["BWI", "Friedrich-Ebert-Stiftung"]
    fes = one(result.actors, "Friedrich-Ebert-Stiftung")
    assert fes.sensitivity is Sensitivity.INTERNAL and ("amrc", "para 3") in {(c.source, c.locator)
                                                                              for c in fes.citations}
    [grant] = links(result)
    assert (grant.kind, grant.amount, grant.currency, grant.confidence.value) == (LinkKind.FUNDS, 5000, "EUR",
                                                                                  "reported")
    assert ("amrc", "para 4") in {(c.source, c.locator) for c in grant.citations}


def test_blueprint_with_underscore_ids_keeps_labels_and_types_and_late_keys_are_found():
    from graphmodel.kinds import ActorKind, LinkKind
    from ingest.formats import detect_format
    from tests.ingest_helpers import fixture, links, one, read

    result, ctx = read(fixture("kumu", "blueprint-underscore-ids.json"))
    assert not ctx.problems
    federation = one(result.actors, "Example Garment Federation")
    assert federation.kind is ActorKind.GUF and federation.country == "BD"
    assert federation.identifiers == {"kumu": "el-1"}
    assert [lk.kind for lk in links(result)] == [LinkKind.TARGETS]
    late = fixture("kumu", "late-elements.json")
    assert late.stat().st_size > 250_000 and detect_format(late).name == "kumu"
    result, _ = read(late)
    assert {a.name for a in result.actors} == {"Far Away Union", "Far Away Brand"}
