"""RFQ lifecycle, who may see what, and invitations.

States: draft → published → closed → awarded; cancelled from any state before
awarded. A published RFQ is closed from the moment its response deadline
passes: every read derives it (Rfq.current_state) and the worker records it
(close_overdue); a change of state records a passed deadline first, so the
events keep their order.
"""

from __future__ import annotations

from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import places
from ..db import utc_now
from ..events.log import record
from ..exceptions import Conflict, Forbidden, NotFound
from ..models import Invitation, Quote, Rfq, Supplier
from ..principal import Principal
from ..reference import catalog
from ..suppliers.service import load_options
from .eligibility import qualifies

# action: (states it is allowed from, state it leads to)
TRANSITIONS = {
    "publish": (("draft",), "published"),
    "close": (("published",), "closed"),
    "cancel": (("draft", "published", "closed"), "cancelled"),
    "award": (("closed",), "awarded"),
}
EDITABLE_FIELDS = ("title", "description", "required_capabilities", "required_certifications", "quantity",
                   "unit", "delivery_place", "max_distance_km", "response_deadline", "needed_by",
                   "visibility", "sealed", "budget", "budget_visible", "currency")


def allowed_actions(rfq: Rfq) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if rfq.current_state in sources]


def supplier_of(session: Session, principal: Principal) -> Supplier | None:
    """The caller's own supplier profile (with what eligibility reads), if the caller is a supplier."""
    if principal.role != "supplier":
        return None
    return session.scalar(select(Supplier).where(Supplier.organisation_id == principal.organisation_id)
                          .options(*load_options()))


# --- reading -----------------------------------------------------------------------


def is_invited(rfq: Rfq, supplier: Supplier) -> bool:
    return any(invitation.supplier_id == supplier.id for invitation in rfq.invitations)


def supplier_can_see(rfq: Rfq, supplier: Supplier | None, *, invited: bool | None = None) -> bool:
    """Invited suppliers see an RFQ once published; for a public one, so does every supplier
    that qualifies (from its stored profile: the index ranks, it does not authorize)."""
    if supplier is None or rfq.state == "draft":
        return False
    if invited is None:
        invited = is_invited(rfq, supplier)
    return invited or (rfq.visibility == "public" and qualifies(rfq, supplier))


def can_see(session: Session, principal: Principal, rfq: Rfq) -> bool:
    if principal.is_admin or principal.belongs_to(rfq.buyer_organisation_id):
        return True
    return supplier_can_see(rfq, supplier_of(session, principal))


def visible_rfq(session: Session, principal: Principal, rfq_id: str) -> Rfq:
    """The RFQ if the caller may see it; NotFound otherwise, so existence is not revealed."""
    principal.require()
    rfq = session.get(Rfq, rfq_id)
    if rfq is None or not can_see(session, principal, rfq):
        raise NotFound(f"No RFQ {rfq_id}.")
    return rfq


def owned_rfq(session: Session, principal: Principal, rfq_id: str, *, or_admin: bool = False) -> Rfq:
    """The RFQ if the caller is its buyer, or an admin when `or_admin` (404 if invisible,
    403 if only visible)."""
    rfq = visible_rfq(session, principal, rfq_id)
    if not (principal.belongs_to(rfq.buyer_organisation_id) or (or_admin and principal.is_admin)):
        raise Forbidden("Only the buyer who issued this RFQ may do this.")
    return rfq


def list_rfqs(session: Session, principal: Principal, *, state: str | None,
              after: str | None, limit: int) -> list[Rfq]:
    principal.require()
    query = select(Rfq).order_by(Rfq.id)
    if state:
        query = query.where(Rfq.current_state == state)
    if after:
        query = query.where(Rfq.id > after)
    if principal.is_admin:
        return list(session.scalars(query.limit(limit)))
    if principal.role == "buyer":
        return list(session.scalars(query.where(Rfq.buyer_organisation_id == principal.organisation_id)
                                    .limit(limit)))
    supplier = supplier_of(session, principal)
    if supplier is None:
        return []
    # Invited RFQs, plus public ones this supplier qualifies for: three queries in all.
    invited = set(session.scalars(select(Invitation.rfq_id).where(Invitation.supplier_id == supplier.id)))
    candidates = session.scalars(query.where(Rfq.state != "draft", or_(
        Rfq.id.in_(invited), Rfq.visibility == "public")))
    visible = []
    for rfq in candidates:
        if supplier_can_see(rfq, supplier, invited=rfq.id in invited):
            visible.append(rfq)
            if len(visible) == limit:
                break
    return visible


# --- writing -----------------------------------------------------------------------


def _check_codes(data: dict) -> None:
    errors = {}
    for field, lookup in (("required_capabilities", catalog.capability),
                          ("required_certifications", catalog.certification_type)):
        bad = {i: ["Unknown code."] for i, code in enumerate(data.get(field) or []) if lookup(code) is None}
        if bad:
            errors[field] = bad
    if errors:
        raise ValidationError(errors)


def _apply(rfq: Rfq, data: dict) -> None:
    _check_codes(data)
    if "near" in data:
        place = places.resolve_near(data["near"])
        if place is None:
            raise ValidationError("Unknown place: give a French city or postal code, or coordinates.", "near")
        rfq.delivery_latitude, rfq.delivery_longitude = place.latitude, place.longitude
        rfq.delivery_place = data.get("delivery_place") or f"{place.name} ({place.postal_code})"
    if "delivery_lat" in data:
        rfq.delivery_latitude, rfq.delivery_longitude = data["delivery_lat"], data["delivery_lon"]
    for name in EDITABLE_FIELDS:
        if name in data and not (name == "delivery_place" and "near" in data):
            setattr(rfq, name, data[name])
    if rfq.response_deadline.date() > rfq.needed_by:
        raise ValidationError("The response deadline must come before the needed-by date.",
                              "response_deadline")


def create_rfq(session: Session, data: dict, principal: Principal) -> Rfq:
    rfq = Rfq(buyer_organisation_id=principal.organisation_id, state="draft")
    _apply(rfq, data)
    session.add(rfq)
    session.flush()
    record(session, "rfq.created", "rfq", rfq.id, principal=principal, data=_summary(rfq),
           recipients=[rfq.buyer_organisation_id])
    return rfq


def update_rfq(session: Session, rfq: Rfq, data: dict, principal: Principal) -> Rfq:
    if rfq.state != "draft":
        raise Conflict(f"Only a draft can be edited; this RFQ is {rfq.current_state}. Cancel it and "
                       "issue a new one to change its terms.", allowed_actions=allowed_actions(rfq))
    _apply(rfq, data)
    rfq.updated_at = utc_now()
    session.flush()
    record(session, "rfq.updated", "rfq", rfq.id, principal=principal, data=_summary(rfq),
           recipients=[rfq.buyer_organisation_id])
    return rfq


def perform(session: Session, rfq: Rfq, action: str, principal: Principal, *,
            quote_id: str | None = None) -> Rfq:
    record_deadline(session, rfq)
    sources, target = TRANSITIONS[action]
    if rfq.state not in sources:
        raise Conflict(f"Cannot {action} an RFQ that is {rfq.state}: {action} is allowed from "
                       f"{' or '.join(sources)}.", allowed_actions=allowed_actions(rfq))
    if action == "publish" and rfq.response_deadline <= utc_now():
        raise Conflict("The response deadline has passed: set a later one before publishing.",
                       allowed_actions=allowed_actions(rfq))
    if action == "award":
        _award_quote(rfq, quote_id)
    if action == "cancel":
        for quote in rfq.quotes:  # nothing will be awarded: live quotes are settled now
            if quote.state == "submitted":
                quote.state = "not_awarded"
    _move(session, rfq, target, principal)
    return rfq


def record_deadline(session: Session, rfq: Rfq) -> bool:
    """Record the closing of a published RFQ whose deadline passed (by the system, at the
    deadline); False if there was nothing to record."""
    if not rfq.overdue:
        return False
    _move(session, rfq, "closed", principal=None, at=rfq.response_deadline)
    return True


def close_overdue(session: Session, *, batch: int = 100) -> int:
    """The worker's job: record as closed the published RFQs whose deadline passed.

    Rows are claimed with SKIP LOCKED, so several workers never close the same RFQ twice."""
    overdue = session.scalars(select(Rfq).where(Rfq.state == "published", Rfq.response_deadline <= utc_now())
                              .order_by(Rfq.response_deadline).limit(batch)
                              .with_for_update(skip_locked=True)).all()
    return sum(record_deadline(session, rfq) for rfq in overdue)


def _award_quote(rfq: Rfq, quote_id: str | None) -> None:
    winner = next((q for q in rfq.quotes if q.id == quote_id), None)
    if winner is None or winner.state != "submitted":
        raise ValidationError("Not a live quote of this RFQ.", "quote_id")
    for quote in rfq.quotes:
        if quote.state == "submitted":
            quote.state = "awarded" if quote is winner else "not_awarded"
    rfq.awarded_quote_id = winner.id


def _move(session: Session, rfq: Rfq, state: str, principal: Principal | None, *,
          at: datetime | None = None) -> None:
    now = at or utc_now()
    rfq.state, rfq.updated_at = state, utc_now()
    if state == "published":
        rfq.published_at = now
    if state == "closed":
        rfq.closed_at = now
    session.flush()
    event_type = {"published": "rfq.published", "closed": "rfq.closed", "cancelled": "rfq.cancelled",
                  "awarded": "rfq.awarded"}[state]
    data = _summary(rfq)
    if state == "awarded":
        data["awarded_quote_id"] = rfq.awarded_quote_id
    # Even a public RFQ's events go to its participants only: the suppliers that match it
    # cannot be listed when the event is written, and nobody else may see it.
    record(session, event_type, "rfq", rfq.id, principal=principal, data=data,
           recipients=participants(session, rfq))


def participants(session: Session, rfq: Rfq) -> list[str]:
    """Organisations concerned by an RFQ: its buyer, invited suppliers, quoting suppliers."""
    supplier_ids = {i.supplier_id for i in rfq.invitations} | {q.supplier_id for q in rfq.quotes}
    organisations = session.scalars(select(Supplier.organisation_id).where(Supplier.id.in_(supplier_ids)))
    return [rfq.buyer_organisation_id, *organisations]


def _summary(rfq: Rfq) -> dict:
    return {"rfq_id": rfq.id, "state": rfq.state, "title": rfq.title}


# --- invitations ---------------------------------------------------------------------


def invite(session: Session, rfq: Rfq, supplier_ids: list[str], principal: Principal) -> list[Invitation]:
    if rfq.current_state != "published":
        raise Conflict(f"Suppliers are invited to a published RFQ; this one is {rfq.current_state}.",
                       allowed_actions=allowed_actions(rfq))
    found = {s.id: s for s in session.scalars(select(Supplier).where(Supplier.id.in_(supplier_ids)))}
    unknown = {i: ["No such supplier."] for i, sid in enumerate(supplier_ids) if sid not in found}
    if unknown:
        raise ValidationError({"supplier_ids": unknown})
    already = {i.supplier_id for i in rfq.invitations}
    created = []
    for supplier_id in dict.fromkeys(supplier_ids):
        if supplier_id in already:
            continue
        invitation = Invitation(rfq=rfq, supplier_id=supplier_id)
        session.add(invitation)
        session.flush()
        record(session, "invitation.sent", "invitation", invitation.id, principal=principal,
               data={"rfq_id": rfq.id, "supplier_id": supplier_id, "title": rfq.title},
               recipients=[rfq.buyer_organisation_id, found[supplier_id].organisation_id])
        created.append(invitation)
    return created


def decline(session: Session, rfq: Rfq, supplier: Supplier, reason: str, comment: str | None,
            principal: Principal) -> Invitation:
    invitation = next((i for i in rfq.invitations if i.supplier_id == supplier.id), None)
    if invitation is None:
        raise Forbidden("Only an invited supplier can decline an RFQ.")
    if invitation.state == "declined":
        raise Conflict("This invitation was already declined.")
    if rfq.current_state not in ("published", "closed"):
        raise Conflict(f"This RFQ is {rfq.current_state}: there is nothing left to decline.")
    quote = live_quote_of(rfq, supplier)
    if quote is not None and quote.state == "submitted":
        # Declining means not quoting: a live quote would stay revisable and could still be awarded.
        raise Conflict(f"This supplier has a live quote on this RFQ: withdraw it first "
                       f"(POST …/quotes/{quote.id}/withdraw).")
    invitation.state, invitation.declined_at = "declined", utc_now()
    invitation.decline_reason, invitation.decline_comment = reason, comment
    record(session, "invitation.declined", "invitation", invitation.id, principal=principal,
           data={"rfq_id": rfq.id, "supplier_id": supplier.id, "reason": reason},
           recipients=[rfq.buyer_organisation_id, supplier.organisation_id])
    return invitation


def budget_shown_to(rfq: Rfq, principal: Principal):
    """The budget is the buyer's (and the operators'): suppliers see it only when shared."""
    if rfq.budget_visible or principal.is_admin or principal.belongs_to(rfq.buyer_organisation_id):
        return rfq.budget
    return None


def quotes_hidden_from_buyer(rfq: Rfq) -> bool:
    """A sealed RFQ shows its quotes once it has closed, and never when it was cancelled
    before closing (else cancel, read the prices, reissue would open any sealed RFQ)."""
    never_closed = rfq.current_closed_at is None
    return rfq.sealed and (rfq.current_state in ("draft", "published")
                           or (rfq.current_state == "cancelled" and never_closed))


def live_quote_of(rfq: Rfq, supplier: Supplier) -> Quote | None:
    return next((q for q in rfq.quotes if q.supplier_id == supplier.id), None)
