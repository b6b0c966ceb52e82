"""Spreadsheet imports and exports: the upload, the report, and the download options."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from .common import CursorPageSchema, CursorQuerySchema, Integer, ResponseSchema

OUTCOMES = ("create", "update", "unchanged", "invalid")
STATUSES = ("queued", "running", "done", "failed")
LANGUAGE = fields.String(load_default="en", validate=validate.OneOf(("en", "fr")), metadata={
    "description": "Language of the headers: en, or fr (then `;` separates CSV cells)"})


class ImportUploadSchema(ma.Schema):
    """The multipart form of an upload: the file, and whether to write anything."""

    file = Upload(required=True, metadata={
        "description": "The spreadsheet: CSV (UTF-8, or Windows-1252 'Latin-1'; `;`, `,` or tab "
                       "between cells) or XLSX (its first sheet), header on row 1; up to 20 MB and "
                       "50,000 rows"})
    # A form field is text: exactly true or false, what the spec's boolean allows (not 0, yes, on…).
    dry_run = fields.Boolean(load_default=False, truthy={True, "true"}, falsy={False, "false"}, metadata={
        "description": "true: give every row its outcome and write nothing"})


class ImportRowsQuerySchema(CursorQuerySchema):
    outcome = fields.String(validate=validate.OneOf(OUTCOMES), metadata={
        "description": "Only the rows with this outcome"})


class TemplateQuerySchema(ma.Schema):
    lang = LANGUAGE


class ExportQuerySchema(ma.Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")), metadata={
        "description": "csv or xlsx"})
    lang = LANGUAGE


class RowErrorSchema(ResponseSchema):
    column = fields.String(allow_none=True, metadata={"description": "The column, as the file names it"})
    field = fields.String(allow_none=True, metadata={"description": "The profile's field (dotted path), "
                                                                    "as the API's own errors name it"})
    message = fields.String()


class ImportRowSchema(ResponseSchema):
    row = Integer(attribute="number", metadata={"description": "Row number, as the spreadsheet shows it"})
    outcome = fields.String(allow_none=True, validate=validate.OneOf(OUTCOMES), metadata={
        "description": "create, update, unchanged or invalid; null until the row is processed"})
    supplier_id = fields.String(allow_none=True, metadata={
        "description": "The supplier the row updates, leaves unchanged, or created"})
    changes = fields.List(fields.String(), metadata={"description": "Fields an update changes"})
    errors = fields.List(fields.Nested(RowErrorSchema))
    warnings = fields.List(fields.String(), metadata={
        "description": "Possible duplicates, unknown labels left out (with the closest codes), "
                       "sites placed from their city"})


class ImportCountsSchema(ResponseSchema):
    create = Integer()
    update = Integer()
    unchanged = Integer()
    invalid = Integer()
    warnings = Integer(metadata={"description": "Rows with at least one warning"})


class ImportSchema(CursorPageSchema):
    id = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "queued, running, done, or failed (see error)"})
    dry_run = fields.Boolean()
    filename = fields.String()
    format = fields.String(metadata={"description": "csv or xlsx"})
    size = Integer(metadata={"description": "Bytes"})
    rows_total = Integer(metadata={"description": "The file's data rows; 0 while a queued file waits for "
                                                  "the worker to read it"})
    rows_done = Integer()
    counts = fields.Nested(ImportCountsSchema)
    ignored_columns = fields.List(fields.String(), metadata={
        "description": "Columns of the file that are not the template's, and were not read"})
    error = fields.String(allow_none=True, metadata={"description": "Why processing failed"})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    rows = fields.List(fields.Nested(ImportRowSchema), metadata={
        "description": "A page of the report, in file order (follow next_cursor)"})
