"""Reading spreadsheets, recognising headers and labels, turning cells into a payload."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from api.exceptions import InvalidFile, TooLarge
from api.imports import columns, labels, reading, rows, writing

ROWS = [["Raison sociale", "Ville"], ["Forges de l'Étang", "Saint-Étienne"], ["Ça & Cie", "Besançon"]]


def read_all(content: bytes) -> list[tuple[int, list]]:
    return list(reading.read(content).rows)


@pytest.mark.parametrize(("encoding", "prefix"), [("cp1252", b""), ("latin-1", b""), ("utf-8", b""),
                                                  ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b"")])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_is_read_in_the_encodings_and_separators_excel_writes(encoding, prefix, delimiter):
    text = "\r\n".join(delimiter.join(row) for row in ROWS) + "\r\n"
    assert read_all(prefix + text.encode(encoding)) == [(n, row) for n, row in enumerate(ROWS, start=1)]


def test_csv_rows_are_numbered_as_the_spreadsheet_shows_them_and_empty_rows_are_skipped():
    content = b'a;b\r\n"two\r\nlines";x\r\n;\r\n\r\nlast;y\r\n'
    assert read_all(content) == [(1, ["a", "b"]), (2, ["two\r\nlines", "x"]), (5, ["last", "y"])]


def xlsx(build) -> bytes:
    workbook = openpyxl.Workbook()
    build(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_merged_ranges_give_their_value_to_each_cell_and_formulas_are_never_evaluated():
    def build(sheet):
        sheet.append(["name", "sector", "formula"])
        sheet.append(["A", "Automobile", "=1+1"])  # openpyxl saves no result: Excel never computed it
        sheet.append(["B"])
        sheet.append(["C"])
        sheet.merge_cells("B2:B4")
        sheet["A6"] = 41200000100012  # a SIRET typed as a number
    assert read_all(xlsx(build)) == [(1, ["name", "sector", "formula"]), (2, ["A", "Automobile"]),
                                     (3, ["B", "Automobile"]), (4, ["C", "Automobile"]), (6, [41200000100012])]


def test_the_row_and_column_limits_are_named(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    with pytest.raises(TooLarge, match="more than 2 rows"):
        read_all(b"a\n1\n2\n3\n")
    read_all(b"a\n1\n2\n")  # at the limit
    with pytest.raises(InvalidFile, match="Row 1 has 301 cells: at most 300 columns"):
        read_all(";".join(["x"] * 301).encode())
    assert read_all(("a" + ";" * 400 + "\n").encode()) == [(1, ["a"])]  # empty cells do not count


@pytest.mark.parametrize(("header", "name"), [
    ("Raison sociale", "legal_name"), ("RAISON_SOCIALE", "legal_name"), ("legal name", "legal_name"),
    ("Numéro TVA", "vat_number"), ("Site 2 code postal", "site_2_postal_code"), ("site_2_postal_code",
                                                                                  "site_2_postal_code"),
    ("Capacité 3", "capability_3"), ("capability 3 materials", "capability_3_materials"),
    ("Certification 1 valide du", "certification_1_valid_from"), ("Contact 1 téléphone", "contact_1_phone"),
    ("Statut", ""), ("errors", ""), ("Commentaire interne", None), ("site 0 city", None), ("site_1", None),
])
def test_headers_are_recognised_in_english_and_french_whatever_their_case_and_accents(header, name):
    assert columns.canonical(header) == name


def test_the_template_header_in_french_reads_back_as_the_english_one():
    assert [columns.canonical(title) for title in columns.header("fr")] == columns.header("en")


@pytest.mark.parametrize(("vocabulary", "text", "code"), [
    (labels.capabilities, "Fraisage 5 axes", "machining.milling.5axis"),
    (labels.capabilities, "5-axis milling", "machining.milling.5axis"),
    (labels.capabilities, "FRAISAGE 5 AXES", "machining.milling.5axis"),
    (labels.capabilities, "machining.milling.5axis", "machining.milling.5axis"),
    (labels.capabilities, "décolletage", "machining.turning.swiss"),
    (labels.capabilities, "Decolletage", "machining.turning.swiss"),
    (labels.certification_types, "iatf 16949", "iatf-16949"),
    (labels.certification_types, "ISO-9001", "iso-9001"),
    (labels.sectors, "aéronautique et spatial", "aerospace"),
    (labels.sectors, "Aerospace", "aerospace"),
    (labels.digital_capabilities, "edi", "edi"),
    (labels.capabilities, "Fraisage 7 axes", None),
])
def test_labels_in_either_language_resolve_to_codes(vocabulary, text, code):
    assert vocabulary().code(text) == code


def test_an_unknown_label_gets_the_closest_codes():
    assert labels.capabilities().closest("Fraisage 7 axes")[0] == "machining.milling.5axis"
    assert labels.sectors().unknown("Basket") == "Unknown sector 'Basket' left out."


@pytest.mark.parametrize(("text", "iso"), [("31/12/2026", "2026-12-31"), ("1/2/2025", "2025-02-01"),
                                           ("31.12.2026", "2026-12-31"), ("2026-12-31", "2026-12-31"),
                                           ("31/02/2026", "31/02/2026"), ("demain", "demain"), (None, None)])
def test_french_dates_become_iso_and_anything_else_is_left_for_the_schema(text, iso):
    assert rows.iso_date(text) == iso


@pytest.mark.parametrize(("cell", "text"), [(41200000100012.0, "41200000100012"), (42, "42"), (1.5, "1.5"),
                                            ("  x ", "x"), ("", None), ("'=SUM(A1)", "=SUM(A1)"),
                                            ("'+33 1 23", "+33 1 23"), ("l'atelier", "l'atelier"),
                                            (True, "true")])
def test_cells_as_text(cell, text):
    assert rows.text(cell) == text


def test_exported_cells_that_look_like_formulas_read_back_as_written():
    for value in ("=1+1", "+33 2 35 00 00 00", "-5", "@home", "plain"):
        escaped = writing.escape(value)
        assert rows.text(escaped) == value
        assert (escaped != value) is value.startswith(("=", "+", "-", "@"))


def test_a_row_becomes_the_payload_with_each_field_named_by_its_column():
    headers = {"legal_name": "Raison sociale", "country": "Pays", "sectors": "Secteurs",
               "site_1_city": "Site 1 ville", "site_1_postal_code": "Site 1 code postal",
               "site_2_city": "Site 2 ville", "capabilities": "Capacités", "capability_1": "Capacité 1",
               "capability_1_materials": "Capacité 1 matières", "certification_1_type": "Certification 1 type",
               "certification_1_valid_from": "Certification 1 valide du"}
    values = {"legal_name": "Forges", "country": None, "sectors": "Automobile | Chimie | Basket",
              "site_1_city": "Bourg", "site_1_postal_code": 1000, "site_2_city": None,
              "capabilities": "Tournage", "capability_1": "Fraisage 5 axes", "capability_1_materials": "acier | alu",
              "certification_1_type": "ISO 9001", "certification_1_valid_from": "15/01/2024"}
    draft = rows.draft(values, rows.Shape.of(headers))
    assert draft.data == {
        "legal_name": "Forges", "sectors": ["automotive", "chemicals"],
        "sites": [{"name": None, "address": None, "postal_code": "01000", "city": "Bourg", "latitude": None,
                   "longitude": None}],
        "capabilities": [{"code": "machining.turning"},
                         {"code": "machining.milling.5axis", "materials": ["acier", "alu"], "max_part_size": None,
                          "tolerance": None, "capacity": None}],
        "certifications": [{"type": "iso-9001", "number": None, "issuing_body": None, "valid_from": "2024-01-15",
                            "valid_until": None, "scope": None}],
    }
    assert draft.warnings == ["Unknown sector 'Basket' left out."]
    assert draft.column_of("sites.0.postal_code") == "Site 1 code postal"
    assert draft.column_of("capabilities.0.code") == "Capacités"
    assert draft.column_of("capabilities.1.materials.0") == "Capacité 1 matières"
    assert draft.column_of("certifications.0.valid_until") == "Certification 1 type"  # its group's first column


def merged_as(content: bytes, small: str, large: str) -> bytes:
    """The workbook with its merged range `small` made `large` in the sheet's XML (openpyxl
    itself would create a cell object for each cell of a large range)."""
    source, output = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(f'ref="{small}"'.encode(), f'ref="{large}"'.encode())
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
            target.writestr(item, data)
    return output.getvalue()


def test_a_sheet_wide_merged_range_is_refused_by_the_column_limit_and_a_false_dimension_ignored():
    def build(sheet):
        sheet.append(["name", "city"])
        sheet.append(["A", "Rouen"])
        sheet.append(["B"])
        sheet.merge_cells("B2:B3")
    across = merged_as(xlsx(build), "B2:B3", "B2:XFD1048576")
    with pytest.raises(InvalidFile, match="Row 2 has 301 cells: at most 300 columns"):
        read_all(across)
    down = merged_as(xlsx(build), "B2:B3", "B2:B1048576")
    assert read_all(down) == [(1, ["name", "city"]), (2, ["A", "Rouen"]), (3, ["B", "Rouen"])]
