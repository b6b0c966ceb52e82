"""Managing webhooks through the API: the secret shown once, If-Match on changes, event types
checked, no server-side request forgery, and nobody managing another organisation's."""

from __future__ import annotations

import base64

import pytest
from factories import problem
from rfq_support import ok
from sqlalchemy import select
from webhook_support import WEBHOOKS, subscribe, webhook_path

from api.models import WebhookDelivery, WebhookSubscription

PUBLIC_URL = "https://93.184.215.14/hooks"  # a public address: accepted without resolving a name


@pytest.fixture()
def private_targets(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)


def stored(app) -> dict:
    """Every webhook as stored, with its deliveries: what a denied request must leave alone."""
    with app.extensions["db_sessionmaker"]() as session:
        return {"webhooks": {w.id: (w.url, w.event_types, w.description, w.enabled, w.secret, w.version)
                             for w in session.scalars(select(WebhookSubscription))},
                "deliveries": {d.id: (d.state, d.next_attempt_at) for d in session.scalars(select(WebhookDelivery))}}


def test_the_secret_is_shown_once_in_the_standard_webhooks_format(client, cast):
    response = client.post(WEBHOOKS, headers=cast.buyer.headers,
                           json={"url": PUBLIC_URL, "description": "SAP Ariba connector"})
    created = ok(response, 201)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Location"] == webhook_path(created["id"])
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) >= 24
    assert (created["event_types"], created["enabled"], created["organisation_id"]) == (
        ["*"], True, cast.buyer.organisation_id)

    shown = ok(client.get(webhook_path(created["id"]), headers=cast.buyer.headers))
    listed = ok(client.get(WEBHOOKS, headers=cast.buyer.headers))["items"]
    assert "secret" not in shown and [w["id"] for w in listed] == [created["id"]]
    assert all("secret" not in w for w in listed)
    assert created["secret"] not in client.get(WEBHOOKS, headers=cast.admin.headers).get_data(as_text=True)

    rotated = ok(client.post(webhook_path(created["id"], "rotate-secret"), headers=cast.buyer.headers))
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]


def test_a_retried_creation_creates_nothing_twice_and_never_shows_the_secret_again(app, client, cast):
    headers = {**cast.buyer.headers, "Idempotency-Key": "webhook-1"}
    first = ok(client.post(WEBHOOKS, headers=headers, json={"url": PUBLIC_URL}), 201)
    again = problem(client.post(WEBHOOKS, headers=headers, json={"url": PUBLIC_URL}), 409)
    assert "shown only once" in again["detail"]
    assert list(stored(app)["webhooks"]) == [first["id"]]


def test_event_types_are_checked_against_the_catalogue(client, cast):
    chosen = subscribe(client, cast.buyer, PUBLIC_URL, event_types=["quote.submitted", "rfq.*", "rfq.*"])
    assert chosen["event_types"] == ["quote.submitted", "rfq.*"]
    refused = problem(client.post(WEBHOOKS, headers=cast.buyer.headers,
                                  json={"url": PUBLIC_URL, "event_types": ["quote.eaten", "rfqs.*"]}), 422)
    assert [e["field"] for e in refused["errors"]] == ["event_types"]
    assert "quote.eaten, rfqs.*" in refused["errors"][0]["message"]


@pytest.mark.parametrize("url, reason", [
    ("http://93.184.215.14/hooks", "https"),
    ("https://127.0.0.1/hooks", "loopback"),
    ("https://10.0.0.1/hooks", "private"),
    ("https://192.168.1.20/hooks", "private"),
    ("https://169.254.169.254/latest/meta-data", "metadata"),
    ("https://[::1]/hooks", "loopback"),
    ("https://[::ffff:127.0.0.1]/hooks", "loopback"),
    ("https://[::ffff:10.0.0.1]/hooks", "private"),
    ("https://[fd00:ec2::254]/hooks", "metadata"),
    ("https://localhost/hooks", "localhost resolves to"),
    ("https://user:password@93.184.215.14/hooks", "credentials"),
    ("https://does-not-exist.invalid/hooks", "does not resolve"),
    ("ftp://93.184.215.14/hooks", "https"),
    ("https:///hooks", "host"),
    ("https://[::1/hooks", "Not a URL"),
    ("https://93.184.215.14/my hooks", "Percent-encode"),
    ("https://bücher.example/hooks", "punycode"),
])
def test_targets_that_are_not_public_https_are_refused_naming_url(app, client, cast, url, reason):
    assert not app.config["WEBHOOKS_ALLOW_PRIVATE"]  # as in production
    refused = problem(client.post(WEBHOOKS, headers=cast.buyer.headers, json={"url": url}), 422)
    assert [e["field"] for e in refused["errors"]] == ["url"]
    assert reason in refused["errors"][0]["message"]
    assert stored(app)["webhooks"] == {}


def test_a_change_of_url_is_checked_too(app, client, cast):
    webhook = subscribe(client, cast.buyer, PUBLIC_URL)
    etag = client.get(webhook_path(webhook["id"]), headers=cast.buyer.headers).headers["ETag"]
    before = stored(app)
    refused = problem(client.patch(webhook_path(webhook["id"]), headers={**cast.buyer.headers, "If-Match": etag},
                                   json={"url": "https://10.1.2.3/"}), 422)
    assert [e["field"] for e in refused["errors"]] == ["url"]
    assert stored(app) == before


def test_private_targets_are_allowed_when_the_deployment_says_so(client, cast, private_targets):
    assert subscribe(client, cast.buyer, "http://127.0.0.1:8080/hooks")["url"] == "http://127.0.0.1:8080/hooks"


def test_changes_and_deletions_take_if_match(app, client, cast):
    webhook = subscribe(client, cast.buyer, PUBLIC_URL)
    path = webhook_path(webhook["id"])
    problem(client.patch(path, headers=cast.buyer.headers, json={"enabled": False}), 428)
    problem(client.delete(path, headers=cast.buyer.headers), 428)
    etag = client.get(path, headers=cast.buyer.headers).headers["ETag"]
    paused = client.patch(path, headers={**cast.buyer.headers, "If-Match": etag},
                          json={"enabled": False, "description": "paused for maintenance"})
    assert ok(paused)["enabled"] is False and paused.headers["ETag"] != etag
    problem(client.patch(path, headers={**cast.buyer.headers, "If-Match": etag}, json={"enabled": True}), 412)
    problem(client.post(webhook_path(webhook["id"], "test"), headers=cast.buyer.headers), 409)
    assert client.delete(path, headers={**cast.buyer.headers, "If-Match": paused.headers["ETag"]}).status_code == 204
    problem(client.get(path, headers=cast.buyer.headers), 404)


def test_nobody_sees_or_manages_another_organisations_webhooks(app, client, cast):
    mine = subscribe(client, cast.buyer, PUBLIC_URL)
    theirs = subscribe(client, cast.invited, PUBLIC_URL)
    operators = subscribe(client, cast.admin, PUBLIC_URL)
    assert operators["organisation_id"] is None
    test = ok(client.post(webhook_path(mine["id"], "test"), headers=cast.buyer.headers), 202)
    etag = client.get(webhook_path(mine["id"]), headers=cast.buyer.headers).headers["ETag"]
    before = stored(app)

    for intruder in (cast.other_buyer, cast.invited):
        headers = {**intruder.headers, "If-Match": etag}
        for response in (
                client.get(webhook_path(mine["id"]), headers=headers),
                client.patch(webhook_path(mine["id"]), headers=headers, json={"url": PUBLIC_URL + "/x"}),
                client.delete(webhook_path(mine["id"]), headers=headers),
                client.post(webhook_path(mine["id"], "rotate-secret"), headers=headers),
                client.post(webhook_path(mine["id"], "test"), headers=headers),
                client.get(webhook_path(mine["id"], "deliveries"), headers=headers),
                client.post(webhook_path(mine["id"], "deliveries", str(test["id"]), "retry"), headers=headers),
                client.get(webhook_path(operators["id"]), headers=headers)):
            problem(response, 404)
        problem(client.post(WEBHOOKS, headers=intruder.headers,
                            json={"url": PUBLIC_URL, "organisation_id": cast.buyer.organisation_id}), 403)
    for path in (webhook_path(mine["id"]), WEBHOOKS):
        problem(client.get(path), 401)
    problem(client.post(webhook_path(theirs["id"], "deliveries", str(test["id"]), "retry"),
                        headers=cast.invited.headers), 404)  # a delivery of another webhook
    assert stored(app) == before
    assert [w["id"] for w in ok(client.get(WEBHOOKS, headers=cast.invited.headers))["items"]] == [theirs["id"]]

    # Admins see and manage every webhook, and create them for any organisation.
    assert {w["id"] for w in ok(client.get(WEBHOOKS, headers=cast.admin.headers))["items"]} == {
        mine["id"], theirs["id"], operators["id"]}
    assert [w["id"] for w in ok(client.get(WEBHOOKS, headers=cast.admin.headers, query_string={
        "organisation_id": cast.invited.organisation_id}))["items"]] == [theirs["id"]]
    assert ok(client.patch(webhook_path(mine["id"]), headers={**cast.admin.headers, "If-Match": etag},
                           json={"description": "checked by the operators"}))["description"] == "checked by the operators"
    assert ok(client.get(webhook_path(mine["id"], "deliveries"), headers=cast.admin.headers))["items"][0]["id"] == test["id"]
    made = subscribe(client, cast.admin, PUBLIC_URL, organisation_id=cast.competitor.organisation_id)
    assert made["organisation_id"] == cast.competitor.organisation_id
    problem(client.post(WEBHOOKS, headers=cast.admin.headers,
                        json={"url": PUBLIC_URL, "organisation_id": "no-such-organisation"}), 422)


def test_delivery_ids_that_are_not_numbers_are_not_found(client, cast):
    webhook = subscribe(client, cast.buyer, PUBLIC_URL)
    for delivery_id in ("abc", "99999999999999999999999", "-1", "١٢"):
        problem(client.post(webhook_path(webhook["id"], "deliveries", delivery_id, "retry"),
                            headers=cast.buyer.headers), 404)
