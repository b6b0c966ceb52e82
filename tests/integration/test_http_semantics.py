"""HTTP semantics integrators and caches rely on: nosniff, Cache-Control, ETags per
representation with weak If-None-Match, Link rel="next", CORS preflight max-age, and
Idempotency-Key retries on every creating POST."""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

import pytest
from rfq_support import RFQS, Cast, instant_feed, move_deadline, quote_body, rfq_body, rfq_path, stage, transition
from sqlalchemy import func, select, update

from api.db import unit_of_work, utc_now
from api.idempotency import purge_expired_idempotency_keys
from api.models import ApiKey, IdempotencyKey, Invitation, Organisation, Quote, Rfq, Supplier
from integration.search_support import refresh

from factories import ANONYMOUS, create_supplier, problem, supplier_body


def next_link(response) -> str | None:
    links = re.findall(r'<([^>]+)>;\s*rel="next"', response.headers.get("Link", ""))
    return links[0] if links else None


# --- headers on every response -------------------------------------------------------------


def test_every_response_says_nosniff(client, cast):
    for response in (client.get("/api/v1/sectors"), client.get("/api/v1/nowhere"),
                     client.get(RFQS, headers=cast.buyer.headers), client.post(RFQS, json={})):
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_cache_control_follows_who_the_answer_depends_on(client, cast):
    supplier = f"/api/v1/suppliers/{cast.supplier_id('invited')}"
    expected = [
        (client.get(supplier, headers=cast.buyer.headers), "private, no-cache"),  # with contacts
        (client.get(RFQS, headers=cast.buyer.headers), "private, no-cache"),
        (client.get(supplier), "public, no-cache"),  # anonymous: the same for every anonymous caller
        (client.get("/api/v1/sectors", headers=cast.buyer.headers), "public, max-age=3600"),
        (client.get("/api/v1/search/suppliers?q=usinage"), "public, max-age=30"),
        (client.get("/api/v1/nowhere"), "no-store"),
        (client.post(RFQS, json={}), "no-store"),
    ]
    for response, cache_control in expected:
        assert response.headers["Cache-Control"] == cache_control, response.request.path
        assert "Authorization" in response.headers["Vary"]


def test_a_newly_issued_key_is_never_stored_by_a_cache(client, cast):
    response = client.post("/api/v1/api-keys", headers=cast.admin.headers,
                           json={"name": "erp", "role": "buyer", "organisation_id": cast.buyer.organisation_id})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"


# --- ETags ------------------------------------------------------------------------------


def test_the_public_and_the_buyers_profile_carry_different_etags(client, cast):
    url = f"/api/v1/suppliers/{cast.supplier_id('invited')}"
    public, buyers = client.get(url), client.get(url, headers=cast.buyer.headers)
    assert "contacts" not in public.get_json() and buyers.get_json()["contacts"]
    assert public.headers["ETag"] != buyers.headers["ETag"]
    # and neither revalidates the other's copy
    assert client.get(url, headers={"If-None-Match": buyers.headers["ETag"]}).status_code == 200


def test_the_buyers_and_the_invited_suppliers_rfq_carry_different_etags(client, cast):
    staged = stage(client, cast, "published", budget="25000.00")
    url = rfq_path(staged.id)
    buyers, suppliers = client.get(url, headers=cast.buyer.headers), client.get(url, headers=cast.invited.headers)
    assert (buyers.get_json()["budget"], suppliers.get_json()["budget"]) == ("25000.00", None)
    assert buyers.headers["ETag"] != suppliers.headers["ETag"]
    revalidated = client.get(url, headers={**cast.invited.headers, "If-None-Match": buyers.headers["ETag"]})
    assert revalidated.status_code == 200 and revalidated.get_json()["budget"] is None


def test_an_rfq_whose_deadline_passed_no_longer_revalidates_the_published_copy(app, client, cast):
    staged = stage(client, cast, "published")
    url = rfq_path(staged.id)
    published = client.get(url, headers=cast.buyer.headers)
    assert client.get(url, headers={**cast.buyer.headers, "If-None-Match": published.headers["ETag"]}
                      ).status_code == 304
    move_deadline(app, staged.id, utc_now() - timedelta(seconds=1))

    after = client.get(url, headers={**cast.buyer.headers, "If-None-Match": published.headers["ETag"]})

    assert after.status_code == 200 and after.get_json()["state"] == "closed"
    assert after.headers["ETag"] != published.headers["ETag"]


def test_a_quote_revised_with_the_tag_its_supplier_read_succeeds_and_an_old_tag_fails(client, cast):
    staged = stage(client, cast, "published")
    url = rfq_path(staged.id, "quotes", staged.quotes["invited"]["id"])
    read = client.get(url, headers=cast.invited.headers)
    assert read.headers["ETag"] == staged.quote_etags["invited"]  # creation and read tag alike

    revised = client.put(url, json=quote_body(unit_price="11.00"), headers=cast.invited.with_etag(read.headers["ETag"]))
    stale = client.put(url, json=quote_body(unit_price="10.00"), headers=cast.invited.with_etag(read.headers["ETag"]))

    assert revised.status_code == 200 and revised.get_json()["unit_price"] == "11.0000"
    assert problem(stale, 412)
    assert client.get(url, headers=cast.invited.headers).get_json()["unit_price"] == "11.0000"


@pytest.mark.parametrize("url", ["/api/v1/suppliers/{id}", "/api/v1/sectors"])
def test_if_none_match_compares_weakly(client, cast, url):
    url = url.format(id=cast.supplier_id("invited"))
    etag = client.get(url).headers["ETag"]
    for sent in (etag, f"W/{etag}", f'"other", W/{etag}'):
        response = client.get(url, headers={"If-None-Match": sent})
        assert response.status_code == 304, sent
        assert response.headers["ETag"] == etag


# --- Link rel="next" --------------------------------------------------------------------


def pages(client, url: str, actor) -> list[dict]:
    """Every page of a list, following the Link headers (and checking they match next_cursor)."""
    seen = []
    while url:
        response = client.get(url, headers=actor.headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        seen.append(body)
        url = next_link(response)
        if body.get("next_cursor") is None:
            assert url is None
        else:
            assert url is not None and url.startswith("http://localhost/")
        if not body["items"]:
            break
    return seen


def test_every_paginated_list_links_to_its_next_page(app, client, supplier_index, cast, monkeypatch):
    instant_feed(monkeypatch)
    refresh(app)
    for _ in range(2):
        transition(client, cast.buyer, stage(client, cast, "draft").id, "publish")
    matched = stage(client, cast, "draft", required_certifications=[]).id
    lists = [("/api/v1/suppliers?page_size=2", cast.admin, 3),
             (f"{RFQS}?page_size=1", cast.buyer, 3),
             ("/api/v1/events?limit=2", cast.admin, None),
             ("/api/v1/search/suppliers?page_size=2", ANONYMOUS, 3),
             (f"{rfq_path(matched, 'matches')}?page_size=1", cast.buyer, 3)]
    for url, actor, total in lists:
        got = pages(client, url, actor)
        ids = [json.dumps(item, sort_keys=True) for page in got for item in page["items"]]
        assert len(ids) == len(set(ids)) > 1, url  # the next page is a real next page
        if total is not None:
            assert len(ids) == total, url


def test_the_link_keeps_the_other_parameters_and_replaces_the_cursor(client, cast):
    first = client.get("/api/v1/suppliers?page_size=1", headers=cast.admin.headers)
    link = next_link(first)
    assert "page_size=1" in link and f"cursor={first.get_json()['next_cursor']}" in link.replace("%3D", "=")
    second = client.get(link, headers=cast.admin.headers)
    third = client.get(next_link(second), headers=cast.admin.headers)
    assert next_link(third) != next_link(second)
    assert next_link(second).count("cursor=") == 1


def test_the_change_feed_links_with_after(client, cast):
    response = client.get("/api/v1/events?limit=1", headers=cast.admin.headers)
    assert "after=" in next_link(response) and "cursor=" not in next_link(response)


# --- CORS ---------------------------------------------------------------------------------


def test_preflights_may_be_cached_and_link_is_readable(client):
    response = client.options(RFQS, headers={"Origin": "https://cluster.example",
                                             "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "Authorization, Idempotency-Key"})
    assert response.headers["Access-Control-Max-Age"] == "600"
    exposed = client.get("/api/v1/sectors", headers={"Origin": "https://cluster.example"})
    assert "Link" in exposed.headers["Access-Control-Expose-Headers"]


# --- Idempotency-Key ----------------------------------------------------------------------


@dataclass
class Creation:
    name: str
    model: type
    prepare: Callable[[object, Cast], tuple[str, object, dict, dict]]  # -> path, actor, body, other body


def _organisation(client, cast):
    return "/api/v1/organisations", cast.admin, {"name": "Forge SA", "kind": "supplier"}, {"name": "Other", "kind": "buyer"}


def _supplier(client, cast):
    return "/api/v1/suppliers", cast.admin, supplier_body(), supplier_body()


def _rfq(client, cast):
    return RFQS, cast.buyer, rfq_body(), rfq_body(title="Autre besoin")


def _invitation(client, cast):
    staged = stage(client, cast, "published", quoting=())
    spare, _ = create_supplier(client, cast.admin, trade_name="Spare SAS")
    other, _ = create_supplier(client, cast.admin, trade_name="Other SAS")
    return (rfq_path(staged.id, "invitations"), cast.buyer,
            {"supplier_ids": [spare["id"]]}, {"supplier_ids": [other["id"]]})


def _quote(client, cast):
    staged = stage(client, cast, "published", quoting=())
    return rfq_path(staged.id, "quotes"), cast.invited, quote_body(), quote_body(unit_price="11.00")


CREATIONS = [Creation("organisation", Organisation, _organisation), Creation("supplier", Supplier, _supplier),
             Creation("rfq", Rfq, _rfq), Creation("invitation", Invitation, _invitation),
             Creation("quote", Quote, _quote)]


def count(app, model) -> int:
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("creation", CREATIONS, ids=lambda c: c.name)
def test_a_retry_with_the_same_key_gets_the_first_response_and_creates_nothing(app, client, cast, creation):
    path, actor, body, _ = creation.prepare(client, cast)
    headers = {**actor.headers, "Idempotency-Key": "retry-1"}
    first = client.post(path, headers=headers, json=body)
    assert first.status_code == 201, first.get_json()
    rows = count(app, creation.model)

    retry = client.post(path, headers=headers, json=dict(reversed(list(body.items()))))  # same data
    assert retry.status_code == 201
    assert retry.get_json() == first.get_json()
    for header in ("Location", "ETag", "Content-Type"):
        assert retry.headers.get(header) == first.headers.get(header)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert count(app, creation.model) == rows


@pytest.mark.parametrize("creation", CREATIONS, ids=lambda c: c.name)
def test_the_same_key_with_another_body_is_a_422(app, client, cast, creation):
    path, actor, body, other = creation.prepare(client, cast)
    headers = {**actor.headers, "Idempotency-Key": "retry-2"}
    assert client.post(path, headers=headers, json=body).status_code == 201
    rows = count(app, creation.model)
    body = problem(client.post(path, headers=headers, json=other), 422)
    assert "Idempotency-Key" in body["detail"]
    assert count(app, creation.model) == rows


def test_another_callers_same_key_is_independent(app, client, cast):
    first = client.post(RFQS, headers={**cast.buyer.headers, "Idempotency-Key": "k"}, json=rfq_body())
    second = client.post(RFQS, headers={**cast.other_buyer.headers, "Idempotency-Key": "k"}, json=rfq_body())
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"]
    assert "Idempotent-Replayed" not in second.headers


def test_a_failed_request_leaves_no_key(app, client, cast):
    headers = {**cast.buyer.headers, "Idempotency-Key": "after-a-fix"}
    assert client.post(RFQS, headers=headers, json=rfq_body(quantity="-1")).status_code == 422
    assert count(app, IdempotencyKey) == 0
    assert client.post(RFQS, headers=headers, json=rfq_body()).status_code == 201


def test_without_the_header_each_post_creates(app, client, cast):
    for _ in range(2):
        assert client.post(RFQS, headers=cast.buyer.headers, json=rfq_body()).status_code == 201
    assert count(app, Rfq) == 2


def test_a_retried_key_issue_creates_no_second_key_and_never_shows_the_secret_again(app, client, cast):
    headers = {**cast.admin.headers, "Idempotency-Key": "issue-1"}
    body = {"name": "erp", "role": "buyer", "organisation_id": cast.buyer.organisation_id}
    first = client.post("/api/v1/api-keys", headers=headers, json=body)
    assert first.status_code == 201
    keys = count(app, ApiKey)
    with app.extensions["db_sessionmaker"]() as session:
        assert session.scalar(select(IdempotencyKey.body)) is None  # the secret is not kept
    response = client.post("/api/v1/api-keys", headers=headers, json=body)
    assert "key" not in problem(response, 409)
    assert response.headers["Location"] == f"/api/v1/api-keys/{first.get_json()['id']}" == first.headers["Location"]
    assert count(app, ApiKey) == keys


def test_keys_expire_after_24_hours_and_the_worker_purges_them(app, client, cast):
    headers = {**cast.buyer.headers, "Idempotency-Key": "old"}
    assert client.post(RFQS, headers=headers, json=rfq_body()).status_code == 201
    with unit_of_work(app.extensions["db_sessionmaker"]) as session:
        row = session.scalar(select(IdempotencyKey))
        assert timedelta(hours=23, minutes=59) < row.expires_at - utc_now() <= timedelta(hours=24)
        session.execute(update(IdempotencyKey).values(expires_at=utc_now() - timedelta(seconds=1)))
    with unit_of_work(app.extensions["db_sessionmaker"]) as session:
        assert purge_expired_idempotency_keys(session) == 1
    assert count(app, IdempotencyKey) == 0
    again = client.post(RFQS, headers=headers, json=rfq_body())
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert count(app, Rfq) == 2


def test_an_overlong_key_is_a_422(client, cast):
    response = client.post(RFQS, headers={**cast.buyer.headers, "Idempotency-Key": "k" * 256}, json=rfq_body())
    assert "Idempotency-Key" in problem(response, 422)["detail"]


def test_the_spec_documents_the_header_on_every_creating_post(app):
    with app.test_client() as client:
        spec = client.get("/openapi.json").get_json()
    creating = [("/api/v1/organisations", "post"), ("/api/v1/api-keys", "post"), ("/api/v1/suppliers", "post"),
                ("/api/v1/rfqs", "post"), ("/api/v1/rfqs/{rfq_id}/invitations", "post"),
                ("/api/v1/rfqs/{rfq_id}/quotes", "post")]
    for path, method in creating:
        names = [p.get("name") for p in spec["paths"][path][method].get("parameters", [])]
        assert "Idempotency-Key" in names, path


def test_a_concurrent_retry_waits_for_the_first_then_gets_a_409_and_creates_nothing(app, client, cast):
    if app.extensions["db_engine"].dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: no two requests hold a key at once")
    headers = {**cast.buyer.headers, "Idempotency-Key": "racing"}
    # The first request, still running: its claim is flushed, not committed.
    with app.extensions["db_sessionmaker"]() as first:
        first.add(IdempotencyKey(api_key_id=cast.buyer.key_id, key="racing", fingerprint="x" * 64,
                                 expires_at=utc_now() + timedelta(hours=24)))
        first.flush()
        with ThreadPoolExecutor(1) as pool:
            retry = pool.submit(lambda: app.test_client().post(RFQS, headers=headers, json=rfq_body()))
            time.sleep(0.5)
            assert not retry.done()  # it waits on the first request's claim
            first.commit()
            response = retry.result(timeout=10)
    assert "Idempotency-Key" in problem(response, 409)["detail"]
    assert count(app, Rfq) == 0
