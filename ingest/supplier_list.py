"""A brand's supplier (factory) disclosure list: XLS, XLSX or CSV.

Brands publish their factories as spreadsheets, each a little different: title
rows above the header, columns named in the brand's own words. The header row
is found among the first rows by the column names it holds; columns are mapped
by name (factory, supplier group, address, city, state, postal code, country,
workers, line workers, share of women, share of migrant workers, product type,
factory type, brands, os_id). Contact columns (names, phones, e-mails) are not
imported: they are personal data.

One brand per file: ``--brand NAME``, or the brand the file names (its file
name's first word, when the title rows say it too, as in
``nike-manufacturing-2021-02.xls`` titled "Nike Global Manufacturing ...").

Each row becomes a ``facility`` (workers and shares in attributes, shares as
fractions 0..1), a ``sources_from`` link from the brand (with the disclosure
date, when the title or file name gives one, in ``attributes["disclosed"]``),
and an ``owns`` link from its supplier group (a ``supplier``); placeholder
groups such as ``NO GROUP (EQ)`` are dropped and listed in the notes.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphmodel.errors import InputError
from graphmodel.kinds import LinkKind
from graphmodel.models import IDENTIFIER_SCHEMES, Actor, Source
from graphmodel.text import normalise_name
from graphmodel.values import split_list

from .base import ReadContext, ReadResult, bulk_reader
from .placeholders import is_placeholder
from .records import Emitter, country_of, facility_id, origin_for, tidy
from .sheets import decode_utf8, xlsx_rows

FORMAT = "supplier-list"
HEADER_SEARCH_ROWS = 30
#: Field -> the column names that mean it (normalised: case, punctuation and "%" ignored).
FIELDS: dict[str, tuple[str, ...]] = {
    "factory": ("factory name", "facility name", "name of factory", "factory", "facility", "production site",
                "site name", "manufacturer name", "supplier name", "production unit", "name"),
    "group": ("supplier group", "parent company", "group name", "business group", "supplier group name",
              "vendor name", "vendor", "group", "supplier"),
    "address": ("address", "factory address", "street address", "full address", "address line 1"),
    "city": ("city", "town", "city town"),
    "state": ("state", "province", "state province", "region state"),
    "postal": ("postal code", "zip code", "zip", "postcode", "post code"),
    "country": ("country region", "country", "country name", "location country", "factory country"),
    "workers": ("total workers", "number of workers", "no of workers", "workers", "total employees",
                "number of employees", "employees", "headcount", "workforce", "total workforce"),
    "line_workers": ("line workers", "production workers"),
    "women": ("female workers", "female", "women workers", "women", "share of women", "female employees"),
    "migrant": ("migrant workers", "migrant", "share of migrant workers", "foreign migrant workers"),
    "product": ("product type", "product category", "products", "product", "product types"),
    "factory_type": ("factory type", "facility type", "type of facility", "tier", "processing type"),
    "brands": ("brand s", "brands", "brand"),
    "os_id": ("os id", "os_id", "oar id", "open supply hub id"),
    "region": ("region",),
    "subcontractors": ("subcons", "subcontractors", "subcontractor", "subcontracting"),
    "events": ("events",),
}
#: Fields that make a row a header when found with the factory column.
SIGNAL_FIELDS = {"group", "address", "country", "workers", "women", "migrant", "product", "factory_type", "city"}
CONTACT = re.compile(r"contact|e ?mail|phone|fax|telephone|mobile|manager name|person")
MONTHS = {m: i for i, m in enumerate(("january february march april may june july august september october "
                                      "november december").split(), start=1)}
GENERIC_WORDS = {"supplier", "suppliers", "factory", "factories", "list", "disclosure", "manufacturing", "data",
                 "facility", "facilities", "tier", "export", "global", "public"}


@dataclass
class RawSheet:
    label: str
    rows: list[tuple[int, list]]


def sniff(path: Path, head: bytes) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return True
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        return False
    try:
        sheets = _raw_sheets(path, limit=HEADER_SEARCH_ROWS)
    except InputError:
        return False
    for sheet in sheets:
        found = _find_header(sheet.rows)
        if found is not None:
            headings = {normalise_name(str(h)) for h in found[1]}
            columns = found[2]
            if "kind" not in headings and "label" not in headings and \
                    normalise_name(str(found[1][columns["factory"]])) != "name":
                return True
    return False


@bulk_reader
def read_supplier_list(path: Path, ctx: ReadContext, origin: Source | None = None) -> ReadResult:
    """Read a brand's supplier list (the header row is found below any title rows)."""
    sheets = _raw_sheets(path)
    found_any = False
    reader: _Reader | None = None
    for sheet in sheets:
        header = _find_header(sheet.rows)
        if header is None:
            continue
        found_any = True
        header_at, headings, columns = header
        titles = [tidy(" ".join(str(c) for c in row if str(c).strip()))
                  for row_no, row in sheet.rows if row_no < header_at]
        if reader is None:
            brand = ctx.options.get("brand") or _brand_from_file(path, titles)
            if not brand:
                raise InputError(f"{path}: cannot tell whose supplier list this is",
                                 hint="give the brand with --brand NAME")
            disclosed = _disclosure_date(" ".join(titles)) or _disclosure_date(path.stem.replace("_", "-"))
            details = {"description": f"supplier list of {brand}" + (f", as of {disclosed}" if disclosed else ""),
                       "publisher": brand}
            reader = _Reader(path, ctx, origin_for(path, ctx, FORMAT, origin, **details), str(brand), disclosed)
        reader.sheet(sheet, header_at, headings, columns)
    if not found_any or reader is None:
        names = ", ".join(sorted({a for f in ("factory", "country", "workers", "group") for a in FIELDS[f][:2]}))
        raise InputError(f"{path}: no header row found in the first {HEADER_SEARCH_ROWS} rows of any sheet",
                         hint=f"a supplier list needs a row of column names such as {names}")
    return reader.finish()


class _Reader:
    def __init__(self, path: Path, ctx: ReadContext, origin: Source, brand: str, disclosed: str | None) -> None:
        self.emit = Emitter(path, FORMAT, ctx, origin)
        self.disclosed = disclosed
        self._brand_cache: dict[str, Actor] = {}
        self.brand: Actor | None = self.emit.actor(None, "--brand", f"{path.name} (brand)",
                                                   "the brand that published this supplier list",
                                                   kind="brand", name=brand)

    def sheet(self, sheet: RawSheet, header_at: int, headings: list, columns: dict[str, int]) -> None:
        used = set(columns.values())
        contact = [i for i, h in enumerate(headings) if i not in used and CONTACT.search(normalise_name(str(h)))]
        if contact:
            self.emit.notice("contact columns not imported (personal data)",
                             ", ".join(str(headings[i]) for i in contact))
        extra = [i for i, h in enumerate(headings) if i not in used and i not in contact and str(h).strip()]
        names = {f: str(headings[i]) for f, i in columns.items()}
        for row_no, row in sheet.rows:
            if row_no <= header_at or not any(str(c).strip() for c in row):
                continue
            cell = {f: _text(row, i) for f, i in columns.items()}
            extras = {str(headings[i]).strip(): _text(row, i) for i in extra if _text(row, i)}
            self._row(sheet.label, row_no, cell, extras, names)

    def _row(self, label: str, row: int, cell: dict, extras: dict, names: dict) -> None:
        emit = self.emit
        emit.begin()
        locator = f"{label}:{row}"
        name = tidy(cell.get("factory", ""))
        if not name:
            emit.problem(row, names.get("factory"), "the factory has no name")
            emit.end()
            return
        attributes: dict[str, Any] = {}
        try:
            country = country_of(cell.get("country") or "")
        except ValueError:
            # the row is kept (one odd name must not refuse a brand's whole list) and flagged
            country = None
            stated = tidy(cell.get("country") or "")
            emit.notice("factories whose country could not be read (kept without a country; fix the name and "
                        "ingest again)", f"{locator}:{names.get('country', 'country')}: {stated or '(empty)'!r}")
            if stated:
                attributes["country_stated"] = stated
        address = ", ".join(tidy(cell[f]) for f in ("address", "city", "state", "postal") if cell.get(f))
        if address:
            attributes["address"] = address
        for field, key in (("workers", "workers"), ("line_workers", "line_workers")):
            if cell.get(field):
                number = _count(cell[field])
                if number is None:
                    emit.notice("worker counts that are not counts (left out)",
                                f"{locator}:{names[field]}: {cell[field]!r}")
                else:
                    attributes[key] = number
        for field, who in (("women", "women"), ("migrant", "migrant")):
            if cell.get(field):
                self._share_or_count(cell[field], names[field], who, attributes, locator)
        for field in ("product", "factory_type", "brands"):
            values = split_list(cell.get(field), "|;,") if field == "brands" else split_list(cell.get(field), "|;")
            if values:
                attributes[{"product": "product_type"}.get(field, field)] = values
        for field in ("region", "subcontractors", "events"):
            if cell.get(field):
                attributes[field] = tidy(cell[field])
        attributes.update(extras)
        os_id = (cell.get("os_id") or "").strip().upper()
        identifiers = {"os_id": os_id} if os_id and re.match(IDENTIFIER_SCHEMES["os_id"], os_id) else {}
        if os_id and not identifiers:
            emit.notice("os ids that are not Open Supply Hub ids (left out)", f"{locator}: {os_id!r}")
        facility = emit.actor(row, names.get("factory"), locator, "factory on the brand's supplier list",
                              id=facility_id(name, country, attributes.get("address")), kind="facility", name=name,
                              country=country, identifiers=identifiers, attributes=attributes)
        if facility is None:
            emit.end()
            return
        link_attributes = {k: attributes[k] for k in ("product_type", "factory_type", "brands") if k in attributes}
        if self.disclosed:
            link_attributes["disclosed"] = self.disclosed
        for buyer in self._buyers(attributes.get("brands") or [], row, names.get("brands"), locator):
            emit.link(LinkKind.SOURCES_FROM, buyer.id, facility.id, row, locator,
                      "factory on the brand's supplier list", column=names.get("factory"), attributes=link_attributes)
        group = tidy(cell.get("group", ""))
        if group:
            if is_placeholder(group):
                emit.notice("supplier groups dropped as placeholders", f"{locator}: {group!r}")
            else:
                owner = emit.actor(row, names.get("group"), locator, "supplier group on the brand's list",
                                   kind="supplier", name=group)
                if owner is not None:
                    emit.link(LinkKind.OWNS, owner.id, facility.id, row, locator,
                              "supplier group of the factory on the brand's list", column=names.get("group"),
                              confidence="reported")
        emit.end()

    def _buyers(self, row_brands: list[str], row: int, column: str | None, locator: str) -> list[Actor]:
        """Who sources from the row's factory: the brands its own brand column names (a list covering several
        brands says per row which), else the brand whose list this is."""
        named = [b for b in row_brands if not is_placeholder(b)]
        if not named:
            return [self.brand] if self.brand is not None else []
        buyers = []
        for name in named:
            actor = self._brand_cache.get(name)
            if actor is None:
                actor = self.emit.actor(row, column, locator, "brand named in the row of the supplier list",
                                        kind="brand", name=name)
                if actor is None:
                    continue
                self._brand_cache[name] = actor
            buyers.append(actor)
        return buyers

    def _share_or_count(self, text: str, heading: str, who: str, attributes: dict, locator: str) -> None:
        """A column of women or migrant workers, read by what its heading says: a share (``% Female``,
        ``Share of women``) or a head count (``Female workers``, ``Number of migrant workers``), whatever
        the size of the number."""
        value = text.strip()
        if _SHARE_HEADING.search(heading) or value.endswith("%"):
            share = _share(value)
            if share is None:
                self.emit.notice("shares that are not between 0% and 100% (left out)", f"{locator}:{heading}: {text!r}")
                return
            attributes[f"share_{who}"] = share
            return
        number = _count(value)
        if number is None and _COUNT_HEADING.search(heading):
            self.emit.notice("worker counts that are not counts (left out)", f"{locator}:{heading}: {text!r}")
            return
        if number is not None and (_COUNT_HEADING.search(heading) or number > 100):
            attributes[f"{who}_workers"] = number
            total = attributes.get("workers")
            if isinstance(total, int) and total > 0 and number <= total:
                attributes[f"share_{who}"] = round(number / total, 6)
            return
        share = _share(value)  # a bare heading ("Female") and a number up to 100: a share
        if share is None:
            self.emit.notice("shares that are not between 0% and 100% (left out)", f"{locator}:{heading}: {text!r}")
        else:
            attributes[f"share_{who}"] = share

    def finish(self) -> ReadResult:
        return self.emit.finish()


#: Headings that say a column holds shares, and headings that say it holds head counts.
_SHARE_HEADING = re.compile(r"%|percent|share|ratio|proportion|pct|rate", re.IGNORECASE)
_COUNT_HEADING = re.compile(r"\b(workers|employees|number|no|count|headcount|total|staff)\b", re.IGNORECASE)


# -- finding the header and the brand -------------------------------------------
def _find_header(rows: list[tuple[int, list]]) -> tuple[int, list, dict[str, int]] | None:
    for row_no, row in rows[:HEADER_SEARCH_ROWS]:
        headings = [str(c).strip() if c is not None else "" for c in row]
        columns = map_columns(headings)
        if "factory" in columns and len(SIGNAL_FIELDS & set(columns)) >= 2:
            return row_no, headings, columns
    return None


def map_columns(headings: list[str]) -> dict[str, int]:
    """Which column holds which field: exact names first, then names containing a known name.

    >>> map_columns(["Factory Name", "Nike, Inc. Brand(s)", "% Female Workers", "Total Workers", "Line Workers"])
    {'factory': 0, 'workers': 3, 'line_workers': 4, 'women': 2, 'brands': 1}
    """
    keys = [normalise_name(str(h)) for h in headings]
    keys = ["" if CONTACT.search(k) else k for k in keys]
    columns: dict[str, int] = {}
    taken: set[int] = set()
    for exact in (True, False):
        for field, aliases in FIELDS.items():
            if field in columns:
                continue
            for alias in aliases:
                hits = [i for i, k in enumerate(keys) if i not in taken and k and
                        (k == alias if exact else (len(alias) > 3 and re.search(rf"\b{re.escape(alias)}\b", k)))]
                if hits:
                    columns[field] = hits[0]
                    taken.add(hits[0])
                    break
    return columns


def _brand_from_file(path: Path, titles: list[str]) -> str | None:
    """The brand a file names: the longest run of its file name's first words that its title rows say too.

    >>> _brand_from_file(Path("nike-manufacturing-2021-02.xls"), ["Nike Global Manufacturing Data Export"])
    'Nike'
    >>> _brand_from_file(Path("supplier-list.xlsx"), ["Supplier list"]) is None
    True
    """
    words = [w for w in re.split(r"[-_ .]+", path.stem) if w]
    if not words or not titles or words[0].lower() in GENERIC_WORDS or not words[0].isalpha():
        return None
    best = None
    for count in range(1, len(words) + 1):
        run = words[:count]
        if any(w.lower() in GENERIC_WORDS or not w.isalpha() for w in run):
            break
        pattern = r"\b(" + r"[\s\-_]+".join(re.escape(w) for w in run) + r")\b"
        for title in titles:
            match = re.search(pattern, title, re.IGNORECASE)
            if match:
                best = match.group(1)
                break
        else:
            break
    if best is None:
        return None
    return best.title() if best.isupper() or best.islower() else best


def _disclosure_date(text: str) -> str | None:
    lowered = text.lower()
    match = re.search(r"\b(" + "|".join(MONTHS) + r")\s+(\d{4})\b", lowered)
    if match:
        return f"{match.group(2)}-{MONTHS[match.group(1)]:02d}"
    match = re.search(r"\b((?:19|20)\d{2})-(0[1-9]|1[0-2])\b", lowered)
    return f"{match.group(1)}-{match.group(2)}" if match else None


# -- reading the sheets ------------------------------------------------------------
def _raw_sheets(path: Path, limit: int | None = None) -> list[RawSheet]:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return _xls_sheets(path, limit)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_sheets(path, limit)
    return [_csv_sheet(path, limit)]


def _xls_sheets(path: Path, limit: int | None) -> list[RawSheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except OSError:
        raise
    except Exception as exc:  # xlrd raises many ad-hoc error types on damaged files (CompDocError, struct.error...)
        raise InputError(f"{path}: not a readable XLS workbook ({exc.__class__.__name__}: {exc})",
                         hint="open it in a spreadsheet program and save it again") from None
    sheets = []
    try:
        for index in range(book.nsheets):
            ws = book.sheet_by_index(index)
            if "(ignore)" in ws.name.lower():
                continue
            count = ws.nrows if limit is None else min(ws.nrows, limit)
            rows = [(i + 1, ws.row_values(i)) for i in range(count)]
            sheets.append(RawSheet(f"{path.name}[{ws.name}]", rows))
    except Exception as exc:  # as above: a damaged sheet, whatever xlrd calls it
        raise InputError(f"{path}: the XLS workbook is damaged ({exc.__class__.__name__})",
                         hint="open it in a spreadsheet program and save it again") from None
    finally:
        book.release_resources()
    return sheets


def _xlsx_sheets(path: Path, limit: int | None) -> list[RawSheet]:
    return [RawSheet(f"{path.name}[{title}]", [(n, ["" if v is None else v for v in values]) for n, values in rows])
            for title, rows in xlsx_rows(path, limit)]


def _csv_sheet(path: Path, limit: int | None) -> RawSheet:
    with path.open("rb") as handle:
        data = handle.read(256 * 1024) if limit is not None else handle.read()
    if limit is not None:
        data = data[: data.rfind(b"\n") + 1] or data
    text = decode_utf8(path, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}: malformed CSV: {exc}", hint="check quotes in that line") from None
    return RawSheet(path.name, rows)


def _delimiter(text: str) -> str:
    """The delimiter most lines of a CSV use (title rows above the header have none)."""
    lines = text.splitlines()[:60]
    return max(",;\t", key=lambda d: (sum(1 for line in lines if line.count(d) >= 2), d == ","))


# -- values -----------------------------------------------------------------------
def _text(row: list, i: int) -> str:
    if i >= len(row) or row[i] is None:
        return ""
    value = row[i]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _count(text: str) -> int | None:
    cleaned = text.replace(",", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return int(value) if math.isfinite(value) and value >= 0 and value == int(value) else None


def _share(text: str) -> float | None:
    """``71.0%`` -> 0.71, ``71`` -> 0.71, ``0.71`` -> 0.71.

    >>> _share("71.0%"), _share("0.4%"), _share("0.5"), _share("45")
    (0.71, 0.004, 0.5, 0.45)
    """
    cleaned = text.strip().replace(",", ".")
    percent = cleaned.endswith("%")
    try:
        value = float(cleaned.rstrip("%").strip())
    except ValueError:
        return None
    if percent or value > 1:
        value /= 100
    return round(value, 6) if 0 <= value <= 1 else None
