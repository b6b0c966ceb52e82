"""Importing suppliers from spreadsheets: outcomes, messages, history, search, idempotency."""

from __future__ import annotations

import io
import zipfile

import pytest
from factories import (
    TransactionLog,
    french_vat_number,
    issue_admin_key,
    new_siren,
    new_siret,
    onboard,
    problem,
    stored_state,
    with_wrong_checksum,
)
from import_support import (
    IMPORTS_URL,
    csv_bytes,
    outcomes,
    read_csv,
    read_xlsx,
    upload,
    with_cached_formula,
    xlsx_bytes,
)
from sqlalchemy import select

from api.models import Event, ImportFilePart, ImportRow, Supplier, SupplierChange

FRENCH_HEADER = ["Raison sociale", "SIRET", "Numéro TVA", "Pays", "Site 1 ville", "Site 1 code postal",
                 "Site 1 latitude", "Site 1 longitude", "Secteurs", "Capacités", "Certification 1 type",
                 "Certification 1 valide du", "Certification 1 valide au", "Effectif"]


@pytest.fixture()
def admin(app):
    return issue_admin_key(app)


def french_row(name, siret="", vat="", country="", city="Rouen", postal_code="76000", lat="", lon="",
               sectors="Automobile", capabilities="Fraisage 5 axes | Tournage", certification="iso 9001",
               valid_from="15/01/2024", valid_until="14/01/2027", employees="42"):
    return [name, siret, vat, country, city, postal_code, lat, lon, sectors, capabilities, certification,
            valid_from, valid_until, employees]


@pytest.fixture()
def french_file():
    """A French Excel export: a new supplier with labels, one with English labels and coordinates,
    an invalid one, a repeated SIRET, and two foreign rows without identifiers, alike."""
    siren = new_siren()
    sirets = {"dupre": new_siret(siren), "bernard": new_siret()}
    rows = [
        FRENCH_HEADER,
        french_row("Atelier Dupré", sirets["dupre"], french_vat_number(siren),
                   capabilities="Fraisage 5 axes | Tournage | Fraisage 7 axes"),
        french_row("Mécanique Bernard", sirets["bernard"], city="Cléon", postal_code="76410", lat="49,3124",
                   lon="1,0295", sectors="aerospace | AUTOMOTIVE", capabilities="5-axis milling",
                   certification="IATF 16949", valid_from="2024-03-01", valid_until="2027-02-28", employees="7"),
        french_row("Chaudronnerie Lambert", with_wrong_checksum(new_siret()), postal_code="760",
                   valid_from="15/01/2027", valid_until="14/01/2024", employees="beaucoup"),
        french_row("Atelier Dupré (doublon)", sirets["dupre"]),
        french_row("Muster GmbH", country="DE", city="Berlin", postal_code="10115", sectors="", capabilities="",
                   certification="", valid_from="", valid_until=""),
        french_row("Muster GmbH", country="DE", city="Berlin", postal_code="10115", sectors="", capabilities="",
                   certification="", valid_from="", valid_until=""),
    ]
    return csv_bytes(rows), sirets


def stored(app, **where) -> Supplier:
    from api.suppliers import service

    with app.extensions["db_sessionmaker"]() as session:
        column, value = next(iter(where.items()))
        supplier = session.scalar(select(Supplier).where(getattr(Supplier, column) == value)
                                  .options(*service.load_options()))
        session.expunge_all()
        return supplier


def test_a_french_excel_csv_gives_each_row_its_outcome_and_messages(app, client, admin, french_file):
    content, _ = french_file
    response = upload(client, admin, content, dry_run=True)
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert response.headers["Location"] == f"{IMPORTS_URL}/{report['id']}"
    assert (report["status"], report["dry_run"], report["format"], report["rows_total"]) == ("done", True, "csv", 6)
    assert outcomes(report) == {2: "create", 3: "create", 4: "invalid", 5: "invalid", 6: "create", 7: "create"}
    assert report["counts"] == {"create": 4, "update": 0, "unchanged": 0, "invalid": 2, "warnings": 3}
    rows = {row["row"]: row for row in report["rows"]}

    # The API's own messages, named by the file's columns.
    assert {(e["column"], e["field"], e["message"]) for e in rows[4]["errors"]} == {
        ("SIRET", "siret", "Not a valid SIRET (check the digits and the checksum)."),
        ("Site 1 code postal", "sites.0.postal_code", "A French postal code has five digits."),
        ("Certification 1 valide au", "certifications.0.valid_until", "valid_until cannot be before valid_from."),
        ("Effectif", "employees", "Not a valid integer."),
    }
    assert rows[5]["errors"] == [{"column": "SIRET", "field": None,
                                  "message": "Row 2 is the same supplier: give each supplier one row."}]
    # Warnings: an unknown label with the closest codes, sites placed from their city, a duplicate.
    assert rows[2]["warnings"][0] == ("Unknown capability 'Fraisage 7 axes' left out; closest codes: "
                                      "machining.milling.5axis, machining.milling.3axis, machining.milling.")
    assert rows[2]["warnings"][1].startswith("Site 1 placed from its city and postal code (Rouen: 49.44")
    assert rows[3]["warnings"] == []  # its coordinates were given (with decimal commas)
    assert rows[7]["warnings"][-1] == ("Possible duplicate of row 6: same name and postal code, and no SIRET "
                                       "or VAT number to tell them apart.")
    # A dry run writes no supplier.
    assert stored_state(app)["counts"]["suppliers"] == 0


def test_applying_writes_through_the_supplier_rules_and_a_second_import_changes_nothing(
        app, client, admin, french_file, supplier_index):
    content, sirets = french_file
    with TransactionLog(app) as log:
        report = upload(client, admin, content).get_json()
    assert report["counts"] == {"create": 4, "update": 0, "unchanged": 0, "invalid": 2, "warnings": 3}
    created = {row["row"]: row["supplier_id"] for row in report["rows"] if row["outcome"] == "create"}
    assert all(created.values()) and len(set(created.values())) == 4

    dupre = stored(app, siret=sirets["dupre"])
    assert dupre.id == created[2]
    assert (dupre.legal_name, dupre.siren, dupre.employees, dupre.sectors) == (
        "Atelier Dupré", sirets["dupre"][:9], 42, ["automotive"])
    assert [c.code for c in dupre.capabilities] == ["machining.milling.5axis", "machining.turning"]
    assert [(c.type, c.valid_from.isoformat(), c.valid_until.isoformat()) for c in dupre.certifications] == [
        ("iso-9001", "2024-01-15", "2027-01-14")]
    assert (dupre.sites[0].city, dupre.sites[0].department) == ("Rouen", "76")
    bernard = stored(app, siret=sirets["bernard"])
    assert (bernard.sites[0].latitude, bernard.sites[0].longitude) == (49.3124, 1.0295)
    assert bernard.sectors == ["aerospace", "automotive"]
    assert [c.type for c in bernard.certifications] == ["iatf-16949"]

    # History, event and outbox row of each creation, in the import's one transaction, by the admin.
    with app.extensions["db_sessionmaker"]() as session:
        history = session.scalars(select(SupplierChange).where(SupplierChange.supplier_id == dupre.id)).all()
        events = session.scalars(select(Event).where(Event.entity_id == dupre.id)).all()
    assert [(h.action, h.import_id, h.actor_role, h.actor_key_id) for h in history] == [
        ("created", report["id"], "admin", admin.key_id)]
    assert [(e.type, e.data["import_id"], e.actor_key_id) for e in events] == [
        ("supplier.created", report["id"], admin.key_id)]
    history = client.get(f"/api/v1/suppliers/{dupre.id}/history", headers=admin.headers).get_json()["items"]
    assert [(h["action"], h["import_id"], h["actor_key_id"]) for h in history] == [
        ("created", report["id"], admin.key_id)]
    assert log.transactions_of(dupre.id) == [{("new", "Supplier"), ("new", "SupplierChange"),
                                              ("new", "Event"), ("new", "SearchOutbox")}]

    # Searchable once the outbox is pushed (right after the response, as for any write).
    supplier_index.refresh()
    hits = client.get("/api/v1/search/suppliers", query_string={"q": "Atelier Dupré"}).get_json()["items"]
    assert [hit["id"] for hit in hits] == [dupre.id]

    again = upload(client, admin, content).get_json()
    assert outcomes(again) == {2: "unchanged", 3: "unchanged", 4: "invalid", 5: "invalid", 6: "unchanged",
                               7: "unchanged"}
    assert {row["supplier_id"] for row in again["rows"] if row["outcome"] == "unchanged"} == set(created.values())
    assert stored_state(app)["counts"]["supplier_changes"] == 4


def test_a_row_matched_by_siret_or_vat_updates_only_its_columns(app, client, admin):
    siren = new_siren()
    siret, vat = new_siret(siren), french_vat_number(siren)
    header = ["legal_name", "siret", "vat_number", "site_1_city", "site_1_postal_code", "employees", "website"]
    first = upload(client, admin, csv_bytes([header, ["Forges Martin", siret, vat, "Rouen", "76000", "12",
                                                      "https://forges-martin.example"]])).get_json()
    supplier_id = first["rows"][0]["supplier_id"]

    by_vat = upload(client, admin, csv_bytes([["raison_sociale", "numero_tva", "site_1_ville", "effectif"],
                                              ["Forges Martin", vat, "Rouen", "15"]])).get_json()
    assert [(r["outcome"], r["supplier_id"], r["changes"]) for r in by_vat["rows"]] == [
        ("update", supplier_id, ["employees", "sites"])]
    supplier = stored(app, id=supplier_id)
    # Columns the file did not have are kept; the site, given without postal code, is placed again.
    assert (supplier.employees, supplier.website, supplier.siret) == (15, "https://forges-martin.example", siret)
    with app.extensions["db_sessionmaker"]() as session:
        actions = session.scalars(select(SupplierChange.action).where(SupplierChange.supplier_id == supplier_id)
                                  .order_by(SupplierChange.id)).all()
    assert actions == ["created", "updated"]


def test_export_then_import_changes_nothing_in_csv_and_xlsx(app, client, admin):
    body = {"legal_name": "Usinage =Seine", "siret": new_siret(), "trade_name": "-UPS+", "description": "@home",
            "sites": [{"city": "Cléon", "postal_code": "76410", "latitude": 49.3124, "longitude": 1.0295},
                      {"city": "Elbeuf", "postal_code": "76500", "name": "Second site"},
                      {"city": "Louviers"}],  # placed from its city, department too
            "sectors": ["automotive", "aerospace"], "digital": ["edi"],
            "capabilities": [{"code": "machining.milling.5axis", "materials": ["aluminium", "steel"],
                              "tolerance": "±0.01 mm"}, {"code": "machining.turning"}],
            "certifications": [{"type": "iso-9001", "number": "FR-1", "valid_from": "2024-01-15",
                                "valid_until": "2027-01-14"}],
            "contacts": [{"name": "Claire Martin", "email": "claire@example.com", "phone": "+33 2 35 00 00 00"}]}
    assert client.post("/api/v1/suppliers", json=body, headers=admin.headers).status_code == 201
    foreign = {"legal_name": "Muster GmbH", "country": "DE", "sites": [{"city": "Berlin", "country": "DE"}]}
    assert client.post("/api/v1/suppliers", json=foreign, headers=admin.headers).status_code == 201
    before = stored_state(app)

    for file_format in ("csv", "xlsx"):
        exported = client.get("/api/v1/suppliers/export", query_string={"format": file_format}, headers=admin.headers)
        assert exported.status_code == 200
        assert exported.headers["Content-Disposition"] == f'attachment; filename="proxisource-suppliers.{file_format}"'
        report = upload(client, admin, exported.data, f"export.{file_format}").get_json()
        assert report["counts"] == {"create": 0, "update": 0, "unchanged": 2, "invalid": 0, "warnings": 0}, report
    assert stored_state(app) == before


def test_exported_cells_that_look_like_formulas_are_escaped(app, client, admin):
    body = {"legal_name": "=HYPERLINK(\"http://evil\")", "siret": new_siret(), "trade_name": "+33 plan",
            "description": "-2+3", "website": None, "sites": [{"city": "Rouen", "name": "@site"}]}
    assert client.post("/api/v1/suppliers", json=body, headers=admin.headers).status_code == 201
    exported = client.get("/api/v1/suppliers/export", headers=admin.headers)
    header, row = read_csv(exported.data)
    cells = dict(zip(header, row))
    assert (cells["legal_name"], cells["trade_name"], cells["description"], cells["site_1_name"]) == (
        "'=HYPERLINK(\"http://evil\")", "'+33 plan", "'-2+3", "'@site")
    assert cells["siret"] == body["siret"]

    workbook = client.get("/api/v1/suppliers/export", query_string={"format": "xlsx", "lang": "fr"},
                          headers=admin.headers)
    header, row = read_xlsx(workbook.data)[:2]
    cells = dict(zip(header, row))
    assert cells["raison_sociale"] == "=HYPERLINK(\"http://evil\")"  # stored as text, not as a formula
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(workbook.data)).read("xl/worksheets/sheet1.xml")


def test_xlsx_with_merged_cells_and_formulas_uses_their_values(app, client, admin):
    sirets = [new_siret() for _ in range(3)]
    rows = [["Raison sociale", "SIRET", "Site 1 ville", "Secteurs", "Nom commercial"],
            ["Alpha", sirets[0], "Rouen", "Automobile", "replaced by a formula"],
            ["Beta", sirets[1], "Rouen", None, None],
            ["Gamma", sirets[2], "Rouen", None, None]]
    # One "Automobile" for three rows (merged D2:D4); E2 a formula Excel saved with its value.
    content = with_cached_formula(xlsx_bytes(rows, merged=("D2:D4",)), "E2", 'CONCAT(A2," SAS")', "Alpha SAS")
    report = upload(client, admin, content, "membres.xlsx").get_json()
    assert report["format"] == "xlsx"
    assert outcomes(report) == {2: "create", 3: "create", 4: "create"}
    assert [stored(app, siret=s).sectors for s in sirets] == [["automotive"]] * 3
    assert stored(app, siret=sirets[0]).trade_name == "Alpha SAS"
    assert stored(app, siret=sirets[1]).trade_name is None


# --- files refused whole ---------------------------------------------------------------------

VALID_HEADER = ["legal_name", "siret", "site_1_city"]


@pytest.mark.parametrize(("content", "name", "status", "detail"), [
    (b"%PDF-1.7\n\x00\x01binary", "scan.pdf", 422, "Not a spreadsheet: send a CSV or XLSX file."),
    (b"PK\x03\x04 not really a zip", "fake.xlsx", 422, "Not a spreadsheet: a ZIP file that is not an Excel "
                                                       "workbook (.xlsx). Send a CSV or XLSX file."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", 422, "Excel 97-2003 (.xls) files are not read: save it as "
                                                          ".xlsx or CSV."),
    (b"", "empty.csv", 422, "The file is empty."),
    (b"legal_name;siret;site_1_city\r\n", "header.csv", 422, "The file has a header but no rows under it."),
    (csv_bytes([["legal_name", "siret"], ["Alpha", "1"]]), "no-city.csv", 422,
     "Missing required column(s): site_1_city (or site_1_ville). The template has every column: "
     "GET /api/v1/imports/template.csv."),
    (csv_bytes([["Liste des adhérents"], [], VALID_HEADER, ["Alpha", "", "Rouen"]]), "title.csv", 422,
     "The header must be on row 1, and it is on row 3: delete the rows above it."),
    (xlsx_bytes([VALID_HEADER, ["Alpha", "", "Rouen"]], first_row=3), "title.xlsx", 422,
     "The header must be on row 1, and it is on row 3: delete the rows above it."),
    (csv_bytes([VALID_HEADER, ["Alpha", "", "Rouen", *["x"] * 497]]), "wide.csv", 422,
     "Row 2 has 500 cells: at most 300 columns are read. Delete the cells beyond the table."),
    (csv_bytes([["legal_name", "Raison sociale", "site_1_city"], ["a", "b", "c"]]), "twice.csv", 422,
     "Two columns say legal_name: 'legal_name' and 'Raison sociale'. Keep one."),
])
def test_a_file_that_cannot_be_used_is_refused_whole(app, client, admin, content, name, status, detail):
    before = stored_state(app)
    body = problem(upload(client, admin, content, name), status)
    assert body["detail"] == detail
    assert stored_state(app) == before
    with app.extensions["db_sessionmaker"]() as session:
        assert session.scalars(select(ImportRow)).first() is None


def test_a_body_that_is_not_a_multipart_form_is_refused(app, client, admin):
    body = problem(client.post(IMPORTS_URL, json={"file": "suppliers.csv"}, headers=admin.headers), 415)
    assert body["detail"] == "Send the body as one of: multipart/form-data."
    missing = problem(client.post(IMPORTS_URL, data={"dry_run": "true"}, content_type="multipart/form-data",
                                  headers=admin.headers), 422)
    assert [(e["field"], e["message"]) for e in missing["errors"]] == [("file", "Missing data for required field.")]


def test_the_limits_are_named(app, client, admin, monkeypatch):
    from api.imports import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [VALID_HEADER] + [[f"Supplier {i}", "", "Rouen"] for i in range(4)]
    assert problem(upload(client, admin, csv_bytes(rows)), 413)["detail"] == (
        "The file has more than 3 rows, the limit: split it.")
    over = b"legal_name\n" + b"x" * (reading.MAX_BYTES + 1)
    assert problem(upload(client, admin, over), 413)["detail"] == "The file is over the limit of 20 MB: split it."


def test_only_admins_import_and_export_and_a_denial_writes_nothing(app, client, admin, french_file):
    content, _ = french_file
    buyer = onboard(client, admin, "buyer")
    supplier = onboard(client, admin, "supplier")
    before = stored_state(app)
    for actor in (buyer, supplier):
        assert problem(upload(client, actor, content), 403)["detail"] == "This needs one of the roles: admin."
        problem(client.get("/api/v1/suppliers/export", headers=actor.headers), 403)
    anonymous = client.post(IMPORTS_URL, data={"file": (io.BytesIO(content), "f.csv")},
                            content_type="multipart/form-data")
    problem(anonymous, 401)
    assert stored_state(app) == before
    report = upload(client, admin, content, dry_run=True).get_json()
    for actor in (buyer, supplier):
        problem(client.get(f"{IMPORTS_URL}/{report['id']}", headers=actor.headers), 403)
        problem(client.get(f"{IMPORTS_URL}/{report['id']}.csv", headers=actor.headers), 403)
    problem(client.get(f"{IMPORTS_URL}/no-such-import", headers=admin.headers), 404)


# --- report, template, large files ----------------------------------------------------------


def test_the_report_downloads_with_status_and_errors_and_comes_back_fixed(app, client, admin, french_file):
    content, _ = french_file
    report = upload(client, admin, content).get_json()
    downloaded = client.get(f"{IMPORTS_URL}/{report['id']}.csv", headers=admin.headers)
    assert downloaded.status_code == 200 and downloaded.mimetype == "text/csv"
    header, *rows = read_csv(downloaded.data)
    assert header == FRENCH_HEADER + ["id", "status", "errors", "warnings"]
    assert [row[-3] for row in rows] == ["create", "create", "invalid", "invalid", "create", "create"]
    assert set(rows[2][-2].split(" | ")) == {
        "SIRET: Not a valid SIRET (check the digits and the checksum).",
        "Site 1 code postal: A French postal code has five digits.",
        "Certification 1 valide au: valid_until cannot be before valid_from.", "Effectif: Not a valid integer."}
    assert rows[0][-4] == report["rows"][0]["supplier_id"]
    # The operator fixes row 4 and drops row 5, then uploads the report itself.
    rows[2][1], rows[2][5], rows[2][11], rows[2][12], rows[2][13] = new_siret(), "76000", "", "", "5"
    rows[2][10] = ""
    del rows[3]
    again = upload(client, admin, csv_bytes([header, *rows], encoding="utf-8", bom=True)).get_json()
    assert [row["outcome"] for row in again["rows"]] == ["unchanged", "unchanged", "create", "unchanged",
                                                        "unchanged"]
    second = client.get(f"{IMPORTS_URL}/{again['id']}.csv", headers=admin.headers)
    assert read_csv(second.data)[0] == header  # the report of a report has one status column
    xlsx = client.get(f"{IMPORTS_URL}/{report['id']}.xlsx", headers=admin.headers)
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")


def test_the_report_is_paged_and_filtered(app, client, admin, french_file):
    content, _ = french_file
    report = upload(client, admin, content, dry_run=True).get_json()
    page = client.get(f"{IMPORTS_URL}/{report['id']}", query_string={"page_size": 4}, headers=admin.headers)
    first = page.get_json()
    assert [row["row"] for row in first["rows"]] == [2, 3, 4, 5]
    rest = client.get(f"{IMPORTS_URL}/{report['id']}", headers=admin.headers,
                      query_string={"page_size": 4, "cursor": first["next_cursor"]}).get_json()
    assert ([row["row"] for row in rest["rows"]], rest["next_cursor"]) == ([6, 7], None)
    invalid = client.get(f"{IMPORTS_URL}/{report['id']}", query_string={"outcome": "invalid"},
                         headers=admin.headers).get_json()
    assert [row["row"] for row in invalid["rows"]] == [4, 5]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_template_names_every_column_and_imports_as_nothing(app, client, admin, lang):
    from api.imports import columns

    template = client.get("/api/v1/imports/template.csv", query_string={"lang": lang})
    assert template.status_code == 200
    header = read_csv(template.data)[0]
    assert header[:3] == (["id", "legal_name", "trade_name"] if lang == "en" else ["id", "raison_sociale",
                                                                                  "nom_commercial"])
    assert [columns.canonical(title) for title in header] == columns.header("en")
    workbook = client.get("/api/v1/imports/template.xlsx", query_string={"lang": lang})
    assert read_xlsx(workbook.data)[0] == header
    assert problem(upload(client, admin, template.data), 422)["detail"] == "The file has a header but no rows under it."


def test_a_large_file_is_queued_and_the_worker_imports_it_in_chunks(app, client, admin, monkeypatch):
    from api.imports import service
    from api.worker import Worker, default_jobs

    monkeypatch.setattr(service, "ANSWERED_AT_ONCE_ROWS", 3)
    monkeypatch.setattr(service, "CHUNK_ROWS", 2)
    monkeypatch.setattr(service, "FILE_PART_BYTES", 50)  # the file stored in several pieces
    rows = [VALID_HEADER] + [[f"Supplier {i}", new_siret(), "Rouen"] for i in range(5)]
    response = upload(client, admin, csv_bytes(rows))
    assert response.status_code == 202
    queued = response.get_json()
    # Answered before any row is stored: the worker reads the file.
    assert (queued["status"], queued["rows_total"], queued["rows_done"], queued["rows"]) == ("queued", 0, 0, [])
    assert stored_state(app)["counts"]["suppliers"] == 0
    with app.extensions["db_sessionmaker"]() as session:
        assert session.scalars(select(ImportRow)).first() is None

    worker = Worker(app.extensions["db_sessionmaker"], [job for job in default_jobs(app)
                                                         if job is service.import_job])
    assert worker.run_job(service.import_job) == 5  # the file read, its rows stored
    read = client.get(response.headers["Location"], headers=admin.headers).get_json()
    assert (read["status"], read["rows_total"], read["rows_done"]) == ("running", 5, 0)
    with app.extensions["db_sessionmaker"]() as session:
        assert session.scalars(select(ImportFilePart)).first() is None  # the file is dropped once read
    assert worker.run_job(service.import_job) == 2
    progress = client.get(response.headers["Location"], headers=admin.headers).get_json()
    assert (progress["status"], progress["rows_done"], progress["counts"]["create"]) == ("running", 2, 2)
    assert stored_state(app)["counts"]["suppliers"] == 2  # the first chunk landed whole
    worker.run_until_idle()
    done = client.get(response.headers["Location"], headers=admin.headers).get_json()
    assert (done["status"], done["rows_done"], done["counts"]["create"]) == ("done", 5, 5)
    assert stored_state(app)["counts"]["suppliers"] == 5


def test_a_large_file_refused_only_once_read_fails_with_the_reason_and_stores_no_row(app, client, admin,
                                                                                      monkeypatch):
    from api.imports import service

    monkeypatch.setattr(service, "ANSWERED_AT_ONCE_ROWS", 2)
    rows = [VALID_HEADER] + [[f"Supplier {i}", new_siret(), "Rouen"] for i in range(4)]
    rows.append(["Too wide", new_siret(), "Rouen", *["x"] * 497])
    response = upload(client, admin, csv_bytes(rows))
    assert response.status_code == 202
    sessions = app.extensions["db_sessionmaker"]
    with sessions.begin() as session:
        assert service.import_job(session) == 1
    failed = client.get(response.headers["Location"], headers=admin.headers).get_json()
    assert (failed["status"], failed["rows_total"], failed["error"]) == (
        "failed", 0, "Row 6 has 500 cells: at most 300 columns are read. Delete the cells beyond the table.")
    with sessions() as session:
        assert session.scalars(select(ImportRow)).first() is None
        assert session.scalars(select(ImportFilePart)).first() is None
    with sessions.begin() as session:
        assert service.import_job(session) == 0  # nothing left to do
    assert stored_state(app)["counts"]["suppliers"] == 0


def test_a_large_xlsx_file_is_read_by_the_worker_from_its_stored_pieces(app, client, admin, monkeypatch):
    from api.imports import service
    from api.worker import Worker

    monkeypatch.setattr(service, "ANSWERED_AT_ONCE_ROWS", 2)
    monkeypatch.setattr(service, "FILE_PART_BYTES", 1000)
    rows = [VALID_HEADER] + [[f"Supplier {i}", new_siret(), "Rouen"] for i in range(4)]
    response = upload(client, admin, xlsx_bytes(rows, merged=("C2:C5",)), "membres.xlsx")
    assert (response.status_code, response.get_json()["format"]) == (202, "xlsx")
    Worker(app.extensions["db_sessionmaker"], [service.import_job]).run_until_idle()
    done = client.get(response.headers["Location"], headers=admin.headers).get_json()
    assert (done["status"], done["rows_total"], done["counts"]["create"]) == ("done", 4, 4)
    assert stored_state(app)["counts"]["suppliers"] == 4


def test_a_large_file_over_the_row_limit_is_refused_by_the_request(app, client, admin, monkeypatch):
    from api.imports import reading, service

    monkeypatch.setattr(service, "ANSWERED_AT_ONCE_ROWS", 2)
    monkeypatch.setattr(reading, "MAX_ROWS", 4)
    rows = [VALID_HEADER] + [[f"Supplier {i}", "", "Rouen"] for i in range(5)]
    assert problem(upload(client, admin, csv_bytes(rows)), 413)["detail"] == (
        "The file has more than 4 rows, the limit: split it.")
    at_the_limit = upload(client, admin, csv_bytes(rows[:5] + [[], []]))  # empty rows do not count
    assert at_the_limit.status_code == 202


def test_a_supplier_s_second_row_is_found_in_a_later_chunk(app, client, admin, monkeypatch):
    from api.imports import service

    monkeypatch.setattr(service, "CHUNK_ROWS", 2)
    siret = new_siret()
    rows = [VALID_HEADER, ["Alpha", siret, "Rouen"], ["Beta", new_siret(), "Rouen"],
            ["Gamma", new_siret(), "Rouen"], ["Alpha again", siret, "Rouen"]]
    report = upload(client, admin, csv_bytes(rows)).get_json()
    assert outcomes(report) == {2: "create", 3: "create", 4: "create", 5: "invalid"}  # row 5: the third chunk
    assert report["rows"][3]["errors"][0]["message"] == "Row 2 is the same supplier: give each supplier one row."


def test_a_chunk_that_fails_leaves_nothing_of_it_and_is_taken_again(app, client, admin, monkeypatch):
    from api.imports import service
    from api.suppliers import service as suppliers

    monkeypatch.setattr(service, "ANSWERED_AT_ONCE_ROWS", 1)
    monkeypatch.setattr(service, "CHUNK_ROWS", 2)
    rows = [VALID_HEADER] + [[f"Supplier {i}", new_siret(), "Rouen"] for i in range(4)]
    location = upload(client, admin, csv_bytes(rows)).headers["Location"]
    real_create, calls = suppliers.create_suppliers, []

    def failing_in_the_second_chunk(*args, **kwargs):
        created = real_create(*args, **kwargs)
        calls.append(1)
        if len(calls) == 2:  # after its suppliers, their history and outbox rows are written
            raise RuntimeError("disk full")
        return created

    monkeypatch.setattr(suppliers, "create_suppliers", failing_in_the_second_chunk)
    sessions = app.extensions["db_sessionmaker"]
    for expected in (4, 2, 1):  # the file is read; the first chunk lands; the second fails once written
        with sessions.begin() as session:
            assert service.import_job(session) == expected
    failed = client.get(location, headers=admin.headers).get_json()
    assert (failed["status"], failed["rows_done"], failed["error"]) == ("running", 2, "RuntimeError: disk full")
    with sessions() as session:
        # Nothing of the failed chunk: its suppliers, history and outbox rows were rolled back.
        assert len(session.scalars(select(Supplier.id)).all()) == 2
        assert len(session.scalars(select(SupplierChange.id)).all()) == 2
        assert session.scalars(select(ImportRow.number).where(ImportRow.outcome.is_not(None))).all() == [2, 3]
    with sessions.begin() as session:
        assert service.import_job(session) == 2  # taken again, whole
    done = client.get(location, headers=admin.headers).get_json()
    assert (done["status"], done["counts"]["create"]) == ("done", 4)


def test_a_row_refused_when_its_chunk_is_written_is_invalid_and_the_others_land(app, client, admin, monkeypatch):
    """A supplier registered with a row's SIRET after the chunk was planned (here: hidden from the
    plan, as a concurrent writer's would be): the chunk's writes together fail, each row is
    written again on its own, and only that row is refused."""
    from api.imports import service

    taken = new_siret()
    holder = upload(client, admin, csv_bytes([VALID_HEADER, ["Holder", taken, "Rouen"]])).get_json()
    holder_id = holder["rows"][0]["supplier_id"]
    real_load = service._Known.load

    def planned_without_the_holder(session, chunk):
        known = real_load(session, chunk)
        known.by_identifier.pop(("siret", taken), None)
        known.siret_holders.pop(taken, None)
        return known

    monkeypatch.setattr(service._Known, "load", staticmethod(planned_without_the_holder))
    sirets = [new_siret(), taken, new_siret()]
    report = upload(client, admin, csv_bytes([VALID_HEADER] + [[f"Supplier {i}", siret, "Rouen"]
                                                               for i, siret in enumerate(sirets)])).get_json()
    assert outcomes(report) == {2: "create", 3: "invalid", 4: "create"}
    assert report["rows"][1]["errors"] == [{"column": None, "field": None, "message":
                                            f"SIRET {taken} is already registered (supplier {holder_id})."}]
    with app.extensions["db_sessionmaker"]() as session:
        landed = session.scalars(select(Supplier.siret).order_by(Supplier.legal_name)).all()
        imported_by = session.scalars(select(SupplierChange.import_id).where(
            SupplierChange.supplier_id.in_([row["supplier_id"] for row in report["rows"] if row["supplier_id"]]))).all()
    assert landed == [taken, sirets[0], sirets[2]]  # Holder, Supplier 0, Supplier 2
    assert imported_by == [report["id"]] * 2


def test_an_idempotency_key_replays_the_first_import(app, client, admin):
    rows = [VALID_HEADER, ["Alpha", new_siret(), "Rouen"]]
    first = upload(client, admin, csv_bytes(rows), headers={"Idempotency-Key": "import-1"})
    again = upload(client, admin, csv_bytes(rows), headers={"Idempotency-Key": "import-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert stored_state(app)["counts"]["suppliers"] == 1


def test_dry_run_is_exactly_true_or_false(client, admin, french_file):
    content, _ = french_file
    for value in ("0", "yes", "on"):
        response = client.post(IMPORTS_URL, data={"file": (io.BytesIO(content), "f.csv"), "dry_run": value},
                               content_type="multipart/form-data", headers=admin.headers)
        assert [e["field"] for e in problem(response, 422)["errors"]] == ["dry_run"], value
