"""No lost updates: of several writers holding the same ETag, exactly one wins.

The losers get 412, read again, reapply their change with the new ETag, and
then every change is stored. Runs on SQLite and, with TEST_DATABASE_URL, on
PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest

from api.suppliers import resources
from factories import (
    TransactionLog,
    World,
    create_supplier,
    problem,
    read_supplier,
)

# Changes to different fields of one profile, as different clients would send them.
CHANGES = [
    {"description": "Tournage et fraisage de pièces de sécurité."},
    {"employees": 57},
    {"founded_year": 1991},
    {"trade_name": "Seine Précision"},
    {"website": "https://seine-precision.example"},
    {"sectors": ["energy", "rail"]},
    {"contacts": [{"name": "Paul Durand", "email": "paul.durand@seine-precision.example"}]},
    {"sites": [{"city": "Elbeuf", "postal_code": "76500", "latitude": 49.29, "longitude": 1.01}]},
]

WRITE_ONLY = {"id", "organisation_id", "version", "created_at", "updated_at"}


@pytest.fixture()
def world(app, client) -> World:
    return World.build(app, client)


def stored(profile: dict, change: dict) -> bool:
    """Whether `profile` holds `change` (sites compared on the fields sent)."""
    for field, value in change.items():
        if field == "sites":
            if [{k: site[k] for k in value[0]} for site in profile["sites"]] != value:
                return False
        elif field == "contacts":
            if [{k: c[k] for k in value[0]} for c in profile["contacts"]] != value:
                return False
        elif profile[field] != value:
            return False
    return True


def write_body(profile: dict, change: dict) -> dict:
    """A PUT body: the profile as read, with one change applied (read-modify-write)."""
    body = {k: v for k, v in profile.items() if k not in WRITE_ONLY}
    body["sites"] = [{k: v for k, v in site.items() if k != "department"} for site in body["sites"]]
    return {**body, **change}


def send(client, method: str, url: str, headers: dict, profile: dict, change: dict):
    body = change if method == "PATCH" else write_body(profile, change)
    return client.open(url, method=method, headers=headers, json=body)


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_of_two_clients_with_the_same_etag_one_wins_and_the_other_retries(app, world, method):
    alice, bob = app.test_client(), app.test_client()
    url = f"/api/v1/suppliers/{world.supplier['id']}"
    alice_change, bob_change = CHANGES[0], CHANGES[1]
    profile_a, etag_a = read_supplier(alice, world.supplier["id"], world.owner)
    profile_b, etag_b = read_supplier(bob, world.supplier["id"], world.admin)
    assert etag_a == etag_b

    first = send(alice, method, url, world.owner.with_etag(etag_a), profile_a, alice_change)
    second = send(bob, method, url, world.admin.with_etag(etag_b), profile_b, bob_change)

    assert first.status_code == 200, first.get_json()
    problem(second, 412)
    after_conflict, _ = read_supplier(bob, world.supplier["id"], world.admin)
    assert stored(after_conflict, alice_change)
    assert not stored(after_conflict, bob_change)

    # Bob reads again and reapplies his change: nothing is lost.
    fresh, fresh_etag = read_supplier(bob, world.supplier["id"], world.admin)
    retry = send(bob, method, url, world.admin.with_etag(fresh_etag), fresh, bob_change)
    assert retry.status_code == 200, retry.get_json()
    final, _ = read_supplier(alice, world.supplier["id"], world.owner)
    assert stored(final, alice_change) and stored(final, bob_change)
    assert final["version"] == world.supplier["version"] + 2


@pytest.mark.parametrize("ours, theirs", [
    (CHANGES[0], CHANGES[1]),   # two columns of the profile row
    (CHANGES[7], CHANGES[6]),   # sites against contacts (child rows)
    (CHANGES[7], {"sites": [{"city": "Cléon", "postal_code": "76410",
                             "latitude": 49.31, "longitude": 1.03}]}),
], ids=["fields", "sites vs contacts", "sites vs sites"])
def test_a_change_committed_after_our_etag_check_still_makes_ours_412(
        app, client, world, monkeypatch, ours, theirs):
    """The ETag check and the write are not atomic: the versioned UPDATE must catch the gap."""
    url = f"/api/v1/suppliers/{world.supplier['id']}"
    other_client = app.test_client()
    original_editable = resources.editable

    def editable_then_someone_else_writes(supplier_id):
        supplier = original_editable(supplier_id)  # our If-Match was current at this point
        monkeypatch.setattr(resources, "editable", original_editable)
        # Another thread, so that the other request has its own app context and session
        # (a request made from inside this one would share ours).
        theirs_response = []
        writer = threading.Thread(target=lambda: theirs_response.append(
            other_client.patch(url, headers=world.admin.with_etag(world.etag), json=theirs)))
        writer.start()
        writer.join(timeout=30)
        assert theirs_response and theirs_response[0].status_code == 200, theirs_response
        return supplier

    monkeypatch.setattr(resources, "editable", editable_then_someone_else_writes)

    response = client.patch(url, headers=world.owner.with_etag(world.etag), json=ours)

    problem(response, 412)
    final, _ = read_supplier(client, world.supplier["id"], world.admin)
    assert stored(final, theirs) and not stored(final, ours)
    assert final["version"] == world.supplier["version"] + 1
    history = client.get(f"{url}/history", headers=world.admin.headers).get_json()["items"]
    assert [h["action"] for h in history] == ["created", "updated"]


def patch_all_at_once(app, url: str, headers: dict, changes: list[dict]) -> list:
    """Each change sent by its own client and thread, released together."""
    barrier = threading.Barrier(len(changes))
    responses: list = [None] * len(changes)

    def run(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        try:
            responses[i] = client.patch(url, headers=headers, json=changes[i])
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            responses[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(changes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return responses


@pytest.mark.parametrize("writers", [2, 4, len(CHANGES)])
@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_writers_with_the_same_etag_exactly_one_wins(app, client, world, writers, attempt):
    supplier, etag = create_supplier(client, world.admin, organisation_id=None)
    url = f"/api/v1/suppliers/{supplier['id']}"
    changes = CHANGES[:writers]

    with TransactionLog(app) as log:
        responses = patch_all_at_once(app, url, world.admin.with_etag(etag), changes)

    statuses = [getattr(r, "status_code", r) for r in responses]
    assert sorted(statuses) == [200] + [412] * (writers - 1), statuses
    for response in responses:
        if response.status_code == 412:
            problem(response, 412)
    winner = statuses.index(200)
    final, final_etag = read_supplier(client, supplier["id"], world.admin)
    assert final["version"] == supplier["version"] + 1
    assert final_etag == responses[winner].headers["ETag"]
    assert [stored(final, change) for change in changes] == [i == winner for i in range(writers)]
    assert len(log.transactions_of(supplier["id"])) == 1, "a losing writer committed something"

    # every loser retries with the fresh ETag: all changes end up stored
    for i, change in enumerate(changes):
        if i != winner:
            _, fresh_etag = read_supplier(client, supplier["id"], world.admin)
            retry = client.patch(url, headers=world.admin.with_etag(fresh_etag), json=change)
            assert retry.status_code == 200, retry.get_json()
    final, _ = read_supplier(client, supplier["id"], world.admin)
    assert all(stored(final, change) for change in changes)
    assert final["version"] == supplier["version"] + writers
