"""No one sees or changes what is not theirs: who may call each mutating endpoint.

The expected statuses are written out by hand, one row per endpoint, one column
per kind of caller. A supplier may change its own profile and nothing else;
buyers only read; organisations, keys and deletions are the operators' (admins').
"""

from __future__ import annotations

import pytest

from factories import (
    World,
    create_key,
    create_supplier,
    error_fields,
    problem,
    stored_state,
    supplier_body,
)

ACTORS = ("anonymous", "other_supplier", "buyer", "owner", "admin")

MATRIX = {
    # endpoint                          anonymous  other_supplier  buyer  owner  admin
    "POST /suppliers":                  (401,      403,            403,   403,   201),
    "PUT /suppliers/{id}":              (401,      403,            403,   200,   200),
    "PATCH /suppliers/{id}":            (401,      403,            403,   200,   200),
    "DELETE /suppliers/{id}":           (401,      403,            403,   403,   204),
    "GET /suppliers/{id}/history":      (401,      403,            403,   200,   200),
    "POST /organisations":              (401,      403,            403,   403,   201),
    "GET /organisations":               (401,      403,            403,   403,   200),
    "POST /api-keys":                   (401,      403,            403,   403,   201),
    # another organisation's key is hidden (404), not merely forbidden
    "DELETE /api-keys/{owner's key}":   (401,      404,            404,   204,   204),
}


def build_request(endpoint: str, world: World, spare_key_id: str) -> tuple[str, str, dict | None, bool]:
    """(method, path, JSON body, whether If-Match is sent) for one endpoint of the matrix."""
    supplier_path = f"/api/v1/suppliers/{world.supplier['id']}"
    requests = {
        "POST /suppliers": ("POST", "/api/v1/suppliers", supplier_body(), False),
        "PUT /suppliers/{id}": ("PUT", supplier_path,
                                supplier_body(siret=world.supplier["siret"], employees=55), True),
        "PATCH /suppliers/{id}": ("PATCH", supplier_path, {"description": "Now also turning."}, True),
        "DELETE /suppliers/{id}": ("DELETE", supplier_path, None, True),
        "GET /suppliers/{id}/history": ("GET", f"{supplier_path}/history", None, False),
        "POST /organisations": ("POST", "/api/v1/organisations",
                                {"name": "Newcomer", "kind": "supplier"}, False),
        "GET /organisations": ("GET", "/api/v1/organisations", None, False),
        "POST /api-keys": ("POST", "/api/v1/api-keys",
                           {"name": "extra", "role": "supplier",
                            "organisation_id": world.owner.organisation_id}, False),
        "DELETE /api-keys/{owner's key}": ("DELETE", f"/api/v1/api-keys/{spare_key_id}", None, False),
    }
    return requests[endpoint]


@pytest.fixture()
def world(app, client) -> World:
    return World.build(app, client)


@pytest.mark.parametrize("endpoint, actor, expected", [
    pytest.param(endpoint, actor, status, id=f"{endpoint} as {actor}")
    for endpoint, statuses in MATRIX.items()
    for actor, status in zip(ACTORS, statuses, strict=True)
])
def test_authorization_matrix(app, client, world, endpoint, actor, expected):
    spare_key_id = create_key(client, world.admin, "supplier", world.owner.organisation_id)["id"]
    method, path, body, sends_etag = build_request(endpoint, world, spare_key_id)
    caller = world.actors[actor]
    headers = caller.with_etag(world.etag) if sends_etag else caller.headers
    before = stored_state(app)

    response = client.open(path, method=method, headers=headers, json=body)

    assert response.status_code == expected, response.get_data(as_text=True)
    if expected == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    writes = method != "GET"
    if expected >= 400:
        problem(response, expected)
        assert stored_state(app) == before, "a denied request changed the database"
        if "/suppliers" in path:
            reread = client.get(f"/api/v1/suppliers/{world.supplier['id']}", headers=world.admin.headers)
            assert reread.get_json()["version"] == world.supplier["version"]
            assert reread.headers["ETag"] == world.etag
    else:
        assert (stored_state(app) != before) == writes


def test_a_revoked_owner_key_cannot_write(app, client, world):
    assert client.delete(f"/api/v1/api-keys/{world.owner.key_id}",
                         headers=world.admin.headers).status_code == 204
    before = stored_state(app)

    response = client.patch(f"/api/v1/suppliers/{world.supplier['id']}",
                            headers=world.owner.with_etag(world.etag), json={"employees": 1})

    problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert stored_state(app) == before


@pytest.mark.parametrize("path", ["/api/v1/suppliers", "/api/v1/me"])
def test_a_garbage_key_is_refused_even_where_anonymous_reads_are_allowed(client, path):
    response = client.get(path, headers={"Authorization": "Bearer garbage"})

    problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_owner_cannot_hand_its_profile_to_another_organisation(app, client, world):
    before = stored_state(app)

    response = client.patch(f"/api/v1/suppliers/{world.supplier['id']}",
                            headers=world.owner.with_etag(world.etag),
                            json={"organisation_id": world.other_supplier.organisation_id})

    assert "organisation_id" in error_fields(problem(response, 422))
    assert stored_state(app) == before


def test_a_supplier_key_edits_its_own_profile_after_linking_only(client, world):
    """Profiles created without an organisation are the operators' until linked."""
    unlinked, etag = create_supplier(client, world.admin)

    response = client.patch(f"/api/v1/suppliers/{unlinked['id']}",
                            headers=world.owner.with_etag(etag), json={"employees": 3})

    problem(response, 403)


@pytest.mark.parametrize("link_to, status, field", [
    ("buyer", 422, "organisation_id"),
    ("unknown", 422, "organisation_id"),
    ("owner", 409, None),  # already has a profile
], ids=["a buyer organisation", "an unknown organisation", "an organisation that has a profile"])
def test_a_profile_links_only_to_a_supplier_organisation_without_one(client, world, link_to, status, field):
    organisation_id = {"buyer": world.buyer.organisation_id, "unknown": "no-such-organisation",
                       "owner": world.owner.organisation_id}[link_to]

    response = client.post("/api/v1/suppliers", headers=world.admin.headers,
                           json=supplier_body(organisation_id=organisation_id))

    body = problem(response, status)
    if field:
        assert field in error_fields(body)


def test_writes_to_a_missing_profile_are_404(client, world):
    response = client.patch("/api/v1/suppliers/no-such-supplier",
                            headers=world.admin.with_etag(world.etag), json={"employees": 3})

    problem(response, 404)
