"""Delivering: the worker's job that posts due deliveries, retries them, and disables
endpoints that keep failing.

The job (`Dispatcher`, run by the worker each tick) claims due deliveries fairly — each
endpoint's soonest first, round-robin across endpoints — leases them and hands each one to
a lane: a thread that posts it, records what happened and leases that endpoint's next due
delivery in the same transaction, up to CHAIN of them, so an endpoint's backlog drains
without waiting for ticks. At most CONCURRENCY posts are in flight per worker process, at
most PER_ENDPOINT of them to one endpoint, so a slow or dead receiver holds its few lanes
for the timeout while every other endpoint's lanes go on; while all lanes are busy the job
waits for one to free up. Nothing posts inside an API request.

Claims use FOR UPDATE SKIP LOCKED and a lease (`leased_until`), so workers in several
processes never post the same attempt twice; a worker that dies leaves leases that expire.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import orjson
from flask import Flask
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..db import unit_of_work, utc_now
from ..events.log import record
from ..models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from .sender import USER_AGENT, Outcome, Sender
from .signing import signature_header
from .targets import TargetRefused, check_url

TIMEOUT_SECONDS = 10.0
CONCURRENCY = 32  # posts in flight per worker process…
PER_ENDPOINT = 4  # …of which to one endpoint
LEASE = timedelta(seconds=60)  # outlives any attempt (the timeout, DNS, recording it)
JITTER = 0.2  # each wait of the schedule is stretched or shrunk by up to 20%
DISABLE_AFTER = timedelta(days=5)
SECRET_OVERLAP = timedelta(hours=24)  # a rotated-out secret keeps signing this long
DATABASE_CONCURRENCY = 8  # transactions at once (PostgreSQL), well within the engine's pool
BUSY_RETRIES = 4  # a transaction the database refused as busy (SQLite) or deadlocked is tried again
SPARE_CANDIDATES = 16  # claimed candidates beyond the limit, for those other workers hold
FULL_WAIT = 1.0  # seconds the job waits for a free lane when all are busy
CHAIN = 20  # deliveries a lane posts to one endpoint before it is free for another's turn

log = logging.getLogger("proxisource.webhooks")
T = TypeVar("T")


@dataclass(frozen=True)
class Outgoing:
    """What a lane needs to post one attempt, read in the claiming transaction."""

    delivery_id: int
    subscription_id: str
    attempt: int  # attempts made before this one: the lease's token
    url: str
    message_id: str
    body: bytes
    secrets: list[str]
    failing_since: datetime | None  # the endpoint's failing streak, as of the claim


def active_secrets(subscription: WebhookSubscription, now: datetime) -> list[str]:
    keep_previous = (subscription.previous_secret and subscription.previous_secret_expires_at
                     and subscription.previous_secret_expires_at > now)
    return [subscription.secret, *([subscription.previous_secret] if keep_previous else [])]


def claim(session: Session, now: datetime, limit: int, per_endpoint: int,
          in_flight: Mapping[str, int] | None = None) -> list[Outgoing]:
    """Lease up to `limit` due deliveries of enabled webhooks, round-robin across endpoints
    (each one's soonest first), so that no endpoint has more than `per_endpoint` in flight
    (`in_flight`: how many each already has, by subscription id)."""
    in_flight = in_flight or {}
    due = _due(now)
    rank = func.row_number().over(partition_by=WebhookDelivery.subscription_id,
                                  order_by=(WebhookDelivery.next_attempt_at, WebhookDelivery.id)).label("rank")
    ranked = (select(WebhookDelivery.id, WebhookDelivery.subscription_id, rank).join(WebhookSubscription)
              .where(due, WebhookSubscription.enabled.is_(True)).subquery())
    candidates = session.execute(select(ranked.c.id, ranked.c.subscription_id, ranked.c.rank)
                                 .where(ranked.c.rank <= per_endpoint).order_by(ranked.c.rank, ranked.c.id)).all()
    candidates = [c for c in candidates if c.rank <= per_endpoint - in_flight.get(c.subscription_id, 0)]
    ids = [c.id for c in candidates[:limit + SPARE_CANDIDATES]]
    if not ids:
        return []
    # Locking can't share a query with a window function; the locked rows are checked again,
    # and taken in the candidates' order.
    rows = session.execute(select(WebhookDelivery, WebhookSubscription).join(WebhookSubscription)
                           .where(WebhookDelivery.id.in_(ids), due, WebhookSubscription.enabled.is_(True))
                           .order_by(case({i: n for n, i in enumerate(ids)}, value=WebhookDelivery.id))
                           .limit(limit).with_for_update(of=WebhookDelivery, skip_locked=True)).all()
    return _leased(session, rows, now)


def claim_next(session: Session, now: datetime, subscription_id: str) -> Outgoing | None:
    """Lease the soonest due delivery of one enabled webhook, if any."""
    rows = session.execute(select(WebhookDelivery, WebhookSubscription).join(WebhookSubscription)
                           .where(WebhookDelivery.subscription_id == subscription_id, _due(now),
                                  WebhookSubscription.enabled.is_(True))
                           .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                           .limit(1).with_for_update(of=WebhookDelivery, skip_locked=True)).all()
    return next(iter(_leased(session, rows, now)), None)


def _due(now: datetime):
    return and_(WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.leased_until.is_(None), WebhookDelivery.leased_until <= now))


def _leased(session: Session, rows, now: datetime) -> list[Outgoing]:
    outgoing = []
    for delivery, subscription in rows:
        delivery.leased_until = now + LEASE
        outgoing.append(Outgoing(delivery.id, subscription.id, delivery.attempt_count, subscription.url,
                                 delivery.message_id, orjson.dumps(delivery.payload),
                                 active_secrets(subscription, now), subscription.failing_since))
    session.flush()
    return outgoing


def record_attempt(session: Session, item: Outgoing, outcome: Outcome, *, attempted_at: datetime,
                   now: datetime, schedule: list[float]) -> None:
    """Record an attempt and schedule the next (or settle the delivery); count the endpoint's
    failing streak, and disable it after DISABLE_AFTER of nothing but failures."""
    # Most attempts leave the streak as it was: the webhook's row is only locked (before the
    # delivery's, the order a deletion locks them in) when the streak starts, ends or may be
    # long enough, so an endpoint's lanes do not queue on it. The claim's copy may be a little
    # stale; the locked row is read again.
    if outcome.succeeded:
        changes_streak = item.failing_since is not None  # a success ends it
    else:  # a failure starts it, or may have made it long enough to disable the endpoint
        changes_streak = item.failing_since is None or now - item.failing_since >= DISABLE_AFTER
    subscription = session.get(WebhookSubscription, item.subscription_id, with_for_update=True) \
        if changes_streak else None
    delivery = session.get(WebhookDelivery, item.delivery_id, with_for_update=True)
    if delivery is None or delivery.attempt_count != item.attempt or (changes_streak and subscription is None):
        return  # deleted meanwhile, or taken over by another worker after the lease expired
    session.add(WebhookAttempt(delivery_id=delivery.id, attempted_at=attempted_at, status_code=outcome.status_code,
                               error=outcome.error, duration_ms=outcome.duration_ms))
    delivery.attempt_count += 1
    delivery.leased_until = None
    if outcome.succeeded:
        delivery.state, delivery.next_attempt_at = "succeeded", None
    elif delivery.attempt_count <= len(schedule):
        wait = schedule[delivery.attempt_count - 1] * random.uniform(1 - JITTER, 1 + JITTER)
        delivery.next_attempt_at = now + timedelta(seconds=wait)
    else:
        delivery.state, delivery.next_attempt_at = "failed", None
    if subscription is None:
        return
    if outcome.succeeded:
        subscription.failing_since = None
    elif subscription.failing_since is None:
        subscription.failing_since = attempted_at
    elif subscription.enabled and now - subscription.failing_since >= DISABLE_AFTER:
        disable(session, subscription, now)


def disable(session: Session, subscription: WebhookSubscription, now: datetime) -> None:
    since = subscription.failing_since.isoformat().replace("+00:00", "Z")
    reason = f"Every delivery attempt since {since} failed ({DISABLE_AFTER.days} days in a row)."
    subscription.enabled, subscription.disabled_at, subscription.disabled_reason = False, now, reason
    subscription.updated_at = now
    record(session, "webhook.disabled", "webhook", subscription.id, principal=None,
           data={"webhook_id": subscription.id, "url": subscription.url, "failing_since": since, "reason": reason},
           recipients=[subscription.organisation_id])
    log.warning("webhook %s disabled: %s", subscription.id, reason, extra={"fields": {"webhook": subscription.id}})


class Dispatcher:
    """The worker's delivery job, and the lanes it feeds (see the module's docstring).

    Its transactions are its own, not the worker's: lanes record from their threads. Each is
    short (no posting inside) and tried again if the database was busy. On PostgreSQL a few
    run at once; SQLite has one writer, so there they run one at a time."""

    __name__ = "webhook_deliveries"  # the job's name in the worker's logs

    def __init__(self, sessions: sessionmaker, *, schedule: list[float], allow_private: bool,
                 timeout: float = TIMEOUT_SECONDS, concurrency: int = CONCURRENCY,
                 per_endpoint: int = PER_ENDPOINT, clock: Callable[[], datetime] = utc_now):
        self.sessions, self.schedule, self.allow_private = sessions, schedule, allow_private
        self.concurrency, self.per_endpoint, self.clock = concurrency, per_endpoint, clock
        self.sender = Sender(timeout, per_endpoint)
        self._lanes = ThreadPoolExecutor(concurrency, thread_name_prefix="webhook")
        self._in_flight: Counter[str] = Counter()  # by subscription: claimed and not yet recorded
        self._changed = threading.Condition()
        parallel = sessions.kw["bind"].dialect.name != "sqlite"
        self._writing = threading.BoundedSemaphore(DATABASE_CONCURRENCY if parallel else 1)

    @classmethod
    def for_app(cls, app: Flask, **options) -> Dispatcher:
        return cls(app.extensions["db_sessionmaker"], schedule=app.config["WEBHOOK_RETRY_SCHEDULE"],
                   allow_private=app.config["WEBHOOKS_ALLOW_PRIVATE"], **options)

    def __call__(self, _session: Session) -> int:
        """Hand due deliveries to free lanes (waiting up to FULL_WAIT for one when all are
        busy, so a backlog keeps them busy); how many."""
        with self._changed:
            self._changed.wait_for(lambda: self._in_flight.total() < self.concurrency, FULL_WAIT)
            in_flight = self._in_flight.copy()
        free = self.concurrency - in_flight.total()
        items = self._transact(lambda session: claim(session, self.clock(), free, self.per_endpoint, in_flight)
                               ) if free > 0 else []
        with self._changed:
            self._in_flight.update(item.subscription_id for item in items)
        for item in items:
            self._lanes.submit(self._lane, item)
        return len(items)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no lane is posting (False if `timeout` seconds passed first)."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._in_flight, timeout)

    def close(self) -> None:
        self._lanes.shutdown(wait=True)

    def _lane(self, item: Outgoing) -> None:
        """Post the endpoint's due deliveries one after another, up to CHAIN of them (then the
        lane is free again, for the job to give it to whichever endpoint's turn it is)."""
        for _ in range(CHAIN):
            following = self._deliver(item)
            if following is None:
                break
            item = following
        with self._changed:
            self._in_flight[item.subscription_id] -= 1
            self._in_flight += Counter()  # drop the zeros
            self._changed.notify_all()

    def _deliver(self, item: Outgoing) -> Outgoing | None:
        """Post one attempt, record what became of it and lease the endpoint's next due delivery."""
        attempted_at = self.clock()
        outcome = self._post(item)

        def record_and_claim(session: Session) -> Outgoing | None:
            record_attempt(session, item, outcome, attempted_at=attempted_at, now=self.clock(),
                           schedule=self.schedule)
            return claim_next(session, self.clock(), item.subscription_id)

        try:
            return self._transact(record_and_claim)
        except Exception:  # noqa: BLE001 — the lease expires and the delivery is tried again
            log.exception("webhook delivery %s not recorded; tried again once its lease expires", item.delivery_id)
            return None

    def _post(self, item: Outgoing) -> Outcome:
        try:
            target = check_url(item.url, allow_private=self.allow_private)
        except TargetRefused as refused:
            return Outcome(None, str(refused), 0.0)
        timestamp = int(time.time())  # the receiver's clock, not the schedule's
        return self.sender.post(target, {
            "Content-Type": "application/json", "User-Agent": USER_AGENT, "webhook-id": item.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(item.secrets, item.message_id, timestamp, item.body),
        }, item.body)

    def _transact(self, work: Callable[[Session], T]) -> T:
        """`work(session)` in a transaction of its own, tried again while the database is busy."""
        with self._writing:
            for attempt in itertools.count():
                try:
                    with unit_of_work(self.sessions) as session:
                        return work(session)
                except OperationalError:
                    if attempt == BUSY_RETRIES:
                        raise
                    time.sleep(0.05 * 2 ** attempt)  # SQLite busy, or a deadlock
