"""/api/v1/admin/search-outbox: admins list failed or pending rows, page through them, retry them."""

from __future__ import annotations

from datetime import timedelta

import jsonschema
import pytest
from factories import ANONYMOUS, issue_admin_key, onboard, problem
from outbox_support import outbox_rows
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from api.db import utc_now
from api.models import SearchOutbox
from api.pagination import encode_cursor

URL = "/api/v1/admin/search-outbox"
RETRY_URL = f"{URL}/retry"


@pytest.fixture()
def admin(app):
    return issue_admin_key(app)


@pytest.fixture()
def rows(app) -> dict[str, list[int]]:
    """Three parked rows, one waiting for its next attempt, two never tried; ids by kind."""
    now = utc_now()
    kinds = {
        "failed": [dict(attempts=5, last_error="400 document_parsing_exception: x", failed_at=now)] * 3,
        "waiting": [dict(attempts=2, last_error="400 document_parsing_exception: y",
                         next_attempt_at=now + timedelta(seconds=20))],
        "new": [dict(attempts=0)] * 2,
    }
    ids: dict[str, list[int]] = {}
    with app.extensions["db_sessionmaker"]() as session:
        for kind, states in kinds.items():
            added = [SearchOutbox(entity_type="supplier", entity_id=f"{kind}-{i}", version=i + 1, **state)
                     for i, state in enumerate(states)]
            session.add_all(added)
            session.flush()
            ids[kind] = [row.id for row in added]
        session.commit()
    return ids


def listed(client, admin, query: str = "") -> list[int]:
    """Ids of every row the listing shows, following next_cursor."""
    ids, cursor = [], None
    for _ in range(20):
        response = client.get(f"{URL}?{query}" + (f"&cursor={cursor}" if cursor else ""), headers=admin.headers)
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("more pages than rows")


def test_failed_rows_are_listed_by_default_oldest_first_with_what_went_wrong(client, admin, rows):
    body = client.get(URL, headers=admin.headers).get_json()
    assert [item["id"] for item in body["items"]] == rows["failed"]
    assert body["next_cursor"] is None
    first = body["items"][0]
    assert first.keys() == {"id", "entity_type", "entity_id", "version", "attempts", "last_error",
                            "created_at", "next_attempt_at", "failed_at"}
    assert (first["entity_id"], first["attempts"], first["next_attempt_at"]) == ("failed-0", 5, None)
    assert first["last_error"] == "400 document_parsing_exception: x" and first["failed_at"]


def test_pending_rows_include_those_waiting_for_a_retry(client, admin, rows):
    assert listed(client, admin, "state=pending") == rows["waiting"] + rows["new"]


@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_pages_follow_the_cursor_without_gaps_or_repeats(client, admin, rows, page_size):
    assert listed(client, admin, f"state=failed&page_size={page_size}") == rows["failed"]
    first = client.get(f"{URL}?page_size={page_size}", headers=admin.headers).get_json()
    assert len(first["items"]) == page_size
    assert (first["next_cursor"] is None) == (page_size == 3)  # a full last page says it is the last


@pytest.mark.parametrize("query, field", [
    ("state=done", "state"), ("page_size=0", "page_size"), ("cursor=nonsense", "cursor"),
    (f"cursor={encode_cursor(['1'])}", "cursor"), (f"cursor={encode_cursor([2**64])}", "cursor"),
    ("unknown=1", "unknown"),
])
def test_bad_queries_are_422_naming_the_parameter(client, admin, query, field):
    body = problem(client.get(f"{URL}?{query}", headers=admin.headers), 422)
    assert field in {error["field"] for error in body["errors"]}


def test_retry_without_ids_makes_every_failed_row_pending_again(app, client, admin, rows):
    response = client.post(RETRY_URL, headers=admin.headers)
    assert response.status_code == 200 and response.get_json() == {"retried": 3}
    by_id = {row.id: row for row in outbox_rows(app)}
    for row_id in rows["failed"]:
        row = by_id[row_id]
        assert (row.attempts, row.failed_at, row.next_attempt_at) == (0, None, None)
        assert row.last_error  # kept until the row is pushed: why it had been parked
    assert by_id[rows["waiting"][0]].attempts == 2  # not asked for
    assert listed(client, admin) == []


def test_retry_with_ids_resets_those_rows_only(app, client, admin, rows):
    asked = [rows["failed"][0], rows["waiting"][0], rows["new"][0], 10**9]
    response = client.post(RETRY_URL, json={"ids": asked}, headers=admin.headers)
    # the never-tried row has nothing to reset, the unknown id is no row
    assert response.get_json() == {"retried": 2}
    by_id = {row.id: row for row in outbox_rows(app)}
    assert [(by_id[i].attempts, by_id[i].next_attempt_at) for i in asked[:2]] == [(0, None), (0, None)]
    assert listed(client, admin) == rows["failed"][1:]


@pytest.mark.parametrize("body", [{"ids": []}, {"ids": ["1"]}, {"ids": [0]}, {"ids": [2**63]}, {"other": 1}])
def test_bad_retry_bodies_are_422(client, admin, rows, body):
    problem(client.post(RETRY_URL, json=body, headers=admin.headers), 422)


@pytest.mark.parametrize("role, status", [(None, 401), ("buyer", 403), ("supplier", 403)])
def test_only_admins_see_or_retry_the_outbox(app, client, admin, rows, role, status):
    actor = onboard(client, admin, role) if role else ANONYMOUS
    problem(client.get(URL, headers=actor.headers), status)
    problem(client.post(RETRY_URL, json={}, headers=actor.headers), status)
    assert listed(client, admin) == rows["failed"]  # nothing retried


def test_responses_match_the_documented_schemas(client, admin, rows):
    spec = client.get("/openapi.json").get_json()
    registry = Registry().with_resource("urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012))

    def validate(body: dict, component: str) -> None:
        schema = {"$ref": f"urn:spec#/components/schemas/{component}"}
        jsonschema.Draft202012Validator(schema, registry=registry).validate(body)

    validate(client.get(f"{URL}?state=pending&page_size=1", headers=admin.headers).get_json(),
             "SearchOutboxPage")
    validate(client.post(RETRY_URL, headers=admin.headers).get_json(), "SearchOutboxRetried")
