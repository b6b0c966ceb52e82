"""The first worksheet of an XLSX workbook, streamed row by row from its XML.

A workbook is a ZIP of XML parts: `xl/workbook.xml` lists the sheets (the first
is read, found through the workbook's relationships, wherever it is stored),
`sharedStrings.xml` holds the text most cells point to, `styles.xml` says which
cells are dates (a date is a number with a date format). The sheet's XML is
parsed incrementally (xml.etree iterparse), each row emptied once read, so a
50,000-row sheet never sits in memory; openpyxl would build a cell object for
each cell, five times slower. Formulas are never evaluated: the value Excel
saved with one is read (none: the cell is empty).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import BinaryIO
from xml.etree.ElementTree import ParseError, fromstring, iterparse
from xml.parsers.expat import ExpatError, ParserCreate

from ..exceptions import InvalidFile

Cell = str | int | float | bool | None

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"  # ISO strict workbooks: the same, renamed
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT_RELATIONSHIPS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                          "http://purl.oclc.org/ooxml/officeDocument/relationships")
# Built-in number formats that are dates or times (ECMA-376 18.8.30).
DATE_FORMATS = frozenset({*range(14, 23), 45, 46, 47})
WINDOWS_EPOCH, MAC_EPOCH = datetime(1899, 12, 30), datetime(1904, 1, 1)
# What is not a date code in a custom format: quoted text, [colours and conditions], escaped
# characters and the padding (_x) and fill (*x) characters.
_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_DATE_CODES = re.compile(r"[dmyhs]", re.IGNORECASE)
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
_SCAN_CHUNK = 1 << 20
_ROOT = re.compile(rb"<(\w+:)?worksheet[\s>]")
DIGITS = "0123456789"
MAX_SHEET_ROWS = 1_048_576  # Excel's last row
# Past this, a part is a ZIP bomb, not a sheet: 20 MB of XLSX unzip to about 130 MB of XML.
MAX_PART_BYTES = 1 << 30

# What a ZIP that is no workbook (a part missing, an attribute missing, XML that is not) raises.
BROKEN_WORKBOOK = (zipfile.BadZipFile, KeyError, ValueError, IndexError, TypeError, AttributeError, StopIteration,
                   ParseError, zlib.error)
NOT_A_WORKBOOK = ("Not a spreadsheet: a ZIP file that is not an Excel workbook (.xlsx). "
                  "Send a CSV or XLSX file.")


def rows(file: BinaryIO, max_columns: int) -> Iterator[tuple[int, list[Cell]]]:
    """(row number, cells) of the first sheet, from row 1 (empty when the sheet starts lower);
    a merged range gives its value to each of its cells, clipped just past `max_columns` (a
    sheet-wide range is then refused by the column limit, not expanded)."""
    try:
        archive = zipfile.ZipFile(file)
        workbook = _Workbook(archive)
    except BROKEN_WORKBOOK as error:
        raise InvalidFile(NOT_A_WORKBOOK) from error
    number = 0
    try:
        merges = _merged_ranges(archive, workbook.sheet, max_columns)
        active: list[tuple[int, int, int, Cell]] = []  # (first col, last col, last row, value), 0-based cols
        for number, cells in _padded(workbook.sheet_rows(max_columns)):
            for first_col, last_col, last_row in merges.pop(number, ()):
                value = cells[first_col] if first_col < len(cells) else None
                if value is not None:
                    active.append((first_col, last_col, last_row, value))
            if active:
                active = [merge for merge in active if merge[2] >= number]
                for first_col, last_col, _, value in active:
                    if len(cells) <= last_col:
                        cells += [None] * (last_col + 1 - len(cells))
                    cells[first_col:last_col + 1] = [value] * (last_col + 1 - first_col)
            yield number, cells
    except (ParseError, ValueError, OverflowError, KeyError, IndexError, zipfile.BadZipFile, zlib.error) as error:
        raise InvalidFile(f"Row {number + 1} cannot be read ({error}): check its cells in Excel and save "
                          "the file again.") from error
    finally:
        archive.close()


def row_tags(file: BinaryIO) -> int:
    """How many <row> tags the first sheet's XML has (at least its rows; rows of a merged range
    the XML leaves out are not counted), found by scanning it, without parsing."""
    try:
        with zipfile.ZipFile(file) as archive, _open(archive, _Workbook(archive).sheet) as source:
            count, tail = 0, b""
            while chunk := source.read(_SCAN_CHUNK):
                window = tail + chunk
                count += window.count(b"<row") + window.count(b":row")  # <row …> or <x:row …>
                tail = window[-3:]  # too short to hold a tag counted already, long enough to finish one
            return count
    except BROKEN_WORKBOOK as error:
        raise InvalidFile(NOT_A_WORKBOOK) from error
    finally:
        file.seek(0)


def _padded(sheet_rows: Iterator[tuple[int, list[Cell]]]) -> Iterator[tuple[int, list[Cell]]]:
    """The rows with those the XML leaves out in between given as empty (a merged range may
    reach them), and row 1 first whatever the sheet's first row."""
    expected = 1
    for number, cells in sheet_rows:
        if not 0 < number <= MAX_SHEET_ROWS:
            raise InvalidFile(f"Row {number:,} is not a row of a sheet (Excel's are 1 to {MAX_SHEET_ROWS:,}): "
                              "save the file again from Excel.")
        while expected < number:
            yield expected, []
            expected += 1
        yield number, cells
        expected = number + 1


class _Workbook:
    """The parts of a workbook the first sheet's cells need: where the sheet is, its shared
    strings, which styles are dates, and the date system."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        document = _target(archive, "", "officeDocument") or "xl/workbook.xml"
        root = fromstring(_read(archive, document))
        self.ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        properties = root.find(self._tag("workbookPr"))
        self.epoch = (MAC_EPOCH if properties is not None and properties.get("date1904") in ("1", "true")
                      else WINDOWS_EPOCH)
        first = root.find(f"{self._tag('sheets')}/{self._tag('sheet')}")
        relation = next(value for key, value in first.attrib.items() if key.endswith("}id"))
        relations = _relationships(archive, document)
        self.sheet = relations[relation][1]
        parts = {kind: target for target_kind, target in relations.values()
                 for kind in [target_kind.rsplit("/", 1)[-1]]}
        self.strings = self._shared_strings(parts.get("sharedStrings"))
        self.dates = self._date_styles(parts.get("styles"))

    def _tag(self, name: str) -> str:
        return f"{{{self.ns}}}{name}" if self.ns else name

    def _shared_strings(self, part: str | None) -> list[Cell]:
        if part is None or part not in self.archive.NameToInfo:
            return []
        item, strings = self._tag("si"), []
        with _open(self.archive, part) as source:
            for _, element in iterparse(source):
                if element.tag == item:
                    strings.append(self._text(element))
                    element.clear()
        return strings

    def _text(self, element) -> str | None:
        """The text of a string item (<si> or <is>): its <t>, or its runs' <t> (not the
        phonetic guides, <rPh>)."""
        t, run = self._tag("t"), self._tag("r")
        text = "".join(child.text or "" for child in element if child.tag == t) + "".join(
            part.text or "" for child in element if child.tag == run for part in child if part.tag == t)
        return text.strip() or None

    def _date_styles(self, part: str | None) -> list[bool]:
        """For each cell style (a cell's `s`), whether its number format is a date."""
        if part is None or part not in self.archive.NameToInfo:
            return []
        root = fromstring(_read(self.archive, part))
        custom = {int(fmt.get("numFmtId")): _is_date_format(fmt.get("formatCode") or "")
                  for fmt in root.iter(self._tag("numFmt"))}
        cell_styles = root.find(self._tag("cellXfs"))
        if cell_styles is None:
            return []
        return [custom.get(number, number in DATE_FORMATS)
                for style in cell_styles.iter(self._tag("xf")) for number in [int(style.get("numFmtId") or 0)]]

    def sheet_rows(self, max_columns: int) -> Iterator[tuple[int, list[Cell]]]:
        """(row number, cells) of each <row> of the sheet, as the XML gives them; a cell past
        `max_columns` is dropped when empty and refused otherwise (a reference such as ZZZZZZ1
        must not make a list of millions of cells). Read with expat's callbacks: no element
        objects (building and collecting them is most of the time iterparse takes)."""
        strings, dates, epoch, known = self.strings, self.dates, self.epoch, {}
        read: list[tuple[int, list[Cell]]] = []
        cells: list[Cell] = []
        text: list[str] = []
        # The row's number; the cell's column, type and style; whether text is being collected.
        row = column = 0
        kind = style = None
        collect = phonetic = False

        def start(name, attributes):
            nonlocal row, column, kind, style, collect, phonetic
            if name == cell_tag:
                ref = attributes.get("r")
                if ref:
                    letters = ref.rstrip(DIGITS)
                    column = known.get(letters)
                    if column is None:
                        column = known[letters] = _column(letters)
                else:
                    column = len(cells)
                kind, style = attributes.get("t"), attributes.get("s")
                text.clear()
            elif name == value_tag or name == text_tag:
                collect = not phonetic
            elif name == row_tag:
                given = attributes.get("r")
                row = int(given) if given else row + 1
                cells.clear()
            elif name == phonetic_tag:
                phonetic = True

        def end(name):
            nonlocal collect, phonetic
            if name == cell_tag:
                value = value_of(kind, "".join(text) if text else None, style)
                if column >= max_columns:
                    if value is None:
                        return  # an empty cell beyond the table, as trailing empty cells are
                    raise InvalidFile(f"Row {row} has {column + 1:,} cells: at most {max_columns} columns "
                                      "are read. Delete the cells beyond the table.")
                if column == len(cells):
                    cells.append(value)
                elif column > len(cells):
                    cells.extend([None] * (column - len(cells)))
                    cells.append(value)
                else:
                    cells[column] = value
            elif name == value_tag or name == text_tag:
                collect = False
            elif name == row_tag:
                read.append((row, cells[:]))
            elif name == phonetic_tag:
                phonetic = False

        def characters(data):
            if collect:
                text.append(data)

        def value_of(kind, content, style) -> Cell:
            if content is None:
                return None  # an empty cell, or a formula Excel never computed
            if kind is None or kind == "n":
                number = float(content) if "." in content or "E" in content or "e" in content else int(content)
                if style and dates and int(style) < len(dates) and dates[int(style)]:
                    return _date(number, epoch)
                return number
            if kind == "s":
                return strings[int(content)]
            if kind == "b":
                return content == "1"
            if kind == "d":
                return _iso(datetime.fromisoformat(content))
            return content.strip() or None  # inlineStr, str (a formula's text), e (an error: #N/A)

        parser = ParserCreate()  # no namespace processing (slower): names as the file writes them
        parser.buffer_text = True
        parser.StartElementHandler, parser.EndElementHandler = start, end
        parser.CharacterDataHandler = characters
        with _open(self.archive, self.sheet) as source:
            chunk = source.read(1 << 16)
            prefix = _prefix(chunk)  # "" for most files, "x:" for some
            row_tag, cell_tag, value_tag, text_tag, phonetic_tag = (
                prefix + name for name in ("row", "c", "v", "t", "rPh"))
            final = False
            while not final:
                final = not chunk
                try:
                    parser.Parse(chunk, final)
                except ExpatError as error:  # named by the row it is in, not the last one read
                    raise InvalidFile(f"Row {max(row, 1)} cannot be read ({error}): check its "
                                      "cells in Excel and save the file again.") from error
                yield from read
                read.clear()
                chunk = source.read(1 << 16)


def _prefix(start: bytes) -> str:
    """The namespace prefix the sheet's XML writes its elements with (the root's)."""
    found = _ROOT.search(start)
    return found.group(1).decode() if found and found.group(1) else ""


def _column(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _is_date_format(code: str) -> bool:
    return bool(_DATE_CODES.search(_LITERALS.sub("", code.split(";")[0])))


def _date(serial: float, epoch: datetime) -> str | float:
    """An Excel serial date as ISO text: a date, a date and time, or a time of day."""
    day, fraction = divmod(serial, 1)
    moment = timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= serial < 1 and moment.days == 0:
        return (datetime.min + moment).time().isoformat()
    if 0 < serial < 60 and epoch == WINDOWS_EPOCH:
        day += 1  # Excel's 29 February 1900, which never was
    try:
        return _iso(epoch + timedelta(days=day) + moment)
    except OverflowError:
        return serial  # not a date after all: the number, for the schema to judge


def _iso(moment: datetime) -> str:
    return moment.date().isoformat() if moment.time() == datetime.min.time() else moment.isoformat()


def _merged_ranges(archive: zipfile.ZipFile, sheet: str, max_columns: int) -> dict[int, list[tuple[int, int, int]]]:
    """First row -> (first col, last col, last row) of each merged range: listed after the rows
    in the sheet's XML, so the XML is scanned for them before the rows are read."""
    starting: dict[int, list[tuple[int, int, int]]] = {}
    seen: set[bytes] = set()
    tail = b""
    with _open(archive, sheet) as source:
        while chunk := source.read(_SCAN_CHUNK):
            window = tail + chunk
            if b"mergeCell" not in window:  # most of the sheet: skipped at memchr's speed, not the regex's
                tail = window[-len(b"<x:mergeCell"):]
                continue
            for match in _MERGE.finditer(window):
                if match.group(0) in seen:
                    continue
                seen.add(match.group(0))
                first_col, first_row, last_col, last_row = match.groups()
                starting.setdefault(int(first_row), []).append(
                    (_column(first_col.decode()), min(_column(last_col.decode()), max_columns), int(last_row)))
            cut = window.rfind(b"<")  # a tag cut in two is scanned again with the next chunk
            tail = window[cut:] if cut >= 0 else b""
    return starting


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, path in the archive) of a part."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in archive.NameToInfo:
        return {}
    found = {}
    for relation in fromstring(_read(archive, rels)).iter(f"{{{RELATIONSHIPS}}}Relationship"):
        target = relation.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[relation.get("Id")] = (relation.get("Type") or "", path)
    return found


def _target(archive: zipfile.ZipFile, part: str, kind: str) -> str | None:
    return next((path for relation_type, path in _relationships(archive, part).values()
                 if relation_type.rsplit("/", 1)[-1] == kind), None)


def _open(archive: zipfile.ZipFile, part: str) -> BinaryIO:
    info = archive.getinfo(part)
    if info.file_size > MAX_PART_BYTES:
        raise InvalidFile(f"The workbook's {part} is over {MAX_PART_BYTES >> 20:,} MB once unzipped: not read. "
                          "Send the sheet as CSV.")
    return _Bounded(archive.open(info))


def _read(archive: zipfile.ZipFile, part: str) -> bytes:
    with _open(archive, part) as source:
        return source.read()


class _Bounded:
    """A part's stream that stops at MAX_PART_BYTES whatever its ZIP entry claims (a ZIP bomb
    may lie about its size)."""

    def __init__(self, stream):
        self.stream, self.left = stream, MAX_PART_BYTES

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(self.left + 1 if size < 0 else min(size, self.left + 1))
        self.left -= len(data)
        if self.left < 0:
            raise InvalidFile(f"A part of the workbook is over {MAX_PART_BYTES >> 20:,} MB once unzipped: "
                              "not read. Send the sheet as CSV.")
        return data

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stream.close()
