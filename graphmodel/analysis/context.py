"""Context tables: one figure per country (e.g. migrant workers by destination) to find gaps against.

The reader is tolerant: it finds the country column (named ``country``,
``iso``, ``code``... or else the first column whose values read as countries:
ISO alpha-2, alpha-3 or English names) and takes the named numeric column or
the first numeric column that is not a year. Thousands separators are
ignored; rows without a country or a number are skipped and counted.

Examples
--------
>>> table = parse_context("country,year,migrants\\nMalaysia,2019,1.7\\nHK,2019,0.4\\nJP,2019,0.2\\n", "t.csv")
>>> table.column, table.values
('migrants', {'MY': 1.7, 'HK': 0.4, 'JP': 0.2})
>>> round(table.shares()["MY"], 3)
0.739
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..values import country_code

_COUNTRY_NAMES = re.compile(r"^(country|country_?code|iso|iso2|iso_?3166|iso_?alpha_?2|code|destination|nation)$", re.I)
_NUMBER = re.compile(r"^-?[\d.,  ]+$")


@dataclass
class ContextTable:
    """A figure per country (ISO alpha-2), read from a file."""

    source: str
    column: str
    values: dict[str, float]
    numeric_columns: list[str] = field(default_factory=list)
    skipped: int = 0

    def shares(self) -> dict[str, float]:
        total = sum(v for v in self.values.values() if v > 0)
        return {c: (v / total if total > 0 else 0.0) for c, v in self.values.items()}

    def describe(self) -> dict:
        return {"file": self.source, "column": self.column, "countries": len(self.values),
                "other_columns": [c for c in self.numeric_columns if c != self.column], "skipped_rows": self.skipped}


def read_context(path: str | Path, column: str | None = None) -> ContextTable:
    """Read a context table (CSV or TSV) from a file."""
    file = Path(path)
    if not file.exists():
        raise InputError(f"no context table at {file}", hint="give a CSV with a country column and a figure")
    return parse_context(file.read_text(encoding="utf-8-sig"), str(file), column)


def parse_context(text: str, source: str = "context", column: str | None = None) -> ContextTable:
    """Read a context table from CSV text; see the module notes for what it accepts."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if len(rows) < 2:
        raise InputError(f"{source}: the context table needs a header and at least one row")
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
    country_col = _country_column(header, body)
    if country_col is None:
        raise InputError(f"{source}: no country column found", hint="name it 'country' (ISO alpha-2 codes or names)")
    numeric = [h for i, h in enumerate(header) if i != country_col and _numeric(body, i)]
    # a measure of need is a figure per country: not a year ("YEAR", "MIGRANTS YEAR") and not an id or rank
    measures = [h for h in numeric if not _yearish(h, body, header.index(h)) and not _idish(h)]
    if column is not None:
        if column not in header:
            raise InputError(f"{source}: no column {column!r}", hint="columns: " + ", ".join(header))
        if column not in measures:
            why = "is not numeric" if column not in numeric else "holds years or ids, not a measure of need"
            raise InputError(f"{source}: column {column!r} {why}",
                             hint="measures: " + (", ".join(measures) or "none"))
        chosen = column
    else:
        if not measures:
            raise InputError(f"{source}: no numeric column found", hint="add a column of figures per country")
        chosen = measures[0]
    col = header.index(chosen)
    values: dict[str, float] = {}
    skipped = 0
    for row in body:
        try:
            code = country_code(row[country_col])
            number = _to_float(row[col])
        except (ValueError, IndexError):
            skipped += 1
            continue
        if number is None:
            skipped += 1
            continue
        values[code] = values.get(code, 0.0) + number
    return ContextTable(source=source, column=chosen, values=values, numeric_columns=measures, skipped=skipped)


def _country_column(header: list[str], body: list[list[str]]) -> int | None:
    for i, h in enumerate(header):
        if _COUNTRY_NAMES.match(h.replace(" ", "_")):
            return i
    best, best_hits = None, 0
    for i in range(len(header)):
        hits = 0
        for row in body[:50]:
            try:
                country_code(row[i])
                hits += 1
            except (ValueError, IndexError):
                pass
        if hits > best_hits and hits >= len(body[:50]) / 2:
            best, best_hits = i, hits
    return best


def _to_float(cell: str) -> float | None:
    text = cell.strip().replace("\u00a0", "").replace(" ", "")
    if not text or not _NUMBER.match(text):
        return None
    if "," in text and "." in text:
        text = text.replace(",", "")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        text = text.replace(",", "") if len(tail) == 3 else head.replace(",", "") + "." + tail
    try:
        return float(text)
    except ValueError:
        return None


def _numeric(body: list[list[str]], i: int) -> bool:
    cells = [row[i] for row in body if i < len(row) and row[i].strip()]
    return bool(cells) and sum(_to_float(c) is not None for c in cells) >= 0.8 * len(cells)


_ID_HEADING = re.compile(r"(^|[^a-z])(id|code|iso|rank|no|number|index|row)([^a-z]|$)", re.IGNORECASE)


def _idish(name: str) -> bool:
    """A heading that names identifiers or positions, not quantities (``ID``, ``ISO code``, ``Rank``)."""
    return bool(_ID_HEADING.search(name)) and "number of" not in name.lower()


def _yearish(name: str, body: list[list[str]], i: int) -> bool:
    if "year" in name.lower():
        return True
    numbers = [_to_float(row[i]) for row in body if i < len(row)]
    numbers = [n for n in numbers if n is not None]
    return bool(numbers) and all(float(n).is_integer() and 1800 <= n <= 2100 for n in numbers)
