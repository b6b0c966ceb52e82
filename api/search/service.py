"""Supplier search: from validated query arguments to a page of results."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date

from elasticsearch import ApiError, NotFoundError, TransportError

from schemas.search import MAX_RADIUS_KM
from search import query as search_query
from search.index import SupplierIndex
from search.query import GeoPoint, SupplierQuery
from search.results import facets_of, hit_of

from .. import places
from ..exceptions import InvalidParameters, SearchUnavailable
from ..pagination import decode_cursor, encode_cursor, invalid_cursor
from ..reference import catalog

RETRY_AFTER_SECONDS = 5
CURSOR_EXCLUDED = {"cursor"}


def unavailable() -> SearchUnavailable:
    return SearchUnavailable("Search is temporarily unavailable; writes are kept and will be searchable "
                             "once it is back. Retry shortly.", retry_after_seconds=RETRY_AFTER_SECONDS)


def run(index: SupplierIndex, body: dict) -> dict:
    """Send a search to the alias; Elasticsearch being unreachable is SearchUnavailable."""
    try:
        return index.client.search(index=index.alias, **body)
    except NotFoundError:
        index.ensure()  # a fresh installation: nothing indexed yet
        return index.client.search(index=index.alias, **body)
    except ApiError as error:
        if error.meta.status in (429, 502, 503, 504):
            raise unavailable() from error
        raise
    except TransportError as error:
        raise unavailable() from error


def resolve_point(args: dict) -> tuple[GeoPoint | None, str | None]:
    if "near" in args:
        place = places.resolve_near(args["near"])
        if place is None:
            raise InvalidParameters({"near": ["Unknown place: give a French city or postal code, "
                                              "or lat and lon."]})
        return GeoPoint(place.latitude, place.longitude), f"{place.name} ({place.postal_code})"
    if "lat" in args:
        return GeoPoint(args["lat"], args["lon"]), None
    return None, None


def check_codes(args: dict) -> None:
    """Unknown reference codes are mistakes worth telling, not empty results."""
    lookups = {"capability": catalog.capability, "certification": catalog.certification_type,
               "sector": catalog.sector, "digital": catalog.digital_capability}
    errors = {name: [f"Unknown code: {code}."] for name, lookup in lookups.items()
              for code in args.get(name, []) if lookup(code) is None}
    if errors:
        raise InvalidParameters(errors)


def query_from(args: dict, point: GeoPoint | None) -> SupplierQuery:
    default_sort = "relevance" if args.get("q") else ("distance" if point else "name")
    return SupplierQuery(
        valid_on=args.get("valid_on") or date.today(),
        text=args.get("q"),
        capabilities=tuple(args["capability"]), capability_mode=args["capability_mode"],
        certifications=tuple(args["certification"]), certification_mode=args["certification_mode"],
        sectors=tuple(args["sector"]), countries=tuple(c.upper() for c in args["country"]),
        departments=tuple(args["department"]), sizes=tuple(args["size"]), digital=tuple(args["digital"]),
        point=point, radius_km=args.get("radius_km"), sort=args.get("sort") or default_sort,
        page_size=args.get("page_size", 20), with_facets=args.get("facets", True),
    )


def local_first_radius(index: SupplierIndex, query: SupplierQuery, min_results: int) -> float | None:
    """The smallest ring holding at least min_results suppliers (None: no ring is enough)."""
    rings = run(index, search_query.build_ring_counts(query))["aggregations"]["rings"]["buckets"]
    for radius in search_query.LOCAL_FIRST_RINGS[:-1]:
        if rings[str(radius)]["doc_count"] >= min_results:
            return radius
    return None


def fingerprint(args: dict) -> str:
    """Ties a cursor to the query it came from."""
    stable = {k: v for k, v in sorted(args.items()) if k not in CURSOR_EXCLUDED}
    return hashlib.sha256(json.dumps(stable, default=str, sort_keys=True).encode()).hexdigest()[:16]


def _valid_position(query: SupplierQuery, radius, after) -> bool:
    """A cursor's radius and search_after as this API writes them (else Elasticsearch fails: a 500)."""
    def number(value) -> bool:  # finite and within a long (JSON cursors may carry NaN or 1e400)
        return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 2 ** 63

    if not (radius is None or (number(radius) and 0 < radius <= MAX_RADIUS_KM)):
        return False
    keys = [next(iter(clause)) for clause in search_query.sort_clause(query)]
    return isinstance(after, list) and len(after) == len(keys) and all(
        isinstance(value, str) if key in ("name_sort", "id") else number(value)
        for key, value in zip(keys, after))


def search_suppliers(index: SupplierIndex, args: dict) -> dict:
    check_codes(args)
    point, place = resolve_point(args)
    query = query_from(args, point)
    key = fingerprint(args)
    position = decode_cursor(args.get("cursor"))
    if position is not None:
        if not (isinstance(position, list) and len(position) == 3 and position[0] == key
                and _valid_position(query, position[1], position[2])):
            invalid_cursor()
        query = replace(query, radius_km=position[1], search_after=position[2])
    elif args.get("local_first"):
        query = replace(query, radius_km=local_first_radius(index, query, args["min_results"]))

    # One hit more than the page: a next page exists only if it came back (no cursor to an empty page).
    response = run(index, search_query.build_search(replace(query, page_size=query.page_size + 1)))
    found = response["hits"]["hits"]
    page = found[:query.page_size]
    more = len(found) > query.page_size
    return {
        "total": response["hits"]["total"]["value"],
        "items": [hit_of(h["_source"], query, catalog) for h in page],
        "facets": facets_of(response.get("aggregations", {}), catalog, _certification_name),
        "next_cursor": encode_cursor([key, query.radius_km, page[-1]["sort"]]) if more else None,
        "valid_on": query.valid_on.isoformat(),
        "point": {"lat": point.lat, "lon": point.lon, "place": place} if point else None,
        "radius_km": query.radius_km,
    }


def _certification_name(code: str) -> str:
    certification_type = catalog.certification_type(code)
    return certification_type.name if certification_type else code
