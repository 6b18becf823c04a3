"""Reading spreadsheets: CSV (UTF-8, any dialect) and XLSX, as rows with their row numbers."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from graphmodel.errors import InputError

csv.field_size_limit(10 * 1024 * 1024)

#: Largest XLSX Stakemap expands (all parts together), and the most a large part may be compressed:
#: a sheet of a million empty rows compresses 400-fold and takes openpyxl seconds to walk.
MAX_XLSX_BYTES = 1024 * 1024 * 1024
MAX_XLSX_RATIO = 200
_RATIO_FLOOR = 4 * 1024 * 1024


def check_archive(path: Path) -> None:
    """Refuse a workbook that would expand beyond :data:`MAX_XLSX_BYTES`, or a large part compressed
    more than :data:`MAX_XLSX_RATIO`-fold (the shape of a zip bomb). Damaged archives pass through:
    the XLSX reader says what is wrong with them."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return
    total = sum(info.file_size for info in infos)
    if total > MAX_XLSX_BYTES:
        raise InputError(f"{path}: the workbook expands to {total // 2**20} MB, more than Stakemap reads "
                         f"({MAX_XLSX_BYTES // 2**20} MB)", hint="split it into smaller workbooks, or save it as CSV")
    for info in infos:
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1):
            raise InputError(f"{path}: part {info.filename} expands {info.file_size // max(info.compress_size, 1)}-fold "
                             f"to {info.file_size // 2**20} MB, the shape of a zip bomb; Stakemap does not read it",
                             hint="if the workbook is genuine, open it in a spreadsheet program, delete the empty "
                                  "rows and columns, and save it again")


@dataclass
class Sheet:
    """A table: its label for messages (``file`` or ``file[sheet]``), headings and numbered rows."""

    label: str
    headings: list[str] = field(default_factory=list)
    header_row: int = 1
    rows: list[tuple[int, list]] = field(default_factory=list)


def decode_utf8(path: Path, data: bytes) -> str:
    """Text of a UTF-8 file (BOM allowed); a clear error naming the line otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x})",
                         hint="save the file as UTF-8 (in Excel: 'CSV UTF-8')") from None


def read_csv_sheet(path: Path) -> Sheet:
    data = path.read_bytes()
    text = decode_utf8(path, data)
    sheet = Sheet(path.name)
    if not text.strip():
        return sheet
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for row in reader:
            if not sheet.headings:
                if any(c.strip() for c in row):
                    sheet.headings = [c.strip() for c in row]
                    sheet.header_row = reader.line_num
                continue
            if any(row):
                sheet.rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}: malformed CSV: {exc}", hint="check quotes in that line") from None
    return sheet


def xlsx_rows(path: Path, limit: int | None = None) -> list[tuple[str, list[tuple[int, tuple]]]]:
    """``(sheet title, [(row number, cell values)])`` for every sheet of a workbook except those whose
    name contains ``(ignore)``, at most ``limit`` rows each. A workbook openpyxl cannot read, however it
    fails (a broken archive, malformed or entity-laden XML, values of the wrong shape), is an
    :class:`InputError`; a file that cannot be opened is left to the caller (``OSError``)."""
    import openpyxl

    check_archive(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on Excel extensions it drops
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (FileNotFoundError, PermissionError, IsADirectoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl fails in many ways on damaged archives
        raise InputError(f"{path}: not a readable XLSX workbook ({exc.__class__.__name__})",
                         hint="open it in a spreadsheet program and save it again as .xlsx") from None
    sheets = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for ws in book.worksheets:
                if "(ignore)" in ws.title.lower():
                    continue
                rows = []
                for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    if limit is not None and row_no > limit:
                        break
                    rows.append((row_no, values))
                sheets.append((ws.title, rows))
    except Exception as exc:  # noqa: BLE001 - a damaged part of the archive, found while reading rows
        raise InputError(f"{path}: the XLSX workbook is damaged ({exc.__class__.__name__})",
                         hint="open it in a spreadsheet program and save it again as .xlsx") from None
    finally:
        book.close()
    return sheets


def read_xlsx_sheets(path: Path) -> list[Sheet]:
    """Every sheet of a workbook except those whose name contains ``(ignore)``, headings found."""
    sheets = []
    for title, rows in xlsx_rows(path):
        sheet = Sheet(f"{path.name}[{title}]")
        for row_no, values in rows:
            row = [cell_text(v) for v in values]
            if not sheet.headings:
                if any(str(c).strip() for c in row):
                    sheet.headings = [str(c).strip() for c in row]
                    sheet.header_row = row_no
                continue
            if any(str(c).strip() for c in row):
                sheet.rows.append((row_no, row))
        sheets.append(sheet)
    return sheets


def cell_text(value) -> str:
    """A spreadsheet cell as text: empty for blanks, ``12`` for the float 12.0, ISO for dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)
