"""Every export format, read back by a real reader and compared with what was selected."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from xml.etree import ElementTree

import networkx as nx
import pytest

from graphmodel.export import EXPORT_FORMATS, Selection, export_subgraph
from graphmodel.export.cells import restore
from graphmodel.export.jsonfile import read_json
from graphmodel.kinds import LINK_SPECS

from .test_export_data import sample_export, sample_store


@pytest.fixture
def exported(tmp_path):
    store = sample_store(tmp_path / "s.db")
    selected, manifest = sample_export(store)
    yield selected, manifest, tmp_path
    store.close()


def _write(selected, manifest, tmp_path, fmt):
    out = tmp_path / f"out{EXPORT_FORMATS[fmt].extension}"
    written = export_subgraph(selected, fmt, out, manifest)
    assert written == [out, out.with_name(out.name + ".manifest.json")]
    side = json.loads(written[1].read_text())
    assert side["files"][0]["bytes"] == out.stat().st_size
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    return out


def _pipe(values):
    return "|".join(values) or None


def test_graphml_read_by_networkx(exported):
    selected, manifest, tmp = exported
    G = nx.read_graphml(_write(selected, manifest, tmp, "graphml"), force_multigraph=True)
    assert set(G.nodes) == set(selected.actors)
    assert {k for _, _, k in G.edges(keys=True)} == set(selected.links)
    for actor in selected.actors.values():
        node = G.nodes[actor.id]
        assert node["name"] == actor.name and node["kind"] == actor.kind.value
        assert node.get("aliases") == _pipe(actor.aliases)
        assert json.loads(node["citations"]) if actor.citations else "citations" not in node
    for link in selected.links.values():
        edge = G.edges[link.source, link.target, link.id]
        assert edge["kind"] == link.kind.value and edge.get("start") == link.start and edge.get("end") == link.end
        assert edge.get("amount") == link.amount and edge["directed"] == LINK_SPECS[link.kind].directed
    assert G.nodes["ktu"]["members"] == 1200.5 and json.loads(G.nodes["ktu"]["flags"]) == ["a", "b"]
    assert G.nodes["ktu"]["description"] == selected.actors["ktu"].description
    assert json.loads(G.graph["manifest"])["counts"] == manifest["counts"]
    assert {s["id"] for s in json.loads(G.graph["sources_json"])} == {s.id for s in selected.sources}


def test_gexf_read_by_networkx(exported):
    selected, manifest, tmp = exported
    G = nx.read_gexf(_write(selected, manifest, tmp, "gexf"), version="1.3")
    assert set(G.nodes) == set(selected.actors)
    ids = {d["id"] for _, _, d in G.edges(data=True)}
    assert ids == set(selected.links)  # mutual (undirected) links come back once each way, same id
    for actor in selected.actors.values():
        node = G.nodes[actor.id]
        assert node["label"] == actor.name and node["kind"] == actor.kind.value
        assert "color" in node["viz"] and node["viz"]["size"] > 0
    fund = next(d for _, _, d in G.edges(data=True) if d["id"] == "l-fund")
    assert (fund["start"], fund["end"], fund["start_date"], fund["end_date"]) == ("2006-01-01", "2010-06-30",
                                                                                  "2006", "2010-06")
    assert fund["amount"] == 250000.0 and fund["label"] == "funds"
    assert G.graph["mode"] == "dynamic"


def test_node_link_json_reads_back_as_the_same_records(exported):
    selected, manifest, tmp = exported
    data = json.loads(_write(selected, manifest, tmp, "json").read_text(encoding="utf-8"))
    back = read_json(data)
    assert back.actors == selected.actors and back.links == selected.links
    assert data["manifest"]["counts"] == manifest["counts"]
    assert [s["id"] for s in data["sources"]] == [s.id for s in selected.sources]
    G = nx.node_link_graph(data, edges="links", key="id")
    assert G.number_of_edges() == len(selected.links)


def test_cytoscape_read_by_networkx(exported):
    selected, manifest, tmp = exported
    doc = json.loads(_write(selected, manifest, tmp, "cytoscape").read_text(encoding="utf-8"))
    G = nx.cytoscape_graph(doc)
    assert set(G.nodes) == set(selected.actors)
    assert {k for _, _, k in G.edges(keys=True)} == set(selected.links)
    assert all(n["classes"] == n["data"]["kind"] for n in doc["elements"]["nodes"])
    assert doc["data"]["manifest"]["counts"] == manifest["counts"]


def test_xlsx_read_by_openpyxl(exported):
    import openpyxl

    selected, manifest, tmp = exported
    book = openpyxl.load_workbook(_write(selected, manifest, tmp, "xlsx"), read_only=True)
    assert book.sheetnames == ["Elements", "Connections", "Sources", "Manifest (ignore)"]
    rows = list(book["Elements"].iter_rows(values_only=True))
    head = rows[0]
    assert head[:3] == ("ID", "Label", "Type")
    by_id: dict[str, list] = {}
    for row in rows[1:]:
        by_id.setdefault(row[0], []).append(dict(zip(head, row)))
    assert set(by_id) == set(selected.actors)
    for actor in selected.actors.values():
        cells = by_id[actor.id]
        assert len(cells) == max(1, len(actor.citations))
        assert restore(cells[0]["Label"]) == actor.name and cells[0]["Type"] == actor.kind.value
        assert [c.get("cites") for c in cells if c.get("cites")] == [c.source for c in actor.citations]
    assert by_id["acme"][0]["Label"].startswith("'=")  # formula neutralised
    links = list(book["Connections"].iter_rows(values_only=True))
    assert links[0][:4] == ("ID", "From", "To", "Type")
    got = {r[0]: r for r in links[1:]}
    assert set(got) == set(selected.links)
    assert got["l-fund"][1:4] == ("fnv", "bwi", "funds") and got["l-fund"][links[0].index("amount")] == 250000
    assert {r[0] for r in book["Sources"].iter_rows(min_row=2, values_only=True)} == {s.id for s in selected.sources}


def test_csv_zip_read_by_csv_module(exported):
    selected, manifest, tmp = exported
    archive = zipfile.ZipFile(_write(selected, manifest, tmp, "csv"))
    nodes = list(csv.DictReader(io.StringIO(archive.read("nodes.csv").decode("utf-8"))))
    links = list(csv.DictReader(io.StringIO(archive.read("links.csv").decode("utf-8"))))
    assert {r["Id"] for r in nodes} == set(selected.actors)
    assert {r["Id"] for r in links} == set(selected.links)
    for row in links:
        link = selected.links[row["Id"]]
        assert (row["Source"], row["Target"], row["Label"]) == (link.source, link.target, link.kind.value)
        assert row["Type"] == ("Directed" if LINK_SPECS[link.kind].directed else "Undirected")
    acme = next(r for r in nodes if r["Id"] == "acme")
    assert acme["Label"] == "'" + selected.actors["acme"].name and acme["attr_note"] == "'-starts with minus"
    assert json.loads(archive.read("manifest.json"))["counts"] == manifest["counts"]


def test_csv_folder(exported):
    selected, manifest, tmp = exported
    written = export_subgraph(selected, "csv", tmp / "folder", manifest)
    assert sorted(p.name for p in written) == ["dataset.yaml", "folder.manifest.json", "links.csv", "manifest.json",
                                               "nodes.csv", "sources.csv"]
    assert not [p for p in (tmp / "folder").iterdir() if p.name.endswith(".part")]


def test_ftm_entities_validate_with_followthemoney(exported):
    from followthemoney import model

    selected, manifest, tmp = exported
    lines = _write(selected, manifest, tmp, "ftm").read_text(encoding="utf-8").splitlines()
    entities = {}
    for line in lines:
        data = json.loads(line)
        schema = model.get(data["schema"])
        assert schema.validate(data) is None, data
        entity = model.get_proxy(data, cleaned=False)
        entities[entity.id] = entity
    for actor in selected.actors.values():
        e = entities[actor.id]
        assert e.first("name") == actor.name and e.first("keywords") == actor.kind.value
    assert entities["fnv"].schema.name == "Organization" and entities["acme"].schema.name == "Company"
    fund = entities["l-fund"]
    assert fund.schema.name == "Payment" and fund.get("payer") == ["fnv"] and fund.get("beneficiary") == ["bwi"]
    assert fund.get("startDate") == ["2006"] and fund.get("currency") == ["EUR"]
    assert entities["l-aff"].schema.name == "Membership"
    assert entities["l-source"].schema.name == "UnknownLink" and entities["l-source"].first("role") == "sources_from"
    assert entities["l-rep"].schema.name == "Representation"
    docs = [e for e in entities.values() if e.schema.name == "Documentation"]
    assert {d.first("entity") for d in docs} == {a.id for a in selected.actors.values() if a.citations}
    linked = {lk.id for lk in selected.links.values()}
    assert linked <= set(entities)


def test_svg_picture(exported):
    selected, manifest, tmp = exported
    svg = ElementTree.parse(_write(selected, manifest, tmp, "svg")).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert len(svg.findall(".//s:g[@class='actors']/s:circle", ns)) == len(selected.actors)
    assert len(svg.findall(".//s:g[@class='links']/s:line", ns)) == len(selected.links)
    assert json.loads(svg.find("s:metadata", ns).text)["counts"] == manifest["counts"]


def test_png_picture(exported):
    pytest.importorskip("matplotlib")
    selected, manifest, tmp = exported
    data = _write(selected, manifest, tmp, "png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and b"Description" in data


def test_stream_export_matches_file_export(exported):
    selected, manifest, tmp = exported
    buf = io.BytesIO()
    export_subgraph(selected, "json", buf, manifest)
    assert buf.getvalue() == _write(selected, manifest, tmp, "json").read_bytes()


def test_interrupted_export_leaves_no_file(exported, monkeypatch):
    import graphmodel.export.graphml as graphml

    selected, manifest, tmp = exported

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(graphml, "actor_row", broken)
    with pytest.raises(KeyboardInterrupt):
        export_subgraph(selected, "graphml", tmp / "x.graphml", manifest)
    assert not [p for p in tmp.iterdir() if p.name.startswith((".x.graphml", "x.graphml"))]


def test_every_format_exports_an_empty_selection(tmp_path):
    store = sample_store(tmp_path / "s.db")
    selected, manifest = sample_export(store, Selection(countries=["FR"]))
    assert not selected.actors
    for name in EXPORT_FORMATS:
        if name == "png":
            continue
        buf = io.BytesIO()
        export_subgraph(selected, name, buf, manifest)
        assert buf.getvalue() or name == "ftm", name
