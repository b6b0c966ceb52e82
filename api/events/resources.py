"""Endpoint: /api/v1/events, the change feed."""

from __future__ import annotations

from schemas.rfqs import EventPageSchema, EventQuerySchema

from .. import auth, transaction
from ..blueprint import Blueprint
from ..pagination import decode_cursor, encode_cursor, next_page
from .feed import events_after

blp = Blueprint("events", __name__, url_prefix="/api/v1/events", description=(
    "The change feed: every state change (supplier created/updated/deleted, RFQ created/updated/"
    "published/closed/cancelled/awarded, invitation sent/declined, quote submitted/revised/withdrawn), "
    "in order, limited to what the caller may see. Follow next_cursor; an empty page means "
    "caught up — call again later with the same cursor."))


@blp.route("")
@blp.arguments(EventQuerySchema, location="query")
@blp.response(200, EventPageSchema)
def events(query):
    """Events after the cursor, oldest first"""
    principal = auth.require()
    session = transaction.session()
    position = decode_cursor(query.get("after"), int, parameter="after")
    after_id = position[0] if position else 0
    items = events_after(session, principal, after_id, query["limit"])
    last = items[-1].id if items else after_id
    return {"items": items, "next_cursor": next_page(encode_cursor([last]), parameter="after")}
