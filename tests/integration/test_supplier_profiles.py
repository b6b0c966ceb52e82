"""Supplier profiles: validation, geocoding, contacts, ETags, history, events, listing."""

from __future__ import annotations

import base64
import json

import pytest

from factories import (
    ANONYMOUS,
    REMOVE,
    World,
    create_supplier,
    edited,
    error_fields,
    events_of,
    TransactionLog,
    french_vat_number,
    new_siren,
    new_siret,
    problem,
    read_supplier,
    stored_state,
    supplier_body,
    with_wrong_checksum,
)


@pytest.fixture()
def world(app, client) -> World:
    return World.build(app, client)


def supplier_url(supplier_id: str) -> str:
    return f"/api/v1/suppliers/{supplier_id}"


# --- validation -----------------------------------------------------------------------------

def vat_with_wrong_key(siren: str) -> str:
    right = french_vat_number(siren)
    return f"FR{(int(right[2:4]) + 1) % 97:02d}{siren}"


# (what is wrong, dotted path to change in a valid body, new value, field named in the error)
BAD_BODIES = [
    ("SIRET checksum", "siret", with_wrong_checksum(new_siret()), "siret"),
    ("SIRET too short", "siret", "1234567", "siret"),
    ("SIRET with letters", "siret", "4120000A000012", "siret"),
    ("SIREN checksum", "siren", with_wrong_checksum(new_siren()), "siren"),
    ("VAT key not matching the SIREN", "vat_number", vat_with_wrong_key(new_siren()), "vat_number"),
    ("VAT nonsense", "vat_number", "not-a-vat", "vat_number"),
    ("French company without SIRET or SIREN", "siret", REMOVE, "siret"),
    ("unknown country", "country", "XX", "country"),
    ("three-letter country", "country", "FRA", "country"),
    ("unknown site country", "sites.0.country", "ZZ", "sites.0.country"),
    ("latitude above 90", "sites.0.latitude", 91.0, "sites.0.latitude"),
    ("latitude below -90", "sites.0.latitude", -90.5, "sites.0.latitude"),
    ("longitude beyond 180", "sites.0.longitude", 180.01, "sites.0.longitude"),
    ("latitude without longitude", "sites.0.longitude", None, "sites.0.latitude"),
    ("4-digit French postal code", "sites.0.postal_code", "7641", "sites.0.postal_code"),
    ("French postal code with a letter", "sites.0.postal_code", "7641O", "sites.0.postal_code"),
    ("site without city", "sites.0.city", REMOVE, "sites.0.city"),
    ("no site at all", "sites", [], "sites"),
    ("sites missing", "sites", REMOVE, "sites"),
    ("certificate expiring before it starts", "certifications.0.valid_until", "2023-12-31",
     "certifications.0.valid_until"),
    ("certificate date not a date", "certifications.0.valid_from", "15/01/2024",
     "certifications.0.valid_from"),
    ("unknown certification type", "certifications.0.type", "iso-99999", "certifications.0.type"),
    ("unknown capability", "capabilities.0.code", "machining.teleportation", "capabilities.0.code"),
    ("unknown sector", "sectors", ["automotive", "basket-weaving"], "sectors.1"),
    ("unknown first sector", "sectors", ["basket-weaving"], "sectors.0"),
    ("unknown digital capability", "digital", ["telepathy"], "digital.0"),
    ("empty legal name", "legal_name", "", "legal_name"),
    ("legal name over 200 characters", "legal_name", "S" * 201, "legal_name"),
    ("legal name missing", "legal_name", REMOVE, "legal_name"),
    ("description over 5000 characters", "description", "d" * 5001, "description"),
    ("website not a URL", "website", "usinage seine", "website"),
    ("website not http(s)", "website", "ftp://files.usinage-seine.example", "website"),
    ("contact e-mail malformed", "contacts.0.email", "claire.martin-at-example.com", "contacts.0.email"),
    ("contact phone malformed", "contacts.0.phone", "call me", "contacts.0.phone"),
    ("contact without name", "contacts.0.name", REMOVE, "contacts.0.name"),
    ("NAF code malformed", "naf_code", "2562", "naf_code"),
    ("negative employee count", "employees", -1, "employees"),
    ("founded before 1800", "founded_year", 1650, "founded_year"),
    ("founded in the future", "founded_year", 3000, "founded_year"),
    ("unknown field", "bogus", "x", "bogus"),
    ("unknown field in a site", "sites.0.bogus", "x", "sites.0.bogus"),
]


def bad_body_params():
    return [pytest.param(path, value, field, id=what) for what, path, value, field in BAD_BODIES]


def assert_rejected(response, field: str) -> None:
    body = problem(response, 422)
    assert field in error_fields(body), body
    assert all(error["location"] == "json" for error in body["errors"])
    assert field in body["detail"]


@pytest.mark.parametrize("path, value, field", bad_body_params())
def test_creating_an_invalid_profile_is_422_naming_the_field(app, client, world, path, value, field):
    before = stored_state(app)

    response = client.post("/api/v1/suppliers", headers=world.admin.headers,
                           json=edited(supplier_body(), path, value))

    assert_rejected(response, field)
    assert stored_state(app) == before


@pytest.mark.parametrize("path, value, field", bad_body_params())
def test_replacing_with_an_invalid_profile_is_422_and_changes_nothing(app, client, world, path, value, field):
    before = stored_state(app)
    body = edited(supplier_body(siret=world.supplier["siret"]), path, value)

    response = client.put(supplier_url(world.supplier["id"]), headers=world.owner.with_etag(world.etag),
                          json=body)

    assert_rejected(response, field)
    assert stored_state(app) == before
    assert read_supplier(client, world.supplier["id"], world.owner)[1] == world.etag


@pytest.mark.parametrize("patch, field", [
    ({"siret": with_wrong_checksum(new_siret())}, "siret"),
    ({"sites": [{"city": "Cléon", "postal_code": "764"}]}, "sites.0.postal_code"),
    ({"certifications": [{"type": "iso-9001", "valid_from": "2025-01-01", "valid_until": "2024-01-01"}]},
     "certifications.0.valid_until"),
    ({"capabilities": [{"code": "no.such.capability"}]}, "capabilities.0.code"),
    ({"legal_name": None}, "legal_name"),
    ({"siret": None, "siren": None}, "siret"),
    ({"contacts": [{"name": "Claire", "email": "nope"}]}, "contacts.0.email"),
    ({"bogus": 1}, "bogus"),
], ids=["SIRET checksum", "postal code", "certificate dates", "unknown capability", "legal name null",
        "removing the SIRET and SIREN of a French company", "contact e-mail", "unknown field"])
def test_patching_applies_the_same_rules(app, client, world, patch, field):
    """PATCH checks the profile as it would be stored, not just the fields sent."""
    before = stored_state(app)

    response = client.patch(supplier_url(world.supplier["id"]), headers=world.owner.with_etag(world.etag),
                            json=patch)

    assert_rejected(response, field)
    assert stored_state(app) == before


def test_a_siret_already_registered_is_409(app, client, world):
    before = stored_state(app)

    response = client.post("/api/v1/suppliers", headers=world.admin.headers,
                           json=supplier_body(siret=world.supplier["siret"]))

    problem(response, 409)
    assert stored_state(app) == before


def test_taking_another_profiles_siret_by_patch_is_409(client, world):
    other, _ = create_supplier(client, world.admin)

    response = client.patch(supplier_url(world.supplier["id"]), headers=world.owner.with_etag(world.etag),
                            json={"siret": other["siret"]})

    problem(response, 409)


def test_correcting_the_siret_by_patch_updates_the_siren(client, world):
    corrected = new_siret()

    response = client.patch(supplier_url(world.supplier["id"]), headers=world.owner.with_etag(world.etag),
                            json={"siret": corrected})

    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["siret"], response.get_json()["siren"]) == (corrected, corrected[:9])


def test_a_siret_is_normalised_and_gives_the_siren(client, world):
    siret = new_siret()
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"

    response = client.post("/api/v1/suppliers", headers=world.admin.headers, json=supplier_body(siret=spaced))

    assert response.status_code == 201
    assert (response.get_json()["siret"], response.get_json()["siren"]) == (siret, siret[:9])


def test_a_french_company_may_give_its_siren_only(client, world):
    siren = new_siren()
    body = edited(supplier_body(siren=siren), "siret", REMOVE)

    response = client.post("/api/v1/suppliers", headers=world.admin.headers, json=body)

    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["siren"], response.get_json()["siret"]) == (siren, None)


def test_a_foreign_company_needs_no_siret(client, world):
    body = edited(supplier_body(country="DE", vat_number="DE136695976",
                                sites=[{"city": "Köln", "postal_code": "50667", "country": "DE"}]),
                  "siret", REMOVE)

    response = client.post("/api/v1/suppliers", headers=world.admin.headers, json=body)

    assert response.status_code == 201, response.get_json()
    site = response.get_json()["sites"][0]
    assert site["latitude"] == pytest.approx(50.94, abs=0.05)
    assert site["department"] is None


def test_a_siret_and_the_matching_vat_number_are_accepted(client, world):
    siret = new_siret()

    response = client.post("/api/v1/suppliers", headers=world.admin.headers,
                           json=supplier_body(siret=siret, vat_number=french_vat_number(siret[:9])))

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["vat_number"] == french_vat_number(siret[:9])


def test_a_siren_not_matching_the_siret_is_422(client, world):
    response = client.post("/api/v1/suppliers", headers=world.admin.headers,
                           json=supplier_body(siret=new_siret(), siren=new_siren()))

    assert_rejected(response, "siren")


# --- geocoding -----------------------------------------------------------------------------


def test_a_site_without_coordinates_is_located_from_city_and_postal_code(client, world):
    sites = [{"name": "Usine", "city": "Cléon", "postal_code": "76410", "country": "FR"},
             {"name": "Dépôt", "city": "Louviers", "postal_code": "27400", "country": "FR"}]

    response = client.post("/api/v1/suppliers", headers=world.admin.headers, json=supplier_body(sites=sites))

    assert response.status_code == 201, response.get_json()
    cleon, louviers = response.get_json()["sites"]
    assert cleon["latitude"] == pytest.approx(49.3124, abs=0.01)
    assert cleon["longitude"] == pytest.approx(1.0295, abs=0.01)
    assert cleon["department"] == "76"
    assert louviers["department"] == "27"
    assert louviers["latitude"] == pytest.approx(49.215, abs=0.02)


def test_given_coordinates_are_kept(client, world):
    site = {"city": "Cléon", "postal_code": "76410", "latitude": 49.30, "longitude": 1.04}

    stored = client.post("/api/v1/suppliers", headers=world.admin.headers,
                         json=supplier_body(sites=[site])).get_json()["sites"][0]

    assert (stored["latitude"], stored["longitude"], stored["department"]) == (49.30, 1.04, "76")


@pytest.mark.parametrize("site", [
    {"city": "Nulle-Part-sur-Mer", "postal_code": "76999"},
    {"city": "Nulle-Part-sur-Mer"},
    {"city": "Cléon", "postal_code": "13001"},  # Cléon is not in Marseille
], ids=["unknown city and code", "unknown city", "city not at that postal code"])
def test_an_unknown_place_is_422_never_zero_zero(app, client, world, site):
    before = stored_state(app)

    response = client.post("/api/v1/suppliers", headers=world.admin.headers,
                           json=supplier_body(sites=[site]))

    assert_rejected(response, "sites.0.city")
    assert stored_state(app) == before


def test_patching_sites_locates_them_too(client, world):
    response = client.patch(supplier_url(world.supplier["id"]), headers=world.owner.with_etag(world.etag),
                            json={"sites": [{"city": "Elbeuf", "postal_code": "76500"}]})

    assert response.status_code == 200, response.get_json()
    site = response.get_json()["sites"][0]
    assert site["department"] == "76"
    assert site["latitude"] == pytest.approx(49.29, abs=0.05)
    assert site["longitude"] == pytest.approx(1.01, abs=0.05)


# --- contacts are personal data ------------------------------------------------------------------

SEES_CONTACTS = {"anonymous": False, "other_supplier": False, "buyer": True, "owner": True, "admin": True}


@pytest.mark.parametrize("actor, sees", SEES_CONTACTS.items())
def test_contacts_are_shown_to_buyers_admins_and_the_owner_only(client, world, actor, sees):
    headers = world.actors[actor].headers

    profile = client.get(supplier_url(world.supplier["id"]), headers=headers).get_json()
    listed = client.get("/api/v1/suppliers", headers=headers).get_json()["items"]

    assert profile["legal_name"] == world.supplier["legal_name"]
    assert profile["sites"] and profile["certifications"]
    assert ("contacts" in profile) == sees
    assert [("contacts" in item) for item in listed] == [sees]
    if sees:
        assert profile["contacts"][0]["email"] == "claire.martin@usinage-seine.example"
    else:
        assert "claire.martin" not in json.dumps(listed) + json.dumps(profile)


# --- ETags ---------------------------------------------------------------------------------------


def test_get_returns_the_etag_and_304_when_unchanged(client, world):
    url = supplier_url(world.supplier["id"])
    owner = world.owner.headers  # sees the contacts, as the admin who created it does: same tag
    first = client.get(url, headers=owner)
    assert first.headers["ETag"] == world.etag

    assert client.get(url, headers={**owner, "If-None-Match": world.etag}).status_code == 304

    client.patch(url, headers=world.owner.with_etag(world.etag), json={"employees": 43})
    refreshed = client.get(url, headers={**owner, "If-None-Match": world.etag})
    assert refreshed.status_code == 200
    assert refreshed.get_json()["employees"] == 43


def test_the_etag_changes_with_every_committed_change_only(client, world):
    url = supplier_url(world.supplier["id"])
    etags = [world.etag]
    for change in ({"employees": 44}, {"description": "Rectification."}, {"sectors": ["energy"]},
                   {"employees": 42}):
        response = client.patch(url, headers=world.owner.with_etag(etags[-1]), json=change)
        assert response.status_code == 200
        assert response.headers["ETag"] == client.get(url, headers=world.owner.headers).headers["ETag"]
        etags.append(response.headers["ETag"])
    assert len(set(etags)) == len(etags), "an ETag was reused (employees went back to 42)"

    rejected = client.patch(url, headers=world.owner.with_etag(etags[-1]), json={"employees": -5})
    assert rejected.status_code == 422
    assert client.get(url, headers=world.owner.headers).headers["ETag"] == etags[-1]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_updates_need_if_match(app, client, world, method):
    body = {"PUT": supplier_body(siret=world.supplier["siret"]), "PATCH": {"employees": 7}}.get(method)
    before = stored_state(app)

    response = client.open(supplier_url(world.supplier["id"]), method=method, headers=world.admin.headers,
                           json=body)

    assert "If-Match" in problem(response, 428)["detail"]
    assert stored_state(app) == before


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_stale_etag_is_412(app, client, world, method):
    url = supplier_url(world.supplier["id"])
    client.patch(url, headers=world.owner.with_etag(world.etag), json={"employees": 60})
    body = {"PUT": supplier_body(siret=world.supplier["siret"]), "PATCH": {"employees": 7}}.get(method)
    before = stored_state(app)

    response = client.open(url, method=method, headers=world.admin.with_etag(world.etag), json=body)

    problem(response, 412)
    assert stored_state(app) == before
    assert client.get(url).get_json()["employees"] == 60


def test_put_replaces_the_whole_profile(client, world):
    body = edited(supplier_body(siret=world.supplier["siret"], capabilities=[], contacts=[]),
                  "trade_name", REMOVE)

    response = client.put(supplier_url(world.supplier["id"]), headers=world.owner.with_etag(world.etag),
                          json=body)

    assert response.status_code == 200, response.get_json()
    stored = read_supplier(client, world.supplier["id"], world.owner)[0]
    assert stored["trade_name"] is None
    assert stored["capabilities"] == [] and stored["contacts"] == []
    assert stored["version"] == world.supplier["version"] + 1


def test_a_profile_read_and_put_back_is_unchanged_even_for_a_site_placed_from_its_city(client, world):
    url = supplier_url(world.supplier["id"])
    placed = client.patch(url, headers=world.owner.with_etag(world.etag),
                          json={"sites": [{"city": "Louviers"}]})  # no postal code, no coordinates
    site = placed.get_json()["sites"][0]
    assert site["department"] == "27" and site["latitude"] is not None

    read, etag = read_supplier(client, world.supplier["id"], world.owner)
    sent = {key: value for key, value in read.items() if key not in ("id", "organisation_id", "version",
                                                                     "created_at", "updated_at")}
    sent["sites"] = [{k: v for k, v in s.items() if k != "department"} for s in sent["sites"]]
    response = client.put(url, headers=world.owner.with_etag(etag), json=sent)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["sites"] == read["sites"]  # the department is kept


def test_patch_changes_only_the_fields_sent(client, world):
    response = client.patch(supplier_url(world.supplier["id"]), headers=world.owner.with_etag(world.etag),
                            json={"employees": 80, "digital": ["edi", "e-invoicing"]})

    assert response.status_code == 200, response.get_json()
    stored = read_supplier(client, world.supplier["id"], world.owner)[0]
    assert (stored["employees"], stored["digital"]) == (80, ["edi", "e-invoicing"])
    changed = {"employees", "digital", "version", "updated_at"}
    unchanged = {k: v for k, v in stored.items() if k not in changed}
    assert unchanged == {k: v for k, v in world.supplier.items() if k in unchanged}


# --- history, events, outbox ------------------------------------------------------------------------


def test_history_lists_who_changed_which_fields(client, world):
    url = supplier_url(world.supplier["id"])
    etag = client.patch(url, headers=world.owner.with_etag(world.etag),
                        json={"employees": 45, "description": "Usinage 5 axes."}).headers["ETag"]
    client.patch(url, headers=world.admin.with_etag(etag), json={"sectors": ["automotive"]})

    history = client.get(f"{url}/history", headers=world.owner.headers).get_json()["items"]

    assert [(h["action"], h["actor_role"]) for h in history] == [
        ("created", "admin"), ("updated", "supplier"), ("updated", "admin")]
    assert [h["version"] for h in history] == [1, 2, 3]
    created, by_owner, by_admin = history
    assert {"legal_name", "siret", "sites", "contacts"} <= set(created["changes"])
    assert set(by_owner["changes"]) == {"employees", "description"}
    assert by_owner["changes"]["employees"] == {"from": 42, "to": 45}
    assert by_owner["actor_organisation_id"] == world.owner.organisation_id
    assert by_owner["actor_key_id"] == world.owner.key_id
    assert by_admin["changes"] == {"sectors": {"from": ["automotive", "aerospace"], "to": ["automotive"]}}


def test_each_change_appends_an_event(app, client, world):
    supplier_id = world.supplier["id"]
    url = supplier_url(supplier_id)
    patched = client.patch(url, headers=world.owner.with_etag(world.etag), json={"employees": 46})
    assert client.delete(url, headers=world.admin.with_etag(patched.headers["ETag"])).status_code == 204

    events = events_of(app, supplier_id)
    assert [e.type for e in events] == ["supplier.created", "supplier.updated", "supplier.deleted"]
    assert [e.actor_role for e in events] == ["admin", "supplier", "admin"]
    assert [e.actor_organisation_id for e in events] == [None, world.owner.organisation_id, None]
    assert all(e.entity_type == "supplier" for e in events)
    assert events[1].data["changed_fields"] == ["employees"]


def test_history_event_and_outbox_row_are_committed_with_the_change(app, client, world):
    with TransactionLog(app) as log:
        created, etag = create_supplier(client, world.admin)
        url = supplier_url(created["id"])
        etag = client.patch(url, headers=world.admin.with_etag(etag), json={"employees": 46}).headers["ETag"]
        assert client.delete(url, headers=world.admin.with_etag(etag)).status_code == 204

    recorded = {("new", "SupplierChange"), ("new", "Event"), ("new", "SearchOutbox")}
    assert log.transactions_of(created["id"]) == [
        {("new", "Supplier")} | recorded,
        {("dirty", "Supplier")} | recorded,
        {("deleted", "Supplier")} | recorded,
    ]


@pytest.mark.parametrize("failure", ["stale ETag", "invalid body", "forbidden"])
def test_a_failed_change_writes_no_event_and_no_outbox_row(app, client, world, failure):
    actor, etag, patch = {
        "stale ETag": (world.owner, '"0000"', {"employees": 47}),
        "invalid body": (world.owner, world.etag, {"capabilities": [{"code": "nope"}]}),
        "forbidden": (world.other_supplier, world.etag, {"employees": 47}),
    }[failure]

    with TransactionLog(app) as log:
        response = client.patch(supplier_url(world.supplier["id"]), headers=actor.with_etag(etag), json=patch)

    assert response.status_code in (403, 412, 422)
    assert log.transactions_of(world.supplier["id"]) == []
    assert [e.type for e in events_of(app, world.supplier["id"])] == ["supplier.created"]


def test_deleting_a_profile_keeps_its_history(client, world):
    url = supplier_url(world.supplier["id"])

    assert client.delete(url, headers=world.admin.with_etag(world.etag)).status_code == 204

    problem(client.get(url), 404)
    history = client.get(f"{url}/history", headers=world.admin.headers)
    assert history.status_code == 200
    assert [h["action"] for h in history.get_json()["items"]] == ["created", "deleted"]
    deleted = history.get_json()["items"][-1]
    assert deleted["actor_role"] == "admin"
    assert "legal_name" in deleted["changes"] and deleted["changes"]["legal_name"]["to"] is None
    # the SIRET is free again
    again = client.post("/api/v1/suppliers", headers=world.admin.headers,
                        json=supplier_body(siret=world.supplier["siret"]))
    assert again.status_code == 201


def test_history_of_an_unknown_profile_is_404(client, world):
    problem(client.get("/api/v1/suppliers/no-such-supplier/history", headers=world.admin.headers), 404)


# --- listing -------------------------------------------------------------------------------------


def walk(client, actor, page_size: int, **query) -> list[list[str]]:
    """Follow next_cursor to the end; returns the ids page by page."""
    pages, cursor = [], None
    while True:
        params = {"page_size": page_size, **query, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/suppliers", headers=actor.headers, query_string=params)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 50, "pagination does not end"


@pytest.mark.parametrize("count, page_size", [(7, 3), (6, 3), (1, 100)])
def test_pagination_walks_every_supplier_exactly_once(client, world, count, page_size):
    ids = {world.supplier["id"]} | {create_supplier(client, world.admin)[0]["id"] for _ in range(count - 1)}

    pages = walk(client, ANONYMOUS, page_size)

    seen = [supplier_id for page in pages for supplier_id in page]
    assert sorted(seen) == sorted(ids)
    assert all(len(page) <= page_size for page in pages)
    assert len([page for page in pages if page]) == -(-count // page_size)


def test_updated_since_returns_only_what_changed_since(client, world):
    untouched, _ = create_supplier(client, world.admin)
    changed, etag = create_supplier(client, world.admin)
    later, _ = create_supplier(client, world.admin)
    response = client.patch(supplier_url(changed["id"]), headers=world.admin.with_etag(etag),
                            json={"employees": 12})
    since = response.get_json()["updated_at"]

    assert walk(client, ANONYMOUS, 10, updated_since=since) == [[changed["id"]]]
    everything = walk(client, ANONYMOUS, 10, updated_since=world.supplier["created_at"])[0]
    assert set(everything) == {world.supplier["id"], untouched["id"], changed["id"], later["id"]}
    # oldest change first: the patched profile comes last
    assert everything[-1] == changed["id"]


def _cursor(position) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


@pytest.mark.parametrize("cursor", [
    "not-a-cursor",
    "%%%",
    _cursor({"updated_at": "2024-01-01T00:00:00+00:00"}),
    _cursor([]),
    _cursor(["yesterday", "x"]),
    _cursor([12, "x"]),
    _cursor(["2024-01-01T00:00:00", "x"]),
    _cursor(["0001-01-01T00:00:00+05:00", "x"]),
], ids=["garbage", "not base64", "an object", "empty list", "not a date", "a number", "a date without zone",
        "a date before year 1 in UTC"])
def test_a_cursor_the_api_did_not_issue_is_422_naming_cursor(client, world, cursor):
    response = client.get("/api/v1/suppliers", query_string={"cursor": cursor})

    body = problem(response, 422)
    assert {(e["location"], e["field"]) for e in body["errors"]} == {("query", "cursor")}


@pytest.mark.parametrize("query, field", [
    ({"page_size": 0}, "page_size"),
    ({"page_size": 101}, "page_size"),
    ({"page_size": "ten"}, "page_size"),
    ({"updated_since": "last week"}, "updated_since"),
    ({"updated_since": "2024-01-01T00:00:00"}, "updated_since"),  # no time zone
    ({"updated_since": "0001-01-01T00:00:00+05:00"}, "updated_since"),  # before year 1 in UTC
    ({"updated_since": "9999-12-31T23:00:00-05:00"}, "updated_since"),  # after year 9999 in UTC
    ({"colour": "red"}, "colour"),
])
def test_invalid_list_parameters_are_422(client, world, query, field):
    body = problem(client.get("/api/v1/suppliers", query_string=query), 422)

    assert field in error_fields(body)
