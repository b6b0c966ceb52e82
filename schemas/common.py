"""Pieces shared by several endpoints: cursor pagination, instants."""

from datetime import datetime, timezone

import marshmallow as ma
from marshmallow import ValidationError, fields, validate

MAX_PAGE_SIZE = 100
# Who can be the actor of a change: a key's role, or the system (a deadline passing, seed data).
ACTOR_ROLES = ("admin", "buyer", "supplier", "system")


class CursorQuerySchema(ma.Schema):
    page_size = fields.Integer(load_default=20, validate=validate.Range(1, MAX_PAGE_SIZE),
                               metadata={"description": f"Items per page (1–{MAX_PAGE_SIZE})"})
    cursor = fields.String(validate=validate.Length(1, 500), metadata={
        "description": "Opaque cursor from the previous page's next_cursor"})


class CursorPageSchema(ma.Schema):
    next_cursor = fields.String(allow_none=True, metadata={
        "description": "Pass as `cursor` for the next page; null on the last page"})


def representable_in_utc(value: datetime) -> None:
    """An aware instant must still exist in UTC (year 9999 at -05:00 does not)."""
    try:
        value.astimezone(timezone.utc)
    except OverflowError:
        raise ValidationError("Out of range once converted to UTC.") from None
