"""Endpoints: /api/v1/imports (template, upload, report) and /api/v1/suppliers/export."""

from __future__ import annotations

from contextlib import contextmanager

import marshmallow as ma
from flask import Response, current_app, request, stream_with_context, url_for
from flask.views import MethodView
from werkzeug.datastructures import CombinedMultiDict

from schemas.imports import (
    ExportQuerySchema,
    ImportRowsQuerySchema,
    ImportSchema,
    ImportUploadSchema,
    TemplateQuerySchema,
)

from .. import auth, transaction
from ..blueprint import Blueprint, StrictParser
from ..idempotency import idempotent
from ..pagination import decode_cursor, encode_cursor, next_page
from ..request_context import accepts
from . import columns, export, report, service, writing
from .reading import MAX_BYTES

# The multipart envelope around a file at the limit (the file itself is checked against MAX_BYTES).
MAX_UPLOAD_BYTES = MAX_BYTES + 64 * 1024

class MultipartParser(StrictParser):
    # A field the form does not declare is refused (422), as the spec says, not dropped.
    DEFAULT_UNKNOWN_BY_LOCATION = {**StrictParser.DEFAULT_UNKNOWN_BY_LOCATION, "files": ma.RAISE}

    def load_files(self, req, schema):
        """A multipart form's files and fields together (webargs reads them apart, and
        flask-smorest documents a single request body)."""
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class ImportsBlueprint(Blueprint):
    ARGUMENTS_PARSER = MultipartParser()


blp = ImportsBlueprint("imports", __name__, url_prefix="/api/v1",
                description="Spreadsheet imports and exports of suppliers (admin): the template, a dry "
                            "run or an import with its report, and every supplier in the template's "
                            "format. See docs/imports.md.")


def _file_docs(description: str) -> dict:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"200": {"description": description, "content": {
        writing.CSV_MIMETYPE: {"schema": {"type": "string"}}, writing.XLSX_MIMETYPE: binary}}}


def download(rows, file_format: str, name: str, lang: str = "en", *, session=None, **xlsx) -> Response:
    """A streamed spreadsheet, saved by browsers under `name`; `session`, which `rows` reads
    from, is closed once the whole file is sent."""
    response = Response(stream_with_context(writing.pieces(rows, file_format, lang, **xlsx)),
                        mimetype=writing.MIMETYPES[file_format])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    if session is not None:
        response.call_on_close(session.close)
    return response


@contextmanager
def stream_session():
    """A session of its own for a streamed answer: the request's is closed before the stream
    is sent. Closed here if the answer fails before streaming starts."""
    session = current_app.extensions["db_sessionmaker"]()
    try:
        yield session
    except BaseException:
        session.close()
        raise


@blp.before_request
def allow_spreadsheets():
    # The app refuses bodies over 1 MB; a spreadsheet may be up to MAX_BYTES.
    if request.endpoint == "imports.create_import":
        request.max_content_length = MAX_UPLOAD_BYTES


def template(file_format: str, lang: str) -> Response:
    notes = [("column", "what it holds", "example"), *columns.describe(lang)]
    return download([columns.header(lang)], file_format, "proxisource-suppliers-template", lang, notes=notes)


@blp.route("/imports/template.csv")
@blp.arguments(TemplateQuerySchema, location="query")
@blp.doc(responses=_file_docs("The template: the header row of every column"))
def template_csv(query):
    """The import template as CSV: a header row naming every column (anyone)"""
    return template("csv", query["lang"])


@blp.route("/imports/template.xlsx")
@blp.arguments(TemplateQuerySchema, location="query")
@blp.doc(responses=_file_docs("The template, with a second sheet describing each column"))
def template_xlsx(query):
    """The import template as XLSX, with a sheet describing each column (anyone)"""
    return template("xlsx", query["lang"])


@blp.route("/imports", methods=["POST"])
@accepts("multipart/form-data")
@idempotent
@blp.arguments(ImportUploadSchema, location="files")
@blp.response(201, ImportSchema, description="Processed at once (up to 500 rows): the report")
@blp.alt_response(202, schema=ImportSchema, description="Queued for the worker: follow Location")
def create_import(form):
    """Import suppliers from a CSV or XLSX file, or dry-run it (admin)"""
    principal = auth.require("admin")
    upload = form["file"]
    # The file as werkzeug spooled it (to disk past 500 kB): read from there, never copied whole.
    imported = service.upload(transaction.session(), upload.filename or "upload", upload.stream,
                              dry_run=form["dry_run"], principal=principal)
    location = {"Location": url_for("imports.ImportResource", import_id=imported.id)}
    if imported.status == "done":
        return present(imported, {"page_size": 100}), 201, location
    return present(imported, {}), 202, location


def present(imported, query: dict) -> dict:
    """The import's summary and a page of its report."""
    position = decode_cursor(query.get("cursor"), int)
    page_size = query.get("page_size", 0)
    rows = list(service.report_rows(transaction.session(), imported, after=position[0] if position else 0,
                                    limit=page_size + 1, outcome=query.get("outcome"))) if page_size else []
    more = len(rows) > page_size
    return {**{name: getattr(imported, name) for name in ImportSchema().fields if hasattr(imported, name)},
            "rows": rows[:page_size],
            "next_cursor": next_page(encode_cursor([rows[page_size - 1].number]) if more else None)}


@blp.route("/imports/<import_id>")
class ImportResource(MethodView):
    @blp.arguments(ImportRowsQuerySchema, location="query")
    @blp.response(200, ImportSchema)
    def get(self, query, import_id):
        """An import's progress and report, a page of rows at a time (admin)"""
        imported = service.get_import(transaction.session(), auth.current(), import_id)
        return present(imported, query)


def report_download(import_id: str, file_format: str) -> Response:
    with stream_session() as session:
        imported = service.get_import(session, auth.current(), import_id)
        return download(report.table(session, imported), file_format, f"import-{imported.id}-report",
                        session=session, sheet_title="Report")


@blp.route("/imports/<import_id>.csv")
@blp.doc(responses=_file_docs("The file's rows with status, errors and warnings columns"))
def import_report_csv(import_id):
    """An import's report as CSV: the file's rows with status, errors and warnings (admin)"""
    return report_download(import_id, "csv")


@blp.route("/imports/<import_id>.xlsx")
@blp.doc(responses=_file_docs("The file's rows with status, errors and warnings columns"))
def import_report_xlsx(import_id):
    """An import's report as XLSX: the file's rows with status, errors and warnings (admin)"""
    return report_download(import_id, "xlsx")


@blp.route("/suppliers/export")
@blp.arguments(ExportQuerySchema, location="query")
@blp.doc(responses=_file_docs("Every supplier, one row each, in the template's columns"))
def export_suppliers(query):
    """Every supplier in the import template's format, streamed (admin)"""
    with stream_session() as session:
        rows = export.supplier_rows(session, auth.current(), query["lang"])
        return download(rows, query["format"], "proxisource-suppliers", query["lang"], session=session)
