"""Spreadsheets for the import tests, written the way operators' tools write them."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl

IMPORTS_URL = "/api/v1/imports"


def csv_bytes(rows: list[list], *, encoding: str = "cp1252", delimiter: str = ";", bom: bool = False) -> bytes:
    """What a French Excel saves as 'CSV (séparateur : point-virgule)': Windows-1252 and `;`."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], *, merged: tuple[str, ...] = (), first_row: int = 1) -> bytes:
    """A workbook made with openpyxl: `rows` from `first_row` on, `merged` ranges merged."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=first_row + offset, column=column, value=value)
    for cell_range in merged:
        sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_cached_formula(xlsx: bytes, cell: str, formula: str, cached: str) -> bytes:
    """The workbook with `cell` holding `formula` and, as Excel saves it, its last value `cached`
    (openpyxl writes formulas without values, as if Excel had never computed them)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                pattern = rf'<c r="{cell}"[^>]*?(?:/>|>.*?</c>)'.encode()
                replacement = (f'<c r="{cell}" t="str"><f>{formula}</f><v>{cached}</v></c>').encode()
                data, replaced = re.subn(pattern, replacement, data, count=1)
                assert replaced == 1, cell
            target.writestr(item, data)
    return output.getvalue()


def upload(client, actor, content: bytes, name: str = "suppliers.csv", *, dry_run: bool | None = None,
           headers: dict | None = None):
    data = {"file": (io.BytesIO(content), name)}
    if dry_run is not None:
        data["dry_run"] = "true" if dry_run else "false"
    return client.post(IMPORTS_URL, data=data, content_type="multipart/form-data",
                       headers={**actor.headers, **(headers or {})})


def outcomes(report: dict) -> dict[int, str]:
    return {row["row"]: row["outcome"] for row in report["rows"]}


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def read_xlsx(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]
