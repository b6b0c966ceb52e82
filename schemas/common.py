"""Pieces shared by several endpoints: whole numbers, decimal amounts, cursor pagination, instants."""

import decimal
import numbers
from datetime import datetime, timezone
from typing import ClassVar

import marshmallow as ma
from marshmallow import ValidationError, fields, validate

MAX_PAGE_SIZE = 100
# Who can be the actor of a change: a key's role, or the system (a deadline passing, seed data).
ACTOR_ROLES = ("admin", "buyer", "supplier", "system")
# The columns are Numeric(14, 4): 10 digits before the point, so a price × a quantity
# (20 digits and 2 places) stays within decimal's 28 digits of precision.
MAX_INTEGER_DIGITS = 10


class ResponseSchema(ma.Schema):
    """A schema the API answers with. Every field is in every answer (null when it has no
    value), so the spec marks each one required (a generated client types it as always there)
    — but for those named in `sometimes_absent`, which some answers leave out."""

    sometimes_absent: ClassVar[frozenset[str]] = frozenset()


class Integer(fields.Integer):
    """The project's integer: 1.5 is refused, never truncated to 1 (marshmallow's default); 2.0
    is 2 (a JSON Schema integer), even where strict refuses "2"."""

    def _validated(self, value):
        if isinstance(value, numbers.Number) and not isinstance(value, bool) and value != int(value):
            raise ValidationError("Not a whole number.")
        if self.strict and isinstance(value, float):
            value = int(value)  # 295.0 is a JSON Schema integer; strict refuses strings, not whole floats
        return super()._validated(value)


class Amount(fields.Decimal):
    """A decimal within the columns' bounds: too many digits or decimal places are
    refused (422), never rounded."""

    def _validated(self, value):
        try:
            exact = decimal.Decimal(str(value))
        except (decimal.InvalidOperation, ValueError):
            exact = None  # marshmallow says why
        if exact is not None and exact.is_finite() and not isinstance(value, bool):
            if exact and exact.adjusted() >= MAX_INTEGER_DIGITS:
                raise ValidationError(f"At most {MAX_INTEGER_DIGITS} digits before the decimal point.")
            if exact != exact.quantize(self.places):
                raise ValidationError(f"At most {-self.places.as_tuple().exponent} decimal places.")
        return super()._validated(value)


class CursorQuerySchema(ma.Schema):
    page_size = Integer(load_default=20, validate=validate.Range(1, MAX_PAGE_SIZE),
                               metadata={"description": f"Items per page (1–{MAX_PAGE_SIZE})"})
    cursor = fields.String(validate=validate.Length(1, 500), metadata={
        "description": "Opaque cursor from the previous page's next_cursor"})


class CursorPageSchema(ResponseSchema):
    next_cursor = fields.String(allow_none=True, metadata={
        "description": "Pass as `cursor` for the next page; null on the last page"})


def representable_in_utc(value: datetime) -> None:
    """An aware instant must still exist in UTC (year 9999 at -05:00 does not)."""
    try:
        value.astimezone(timezone.utc)
    except OverflowError:
        raise ValidationError("Out of range once converted to UTC.") from None
