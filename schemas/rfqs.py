"""Requests for quotation, invitations, quotes, matches and the event feed."""

from __future__ import annotations

import marshmallow as ma
import pycountry
from marshmallow import ValidationError, fields, validate, validates_schema

from .common import (
    ACTOR_ROLES,
    MAX_INTEGER_DIGITS,
    Amount,
    CursorPageSchema,
    CursorQuerySchema,
    Integer,
    ResponseSchema,
    representable_in_utc,
)

STATES = ("draft", "published", "closed", "awarded", "cancelled")
VISIBILITIES = ("invited", "public")
DECLINE_REASONS = ("capacity", "capability", "lead_time", "price", "other")
INVITATION_STATES = ("invited", "declined")
QUOTE_STATES = ("submitted", "withdrawn", "awarded", "not_awarded")
ACTIONS = ("publish", "close", "cancel", "award")


def amount(*, positive: bool, places: int, **kwargs) -> fields.Decimal:
    """A decimal amount, shown as a string so that no float rounding creeps in.

    Documented by hand: apispec would call it a number and write its bound as
    `minimum: "0.00"`, neither of which is true of what travels."""
    def check(value):
        if value < 0 or (positive and value == 0):
            raise ValidationError("Must be greater than 0." if positive else "Must not be negative.")

    bound = "greater than 0" if positive else "0 or more"
    return Amount(as_string=True, places=places, validate=check, metadata={
        "type": "string", "format": "decimal", "example": "12.50", "pattern": decimal_pattern(positive, places),
        "description": f"A decimal {bound}, as a string (a JSON number is accepted too), with at most "
                       f"{MAX_INTEGER_DIGITS} digits before the point and {places} after: more decimal "
                       f"places are refused (422), never rounded"}, **kwargs)


def decimal_pattern(positive: bool, places: int) -> str:
    """Decimal strings with at most MAX_INTEGER_DIGITS significant digits before the point and
    `places` after; when `positive`, not zero (a leading non-zero digit, or one after the point)."""
    fraction = rf"\.[0-9]{{1,{places}}}"
    if not positive:
        return rf"^[0-9]{{1,{MAX_INTEGER_DIGITS}}}({fraction})?$"
    non_zero_fraction = "|".join("0" * zeros + "[1-9]" + (f"[0-9]{{0,{places - zeros - 1}}}" if zeros < places - 1 else "")
                                 for zeros in range(places))
    return (rf"^(0*[1-9][0-9]{{0,{MAX_INTEGER_DIGITS - 1}}}({fraction})?"
            rf"|0{{1,{MAX_INTEGER_DIGITS}}}\.({non_zero_fraction}))$")


class Currency(fields.String):
    """ISO 4217 code, upper case (lower case is accepted and stored upper case)."""

    spec_component = "CurrencyCode"

    @staticmethod
    def spec_schema() -> dict:
        return {"type": "string", "description": "An ISO 4217 currency code, e.g. EUR",
                "enum": sorted(currency.alpha_3 for currency in pycountry.currencies)}

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).upper()
        if pycountry.currencies.get(alpha_3=code) is None:
            raise ValidationError("Not an ISO 4217 currency code (e.g. EUR).")
        return code


def codes(description: str) -> fields.List:
    return fields.List(fields.String(validate=validate.Length(1, 100)), load_default=list,
                       validate=validate.Length(max=20), metadata={"description": description})


class RfqWriteSchema(ma.Schema):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(allow_none=True, validate=validate.Length(max=10_000))
    required_capabilities = codes("Capability codes, all required (a descendant of one counts)")
    required_certifications = codes("Certification type codes, all required, valid on needed_by")
    quantity = amount(positive=True, places=4, required=True)
    unit = fields.String(required=True, validate=validate.Length(1, 30), metadata={
        "description": "e.g. pieces, kg, hours"})
    delivery_place = fields.String(allow_none=True, validate=validate.Length(max=200), metadata={
        "description": "Label of the delivery place; its coordinates come from delivery_lat/lon or near"})
    delivery_lat = fields.Float(validate=validate.Range(-90, 90))
    delivery_lon = fields.Float(validate=validate.Range(-180, 180))
    near = fields.String(load_only=True, validate=validate.Length(1, 100), metadata={
        "format": "place", "description": "A French place or postal code, instead of delivery_lat/lon "
                                          "(format `place`: one the gazetteer knows, e.g. Cléon or 76410)"})
    max_distance_km = fields.Float(allow_none=True, validate=validate.Range(0, 5000, min_inclusive=False))
    response_deadline = fields.AwareDateTime(required=True, validate=representable_in_utc, metadata={
        "description": "Quotes are accepted until then; the RFQ closes by itself once it passes"})
    needed_by = fields.Date(required=True, metadata={
        "description": "Date the goods are needed; certifications must be valid on it"})
    visibility = fields.String(load_default="invited", validate=validate.OneOf(VISIBILITIES), metadata={
        "description": "invited: only invited suppliers see it; public: every matching supplier"})
    sealed = fields.Boolean(load_default=False, metadata={
        "description": "Quotes stay hidden from the buyer until the RFQ is closed"})
    budget = amount(positive=False, places=2, allow_none=True)
    budget_visible = fields.Boolean(load_default=False, metadata={
        "description": "Show the budget to suppliers; otherwise only the buyer and operators see it"})
    currency = Currency(load_default="EUR")

    @validates_schema
    def check_dates_and_place(self, data, partial=None, **kwargs):
        deadline, needed_by = data.get("response_deadline"), data.get("needed_by")
        if deadline and needed_by and deadline.date() > needed_by:
            raise ValidationError("The response deadline must come before the needed-by date.",
                                  "response_deadline")
        if ("delivery_lat" in data) != ("delivery_lon" in data):
            raise ValidationError("Give both delivery_lat and delivery_lon.", "delivery_lat")
        if "near" in data and "delivery_lat" in data:
            raise ValidationError("Give either near or delivery_lat/lon, not both.", "near")
        if not partial and "near" not in data and "delivery_lat" not in data:
            raise ValidationError("Give the delivery point: delivery_lat and delivery_lon, or near.", "near")


class RfqPatchSchema(RfqWriteSchema):
    """Any subset of the fields of a draft; each one sent replaces the stored value."""

    def __init__(self, **kwargs):
        super().__init__(partial=tuple(RfqWriteSchema._declared_fields), **kwargs)


class RfqSchema(RfqWriteSchema, ResponseSchema):
    id = fields.String(dump_only=True)
    buyer_organisation_id = fields.String(dump_only=True)
    delivery_lat = fields.Float(attribute="delivery_latitude", dump_only=True)
    delivery_lon = fields.Float(attribute="delivery_longitude", dump_only=True)
    state = fields.String(attribute="current_state", dump_only=True, validate=validate.OneOf(STATES), metadata={
        "description": " → ".join(STATES[:4]) + "; cancelled from any state before awarded. A published "
                       "RFQ is closed from the moment its response deadline passes"})
    allowed_actions = fields.List(fields.String(validate=validate.OneOf(ACTIONS)), dump_only=True, metadata={
        "description": "Actions the RFQ's state allows now (publish, close, cancel, award)"})
    budget = amount(positive=False, places=2, attribute="shown_budget", dump_only=True, allow_none=True)
    awarded_quote_id = fields.String(dump_only=True, allow_none=True)
    version = Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    published_at = fields.DateTime(dump_only=True, allow_none=True)
    closed_at = fields.DateTime(attribute="current_closed_at", dump_only=True, allow_none=True)


class RfqListQuerySchema(CursorQuerySchema):
    state = fields.String(validate=validate.OneOf(STATES), metadata={"description": "Only RFQs in this state"})


class RfqPageSchema(CursorPageSchema):
    items = fields.List(fields.Nested(RfqSchema))


class AwardSchema(ma.Schema):
    quote_id = fields.String(required=True)


class InviteSchema(ma.Schema):
    supplier_ids = fields.List(fields.String(validate=validate.Length(1, 36)), required=True,
                               validate=validate.Length(1, 100))


class InvitationSchema(ResponseSchema):
    id = fields.String()
    rfq_id = fields.String()
    supplier_id = fields.String()
    state = fields.String(validate=validate.OneOf(INVITATION_STATES), metadata={"description": "invited or declined"})
    invited_at = fields.DateTime()
    declined_at = fields.DateTime(allow_none=True)
    decline_reason = fields.String(allow_none=True, validate=validate.OneOf(DECLINE_REASONS))
    decline_comment = fields.String(allow_none=True)


class InvitationListSchema(ResponseSchema):
    items = fields.List(fields.Nested(InvitationSchema))


class DeclineSchema(ma.Schema):
    reason = fields.String(required=True, validate=validate.OneOf(DECLINE_REASONS))
    comment = fields.String(allow_none=True, validate=validate.Length(max=1000))


class QuoteWriteSchema(ma.Schema):
    """A quote for the whole RFQ: its quantity must equal the RFQ's (partial quotes are refused
    with a 422, so that totals compare like with like), in the RFQ's currency, valid today or later."""

    unit_price = amount(positive=True, places=4, required=True)
    currency = Currency(load_default="EUR")
    quantity = amount(positive=True, places=4, required=True)
    lead_time_days = Integer(required=True, validate=validate.Range(0, 3650))
    valid_until = fields.Date(required=True, metadata={
        "description": "The quote's own validity: today or later"})
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))


class QuoteSchema(QuoteWriteSchema, ResponseSchema):
    id = fields.String(dump_only=True)
    rfq_id = fields.String(dump_only=True)
    supplier_id = fields.String(dump_only=True)
    state = fields.String(dump_only=True, validate=validate.OneOf(QUOTE_STATES), metadata={
        "description": "submitted, withdrawn, awarded or not_awarded"})
    total_price = fields.Decimal(as_string=True, places=2, dump_only=True, metadata={
        "type": "string", "format": "decimal", "description": "unit_price × quantity"})
    version = Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class QuoteListQuerySchema(ma.Schema):
    sort = fields.String(load_default="total_price", validate=validate.OneOf(("total_price", "lead_time")),
                         metadata={"description": "Lowest total price first, or shortest lead time first"})


class QuoteListSchema(ResponseSchema):
    items = fields.List(fields.Nested(QuoteSchema))


class MatchQuerySchema(CursorQuerySchema):
    include_partial = fields.Boolean(load_default=False, metadata={
        "description": "Also list near misses within the distance, with what they lack"})


class CoveredCapabilitySchema(ResponseSchema):
    required = fields.String()
    declared = fields.List(fields.String(), metadata={"description": "Declared codes covering it"})


class MatchCertificationSchema(ResponseSchema):
    type = fields.String()
    valid_until = fields.String()


class ScorePartsSchema(ResponseSchema):
    proximity = fields.Float()
    certification_headroom = fields.Float()
    coverage = fields.Float()
    digital = fields.Float()


class LacksSchema(ResponseSchema):
    capabilities = fields.List(fields.String(), metadata={"description": "Required capability codes not covered"})
    certifications = fields.List(fields.String(), metadata={
        "description": "Required certification type codes not held valid on needed_by"})


class MatchSchema(ResponseSchema):
    sometimes_absent = frozenset({"lacks"})  # full matches lack nothing
    supplier_id = fields.String()
    name = fields.String()
    full_match = fields.Boolean()
    score = fields.Float(metadata={"description": "Weighted sum of score_parts (weights in the description of score_parts)"})
    score_parts = fields.Nested(ScorePartsSchema, metadata={
        "description": "Each in [0, 1]: proximity (weight 0.5), certification headroom after needed_by "
                       "(0.2), share of requirements covered (0.2), digital readiness (0.1)"})
    distance_km = fields.Float()
    capabilities_covered = fields.List(fields.Nested(CoveredCapabilitySchema))
    certifications = fields.List(fields.Nested(MatchCertificationSchema))
    lacks = fields.Nested(LacksSchema, metadata={
        "description": "Only for near misses: the capabilities and certifications they miss"})


class MatchPageSchema(CursorPageSchema):
    total = Integer()
    items = fields.List(fields.Nested(MatchSchema))


class EventQuerySchema(ma.Schema):
    after = fields.String(validate=validate.Length(1, 500), metadata={
        "description": "Cursor: next_cursor of the previous page (omit to start from the beginning)"})
    limit = Integer(load_default=100, validate=validate.Range(1, 500), metadata={
        "description": "Most events per page (1–500)"})


class EventSchema(ResponseSchema):
    id = Integer()
    type = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    occurred_at = fields.DateTime()
    actor_role = fields.String(allow_none=True, validate=validate.OneOf(ACTOR_ROLES))
    actor_organisation_id = fields.String(allow_none=True)
    data = fields.Dict()


class EventPageSchema(ResponseSchema):
    items = fields.List(fields.Nested(EventSchema), metadata={
        "description": "Oldest first; empty when caught up. Events of the last second are held back "
                       "(a transaction committing late can still add one before them), so a new event "
                       "shows here about a second after it happened"})
    next_cursor = fields.String(metadata={
        "description": "Always present: pass it as `after` on the next call. When `items` is empty "
                       "you are caught up, and it is the same cursor you sent: call again later with it"})
