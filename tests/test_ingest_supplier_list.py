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
    assert [p.place for p in ctx.problems] == ["acme-supplier-list-2023-05.xlsx:9:Country"]
    assert (result.read, result.rejected) == (6, 1)
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
    assert [p.place for p in ctx.problems] == ["garments-co-suppliers.csv:7:Country"]
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
