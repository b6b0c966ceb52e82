"""Search parameters: clear 422s for bad input, `near`, GeoJSON, cursor pagination.

Paging past 10,000 hits is not exercised with 10,000 suppliers: the search
uses `search_after` (search.query.build_search sets `search_after` and never
`from`), so Elasticsearch's from+size window (index.max_result_window) does
not apply. Here many small pages stand in for it: every hit exactly once, in
sort order, for each sort.
"""

from __future__ import annotations

import base64
import json

import pytest
from factories import error_fields, issue_admin_key, new_siret, problem
from search_support import clean_index, folded, haversine_km, refresh, search, search_all

CLEON = (49.3124, 1.0295)  # Cléon, 76410 (GeoNames)
GEOJSON = "application/geo+json"

# Name, city, postal code, latitude, longitude: a few around Cléon, some farther away.
PLACES = [
    ("Rouen", "76000", 49.4431, 1.0993), ("Elbeuf", "76500", 49.2867, 1.0029),
    ("Cléon", "76410", 49.3124, 1.0295), ("Louviers", "27400", 49.2153, 1.1656),
    ("Évreux", "27000", 49.0241, 1.1508), ("Le Havre", "76600", 49.4938, 0.1077),
    ("Caen", "14000", 49.1829, -0.3707), ("Dieppe", "76200", 49.9229, 1.0775),
]
NAMES = ["Usinage Émery", "usinage Abel", "Usinage Zoé", "Ébavurage Martin", "Ecrou Normand",
         "Atelier Œuvre", "atelier Duval", "Mécanique Leroy", "Mecanique Aubert", "Tôlerie Picard",
         "Usinage Émery", "Fonderie Caron", "Découpe Hébert", "Zinc Rouennais", "Alésage Blanc",
         "Brochage Petit", "Usinage Vasseur", "Chaudronnerie Roy", "Polissage Morel", "Peinture Lemaître",
         "Usinage Fournier", "Rectif Girard", "Outillage Bonnet", "Perçage Dupont", "Usinage Lambert"]


def profile(i: int, name: str) -> dict:
    first = PLACES[i % len(PLACES)]
    second = PLACES[(i * 3 + 1) % len(PLACES)]
    sites = [{"city": city, "postal_code": code, "country": "FR", "latitude": lat + i / 1000,
              "longitude": lon - i / 1000} for city, code, lat, lon in ([first, second] if i % 3 == 0 else [first])]
    return {"legal_name": name, "country": "FR", "siret": new_siret(), "sites": sites,
            "description": "Usinage de pièces" + (" en série" if i % 2 else ""),
            "capabilities": [{"code": "machining.milling.5axis" if i % 2 else "machining.turning.cnc"}],
            "employees": i * 7, "sectors": ["automotive"]}


@pytest.fixture(scope="module")
def suppliers(app):
    with clean_index(app):
        client, admin = app.test_client(), issue_admin_key(app)
        created = []
        for i, name in enumerate(NAMES):
            response = client.post("/api/v1/suppliers", headers=admin.headers, json=profile(i, name))
            assert response.status_code == 201, response.get_json()
            created.append(response.get_json())
        refresh(app)
        yield created


def nearest_km(supplier: dict, lat: float, lon: float) -> float:
    return min(haversine_km(lat, lon, s["latitude"], s["longitude"]) for s in supplier["sites"])


# --- 422 problems naming the parameter ------------------------------------------------------


def cursor_of(client, params) -> str:
    page = search(client, params).get_json()
    assert page["next_cursor"], page
    return page["next_cursor"]


BAD_PARAMS = [
    ("unknown parameter", {"colour": "blue"}, "colour"),
    ("misspelt parameter", {"capabilty": "machining"}, "capabilty"),
    ("lat without lon", {"lat": "49.3"}, "lon"),
    ("lon without lat", {"lon": "1.0"}, "lat"),
    ("lat not a number", {"lat": "north", "lon": "1.0"}, "lat"),
    ("lat out of range", {"lat": "91", "lon": "1.0"}, "lat"),
    ("lat not a finite number", {"lat": "nan", "lon": "1.0"}, "lat"),
    ("lon infinite", {"lat": "49", "lon": "inf"}, "lon"),
    ("radius not a finite number", {"lat": "49.3", "lon": "1.0", "radius_km": "nan"}, "radius_km"),
    ("near and lat/lon", {"near": "Cléon", "lat": "49.3", "lon": "1.0"}, "near"),
    ("unknown place", {"near": "Nowhereville-sur-Mer"}, "near"),
    ("radius without a point", {"radius_km": "50"}, "radius_km"),
    ("radius zero", {"lat": "49.3", "lon": "1.0", "radius_km": "0"}, "radius_km"),
    ("radius too large", {"lat": "49.3", "lon": "1.0", "radius_km": "100000"}, "radius_km"),
    ("page_size 0", {"page_size": "0"}, "page_size"),
    ("page_size 101", {"page_size": "101"}, "page_size"),
    ("page_size not a number", {"page_size": "ten"}, "page_size"),
    ("bad date", {"valid_on": "2025-02-30"}, "valid_on"),
    ("date in another format", {"valid_on": "30/01/2025"}, "valid_on"),
    ("unknown capability", {"capability": "machining.telepathy"}, "capability"),
    ("unknown certification", {"certification": "iso-99999"}, "certification"),
    ("unknown sector", {"sector": "piracy"}, "sector"),
    ("unknown digital code", {"digital": "telex"}, "digital"),
    ("unknown size band", {"size": "huge"}, "size"),
    ("unknown mode", {"capability": "machining", "capability_mode": "most"}, "capability_mode"),
    ("unknown sort", {"sort": "price"}, "sort"),
    ("sort by distance without a point", {"sort": "distance"}, "sort"),
    ("local_first without a point", {"local_first": "true"}, "local_first"),
    ("local_first with a radius", {"local_first": "true", "lat": "49.3", "lon": "1.0", "radius_km": "10"},
     "radius_km"),
    ("min_results 0", {"local_first": "true", "lat": "49.3", "lon": "1.0", "min_results": "0"}, "min_results"),
    ("garbage cursor", {"cursor": "not-a-cursor"}, "cursor"),
    ("cursor of valid base64 but not JSON", {"cursor": base64.urlsafe_b64encode(b"\xff\xfe").decode()}, "cursor"),
    ("cursor of JSON but not ours", {"cursor": base64.urlsafe_b64encode(b'{"a": 1}').decode()}, "cursor"),
    ("forged cursor", {"cursor": base64.urlsafe_b64encode(json.dumps(["0" * 16, None, ["a", "b"]]).encode()).decode()},
     "cursor"),
]


@pytest.mark.parametrize("params, field", [p[1:] for p in BAD_PARAMS], ids=[p[0] for p in BAD_PARAMS])
def test_bad_parameters_are_422_problems_naming_the_parameter(client, suppliers, params, field):
    body = problem(search(client, params), 422)
    assert any(f == field or f.startswith(f"{field}.") for f in error_fields(body)), body
    assert field in body["detail"], body


@pytest.mark.parametrize("params", [
    {"valid_on": "0001-01-01"}, {"valid_on": "9999-12-31"}, {"department": "2A"}, {"country": "zz"},
    {"lat": "-90", "lon": "180", "radius_km": "5000"}, {"lat": "90", "lon": "-180", "sort": "distance"},
    {"near": "Cléon", "local_first": "true", "min_results": "100"}, {"facets": "false"},
    {"page_size": "100", "capability": "machining", "capability_mode": "all", "certification": "iso-9001",
     "certification_mode": "all", "size": "micro"},
], ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_unusual_but_valid_parameters_are_answered(client, suppliers, params):
    response = search(client, params)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["total"] == len(body["items"]) or body["next_cursor"]


def test_facets_are_null_when_not_asked_for(client, suppliers):
    asked, not_asked = search(client, {}).get_json(), search(client, {"facets": "false"}).get_json()
    assert asked["facets"]["sector"] and not_asked["facets"] is None
    assert not_asked["total"] == asked["total"]


def test_a_cursor_only_continues_the_search_it_came_from(client, suppliers):
    params = {"page_size": "5", "sort": "name"}
    cursor = cursor_of(client, params)
    assert search(client, {**params, "cursor": cursor}).status_code == 200
    for changed in ({"page_size": "5", "sort": "name", "sector": "automotive"},
                    {"page_size": "5", "sort": "updated"},
                    {"page_size": "5", "sort": "name", "q": "usinage"},
                    {"page_size": "5", "sort": "name", "lat": "49.3", "lon": "1.0"}):
        body = problem(search(client, {**changed, "cursor": cursor}), 422)
        assert error_fields(body) == {"cursor"}, body


@pytest.mark.parametrize("params", [{"sort": "updated"}, {"sort": "relevance", "q": "usinage"},
                                    {"lat": "49", "lon": "1"}], ids=["updated", "relevance", "distance"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 2 ** 70, "soon", None, [1]],
                         ids=repr)
def test_a_cursor_with_an_impossible_sort_value_is_refused(client, suppliers, params, value):
    """A cursor is JSON: it can carry NaN, Infinity or huge numbers Elasticsearch fails on (a 500)."""
    params = {**params, "page_size": "3"}
    key, radius, after = json.loads(base64.urlsafe_b64decode(cursor_of(client, params)))
    forged = base64.urlsafe_b64encode(json.dumps([key, radius, [value, after[1]]]).encode()).decode()
    body = problem(search(client, {**params, "cursor": forged}), 422)
    assert error_fields(body) == {"cursor"}


def test_a_cursor_tampered_with_is_refused(client, suppliers):
    cursor = cursor_of(client, {"page_size": "5", "sort": "name"})
    position = json.loads(base64.urlsafe_b64decode(cursor))
    key, radius, after = position
    for tampered in ([key, radius], [key, radius, after, "y"], "just a string", 42, None,
                     # the right fingerprint, a position Elasticsearch cannot use
                     [key, radius, after[:1]], [key, radius, after + ["z"]], [key, radius, "name"],
                     [key, radius, [{"a": 1}, "x"]], [key, radius, [None, None]], [key, radius, []],
                     [key, "far", after], [key, -5, after], [key, {"km": 5}, after]):
        forged = base64.urlsafe_b64encode(json.dumps(tampered).encode()).decode()
        response = search(client, {"page_size": "5", "sort": "name", "cursor": forged})
        assert response.status_code == 422, (tampered, response.get_json())
        assert error_fields(response.get_json()) == {"cursor"}


# --- near -----------------------------------------------------------------------------------


@pytest.mark.parametrize("near", ["Cléon", "cleon", "CLÉON", "Cléon 76410", "Cleon (76410)"])
def test_near_a_place_is_the_same_as_its_coordinates(client, suppliers, near):
    by_place = search(client, {"near": near, "page_size": "100"}).get_json()
    by_point = search(client, {"lat": str(CLEON[0]), "lon": str(CLEON[1]), "page_size": "100"}).get_json()
    assert by_place["point"]["lat"] == pytest.approx(CLEON[0], abs=1e-4)
    assert by_place["point"]["lon"] == pytest.approx(CLEON[1], abs=1e-4)
    assert "Cléon" in by_place["point"]["place"] and "76410" in by_place["point"]["place"]
    assert [h["id"] for h in by_place["items"]] == [h["id"] for h in by_point["items"]]
    stored = {s["id"]: s for s in suppliers}
    for hit in by_place["items"]:
        assert hit["distance_km"] == pytest.approx(nearest_km(stored[hit["id"]], *CLEON), rel=5e-3, abs=2e-3)


def test_near_a_postal_code_is_the_centre_of_its_places(client, suppliers):
    """76410 holds Cléon and its neighbours: the point is their centroid, a few km from Cléon."""
    body = search(client, {"near": "76410", "page_size": "1"}).get_json()
    assert haversine_km(body["point"]["lat"], body["point"]["lon"], *CLEON) < 10
    assert "76410" in body["point"]["place"]


def test_near_with_a_radius_keeps_only_suppliers_that_close(client, suppliers):
    body = search(client, {"near": "Cléon", "radius_km": "30", "page_size": "100"}).get_json()
    want = {s["id"] for s in suppliers if nearest_km(s, *CLEON) <= 30}
    assert want and len(want) < len(suppliers)
    assert {h["id"] for h in body["items"]} == want and body["total"] == len(want)
    assert body["radius_km"] == 30


# --- GeoJSON ------------------------------------------------------------------------------


def test_geojson_is_a_feature_collection_of_site_points(client, suppliers):
    params = {"lat": str(CLEON[0]), "lon": str(CLEON[1]), "page_size": "10"}
    response = search(client, params, headers={"Accept": GEOJSON})
    assert response.status_code == 200
    assert response.mimetype == GEOJSON
    collection = json.loads(response.get_data(as_text=True))
    page = search(client, params).get_json()
    assert collection["type"] == "FeatureCollection"
    assert collection["properties"]["total"] == page["total"] == len(suppliers)
    assert collection["properties"]["next_cursor"] == page["next_cursor"]
    stored = {s["id"]: s for s in suppliers}
    want = sorted((h["id"], site["longitude"], site["latitude"]) for h in page["items"]
                  for site in stored[h["id"]]["sites"])
    got = []
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]  # GeoJSON order: longitude first
        supplier = stored[feature["properties"]["supplier_id"]]
        assert feature["properties"]["distance_km"] == pytest.approx(nearest_km(supplier, *CLEON), rel=5e-3, abs=2e-3)
        got.append((supplier["id"], lon, lat))
    assert sorted(got) == want


def test_plain_json_is_still_the_default(client, suppliers):
    response = search(client, {"page_size": "1"}, headers={"Accept": "*/*"})
    assert response.mimetype == "application/json"
    assert "items" in response.get_json()


# --- cursor pagination ------------------------------------------------------------------------


PAGED_SEARCHES = {
    "name": [("sort", "name")],
    "distance": [("lat", str(CLEON[0])), ("lon", str(CLEON[1]))],  # the default with a point
    "updated": [("sort", "updated")],
    "relevance": [("q", "usinage serie")],
    "relevance, all suppliers": [("q", "usinage")],
    "local first": [("near", "Cléon"), ("local_first", "true"), ("min_results", "7")],
    "filtered, by name": [("capability", "machining.milling"), ("sort", "name")],
}


@pytest.mark.parametrize("page_size", [1, 3, 7])
@pytest.mark.parametrize("name", list(PAGED_SEARCHES))
def test_small_pages_give_every_hit_once_in_order(client, suppliers, name, page_size):
    params = PAGED_SEARCHES[name]
    pages, hits = search_all(client, params + [("page_size", str(page_size))])
    _, whole = search_all(client, params + [("page_size", "100")])
    ids = [h["id"] for h in hits]
    assert ids == [h["id"] for h in whole]  # same hits, same order, none twice
    assert len(set(ids)) == len(ids) == pages[0]["total"]
    assert all(page["total"] == pages[0]["total"] for page in pages)
    assert all(len(page["items"]) == page_size for page in pages[:-1])
    assert len(pages) >= 2
    if "sort" in dict(params) and dict(params)["sort"] == "name":
        assert [folded(h["name"]) for h in hits] == sorted(folded(h["name"]) for h in hits)
    if name == "distance":
        assert [h["distance_km"] for h in hits] == sorted(h["distance_km"] for h in hits)


def test_the_last_page_has_no_cursor_even_when_it_is_full(client, suppliers):
    """'next_cursor: null on the last page' — also when the hits fill the last page exactly."""
    total = len(suppliers)
    page_size = next(size for size in range(2, 100) if total % size == 0)
    pages, hits = search_all(client, [("sort", "name"), ("page_size", str(page_size))])
    assert len(hits) == total
    assert [len(p["items"]) for p in pages] == [page_size] * (total // page_size)
