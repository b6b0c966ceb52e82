"""Endpoints: /api/v1/search/…"""

from __future__ import annotations

from flask import jsonify, request

from schemas.search import (
    SuggestArgsSchema,
    SuggestionsSchema,
    SupplierClustersArgsSchema,
    SupplierClustersSchema,
    SupplierFeatureCollectionSchema,
    SupplierSearchArgsSchema,
    SupplierSearchResultSchema,
)

from ..blueprint import Blueprint
from ..pagination import next_page
from ..request_context import public_for
from . import clusters, service, suggest
from .sync import supplier_index

GEOJSON = "application/geo+json"
# Results depend on the URL alone (no key sees more); a change is searchable within ~1 s anyway,
# and a map or a type-ahead repeating itself for 30 s is worth not asking again.
SEARCH_MAX_AGE = 30

blp = Blueprint("search", __name__, url_prefix="/api/v1/search",
                description="Supplier search: text, capabilities (descendants included), certifications "
                            "valid on a date, geography with distance to the nearest site, local-first "
                            "rings, disjunctive facets with exact counts, cursor pagination.")


@blp.route("/suppliers")
@blp.arguments(SupplierSearchArgsSchema, location="query")
@blp.response(200, SupplierSearchResultSchema)
@blp.alt_response(200, success=True, schema=SupplierFeatureCollectionSchema, content_type=GEOJSON, description=(
    "With `Accept: application/geo+json`: a FeatureCollection with one Point feature per site of "
    "each supplier of the page"))
@blp.searches()
def search_suppliers(args):
    """Search suppliers"""
    result = service.search_suppliers(supplier_index(), args)
    public_for(SEARCH_MAX_AGE)
    next_page(result["next_cursor"])
    # The service builds the documented shape already: sending it as is (not through the
    # schema again) keeps the API's share of a search small.
    if request.accept_mimetypes.best_match(["application/json", GEOJSON]) == GEOJSON:
        response = jsonify(feature_collection(result))
        response.mimetype = GEOJSON
        return response
    return jsonify(result)


def feature_collection(result: dict) -> dict:
    features = [
        {"type": "Feature", "id": f"{hit['id']}/{number}",
         "geometry": {"type": "Point", "coordinates": [site["longitude"], site["latitude"]]},
         "properties": {"supplier_id": hit["id"], "name": hit["name"], "city": site["city"],
                        "distance_km": hit.get("distance_km")}}
        for hit in result["items"] for number, site in enumerate(hit["sites"], start=1)
    ]
    return {"type": "FeatureCollection", "features": features,
            "properties": {"total": result["total"], "next_cursor": result["next_cursor"]}}


@blp.route("/suppliers/clusters")
@blp.arguments(SupplierClustersArgsSchema, location="query")
@blp.response(200, SupplierClustersSchema)
@blp.searches()
def supplier_clusters(args):
    """Count suppliers per map cell

    For a map: suppliers matching the same filters as the supplier search, with at least one
    site in the bounding box, counted per Web Mercator cell of zoom + 2. A supplier counts
    once per cell holding one of its sites, so one with sites in several cells counts in
    each; `total` counts it once.
    """
    public_for(SEARCH_MAX_AGE)
    return clusters.supplier_clusters(supplier_index(), args)


@blp.route("/suggest")
@blp.arguments(SuggestArgsSchema, location="query")
@blp.response(200, SuggestionsSchema)
@blp.searches()
def suggest_completions(args):
    """Suggest as the user types

    Capability labels (French and English), words of the trade with their synonyms and
    abbreviations, supplier names and French places (name or postal code) starting with what
    was typed; accents and case do not matter.
    """
    public_for(SEARCH_MAX_AGE)
    return suggest.suggest(supplier_index(), args)
