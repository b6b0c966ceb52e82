"""Supplier rows as the plain dicts the search document builder takes.

Written by hand rather than with the marshmallow schema: the rebuild runs it a
million times, and only plain attribute reads are cheap enough.
"""

from __future__ import annotations

from ..models import Supplier
from ..reference import catalog
from search.documents import build_document


def profile_of(supplier: Supplier) -> dict:
    return {
        "id": supplier.id,
        "legal_name": supplier.legal_name,
        "trade_name": supplier.trade_name,
        "description": supplier.description,
        "employees": supplier.employees,
        "sectors": supplier.sectors,
        "digital": supplier.digital,
        "updated_at": supplier.updated_at.isoformat(),
        "sites": [
            {"city": s.city, "postal_code": s.postal_code, "country": s.country,
             "department": s.department, "latitude": s.latitude, "longitude": s.longitude}
            for s in supplier.sites
        ],
        "capabilities": [{"code": c.code} for c in supplier.capabilities],
        "certifications": [
            {"type": c.type, "valid_from": c.valid_from.isoformat(), "valid_until": c.valid_until.isoformat()}
            for c in supplier.certifications
        ],
    }


def document_of(supplier: Supplier) -> dict:
    return build_document(profile_of(supplier), catalog)
