"""Responses built without the schema (for speed) still match what the spec documents."""

import jsonschema
import pytest
from factories import create_supplier, issue_admin_key
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

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
    assert response.get_json()["total"] >= 0
    validator(response.get_json(), "SupplierSearchResult")
