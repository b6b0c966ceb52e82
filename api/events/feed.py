"""Reading the event log as a change feed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from ..db import utc_now
from ..models import Event, EventRecipient
from ..principal import Principal

# Ids are given when a transaction writes its event, not when it commits, so a
# slow transaction can commit an id lower than one already visible. Holding back
# the last second of events lets such stragglers land before a reader passes them.
SETTLE = timedelta(seconds=1)


def events_after(session: Session, principal: Principal, after_id: int, limit: int, *,
                 settle: timedelta | None = None) -> list[Event]:
    """The events after `after_id` that the principal may see, oldest first (none of the
    last `settle`, SETTLE by default)."""
    principal.require()
    settle = SETTLE if settle is None else settle
    query = (select(Event).where(Event.id > after_id, Event.occurred_at <= utc_now() - settle)
             .order_by(Event.id).limit(limit).options(selectinload(Event.recipients)))
    if not principal.is_admin:
        query = query.where(visible_to(principal.organisation_id))
    return list(session.scalars(query))


def visible_to(organisation_id: str | ColumnElement) -> ColumnElement[bool]:
    """Whether an organisation may see an event: public ones and those addressed to it (admins
    see all). `organisation_id` may be a column, to ask for many organisations in one query."""
    addressed = exists().where(EventRecipient.event_id == Event.id,
                               EventRecipient.organisation_id == organisation_id)
    return or_(Event.public.is_(True), addressed)
