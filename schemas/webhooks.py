"""Webhook subscriptions and their deliveries."""

import marshmallow as ma
from marshmallow import fields, validate

from .common import CursorPageSchema, CursorQuerySchema, ResponseSchema

DELIVERY_STATES = ("pending", "succeeded", "failed")
EVENT_TYPES_DOC = ("Event types to receive: a type (`quote.submitted`), a group (`rfq.*`) or `*`; "
                   "default `[\"*\"]`, every event the organisation may see in GET /api/v1/events")


class WebhookCreateSchema(ma.Schema):
    url = fields.String(required=True, validate=validate.Length(1, 2000), metadata={
        "description": "Where to POST: https, resolving to public addresses only", "format": "uri"})
    event_types = fields.List(fields.String(validate=validate.Length(1, 50)),
                              validate=validate.Length(max=50), metadata={"description": EVENT_TYPES_DOC})
    description = fields.String(validate=validate.Length(max=500), metadata={
        "description": "What the endpoint is, for people"})
    organisation_id = fields.String(allow_none=True, validate=validate.Length(max=36), metadata={
        "description": "Admins only: the organisation it is for (default: the caller's; an admin's own "
                       "webhook receives every event)"})


class WebhookPatchSchema(ma.Schema):
    enabled = fields.Boolean(metadata={
        "description": "false pauses deliveries; true resumes them (a disabled webhook's pending "
                       "deliveries go out, and its failing streak restarts)"})
    url = fields.String(validate=validate.Length(1, 2000), metadata={"format": "uri"})
    event_types = fields.List(fields.String(validate=validate.Length(1, 50)), validate=validate.Length(max=50),
                              metadata={"description": EVENT_TYPES_DOC})
    description = fields.String(validate=validate.Length(max=500))


class WebhookSchema(ResponseSchema):
    id = fields.String()
    organisation_id = fields.String(allow_none=True, metadata={
        "description": "Whose events it receives (null: the operators', every event)"})
    url = fields.String()
    event_types = fields.List(fields.String())
    description = fields.String()
    enabled = fields.Boolean()
    failing_since = fields.DateTime(allow_none=True, metadata={
        "description": "Since when every attempt has failed (null after a success); after 5 days the "
                       "webhook is disabled"})
    disabled_at = fields.DateTime(allow_none=True, metadata={
        "description": "When deliveries failing for 5 days disabled it (null when enabled or paused "
                       "by PATCH)"})
    disabled_reason = fields.String(allow_none=True)
    previous_secret_expires_at = fields.DateTime(allow_none=True, metadata={
        "description": "After a rotation: until when the previous secret signs alongside the new one"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class WebhookWithSecretSchema(WebhookSchema):
    secret = fields.String(metadata={
        "description": "The signing secret (`whsec_` + base64), shown once: store it now. Verify "
                       "deliveries with it (docs/webhooks.md)"})


class WebhookListSchema(ResponseSchema):
    items = fields.List(fields.Nested(WebhookSchema))


class WebhookListQuerySchema(ma.Schema):
    organisation_id = fields.String(validate=validate.Length(max=36), metadata={
        "description": "Admins: only this organisation's webhooks"})


class WebhookAttemptSchema(ResponseSchema):
    attempted_at = fields.DateTime()
    status_code = fields.Integer(allow_none=True, metadata={
        "description": "The receiver's status (null when it gave none: see error)"})
    error = fields.String(allow_none=True, metadata={
        "description": "Why the attempt failed: a non-2xx status, a redirect, a timeout, a refused "
                       "connection or a refused address"})
    duration_ms = fields.Float()


class WebhookDeliverySchema(ResponseSchema):
    id = fields.Integer()
    event_id = fields.Integer(allow_none=True, metadata={"description": "null for a test message"})
    event_type = fields.String()
    message_id = fields.String(metadata={
        "description": "The webhook-id header: the same on every attempt"})
    state = fields.String(validate=validate.OneOf(DELIVERY_STATES))
    attempt_count = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True, metadata={
        "description": "When the next attempt is due (null once succeeded or failed)"})
    created_at = fields.DateTime()
    attempts = fields.List(fields.Nested(WebhookAttemptSchema), metadata={"description": "Oldest first"})


class WebhookDeliveryPageSchema(CursorPageSchema):
    items = fields.List(fields.Nested(WebhookDeliverySchema), metadata={"description": "Newest first"})


class WebhookDeliveryQuerySchema(CursorQuerySchema):
    state = fields.String(validate=validate.OneOf(DELIVERY_STATES), metadata={
        "description": "Only deliveries in this state (`failed`: what never landed)"})
