"""From a supplier query to the Elasticsearch searches that answer it.

Facets are disjunctive: hits are filtered by every filter, and each facet
counts with every filter but its own, so ticking one certification still shows
how many suppliers hold each of the others.

Each search does only the work its answer needs (see docs/performance.md):
the hits search carries every filter in its query, so the aggregations of the
facets nothing is selected in count only its hits; each facet with a
selection gets its own size-0 search whose query holds the other filters.
Distance bands are differences of cumulative rings (within 25, 50, 100,
200 km, and everyone), exact because a ring only grows with its radius; the
rings are one geo_distance aggregation, so each site's distance is computed
once per search, and the local-first rings are the same aggregation. The
searches go as one _msearch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from . import text
from .vocabulary import Unit, Vocabulary

TEXT_FIELDS = ["text_name^3", "text_capabilities^2", "text_places", "text_description"]
# One typo tolerated in words of five letters or more; the first letter must be right.
FUZZINESS = "AUTO:5,100"
# A typed word that is a trade term also finds its synonyms through their shared concept
# (search.vocabulary). A document holding the word itself matches the concept too, so it always
# scores above one holding only a synonym; the boost only sets how much a concept weighs
# against the other words of the query.
CONCEPT_BOOST = 1.0
DISTANCE_BANDS = ((0, 25), (25, 50), (50, 100), (100, 200), (200, None))
LOCAL_FIRST_RINGS = (25, 50, 100, 200, 500)
BAND_LIMITS_KM = tuple(high for _, high in DISTANCE_BANDS if high)
# Local-first's cumulative rings hold the band limits too (its counts give the distance facet);
# EVERYONE is the ring without a limit.
RINGS_KM = tuple(sorted(set(BAND_LIMITS_KM) | set(LOCAL_FIRST_RINGS)))
EVERYONE = "all"
FACETS = ("capability", "certification", "sector", "department", "size", "digital", "distance")
# What a page of hits is made of (search.results): the description only feeds the text's
# highlights, and is a fifth of a hit's bytes.
SOURCE_FIELDS = ["id", "name", "legal_name", "trade_name", "capabilities", "capabilities_declared",
                 "certifications", "sectors", "digital", "employees", "size", "sites", "updated_at"]
TEXT_SOURCE_FIELDS = [*SOURCE_FIELDS, "description"]
BUCKETS = 1000  # more than any facet has values: counts stay exact
TIEBREAK = {"id": "asc"}  # last in every sort, so that search_after pages are stable


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float

    def as_dict(self) -> dict:
        return {"lat": self.lat, "lon": self.lon}


@dataclass(frozen=True)
class SupplierQuery:
    valid_on: date
    text: str | None = None
    capabilities: tuple[str, ...] = ()
    capability_mode: str = "any"
    certifications: tuple[str, ...] = ()
    certification_mode: str = "any"
    sectors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    digital: tuple[str, ...] = ()
    point: GeoPoint | None = None
    radius_km: float | None = None
    sort: str = "relevance"
    page_size: int = 20
    search_after: list | None = None
    with_facets: bool = True
    ids: tuple[str, ...] = field(default=())  # restrict to these suppliers (RFQ invitations)
    # Synonyms and abbreviations; without one, text matches the words typed only.
    vocabulary: Vocabulary | None = field(default=None, repr=False, compare=False)

    def text_units(self) -> list[Unit]:
        words = text.terms(self.text)
        return self.vocabulary.units(words) if self.vocabulary else [Unit((word,)) for word in words]

    def highlight_terms(self) -> tuple[str, ...]:
        """The words a highlight marks: those typed, and the one-word synonyms of trade terms."""
        words = text.terms(self.text)
        synonyms = self.vocabulary.synonym_words(words) if self.vocabulary else []
        return tuple(dict.fromkeys([*words, *synonyms]))


def within(point: GeoPoint, radius_km: float) -> dict:
    """Suppliers with at least one site within the radius, i.e. whose nearest site is."""
    return {"geo_distance": {"distance": f"{radius_km}km", "locations": point.as_dict()}}


def valid_certification(valid_on: date, types: tuple[str, ...] | None = None) -> dict:
    clauses = [{"range": {"certifications.valid_from": {"lte": valid_on.isoformat()}}},
               {"range": {"certifications.valid_until": {"gte": valid_on.isoformat()}}}]
    if types:
        clauses.append({"terms": {"certifications.type": list(types)}})
    return {"bool": {"filter": clauses}}


def certified(valid_on: date, types: tuple[str, ...], inner_hits: dict | None = None) -> dict:
    """Suppliers holding a certificate of one of the types valid on the date."""
    nested = {"path": "certifications", "query": valid_certification(valid_on, types)}
    if inner_hits:
        nested["inner_hits"] = inner_hits
    return {"nested": nested}


def _any_or_all(values: tuple[str, ...], mode: str, clause) -> list[dict]:
    if not values:
        return []
    if mode == "all":
        return [clause((value,)) for value in values]
    return [clause(values)]


def facet_filters(query: SupplierQuery) -> dict[str, list[dict]]:
    """The filter clauses each facet owns."""
    def terms(name):
        return lambda values: {"terms": {name: list(values)}}

    return {
        "capability": _any_or_all(query.capabilities, query.capability_mode, terms("capabilities")),
        "certification": _any_or_all(query.certifications, query.certification_mode,
                                     lambda types: certified(query.valid_on, types)),
        "sector": _any_or_all(query.sectors, "any", terms("sectors")),
        "department": _any_or_all(query.departments, "any", terms("departments")),
        "size": _any_or_all(query.sizes, "any", terms("size")),
        "digital": _any_or_all(query.digital, "any", terms("digital")),
        "distance": [within(query.point, query.radius_km)] if query.point and query.radius_km else [],
    }


def word_match(word: str) -> dict:
    return {"multi_match": {"query": word, "fields": TEXT_FIELDS, "fuzziness": FUZZINESS,
                            "prefix_length": 1}}


def or_concept(clause: dict, concept: str | None) -> dict:
    if concept is None:
        return clause
    named = {"term": {"concepts": {"value": concept, "boost": CONCEPT_BOOST}}}
    return {"bool": {"should": [clause, named], "minimum_should_match": 1}}


def unit_match(unit: Unit) -> dict:
    """Every word of the unit (across fields), or, for a trade term, its concept instead."""
    if len(unit.words) == 1:
        return or_concept(word_match(unit.words[0]), unit.concept)
    words = [or_concept(word_match(word), concept) for word, concept in zip(unit.words, unit.word_concepts)]
    return or_concept({"bool": {"must": words}}, unit.concept)


def base_query(query: SupplierQuery) -> dict:
    """The text and the filters that are not facets (they apply to facets too)."""
    must = [unit_match(unit) for unit in query.text_units()]
    filters = []
    if query.countries:
        filters.append({"terms": {"countries": list(query.countries)}})
    if query.ids:
        filters.append({"ids": {"values": list(query.ids)}})
    return {"bool": {"must": must or [{"match_all": {}}], "filter": filters}}


def nearest_first(point: GeoPoint) -> dict:
    """Sort by the distance in km to the supplier's nearest site (suppliers without sites last)."""
    return {"_geo_distance": {"locations": point.as_dict(), "order": "asc", "unit": "km",
                              "mode": "min", "distance_type": "arc"}}


def sort_clause(query: SupplierQuery) -> list[dict]:
    if query.sort == "distance" and query.point:
        return [nearest_first(query.point), TIEBREAK]
    return {
        "name": [{"name_sort": "asc"}, TIEBREAK],
        "updated": [{"updated_at": "desc"}, TIEBREAK],
    }.get(query.sort, [{"_score": "desc"}, TIEBREAK])


def rings(point: GeoPoint, radii: tuple[int, ...] = BAND_LIMITS_KM) -> dict:
    """How many suppliers there are (the EVERYONE bucket) and, under it, how many lie within
    each radius.

    A range from 0 to r counts a supplier once when any of its sites lies in it, that is when
    its nearest site does: the suppliers `within` finds (up to a site at exactly r km, where
    the range stops short and the query includes it). One geo_distance aggregation computes
    each site's distance once, where a geo_distance filter per ring made a search over all
    of France test each ring in turn (three times slower)."""
    distances = {"field": "locations", "origin": point.as_dict(), "unit": "km", "keyed": True,
                 "ranges": [{"key": str(radius), "to": radius} for radius in radii]}
    return {"filters": {"filters": {EVERYONE: {"match_all": {}}}},
            "aggs": {"rings": {"geo_distance": distances}}}


def facet_aggregation(name: str, query: SupplierQuery) -> dict | None:
    if name == "certification":
        return {"nested": {"path": "certifications"}, "aggs": {"valid": {
            "filter": valid_certification(query.valid_on),
            "aggs": {"values": {"terms": {"field": "certifications.type", "size": BUCKETS},
                                "aggs": {"suppliers": {"reverse_nested": {}}}}}}}}
    if name == "distance":
        return rings(query.point) if query.point else None
    field_name = {"capability": "capabilities", "sector": "sectors", "department": "departments",
                  "size": "size", "digital": "digital"}[name]
    return {"terms": {"field": field_name, "size": BUCKETS}}


def filtered(query: SupplierQuery, but: str | None = None) -> dict:
    """The text and every filter, except those the facet `but` owns."""
    clauses = [c for name, owned in facet_filters(query).items() if name != but for c in owned]
    return {"bool": {"must": [base_query(query)], "filter": clauses}}


def build_searches(query: SupplierQuery, *, counted: frozenset[str] = frozenset()) -> list[dict]:
    """The hits search, then one size-0 search per selected facet (none for `counted` facets).

    Every facet's aggregation is named after the facet, whichever search holds it."""
    hits = {
        "query": filtered(query),
        "sort": sort_clause(query),
        "size": query.page_size,
        "track_total_hits": True,
        "_source": TEXT_SOURCE_FIELDS if query.text else SOURCE_FIELDS,
    }
    if query.search_after:
        hits["search_after"] = query.search_after
    if not query.with_facets:
        return [hits]
    owned = facet_filters(query)
    aggregations = {name: aggregation for name in FACETS if name not in counted
                    and (aggregation := facet_aggregation(name, query)) is not None}
    hits["aggs"] = {name: aggregation for name, aggregation in aggregations.items() if not owned[name]}
    selected = [{"query": filtered(query, but=name), "size": 0, "track_total_hits": False,
                 "aggs": {name: aggregation}}
                for name, aggregation in aggregations.items() if owned[name]]
    return [hits, *selected]


def build_ring_counts(query: SupplierQuery) -> dict:
    """The distance facet's search (every filter but the radius): local-first picks its ring from it."""
    return {"query": filtered(query, but="distance"), "size": 0, "track_total_hits": False,
            "aggs": {"distance": rings(query.point, RINGS_KM)}}


def count(query: SupplierQuery) -> dict:
    """How many suppliers match: every filter, no hits, no facets."""
    return {"query": filtered(query), "size": 0, "track_total_hits": True}
