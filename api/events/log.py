"""Appending to the event log, in the transaction of the change it records."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from ..models import Event, EventRecipient
from ..principal import Principal


def actor_of(principal: Principal | None) -> dict:
    """The columns naming who did something (None: the system, e.g. a deadline passing)."""
    if principal is None:
        return {"actor_key_id": None, "actor_role": "system", "actor_organisation_id": None}
    return {"actor_key_id": principal.key_id, "actor_role": principal.role,
            "actor_organisation_id": principal.organisation_id}


def record(session: Session, event_type: str, entity_type: str, entity_id: str, *,
           principal: Principal | None, data: dict, public: bool = False,
           recipients: Iterable[str | None] = ()) -> Event:
    """Append an event; only `recipients` (organisation ids) and admins see it unless `public`."""
    event = Event(type=event_type, entity_type=entity_type, entity_id=entity_id, data=data,
                  public=public, **actor_of(principal))
    event.recipients = [EventRecipient(organisation_id=org) for org in sorted({r for r in recipients if r})]
    session.add(event)
    return event
