"""Endpoints for operators: /api/v1/admin (the search outbox, for now)."""

from __future__ import annotations

from schemas.admin import (
    MAX_ROW_ID,
    SearchOutboxPageSchema,
    SearchOutboxQuerySchema,
    SearchOutboxRetriedSchema,
    SearchOutboxRetrySchema,
)

from .. import auth, transaction
from ..blueprint import Blueprint
from ..pagination import decode_cursor, encode_cursor, invalid_cursor, next_page
from ..search import outbox

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin",
                description="Operations (admin): the changes the search index has yet to take, and "
                            "retrying those Elasticsearch refused until they were parked.")


@blp.route("/search-outbox")
@blp.arguments(SearchOutboxQuerySchema, location="query")
@blp.response(200, SearchOutboxPageSchema)
def search_outbox(query):
    """List search-outbox rows, oldest first: failed (the default) or pending (admin)"""
    auth.require("admin")
    position = decode_cursor(query.get("cursor"), int)
    after_id = position[0] if position else 0
    if not 0 <= after_id <= MAX_ROW_ID:
        invalid_cursor()
    page_size = query["page_size"]
    rows = outbox.rows_in_state(transaction.session(), query["state"], after_id, page_size + 1)
    page = rows[:page_size]
    return {"items": page, "next_cursor": next_page(encode_cursor([page[-1].id]) if len(rows) > page_size else None)}


@blp.route("/search-outbox/retry", methods=["POST"])
@blp.arguments(SearchOutboxRetrySchema, required=False)
@blp.response(200, SearchOutboxRetriedSchema)
def retry_search_outbox(body):
    """Retry search-outbox rows (attempts reset): the ids given, or every failed row (admin)"""
    auth.require("admin")
    return {"retried": outbox.retry(transaction.session(), body.get("ids"))}
