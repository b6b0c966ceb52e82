"""GET /api/v1/search/suppliers/clusters: supplier counts per map cell in a bounding box.

Expected cells are computed here from the Web Mercator tile formulas, written
again for the tests (x from the longitude, y from the latitude, counted from
the north), never taken from the code under test.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
from factories import create_supplier, error_fields, issue_admin_key, problem
from search_support import empty_index

from search.client import make_client

CLUSTERS_URL = "/api/v1/search/suppliers/clusters"

ROUEN = (49.4431, 1.0993)
CLEON = (49.3124, 1.0295)
CAEN = (49.1829, -0.3707)
EVREUX = (49.0241, 1.1508)
LYON = (45.7640, 4.8357)
SUVA = (-18.1416, 178.4419)  # Fiji, west of the antimeridian
APIA = (-13.8333, -171.7667)  # Samoa, east of it

NORMANDY = "-2.0,48.5,2.0,50.2"  # min_lon,min_lat,max_lon,max_lat
ZOOM = 6  # cells of zoom 8


def site(city: str, point: tuple[float, float], postal_code: str | None = None, country: str = "FR") -> dict:
    return {"city": city, "postal_code": postal_code, "country": country,
            "latitude": point[0], "longitude": point[1]}


# What each supplier is, for the expectations below: name -> (sites, capability).
SUPPLIERS = {
    "Rouen Usinage": ([site("Rouen", ROUEN, "76000")], "machining.milling.5axis"),
    "Cléon Découpe": ([site("Cléon", CLEON, "76410")], "forming.cutting.laser"),
    "Caen et Lyon": ([site("Caen", CAEN, "14000"), site("Lyon", LYON, "69001")], "machining.milling.5axis"),
    "Caen et Évreux": ([site("Caen", CAEN, "14000"), site("Évreux", EVREUX, "27000")], "machining.turning"),
    "Lyon Seulement": ([site("Lyon", LYON, "69002")], "machining.milling.5axis"),
    "Pacifique Marine": ([site("Suva", SUVA, country="FJ"), site("Apia", APIA, country="WS")],
                         "machining.turning"),
}


def tile(lat: float, lon: float, zoom: int) -> str:
    n = 2 ** zoom
    fx = (lon + 180.0) / 360.0 * n
    fy = (1.0 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2.0 * n
    # Points are chosen well inside their tiles, so rounding cannot move them.
    assert min(fx % 1, 1 - fx % 1, fy % 1, 1 - fy % 1) > 1e-3, (lat, lon, zoom)
    return f"{zoom}/{int(fx)}/{int(fy)}"


def in_box(point: tuple[float, float], bbox: str) -> bool:
    min_lon, min_lat, max_lon, max_lat = map(float, bbox.split(","))
    lat, lon = point
    inside_lon = min_lon <= lon <= max_lon if min_lon <= max_lon else (lon >= min_lon or lon <= max_lon)
    return min_lat <= lat <= max_lat and inside_lon


def expected_cells(bbox: str, zoom: int, names) -> tuple[int, Counter]:
    """(suppliers with a site in the box, suppliers per tile) by brute force."""
    cells, total = Counter(), 0
    for name in names:
        points = [(s["latitude"], s["longitude"]) for s in SUPPLIERS[name][0]]
        tiles = {tile(*p, zoom) for p in points if in_box(p, bbox)}
        total += bool(tiles)
        cells.update(tiles)
    return total, cells


@pytest.fixture(scope="module")
def suppliers(app):
    empty_index(app)
    client = app.test_client()
    admin = issue_admin_key(app)
    ids = {}
    for name, (sites, capability) in SUPPLIERS.items():
        profile, _ = create_supplier(client, admin, legal_name=f"{name} SAS", trade_name=name,
                                     description=f"Atelier {name}.", sites=sites,
                                     capabilities=[{"code": capability}])
        ids[name] = profile["id"]
    app.extensions["supplier_index"].refresh()
    yield ids
    empty_index(app)


def clusters(client, **params):
    response = client.get(CLUSTERS_URL, query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def counts(body: dict) -> Counter:
    return Counter({cell["key"]: cell["count"] for cell in body["cells"]})


def test_counts_per_cell_follow_the_tile_math(client, suppliers):
    body = clusters(client, bbox=NORMANDY, zoom=ZOOM)
    total, cells = expected_cells(NORMANDY, ZOOM + 2, SUPPLIERS)
    assert total == 4  # Rouen, Cléon, Caen et Lyon, Caen et Évreux; not Lyon Seulement nor the Pacific
    assert body["total"] == total
    assert body["precision"] == ZOOM + 2
    assert counts(body) == cells
    # Caen et Évreux has a site in two cells and counts in both: the cells add up to more than total.
    assert tile(*CAEN, ZOOM + 2) != tile(*EVREUX, ZOOM + 2)
    assert sum(cells.values()) == total + 1


def test_sites_outside_the_box_make_no_cell(client, suppliers):
    body = clusters(client, bbox=NORMANDY, zoom=ZOOM)
    assert tile(*LYON, ZOOM + 2) not in counts(body)  # although "Caen et Lyon" is counted


def test_cells_carry_their_bounds_and_a_centroid_inside_them(client, suppliers):
    body = clusters(client, bbox=NORMANDY, zoom=ZOOM)
    width = 360 / 2 ** (ZOOM + 2)
    for cell in body["cells"]:
        bounds, centroid = cell["bounds"], cell["centroid"]
        assert bounds["max_lon"] - bounds["min_lon"] == pytest.approx(width)
        assert bounds["min_lat"] < bounds["max_lat"]
        assert bounds["min_lat"] <= centroid["lat"] <= bounds["max_lat"]
        assert bounds["min_lon"] <= centroid["lon"] <= bounds["max_lon"]
        # Every site counted in the cell lies within its bounds.
        for name, (sites, _) in SUPPLIERS.items():
            for s in sites:
                if tile(s["latitude"], s["longitude"], ZOOM + 2) == cell["key"]:
                    assert bounds["min_lat"] <= s["latitude"] <= bounds["max_lat"], name
                    assert bounds["min_lon"] <= s["longitude"] <= bounds["max_lon"], name


def test_a_cell_with_one_single_site_supplier_has_its_site_as_centroid(client, suppliers):
    body = clusters(client, bbox=NORMANDY, zoom=14)  # cells of zoom 16: Rouen alone in its cell
    cell = next(c for c in body["cells"] if c["key"] == tile(*ROUEN, 16))
    assert cell["count"] == 1
    assert (cell["centroid"]["lat"], cell["centroid"]["lon"]) == (
        pytest.approx(ROUEN[0], abs=1e-5), pytest.approx(ROUEN[1], abs=1e-5))


def test_the_search_filters_apply(client, suppliers):
    milling = clusters(client, bbox=NORMANDY, zoom=ZOOM, capability="machining.milling")
    total, cells = expected_cells(NORMANDY, ZOOM + 2, ["Rouen Usinage", "Caen et Lyon"])
    assert (milling["total"], counts(milling)) == (total, cells) == (2, cells)

    text = clusters(client, bbox=NORMANDY, zoom=ZOOM, q="evreux")
    total, cells = expected_cells(NORMANDY, ZOOM + 2, ["Caen et Évreux"])
    assert (text["total"], counts(text)) == (1, cells)

    # Within 30 km of Rouen: Rouen (0 km) and Cléon (about 15 km); Évreux is about 47 km away.
    near = clusters(client, bbox=NORMANDY, zoom=ZOOM, lat=ROUEN[0], lon=ROUEN[1], radius_km=30)
    total, cells = expected_cells(NORMANDY, ZOOM + 2, ["Rouen Usinage", "Cléon Découpe"])
    assert (near["total"], counts(near)) == (2, cells)


def test_the_whole_world_at_zoom_0(client, suppliers):
    body = clusters(client, bbox="-180,-90,180,90", zoom=0)
    total, cells = expected_cells("-180,-85,180,85", 2, SUPPLIERS)
    assert body["total"] == total == len(SUPPLIERS)
    assert counts(body) == cells


def test_a_box_across_the_antimeridian(client, suppliers):
    across = clusters(client, bbox="170,-25,-165,-10", zoom=3)
    total, cells = expected_cells("170,-25,-165,-10", 5, SUPPLIERS)
    assert (across["total"], counts(across)) == (total, cells)
    assert total == 1 and len(cells) == 2  # Suva and Apia, on either side of the antimeridian
    west, east = sorted(across["cells"], key=lambda c: c["bounds"]["min_lon"])
    assert west["bounds"]["min_lon"] < -165 and east["bounds"]["max_lon"] > 170

    # The same longitudes the other way round: everything but that strip of the Pacific.
    rest = clusters(client, bbox="-165,-25,170,-10", zoom=3)
    assert (rest["total"], rest["cells"]) == (0, [])


def test_an_empty_area_has_no_cells(client, suppliers):
    assert clusters(client, bbox="10,60,20,70", zoom=5) == {"total": 0, "cells": [], "precision": 7}


@pytest.mark.parametrize("zoom, precision", [(0, 2), (12, 14), (20, 22)])
def test_precision_is_two_levels_finer_than_the_zoom(client, suppliers, zoom, precision):
    assert clusters(client, bbox=NORMANDY, zoom=zoom)["precision"] == precision


@pytest.mark.parametrize("bbox", [
    "1,2,3",                # three numbers
    "1,2,3,4,5",            # five
    "a,48,b,50",            # not numbers
    "-2,48.5,2,nan",        # not finite
    "",                     # empty
    "-2,50.2,2,48.5",       # min_lat above max_lat
    "-2,49,2,49",           # no height
    "-2,-91,2,50",          # latitude out of range
    "-181,48,2,50",         # longitude out of range
    "1,48,1,50",            # no width
    "180,48,-180,50",       # no width either, across the antimeridian
])
def test_a_bad_bbox_is_422_naming_it(client, suppliers, bbox):
    body = problem(client.get(CLUSTERS_URL, query_string={"bbox": bbox, "zoom": 5}), 422)
    assert error_fields(body) == {"bbox"}


@pytest.mark.parametrize("params, field", [
    ({"zoom": 5}, "bbox"),
    ({"bbox": NORMANDY}, "zoom"),
    ({"bbox": NORMANDY, "zoom": 21}, "zoom"),
    ({"bbox": NORMANDY, "zoom": -1}, "zoom"),
    ({"bbox": NORMANDY, "zoom": "1.5"}, "zoom"),
    ({"bbox": NORMANDY, "zoom": 5, "radius_km": 10}, "radius_km"),
    ({"bbox": NORMANDY, "zoom": 5, "lat": 49}, "lon"),
    ({"bbox": NORMANDY, "zoom": 5, "size": "huge"}, "size.0"),
    ({"bbox": NORMANDY, "zoom": 5, "page_size": 10}, "page_size"),  # not a parameter of this endpoint
])
def test_bad_parameters_are_422_naming_them(client, suppliers, params, field):
    body = problem(client.get(CLUSTERS_URL, query_string=params), 422)
    assert field in error_fields(body)


def test_an_unknown_code_is_422(client, suppliers):
    body = problem(client.get(CLUSTERS_URL, query_string={"bbox": NORMANDY, "zoom": 5,
                                                           "capability": "no.such.thing"}), 422)
    assert error_fields(body) == {"capability"}


def test_elasticsearch_unreachable_is_503_with_retry_after(app, client, suppliers, monkeypatch):
    monkeypatch.setattr(app.extensions["supplier_index"], "client",
                        make_client("http://127.0.0.1:9", request_timeout=2))
    response = client.get(CLUSTERS_URL, query_string={"bbox": NORMANDY, "zoom": 5})
    problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0
