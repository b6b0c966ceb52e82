"""Seed data (the demo's and the benchmarks') goes through the same records as the API's rules.

Suppliers written by api.generator must look, through the API, like suppliers
created through it: a `created` history entry, a `supplier.created` event in
the feed, an outbox row that makes them searchable once drained.
"""

from __future__ import annotations

import pytest
from factories import events_of, issue_admin_key, read_supplier, request_body_of
from integration.search_support import empty_index, refresh, search_all
from sqlalchemy import select

from api import generator, transaction
from api.generator.writing import creation_records
from api.models import SearchOutbox, Supplier
from api.search import sync

SEEDED = 300
SEED = 42
UNTRACKED = {"version", "created_at", "updated_at"}
SYSTEM = {"actor_role": "system", "actor_organisation_id": None}


@pytest.fixture()
def seeded(app) -> list[str]:
    """The ids of SEEDED suppliers written by the generator (batches of 128) into the test database."""
    generator.write(app.extensions["db_engine"], SEEDED, seed=SEED, region="rouen", batch_size=128)
    with app.extensions["db_sessionmaker"]() as session:
        ids = sorted(session.scalars(select(Supplier.id)))
    assert len(ids) == SEEDED
    return ids


@pytest.fixture()
def admin(app):
    return issue_admin_key(app)


def created_changes(profile: dict) -> dict:
    """The changes of a creation: every field the profile shows, from nothing (None fields are not changes)."""
    return {field: {"from": None, "to": value} for field, value in profile.items()
            if field not in UNTRACKED and value is not None}


def test_each_seeded_supplier_has_one_created_entry_equal_to_the_profile_shown(client, seeded, admin):
    for supplier_id in seeded:
        profile, _ = read_supplier(client, supplier_id, admin)
        response = client.get(f"/api/v1/suppliers/{supplier_id}/history", headers=admin.headers)
        assert response.status_code == 200, response.get_json()
        [entry] = response.get_json()["items"]
        assert (entry["action"], entry["version"]) == ("created", 1)
        assert (entry["actor_role"], entry["actor_key_id"], entry["actor_organisation_id"]) == ("system", None, None)
        assert entry["changes"] == created_changes(profile)
        assert entry["changed_at"] == profile["created_at"]


def test_the_feed_lists_a_supplier_created_event_per_seeded_supplier(client, seeded, admin):
    events, cursor = [], None
    while True:
        response = client.get("/api/v1/events", query_string={"limit": 500, **({"after": cursor} if cursor else {})},
                              headers=admin.headers)
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        if not page["items"]:
            break
        events += page["items"]
        cursor = page["next_cursor"]
    assert sorted(event["entity_id"] for event in events) == seeded
    for event in events:
        assert (event["type"], event["entity_type"]) == ("supplier.created", "supplier")
        assert {key: event[key] for key in SYSTEM} == SYSTEM
        assert event["data"]["supplier_id"] == event["entity_id"] and event["data"]["version"] == 1
    profile, _ = read_supplier(client, events[0]["entity_id"], admin)
    assert events[0]["data"]["changed_fields"] == sorted(created_changes(profile))


def test_draining_the_outbox_makes_every_seeded_supplier_searchable(app, client, seeded):
    empty_index(app)
    with app.app_context():
        session = transaction.session()
        outbox = session.execute(select(SearchOutbox.entity_type, SearchOutbox.entity_id, SearchOutbox.version)).all()
        assert sorted(outbox) == [("supplier", supplier_id, 1) for supplier_id in seeded]
        assert len(sync.drain(session, sync.supplier_index()).pushed) == SEEDED
        assert session.scalars(select(SearchOutbox)).all() == []
    refresh(app)
    try:
        _, hits = search_all(client, [("page_size", "100")])
        assert sorted(hit["id"] for hit in hits) == seeded
    finally:
        empty_index(app)


def test_the_generator_records_a_creation_as_the_api_does(app, client, admin):
    """The same profile created through the API: the same changes, event and outbox version.

    (Only the id, which the API assigns, and the actor differ.)"""
    generated = generator.Generator(SEED).supplier(SEEDED)
    seeded = creation_records(generated)
    response = client.post("/api/v1/suppliers", headers=admin.headers, json=request_body_of(generated))
    assert response.status_code == 201, response.get_json()
    created_id = response.get_json()["id"]
    [entry] = client.get(f"/api/v1/suppliers/{created_id}/history", headers=admin.headers).get_json()["items"]
    [event] = events_of(app, created_id)

    def without_id(changes: dict) -> dict:
        return {field: change for field, change in changes.items() if field != "id"}

    assert without_id(entry["changes"]) == without_id(seeded.history["changes"])
    assert (entry["action"], entry["version"]) == (seeded.history["action"], seeded.history["version"])
    assert (event.type, event.entity_type, event.public) == \
        (seeded.event["type"], seeded.event["entity_type"], seeded.event["public"])
    assert event.data == {**seeded.event["data"], "supplier_id": created_id}
    assert seeded.outbox == {"entity_type": "supplier", "entity_id": generated["supplier"]["id"], "version": 1}


def test_the_demo_prints_keys_and_its_suppliers_have_a_history(app, client):
    try:
        result = app.test_cli_runner().invoke(args=["demo", "load", "--suppliers", "40"])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        admin_key = lines[next(i for i, line in enumerate(lines) if line.strip().startswith("admin ")) + 1].strip()
        headers = {"Authorization": f"Bearer {admin_key}"}
        suppliers = client.get("/api/v1/suppliers", query_string={"page_size": 100}, headers=headers).get_json()
        assert len(suppliers["items"]) == 40
        for supplier in suppliers["items"]:
            response = client.get(f"/api/v1/suppliers/{supplier['id']}/history", headers=headers)
            assert response.status_code == 200, response.get_json()
            assert response.get_json()["items"][0]["action"] == "created"
    finally:
        empty_index(app)
