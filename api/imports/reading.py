"""Reading an uploaded spreadsheet, CSV or XLSX, one row at a time.

CSV: UTF-8 (with or without a byte-order mark), UTF-16 with its mark (Excel's
"Unicode text"), else Windows-1252 (what a French Excel calls Latin-1); the
separator (`;`, `,` or tab) is the one the first line uses most. XLSX: the
first sheet, read with openpyxl in read-only mode; formulas are never
evaluated, their values as Excel last saved them are read (a formula Excel
never computed reads as empty); a merged range gives its value to each of its
cells. The header is the first row, always: a file whose header is further
down is refused (service.py says where it found it).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

import openpyxl
from openpyxl.utils import range_boundaries

from ..exceptions import InvalidFile, TooLarge

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 300

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_SCAN_CHUNK = 1 << 20

Cell = str | int | float | bool | None


@dataclass
class Sheet:
    format: str  # csv or xlsx
    rows: Iterator[tuple[int, list[Cell]]]  # (row number as the spreadsheet shows it, cells)


def read(content: bytes) -> Sheet:
    """The rows of the file, from row 1 (the header); every cell a str, number, bool or None."""
    if len(content) > MAX_BYTES:
        raise TooLarge(f"The file is over the limit of {MAX_BYTES // (1024 * 1024)} MB: split it.")
    if not content.strip():
        raise InvalidFile("The file is empty.")
    if content.startswith(ZIP_MAGIC):
        return Sheet("xlsx", _limited(_xlsx_rows(content)))
    if content.startswith(OLE_MAGIC):
        raise InvalidFile("Excel 97-2003 (.xls) files are not read: save it as .xlsx or CSV.")
    return Sheet("csv", _limited(_csv_rows(content)))


def _limited(rows: Iterator[tuple[int, list[Cell]]]) -> Iterator[tuple[int, list[Cell]]]:
    """Rows with their trailing empty cells dropped, empty rows skipped, and the limits held."""
    data_rows = 0
    for number, cells in rows:
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise InvalidFile(f"Row {number} has {len(cells):,} cells: at most {MAX_COLUMNS} columns "
                              "are read. Delete the cells beyond the table.")
        if number == 1 or cells:
            if number > 1:
                data_rows += 1
                if data_rows > MAX_ROWS:
                    raise TooLarge(f"The file has more than {MAX_ROWS:,} rows, the limit: split it.")
            yield number, cells


# --- CSV ------------------------------------------------------------------------------------


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[Cell]]]:
    encoding = _encoding(content)
    if encoding not in ("utf-16",) and b"\x00" in content[:65536]:
        raise InvalidFile("Not a spreadsheet: send a CSV or XLSX file.")
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    first_line = text.readline()
    text.seek(0)
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(text, delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, [cell.strip() or None for cell in cells]
    except csv.Error as error:
        raise InvalidFile(f"Row {number + 1} cannot be read as CSV ({error}).") from error


def _encoding(content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(content), _SCAN_CHUNK):
                decoder.decode(content[start:start + _SCAN_CHUNK])
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"  # every byte is a character


# --- XLSX -----------------------------------------------------------------------------------


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Cell]]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # each row as wide as its own cells, whatever the sheet claims
        merged = _merged_ranges(sheet)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as error:
        raise InvalidFile("Not a spreadsheet: a ZIP file that is not an Excel workbook (.xlsx). "
                              "Send a CSV or XLSX file.") from error
    starting: dict[int, list[tuple[int, int, int, int]]] = {}  # first row -> merged ranges
    for cell_range in merged:
        starting.setdefault(cell_range[1], []).append(cell_range)
    active: list[tuple[int, int, int, Cell]] = []  # (min_col, max_col, max_row, value) over this row
    number = 0
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(value) for value in values]
            for min_col, _, max_col, max_row in starting.pop(number, ()):
                value = cells[min_col - 1] if min_col <= len(cells) else None
                # Clipped just past the column limit: a sheet-wide range is refused, not expanded.
                active.append((min_col, min(max_col, MAX_COLUMNS + 1), max_row, value))
            active = [merge for merge in active if merge[2] >= number]
            for min_col, max_col, _, value in active:
                if value is not None:
                    cells += [None] * (max_col - len(cells))
                    cells[min_col - 1:max_col] = [value] * (max_col - min_col + 1)
            yield number, cells
    except (ValueError, OverflowError, KeyError, zipfile.BadZipFile, zlib.error) as error:
        raise InvalidFile(f"Row {number + 1} cannot be read ({error}): check its cells in Excel and save "
                          "the file again.") from error
    finally:
        workbook.close()


def _merged_ranges(sheet) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range: listed after the rows in the
    sheet's XML, which read-only mode does not parse, so the XML is scanned for them first."""
    ranges: dict[tuple[int, int, int, int], None] = {}
    tail = b""
    with sheet._get_source() as source:  # the only way to the raw sheet XML
        while chunk := source.read(_SCAN_CHUNK):
            window = tail + chunk
            ranges.update(dict.fromkeys(range_boundaries(ref.decode()) for ref in _MERGE.findall(window)))
            cut = window.rfind(b"<")  # a tag cut in two is scanned again with the next chunk
            tail = window[cut:] if cut >= 0 else b""
    return list(ranges)


def _cell(value) -> Cell:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() or None
    if value is None or isinstance(value, (int, float, bool)):
        return value
    return str(value)
