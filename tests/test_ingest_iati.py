"""IATI activity XML: the real samples (1.0x and 2.03) and fixtures of our own."""

from __future__ import annotations

import socket

import pytest

from graphmodel.errors import InputError, ValidationFailed
from graphmodel.kinds import ActorKind, LinkKind
from tests.conftest import samples
from tests.ingest_helpers import fixture, ingest, links, links_between, one, read


def test_usaid_sample_programme_roles_and_transactions():
    result, ctx = read(samples("iati", "usaid-activity.xml"))
    assert result.format == "iati" and not ctx.problems
    programme = one(result.actors, "Enhancing Sustainable Utility Regulations (ENSURE)")
    assert programme.kind is ActorKind.PROGRAMME
    assert programme.identifiers == {"iati": "US-GOV-1-AID-EPP-A-00-09-00001"}
    assert "Aumentando regulaciones para uso general sostenibles (ASEGURE)" in programme.aliases
    # countries and sectors are given per transaction: shares weighted by value, 100 in all
    coverage = programme.attributes["recipient_countries"]
    assert programme.attributes["coverage_from"] == "transactions"
    assert sum(coverage.values()) == pytest.approx(100, abs=0.01)
    assert max(coverage, key=coverage.get) == "NG" and programme.countries[0] == "NG"
    dac = {k: v for k, v in programme.attributes["sectors"].items() if ":" not in k}
    assert sum(dac.values()) == pytest.approx(100, abs=0.01)
    usaid = one(result.actors, "U.S. Agency for International Development")
    assert usaid.identifiers == {"iati": "US-GOV-1"} and usaid.kind is ActorKind.GOVERNMENT
    assert usaid.attributes["kind_guessed"] is True
    naruc = one(result.actors, "National Association of Regulatory Utility Commissioners")
    roles = {lk.kind: lk.attributes["roles"] for lk in links_between(links(result), usaid.id, programme.id)
             if "roles" in lk.attributes}
    assert roles == {LinkKind.FUNDS: ["funding"], LinkKind.SUPPORTS: ["accountable", "extending"]}
    assert [lk.kind for lk in links_between(links(result), naruc.id, programme.id)] == [LinkKind.IMPLEMENTS]
    money = [lk for lk in links(result) if lk.amount is not None]
    # 152 transactions, 3 negative corrections left out; a commitment and a disbursement may share a ref
    assert len(money) == 149
    assert {lk.currency for lk in money} == {"USD"}
    assert {lk.attributes["transaction_type"] for lk in money} == {"commitment", "disbursement"}
    assert all(lk.source == usaid.id and lk.target == programme.id for lk in money)
    assert any("negative transactions" in note for note in result.notes)
    first = next(lk for lk in money if lk.attributes.get("transaction_ref") == "C839C6800830")
    assert first.start == "2012-12-31" and first.amount == pytest.approx(210393.06)
    assert first.citations[0].source == result.origin.id
    assert first.citations[0].locator == "/iati-activities/iati-activity[1]/transaction[1]"
    assert result.origin.publisher == "U.S. Agency for International Development"


def test_canada_sample_receiver_only_transactions_come_from_the_reporting_org():
    result, ctx = read(samples("iati", "canada-activity.xml"))
    assert not ctx.problems
    dfatd = one(result.actors, "Foreign Affairs, Trade and Development Canada (DFATD)")
    fcm = one(result.actors, "Federation of Canadian Municipalities")
    assert fcm.identifiers == {"iati": "CA-CRA_ACR-2118913938"}
    assert "Fédération canadienne des municipalités" in fcm.aliases
    disbursements = [lk for lk in links_between(links(result), dfatd.id, fcm.id) if lk.amount]
    assert len(disbursements) == 12 and {lk.currency for lk in disbursements} == {"CAD"}
    canada = one(result.actors, "Canada")  # ref "CA" is a country code, not an organisation id
    assert canada.identifiers == {} and canada.attributes["iati_ref_country"] == "CA"
    programme = one(result.actors, "Partnerships for Municipal Innovation in Local Economic Development")
    assert programme.attributes["recipient_countries"]["KH"] == 14.28
    assert set(programme.countries) == {"BF", "BO", "CI", "KH", "ML", "NI", "VN"}
    assert sum(programme.attributes["sectors"].values()) == pytest.approx(100)
    commitment = [lk for lk in links(result) if lk.attributes.get("transaction_type") == "commitment"]
    assert len(commitment) == 1 and commitment[0].target == programme.id
    assert commitment[0].confidence.value == "reported"


def test_legacy_1x_sample_roles_as_words_and_repeated_participants():
    result, ctx = read(samples("iati", "repeated_participation-v1.xml"))
    assert not ctx.problems
    programmes = [a for a in result.actors if a.kind is ActorKind.PROGRAMME]
    assert len(programmes) == 49
    concern = one(result.actors, "Concern Universal")
    assert concern.identifiers == {"iati": "GB-CHC-272465"}
    implements = [lk for lk in links(result) if lk.kind is LinkKind.IMPLEMENTS and lk.source == concern.id]
    assert len(implements) >= 49
    # two activities share a title but not an identifier: kept apart, listed for review
    kenya = [a for a in programmes if a.name == "Kenya - WASH"]
    assert len(kenya) == 2
    assert any(item.reason == "same name, different iati" for item in ctx.resolver.review)
    # "IrishAid" and "Irish Aid" are one funder
    irish = one(result.actors, "Irish Aid")
    assert "IrishAid" in irish.aliases
    assert {lk.attributes["transaction_type"] for lk in links(result) if lk.amount} == {"disbursement"}
    assert result.origin.format == "IATI activities 1.0"


def test_own_2_03_fixture_quirks():
    result, ctx = read(fixture("iati", "union-grants-2.03.xml"))
    assert not ctx.problems
    fnv = one(result.actors, "FNV Mondiaal")
    assert fnv.identifiers == {"iati": "NL-KVK-00000001"}
    assert any("refs without hyphens" in n for n in result.notes)  # NLKVK00000001 -> the same funder
    migrants = one(result.actors, "Migrant construction workers' rights in Malaysia")  # English title first
    assert migrants.aliases == ["Rechten van migrerende bouwvakkers in Maleisië"]
    assert migrants.attributes["recipient_countries"] == {"MY": 70.0, "NP": 30.0}
    assert migrants.attributes["sectors"] == {"16020": 80.0, "15150": 20.0}
    assert migrants.attributes["sector_names"] == {"16020": "Employment creation"}
    bwi = one(result.actors, "Building and Wood Workers’ International")  # trailing spaces dropped
    assert "BWI" in bwi.aliases  # the receiver named "BWI" is the same organisation (acronym rule)
    assert any(i.reason.startswith("merged: acronym") for i in ctx.resolver.review)
    ministry = one(result.actors, "Ministry of Foreign Affairs of the Netherlands")
    incoming = links_between(links(result), ministry.id, fnv.id)
    assert [(lk.amount, lk.currency, lk.attributes["transaction_type"]) for lk in incoming] == \
        [(250000.0, "EUR", "incoming_funds")]  # default currency, received by the reporting org
    assert incoming[0].attributes["provider_activity_id"] == "XM-DAC-7-PPR-123"
    to_bwi = links_between(links(result), fnv.id, bwi.id)
    assert sorted((lk.attributes["transaction_type"], lk.confidence.value) for lk in to_bwi) == \
        [("commitment", "reported"), ("disbursement", "confirmed")]
    expenditure = [lk for lk in links(result) if lk.attributes.get("transaction_type") == "expenditure"]
    assert [(lk.source, lk.target) for lk in expenditure] == [(fnv.id, migrants.id)]
    assert any("type 5 (interest_payment)" in n for n in result.notes)
    ilo = one(result.actors, "International Labour Organization")
    assert ilo.identifiers == {} and ilo.attributes["crs_channel_code"] == "41114"
    assert ilo.kind is ActorKind.IGO
    fes = one(result.actors, "Friedrich Ebert Stiftung")
    assert fes.kind is ActorKind.SSO and fes.attributes["kind_guessed"]
    asia = one(result.actors, "Asian labour migration network")
    assert asia.attributes["recipient_countries"] == {"NP": 100.0}  # from its transaction
    assert asia.attributes["recipient_regions"] == {"798": 100.0}
    assert not any("internal-code" in str(a.attributes) for a in result.actors)  # extension elements ignored


def test_own_1_05_fixture_legacy_quirks():
    result, ctx = read(fixture("iati", "legacy-1.05.xml"))
    assert not ctx.problems
    dfid = one(result.actors, "Department for International Development")
    assert dfid.identifiers == {"iati": "GB-GOV-1"} and "DFID" in dfid.aliases
    charity = one(result.actors, "Example Labour Charity")
    coalition = one(result.actors, "Coalition of Cambodian Apparel Workers Democratic Union")
    [incoming] = links_between(links(result), dfid.id, charity.id)  # provider only: received by the reporter
    assert incoming.attributes["transaction_type"] == "incoming_funds" and incoming.currency == "GBP"
    [grant] = links_between(links(result), charity.id, coalition.id)  # receiver only: provided by the reporter
    assert grant.currency == "USD" and grant.amount == 45000
    programme = one(result.actors, "Garment workers' organising in Cambodia")
    roles = sorted((lk.kind.value, lk.attributes["roles"][0]) for lk in links(result) if lk.target == programme.id
                   and "roles" in lk.attributes)
    assert roles == [("funds", "funding"), ("funds", "funding"), ("implements", "implementing"),
                     ("implements", "implementing")]
    assert programme.attributes["start_actual"] == "2012-04-01"


def test_bad_values_are_reported_with_line_path_and_field(sqlite_store):
    path = fixture("iati", "bad-values.xml")
    result, ctx = read(path)
    places = [p.place for p in ctx.problems]
    assert places == [
        "bad-values.xml:4:/iati-activities/iati-activity[1]/iati-identifier",
        "bad-values.xml:11:/iati-activities/iati-activity[2]/transaction[1]/value",
        "bad-values.xml:12:/iati-activities/iati-activity[2]/transaction[2]/value/@currency",
        "bad-values.xml:13:/iati-activities/iati-activity[2]/transaction[3]/transaction-date/@iso-date",
    ]
    assert result.rejected == 4 and result.read == 6
    with pytest.raises(ValidationFailed):
        ingest(sqlite_store, path)
    assert sqlite_store.stats().actors == 0
    report = ingest(sqlite_store, path, skip_invalid=True)
    assert report.rejected == 4 and sqlite_store.stats().links == 1


@pytest.mark.parametrize("name, message", [
    ("broken-truncated.xml", "not well-formed XML"),
    ("bomb.xml", "declares entities"),
    ("external-entity.xml", "declares entities"),
])
def test_unsafe_or_broken_xml_is_refused_without_network(name, message, sqlite_store, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the reader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    path = fixture("iati", name)
    with pytest.raises(InputError) as caught:
        read(path)
    assert message in str(caught.value) and name in str(caught.value)
    with pytest.raises(ValidationFailed) as failed:
        ingest(sqlite_store, path)
    assert failed.value.problems[0].file.endswith(name)
    assert sqlite_store.stats().actors == 0


def test_truncated_xml_names_line_and_column():
    with pytest.raises(InputError) as caught:
        read(fixture("iati", "broken-truncated.xml"))
    assert "broken-truncated.xml:39:" in str(caught.value)


def test_organisation_files_are_told_apart(tmp_path):
    path = tmp_path / "org.xml"
    path.write_text('<iati-organisations version="2.03"><iati-organisation><organisation-identifier>X-1'
                    '</organisation-identifier></iati-organisation></iati-organisations>')
    with pytest.raises(InputError, match="organisation file"):
        read(path)


def test_reingesting_changes_nothing(sqlite_store):
    path = fixture("iati", "union-grants-2.03.xml")
    ingest(sqlite_store, path)
    before = sqlite_store.content_hash()
    report = ingest(sqlite_store, path)
    assert sqlite_store.content_hash() == before
    assert report.written[0].actors_removed == 0 and report.written[0].links_removed == 0


def test_detected_as_iati():
    from ingest.formats import detect_format

    for path in (fixture("iati", "legacy-1.05.xml"), fixture("iati", "union-grants-2.03.xml")):
        assert detect_format(path).name == "iati"
