"""The searches the API sends answer exactly what one straightforward search body answers.

The API splits a search into a hits search and one size-0 search per selected facet, and
counts distance bands as differences of cumulative rings (search.query). The reference
here is the body it replaced, kept as it was: `match_all`-style query, every filter in
`post_filter`, one `filter` aggregation per facet with every filter but its own, bands
as `filters` with `must_not`. On seeded random queries over generated suppliers, both
must give the same total, the same pages (ids and sort values, so scores too, in the same
order), every facet value with the same count, and the same local-first ring counts.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from search_support import clean_index, refresh

from api.generator import Generator
from api.generator.profiles import search_profile
from api.reference import catalog
from api.search import service
from search import indexer
from search.documents import build_document
from search.query import (FACETS, GeoPoint, SupplierQuery, base_query, facet_aggregation, facet_filters,
                          sort_clause, within)

SUPPLIERS = 1500
QUERIES = 150
SEED = 1313
WORDS = ("usinage", "soudure", "mecanique", "usinag", "chaudronnerie", "peinture", "decoupe laser",
         "traitement thermique", "rouen", "injection plastique", "maintenance", "tolerie fine")
BANDS = ((0, 25), (25, 50), (50, 100), (100, 200), (200, None))
RINGS = (25, 50, 100, 200, 500)


# --- the reference: one body, as the API sent it before ------------------------------------


def reference_bands(point: GeoPoint) -> dict:
    bands = {}
    for low, high in BANDS:
        clause = {"bool": {"filter": [within(point, high)] if high else [],
                           "must_not": [within(point, low)] if low else []}}
        bands[f"{low}-{high}" if high else f"{low}+"] = clause
    return {"filters": {"filters": bands}}


def reference_body(query: SupplierQuery) -> dict:
    owned = facet_filters(query)
    body = {"query": base_query(query),
            "post_filter": {"bool": {"filter": [c for clauses in owned.values() for c in clauses]}},
            "sort": sort_clause(query), "size": query.page_size, "track_total_hits": True,
            "_source": ["id"]}
    if query.search_after:
        body["search_after"] = query.search_after
    aggs = {}
    for name in FACETS:
        if name == "distance":
            if not query.point:
                continue
            aggregation = reference_bands(query.point)
        else:
            aggregation = facet_aggregation(name, query)
        others = [c for other, clauses in owned.items() if other != name for c in clauses]
        aggs[name] = {"filter": {"bool": {"filter": others}}, "aggs": {"facet": aggregation}}
    body["aggs"] = aggs
    return body


def reference_facets(aggregations: dict) -> dict[str, dict[str, int]]:
    facets = {}
    for name, aggregation in aggregations.items():
        facet = aggregation["facet"]
        if name == "distance":
            facets[name] = {key: bucket["doc_count"] for key, bucket in facet["buckets"].items()}
        elif name == "certification":
            facets[name] = {b["key"]: b["suppliers"]["doc_count"] for b in facet["valid"]["values"]["buckets"]}
        else:
            facets[name] = {b["key"]: b["doc_count"] for b in facet["buckets"]}
    return facets


def reference_rings(index, query: SupplierQuery) -> dict[int, int]:
    owned = facet_filters(query)
    others = [c for name, clauses in owned.items() if name != "distance" for c in clauses]
    body = {"query": {"bool": {"must": [base_query(query)], "filter": others}}, "size": 0,
            "aggs": {"rings": {"filters": {"filters": {str(r): within(query.point, r) for r in RINGS}}}}}
    buckets = index.client.search(index=index.alias, **body)["aggregations"]["rings"]["buckets"]
    return {radius: buckets[str(radius)]["doc_count"] for radius in RINGS}


# --- answers: (total, pages of (id, sort values), facets) ------------------------------------


def pages_of(search_page, query: SupplierQuery, pages: int) -> tuple[int, list, dict]:
    """Follow search_after for up to `pages` pages; total and facets from the first page."""
    total, facets, seen = None, None, []
    for _ in range(pages):
        page_total, hits, page_facets = search_page(query)
        if total is None:
            total, facets = page_total, page_facets
        seen.append([(hit["_id"], hit["sort"]) for hit in hits])
        if len(hits) < query.page_size:
            break
        query = replace(query, search_after=hits[-1]["sort"])
    return total, seen, facets


def reference_page(index):
    def search_page(query):
        response = index.client.search(index=index.alias, **reference_body(query))
        return (response["hits"]["total"]["value"], response["hits"]["hits"],
                reference_facets(response["aggregations"]))
    return search_page


def api_page(index):
    def search_page(query):
        hits, facets = service.find(index, query, {})
        return (hits["total"]["value"], hits["hits"],
                {name: {bucket["value"]: bucket["count"] for bucket in buckets}
                 for name, buckets in facets.items()})
    return search_page


# --- the data and the queries ----------------------------------------------------------------


@pytest.fixture(scope="module")
def documents(app):
    index = app.extensions["supplier_index"]
    with clean_index(app):
        generator = Generator(SEED, region="rouen")
        built = [build_document(search_profile(g), catalog) for g in generator.suppliers(0, SUPPLIERS)]
        changes = [indexer.Upsert(document, 1) for document in built]
        assert indexer.write_all(index.client, changes, index.live_indexes()[0]) == SUPPLIERS
        refresh(app)
        yield built


def random_query(rng: random.Random, documents: list[dict]) -> SupplierQuery:
    def some(field: str, most: int = 2) -> tuple[str, ...]:
        values = sorted({value for d in rng.sample(documents, 5) for value in d[field] or ()})
        return tuple(rng.sample(values, min(len(values), rng.randint(1, most))))

    def maybe(chance: float, field: str, most: int = 2) -> tuple[str, ...]:
        return some(field, most) if rng.random() < chance else ()

    types = sorted({c["type"] for d in documents for c in d["certifications"]})
    point = GeoPoint(rng.uniform(48.9, 49.9), rng.uniform(0.0, 1.8)) if rng.random() < 0.7 else None
    sort = rng.choice(("relevance", "name", "updated") + (("distance",) if point else ()))
    return SupplierQuery(
        valid_on=date.today() + timedelta(days=rng.randint(-900, 400)),
        text=rng.choice(WORDS) if rng.random() < 0.5 else None,
        capabilities=maybe(0.4, "capabilities"), capability_mode=rng.choice(("any", "all")),
        certifications=tuple(rng.sample(types, rng.randint(1, 2))) if rng.random() < 0.35 else (),
        certification_mode=rng.choice(("any", "all")),
        sectors=maybe(0.3, "sectors"), departments=maybe(0.3, "departments"),
        sizes=tuple(rng.sample(("micro", "small", "medium", "large"), rng.randint(1, 2)))
        if rng.random() < 0.3 else (),
        digital=maybe(0.2, "digital"), countries=("FR",) if rng.random() < 0.1 else (),
        point=point, radius_km=rng.choice((None, 10, 25, 40, 80.5, 150)) if point else None,
        sort=sort, page_size=rng.choice((1, 5, 20, 50)),
    )


# --- tests -------------------------------------------------------------------------------------


def test_random_queries_answer_as_the_reference_body(app, documents):
    index = app.extensions["supplier_index"]
    rng = random.Random(SEED)
    failures, found, faceted = [], 0, 0
    for _ in range(QUERIES):
        query = random_query(rng, documents)
        want = pages_of(reference_page(index), query, pages=3)
        got = pages_of(api_page(index), query, pages=3)
        if got != want:
            failures.append(f"{query}\n  total {got[0]} / {want[0]}, pages equal: {got[1] == want[1]}, "
                            f"facets differ: {[n for n in want[2] if got[2].get(n) != want[2][n]]}")
        found += want[0] > 0
        faceted += sum(1 for counts in want[2].values() if counts)
    assert not failures, f"{len(failures)} of {QUERIES} differ:\n" + "\n".join(failures[:5])
    # The sample is not trivially empty: most queries find someone and count facet values.
    assert found >= QUERIES // 2 and faceted >= 3 * QUERIES, (found, faceted)


def test_local_first_rings_count_as_the_reference_body(app, documents):
    index = app.extensions["supplier_index"]
    rng = random.Random(f"{SEED}-rings")
    for _ in range(40):
        query = replace(random_query(rng, documents), radius_km=None)
        if query.point is None:
            continue
        counts = service.ring_counts(index, query)
        assert {radius: counts[radius] for radius in RINGS} == reference_rings(index, query), query

