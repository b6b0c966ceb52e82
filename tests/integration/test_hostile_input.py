"""Hostile input (issue 10): each case with the status it gets, and nothing stored by a refusal."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta

import pytest

from factories import supplier_body
from rfq_support import (
    EVENTS, RFQS, act, instant_feed, quote_body, rfq_body, rfq_path, rfq_rows, stage, today,
)

BODY_METHODS = {"POST", "PUT", "PATCH"}


@pytest.fixture(autouse=True)
def _instant_feed(monkeypatch):
    instant_feed(monkeypatch)


def concrete(rule: str) -> str:
    return re.sub(r"<[^>]+>", "x", rule)


def routes(app, methods):
    return sorted({(method, concrete(rule.rule)) for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/api/v1") for method in rule.methods & methods})


def problem_fields(response) -> set:
    return {error["field"] for error in response.get_json().get("errors", [])}


def test_a_quote_of_1e20_is_refused_and_the_quotes_still_list(client, cast):
    staged = stage(client, cast, "published", quoting=())
    before = rfq_rows(client.application)
    response = client.post(rfq_path(staged.id, "quotes"), headers=cast.invited.headers,
                           json=quote_body(unit_price="1e20", quantity="1e20"))
    assert response.status_code == 422
    assert {"unit_price", "quantity"} <= problem_fields(response)
    assert rfq_rows(client.application) == before
    assert client.get(rfq_path(staged.id, "quotes"), headers=cast.buyer.headers).status_code == 200


def test_more_decimal_places_than_the_column_holds_are_refused_not_rounded(client, cast):
    staged = stage(client, cast, "published", quoting=())
    response = client.post(rfq_path(staged.id, "quotes"), headers=cast.invited.headers,
                           json=quote_body(unit_price="12.50001"))
    assert response.status_code == 422 and problem_fields(response) == {"unit_price"}


@pytest.mark.parametrize("depth", [33, 10_000])
def test_deep_json_is_400_on_every_body_operation_before_authentication(app, client, depth):
    body = "[" * depth + "]" * depth
    for method, path in routes(app, BODY_METHODS):
        response = client.open(path, method=method, data=body, content_type="application/json")
        assert response.status_code == 400, (method, path)
        assert "32 levels" in response.get_json()["detail"]


def test_too_many_values_is_413(client):
    response = client.post("/api/v1/rfqs", data=json.dumps([0] * 10_001), content_type="application/json")
    assert response.status_code == 413


@pytest.mark.parametrize("text", ["\ud800", "a\x00b"])
def test_unstorable_text_is_422_naming_the_field_on_each_write(client, cast, text):
    staged = stage(client, cast, "published", quoting=())
    supplier_id = cast.supplier_id("invited")
    writes = [
        ("POST", "/api/v1/organisations", {"name": text, "kind": "buyer"}, cast.admin, "name"),
        ("POST", "/api/v1/api-keys", {"name": text, "role": "admin"}, cast.admin, "name"),
        ("POST", "/api/v1/suppliers", supplier_body(legal_name=text), cast.admin, "legal_name"),
        ("PATCH", f"/api/v1/suppliers/{supplier_id}", {"description": text}, cast.admin, "description"),
        ("POST", RFQS, rfq_body(title=text), cast.buyer, "title"),
        ("POST", rfq_path(staged.id, "quotes"), quote_body(notes=text), cast.invited, "notes"),
        ("POST", rfq_path(staged.id, "decline"), {"reason": "other", "comment": text}, cast.competitor,
         "comment"),
        ("POST", RFQS, rfq_body(required_capabilities=[text]), cast.buyer, "required_capabilities.0"),
    ]
    before = rfq_rows(client.application)
    for method, path, body, actor, field in writes:
        response = client.open(path, method=method, data=json.dumps(body), headers=actor.headers,
                               content_type="application/json")
        assert response.status_code == 422, (path, response.get_json())
        assert problem_fields(response) == {field}
    assert rfq_rows(client.application) == before


def test_unstorable_text_in_a_query_parameter_is_422(client):
    response = client.get("/api/v1/search/suggest?q=a%00b")
    assert response.status_code == 422 and problem_fields(response) == {"q"}


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize("after", [cursor(f"[{2**64}]"), cursor("[" * 5000 + "]" * 5000), "", "0",
                                   cursor("[NaN]")])
def test_a_bad_events_cursor_is_422_naming_after(client, cast, after):
    response = client.get(f"{EVENTS}?after={after}", headers=cast.admin.headers)
    assert response.status_code == 422 and problem_fields(response) == {"after"}


@pytest.mark.parametrize("value", ["", "0"])
def test_an_empty_or_junk_cursor_is_422_naming_cursor(client, cast, value):
    response = client.get(f"/api/v1/suppliers?cursor={value}", headers=cast.admin.headers)
    assert response.status_code == 422 and problem_fields(response) == {"cursor"}


def test_fractions_are_refused_where_integers_are_expected(client, cast):
    assert client.post("/api/v1/suppliers", json=supplier_body(employees=1.5),
                       headers=cast.admin.headers).status_code == 422
    staged = stage(client, cast, "published", quoting=())
    response = client.post(rfq_path(staged.id, "quotes"), headers=cast.invited.headers,
                           json=quote_body(lead_time_days=20.9))
    assert response.status_code == 422 and problem_fields(response) == {"lead_time_days"}


def test_every_get_operation_refuses_unknown_query_parameters(app, client, cast):
    for _method, path in routes(app, {"GET"}):
        response = client.get(f"{path}?bogus=1", headers=cast.admin.headers)
        assert response.status_code == 422, path
        assert "bogus" in problem_fields(response), path


def test_a_quote_past_its_validity_is_refused(client, cast):
    staged = stage(client, cast, "published", quoting=())
    response = client.post(rfq_path(staged.id, "quotes"), headers=cast.invited.headers,
                           json=quote_body(valid_until=(today() - timedelta(days=1)).isoformat()))
    assert response.status_code == 422 and problem_fields(response) == {"valid_until"}


def test_a_quote_for_part_of_the_quantity_is_refused(client, cast):
    staged = stage(client, cast, "published", quoting=())
    response = client.post(rfq_path(staged.id, "quotes"), headers=cast.invited.headers,
                           json=quote_body(quantity="1"))
    assert response.status_code == 422 and problem_fields(response) == {"quantity"}


def test_a_sealed_rfq_cancelled_before_closing_never_shows_its_quotes(client, cast):
    staged = stage(client, cast, "published", sealed=True)
    act(client, cast.buyer, staged.id, "cancel")
    response = client.get(rfq_path(staged.id, "quotes"), headers=cast.buyer.headers)
    assert response.status_code == 403
    quote_id = staged.quotes["invited"]["id"]
    assert client.get(rfq_path(staged.id, "quotes", quote_id), headers=cast.buyer.headers).status_code == 403


def test_the_last_active_admin_key_cannot_be_revoked(client, cast):
    response = client.delete(f"/api/v1/api-keys/{cast.admin.key_id}", headers=cast.admin.headers)
    assert response.status_code == 409 and "last active admin key" in response.get_json()["detail"]
    second = client.post("/api/v1/api-keys", json={"name": "second", "role": "admin"},
                         headers=cast.admin.headers).get_json()
    assert client.delete(f"/api/v1/api-keys/{cast.admin.key_id}", headers=cast.admin.headers).status_code == 204
    assert client.delete(f"/api/v1/api-keys/{second['id']}",
                         headers={"Authorization": f"Bearer {second['key']}"}).status_code == 409


@pytest.mark.parametrize("shared", [False, True])
def test_the_budget_is_the_buyers_unless_shared(client, cast, shared):
    staged = stage(client, cast, "published", quoting=(), budget="50000.00", budget_visible=shared)
    seen = {name: client.get(rfq_path(staged.id), headers=cast.actor(name).headers).get_json()["budget"]
            for name in ("buyer", "admin", "invited")}
    assert seen == {"buyer": "50000.00", "admin": "50000.00", "invited": "50000.00" if shared else None}
