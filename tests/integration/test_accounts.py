"""Organisations and API keys: issued by operators, shown once, stored hashed, revocable."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.models import ApiKey
from factories import (
    ANONYMOUS,
    Actor,
    create_key,
    create_organisation,
    error_fields,
    issue_admin_key,
    onboard,
    problem,
)


@pytest.fixture()
def admin(app) -> Actor:
    return issue_admin_key(app)


def whoami(client, key: str):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})


def stored_key_rows(app) -> list[dict]:
    with app.extensions["db_engine"].connect() as connection:
        return [dict(row._mapping) for row in connection.execute(select(ApiKey.__table__))]


# --- the command line ------------------------------------------------------------------


def test_cli_prints_an_admin_key_that_authenticates(app, client):
    result = app.test_cli_runner().invoke(args=["keys", "create", "--role", "admin"])

    assert result.exit_code == 0, result.output
    plain_key = result.output.strip()
    response = whoami(client, plain_key)
    assert response.status_code == 200
    assert response.get_json()["role"] == "admin"
    assert response.get_json()["organisation_id"] is None


def test_cli_issues_a_supplier_key_for_its_organisation(app, client, admin):
    organisation = create_organisation(client, admin, "supplier")

    result = app.test_cli_runner().invoke(
        args=["keys", "create", "--role", "supplier", "--organisation", organisation["id"]])

    assert result.exit_code == 0, result.output
    me = whoami(client, result.output.strip()).get_json()
    assert (me["role"], me["organisation_id"]) == ("supplier", organisation["id"])


def test_cli_refuses_a_supplier_key_without_organisation(app):
    result = app.test_cli_runner().invoke(args=["keys", "create", "--role", "supplier"])

    assert result.exit_code != 0
    assert "organisation" in result.output


# --- keys at rest ------------------------------------------------------------------------


def test_keys_are_stored_hashed_never_in_plain(app, client, admin):
    supplier = onboard(client, admin, "supplier")
    cli_key = app.test_cli_runner().invoke(args=["keys", "create", "--role", "admin"]).output.strip()

    rows = stored_key_rows(app)
    assert len(rows) == 3
    for plain_key in (admin.key, supplier.key, cli_key):
        for row in rows:
            for column, value in row.items():
                assert plain_key not in str(value), f"plain key found in api_keys.{column}"


def test_the_key_is_shown_once_at_creation_and_never_listed(client, admin):
    organisation = create_organisation(client, admin, "buyer")
    issued = create_key(client, admin, "buyer", organisation["id"], name="SAP Ariba connector")

    assert issued["key"]
    assert issued["key"].startswith(issued["prefix"])
    assert (issued["name"], issued["role"], issued["organisation_id"]) == (
        "SAP Ariba connector", "buyer", organisation["id"])

    listed = client.get("/api/v1/api-keys", headers=admin.headers).get_json()["items"]
    mine = next(item for item in listed if item["id"] == issued["id"])
    assert "key" not in mine
    assert issued["key"] not in str(listed)


def test_an_admin_issues_another_admin_key_without_naming_an_organisation(client, admin):
    response = client.post("/api/v1/api-keys", headers=admin.headers,
                           json={"name": "second operator", "role": "admin"})

    assert response.status_code == 201
    issued = response.get_json()
    assert (issued["role"], issued["organisation_id"]) == ("admin", None)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued['key']}"}).get_json()
    assert me["role"] == "admin"


def test_last_used_time_is_recorded_when_a_key_writes_and_reads_leave_it(client, admin):
    buyer = onboard(client, admin, "buyer")

    def last_used():
        keys = client.get("/api/v1/api-keys", headers=admin.headers).get_json()["items"]
        return next(item for item in keys if item["id"] == buyer.key_id)["last_used_at"]

    assert last_used() is None
    assert client.get("/api/v1/me", headers=buyer.headers).status_code == 200
    assert last_used() is None  # a read never writes
    assert client.delete(f"/api/v1/api-keys/{buyer.key_id}", headers=buyer.headers).status_code == 204
    assert last_used() is not None


# --- who am I ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["buyer", "supplier"])
def test_me_tells_the_role_and_organisation_of_the_key(client, admin, kind):
    actor = onboard(client, admin, kind)

    me = client.get("/api/v1/me", headers=actor.headers).get_json()

    assert me == {"role": kind, "organisation_id": actor.organisation_id, "key_id": actor.key_id}


# --- organisations ---------------------------------------------------------------------------


def test_admin_onboards_and_lists_organisations(client, admin):
    buyer = create_organisation(client, admin, "buyer", "Renault Cléon")
    supplier = create_organisation(client, admin, "supplier", "Usinage Seine")

    assert (buyer["name"], buyer["kind"]) == ("Renault Cléon", "buyer")
    listed = client.get("/api/v1/organisations", headers=admin.headers)
    assert listed.status_code == 200
    assert {o["id"] for o in listed.get_json()["items"]} == {buyer["id"], supplier["id"]}


@pytest.mark.parametrize("body, field", [
    ({"name": "Acme", "kind": "distributor"}, "kind"),
    ({"name": "", "kind": "buyer"}, "name"),
    ({"kind": "buyer"}, "name"),
    ({"name": "Acme", "kind": "buyer", "website": "https://acme.example"}, "website"),
], ids=["unknown kind", "empty name", "missing name", "unknown field"])
def test_invalid_organisation_is_422_naming_the_field(client, admin, body, field):
    response = client.post("/api/v1/organisations", headers=admin.headers, json=body)

    assert field in error_fields(problem(response, 422))


@pytest.mark.parametrize("reader, status", [
    ("admin", 200),
    ("member", 200),
    ("another organisation", 404),
    ("anonymous", 401),
])
def test_an_organisation_is_shown_to_admins_and_its_own_keys(client, admin, reader, status):
    member = onboard(client, admin, "supplier", "member")
    actors = {"admin": admin, "member": member, "anonymous": ANONYMOUS,
              "another organisation": onboard(client, admin, "buyer")}

    response = client.get(f"/api/v1/organisations/{member.organisation_id}", headers=actors[reader].headers)

    assert response.status_code == status
    if status == 200:
        assert response.get_json()["id"] == member.organisation_id


# --- issuing and listing keys -----------------------------------------------------------------


@pytest.mark.parametrize("role, organisation_kind, field", [
    ("supplier", None, "organisation_id"),
    ("buyer", None, "organisation_id"),
    ("admin", "supplier", "organisation_id"),
    ("supplier", "buyer", "role"),
    ("buyer", "supplier", "role"),
    ("superuser", None, "role"),
], ids=["supplier key without organisation", "buyer key without organisation",
        "admin key tied to an organisation", "supplier key for a buyer organisation",
        "buyer key for a supplier organisation", "unknown role"])
def test_a_key_must_fit_its_organisation(client, admin, role, organisation_kind, field):
    organisation_id = None
    if organisation_kind:
        organisation_id = create_organisation(client, admin, organisation_kind)["id"]

    response = client.post("/api/v1/api-keys", headers=admin.headers,
                           json={"name": "k", "role": role, "organisation_id": organisation_id})

    assert field in error_fields(problem(response, 422))


def test_a_key_for_an_unknown_organisation_is_422(client, admin):
    response = client.post("/api/v1/api-keys", headers=admin.headers,
                           json={"name": "k", "role": "buyer", "organisation_id": "no-such-organisation"})

    assert "organisation_id" in error_fields(problem(response, 422))


def test_non_admins_list_only_their_own_organisations_keys(client, admin):
    supplier = onboard(client, admin, "supplier")
    second_key = create_key(client, admin, "supplier", supplier.organisation_id)
    buyer = onboard(client, admin, "buyer")

    def listed(actor, **query):
        response = client.get("/api/v1/api-keys", headers=actor.headers, query_string=query)
        assert response.status_code == 200
        return {item["id"] for item in response.get_json()["items"]}

    assert listed(supplier) == {supplier.key_id, second_key["id"]}
    # asking for another organisation's keys does not widen what a non-admin sees
    assert listed(supplier, organisation_id=buyer.organisation_id) == {supplier.key_id, second_key["id"]}
    assert listed(admin) == {admin.key_id, supplier.key_id, second_key["id"], buyer.key_id}
    assert listed(admin, organisation_id=buyer.organisation_id) == {buyer.key_id}
    assert client.get("/api/v1/api-keys").status_code == 401


# --- revocation and bad credentials --------------------------------------------------------------


@pytest.mark.parametrize("revoker", ["admin", "owning organisation"])
def test_a_revoked_key_no_longer_authenticates(client, admin, revoker):
    supplier = onboard(client, admin, "supplier")
    spare = create_key(client, admin, "supplier", supplier.organisation_id)
    assert whoami(client, spare["key"]).status_code == 200

    by = admin if revoker == "admin" else supplier
    assert client.delete(f"/api/v1/api-keys/{spare['id']}", headers=by.headers).status_code == 204

    response = whoami(client, spare["key"])
    problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    keys = client.get("/api/v1/api-keys", headers=admin.headers).get_json()["items"]
    assert next(k for k in keys if k["id"] == spare["id"])["revoked_at"] is not None
    # the organisation's other key still works
    assert whoami(client, supplier.key).status_code == 200


def test_revoking_twice_is_harmless_and_an_unknown_key_is_404(client, admin):
    buyer = onboard(client, admin, "buyer")

    assert client.delete(f"/api/v1/api-keys/{buyer.key_id}", headers=admin.headers).status_code == 204
    assert client.delete(f"/api/v1/api-keys/{buyer.key_id}", headers=admin.headers).status_code == 204
    problem(client.delete("/api/v1/api-keys/no-such-key", headers=admin.headers), 404)


@pytest.mark.parametrize("authorization", [
    "Bearer psk_not-a-key-we-issued",
    "Bearer garbage",
    "Bearer ",
    "Basic YWRtaW46YWRtaW4=",
    "psk_without_scheme",
], ids=["unknown key", "garbage", "empty bearer", "basic auth", "no scheme"])
def test_bad_credentials_are_401_with_www_authenticate(client, authorization):
    response = client.get("/api/v1/me", headers={"Authorization": authorization})

    problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_me_is_401_with_www_authenticate(client):
    response = client.get("/api/v1/me")

    problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
