"""Whether a supplier qualifies for an RFQ, from its stored profile (no search index).

Every required capability (a declared descendant counts), every required
certification valid on the needed-by date, and a site within the maximum
distance of the delivery place. This decides who may see and quote on a
public RFQ; Elasticsearch only ranks.
"""

from __future__ import annotations

from search.geo import nearest_km

from ..models import Rfq, Supplier
from ..reference import catalog


def qualifies(rfq: Rfq, supplier: Supplier) -> bool:
    declared_lineage = {code for c in supplier.capabilities for code in catalog.lineage(c.code)}
    if not set(rfq.required_capabilities) <= declared_lineage:
        return False
    valid_types = {c.type for c in supplier.certifications if c.valid_from <= rfq.needed_by <= c.valid_until}
    if not set(rfq.required_certifications) <= valid_types:
        return False
    if rfq.max_distance_km is None:
        return bool(supplier.sites)
    sites = [{"latitude": s.latitude, "longitude": s.longitude} for s in supplier.sites]
    distance = nearest_km(rfq.delivery_latitude, rfq.delivery_longitude, sites)
    return distance is not None and distance <= rfq.max_distance_km
