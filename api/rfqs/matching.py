"""Which suppliers can answer an RFQ, ranked and explained — on the search index.

A full match has every required capability (a declared descendant counts),
every required certification valid on the needed-by date, and a site within
the maximum distance of the delivery place: exactly the supplier search with
`capability_mode=all` and `certification_mode=all`. Near misses are the
suppliers within the distance that meet some requirements but not all.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from search.index import SupplierIndex
from search.query import GeoPoint, SupplierQuery, build_search
from search.results import hit_of

from ..reference import catalog
from ..models import Rfq
from ..search.service import run

# Enough for any realistic shortlist; ranking is done on these in Python so it can be explained.
MAX_CANDIDATES = 1000
SEARCH_PAGE = 100
WEIGHTS = {"proximity": 0.5, "certification_headroom": 0.2, "coverage": 0.2, "digital": 0.1}
DIGITAL_SIGNALS = ("edi", "e-invoicing", "api-integration")
HEADROOM_DAYS = 365  # a certificate valid a year past the need is as good as it gets


def rfq_query(rfq: Rfq, *, full: bool, supplier_ids: tuple[str, ...] = ()) -> SupplierQuery:
    query = SupplierQuery(
        valid_on=rfq.needed_by,
        point=GeoPoint(rfq.delivery_latitude, rfq.delivery_longitude),
        radius_km=rfq.max_distance_km, sort="distance", page_size=SEARCH_PAGE,
        with_facets=False, ids=supplier_ids)
    if full:
        query = replace(query, capabilities=tuple(rfq.required_capabilities), capability_mode="all",
                        certifications=tuple(rfq.required_certifications), certification_mode="all")
    return query


def candidates(index: SupplierIndex, query: SupplierQuery) -> list[dict]:
    hits: list[dict] = []
    while len(hits) < MAX_CANDIDATES:
        page = run(index, build_search(query))["hits"]["hits"]
        hits.extend(hit_of(h["_source"], query, catalog) for h in page)
        if len(page) < query.page_size:
            break
        query = replace(query, search_after=page[-1]["sort"])
    return hits[:MAX_CANDIDATES]


def covering(required: str, declared: list[str]) -> list[str]:
    """Declared codes that satisfy a required one (itself or a descendant)."""
    return [code for code in declared if required in catalog.lineage(code)]


def valid_until_on(certifications: list[dict], certification_type: str, on: date) -> str | None:
    """The latest expiry among certificates of that type valid on the date."""
    valid = [c["valid_until"] for c in certifications
             if c["type"] == certification_type and c["valid_from"] <= on.isoformat() <= c["valid_until"]]
    return max(valid, default=None)


def explain(rfq: Rfq, hit: dict) -> dict:
    capabilities = [{"required": code, "declared": covering(code, hit["capabilities"])}
                    for code in rfq.required_capabilities]
    certifications = [{"type": code, "valid_until": valid_until_on(hit["certifications"], code, rfq.needed_by)}
                      for code in rfq.required_certifications]
    missing_capabilities = [c["required"] for c in capabilities if not c["declared"]]
    missing_certifications = [c["type"] for c in certifications if not c["valid_until"]]
    requirements = len(capabilities) + len(certifications)
    met = requirements - len(missing_capabilities) - len(missing_certifications)
    distance = hit["distance_km"]
    headrooms = [(date.fromisoformat(c["valid_until"]) - rfq.needed_by).days / HEADROOM_DAYS
                 for c in certifications if c["valid_until"]]
    parts = {
        "proximity": (max(0.0, 1 - distance / rfq.max_distance_km) if rfq.max_distance_km
                      else 1 / (1 + distance / 50)),
        # A required certificate not valid on the date leaves no headroom at all.
        "certification_headroom": (0.0 if missing_certifications else min([1.0, *headrooms]))
                                  if rfq.required_certifications else 1.0,
        "coverage": met / requirements if requirements else 1.0,
        "digital": sum(code in hit["digital"] for code in DIGITAL_SIGNALS) / len(DIGITAL_SIGNALS),
    }
    match = {
        "supplier_id": hit["id"], "name": hit["name"], "distance_km": distance,
        "full_match": met == requirements,
        "score": round(sum(WEIGHTS[name] * value for name, value in parts.items()), 4),
        "score_parts": {name: round(value, 4) for name, value in parts.items()},
        "capabilities_covered": [c for c in capabilities if c["declared"]],
        "certifications": [c for c in certifications if c["valid_until"]],
    }
    if not match["full_match"]:
        match["lacks"] = {"capabilities": missing_capabilities, "certifications": missing_certifications}
    return match


def ranked_matches(index: SupplierIndex, rfq: Rfq, *, include_partial: bool) -> list[dict]:
    explained = [explain(rfq, hit) for hit in candidates(index, rfq_query(rfq, full=not include_partial))]
    kept = [m for m in explained if m["full_match"] or (include_partial and m["score_parts"]["coverage"] > 0)]
    return sorted(kept, key=lambda m: (not m["full_match"], -m["score"], m["distance_km"], m["supplier_id"]))
