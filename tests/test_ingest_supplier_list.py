"""Brands' supplier disclosure lists: the header below title rows, columns by name, one brand per file."""

from __future__ import annotations

import shutil

import pytest

from graphmodel.errors import InputError, ValidationFailed
from graphmodel.kinds import ActorKind, LinkKind
from tests.conftest import samples
from tests.ingest_helpers import fixture, ingest, links, links_between, one, read


def test_nike_sample_legacy_xls():
    result, ctx = read(samples("supplier_lists", "nike-manufacturing-2021-02.xls"))
    assert result.format == "supplier-list" and not ctx.problems
    assert result.read == 498 and result.rejected == 0
    nike = one(result.actors, "Nike")
    assert nike.kind is ActorKind.BRAND
    assert result.origin.publisher == "Nike" and "2021-02" in result.origin.description
    facilities = [a for a in result.actors if a.kind is ActorKind.FACILITY]
    assert len(facilities) == 498  # same-named factories at different addresses stay apart
    ak = one(result.actors, "A & K DESIGNS, INC.")
    assert ak.country == "US"
    assert ak.attributes["workers"] == 130 and ak.attributes["line_workers"] == 90
    assert ak.attributes["share_women"] == pytest.approx(0.71) and ak.attributes["share_migrant"] == 0.0
    assert ak.attributes["address"] == "8564 NE ALDERWOOD ROAD, PORTLAND, OREGON, 97220"
    [link] = links_between(links(result), nike.id, ak.id)
    assert link.kind is LinkKind.SOURCES_FROM and link.attributes["disclosed"] == "2021-02"
    assert link.attributes["product_type"] == ["APPAREL"]
    group = one(result.actors, "A & K DESIGNS")
    assert group.kind is ActorKind.SUPPLIER
    assert links_between(links(result), group.id, ak.id)[0].kind is LinkKind.OWNS
    assert {a.country for a in facilities} >= {"KR", "MD", "CN", "VN"}  # "Korea (Republic of)", "China Mainland"
    assert not any(name.startswith("NO GROUP") for a in result.actors for name in [a.name, *a.aliases])
    assert any(n.startswith("supplier groups dropped as placeholders: 92") for n in result.notes)
    # a group named like one of its factories is that factory's owner, not a placeholder
    owners = {lk.target: lk.source for lk in links(result) if lk.kind.value == "owns"}
    same = [a for a in result.actors if a.kind.value == "facility" and a.id in owners
            and next(o for o in result.actors if o.id == owners[a.id]).name == a.name]
    assert len(same) == 9  # ten rows; one factory is listed twice
    assert not any(k.lower().startswith("contact") for a in result.actors for k in a.attributes)
    assert any("110.0%" in n for n in result.notes)  # a share over 100% is dropped, the factory kept
    dass = [a for a in facilities if normalise(a.name) == "dass nordeste calcados e artigos esportivos ltda"]
    assert len(dass) == 4


def normalise(text: str) -> str:
    from graphmodel.text import normalise_name

    return normalise_name(text)


def test_xlsx_fixture_header_below_titles_and_ignored_sheet():
    result, ctx = read(fixture("supplier_lists", "acme-supplier-list-2023-05.xlsx"))
    assert result.format == "supplier-list"
    brand = one(result.actors, "Acme")
    assert brand.kind is ActorKind.BRAND
    assert not ctx.problems  # an unreadable country flags its row, it does not refuse the list
    assert any("country could not be read" in n and "acme-supplier-list-2023-05.xlsx[" in n and ":9:Country" in n
               for n in result.notes)
    assert (result.read, result.rejected) == (6, 0)
    scavi = one(result.actors, "Scavi Hue Company")
    assert scavi.country == "VN" and scavi.attributes["share_women"] == 0.82
    alif = one(result.actors, "Alif Embroidery Village Ltd")
    assert alif.attributes["workers"] == 1200 and alif.attributes["share_women"] == 0.65
    assert alif.attributes["product_type"] == ["Embroidery", "Shirts"] and alif.attributes["Notes"] == "audited 2022"
    assert not [lk for lk in links(result) if lk.target == alif.id and lk.kind is LinkKind.OWNS]  # "-" is no owner
    nan_yang = [a for a in result.actors if a.name == "Nan Yang Garment Co., Ltd."]
    assert len(nan_yang) == 2
    assert {lk.attributes["disclosed"] for lk in links(result) if lk.kind is LinkKind.SOURCES_FROM} == {"2023-05"}
    assert not any(a.name == "Should Never Be Read" for a in result.actors)
    odd = one(result.actors, "Odd Numbers Ltd")
    assert "workers" not in odd.attributes and "share_women" not in odd.attributes


def test_csv_with_semicolons_title_rows_and_brand_option():
    result, ctx = read(fixture("supplier_lists", "garments-co-suppliers.csv"), brand="Garments Co.")
    assert result.format == "supplier-list"
    assert not ctx.problems and any("country could not be read" in n and ":7:Country" in n for n in result.notes)
    brand = one(result.actors, "Garments Co.")
    injae = one(result.actors, "Injae Garment Co Ltd")
    assert injae.attributes["share_women"] == 0.75
    assert links_between(links(result), brand.id, injae.id)[0].attributes["disclosed"] == "2022-03"
    owner = one(result.actors, "Injae Holdings")
    assert links_between(links(result), owner.id, injae.id)[0].kind is LinkKind.OWNS


@pytest.mark.parametrize("name", ["no-header.xlsx", "no-header.csv"])
def test_no_recognisable_header(name):
    with pytest.raises(InputError, match=f"{name}: no header row found"):
        read(fixture("supplier_lists", name), "supplier-list")


@pytest.mark.parametrize("name, kind", [("corrupt.xlsx", "XLSX"), ("corrupt.xls", "XLS")])
def test_corrupt_workbooks(name, kind, sqlite_store):
    with pytest.raises(InputError, match=f"{name}: not a readable {kind} workbook"):
        read(fixture("supplier_lists", name), "supplier-list")
    with pytest.raises(ValidationFailed):
        ingest(sqlite_store, fixture("supplier_lists", name), fmt="supplier-list")
    assert sqlite_store.stats().actors == 0


def test_a_file_that_does_not_say_whose_it_is(tmp_path):
    path = tmp_path / "suppliers.csv"
    shutil.copy(fixture("supplier_lists", "garments-co-suppliers.csv"), path)
    with pytest.raises(InputError, match="cannot tell whose supplier list"):
        read(path, "supplier-list")
    result, _ = read(path, "supplier-list", brand="Garments Co.")
    assert one(result.actors, "Garments Co.").kind is ActorKind.BRAND


def test_supplier_list_and_open_supply_hub_meet(sqlite_store):
    ingest(sqlite_store, fixture("oshub", "facilities-download.csv"))
    ingest(sqlite_store, fixture("supplier_lists", "acme-supplier-list-2023-05.xlsx"), skip_invalid=True)
    scavi = [a for a in sqlite_store.iter_actors() if "scavi hue" in a.name.casefold()
             and a.kind.value == "facility"]
    assert len(scavi) == 1 and scavi[0].identifiers == {"os_id": "VN2021050AB12CD"}
    assert set(sqlite_store.origins_of(scavi[0].id)) == {"facilities-download", "acme-supplier-list-2023-05"}


def test_numbers_by_heading_row_brands_countries_and_merged_rows():
    """Head counts stay head counts however small; a row's own brand column says who sources; common
    country names resolve and an unknown one flags only its row; two rows of one factory keep both figures;
    a group named like its factory owns it."""
    result, ctx = read(fixture("supplier_lists", "multibrand-suppliers-2024-01.csv"))
    assert not ctx.problems and (result.read, result.rejected) == (6, 0)
    small = one(result.actors, "Small Stitch Ltd")
    assert small.attributes["women_workers"] == 45 and small.attributes["share_women"] == round(45 / 80, 6)
    assert small.attributes["share_migrant"] == 0.0
    big = one(result.actors, "Big Knit Ltd")
    assert big.attributes["women_workers"] == 1500 and big.attributes["share_migrant"] == 0.02
    sarajevo = next(a for a in result.actors if a.name == "Sarajevo Shoe Works" and a.kind is ActorKind.FACILITY)
    assert sarajevo.country == "BA"
    owner = next(a for a in result.actors if a.name == "Sarajevo Shoe Works" and a.kind is ActorKind.SUPPLIER)
    assert [lk.kind for lk in links_between(links(result), owner.id, sarajevo.id)] == [LinkKind.OWNS]
    buyers = {a.id: a.name for a in result.actors if a.kind is ActorKind.BRAND}
    sourcing = {(buyers[lk.source], lk.target) for lk in links(result) if lk.kind is LinkKind.SOURCES_FROM}
    assert ("Runner Label", sarajevo.id) in sourcing and ("Kids Label", small.id) in sourcing
    assert ("Runner Label", big.id) in sourcing and ("Kids Label", big.id) in sourcing
    assert not any(name.startswith("Multibrand") for name, _ in sourcing)  # the rows' brands win
    twice = one(result.actors, "Twice Listed Apparel")
    assert twice.attributes["workers"] == 500 and twice.attributes["conflicting"]["workers"] == [500, 650]
    assert any("different figures" in n and "Twice Listed Apparel" in n for n in result.notes)
    nowhere = one(result.actors, "Nowhere Garments")
    assert nowhere.country is None and nowhere.attributes["country_stated"] == "Atlantis"
    assert any("country could not be read" in n and "Atlantis" in n for n in result.notes)
