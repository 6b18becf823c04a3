"""XLSX: a Kumu-ready workbook with ``Elements``, ``Connections`` and ``Sources`` sheets.

``Elements`` has Kumu's ``ID``, ``Label`` and ``Type`` (the kind) first,
``Connections`` Kumu's ``ID``, ``From``, ``To`` and ``Type`` (the link kind),
ends named by id; then every field, as in :mod:`graphmodel.export.tables`.
Numbers are numeric cells; text cells that could run as formulas get a
leading ``'`` (:mod:`graphmodel.export.cells`). A table longer than a sheet
allows (1,048,576 rows) continues on ``Connections 2`` and so on, which
Stakemap's reader reads as one. The manifest is on a last sheet named
``Manifest (ignore)``, which Stakemap's reader skips by its name.

>>> import io, openpyxl
>>> from graphmodel.models import Actor
>>> from graphmodel.store.contract import Subgraph
>>> buf = io.BytesIO()
>>> write_xlsx(Subgraph({"x": Actor(id="x", kind="ngo", name="+SUM(A1)")}), buf, {"format": "xlsx"}, [])
>>> book = openpyxl.load_workbook(buf)
>>> book.sheetnames
['Elements', 'Connections', 'Sources', 'Manifest (ignore)']
>>> [c.value for c in book["Elements"][2]][:3], book["Elements"]["B2"].data_type
(['x', "'+SUM(A1)", 'ngo'], 's')
"""

from __future__ import annotations

import json
from typing import IO, Any

from ..models import Source
from ..store.contract import Subgraph
from .cells import neutralise
from .tables import Table, actor_table, link_table, source_table

#: Rows one sheet holds, headings included.
MAX_ROWS = 1_048_576
_CELL_LIMIT = 32_767


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))[:_CELL_LIMIT]
    return value


def write_xlsx(subgraph: Subgraph, out: IO[bytes], manifest: dict[str, Any], sources: list[Source],
               max_rows: int = MAX_ROWS) -> None:
    """Write ``subgraph`` as an XLSX workbook to the binary stream ``out``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, table in (("Elements", actor_table(subgraph, "kumu")), ("Connections", link_table(subgraph, "kumu")),
                         ("Sources", source_table(sources))):
        _write_sheets(book, title, table, max_rows, bold)
    sheet = book.create_sheet("Manifest (ignore)")
    sheet.append(["key", "value"])
    for key, value in manifest.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        for start in range(0, max(len(text), 1), _CELL_LIMIT - 1):
            sheet.append([key, _cell(text[start:start + _CELL_LIMIT - 1])])
    book.save(out)


def _write_sheets(book, title: str, table: Table, max_rows: int, bold) -> None:
    from openpyxl.cell import WriteOnlyCell

    number = 1
    sheet = book.create_sheet(title)
    count = 0

    def heading_row(ws):
        cells = []
        for h in table.headings:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)
        ws.freeze_panes = "A2"

    heading_row(sheet)
    for row in table.rows:
        if count + 1 >= max_rows:
            number += 1
            sheet = book.create_sheet(f"{title} {number}")
            heading_row(sheet)
            count = 0
        sheet.append([_cell(v) for v in row])
        count += 1
