"""Supplier search: from validated query arguments to a page of results."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date

from elasticsearch import ApiError, TransportError

from schemas.search import MAX_RADIUS_KM
from search import query as search_query
from search import results
from search import text as search_text
from search.index import SupplierIndex
from search.query import GeoPoint, SupplierQuery
from search.results import hits_of

from .. import places
from ..exceptions import InvalidParameters, SearchUnavailable
from ..pagination import decode_cursor, encode_cursor, invalid_cursor
from ..reference import catalog

RETRY_AFTER_SECONDS = 5
CURSOR_EXCLUDED = {"cursor"}
UNAVAILABLE_STATUSES = (429, 502, 503, 504)


def unavailable() -> SearchUnavailable:
    return SearchUnavailable("Search is temporarily unavailable; writes are kept and will be searchable "
                             "once it is back. Retry shortly.", retry_after_seconds=RETRY_AFTER_SECONDS)


def run(index: SupplierIndex, body: dict) -> dict:
    """Send a search to the alias; Elasticsearch being unreachable is SearchUnavailable."""
    return run_all(index, [body])[0]


def run_all(index: SupplierIndex, bodies: list[dict]) -> list[dict]:
    """Send searches to the alias as one _msearch; their answers in order.

    A shard copy failing mid-search must not give partial counts (search_headers): a replica,
    when there is one, answers instead; else the search is unavailable."""
    searches = [part for body in bodies for part in (search_headers(), body)]
    try:
        responses = index.client.msearch(index=index.alias, searches=searches)["responses"]
        if any("error" in response for response in responses):
            # A fresh installation (nothing indexed yet), or a search that met a rebuild's alias
            # swap and the old index going away: once more, on the index the alias names now.
            if any(_missing_index(response) for response in responses):
                index.ensure()
            responses = index.client.msearch(index=index.alias, searches=searches)["responses"]
    except ApiError as error:
        if error.meta.status in UNAVAILABLE_STATUSES:
            raise unavailable() from error
        raise
    except TransportError as error:
        raise unavailable() from error
    for response in responses:
        if "error" in response:
            if response.get("status") in UNAVAILABLE_STATUSES:
                raise unavailable()
            raise RuntimeError(f"search refused: {response['error']}")
    return responses


def search_headers() -> dict:
    """Each search's _msearch header: all shards answer, or the search fails (no partial counts)."""
    return {"allow_partial_search_results": False}


def _missing_index(response: dict) -> bool:
    return response.get("error", {}).get("type") == "index_not_found_exception"


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
        vocabulary=catalog.vocabulary(),
    )


def ring_counts(index: SupplierIndex, query: SupplierQuery) -> dict[float | None, int]:
    """Suppliers within each ring around the point, every filter but the radius applied."""
    response = run(index, search_query.build_ring_counts(query))
    return results.ring_counts(response["aggregations"]["distance"])


def local_first_radius(within: dict[float | None, int], min_results: int) -> float | None:
    """The smallest ring holding at least min_results suppliers (None: no ring is enough)."""
    return next((radius for radius in search_query.LOCAL_FIRST_RINGS if within[radius] >= min_results),
                None)


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
    counted = {}  # facets already counted, by name
    if position is None and args.get("local_first"):
        within = ring_counts(index, query)
        query = replace(query, radius_km=local_first_radius(within, args["min_results"]))
        if query.with_facets:  # the distance facet is these rings: no need to count them again
            counted["distance"] = results.bands(within)

    # One hit more than the page: a next page exists only if it came back (no cursor to an empty page).
    hits, facets = find(index, replace(query, page_size=query.page_size + 1), counted)
    found = hits["hits"]
    page = found[:query.page_size]
    more = len(found) > query.page_size
    answer = {
        "total": hits["total"]["value"],
        "items": hits_of([h["_source"] for h in page], query, catalog),
        "facets": facets if query.with_facets else None,
        "next_cursor": encode_cursor([key, query.radius_km, page[-1]["sort"]]) if more else None,
        "valid_on": query.valid_on.isoformat(),
        "point": {"lat": point.lat, "lon": point.lon, "place": place} if point else None,
        "radius_km": query.radius_km,
    }
    if query.text and not hits["total"]["value"]:
        answer.update(dead_end_help(index, query))
    return answer


def dead_end_help(index: SupplierIndex, query: SupplierQuery) -> dict:
    """When the text matched nothing: a corrected text that finds someone, and what the other
    filters find without the text (its total and facets), in one _msearch.

    Facets counted with the text (local-first rings) are counted again without it."""
    words = search_text.terms(query.text)
    corrected = catalog.speller().correct(words)
    without_text = replace(query, text=None, page_size=0, search_after=None)
    searches = search_query.build_searches(without_text)
    if corrected:
        searches.append(search_query.count(replace(query, text=" ".join(corrected))))
    hits_response, *responses = run_all(index, searches)
    extra = {"without_text": {"total": hits_response["hits"]["total"]["value"], "facets": None}}
    if corrected and (total := responses.pop()["hits"]["total"]["value"]):
        extra["did_you_mean"] = {"q": " ".join(corrected), "total": total}
    if query.with_facets:
        extra["without_text"]["facets"] = _facets([hits_response, *responses], {})
    return extra


def find(index: SupplierIndex, query: SupplierQuery, counted: dict) -> tuple[dict, dict]:
    """Elasticsearch's hits and the facets (those in `counted` taken as they are), in FACETS order."""
    responses = run_all(index, search_query.build_searches(query, counted=frozenset(counted)))
    return responses[0]["hits"], _facets(responses, counted)


def _facets(responses: list[dict], counted: dict) -> dict:
    """The facets of a hits search and its facet searches, in FACETS order."""
    aggregations = {name: aggregation for response in responses
                    for name, aggregation in response.get("aggregations", {}).items()}
    facets = {**results.facets_of(aggregations, catalog, _certification_name), **counted}
    return {name: facets[name] for name in search_query.FACETS if name in facets}


def _certification_name(code: str) -> str:
    certification_type = catalog.certification_type(code)
    return certification_type.name if certification_type else code
