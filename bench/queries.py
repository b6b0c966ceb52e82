"""The search mix the benchmarks send: realistic faceted geo queries.

Each is what a buyer or the partner front-end asks: some text or not,
capabilities and certifications, other filters, a point and a radius, and
every facet (the API's default). The same parameters give the API request and,
through the API's own argument schema and `search.query.build_searches`, the
very same Elasticsearch _msearch, so both can be timed side by side.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

# Points buyers search from (lat, lon).
CLEON = (49.3124, 1.0295)
ROUEN = (49.4431, 1.0993)
LE_HAVRE = (49.4935, 0.1079)
PORT_JEROME = (49.4894, 0.5719)
VAL_DE_REUIL = (49.2739, 1.2102)
VERNON = (49.0928, 1.4853)
LYON = (45.7640, 4.8357)
TOULOUSE = (43.6045, 1.4440)
LILLE = (50.6292, 3.0573)
GRENOBLE = (45.1885, 5.7245)
NANTES = (47.2184, -1.5536)


def _at(point: tuple[float, float], radius_km: float, **params) -> dict:
    return {"lat": point[0], "lon": point[1], "radius_km": radius_km, **params}


MIX: tuple[dict, ...] = (
    _at(CLEON, 50, capability=["machining"], certification=["iatf-16949"]),
    _at(ROUEN, 30, q="usinage inox"),
    _at(PORT_JEROME, 40, q="soudure", certification=["mase"]),
    _at(TOULOUSE, 100, capability=["surface.anodising"], certification=["en-9100"]),
    _at(LYON, 50, q="peinture poudre", sector=["automotive"], size=["small", "medium"]),
    _at(LE_HAVRE, 25, q="chaudronnerie", digital=["e-invoicing"]),
    _at(VAL_DE_REUIL, 60, capability=["cleaning.cleanroom"], certification=["gmp"]),
    _at(ROUEN, 80, q="maintenance industrielle", department=["76"], sector=["chemicals"]),
    _at(LILLE, 50, capability=["plastics.injection", "electrical.cabling"], size=["micro", "small"]),
    _at(CLEON, 100, q="decoupe laser", sort="distance"),
    _at(VERNON, 200, capability=["heat_treatment"], certification=["nadcap", "en-9100"],
        certification_mode="all"),
    _at(GRENOBLE, 40, q="automatisme", digital=["edi"], sector=["energy"]),
    _at(LYON, 150, capability=["machining.turning"], certification=["iso-13485"]),
    _at(NANTES, 75, q="tuyauterie", certification=["iso-3834", "ped"]),
)


def elasticsearch_msearch(params: dict, valid_on: date | None = None) -> bytes:
    """The _msearch body (NDJSON) the API sends to Elasticsearch for these parameters."""
    from schemas.search import SupplierSearchArgsSchema
    from search.query import GeoPoint, build_searches

    from api.search.service import query_from, search_headers

    args = SupplierSearchArgsSchema().load(params)
    if valid_on is not None:
        args["valid_on"] = valid_on
    # One hit more than the page, as the API asks (it tells whether a next page exists).
    query = query_from(args, GeoPoint(args["lat"], args["lon"]))
    searches = build_searches(replace(query, page_size=query.page_size + 1))
    lines = [json.dumps(part) for body in searches for part in (search_headers(), body)]
    return ("\n".join(lines) + "\n").encode()
