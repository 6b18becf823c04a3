"""The foundation from the command line: ingest, stats, show, export json, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphmodel.store.sqlite import SQLiteStore
from stakemap.cli import app

ACTORS = """id,name,kind,aliases,country,wikidata,source,locator,note
bwi,Building and Wood Workers' International,guf,BWI,,,,,
mtuc,Malaysian Trades Union Congress,national_centre,MTUC,MY,,,,
fnv,FNV Mondiaal,sso,,NL,,,,
"""
LINKS = """from,to,kind,start,end,amount,currency,confidence
fnv,bwi,funds,2006,2009,120000,EUR,confirmed
BWI,Malaysian Trades Union Congress,supports,2008-05,,,,reported
"""


def run(*args: str, store: Path | None = None):
    full = list(args) + (["--store", f"sqlite:///{store}"] if store else [])
    return CliRunner().invoke(app, full, catch_exceptions=False)


@pytest.fixture
def template(tmp_path: Path) -> Path:
    (tmp_path / "actors.csv").write_text(ACTORS, encoding="utf-8")
    (tmp_path / "links.csv").write_text(LINKS, encoding="utf-8")
    return tmp_path


def test_ingest_stats_show_export(template: Path, tmp_path: Path) -> None:
    db = tmp_path / "map.db"
    result = run("ingest", str(template / "actors.csv"), str(template / "links.csv"), store=db)
    assert result.exit_code == 0, result.output
    assert "read 5 = imported 5 + rejected 0" in result.output
    stats = json.loads(run("stats", "--json", store=db).output)
    assert (stats["actors"], stats["links"]) == (3, 2)
    assert stats["actors_by_kind"] == {"guf": 1, "national_centre": 1, "sso": 1}
    shown = json.loads(run("show", "mtuc", "--json", store=db).output)
    assert shown["actor"]["name"] == "Malaysian Trades Union Congress"
    assert shown["links"][0]["kind"] == "supports" and shown["links"][0]["confidence"] == "reported"
    by_alias = run("show", "Malaysian trades union congress", store=db)
    assert by_alias.exit_code == 0 and "MTUC" in by_alias.output
    out = tmp_path / "map.json"
    assert run("export", "--format", "json", "--out", str(out), store=db).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == {"bwi", "mtuc", "fnv"}
    funds = [lk for lk in data["links"] if lk["kind"] == "funds"][0]
    assert (funds["source"], funds["target"], funds["amount"], funds["currency"]) == ("fnv", "bwi", 120000, "EUR")


def test_reingest_changes_nothing(template: Path, tmp_path: Path) -> None:
    db = tmp_path / "map.db"
    files = [str(template / "actors.csv"), str(template / "links.csv")]
    run("ingest", *files, store=db)
    with SQLiteStore(db) as store:
        before = store.content_hash()
    run("ingest", *files, store=db)
    with SQLiteStore(db) as store:
        assert store.content_hash() == before


def test_unknown_actor_suggests_close_matches(template: Path, tmp_path: Path) -> None:
    db = tmp_path / "map.db"
    run("ingest", str(template / "actors.csv"), store=db)
    result = run("show", "Malaysian Trade Union", store=db)
    assert result.exit_code == 1
    assert "did you mean" in result.output and "mtuc" in result.output


def test_dry_run_writes_nothing(template: Path, tmp_path: Path) -> None:
    db = tmp_path / "map.db"
    result = run("ingest", str(template / "actors.csv"), "--dry-run", store=db)
    assert result.exit_code == 0 and "dry run" in result.output
    with SQLiteStore(db) as store:
        assert store.stats().actors == 0


BAD_INPUTS = {
    # name: (files {name: content bytes}, expected fragment of the one-line cause)
    "missing file": ({}, "no such file"),
    "unknown format": ({"map.dat": b"hello"}, "cannot tell which format"),
    "wrong header": ({"actors.csv": b"label_x,what\nA,B\n"}, "no 'name' column"),
    "bad country": ({"actors.csv": b"name,kind,country\nA union,union,Atlantis\n"}, "actors.csv:2:country"),
    "unknown kind": ({"actors.csv": b"name,kind\nA union,trade_union_thing\n"}, "actors.csv:2:kind"),
    "malformed date": ({"actors.csv": ACTORS.encode(), "links.csv": b"from,to,kind,start\nfnv,bwi,funds,2006-13\n"},
                       "links.csv:2:start"),
    "duplicate id": ({"actors.csv": b"id,name,kind\nx,A union,union\nx,Another,union\n"}, "duplicate id 'x'"),
    "missing actor": ({"actors.csv": ACTORS.encode(), "links.csv": b"from,to,kind\nfnv,nobody,funds\n"},
                      "links.csv:2:to: no actor 'nobody'"),
    "not utf-8": ({"actors.csv": "name,kind\nConfédération,union\n".encode("latin-1")}, "not UTF-8"),
    "empty file": ({"actors.csv": b""}, "empty"),
    "forbidden link kinds": ({"actors.csv": ACTORS.encode(), "links.csv": b"from,to,kind\nmtuc,fnv,sources_from\n"},
                             "cannot go from a national_centre to a sso"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_refused_with_place_and_hint(case: str, template: Path, tmp_path: Path) -> None:
    db = tmp_path / "map.db"
    run("ingest", str(template / "actors.csv"), str(template / "links.csv"), "--source", "base", store=db)
    with SQLiteStore(db) as store:
        before = store.content_hash()
    files, expected = BAD_INPUTS[case]
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    paths = [str(folder / n) for n in files] or [str(folder / "nothing.csv")]
    result = run("ingest", *paths, "--source", "incoming", store=db)
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert "hint" in result.output.lower()
    assert "Traceback" not in result.output
    with SQLiteStore(db) as store:
        assert store.content_hash() == before


def test_skip_invalid_imports_valid_rows_and_counts(tmp_path: Path) -> None:
    db = tmp_path / "map.db"
    actors = tmp_path / "actors.csv"
    actors.write_text("name,kind,country\nGood union,union,MY\nBad union,union,Atlantis\nOther,ngo,HK\n")
    result = run("ingest", str(actors), "--skip-invalid", "--json", store=db)
    report = json.loads(result.output)
    assert (report["read"], report["imported"], report["rejected"]) == (3, 2, 1)
    assert report["problems"][0]["row"] == 3 and report["problems"][0]["column"] == "country"


def test_xlsx_template_with_kumu_headings(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    elements = book.active
    elements.title = "Elements"
    elements.append(["Label", "Type", "Country"])
    elements.append(["Solidarity Center", "sso", "US"])
    elements.append(["MTUC", "national_centre", "MY"])
    connections = book.create_sheet("Connections")
    connections.append(["From", "To", "Type", "Start"])
    connections.append(["Solidarity Center", "MTUC", "funds", 1999])
    book.save(tmp_path / "map.xlsx")
    db = tmp_path / "map.db"
    result = run("ingest", str(tmp_path / "map.xlsx"), store=db)
    assert result.exit_code == 0, result.output
    with SQLiteStore(db) as store:
        link = next(store.iter_links())
        assert (link.kind.value, link.start) == ("funds", "1999")


def test_gephi_headings(tmp_path: Path) -> None:
    (tmp_path / "nodes.csv").write_text("Id,Label,kind\nn1,Union A,union\nn2,Federation B,guf\n")
    (tmp_path / "edges.csv").write_text("Source,Target,Type,Label\nn1,n2,Directed,affiliated_to\n")
    db = tmp_path / "map.db"
    result = run("ingest", str(tmp_path / "nodes.csv"), str(tmp_path / "edges.csv"), store=db)
    assert result.exit_code == 0, result.output
    with SQLiteStore(db) as store:
        assert next(store.iter_links()).kind.value == "affiliated_to"


def test_dataset_folder_carries_its_source(tmp_path: Path, template: Path) -> None:
    (template / "dataset.yaml").write_text(
        "id: my-map\ntitle: My map\npublisher: Us\nlicence: CC-BY-4.0\nformat: tabular\n"
        "files:\n  actors: actors.csv\n  links: links.csv\n")
    db = tmp_path / "map.db"
    assert run("ingest", str(template), store=db).exit_code == 0
    with SQLiteStore(db) as store:
        assert store.origins_of("bwi") == ["my-map"]
        assert {s.id: s.licence for s in store.sources()}["my-map"] == "CC-BY-4.0"


def test_no_traceback_reaches_the_user(tmp_path: Path) -> None:
    bad = tmp_path / "actors.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    proc = subprocess.run([sys.executable, "-m", "stakemap", "ingest", str(bad), "--store",
                           f"sqlite:///{tmp_path / 'x.db'}"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "not UTF-8" in proc.stderr


def test_version_and_help() -> None:
    assert run("--version").output.startswith("stakemap ")
    assert "ingest" in run("--help").output


def test_person_marked_public_needs_a_cited_document(tmp_path: Path) -> None:
    (tmp_path / "sources.csv").write_text("id,title,kind\nreport-1,A public report,document\n", encoding="utf-8")
    (tmp_path / "people.csv").write_text(
        "id,name,kind,sensitivity,source,locator\n"
        "ana,Ana Example,person,public,report-1,p. 4\n"      # a document makes her public
        "ben,Ben Example,person,public,,\n"                  # only this file says so
        "cai,Cai Example,person,,,\n", encoding="utf-8")     # restricted by default
    db = tmp_path / "map.db"
    refused = run("ingest", str(tmp_path / "sources.csv"), str(tmp_path / "people.csv"), store=db)
    assert refused.exit_code == 1
    assert "people.csv:3:sensitivity: person 'Ben Example' is marked public" in refused.output
    assert not db.exists() or SQLiteStore(db).stats().actors == 0
    kept = run("ingest", str(tmp_path / "sources.csv"), str(tmp_path / "people.csv"), "--skip-invalid", store=db)
    assert kept.exit_code == 0, kept.output
    store = SQLiteStore(db)
    assert {a.id: a.sensitivity.value for a in store.iter_actors()} == {
        "ana": "public", "ben": "restricted", "cai": "restricted"}
