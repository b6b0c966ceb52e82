"""Which suppliers can answer an RFQ, ranked and explained, from one search (search.matching).

A full match has every required capability (a declared descendant counts),
every required certification valid on the needed-by date, and a site within
the maximum distance of the delivery place. Near misses (`include_partial`)
are the suppliers within the distance that meet some requirements but not
all. Elasticsearch returns full matches first, so the candidates with near
misses hold every full match the candidates without them hold; what each hit
meets is read from its named clauses, then candidates are ranked here so the
ranking can be explained.
"""

from __future__ import annotations

from search.index import SupplierIndex
from search.matching import MatchReading, build_match_search, read_match
from search.requirements import Requirements, covering

from ..models import Rfq
from ..reference import catalog
from ..search.service import run
from .eligibility import requirements_of

# Enough for any realistic shortlist; ranking is done on these in Python so it can be explained.
MAX_CANDIDATES = 1000
SEARCH_PAGE = 200
WEIGHTS = {"proximity": 0.5, "certification_headroom": 0.2, "coverage": 0.2, "digital": 0.1}
DIGITAL_SIGNALS = ("edi", "e-invoicing", "api-integration")
HEADROOM_DAYS = 365  # a certificate valid a year past the need is as good as it gets


def candidates(index: SupplierIndex, requirements: Requirements, *, include_partial: bool) -> list[MatchReading]:
    readings: list[MatchReading] = []
    search_after = None
    while len(readings) < MAX_CANDIDATES:
        size = min(SEARCH_PAGE, MAX_CANDIDATES - len(readings))
        body = build_match_search(requirements, include_partial=include_partial, size=size,
                                  search_after=search_after)
        page = run(index, body)["hits"]["hits"]
        readings.extend(read_match(hit, requirements) for hit in page)
        if len(page) < size:
            break
        search_after = page[-1]["sort"]
    return readings


def explain(rfq: Rfq, reading: MatchReading) -> dict:
    requirements = len(rfq.required_capabilities) + len(rfq.required_certifications)
    met = requirements - len(reading.lacks.capabilities) - len(reading.lacks.certifications)
    distance = reading.distance_km
    headrooms = [(valid_until - rfq.needed_by).days / HEADROOM_DAYS for valid_until in reading.valid_until.values()]
    parts = {
        "proximity": (max(0.0, 1 - distance / rfq.max_distance_km) if rfq.max_distance_km
                      else 1 / (1 + distance / 50)),
        # A required certificate not valid on the date leaves no headroom at all.
        "certification_headroom": (0.0 if reading.lacks.certifications else min([1.0, *headrooms]))
                                  if rfq.required_certifications else 1.0,
        "coverage": met / requirements if requirements else 1.0,
        "digital": sum(code in reading.source["digital"] for code in DIGITAL_SIGNALS) / len(DIGITAL_SIGNALS),
    }
    match = {
        "supplier_id": reading.source["id"], "name": reading.source["name"], "distance_km": round(distance, 3),
        "full_match": reading.full_match,
        "score": round(sum(WEIGHTS[name] * value for name, value in parts.items()), 4),
        "score_parts": {name: round(value, 4) for name, value in parts.items()},
        "capabilities_covered": [
            {"required": code, "declared": list(covering(code, reading.source["capabilities_declared"], catalog))}
            for code in reading.capabilities_met],
        "certifications": [{"type": code, "valid_until": valid_until.isoformat()}
                           for code, valid_until in reading.valid_until.items()],
    }
    if not reading.full_match:
        match["lacks"] = {"capabilities": list(reading.lacks.capabilities),
                          "certifications": list(reading.lacks.certifications)}
    return match


def ranked_matches(index: SupplierIndex, rfq: Rfq, *, include_partial: bool) -> list[dict]:
    found = candidates(index, requirements_of(rfq), include_partial=include_partial)
    # A supplier without a site cannot deliver anywhere.
    explained = [explain(rfq, reading) for reading in found if reading.distance_km is not None]
    return sorted(explained, key=lambda m: (not m["full_match"], -m["score"], m["distance_km"], m["supplier_id"]))
