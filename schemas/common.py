"""Pieces shared by several endpoints: cursor pagination."""

import marshmallow as ma
from marshmallow import fields, validate

MAX_PAGE_SIZE = 100


class CursorQuerySchema(ma.Schema):
    page_size = fields.Integer(load_default=20, validate=validate.Range(1, MAX_PAGE_SIZE),
                               metadata={"description": f"Items per page (1–{MAX_PAGE_SIZE})"})
    cursor = fields.String(validate=validate.Length(1, 500), metadata={
        "description": "Opaque cursor from the previous page's next_cursor"})


class CursorPageSchema(ma.Schema):
    next_cursor = fields.String(allow_none=True, metadata={
        "description": "Pass as `cursor` for the next page; null on the last page"})
