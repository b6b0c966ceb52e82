"""Webhooks delivered by the worker to real receivers on 127.0.0.1: what each endpoint gets
(exactly what its organisation reads in the change feed), signed so that `standardwebhooks`
verifies it, retried on the schedule with the same webhook-id, failed after the last attempt,
and a slow endpoint never holding up the others."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from rfq_support import create_rfq, instant_feed, invite, ok, read_feed, rfq_path, stage
from sqlalchemy import func, select, update
from standardwebhooks import Webhook, WebhookVerificationError
from webhook_support import (
    HANG,
    Clock,
    REDIRECT,
    Receiver,
    deliver,
    dispatcher_for,
    refused_url,
    subscribe,
    webhook_path,
)

from api.db import utc_now
from api.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from api.webhooks.delivery import JITTER, PER_ENDPOINT, Dispatcher
from api.webhooks.fanout import fan_out
from api.webhooks.retention import purge_job
from api.worker import Worker

SCHEDULE = (0.05, 0.1)  # seconds: two retries, so three attempts in all


@pytest.fixture()
def receivers():
    made = []

    def make(*script, **options) -> Receiver:
        made.append(Receiver(*script, **options))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture()
def dispatcher(app):
    made = dispatcher_for(app, SCHEDULE)
    yield made
    made.close()


@pytest.fixture()
def private_targets(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)


def verified(receiver: Receiver, secret: str) -> list[dict]:
    """Every message the receiver got, each checked with the reference verifier, in the order of
    the events (several are in flight to an endpoint at once: they may arrive in any order)."""
    messages = [Webhook(secret).verify(r.body, r.headers) for r in receiver.received]
    return sorted(messages, key=lambda m: m["data"].get("id") or 0)


def test_the_founding_story_reaches_each_endpoint_as_its_change_feed_shows_it(
        app, client, cast, receivers, dispatcher, private_targets, monkeypatch):
    instant_feed(monkeypatch)
    names = ("buyer", "other_buyer", "invited", "competitor", "outsider", "admin")
    before = {event["id"] for event in read_feed(client, cast.admin)}  # the cast's onboarding, not sent
    endpoints = {name: receivers() for name in names}
    webhooks = {name: subscribe(client, cast.actor(name), endpoints[name].url) for name in names}
    only_quotes = receivers()
    quotes_webhook = subscribe(client, cast.buyer, only_quotes.url, event_types=["quote.*"])

    # Published, the invited supplier and its competitor invited, both quote; the outsider is
    # invited too and declines; the buyer closes and awards the invited supplier's quote.
    staged = stage(client, cast, "published")
    invite(client, cast.buyer, staged.id, cast.supplier_id("outsider"))
    ok(client.post(rfq_path(staged.id, "decline"), headers=cast.outsider.headers, json={"reason": "capacity"}))
    ok(client.post(rfq_path(staged.id, "close"), headers=cast.buyer.headers))
    ok(client.post(rfq_path(staged.id, "award"), headers=cast.buyer.headers,
                   json={"quote_id": staged.quotes["invited"]["id"]}))

    feeds = {name: [e for e in read_feed(client, cast.actor(name)) if e["id"] not in before] for name in names}
    deliver(app, dispatcher, until=lambda: all(
        len(endpoints[name].received) == len(feeds[name]) for name in names))

    for name in names:
        messages = verified(endpoints[name], webhooks[name]["secret"])
        # Exactly the feed: the same events, in order, each as the feed shows it.
        assert [m["data"] for m in messages] == feeds[name], name
        assert [m["type"] for m in messages] == [e["type"] for e in feeds[name]]
        assert sorted(int(r.webhook_id) for r in endpoints[name].received) == [e["id"] for e in feeds[name]]
        assert all(r.headers["user-agent"].startswith("Proxisource-Webhooks/") for r in endpoints[name].received)
        assert not any("price" in r.body.decode() for r in endpoints[name].received), name

    def story(name):
        return [(m["type"], m["data"]["data"].get("supplier_id")) for m in verified(endpoints[name], webhooks[name]["secret"])
                if m["data"]["data"].get("rfq_id") == staged.id]

    invited, competitor, outsider = (cast.supplier_id(n) for n in ("invited", "competitor", "outsider"))
    # Worked out by hand from the story: the buyer sees every step…
    assert story("buyer") == [
        ("rfq.created", None), ("rfq.published", None), ("invitation.sent", invited),
        ("invitation.sent", competitor), ("quote.submitted", invited), ("quote.submitted", competitor),
        ("invitation.sent", outsider), ("invitation.declined", outsider), ("rfq.closed", None),
        ("rfq.awarded", None)]
    # …each supplier its own invitation and quote, never another's, and the RFQ's fate.
    assert story("invited") == [("invitation.sent", invited), ("quote.submitted", invited),
                                ("rfq.closed", None), ("rfq.awarded", None)]
    assert story("competitor") == [("invitation.sent", competitor), ("quote.submitted", competitor),
                                   ("rfq.closed", None), ("rfq.awarded", None)]
    assert story("outsider") == [("invitation.sent", outsider), ("invitation.declined", outsider),
                                 ("rfq.closed", None), ("rfq.awarded", None)]
    assert story("other_buyer") == []
    assert story("admin") == story("buyer")  # the operators' own webhook: every event
    # A webhook asking for quotes only gets the buyer's quote events.
    assert [m["type"] for m in verified(only_quotes, quotes_webhook["secret"])] == [
        "quote.submitted", "quote.submitted"]


def test_a_receiver_failing_twice_gets_the_event_a_third_time_with_the_same_webhook_id(
        app, client, cast, receivers, dispatcher, private_targets):
    endpoint = receivers(500, 503)
    webhook = subscribe(client, cast.buyer, endpoint.url, event_types=["rfq.created"])
    stage(client, cast, "draft")
    deliver(app, dispatcher, until=lambda: len(endpoint.received) == 3)

    assert len({r.webhook_id for r in endpoint.received}) == 1
    verified(endpoint, webhook["secret"])
    gaps = [later.at - earlier.at for earlier, later in zip(endpoint.received, endpoint.received[1:])]
    assert all(gap >= wait * (1 - JITTER) for gap, wait in zip(gaps, SCHEDULE)), gaps

    [delivery] = ok(client.get(webhook_path(webhook["id"], "deliveries"), headers=cast.buyer.headers))["items"]
    assert (delivery["state"], delivery["attempt_count"], delivery["next_attempt_at"]) == ("succeeded", 3, None)
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 503, 200]
    assert [a["error"] for a in delivery["attempts"]] == ["Answered 500.", "Answered 503.", None]
    assert delivery["message_id"] == endpoint.received[0].webhook_id == str(delivery["event_id"])


@pytest.mark.parametrize("failure", ["500", "timeout", "redirect", "refused"])
def test_a_delivery_that_never_lands_is_tried_on_the_schedule_then_failed(
        app, client, cast, receivers, private_targets, failure):
    elsewhere = receivers()
    endpoint = {"500": lambda: receivers(*[500] * 3), "timeout": lambda: receivers(*[HANG] * 3),
                "redirect": lambda: receivers(*[REDIRECT] * 3, redirect_to=elsewhere.url),
                "refused": lambda: None}[failure]()
    url = endpoint.url if endpoint else refused_url()
    webhook = subscribe(client, cast.buyer, url, event_types=["rfq.created"])
    stage(client, cast, "draft")
    dispatcher = dispatcher_for(app, SCHEDULE, timeout=0.5)
    try:
        deliver(app, dispatcher, until=lambda: ok(client.get(
            webhook_path(webhook["id"], "deliveries"), headers=cast.buyer.headers))["items"][0]["state"] == "failed")
    finally:
        dispatcher.close()

    [delivery] = ok(client.get(webhook_path(webhook["id"], "deliveries"), headers=cast.buyer.headers))["items"]
    assert (delivery["attempt_count"], delivery["next_attempt_at"]) == (len(SCHEDULE) + 1, None)
    errors = {a["error"] for a in delivery["attempts"]}
    expected = {"500": {"Answered 500."}, "timeout": {"No answer within 0.5 s."},
                "redirect": {"Answered 302 (redirects are not followed: register the final URL)."}}
    if failure == "refused":
        assert all(e.startswith("Could not connect") for e in errors), errors
    else:
        assert errors == expected[failure]
        assert len(endpoint.received) == len(SCHEDULE) + 1
    assert elsewhere.received == []  # the redirect was not followed
    failing = ok(client.get(webhook_path(webhook["id"]), headers=cast.buyer.headers))
    assert failing["failing_since"] is not None and failing["enabled"]  # not 5 days yet


def test_a_hanging_receiver_delays_nobody_else(app, client, cast, receivers, private_targets):
    hanging, healthy = receivers(*[HANG] * 100), receivers()
    subscribe(client, cast.buyer, hanging.url)
    subscribe(client, cast.other_buyer, healthy.url)
    for _ in range(8):
        create_rfq(client, cast.buyer)  # rfq.created, to the buyer's hanging endpoint
    for _ in range(20):
        create_rfq(client, cast.other_buyer)
    timeout = 3.0
    dispatcher = dispatcher_for(app, SCHEDULE, timeout=timeout)
    worker = Worker(app.extensions["db_sessionmaker"], [fan_out, dispatcher])
    started = time.monotonic()
    try:
        while len(healthy.received) < 20 and time.monotonic() - started < timeout:
            worker.run_until_idle()
            time.sleep(0.01)
        hanging_attempts = len(hanging.received)
    finally:
        hanging.released.set()
        dispatcher.close()
    assert sorted({r.webhook_id for r in healthy.received}) == sorted(r.webhook_id for r in healthy.received)
    assert len(healthy.received) == 20
    # Every healthy delivery landed while the hanging endpoint still held its lanes, each for
    # the whole timeout, and it never got more lanes than its share.
    assert max(r.at for r in healthy.received) - started < timeout
    assert hanging_attempts == PER_ENDPOINT


def test_after_a_rotation_either_secret_verifies_until_the_previous_one_expires(
        app, client, cast, receivers, dispatcher, private_targets):
    endpoint = receivers()
    webhook = subscribe(client, cast.buyer, endpoint.url, event_types=["rfq.created"])
    old = webhook["secret"]
    rotated = ok(client.post(webhook_path(webhook["id"], "rotate-secret"), headers=cast.buyer.headers))
    new = rotated["secret"]
    assert new != old and rotated["previous_secret_expires_at"] is not None
    stage(client, cast, "draft")
    deliver(app, dispatcher, until=lambda: len(endpoint.received) == 1)
    [received] = endpoint.received
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(received.body, received.headers) == Webhook(new).verify(received.body, received.headers)

    # 24 hours later the previous secret signs no more.
    with app.extensions["db_sessionmaker"]() as session:
        session.execute(update(WebhookSubscription).values(previous_secret_expires_at=utc_now()))
        session.commit()
    stage(client, cast, "draft")
    deliver(app, dispatcher, until=lambda: len(endpoint.received) == 2)
    latest = endpoint.received[1]
    Webhook(new).verify(latest.body, latest.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(latest.body, latest.headers)


def test_an_endpoint_failing_for_5_days_is_disabled_and_its_organisation_told(
        app, client, cast, receivers, private_targets, monkeypatch):
    dead, healthy = receivers(*[500] * 10), receivers()
    doomed = subscribe(client, cast.buyer, dead.url, event_types=["rfq.*"])
    told = subscribe(client, cast.buyer, healthy.url, event_types=["webhook.disabled"])
    clock = Clock()
    dispatcher = dispatcher_for(app, SCHEDULE, clock=clock)
    try:
        stage(client, cast, "draft")
        deliver(app, dispatcher, until=lambda: len(dead.received) == 1)
        clock.advance(days=3)  # the next attempts fail too: 3 days of failures, not yet 5
        deliver(app, dispatcher, until=lambda: len(dead.received) == 3)
        assert ok(client.get(webhook_path(doomed["id"]), headers=cast.buyer.headers))["enabled"]
        clock.advance(days=2)
        stage(client, cast, "draft")
        deliver(app, dispatcher, until=lambda: len(healthy.received) == 1)
    finally:
        dispatcher.close()

    disabled = ok(client.get(webhook_path(doomed["id"]), headers=cast.buyer.headers))
    assert (disabled["enabled"], disabled["disabled_at"] is not None) == (False, True)
    assert "5 days" in disabled["disabled_reason"]
    [notice] = verified(healthy, told["secret"])
    assert notice["type"] == "webhook.disabled"
    assert notice["data"]["data"]["webhook_id"] == doomed["id"]
    assert notice["data"]["actor_role"] == "system"
    assert len(dead.received) == 4  # nothing more once disabled
    # Its organisation's feed tells the same; no other organisation's does.
    instant_feed(monkeypatch)
    assert [e["data"] for e in read_feed(client, cast.buyer) if e["entity_id"] == doomed["id"]] == [
        notice["data"]["data"]]
    assert all(e["entity_id"] != doomed["id"] for e in read_feed(client, cast.other_buyer))


def test_a_test_message_and_a_manual_retry_are_delivered_by_the_worker(
        app, client, cast, receivers, dispatcher, private_targets):
    endpoint = receivers(500, 500, 500)
    webhook = subscribe(client, cast.buyer, endpoint.url)
    test = client.post(webhook_path(webhook["id"], "test"), headers=cast.buyer.headers)
    assert test.status_code == 202
    assert endpoint.received == []  # posted by the worker, never inside the request
    deliver(app, dispatcher, until=lambda: len(endpoint.received) == 3)
    [failed] = ok(client.get(webhook_path(webhook["id"], "deliveries"), headers=cast.buyer.headers,
                             query_string={"state": "failed"}))["items"]
    assert (failed["id"], failed["event_type"], failed["event_id"]) == (test.get_json()["id"], "webhook.test", None)

    retried = client.post(webhook_path(webhook["id"], "deliveries", str(failed["id"]), "retry"),
                          headers=cast.buyer.headers)
    assert retried.status_code == 202 and retried.get_json()["state"] == "pending"
    deliver(app, dispatcher, until=lambda: len(endpoint.received) == 4)
    messages = verified(endpoint, webhook["secret"])
    assert {m["type"] for m in messages} == {"webhook.test"}
    assert messages[0]["data"]["webhook_id"] == webhook["id"]
    assert len({r.webhook_id for r in endpoint.received}) == 1
    [settled] = ok(client.get(webhook_path(webhook["id"], "deliveries"), headers=cast.buyer.headers))["items"]
    assert (settled["state"], settled["attempt_count"]) == ("succeeded", 4)


def test_each_attempt_checks_the_address_again(app, client, cast, receivers, private_targets):
    endpoint = receivers()
    webhook = subscribe(client, cast.buyer, endpoint.url, event_types=["rfq.created"])
    stage(client, cast, "draft")
    # Production's worker: the URL was accepted where private targets are allowed, never posted to.
    dispatcher = Dispatcher(app.extensions["db_sessionmaker"], schedule=[0.01], allow_private=False)
    try:
        deliver(app, dispatcher, until=lambda: ok(client.get(
            webhook_path(webhook["id"], "deliveries"), headers=cast.buyer.headers))["items"][0]["state"] == "failed")
    finally:
        dispatcher.close()
    assert endpoint.received == []
    [delivery] = ok(client.get(webhook_path(webhook["id"], "deliveries"), headers=cast.buyer.headers))["items"]
    assert {a["error"] for a in delivery["attempts"]} == {"Use an https URL."}


def test_two_workers_never_post_the_same_attempt(app, client, cast, receivers, private_targets):
    """On PostgreSQL, workers in several processes share the deliveries (SKIP LOCKED and
    leases); here two dispatchers, each with its own lanes, drain one backlog together."""
    if app.extensions["db_engine"].dialect.name != "postgresql":
        pytest.skip("SQLite runs one worker")
    endpoints = [receivers() for _ in range(5)]
    for endpoint in endpoints:
        subscribe(client, cast.buyer, endpoint.url, event_types=["rfq.created"])
    for _ in range(40):
        create_rfq(client, cast.buyer)
    first, second = dispatcher_for(app), dispatcher_for(app)
    Worker(app.extensions["db_sessionmaker"], [fan_out]).run_until_idle()
    try:
        workers = [threading.Thread(target=deliver, args=(app, d, lambda: sum(
            len(e.received) for e in endpoints) >= 200)) for d in (first, second)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        first.close()
        second.close()
    for endpoint in endpoints:
        ids = [r.webhook_id for r in endpoint.received]
        assert len(ids) == len(set(ids)) == 40


def test_finished_deliveries_are_forgotten_after_the_retention_pending_ones_never(
        app, client, cast, receivers, dispatcher, private_targets):
    failing, landing = receivers(500, 500, 500), receivers()
    failing_webhook = subscribe(client, cast.buyer, failing.url)
    webhook = subscribe(client, cast.buyer, landing.url)

    def test_message(hook: dict) -> int:
        return client.post(webhook_path(hook["id"], "test"), headers=cast.buyer.headers).get_json()["id"]

    failed_long_ago, succeeded_long_ago, succeeded_lately = (
        test_message(failing_webhook), test_message(webhook), test_message(webhook))
    deliver(app, dispatcher, until=lambda: (len(failing.received), len(landing.received)) == (3, 2))
    waiting = test_message(webhook)  # not delivered yet
    days = app.config["WEBHOOK_DELIVERY_RETENTION_DAYS"]
    with app.extensions["db_sessionmaker"].begin() as session:
        session.execute(update(WebhookDelivery).where(
            WebhookDelivery.id.in_([failed_long_ago, succeeded_long_ago, waiting]))
            .values(created_at=utc_now() - timedelta(days=days, minutes=1)))

    Worker(app.extensions["db_sessionmaker"], [purge_job(days)]).run_until_idle()

    def listed(hook: dict) -> set:
        items = ok(client.get(webhook_path(hook["id"], "deliveries"), headers=cast.buyer.headers))["items"]
        return {(d["id"], d["state"]) for d in items}

    assert listed(failing_webhook) == set()
    assert listed(webhook) == {(succeeded_lately, "succeeded"), (waiting, "pending")}
    with app.extensions["db_sessionmaker"]() as session:
        orphans = session.scalar(select(func.count()).select_from(WebhookAttempt).where(
            WebhookAttempt.delivery_id.in_([failed_long_ago, succeeded_long_ago])))
    assert orphans == 0
