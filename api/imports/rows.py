"""A spreadsheet row and a supplier profile, each made from the other.

`draft` turns a row's cells into the payload the API's schemas validate, and
remembers which column each field came from, so every message names a column.
Only the columns the file has are in the payload: an update leaves the fields
of missing columns as they are, and an empty cell clears its field (an empty
country means FR). `cells_of` is the inverse, for exports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from stdnum.eu import vat
from stdnum.fr import siret

from . import labels
from .columns import FIELDS, GROUPS, LIST_SEPARATOR, Group, column_name
from .reading import Cell

FRENCH_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
ESCAPED = re.compile(r"^'[=+\-@\t\r]")  # a formula-looking text an export escaped (CSV injection)
TEXT_FIELDS = ("legal_name", "trade_name", "naf_code", "website", "description", "employees", "founded_year")
VOCABULARIES = {"sectors": labels.sectors, "digital": labels.digital_capabilities}


@dataclass(frozen=True)
class Identity:
    """What a row is matched on: the Proxisource id, else the SIRET, else the VAT number."""

    id: str | None
    siret: str | None
    vat_number: str | None

    @property
    def given(self) -> bool:
        return bool(self.id or self.siret or self.vat_number)


def text(cell: Cell) -> str | None:
    """A cell as text: whole numbers without '.0' (a SIRET typed as a number), and the
    apostrophe an export put before a formula-looking text taken off again."""
    if cell is None:
        return None
    if type(cell) is str and not cell.startswith("'"):  # most cells: the reader stripped them
        return cell.strip() or None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    value = str(cell).strip()
    if ESCAPED.match(value):
        value = value[1:]
    return value or None


def items(cell: Cell) -> list[str]:
    return [part.strip() for part in (text(cell) or "").split(LIST_SEPARATOR) if part.strip()]


def identity(values: dict[str, Cell]) -> Identity:
    return Identity(text(values.get("id")), _compact(siret, text(values.get("siret"))),
                    _compact(vat, text(values.get("vat_number"))))


def _compact(module, value: str | None) -> str | None:
    try:
        return module.compact(value) if value else None
    except Exception:  # noqa: BLE001 — not a number at all: the schema says so
        return value


@dataclass(frozen=True)
class Shape:
    """Where a file's columns go in the payload, worked out once per file (not per row)."""

    fields: tuple[tuple[str, str], ...]  # (field, header) of the plain columns the file has
    groups: tuple[tuple[Group, tuple[tuple[int, tuple[tuple[str, str, str | None], ...]], ...]], ...]
    # ^ per group: (number, ((field, canonical column, header or None), ...)) for each number in the file

    @classmethod
    def of(cls, headers: dict[str, str]) -> Shape:
        fields = tuple((spec.key, headers[spec.key]) for spec in FIELDS if spec.key in headers)
        groups = []
        for group in GROUPS:
            numbers = sorted({int(name.split("_")[1]) for name in headers if name.startswith(f"{group.en}_")})
            groups.append((group, tuple(
                (number, tuple((spec.key, column_name(group, number, spec),
                                headers.get(column_name(group, number, spec))) for spec in group.fields))
                for number in numbers)))
        return cls(fields, tuple(groups))


@dataclass
class Draft:
    data: dict  # the payload for the schema
    shape: Shape
    warnings: list[str] = field(default_factory=list)
    # group -> the numbered columns each item came from (None: an item of the capabilities column)
    sources: dict[str, list[tuple | None]] = field(default_factory=dict)

    def column_of(self, path: str) -> str | None:
        """The column a field's message belongs to: the field's own, else its nearest parent's."""
        parts = path.split(".")
        while parts:
            column = self.columns.get(".".join(parts))
            if column:
                return column
            parts.pop()
        return None

    @cached_property
    def columns(self) -> dict[str, str]:
        """Payload path ("sites.0.city") -> the column, as the file names it: worked out only for
        a row with errors to name."""
        columns = {key: header for key, header in self.shape.fields if key != "id"}
        for group, numbered in self.shape.groups:
            if group.key not in self.sources:
                continue  # the file has no column of it
            for index, specs in enumerate(self.sources[group.key]):
                path = f"{group.key}.{index}"
                if specs is None:
                    columns[path] = columns["capabilities"]
                    continue
                columns.update({f"{path}.{key}": header for key, _, header in specs if header})
                columns.setdefault(path, specs[0][2] or "")
            first = numbered[0][1][0][2] if numbered else None
            columns.setdefault(group.key, first or group.key)
        return columns


def draft(values: dict[str, Cell], shape: Shape) -> Draft:
    """The payload of a row: `values` maps canonical column names to cells."""
    result = Draft({}, shape)
    listed = None
    for key, _ in shape.fields:
        cell = values[key]
        if key == "id":
            continue
        if key == "capabilities":
            listed = [{"code": code} for code in _codes(result, labels.capabilities(), items(cell))]
        elif key == "country":
            if text(cell):
                result.data["country"] = text(cell)
        elif key in VOCABULARIES:
            result.data[key] = _codes(result, VOCABULARIES[key](), items(cell))
        else:
            result.data[key] = text(cell)
    for group, numbered in shape.groups:
        found = _group(result, group, numbered, values, listed if group.key == "capabilities" else None)
        if found is not None:
            result.data[group.key] = found
    return result


def _group(result: Draft, group: Group, numbered, values: dict[str, Cell], listed: list | None) -> list[dict] | None:
    """The items of a group (after `listed` ones), None when the file has no column of it."""
    if not numbered and listed is None:
        return None
    found = list(listed or [])
    sources: list[tuple | None] = [None] * len(found)
    for number, specs in numbered:
        cells = {key: values.get(name) for key, name, _ in specs}
        if all(cell is None or cell == "" for cell in cells.values()):
            continue
        item = _item(result, group, cells, number)
        if item is not None:
            found.append(item)
            sources.append(specs)
    result.sources[group.key] = sources
    return found


def _item(result: Draft, group: Group, cells: dict[str, Cell], number: int) -> dict | None:
    item = {key: text(cell) for key, cell in cells.items()}
    if group.key == "sites":
        if not item["country"]:  # the supplier's country, else FR
            del item["country"]
            if result.data.get("country"):
                item["country"] = result.data["country"]
        for key in ("latitude", "longitude"):
            if item[key] and DECIMAL_COMMA.match(item[key]):
                item[key] = item[key].replace(",", ".")
        code = item["postal_code"]
        if code and code.isdigit() and len(code) == 4 and item.get("country", "FR").upper() == "FR":
            item["postal_code"] = code.zfill(5)  # a French postal code Excel took for a number
    elif group.key == "capabilities":
        item["materials"] = items(cells["materials"])
        return _coded(result, item, "code", labels.capabilities(), f"capability {number}")
    elif group.key == "certifications":
        for key in ("valid_from", "valid_until"):
            item[key] = iso_date(item[key])
        return _coded(result, item, "type", labels.certification_types(), f"certification {number}")
    return item


def _coded(result: Draft, item: dict, key: str, vocabulary: labels.Vocabulary, where: str) -> dict | None:
    if not item[key]:
        return item  # the schema says it is missing
    code = vocabulary.code(item[key])
    if code is None:
        result.warnings.append(f"{where}: {vocabulary.unknown(item[key])}")
        return None
    return {**item, key: code}


def _codes(result: Draft, vocabulary: labels.Vocabulary, names: list[str]) -> list[str]:
    codes = []
    for name in names:
        code = vocabulary.code(name)
        if code is None:
            result.warnings.append(vocabulary.unknown(name))
        elif code not in codes:
            codes.append(code)
    return codes


def iso_date(value: str | None) -> str | None:
    """31/12/2026 (or 31.12.2026) as 2026-12-31; anything else as it is, for the schema to judge."""
    match = FRENCH_DATE.match(value or "")
    if not match:
        return value
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return value


# --- the other way: a profile as cells --------------------------------------------------------


def counts_of(profile: dict) -> dict[str, int]:
    return {group.key: len(profile.get(group.key) or []) for group in GROUPS}


def cells_of(profile: dict, counts: dict[str, int]) -> list[Cell]:
    """A profile (as SupplierSchema dumps it, id included) in the template's columns, with
    `counts` groups of each kind: what an import of the row reads back as the same profile."""
    cells: list[Cell] = []
    for spec in FIELDS:
        if spec.key == "capabilities":
            cells.append(None)  # listed with their details in the numbered columns
        elif spec.key in VOCABULARIES:
            cells.append(f" {LIST_SEPARATOR} ".join(profile.get(spec.key) or []) or None)
        else:
            cells.append(profile.get(spec.key))
    for group in GROUPS:
        listed = profile.get(group.key) or []
        for number in range(counts.get(group.key, 0)):
            item = listed[number] if number < len(listed) else {}
            for spec in group.fields:
                value = item.get(spec.key)
                if isinstance(value, list):
                    value = f" {LIST_SEPARATOR} ".join(value) or None
                cells.append(value)
    return cells
