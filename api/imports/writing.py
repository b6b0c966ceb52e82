"""Writing rows as a spreadsheet (template, export, report), a piece at a time.

CSV is UTF-8 with a byte-order mark (so Excel reads the accents), `;`
between cells for French headers and `,` for English ones. A text cell that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
formula by a spreadsheet (CSV injection): in CSV it is written after an
apostrophe, which imports take off again; in XLSX it is stored as text,
never as a formula.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator


CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"csv": CSV_MIMETYPE, "xlsx": XLSX_MIMETYPE}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_BATCH = 200  # rows per piece of a streamed CSV
XLSX_PIECE = 1 << 16


def _plain(value) -> str | int | float | None:
    if value is None or isinstance(value, (int, float, str)) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def escape(value):
    """A cell's value as a CSV cell: formula-looking text after an apostrophe."""
    value = _plain(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_pieces(rows: Iterable[list], lang: str = "en") -> Iterator[str]:
    """The rows as CSV text, a batch of rows per piece."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if lang == "fr" else ",", lineterminator="\r\n")
    buffer.write("\ufeff")
    for count, row in enumerate(rows, start=1):
        writer.writerow([escape(value) for value in row])
        if count % CSV_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_pieces(rows: Iterable[list], sheet_title: str = "Suppliers",
                notes: Iterable[list] | None = None) -> Iterator[bytes]:
    """The rows as an XLSX workbook (the first row bold), then `notes` on a second sheet.
    openpyxl's write-only mode keeps memory flat; the workbook is assembled in a temporary file
    and sent from there."""
    # Imported here: openpyxl takes 0.15 s to import, paid by every process and command otherwise.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    bold = Font(bold=True)
    for number, row in enumerate(rows):
        sheet.append([_xlsx_cell(WriteOnlyCell(sheet), value, bold if number == 0 else None) for value in row])
    if notes is not None:
        help_sheet = workbook.create_sheet("Read me")
        for row in notes:
            help_sheet.append([_xlsx_cell(WriteOnlyCell(help_sheet), value, None) for value in row])
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while piece := file.read(XLSX_PIECE):
            yield piece


def _xlsx_cell(cell, value, font):
    cell.value = _plain(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text, even when it starts with "=": never a formula
    if font is not None:
        cell.font = font
    return cell


def pieces(rows: Iterable[list], file_format: str, lang: str = "en", **xlsx) -> Iterator[str | bytes]:
    return csv_pieces(rows, lang) if file_format == "csv" else xlsx_pieces(rows, **xlsx)
