"""Kumu maps: the Elements + Connections workbook, the JSON blueprint and the project export.

- **Workbook** (XLSX): an Elements sheet (``Label`` or ``ID``, ``Type``,
  ``Tags``, ``Description``, any other columns) and a Connections sheet
  (``From``, ``To``, ``Type`` or ``Label``, ``Direction``...). Tags are split on
  ``|``; a ``From`` or ``To`` cell ``A|B`` fans out to one connection per name;
  sheets whose name contains ``(ignore)`` are skipped.
- **Blueprint** (JSON): ``{"elements": [{"label", "type", "tags", ...}],
  "connections": [{"from", "to", "type", "direction", ...}]}``, ends by label or id.
- **Project export** (JSON): ``elements[]._id`` with ``attributes`` (``label``,
  ``element type``...), ``connections[].from/to`` by ``_id``; the Kumu id is kept
  in ``identifiers["kumu"]``.

Element types and connection types become kinds through the kinds mapping
(``--mapping``); unmapped ones are kept as ``other`` / ``related_to``. A
connection naming an element the map does not list creates it (as Kumu does),
kind ``other``, unless the name is an actor already known.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graphmodel.errors import InputError
from graphmodel.models import Source
from graphmodel.values import split_list

from .base import ReadContext, ReadResult, validation_problems
from .graphbuild import GraphBuilder
from .mapping import load_mapping
from .records import Emitter, origin_for
from .sheets import Sheet, check_archive, decode_utf8, read_xlsx_sheets

FORMAT = "kumu"


#: How far into a JSON file detection looks for Kumu's keys (a project export may put them after its settings).
SNIFF_BYTES = 64 * 1024 * 1024


def sniff(path: Path, head: bytes) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".json":
        text = head.decode("utf-8", "ignore")
        if '"elements"' in text or ('"connections"' in text and '"schema"' not in text):
            return True
        if not text.lstrip("\ufeff \t\r\n").startswith("{") or '"schema"' in text:
            return False
        return _keys_further_in(path)
    if suffix in (".xlsx", ".xlsm"):
        return _workbook_is_kumu(path)
    return False


def _keys_further_in(path: Path) -> bool:
    """Whether ``"elements"`` or ``"connections"`` appears past the first bytes (read in chunks, bounded)."""
    tail = b""
    seen = 0
    with path.open("rb") as handle:
        while seen < SNIFF_BYTES:
            chunk = handle.read(1 << 20)
            if not chunk:
                return False
            seen += len(chunk)
            window = tail + chunk
            if b'"elements"' in window or b'"connections"' in window:
                return True
            tail = window[-16:]
    return False


def _workbook_is_kumu(path: Path) -> bool:
    import openpyxl

    try:
        check_archive(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # a workbook openpyxl cannot open is not recognised here; the reader says why
        return False
    try:
        titles = [ws.title.lower() for ws in book.worksheets]
        for ws in book.worksheets:
            first = next(ws.iter_rows(values_only=True, max_row=1), None) or ()
            headings = {str(c).strip().lower() for c in first if c is not None}
            if "kind" in headings:
                return False
            if "label" in headings and ("elements" in titles or "type" in headings or "tags" in headings):
                return True
        return "elements" in titles and "connections" in titles
    except Exception:  # as above
        return False
    finally:
        book.close()


def read_kumu(path: Path, ctx: ReadContext, origin: Source | None = None) -> ReadResult:
    """Read a Kumu workbook or JSON file."""
    if path.suffix.lower() == ".json":
        return _read_json(path, ctx, origin)
    return _read_workbook(path, ctx, origin)


# -- workbook -----------------------------------------------------------------------
def _read_workbook(path: Path, ctx: ReadContext, origin: Source | None) -> ReadResult:
    sheets = read_xlsx_sheets(path)
    emit = Emitter(path, FORMAT, ctx, origin_for(path, ctx, FORMAT, origin, description="Kumu map (workbook)"))
    elements, connections = [], []
    for sheet in sheets:
        lowered = [h.strip().lower() for h in sheet.headings]
        if {"from", "to"} <= set(lowered):
            connections.append(sheet)
        elif "title" in lowered and not {"label", "name"} & set(lowered):
            _sources_sheet(sheet, emit)  # the Sources sheet of Stakemap's own export
        elif "label" in lowered or "id" in lowered or "name" in lowered:
            elements.append(sheet)
        elif sheet.headings:
            emit.notice("sheets that are neither elements nor connections (not read)", sheet.label)
    builder = GraphBuilder(emit, load_mapping(ctx.options.get("mapping")), FORMAT,
                           sources={s.id for s in emit.result.sources} | {emit.result.origin.id})
    if not elements and not connections:
        raise InputError(f"{path}: no Elements sheet (with Label) and no Connections sheet (with From, To)",
                         hint="Kumu workbooks have an Elements sheet starting with Label and a Connections "
                              "sheet starting with From, To")
    for sheet in elements:
        _elements_sheet(sheet, builder)
    for sheet in connections:
        _connections_sheet(sheet, builder)
    return emit.finish()


def _sources_sheet(sheet: Sheet, emit: Emitter) -> None:
    """Sources (``id``, ``title``, ``kind``, ``author``...) that rows may cite in a ``cites`` column."""
    headings = [h.strip().lower() for h in sheet.headings]
    fields = [h for h in headings if h in Source.model_fields]
    for row_no, row in sheet.rows:
        emit.begin()
        data = {h: _cell(row, headings.index(h)) for h in fields if _cell(row, headings.index(h))}
        if "year" in data and not data["year"].isdigit():
            data.pop("year")
        try:
            emit.result.sources.append(Source(**data))
        except ValidationError as exc:
            for p in validation_problems(exc, sheet.label, row_no):
                emit.problem(row_no, p.column, p.message, p.hint)
        emit.end()


def _elements_sheet(sheet: Sheet, builder: GraphBuilder) -> None:
    headings = [h.strip() for h in sheet.headings]
    lowered = [h.lower() for h in headings]
    id_at = lowered.index("id") if "id" in lowered else None
    for row_no, row in sheet.rows:
        data = {headings[i]: _cell(row, i) for i in range(len(headings)) if headings[i] and i != id_at}
        if "Tags" in data or "tags" in {k.lower() for k in data}:
            key = next(k for k in data if k.lower() == "tags")
            data[key] = split_list(data[key], "|")
        local = _cell(row, id_at) if id_at is not None else ""
        label = next((data[k] for k in data if k.lower() in ("label", "name") and data[k]), "")
        builder.node(local or label, data, row_no, f"{sheet.label}:{row_no}", column=headings[0])


def _connections_sheet(sheet: Sheet, builder: GraphBuilder) -> None:
    headings = [h.strip() for h in sheet.headings]
    lowered = [h.lower() for h in headings]
    at_from, at_to = lowered.index("from"), lowered.index("to")
    direction_at = lowered.index("direction") if "direction" in lowered else None
    for row_no, row in sheet.rows:
        data = {headings[i]: _cell(row, i) for i in range(len(headings))
                if headings[i] and i not in (at_from, at_to, direction_at)}
        if any(k.lower() == "tags" for k in data):
            key = next(k for k in data if k.lower() == "tags")
            data[key] = split_list(data[key], "|")
        direction = (_cell(row, direction_at) if direction_at is not None else "") or "directed"
        if direction.lower() == "mutual":
            data["direction"] = "mutual"
        sources = split_list(_cell(row, at_from), "|") or [""]
        targets = split_list(_cell(row, at_to), "|") or [""]
        for source in sources:
            for target in targets:
                builder.edge(source, target, dict(data), row_no, f"{sheet.label}:{row_no}",
                             directed=direction.lower() == "directed", column=headings[at_to], create=True)


# -- JSON -----------------------------------------------------------------------------
def _read_json(path: Path, ctx: ReadContext, origin: Source | None) -> ReadResult:
    text = decode_utf8(path, path.read_bytes())
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{path}:{getattr(exc, 'lineno', '?')}: not valid JSON ({getattr(exc, 'msg', exc)})",
                         hint="the file may be truncated") from None
    if not isinstance(data, dict) or not isinstance(data.get("elements", []), list) \
            or not isinstance(data.get("connections", []), list) or not ("elements" in data or "connections" in data):
        raise InputError(f"{path}: expected a Kumu blueprint or project export: an object with \"elements\" and "
                         "\"connections\" lists", hint="export the project from Kumu as JSON")
    export = any(isinstance(e, dict) and isinstance(e.get("attributes"), dict) for e in data.get("elements", []))
    title = data.get("name") if isinstance(data.get("name"), str) else None
    emit = Emitter(path, FORMAT, ctx, origin_for(
        path, ctx, FORMAT, origin, description=("Kumu project export" if export else "Kumu blueprint")
        + (f": {title}" if title else "")))
    builder = GraphBuilder(emit, load_mapping(ctx.options.get("mapping")), FORMAT)
    for i, element in enumerate(data.get("elements", [])):
        place = f"elements[{i}]"
        if not isinstance(element, dict):
            emit.begin()
            emit.problem(None, place, "an element must be an object", "e.g. {\"label\": \"BWI\"}")
            emit.end()
            continue
        # a project export nests the fields in "attributes"; a blueprint has them on the element (with
        # "id" or Kumu's "_id"); either way every field is read
        nested = element.get("attributes") if isinstance(element.get("attributes"), dict) else {}
        fields = {k: v for k, v in element.items() if k not in ("id", "_id", "attributes")} | nested
        kumu_id = str(element.get("_id") or "")
        local = kumu_id or str(element.get("id") or fields.get("label") or "")
        builder.node(local, fields, None, f"{path.name}#{place}", identifiers={"kumu": kumu_id} if kumu_id else {},
                     column=f"{place}.attributes.label" if nested else f"{place}.label")
    for i, connection in enumerate(data.get("connections", [])):
        place = f"connections[{i}]"
        if not isinstance(connection, dict):
            emit.begin()
            emit.problem(None, place, "a connection must be an object", "e.g. {\"from\": \"A\", \"to\": \"B\"}")
            emit.end()
            continue
        fields = {k: v for k, v in connection.items() if k not in ("from", "to", "id", "_id", "direction",
                                                                     "attributes", "delayed", "reversed")}
        if isinstance(connection.get("attributes"), dict):
            fields |= connection["attributes"]
        if export:
            for key in ("delayed", "reversed"):
                if connection.get(key):
                    fields[key] = connection[key]
        direction = str(connection.get("direction") or "directed").lower()
        if direction == "mutual":
            fields["direction"] = direction
        sources = _ends(connection.get("from"))
        targets = _ends(connection.get("to"))
        if not sources or not targets:
            emit.begin()
            emit.problem(None, f"{place}.{'from' if not sources else 'to'}", "the connection lacks an end",
                         "a connection needs from and to")
            emit.end()
            continue
        for source in sources:
            for target in targets:
                builder.edge(source, target, dict(fields), None, f"{path.name}#{place}", directed=direction == "directed",
                             column=place, create=not export)
    return emit.finish()


def _ends(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if value is None:
        return []
    return split_list(str(value), "|")


def _cell(row: list, i: int | None) -> str:
    if i is None or i >= len(row) or row[i] is None:
        return ""
    value = row[i]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
