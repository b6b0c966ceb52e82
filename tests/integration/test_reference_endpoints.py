"""Reference data endpoints: complete, bilingual, public and cacheable.

Expected contents are read straight from the shipped data files, not through
`api.reference.catalog`, so a loader bug cannot hide behind itself.
"""

import csv
import json
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[2] / "api" / "reference" / "data"
PROBLEM = "application/problem+json"
ENDPOINTS = ["/api/v1/capabilities", "/api/v1/capabilities?view=tree", "/api/v1/capabilities/tree",
             "/api/v1/certification-types",
             "/api/v1/sectors", "/api/v1/digital-capabilities"]


def csv_rows():
    with (DATA_DIR / "capabilities.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def json_codes(name):
    return [item["code"] for item in json.loads((DATA_DIR / name).read_text(encoding="utf-8"))]


def walk(nodes, parent=None):
    """(node, parent code) for every node of a tree, depth first."""
    for node in nodes:
        yield node, parent
        yield from walk(node["children"], node["code"])


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_flat_capabilities_list_every_csv_row_in_order_in_both_languages(client):
    rows = csv_rows()
    body = get_ok(client, "/api/v1/capabilities")
    assert [c["code"] for c in body] == [r["code"] for r in rows]
    assert [c["parent"] for c in body] == [r["parent"] or None for r in rows]
    assert all(c["label_fr"] and c["label_en"] for c in body)
    depth = {c["code"]: c["depth"] for c in body}
    assert all(c["depth"] == (0 if c["parent"] is None else depth[c["parent"]] + 1) for c in body)
    assert get_ok(client, "/api/v1/capabilities?view=flat") == body


def test_tree_holds_every_node_once_under_its_parent(client):
    parent_in_csv = {r["code"]: r["parent"] or None for r in csv_rows()}
    pairs = list(walk(get_ok(client, "/api/v1/capabilities?view=tree")))
    assert len(pairs) == len(get_ok(client, "/api/v1/capabilities")) == len(parent_in_csv)
    assert {node["code"]: parent for node, parent in pairs} == parent_in_csv
    assert all(node["label_fr"] and node["label_en"] for node, _ in pairs)
    assert get_ok(client, "/api/v1/capabilities/tree") == get_ok(client, "/api/v1/capabilities?view=tree")


def test_five_axis_milling_appears_in_both_views(client):
    flat = {c["code"]: c for c in get_ok(client, "/api/v1/capabilities")}
    assert flat["machining.milling.5axis"] == {
        "code": "machining.milling.5axis", "parent": "machining.milling", "depth": 2,
        "label_fr": "Fraisage 5 axes", "label_en": "5-axis milling"}
    tree = {node["code"]: node for node, _ in walk(get_ok(client, "/api/v1/capabilities?view=tree"))}
    assert "machining.milling.5axis" in [c["code"] for c in tree["machining.milling"]["children"]]
    assert tree["machining.milling.5axis"]["label_fr"] == "Fraisage 5 axes"
    assert tree["machining.milling.5axis"]["label_en"] == "5-axis milling"


@pytest.mark.parametrize("url, data_file, fields", [
    ("/api/v1/certification-types", "certification_types.json", {"code", "name", "description", "sectors"}),
    ("/api/v1/sectors", "sectors.json", {"code", "label_fr", "label_en"}),
    ("/api/v1/digital-capabilities", "digital_capabilities.json", {"code", "label_fr", "label_en", "description"}),
])
def test_lists_match_their_data_file(client, url, data_file, fields):
    body = get_ok(client, url)
    assert [item["code"] for item in body] == json_codes(data_file)
    assert all(set(item) == fields for item in body)


def test_certification_types_name_known_sectors(client):
    sectors = set(json_codes("sectors.json"))
    certifications = get_ok(client, "/api/v1/certification-types")
    assert all(c["sectors"] and set(c["sectors"]) <= sectors for c in certifications)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_responses_are_public_and_cacheable(client, url):
    response = client.get(url)  # no credentials
    assert response.status_code == 200
    assert response.cache_control.public and response.cache_control.max_age == 3600
    etag, _ = response.get_etag()
    assert etag

    again = client.get(url, headers={"If-None-Match": f'"{etag}"'})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.cache_control.public and again.cache_control.max_age == 3600

    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_flat_and_tree_views_have_different_etags(client):
    flat_etag = client.get("/api/v1/capabilities").headers["ETag"]
    tree_etag = client.get("/api/v1/capabilities?view=tree").headers["ETag"]
    assert flat_etag != tree_etag
    assert client.get("/api/v1/capabilities", headers={"If-None-Match": tree_etag}).status_code == 200


@pytest.mark.parametrize("query, field", [("view=bogus", "view"), ("unknown=1", "unknown")])
def test_bad_query_parameters_are_422_problems_naming_the_parameter(client, query, field):
    response = client.get(f"/api/v1/capabilities?{query}")
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == 422
    assert [(e["location"], e["field"]) for e in body["errors"]] == [("query", field)]
    assert response.headers["Cache-Control"] == "no-store"  # an error is never cached
