"""Keeping the delivery log bounded: the worker's job that forgets old finished deliveries.

Every event makes one delivery per endpoint, each with its attempts: without a limit the log
grows for ever. A delivery that has succeeded or failed is kept WEBHOOK_DELIVERY_RETENTION_DAYS
after it was made (30 by default, long enough to retry a failure by hand after an outage);
pending ones are never removed. Rows go in batches, so one pass never holds a long lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db import utc_now
from ..models import WebhookAttempt, WebhookDelivery

BATCH = 1000


def purge_job(retention_days: int) -> Callable[[Session], int]:
    """The worker job deleting finished deliveries older than `retention_days`, BATCH at a time."""

    def purge_old_webhook_deliveries(session: Session) -> int:
        cutoff = utc_now() - timedelta(days=retention_days)
        ids = session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.state != "pending", WebhookDelivery.created_at < cutoff)
            .order_by(WebhookDelivery.id).limit(BATCH)).all()
        if not ids:
            return 0
        # Attempts first: the same statements on every database, whatever it does with ON DELETE.
        session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)))
        return session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(ids))).rowcount

    return purge_old_webhook_deliveries
