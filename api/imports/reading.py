"""Reading an uploaded spreadsheet, CSV or XLSX, one row at a time.

CSV: UTF-8 (with or without a byte-order mark), UTF-16 with its mark (Excel's
"Unicode text"), else Windows-1252 (what a French Excel calls Latin-1); the
separator (`;`, `,` or tab) is the one the first line uses most. XLSX: the
first sheet, streamed from its XML (xlsx.py). The file is read from a binary
file object (an upload spooled to disk, say), never held whole in memory. The
header is the first row, always: a file whose header is further down is refused
(service.py says where it found it).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ..exceptions import InvalidFile, TooLarge
from . import xlsx

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 300

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls
_SCAN_CHUNK = 1 << 20

Cell = str | int | float | bool | None


@dataclass
class Sheet:
    format: str  # csv or xlsx
    size: int  # bytes
    rows: Iterator[tuple[int, list[Cell]]]  # (row number as the spreadsheet shows it, cells)


def read(file: BinaryIO | bytes) -> Sheet:
    """The rows of the file (read from its start), from row 1, the header; every cell a str,
    number, bool or None. What makes the file unusable as a whole is found here, at once. The
    rows are read from `file` as they are taken: nothing else may move in it meanwhile."""
    file = io.BytesIO(file) if isinstance(file, bytes) else file
    size = _size_of(file)
    if size > MAX_BYTES:
        raise TooLarge(f"The file is over the limit of {MAX_BYTES // (1024 * 1024)} MB: split it.")
    start = _first_chunk(file)
    if not start.strip() and _blank(file):
        raise InvalidFile("The file is empty.")
    if start.startswith(ZIP_MAGIC):
        return Sheet("xlsx", size, _limited(xlsx.rows(file, MAX_COLUMNS)))
    if start.startswith(OLE_MAGIC):
        raise InvalidFile("Excel 97-2003 (.xls) files are not read: save it as .xlsx or CSV.")
    encoding = _encoding(file)
    if encoding != "utf-16" and b"\x00" in start:
        raise InvalidFile("Not a spreadsheet: send a CSV or XLSX file.")
    return Sheet("csv", size, _limited(_csv_rows(file, encoding)))


def rows_at_most(file: BinaryIO, file_format: str) -> int:
    """More data rows than the file can hold, counted without reading its cells: a CSV row
    starts a line (a cell on several lines makes more lines); an XLSX row is a <row> tag."""
    if file_format == "xlsx":
        return max(xlsx.row_tags(file) - 1, 0)  # one is the header's (a file without one is refused)
    lines, last = 0, b"\n"
    file.seek(0)
    try:
        while chunk := file.read(_SCAN_CHUNK):
            lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    finally:
        file.seek(0)
    return lines - (last == b"\n")  # the header's line is not a data row; a last one without a break is


def _size_of(file: BinaryIO) -> int:
    end = file.seek(0, os.SEEK_END)
    file.seek(0)
    return end


def _first_chunk(file: BinaryIO) -> bytes:
    file.seek(0)
    start = file.read(65536)
    file.seek(0)
    return start


def _blank(file: BinaryIO) -> bool:
    """Whether the file holds only white space."""
    try:
        while chunk := file.read(_SCAN_CHUNK):
            if chunk.strip():
                return False
        return True
    finally:
        file.seek(0)


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


def _csv_rows(file: BinaryIO, encoding: str) -> Iterator[tuple[int, list[Cell]]]:
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
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
    finally:
        if not file.closed:
            text.detach()  # the file is the caller's to close


def _encoding(file: BinaryIO) -> str:
    start = _first_chunk(file)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := file.read(_SCAN_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
        finally:
            file.seek(0)
    return "latin-1"  # every byte is a character


# --- XLSX: xlsx.py ---------------------------------------------------------------------------
