"""Endpoints: /api/v1/rfqs and its invitations, quotes and matches."""

from __future__ import annotations

from flask.views import MethodView

from schemas.rfqs import (
    AwardSchema,
    DeclineSchema,
    InvitationListSchema,
    InvitationSchema,
    InviteSchema,
    MatchPageSchema,
    MatchQuerySchema,
    QuoteListQuerySchema,
    QuoteListSchema,
    QuoteSchema,
    QuoteWriteSchema,
    RfqListQuerySchema,
    RfqPageSchema,
    RfqPatchSchema,
    RfqSchema,
    RfqWriteSchema,
)

from .. import auth, transaction
from ..blueprint import Blueprint
from ..idempotency import idempotent
from ..pagination import decode_cursor, encode_cursor, invalid_cursor, next_page
from ..search.sync import supplier_index
from . import matching, quotes, service

blp = Blueprint("rfqs", __name__, url_prefix="/api/v1/rfqs", description=(
    "Requests for quotation. Lifecycle: draft → published → closed → awarded, and cancelled from any "
    "state before awarded, through POST …/publish, …/close, …/cancel and …/award; an action the "
    "current state does not allow is 409. A published RFQ is closed from the moment its response "
    "deadline passes. Buyers manage their own RFQs; invited suppliers (and, for public RFQs, matching ones) "
    "see them and quote."))


# ETags hash the representation the caller gets (`set_etag(obj, Schema)`), not the row's
# version: the budget differs by viewer, and a published RFQ reads as closed once its
# deadline passes while its version stays the same.
def shown(rfq):
    # Computed for this response only (transient attributes, never stored).
    rfq.allowed_actions = service.allowed_actions(rfq)
    rfq.shown_budget = service.budget_shown_to(rfq, auth.current())
    return rfq


def page_position(cursor: str | None) -> int:
    position = decode_cursor(cursor, int)
    if position is None:
        return 0
    if position[0] < 0:
        invalid_cursor()
    return position[0]


@blp.route("")
class Rfqs(MethodView):
    @blp.arguments(RfqListQuerySchema, location="query")
    @blp.response(200, RfqPageSchema)
    def get(self, query):
        """RFQs the caller may see: a buyer's own, a supplier's invitations and matching public ones"""
        principal = auth.require()
        after = decode_cursor(query.get("cursor"), str)
        rfqs = service.list_rfqs(transaction.session(), principal, state=query.get("state"),
                                 after=after[0] if after else None, limit=query["page_size"])
        full = len(rfqs) == query["page_size"]
        return {"items": [shown(r) for r in rfqs],
                "next_cursor": next_page(encode_cursor([rfqs[-1].id]) if full else None)}

    @idempotent
    @blp.etag
    @blp.arguments(RfqWriteSchema)
    @blp.response(201, RfqSchema)
    def post(self, body):
        """Create a draft RFQ (buyer)"""
        rfq = service.create_rfq(transaction.session(), body, auth.require("buyer"))
        blp.set_etag(shown(rfq), RfqSchema)
        return rfq, {"Location": f"{blp.url_prefix}/{rfq.id}"}


@blp.route("/<rfq_id>")
class RfqResource(MethodView):
    @blp.etag
    @blp.response(200, RfqSchema)
    def get(self, rfq_id):
        """Get an RFQ"""
        rfq = service.visible_rfq(transaction.session(), auth.require(), rfq_id)
        blp.set_etag(shown(rfq), RfqSchema)
        return rfq

    @blp.etag
    @blp.arguments(RfqPatchSchema)
    @blp.response(200, RfqSchema)
    def patch(self, body, rfq_id):
        """Edit a draft (its buyer; If-Match required)"""
        principal = auth.require("buyer")
        rfq = service.owned_rfq(transaction.session(), principal, rfq_id)
        blp.check_etag(shown(rfq), RfqSchema)
        rfq = service.update_rfq(transaction.session(), rfq, body, principal)
        blp.set_etag(shown(rfq), RfqSchema)
        return rfq


def _action(action: str, summary: str):
    @blp.response(200, RfqSchema)
    @blp.alt_response(409, description="The RFQ's state does not allow this action")
    def view(rfq_id):
        principal = auth.require()
        session = transaction.session()
        rfq = service.owned_rfq(session, principal, rfq_id, or_admin=action == "cancel")
        return shown(service.perform(session, rfq, action, principal))

    view.__doc__ = summary
    blp.route(f"/<rfq_id>/{action}", methods=["POST"], endpoint=f"rfq_{action}")(view)


_action("publish", "Publish a draft: invited (or, if public, matching) suppliers see it and may quote")
_action("close", "Close before the deadline: no more quotes; sealed quotes become visible")
_action("cancel", "Cancel (its buyer, or an admin), from any state before awarded")


@blp.route("/<rfq_id>/award", methods=["POST"])
@blp.arguments(AwardSchema)
@blp.response(200, RfqSchema)
@blp.alt_response(409, description="Only a closed RFQ can be awarded")
def award(body, rfq_id):
    """Award a closed RFQ to one live quote; the other live quotes become not_awarded"""
    principal = auth.require("buyer")
    session = transaction.session()
    rfq = service.owned_rfq(session, principal, rfq_id)
    return shown(service.perform(session, rfq, "award", principal, quote_id=body["quote_id"]))


@blp.route("/<rfq_id>/matches")
@blp.arguments(MatchQuerySchema, location="query")
@blp.response(200, MatchPageSchema)
@blp.searches()
def matches(query, rfq_id):
    """Suppliers able to do everything asked, ranked, each with why (the RFQ's buyer, or an admin)"""
    principal = auth.require("buyer", "admin")
    session = transaction.session()
    rfq = service.owned_rfq(session, principal, rfq_id, or_admin=True)
    ranked = matching.ranked_matches(supplier_index(), rfq, include_partial=query["include_partial"])
    start = page_position(query.get("cursor"))
    end = start + query["page_size"]
    return {"total": len(ranked), "items": ranked[start:end],
            "next_cursor": next_page(encode_cursor([end]) if end < len(ranked) else None)}


@blp.route("/<rfq_id>/invitations")
class Invitations(MethodView):
    @blp.response(200, InvitationListSchema)
    def get(self, rfq_id):
        """Invitations (the buyer and admins: all; an invited supplier: its own)"""
        principal = auth.require()
        session = transaction.session()
        rfq = service.visible_rfq(session, principal, rfq_id)
        supplier = service.supplier_of(session, principal)
        items = [i for i in rfq.invitations if supplier is None or i.supplier_id == supplier.id]
        return {"items": items}

    @idempotent
    @blp.arguments(InviteSchema)
    @blp.response(201, InvitationListSchema)
    def post(self, body, rfq_id):
        """Invite suppliers (by id, e.g. from the matches) to a published RFQ (its buyer)"""
        principal = auth.require("buyer")
        session = transaction.session()
        rfq = service.owned_rfq(session, principal, rfq_id)
        return {"items": service.invite(session, rfq, body["supplier_ids"], principal)}


@blp.route("/<rfq_id>/decline", methods=["POST"])
@blp.arguments(DeclineSchema)
@blp.response(200, InvitationSchema)
def decline(body, rfq_id):
    """Decline an invitation, with a reason (the invited supplier)"""
    principal = auth.require("supplier")
    session = transaction.session()
    rfq = service.visible_rfq(session, principal, rfq_id)
    return service.decline(session, rfq, service.supplier_of(session, principal), body["reason"],
                           body.get("comment"), principal)


@blp.route("/<rfq_id>/quotes")
class Quotes(MethodView):
    @blp.arguments(QuoteListQuerySchema, location="query")
    @blp.response(200, QuoteListSchema)
    def get(self, query, rfq_id):
        """Quotes: the buyer compares them (sealed RFQs: once closed); a supplier sees only its own"""
        principal = auth.require()
        session = transaction.session()
        rfq = service.visible_rfq(session, principal, rfq_id)
        return {"items": quotes.visible_quotes(session, rfq, principal, query["sort"])}

    @idempotent
    @blp.etag
    @blp.arguments(QuoteWriteSchema)
    @blp.response(201, QuoteSchema)
    def post(self, body, rfq_id):
        """Submit a quote (an invited, or for public RFQs matching, supplier), before the deadline"""
        principal = auth.require("supplier")
        session = transaction.session()
        rfq = service.visible_rfq(session, principal, rfq_id)
        quote = quotes.submit(session, rfq, quotes.quoting_supplier(session, rfq, principal), body, principal)
        blp.set_etag(quote, QuoteSchema)
        return quote, {"Location": f"{blp.url_prefix}/{rfq.id}/quotes/{quote.id}"}


@blp.route("/<rfq_id>/quotes/<quote_id>")
class QuoteResource(MethodView):
    @blp.etag
    @blp.response(200, QuoteSchema)
    def get(self, rfq_id, quote_id):
        """A quote (its supplier; the buyer, once a sealed RFQ is closed)"""
        principal = auth.require()
        session = transaction.session()
        quote = quotes.visible_quote(session, service.visible_rfq(session, principal, rfq_id), principal, quote_id)
        blp.set_etag(quote, QuoteSchema)
        return quote

    @blp.etag
    @blp.arguments(QuoteWriteSchema)
    @blp.response(200, QuoteSchema)
    def put(self, body, rfq_id, quote_id):
        """Revise a live quote before the deadline (its supplier; If-Match required)"""
        principal = auth.require("supplier")
        session = transaction.session()
        rfq = service.visible_rfq(session, principal, rfq_id)
        quote = quotes.own_quote(session, rfq, principal, quote_id)
        blp.check_etag(quote, QuoteSchema)
        quote = quotes.revise(session, rfq, quote, body, principal)
        blp.set_etag(quote, QuoteSchema)
        return quote


@blp.route("/<rfq_id>/quotes/<quote_id>/withdraw", methods=["POST"])
@blp.response(200, QuoteSchema)
def withdraw(rfq_id, quote_id):
    """Withdraw a live quote before the deadline (its supplier)"""
    principal = auth.require("supplier")
    session = transaction.session()
    rfq = service.visible_rfq(session, principal, rfq_id)
    return quotes.withdraw(session, rfq, quotes.own_quote(session, rfq, principal, quote_id), principal)
