"""200 hostile names survive both stores and every export unchanged, and stay inert.

The names (:func:`tests.hostile.hostile_names`) carry HTML and script, Cypher,
SQL and shell, spreadsheet formulas, template and format strings, markup of
the terminal and of Markdown, JSON and YAML syntax, and Unicode tricks
(right-to-left overrides, zero-width joiners, combining marks). They are the
names, descriptions, citation notes and a source title of a small map.

* **Stores**: written to SQLite and to the Bolt store, every field reads back
  exactly; writing again changes nothing; a name finds its actor.
* **Exports**: every format gives each name back exactly (CSV and XLSX after
  :func:`~graphmodel.export.cells.restore` undoes the neutralising quote), and
  nothing in a name escapes its value: XML stays well-formed with only the
  format's own elements, no spreadsheet cell is a formula, every Cypher
  statement is one of the fixed templates and each name sits inside one string
  literal, the SVG has no script or event handler.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from lxml import etree

from graphmodel.export import EXPORT_FORMATS, Selection, build_manifest, export_bytes, select_subgraph
from graphmodel.export.cells import FORMULA_TRIGGERS, restore
from graphmodel.kinds import Sensitivity
from graphmodel.models import Actor, Citation, Link, Source
from graphmodel.store.contract import Batch
from graphmodel.store.sqlite import SQLiteStore
from graphmodel.text import normalise_name
from tests.hostile import hostile_names

NAMES = hostile_names()
KINDS = ["ngo", "union", "guf", "sso", "national_centre", "worker_organisation"]
SOURCE_ID = "hostile-source"


def hostile_batch() -> Batch:
    origin = Source(id="hostile-names", title="Hostile names", kind="dataset")
    source = Source(id=SOURCE_ID, title=NAMES[0], description=NAMES[1], kind="document")
    actors = [Actor(id=f"hn-{i:03d}", kind=KINDS[i % len(KINDS)], name=name, country="MY",
                    aliases=[NAMES[(i + 7) % len(NAMES)]], description=name,
                    citations=[Citation(source=SOURCE_ID, locator=name[:200], note=name)])
              for i, name in enumerate(NAMES)]
    links = [Link(kind="partners_with", source=f"hn-{i:03d}", target=f"hn-{i + 1:03d}", description=NAMES[i],
                  citations=[Citation(source=SOURCE_ID, note=NAMES[i + 1])])
             for i in range(len(NAMES) - 1)]
    return Batch(origin, actors=actors, links=links, sources=[source])


# -- stores ---------------------------------------------------------------------------------

def test_names_survive_each_store(store):
    batch = hostile_batch()
    store.write(batch)
    first = store.content_hash()
    for actor in batch.actors:
        got = store.get_actor(actor.id)
        assert got is not None, actor.id
        assert (got.name, got.description, got.aliases) == (actor.name, actor.description, actor.aliases)
        assert [(c.locator, c.note) for c in got.citations] == [(c.locator, c.note) for c in actor.citations]
    for link in batch.links:
        got = store.get_link(link.id)
        assert got is not None and got.description == link.description
        assert [c.note for c in got.citations] == [c.note for c in link.citations]
    titles = {s.id: (s.title, s.description) for s in store.sources()}
    assert titles[SOURCE_ID] == (NAMES[0], NAMES[1])
    for actor in batch.actors[::9]:
        if not normalise_name(actor.name):  # punctuation alone: nothing to look up by
            continue
        assert actor.id in {a.id for a in store.find_actors(actor.name)}, actor.name
    store.write(batch)
    assert store.content_hash() == first
    assert store.stats().actors == len(NAMES) and store.stats().links == len(NAMES) - 1


# -- exports --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def selected(tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("names") / "names.db")
    store.write(hostile_batch())
    sel = select_subgraph(store, Selection(clearance=Sensitivity.RESTRICTED, include_people=True))
    yield sel, store
    store.close()


def _export(selected, fmt: str) -> bytes:
    sel, store = selected
    return export_bytes(sel, fmt, build_manifest(sel, fmt=fmt, store=store))


def _strings(value) -> set[str]:
    out: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.add(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(k for k in item if isinstance(k, str))
        elif isinstance(item, list):
            stack.extend(item)
    return out


def _missing(found: set[str]) -> list[str]:
    return [n for n in NAMES if n not in found]


def test_every_format_is_checked():
    assert set(EXPORT_FORMATS) == {"json", "cytoscape", "graphml", "gexf", "csv", "xlsx", "cypher", "ftm", "svg", "png"}


@pytest.mark.parametrize("fmt", ["json", "cytoscape"])
def test_json_exports(selected, fmt):
    data = json.loads(_export(selected, fmt))
    assert not _missing(_strings(data))


def test_ftm_export(selected):
    """FollowTheMoney's own value cleaning puts text in Unicode normal form C (canonically the same text)."""
    import unicodedata

    lines = _export(selected, "ftm").decode("utf-8").splitlines()
    found: set[str] = set()
    for line in lines:
        found |= _strings(json.loads(line))
    assert not [n for n in NAMES if unicodedata.normalize("NFC", n) not in found]


_XML_ELEMENTS = {
    "graphml": {"graphml", "key", "default", "graph", "node", "edge", "data", "desc"},
    "gexf": {"gexf", "meta", "creator", "description", "keywords", "lastmodifieddate", "graph", "attributes",
             "attribute", "default", "options", "nodes", "node", "edges", "edge", "attvalues", "attvalue", "color",
             "size", "position", "shape", "thickness", "spells", "spell", "parents", "parent"},
}


def _xml(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)
    root = etree.fromstring(data, parser)
    assert root.getroottree().docinfo.internalDTD is None
    return root


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_exports(selected, fmt):
    root = _xml(_export(selected, fmt))
    elements = {etree.QName(el).localname for el in root.iter() if isinstance(el.tag, str)}
    assert elements <= _XML_ELEMENTS[fmt], elements - _XML_ELEMENTS[fmt]
    found = {t for el in root.iter() if isinstance(el.tag, str) for t in [el.text or "", *el.attrib.values()]}
    assert not _missing(found)


def _check_cells(cells: list[str]) -> set[str]:
    for cell in cells:
        assert not cell.startswith(FORMULA_TRIGGERS), f"formula cell {cell!r}"
    return {restore(c) for c in cells}


def test_csv_export(selected):
    archive = zipfile.ZipFile(io.BytesIO(_export(selected, "csv")))
    cells: list[str] = []
    for name in archive.namelist():
        if name.endswith(".csv"):
            text = archive.read(name).decode("utf-8-sig")
            cells += [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
    assert not _missing(_check_cells(cells))


def test_xlsx_export(selected):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(_export(selected, "xlsx")))
    cells: list[str] = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {ws.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    cells.append(cell.value)
    assert not _missing(_check_cells(cells))


# A small reader of the Cypher literals the export writes (maps, lists, strings, numbers, null, booleans).
_TOKEN = re.compile(r"""\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"""
                    r"""|(?P<quoted>`(?:[^`]|``)*`)|(?P<punct>[{}\[\]:,]))""")
_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


def _unquote(token: str) -> str:
    out, i, body = [], 0, token[1:-1]
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt == "u":
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif nxt == "U":
            out.append(chr(int(body[i + 2:i + 10], 16)))
            i += 10
        else:
            out.append(_ESCAPES[nxt])
            i += 2
    text = "".join(out)
    return text.encode("utf-16", "surrogatepass").decode("utf-16") if any(0xD800 <= ord(c) < 0xE000 for c in text) else text


def parse_cypher_literal(text: str):
    tokens = []
    pos = 0
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        assert m and m.end() > pos, f"unexpected Cypher at {text[pos:pos + 40]!r}"
        tokens.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
    tokens.reverse()

    def value():
        kind, tok = tokens.pop()
        if kind == "str":
            return _unquote(tok)
        if kind == "num":
            return float(tok) if any(c in tok for c in ".eE") else int(tok)
        if kind == "word":
            return {"null": None, "true": True, "false": False}[tok.lower()]
        if tok == "[":
            items = []
            while tokens[-1][1] != "]":
                items.append(value())
                if tokens[-1][1] == ",":
                    tokens.pop()
            tokens.pop()
            return items
        assert tok == "{", tok
        out = {}
        while tokens[-1][1] != "}":
            kkind, key = tokens.pop()
            key = key[1:-1].replace("``", "`") if kkind == "quoted" else key
            assert tokens.pop()[1] == ":"
            out[key] = value()
            if tokens[-1][1] == ",":
                tokens.pop()
        tokens.pop()
        return out

    result = value()
    assert not tokens, "text after the literal"
    return result


def test_cypher_export_keeps_names_inside_literals(selected):
    from graphmodel.export.cypher import cypher_statements

    sel, _ = selected
    templates = {s.query for s in cypher_statements(sel, sel.sources)}
    script = _export(selected, "cypher").decode("utf-8")
    found: set[str] = set()
    statement: list[str] = []
    for line in script.splitlines():
        if line.startswith("//") or not line.strip():
            continue
        if line.startswith(":param rows => "):
            literal = line[len(":param rows => "):]
            found |= _strings(parse_cypher_literal(literal))
            continue
        statement.append(line)
        if line.rstrip().endswith(";"):
            text = "\n".join(statement).rstrip().rstrip(";")
            statement = []
            assert text in templates or text.startswith(("CREATE CONSTRAINT", "CREATE INDEX")), text[:200]
            assert not any(n in text for n in NAMES if len(n) > 3 and not n.isalpha()), text[:200]
    assert not _missing(found)


_SVG_ELEMENTS = {"svg", "g", "line", "path", "circle", "ellipse", "rect", "polygon", "text", "tspan", "title", "desc",
                 "defs", "marker", "style", "metadata"}


def test_svg_export_is_inert(selected):
    root = _xml(_export(selected, "svg"))
    elements = {etree.QName(el).localname for el in root.iter() if isinstance(el.tag, str)}
    assert elements <= _SVG_ELEMENTS, elements - _SVG_ELEMENTS
    for el in root.iter():
        if isinstance(el.tag, str):
            assert not any(a.lower().startswith("on") or "href" in a.lower() for a in el.attrib), el.attrib
    titles = " ".join(el.text or "" for el in root.iter() if isinstance(el.tag, str)
                      and etree.QName(el).localname == "title")
    assert not [n for n in NAMES if f"{n} (" not in titles]


def test_png_export(selected):
    pytest.importorskip("matplotlib")
    assert _export(selected, "png").startswith(b"\x89PNG\r\n\x1a\n")


def test_csv_folder_reimports_with_every_name(selected, tmp_path):
    """Through ``stakemap ingest`` and back: the names come back (with the neutralising quote where one was added)."""
    from graphmodel.export import export_subgraph
    from ingest.run import run_ingest

    sel, store = selected
    folder = tmp_path / "exported"
    export_subgraph(sel, "csv", folder, build_manifest(sel, fmt="csv", store=store))
    back = SQLiteStore(tmp_path / "back.db")
    try:
        run_ingest(back, [folder], fmt="tabular")
        found = {restore(n) for a in back.iter_actors() for n in (a.name, *a.aliases)}
        assert not _missing(found)
    finally:
        back.close()
