"""Fan-out: each new event becomes a delivery for every enabled webhook that may see it.

The events table is the queue (`fanned_out_at` is null until done), claimed with FOR UPDATE
SKIP LOCKED, rather than a cursor over event ids: ids are given when a transaction writes
its event, not when it commits, so a cursor would have to hold back the last second as the
change feed does (SETTLE), and add that second to every delivery. A queue takes each event
as soon as it is committed, whatever its id.

Who may see an event is the change feed's rule (`visible_to`): an organisation's webhook gets
what that organisation reads in GET /api/v1/events, the operators' own (no organisation) get
everything, as admins do there. A webhook gets the events that happen after it was created.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from schemas.rfqs import EventSchema

from ..db import utc_now
from ..events.feed import visible_to
from ..models import Event, WebhookDelivery, WebhookSubscription
from .catalog import wanted

BATCH_SIZE = 500
EVENT_SCHEMA = EventSchema()


def fan_out(session: Session) -> int:
    """Worker job: turn a batch of new events into deliveries; how many events it took."""
    events = {event.id: event for event in session.scalars(
        select(Event).where(Event.fanned_out_at.is_(None)).order_by(Event.id).limit(BATCH_SIZE)
        .with_for_update(skip_locked=True))}
    if not events:
        return 0
    audience = or_(WebhookSubscription.organisation_id.is_(None), visible_to(WebhookSubscription.organisation_id))
    pairs = session.execute(select(Event.id, WebhookSubscription).where(
        Event.id.in_(events), WebhookSubscription.enabled.is_(True),
        Event.occurred_at >= WebhookSubscription.created_at, audience))
    session.add_all(delivery(subscription, events[event_id]) for event_id, subscription in pairs
                    if wanted(subscription.event_types, events[event_id].type))
    session.execute(update(Event).where(Event.id.in_(events)).values(fanned_out_at=utc_now())
                    .execution_options(synchronize_session=False))
    return len(events)


def delivery(subscription: WebhookSubscription, event: Event) -> WebhookDelivery:
    return WebhookDelivery(subscription_id=subscription.id, event_id=event.id, message_id=str(event.id),
                           event_type=event.type, payload=message(event.type, event.occurred_at,
                                                                  EVENT_SCHEMA.dump(event)))


def message(event_type: str, at, data: dict) -> dict:
    """The Standard Webhooks body: `data` is the event as the change feed shows it."""
    return {"type": event_type, "timestamp": at.isoformat().replace("+00:00", "Z"), "data": data}
