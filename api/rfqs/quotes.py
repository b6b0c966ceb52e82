"""Quotes: one live quote per supplier and RFQ, revisable and withdrawable until the deadline.

Suppliers never see each other's quotes; a sealed RFQ hides them from its
buyer (and from admins) until it is closed.
"""

from __future__ import annotations

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from ..db import utc_now
from ..events.log import record
from ..exceptions import Conflict, Forbidden, NotFound
from ..models import Quote, Rfq, Supplier
from ..principal import Principal
from . import service

SORT_KEYS = {"total_price": lambda q: (q.total_price, q.lead_time_days, q.id),
             "lead_time": lambda q: (q.lead_time_days, q.total_price, q.id)}


def quoting_supplier(session: Session, rfq: Rfq, principal: Principal) -> Supplier:
    """The caller's supplier profile, if it may quote on this RFQ."""
    supplier = service.supplier_of(session, principal)
    if supplier is None:
        raise Forbidden("Only suppliers quote.")
    invitation = next((i for i in rfq.invitations if i.supplier_id == supplier.id), None)
    if invitation is not None and invitation.state == "declined":
        raise Conflict("This supplier declined the invitation to this RFQ.")
    if invitation is None and not service.supplier_can_see(rfq, supplier, invited=False):
        raise Forbidden("Only invited suppliers (or, for a public RFQ, matching ones) may quote.")
    return supplier


def _check_currency(rfq: Rfq, data: dict) -> None:
    # Quotes are compared by total price: they must all be in the RFQ's currency.
    if data["currency"] != rfq.currency:
        raise ValidationError(f"Quote in the RFQ's currency, {rfq.currency}.", "currency")


def _check_terms(rfq: Rfq, data: dict) -> None:
    _check_currency(rfq, data)
    # Quotes are ranked by total price: a quote for part of the quantity would look cheapest.
    if data["quantity"] != rfq.quantity:
        raise ValidationError(f"Quote for the RFQ's quantity, {rfq.quantity.normalize():f} {rfq.unit}.",
                              "quantity")
    if data["valid_until"] < utc_now().date():
        raise ValidationError("The quote's validity date has passed.", "valid_until")


def _check_open(rfq: Rfq) -> None:
    if rfq.current_state != "published":
        raise Conflict(f"Quotes are accepted until the response deadline "
                       f"({rfq.response_deadline.isoformat()}) while the RFQ is published; "
                       f"it is {rfq.current_state}.")


def submit(session: Session, rfq: Rfq, supplier: Supplier, data: dict, principal: Principal) -> Quote:
    _check_open(rfq)
    _check_terms(rfq, data)
    quote = service.live_quote_of(rfq, supplier)
    if quote is not None and quote.state == "submitted":
        raise Conflict("This supplier already has a live quote on this RFQ: revise it "
                       f"(PUT …/quotes/{quote.id}) or withdraw it first.")
    if quote is None:
        quote = Quote(rfq=rfq, supplier_id=supplier.id, **data)
        session.add(quote)
    else:  # a withdrawn quote comes back to life, revised
        _set(quote, data)
        quote.state = "submitted"
    session.flush()
    _record(session, "quote.submitted", rfq, quote, supplier, principal)
    return quote


def revise(session: Session, rfq: Rfq, quote: Quote, data: dict, principal: Principal) -> Quote:
    _check_open(rfq)
    _check_terms(rfq, data)
    if quote.state != "submitted":
        raise Conflict(f"Only a live quote can be revised; this one is {quote.state}.")
    _set(quote, data)
    session.flush()
    _record(session, "quote.revised", rfq, quote, quote_supplier(session, quote), principal)
    return quote


def withdraw(session: Session, rfq: Rfq, quote: Quote, principal: Principal) -> Quote:
    _check_open(rfq)
    if quote.state != "submitted":
        raise Conflict(f"Only a live quote can be withdrawn; this one is {quote.state}.")
    quote.state, quote.updated_at = "withdrawn", utc_now()
    session.flush()
    _record(session, "quote.withdrawn", rfq, quote, quote_supplier(session, quote), principal)
    return quote


def _set(quote: Quote, data: dict) -> None:
    for name, value in data.items():
        setattr(quote, name, value)
    quote.updated_at = utc_now()


def quote_supplier(session: Session, quote: Quote) -> Supplier:
    return session.get(Supplier, quote.supplier_id)


def _record(session: Session, event_type: str, rfq: Rfq, quote: Quote, supplier: Supplier,
            principal: Principal) -> None:
    # No prices in events: the feed must not leak what a sealed RFQ hides.
    record(session, event_type, "quote", quote.id, principal=principal,
           data={"rfq_id": rfq.id, "quote_id": quote.id, "supplier_id": supplier.id},
           recipients=[rfq.buyer_organisation_id, supplier.organisation_id])


def visible_quotes(session: Session, rfq: Rfq, principal: Principal, sort: str) -> list[Quote]:
    supplier = service.supplier_of(session, principal)
    if supplier is not None:
        return [q for q in rfq.quotes if q.supplier_id == supplier.id]
    if not (principal.is_admin or principal.belongs_to(rfq.buyer_organisation_id)):
        raise Forbidden("Quotes are shown to the RFQ's buyer and to each quoting supplier (its own).")
    if service.quotes_hidden_from_buyer(rfq):
        raise Forbidden("This RFQ is sealed: its quotes are shown once it is closed.")
    return sorted((q for q in rfq.quotes if q.state != "withdrawn"), key=SORT_KEYS[sort])


def visible_quote(session: Session, rfq: Rfq, principal: Principal, quote_id: str) -> Quote:
    quote = next((q for q in visible_quotes(session, rfq, principal, "total_price") if q.id == quote_id), None)
    if quote is None:
        raise NotFound(f"No quote {quote_id} on this RFQ.")
    return quote


def own_quote(session: Session, rfq: Rfq, principal: Principal, quote_id: str) -> Quote:
    """A quote the caller (its supplier) may change."""
    supplier = service.supplier_of(session, principal)
    quote = next((q for q in rfq.quotes if q.id == quote_id), None)
    if quote is None or supplier is None or quote.supplier_id != supplier.id:
        raise NotFound(f"No quote {quote_id} of yours on this RFQ.")
    return quote
