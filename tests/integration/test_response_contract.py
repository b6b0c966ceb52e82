"""Responses match what the published spec documents (search builds its answer without the schema)."""

import json

import jsonschema
import pytest
from factories import create_supplier, issue_admin_key
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from rfq_support import Cast, instant_feed, stage

SEARCHES = [
    "",
    "?q=usinage&near=Cléon&radius_km=80",
    "?capability=machining&certification=iatf-16949&valid_on=2026-06-01&lat=49.3&lon=1.0",
    "?local_first=true&min_results=1&near=76500&sort=distance",
]


@pytest.fixture()
def validator(client):
    spec = client.get("/openapi.json").get_json()
    registry = Registry().with_resource("urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012))

    def validate(body: dict, component: str) -> None:
        schema = {"$ref": f"urn:spec#/components/schemas/{component}"}
        jsonschema.Draft202012Validator(schema, registry=registry).validate(body)

    return validate


@pytest.mark.parametrize("params", SEARCHES)
def test_search_results_match_the_documented_schema(app, client, supplier_index, validator, params):
    admin = issue_admin_key(app)
    create_supplier(client, admin)
    supplier_index.refresh()

    response = client.get(f"/api/v1/search/suppliers{params}")

    assert response.status_code == 200
    validator(response.get_json(), "SupplierSearchResult")


def test_geojson_matches_its_documented_schema_and_features_have_ids(app, client, supplier_index, validator):
    admin = issue_admin_key(app)
    create_supplier(client, admin)
    supplier_index.refresh()

    response = client.get("/api/v1/search/suppliers?near=Cléon", headers={"Accept": "application/geo+json"})

    collection = json.loads(response.get_data(as_text=True))
    validator(collection, "SupplierFeatureCollection")
    ids = [feature["id"] for feature in collection["features"]]
    assert len(ids) == len(set(ids)) == 1


def test_rfqs_quotes_matches_and_events_match_the_documented_schemas(app, client, supplier_index, validator,
                                                                     monkeypatch):
    instant_feed(monkeypatch)
    cast = Cast.build(app, client)
    supplier_index.refresh()
    staged = stage(client, cast, "awarded")
    buyer = cast.buyer.headers

    validator(client.get(f"/api/v1/rfqs/{staged.id}", headers=buyer).get_json(), "Rfq")
    validator(client.get(f"/api/v1/rfqs/{staged.id}/quotes", headers=buyer).get_json(), "QuoteList")
    validator(client.get(f"/api/v1/rfqs/{staged.id}/invitations", headers=buyer).get_json(), "InvitationList")
    validator(client.get(f"/api/v1/rfqs/{staged.id}/matches?include_partial=true", headers=buyer).get_json(),
              "MatchPage")
    validator(client.get("/api/v1/events", headers=buyer).get_json(), "EventPage")
