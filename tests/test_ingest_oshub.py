"""Open Supply Hub: list uploads, the facility download, API GeoJSON and recorded cassettes."""

from __future__ import annotations

import pytest

from graphmodel.errors import InputError, ValidationFailed
from graphmodel.kinds import ActorKind, LinkKind
from tests.conftest import samples
from tests.ingest_helpers import fixture, ingest, links, links_between, one, read


def test_list_upload_samples_with_country_names():
    for name, rows in (("summer-2019-affiliate-list.csv", 77), ("fall-2017-compliance-list.csv", 29)):
        result, ctx = read(samples("oshub", name))
        assert result.format == "oshub" and not ctx.problems
        assert result.read == rows and result.rejected == 0
        facilities = [a for a in result.actors if a.kind is ActorKind.FACILITY]
        assert len(facilities) == rows
        assert all(a.country and a.attributes.get("address") for a in facilities)
        assert any("no --brand" in n for n in result.notes) and not links(result)
    result, _ = read(samples("oshub", "summer-2019-affiliate-list.csv"))
    alif = one(result.actors, "Alif Embroidery Village Ltd.")
    assert alif.country == "BD" and alif.sectors == ["Apparel"] and alif.attributes["lat"] == pytest.approx(23.9124301)


def test_list_upload_with_brand_gives_sources_from_links():
    result, ctx = read(samples("oshub", "fall-2017-compliance-list.csv"), brand="Example Brand")
    brand = one(result.actors, "Example Brand")
    assert brand.kind is ActorKind.BRAND and "kind_guessed" not in brand.attributes
    branded = [lk for lk in links(result) if lk.source == brand.id]
    assert len(branded) == 29 and {lk.kind for lk in branded} == {LinkKind.SOURCES_FROM}


def test_api_cassette_sample_reads_every_page():
    result, ctx = read(samples("oshub", "api-facilities-country-CH.cassette.yaml"))
    assert not ctx.problems
    facilities = [a for a in result.actors if a.kind is ActorKind.FACILITY]
    assert len(facilities) == 82  # 50 on the first page, 32 on the second
    assert all(a.identifiers["os_id"].startswith("CH") and a.country == "CH" for a in facilities)
    printers = one(result.actors, "Printers-solidaires.ch")
    assert "Face Shields" in printers.attributes["ppe_product_types"]
    ultima = [a for a in facilities if a.name.casefold() == "ultima sa"]
    assert len(ultima) == 2  # two sites, two os_ids: never merged


def test_api_detail_cassette_sample_contributors():
    result, ctx = read(samples("oshub", "api-facility-detail.cassette.yaml"))
    assert not ctx.problems
    facility = one(result.actors, "Footwear studios")
    assert facility.identifiers == {"os_id": "DE20211253G9MQX"} and facility.sectors == ["Apparel"]
    contributor = one(result.actors, "Find Sourcing")  # a sourcing platform: nothing says it buys anything
    assert contributor.kind is ActorKind.OTHER and contributor.attributes["kind_guessed"] is True
    [link] = links_between(links(result), contributor.id, facility.id)
    assert link.kind is LinkKind.LISTS
    assert link.attributes["lists"] == ["Find Sourcing Facility List May 2021"]


def test_download_csv_contributors_owners_and_noise():
    result, ctx = read(fixture("oshub", "facilities-download.csv"))
    assert not ctx.problems
    alif = one(result.actors, "Alif Embroidery Village Ltd.")
    assert alif.identifiers == {"os_id": "BD2019168KX8YT7"}
    assert alif.attributes["workers_min"] == 1001 and alif.attributes["workers_max"] == 5000
    assert alif.attributes["product_type"] == ["Shirts", "Jackets"] and alif.attributes["is_closed"] is False
    brand = one(result.actors, "Example Outdoor Brand")  # the download names contributors, not their types
    assert [lk.kind for lk in links_between(links(result), brand.id, alif.id)] == [LinkKind.LISTS]
    group = one(result.actors, "Alif Group")
    assert group.kind is ActorKind.SUPPLIER
    assert [lk.kind for lk in links_between(links(result), group.id, alif.id)] == [LinkKind.OWNS]
    scavi = next(a for a in result.actors if a.name == "Scavi Hue" and a.kind is ActorKind.FACILITY)
    [two_lists] = links_between(links(result), brand.id, scavi.id)
    assert two_lists.attributes["lists"] == ["Spring 2021 supplier list", "Autumn 2021 supplier list"]
    noise = next(n for n in result.notes if n.startswith("parent_company values dropped"))
    assert "'-'" in noise and "'1984.0'" in noise and "'Scavi Hue'" not in noise
    owner = next(a for a in result.actors if a.name == "Scavi Hue" and a.kind is ActorKind.SUPPLIER)
    assert [lk.kind for lk in links_between(links(result), owner.id, scavi.id)] == [LinkKind.OWNS]
    masked = next(n for n in result.notes if n.startswith("anonymised or placeholder contributors"))
    assert "Other" in masked and "A Civil Society Organization" in masked
    assert not any(a.name in ("Other", "-", "1984.0") for a in result.actors)
    assert all(lk.citations[0].locator.startswith("facilities-download.csv:") for lk in links(result))


def test_contributor_types_decide_kinds_and_links():
    """Only a brand or retailer sources from a facility; registries, initiatives and unions list it; an
    anonymised contributor is no actor; a group named like its own factory owns it."""
    result, ctx = read(fixture("oshub", "facilities-download-typed.csv"))
    assert not ctx.problems and result.rejected == 0
    sites = [a for a in result.actors if a.kind is ActorKind.FACILITY]
    assert len(sites) == 2  # one name, two addresses, two os_ids: two sites
    by_name = {a.name: a for a in result.actors if a.kind is not ActorKind.FACILITY}
    expected = {"Example Outdoor Brand": (ActorKind.BRAND, LinkKind.SOURCES_FROM),
                "Bangladesh Industrial Import Registration Certificate (IRC) [Public List]": (ActorKind.OTHER,
                                                                                            LinkKind.LISTS),
                "Fair Wear Example Initiative": (ActorKind.PLATFORM, LinkKind.LISTS),
                "Garment Workers Example Union": (ActorKind.UNION, LinkKind.LISTS)}
    for name, (kind, link_kind) in expected.items():
        actor = by_name[name]
        assert actor.kind is kind, name
        assert {lk.kind for lk in links(result) if lk.source == actor.id} == {link_kind}, name
    assert not any("Auditor" in a.name for a in result.actors)
    assert any("An Auditor / Certification Scheme / Service Provider" in n for n in result.notes)
    knit_group = next(a for a in result.actors if a.name == "Sonar Knit Ltd." and a.kind is ActorKind.SUPPLIER)
    epz = next(a for a in sites if "Adamjee" in a.attributes["address"])
    assert [lk.kind for lk in links_between(links(result), knit_group.id, epz.id)] == [LinkKind.OWNS]


def test_geojson_page_and_cassette_fixture():
    result, ctx = read(fixture("oshub", "api-page.geojson"))
    assert not ctx.problems
    alif = one(result.actors, "ALIF EMBROIDERY VILLAGE LTD")
    assert "Alif Embroidery" in alif.aliases and alif.attributes["workers_max"] == 5000
    assert alif.attributes["lat"] == pytest.approx(23.9124301) and alif.attributes["lng"] == pytest.approx(90.3214135)
    group = one(result.actors, "Alif Group")
    assert links_between(links(result), group.id, alif.id)[0].kind is LinkKind.OWNS
    result, ctx = read(fixture("oshub", "api-pages.cassette.yaml"))
    assert not ctx.problems and result.read == 4  # one facility on both pages: one actor
    assert sorted(a.name for a in result.actors) == ["Fine Garment Ltd", "Injae Garment Co. Ltd.",
                                                     "Phnom Penh Knitwear"]


def test_the_same_facility_from_three_shapes_is_one_actor(sqlite_store):
    ingest(sqlite_store, fixture("oshub", "facilities-download.csv"))
    ingest(sqlite_store, fixture("oshub", "api-page.geojson"), fixture("oshub", "list-upload.csv"))
    alif = [a for a in sqlite_store.iter_actors() if a.name.casefold().startswith("alif embroidery")]
    assert len(alif) == 1
    assert set(sqlite_store.origins_of(alif[0].id)) == {"facilities-download", "api-page", "list-upload"}
    scavi = [a for a in sqlite_store.iter_actors() if a.name.casefold().startswith("scavi hue")
             and a.kind is ActorKind.FACILITY]
    assert len(scavi) == 1 and {"Scavi Hue", "Scavi Hue Company"} <= {scavi[0].name, *scavi[0].aliases}


def test_bad_rows_are_rejected_with_row_and_column(sqlite_store):
    path = fixture("oshub", "bad-rows.csv")
    result, ctx = read(path)
    assert [p.place for p in ctx.problems] == ["bad-rows.csv:2:country", "bad-rows.csv:3:name"]
    assert (result.read, result.rejected) == (3, 2)
    with pytest.raises(ValidationFailed):
        ingest(sqlite_store, path)
    assert sqlite_store.stats().actors == 0


def test_geojson_of_the_wrong_shape():
    with pytest.raises(InputError, match="wrong-shape.geojson: expected Open Supply Hub GeoJSON"):
        read(fixture("oshub", "wrong-shape.geojson"))
    result, ctx = read(fixture("oshub", "bad-feature.geojson"))
    assert [p.place for p in ctx.problems] == ["bad-feature.geojson:features[0].properties.name",
                                               "bad-feature.geojson:features[1]"]


def test_truncated_json_and_cassette(tmp_path):
    text = fixture("oshub", "api-page.geojson").read_text()
    truncated = tmp_path / "page.geojson"
    truncated.write_text(text[: len(text) // 2])
    with pytest.raises(InputError, match=r"page.geojson:\d+: not valid JSON"):
        read(truncated, "oshub")
    cassette = tmp_path / "c.cassette.yaml"
    cassette.write_text("interactions:\n- request: {uri: https://example.invalid/api/facilities/}\n  response: [\n")
    with pytest.raises(InputError, match="not valid YAML"):
        read(cassette, "oshub")
    empty = tmp_path / "e.cassette.yaml"
    empty.write_text("interactions: []\nversion: 1\n")
    with pytest.raises(InputError, match="no Open Supply Hub facility"):
        read(empty, "oshub")


def test_detection():
    from ingest.formats import detect_format

    for name in ("facilities-download.csv", "list-upload.csv", "api-page.geojson", "api-pages.cassette.yaml"):
        assert detect_format(fixture("oshub", name)).name == "oshub", name


def test_a_list_saved_as_a_workbook_is_read():
    from ingest.formats import detect_format

    path = fixture("oshub", "list-upload.xlsx")
    assert detect_format(path).name == "oshub"
    result, ctx = read(path)
    assert not ctx.problems and result.read == 2
    denim = one(result.actors, "Anatolia Denim")
    assert denim.country == "TR" and denim.attributes["workers"] == 800
    group = one(result.actors, "Sonar Group")
    assert group.kind is ActorKind.SUPPLIER
