"""What an RFQ asks, and whether a supplier qualifies, from its stored profile (no search index).

This decides who may see and quote on a public RFQ (search.requirements holds
the rule); Elasticsearch only ranks (api/rfqs/matching.py).
"""

from __future__ import annotations

from search.query import GeoPoint
from search.requirements import Requirements, qualifies as meets

from ..models import Rfq, Supplier
from ..reference import catalog


def requirements_of(rfq: Rfq) -> Requirements:
    return Requirements(valid_on=rfq.needed_by, point=GeoPoint(rfq.delivery_latitude, rfq.delivery_longitude),
                        capabilities=tuple(rfq.required_capabilities),
                        certifications=tuple(rfq.required_certifications),
                        max_distance_km=rfq.max_distance_km)


def profile_of(supplier: Supplier) -> dict:
    """The plain profile the rule reads (the shape search.documents.build_document takes)."""
    return {
        "capabilities": [{"code": c.code} for c in supplier.capabilities],
        "certifications": [{"type": c.type, "valid_from": c.valid_from.isoformat(),
                            "valid_until": c.valid_until.isoformat()} for c in supplier.certifications],
        "sites": [{"latitude": s.latitude, "longitude": s.longitude} for s in supplier.sites],
    }


def qualifies(rfq: Rfq, supplier: Supplier) -> bool:
    return meets(requirements_of(rfq), profile_of(supplier), catalog)
