"""Reading spreadsheets, recognising headers and labels, turning cells into a payload."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date, datetime, time

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


# --- the XLSX reader: what Excel writes that openpyxl does not ------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def workbook_by_hand(sheets: dict[str, str], *, strings: list[str] = (), number_formats: dict[int, str] = (),
                     styles: list[int] = (0,), date1904: bool = False) -> bytes:
    """A minimal workbook as Excel lays it out: `sheets` (name -> the XML inside <sheetData>) in
    that order, stored under names that are not sheet1.xml, in reverse order; shared strings;
    cell styles (`s`) with these number formats."""
    names = list(sheets)
    files = {f"xl/worksheets/data{len(names) - i}.xml": f'<worksheet xmlns="{MAIN_NS}"><sheetData>{body}'
             f'</sheetData></worksheet>' for i, body in enumerate(sheets.values())}
    paths = list(files)
    files["_rels/.rels"] = (f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
                            f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    system = ' date1904="1"' if date1904 else ""
    files["xl/workbook.xml"] = (
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><workbookPr{system}/>'
        "<sheets>" + "".join(f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 10}"/>'
                             for i, name in enumerate(names)) + "</sheets></workbook>")
    files["xl/_rels/workbook.xml.rels"] = (
        f'<Relationships xmlns="{PACKAGE_RELS}">'
        + "".join(f'<Relationship Id="rId{i + 10}" Type="{REL_NS}/worksheet" Target="{path[3:]}"/>'
                  for i, path in enumerate(paths))
        + f'<Relationship Id="rId1" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>')
    files["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN_NS}">' + "".join(
        f"<si>{text}</si>" if text.startswith("<") else f"<si><t>{text}</t></si>" for text in strings) + "</sst>"
    files["xl/styles.xml"] = (
        f'<styleSheet xmlns="{MAIN_NS}"><numFmts>' + "".join(
            f'<numFmt numFmtId="{number}" formatCode="{html.escape(code)}"/>' for number, code in dict(number_formats).items())
        + "</numFmts><cellXfs>" + "".join(f'<xf numFmtId="{number}"/>' for number in styles)
        + "</cellXfs></styleSheet>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return buffer.getvalue()


def test_xlsx_cells_of_every_type_are_read_with_gaps_as_empty_cells():
    sheet = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="D1" t="inlineStr">'
             '<is><t> inline </t></is></c></row>'
             '<row r="2"><c r="A2"><v>42</v></c><c r="B2"><v>49.3124</v></c><c r="C2" t="b"><v>1</v></c>'
             '<c r="D2" t="s"><v>2</v></c><c r="E2" t="inlineStr"><is><r><t>rich </t></r><r><t>text</t></r>'
             '</is></c><c r="F2" t="e"><v>#N/A</v></c><c r="G2" t="b"><v>0</v></c></row>'
             '<row r="4"><c r="C4" t="s"><v>3</v></c></row>')
    content = workbook_by_hand({"Members": sheet}, strings=[
        "name", "  ", "<r><t>Forges </t></r><r><t>de l'Étang</t></r><rPh><t>フォージ</t></rPh>", "Rouen"])
    assert read_all(content) == [(1, ["name", None, None, "inline"]),
                                 (2, [42, 49.3124, True, "Forges de l'Étang", "rich text", "#N/A", False]),
                                 (4, [None, None, "Rouen"])]


def test_xlsx_formulas_give_the_value_excel_saved_and_none_without_one():
    sheet = ('<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>total</t>'
             '</is></c><c r="C1" t="inlineStr"><is><t>never computed</t></is></c></row>'
             '<row r="2"><c r="A2" t="str"><f>CONCAT("Alpha"," SAS")</f><v>Alpha SAS</v></c>'
             '<c r="B2"><f>1+1</f><v>2</v></c><c r="C2"><f>1+1</f></c><c r="D2" t="str"><f>A2</f><v></v></c></row>')
    assert read_all(workbook_by_hand({"Sheet": sheet})) == [(1, ["name", "total", "never computed"]),
                                                            (2, ["Alpha SAS", 2])]


def test_xlsx_dates_are_numbers_with_a_date_format_built_in_or_custom():
    # 46022 is 31/12/2025 in Excel's 1900 system; .5 is noon.
    formats = {164: "dd/mm/yyyy", 165: '0.00" days"', 166: "[Red]#,##0", 167: 'yyyy"-"mm"-"dd hh:mm',
               168: "[$-40C]d mmmm yyyy"}
    styles = [0, 14, 22, 45, 164, 165, 166, 167, 168, 2]
    cells = [(1, 46022), (2, 46022.5), (3, 0.75), (4, 46022), (5, 12.5), (6, 46022), (7, 46022.25),
             (8, 46022), (9, 46022)]
    sheet = '<row r="1">' + "".join(f'<c r="{chr(65 + i)}1" s="{style}"><v>{value}</v></c>'
                                    for i, (style, value) in enumerate(cells)) + "</row>"
    content = workbook_by_hand({"Sheet": sheet}, number_formats=formats, styles=styles)
    assert read_all(content) == [(1, ["2025-12-31", "2025-12-31T12:00:00", "18:00:00", "2025-12-31", 12.5,
                                      46022, "2025-12-31T06:00:00", "2025-12-31", 46022])]


def test_xlsx_in_the_1904_date_system_and_dates_written_by_openpyxl():
    sheet = '<row r="1"><c r="A1" s="1"><v>44560</v></c></row>'  # 44560 days after 1 January 1904
    assert read_all(workbook_by_hand({"Sheet": sheet}, styles=[0, 14], date1904=True)) == [(1, ["2025-12-31"])]

    def build(sheet):
        sheet.append(["valid from", "at", "time"])
        sheet.append([date(2024, 1, 15), datetime(2024, 1, 15, 8, 30), time(9, 45)])
    assert read_all(xlsx(build)) == [(1, ["valid from", "at", "time"]),
                                     (2, ["2024-01-15", "2024-01-15T08:30:00", "09:45:00"])]


def test_xlsx_the_first_sheet_is_the_workbook_s_first_wherever_it_is_stored():
    first = '<row r="1"><c r="A1" t="inlineStr"><is><t>first</t></is></c></row>'
    second = '<row r="1"><c r="A1" t="inlineStr"><is><t>second</t></is></c></row>'
    assert read_all(workbook_by_hand({"Members": first, "Notes": second})) == [(1, ["first"])]


def test_xlsx_a_sheet_starting_lower_has_an_empty_row_1_and_merges_reach_rows_the_xml_leaves_out():
    sheet = ('<row r="3"><c r="A3" t="inlineStr"><is><t>name</t></is></c></row>'
             '<row r="4"><c r="A4" t="inlineStr"><is><t>Auto</t></is></c></row>'
             '<row r="9"><c r="A9" t="inlineStr"><is><t>last</t></is></c></row></sheetData>'
             '<mergeCells><mergeCell ref="A4:B6"/><mergeCell ref="A9:A12"/></mergeCells><sheetData>')
    # As openpyxl reads it: rows 5 and 6 hold no cell but are in the range; past the last row, nothing.
    assert read_all(workbook_by_hand({"Sheet": sheet})) == [
        (1, []), (3, ["name"]), (4, ["Auto", "Auto"]), (5, ["Auto", "Auto"]), (6, ["Auto", "Auto"]),
        (9, ["last"])]


@pytest.mark.parametrize("content", [
    b"PK\x03\x04 not a zip",
    workbook_by_hand({"Sheet": ""})[:200],
])
def test_a_zip_that_is_no_workbook_is_not_a_spreadsheet(content):
    with pytest.raises(InvalidFile, match="Not a spreadsheet: a ZIP file that is not an Excel workbook"):
        read_all(content)


def test_a_sheet_whose_xml_is_broken_names_the_row():
    sheet = '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row><row r="2"><c r="A2"><v>1</c>'
    with pytest.raises(InvalidFile, match="Row 2 cannot be read"):
        read_all(workbook_by_hand({"Sheet": sheet}))


def test_a_part_over_the_unzipped_limit_is_refused(monkeypatch):
    from api.imports import xlsx as xlsx_reader

    monkeypatch.setattr(xlsx_reader, "MAX_PART_BYTES", 2_000)
    sheet = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 200))
    with pytest.raises(InvalidFile, match="once unzipped: not read"):
        read_all(workbook_by_hand({"Sheet": sheet}))


def test_a_file_object_is_read_as_its_bytes():
    content = b"a;b\r\n1;2\r\n"
    assert list(reading.read(io.BytesIO(content)).rows) == read_all(content) == [(1, ["a", "b"]), (2, ["1", "2"])]


def test_xlsx_a_sheet_written_with_a_namespace_prefix_is_read_the_same():
    content, output = workbook_by_hand({"Sheet": ""}), io.BytesIO()
    prefixed = (f'<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData><x:row r="1"><x:c r="B1" t="inlineStr"><x:is>'
                '<x:t>name</x:t></x:is></x:c><x:c r="C1"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            target.writestr(item, prefixed if item.filename == "xl/worksheets/data1.xml" else source.read(item))
    assert read_all(output.getvalue()) == [(1, [None, "name", 7])]


@pytest.mark.parametrize(("content", "at_most"), [(b"h\n1\n2\n", 2), (b"h\n1\n2", 2), (b"h\r\n1\r\n", 1), (b"h", 0),
                                                  (b'h\n"two\nlines"\n', 2)])
def test_a_csv_s_rows_are_counted_at_most_by_its_line_breaks(content, at_most):
    assert reading.rows_at_most(io.BytesIO(content), "csv") == at_most


def test_an_xlsx_s_rows_are_counted_at_most_by_its_row_tags():
    sheet = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 8))
    assert reading.rows_at_most(io.BytesIO(workbook_by_hand({"Sheet": sheet})), "xlsx") == 6  # and a header


@pytest.mark.parametrize(("sheet", "message"), [
    ('<row r="1"><c r="ZZZZZZZZ1"><v>1</v></c></row>', "Row 1 has 217,180,147,158 cells: at most 300 columns"),
    ('<row r="99999999999"><c r="A99999999999"><v>1</v></c></row>', "Row 99,999,999,999 is not a row of a sheet"),
])
def test_xlsx_references_past_a_sheet_are_refused_not_expanded(sheet, message):
    with pytest.raises(InvalidFile, match=message):
        read_all(workbook_by_hand({"Sheet": sheet}))


def test_xlsx_an_empty_cell_past_the_columns_read_is_dropped_like_trailing_empty_cells():
    sheet = '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1" s="0"/></row>'
    assert read_all(workbook_by_hand({"Sheet": sheet})) == [(1, [1])]


@pytest.mark.parametrize("workbook", [
    f'<workbook xmlns="{MAIN_NS}"><sheets/></workbook>',
    f'<workbook xmlns="{MAIN_NS}"><sheets><sheet name="a"/></sheets></workbook>',
])
def test_a_workbook_without_a_usable_first_sheet_is_not_a_spreadsheet(workbook):
    content, output = workbook_by_hand({"Sheet": ""}), io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            target.writestr(item, workbook if item.filename == "xl/workbook.xml" else source.read(item))
    with pytest.raises(InvalidFile, match="Not a spreadsheet: a ZIP file that is not an Excel workbook"):
        read_all(output.getvalue())
