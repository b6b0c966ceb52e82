"""The payloads documented in the spec: OpenAPI 3.1 `webhooks`, one per event type.

apispec has no call for `webhooks`, but it merges its options into the spec it writes,
so the section is built here once the schemas it refers to are registered.
"""

from __future__ import annotations

import copy

from flask_smorest import Api

from schemas.rfqs import EventSchema

from .catalog import EVENT_TYPES, TEST, EventType
from .delivery import TIMEOUT_SECONDS

HEADERS = [
    {"name": "webhook-id", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "The message id: the event's id (`data.id`), the same on every retry; "
                    "deduplicate on it (delivery is at least once)"},
    {"name": "webhook-timestamp", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "When this attempt was signed, in Unix seconds; refuse messages more than a "
                    "few minutes off your clock"},
    {"name": "webhook-signature", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "`v1,<base64 HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{body}\">`, one "
                    "per active secret, space-separated (two for 24 hours after a rotation)"},
]
RESPONSES = {
    "200": {"description": f"Received: any 2xx within {TIMEOUT_SECONDS:g} s settles the delivery"},
    "4XX": {"description": "Any other answer, a redirect, or none in time: retried on the schedule "
                           "(docs/webhooks.md), then failed"},
}


def document(api: Api) -> None:
    event = api.ma_plugin.resolver.resolve_schema_dict(EventSchema)  # a $ref to the change feed's Event
    entries = {kind.name: _entry(kind, _event_data(event, kind)) for kind in EVENT_TYPES.values()}
    entries[TEST.name] = _entry(TEST, {"type": "object", "properties": _fields(TEST)})
    api.spec.options["webhooks"] = entries


def _event_data(event_ref: dict, kind: EventType) -> dict:
    return {"allOf": [copy.deepcopy(event_ref), {"type": "object", "properties": {
        "type": {"const": kind.name}, "data": {"type": "object", "properties": _fields(kind)}}}],
        "description": "The event as GET /api/v1/events shows it"}


def _fields(kind: EventType) -> dict:
    return {name: {"description": description} for name, description in kind.data.items()}


def _entry(kind: EventType, data: dict) -> dict:
    camel = "".join(part.capitalize() for part in kind.name.split("."))
    return {"post": {
        "operationId": f"on{camel}",
        "summary": kind.summary,
        "tags": ["webhooks"],
        "security": [],
        "parameters": copy.deepcopy(HEADERS),  # copies: the YAML would hold anchors otherwise
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["type", "timestamp", "data"], "properties": {
                "type": {"const": kind.name},
                "timestamp": {"type": "string", "format": "date-time",
                              "description": "When the event happened"},
                "data": data}}}}},
        "responses": copy.deepcopy(RESPONSES),
    }}
