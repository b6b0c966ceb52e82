"""The rules of webhooks: who may manage which, valid targets and event types, and the
actions on them (rotate the secret, send a test, retry a delivery).

An organisation manages its own webhooks; admins manage every one, and may create them for
any organisation, or for the operators themselves (no organisation: every event). Existence
is not revealed to anybody else: another organisation's webhook is not found.
"""

from __future__ import annotations

import uuid

import marshmallow as ma
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..db import utc_now
from ..exceptions import Conflict, Forbidden, NotFound
from ..models import Organisation, WebhookDelivery, WebhookSubscription
from ..principal import Principal
from . import catalog
from .delivery import SECRET_OVERLAP
from .fanout import message
from .signing import new_secret
from .targets import TargetRefused, check_url

TEST_MESSAGE = "This is a test message from Proxisource: your endpoint is reachable."


def create(session: Session, principal: Principal, data: dict, *, allow_private: bool) -> WebhookSubscription:
    principal.require()
    owner = _owner(session, principal, data.get("organisation_id", principal.organisation_id))
    subscription = WebhookSubscription(
        organisation_id=owner, url=_checked_url(data["url"], allow_private),
        event_types=_checked_event_types(data.get("event_types")), description=data.get("description", ""),
        secret=new_secret())
    session.add(subscription)
    session.flush()
    return subscription


def listed(session: Session, principal: Principal, organisation_id: str | None = None) -> list[WebhookSubscription]:
    """The caller's webhooks, oldest first (an admin's: every one, or one organisation's)."""
    principal.require()
    query = select(WebhookSubscription).order_by(WebhookSubscription.created_at, WebhookSubscription.id)
    if not principal.is_admin:
        query = query.where(WebhookSubscription.organisation_id == principal.organisation_id)
    elif organisation_id is not None:
        query = query.where(WebhookSubscription.organisation_id == organisation_id)
    return list(session.scalars(query))


def get(session: Session, principal: Principal, webhook_id: str) -> WebhookSubscription:
    principal.require()
    subscription = session.get(WebhookSubscription, webhook_id)
    if subscription is None or not (principal.is_admin or principal.belongs_to(subscription.organisation_id)):
        raise NotFound("No such webhook.")
    return subscription


def update(session: Session, subscription: WebhookSubscription, data: dict, *,
           allow_private: bool) -> WebhookSubscription:
    if "url" in data:
        subscription.url = _checked_url(data["url"], allow_private)
    if "event_types" in data:
        subscription.event_types = _checked_event_types(data["event_types"])
    if "description" in data:
        subscription.description = data["description"]
    if data.get("enabled") is True and not subscription.enabled:
        # A fresh start: deliveries left pending resume, and the failing streak restarts.
        subscription.enabled, subscription.disabled_at, subscription.disabled_reason = True, None, None
        subscription.failing_since = None
    elif data.get("enabled") is False:
        subscription.enabled = False
    subscription.updated_at = utc_now()
    session.flush()
    return subscription


def delete(session: Session, subscription: WebhookSubscription) -> None:
    """Delete the webhook and its deliveries (an attempt in flight is not recorded)."""
    session.delete(subscription)
    session.flush()


def rotate_secret(session: Session, subscription: WebhookSubscription) -> WebhookSubscription:
    """A new secret; the current one keeps signing alongside it for SECRET_OVERLAP (only the
    latest previous secret is kept: a second rotation within it retires the first secret)."""
    now = utc_now()
    subscription.previous_secret, subscription.previous_secret_expires_at = subscription.secret, now + SECRET_OVERLAP
    subscription.secret, subscription.updated_at = new_secret(), now
    session.flush()
    return subscription


def send_test(session: Session, subscription: WebhookSubscription) -> WebhookDelivery:
    """A `webhook.test` delivery, due now (the worker posts it)."""
    _require_enabled(subscription, "send a test")
    delivery = WebhookDelivery(
        subscription_id=subscription.id, message_id=f"test_{uuid.uuid4().hex}", event_type=catalog.TEST.name,
        payload=message(catalog.TEST.name, utc_now(), {"webhook_id": subscription.id, "message": TEST_MESSAGE}))
    session.add(delivery)
    session.flush()
    return delivery


def deliveries(session: Session, subscription: WebhookSubscription, *, state: str | None, before_id: int | None,
               limit: int) -> list[WebhookDelivery]:
    """The webhook's deliveries, newest first, with their attempts."""
    query = (select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
             .order_by(WebhookDelivery.id.desc()).limit(limit).options(selectinload(WebhookDelivery.attempts)))
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    if before_id is not None:
        query = query.where(WebhookDelivery.id < before_id)
    return list(session.scalars(query))


def retry(session: Session, subscription: WebhookSubscription, delivery_id: int) -> WebhookDelivery:
    """One more attempt, now, whatever the delivery's state (the same webhook-id, so a
    receiver that had it already can tell); if it fails, the schedule goes on only if
    attempts remain in it, else the delivery is failed again."""
    delivery = session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.subscription_id == subscription.id))
    if delivery is None:
        raise NotFound("No such delivery of this webhook.")
    _require_enabled(subscription, "retry a delivery")
    delivery.state, delivery.next_attempt_at = "pending", utc_now()
    session.flush()
    return delivery


def _owner(session: Session, principal: Principal, organisation_id: str | None) -> str | None:
    if principal.is_admin:
        if organisation_id is not None and session.get(Organisation, organisation_id) is None:
            raise ma.ValidationError({"organisation_id": ["No such organisation."]})
        return organisation_id
    if organisation_id != principal.organisation_id:
        raise Forbidden("An organisation creates webhooks for itself only.")
    return organisation_id


def _checked_url(url: str, allow_private: bool) -> str:
    try:
        check_url(url, allow_private=allow_private)
    except TargetRefused as refused:
        raise ma.ValidationError({"url": [str(refused)]}) from None
    return url


def _checked_event_types(patterns: list[str] | None) -> list[str]:
    if not patterns:
        return [catalog.WILDCARD]
    unknown = catalog.unknown_patterns(patterns)
    if unknown:
        raise ma.ValidationError({"event_types": [
            f"{', '.join(unknown)}: no such event type; use a type, 'group.*' or '*' "
            f"(types: {', '.join(catalog.EVENT_TYPES)})."]})
    return sorted(set(patterns), key=patterns.index)


def _require_enabled(subscription: WebhookSubscription, action: str) -> None:
    if not subscription.enabled:
        raise Conflict(f"This webhook is disabled; enable it (PATCH enabled=true) to {action}.",
                       allowed_actions=["enable"])
