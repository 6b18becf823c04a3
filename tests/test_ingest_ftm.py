"""FollowTheMoney entity lines (Aleph exports)."""

from __future__ import annotations

import json

import pytest

from graphmodel.errors import InputError, ValidationFailed
from graphmodel.kinds import ActorKind, LinkKind, Sensitivity
from tests.conftest import samples
from tests.ingest_helpers import fixture, ingest, links, links_between, one, read


def test_aleph_sample():
    result, ctx = read(samples("ftm", "aleph-entities.ftm.json"))
    assert result.format == "ftm" and not ctx.problems
    assert result.read == 4  # the Note is counted in the notes, not read
    danger = [a for a in result.actors if a.name == "Carlos Danger"]
    assert sorted(a.kind.value for a in danger) == ["other", "person"]  # a person is never merged
    person = next(a for a in danger if a.kind is ActorKind.PERSON)
    assert person.sensitivity is Sensitivity.RESTRICTED and person.country == "US"
    assert person.identifiers["ftm"].startswith("637427924ad445058bd0f19d67add26a")
    kwazulu = one(result.actors, "KwaZulu")
    assert kwazulu.attributes["ftm_schema"] == "Company" and kwazulu.attributes["kind_guessed"] is True
    assert any("Note: 1" in n for n in result.notes)


def test_fixture_parties_and_links():
    result, ctx = read(fixture("ftm", "entities.ftm.json"))
    assert not ctx.problems
    bwi = one(result.actors, "Building and Wood Workers' International")
    assert bwi.aliases == ["BWI"] and bwi.country == "CH"
    mtuc = one(result.actors, "Malaysian Trades Union Congress")
    assert mtuc.identifiers == {"ftm": "org-mtuc", "wikidata": "Q999999998"}
    ministry = one(result.actors, "Ministry of Labour and Vocational Training")
    assert ministry.kind is ActorKind.GOVERNMENT
    person = one(result.actors, "Ana Organiser")  # firstName + lastName
    assert person.kind is ActorKind.PERSON
    acme, factory = one(result.actors, "Acme Apparel"), one(result.actors, "Garment Factory One Ltd")
    assert acme.identifiers == {"ftm": "co-acme"}  # an invalid LEI is left out, with a note
    assert any("not-a-lei" in n for n in result.notes)
    fund = one(result.actors, "Workers' Solidarity Fund")
    assert fund.country is None and any("'zz'" in n for n in result.notes)
    [membership] = links_between(links(result), mtuc.id, bwi.id)
    assert membership.kind is LinkKind.MEMBER_OF and membership.start == "1995"
    [ownership] = links_between(links(result), acme.id, factory.id)
    assert ownership.kind is LinkKind.OWNS and ownership.share == 0.51
    [payment] = links_between(links(result), fund.id, mtuc.id)
    assert (payment.kind, payment.amount, payment.currency, payment.start) == (LinkKind.FUNDS, 25000, "EUR",
                                                                               "2021-06-30")
    assert payment.attributes["programme"] == ["Migrant organising"]
    [no_currency] = links_between(links(result), fund.id, bwi.id)
    assert no_currency.amount is None and no_currency.attributes["amount_text"] == "1000"
    [partner] = links_between(links(result), bwi.id, ministry.id)
    assert partner.kind is LinkKind.PARTNERS_WITH  # UnknownLink's role through the mapping
    representation = links_between(links(result), ministry.id, factory.id)[0]
    assert representation.kind is LinkKind.RELATED_TO  # a ministry does not represent workers
    assert "represents_workers_at cannot go" in representation.attributes["unmapped_reason"]
    [directorship] = links_between(links(result), person.id, mtuc.id)
    assert directorship.kind is LinkKind.RELATED_TO and directorship.attributes["role"] == "General Secretary"
    assert all(lk.citations[0].locator.startswith("entities.ftm.json:") for lk in links(result))


def test_every_fixture_line_is_valid_followthemoney():
    model = pytest.importorskip("followthemoney").model
    for line in fixture("ftm", "entities.ftm.json").read_text().splitlines():
        data = json.loads(line)
        proxy = model.get_proxy({"id": data["id"], "schema": data["schema"], "properties": data["properties"]})
        assert proxy.schema.name == data["schema"]


def test_schemata_known_only_to_the_followthemoney_model(tmp_path):
    pytest.importorskip("followthemoney")
    path = tmp_path / "extra.ftm.json"
    lines = [
        {"id": "a", "schema": "Company", "properties": {"name": ["Holding Co"]}},
        {"id": "b", "schema": "Company", "properties": {"name": ["Factory Co"]}},
        {"id": "c", "schema": "Control", "properties": {"controller": ["a"], "controlled": ["b"]}},
        {"id": "d", "schema": "Document", "properties": {"title": ["A report"]}},
        {"id": "e", "schema": "Documentation", "properties": {"document": ["d"], "entity": ["a"]}},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result, ctx = read(path)
    assert not ctx.problems
    [control] = links(result)
    assert control.kind is LinkKind.RELATED_TO and control.attributes["ftm_schema"] == "Control"
    assert any(n.startswith("links to entities that are not parties") for n in result.notes)


def test_lines_that_are_not_entities(sqlite_store):
    path = fixture("ftm", "broken.ftm.json")
    result, ctx = read(path)
    places = sorted(p.place for p in ctx.problems)
    assert places == ["broken.ftm.json:2:column 1", "broken.ftm.json:3:id", "broken.ftm.json:4:properties",
                      "broken.ftm.json:5:properties.organization", "broken.ftm.json:6:column 67"]
    assert result.rejected == 5
    with pytest.raises(ValidationFailed):
        ingest(sqlite_store, path)
    assert sqlite_store.stats().actors == 0
    ingest(sqlite_store, path, skip_invalid=True)
    assert [a.name for a in sqlite_store.iter_actors()] == ["A Union"]


def test_links_to_entities_imported_before(sqlite_store, tmp_path):
    first = tmp_path / "parties.ftm.json"
    first.write_text(json.dumps({"id": "o-1", "schema": "Organization", "properties": {"name": ["Union A"]}}) + "\n"
                     + json.dumps({"id": "o-2", "schema": "Organization", "properties": {"name": ["Union B"]}}) + "\n")
    second = tmp_path / "links.ftm.json"
    second.write_text(json.dumps({"id": "m-1", "schema": "Membership",
                                  "properties": {"member": ["o-1"], "organization": ["o-2"]}}) + "\n")
    ingest(sqlite_store, first)
    ingest(sqlite_store, second)
    [link] = list(sqlite_store.iter_links())
    assert link.kind is LinkKind.MEMBER_OF


def test_empty_file(tmp_path):
    path = tmp_path / "empty.ftm.json"
    path.write_text("\n\n")
    with pytest.raises(InputError, match="no FollowTheMoney entities"):
        read(path)


def test_stakemap_own_export_conventions(tmp_path):
    """Kinds in keywords, link kinds in role or summary, sources as Documents, citations as Documentation."""
    lines = [
        {"id": "source-amrc", "schema": "Document", "properties": {
            "title": ["Hong Kong - China Solidarity"], "date": ["2010"], "notes": ["Stakemap source: amrc (document)"]}},
        {"id": "fes", "schema": "Organization", "properties": {
            "name": ["Friedrich-Ebert-Stiftung"], "keywords": ["sso"], "notes": ["Stakemap sensitivity: internal"]}},
        {"id": "bwi", "schema": "Organization", "properties": {"name": ["BWI"], "keywords": ["guf"]}},
        {"id": "p", "schema": "Project", "properties": {"name": ["Migrant programme"], "keywords": ["programme"]}},
        {"id": "d1", "schema": "Documentation", "properties": {
            "document": ["source-amrc"], "entity": ["fes"], "role": ["para 3"], "summary": ["Funder of the work."]}},
        {"id": "l1", "schema": "Membership", "properties": {
            "member": ["bwi"], "organization": ["fes"], "role": ["partners_with"]}},
        {"id": "l2", "schema": "UnknownLink", "properties": {
            "subject": ["bwi"], "object": ["p"], "role": ["implements"],
            "summary": ["Stakemap link implements; confidence: reported; sensitivity: public"]}},
    ]
    path = tmp_path / "own.ftm.json"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result, ctx = read(path)
    assert not ctx.problems
    fes = one(result.actors, "Friedrich-Ebert-Stiftung")
    assert fes.kind is ActorKind.SSO and "kind_guessed" not in fes.attributes
    assert fes.sensitivity is Sensitivity.INTERNAL
    assert ("amrc", "para 3", "Funder of the work.") in {(c.source, c.locator, c.note) for c in fes.citations}
    assert [s.id for s in result.sources] == ["amrc"] and result.sources[0].year == 2010
    assert one(result.actors, "Migrant programme").kind is ActorKind.PROGRAMME
    bwi = one(result.actors, "BWI")
    assert links_between(links(result), bwi.id, fes.id)[0].kind is LinkKind.PARTNERS_WITH
    [implements] = links_between(links(result), bwi.id, one(result.actors, "Migrant programme").id)
    assert implements.kind is LinkKind.IMPLEMENTS and implements.confidence.value == "reported"


def test_payments_donations_captions_percentages_and_any_extension(tmp_path):
    """Payments keep their money (amountEur when no amount); a person's donation to a party funds it; an
    entity with only a caption is named by it; FtM percentages are percents; FtM lines are recognised by
    content whatever the file is called; every amount is accounted for in the ledger."""
    from graphmodel.kinds import ActorKind, LinkKind
    from tests.ingest_helpers import fixture, links, one, read

    path = fixture("ftm", "payments.ijson")
    result, ctx = read(path)
    assert result.format == "ftm" and not ctx.problems
    party = one(result.actors, "Example Labour Party")
    donor = one(result.actors, "Alex Donor Example")
    assert donor.kind is ActorKind.PERSON
    funds = {(lk.source, lk.target, lk.amount, lk.currency) for lk in links(result) if lk.kind is LinkKind.FUNDS}
    fund, union = one(result.actors, "Example Workers Fund"), one(result.actors, "Example Garment Union")
    assert (fund.id, union.id, 25000.0, "EUR") in funds and (fund.id, union.id, 1200.5, "EUR") in funds
    assert (fund.id, union.id, 300.0, "USD") in funds  # amountUsd when there is no amount
    assert (donor.id, party.id, 500.0, "GBP") in funds
    [owns] = [lk for lk in links(result) if lk.kind is LinkKind.OWNS]
    assert owns.share == 0.01
    money = result.ledger.money()
    assert money["EUR"] == {"stated": 26200.5, "written": 26200.5, "set_aside": 0.0, "reconciles": True}
    assert money["XYZ"] == {"stated": 75.0, "written": 0.0, "set_aside": 75.0, "reconciles": True}
    assert not result.ledger.check()
    bare = tmp_path / "entities"  # no extension at all
    bare.write_bytes(path.read_bytes())
    assert read(bare)[0].format == "ftm"
