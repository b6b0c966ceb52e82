"""A generated supplier as the plain profile search documents are built from
(search.documents.build_document), for tests and benchmarks that index without a database."""

from __future__ import annotations

SITE_KEYS = ("city", "postal_code", "country", "department", "latitude", "longitude")


def search_profile(generated: dict) -> dict:
    row = generated["supplier"]
    return {**{key: row[key] for key in ("id", "legal_name", "trade_name", "description", "employees",
                                         "sectors", "digital")},
            "updated_at": row["updated_at"].isoformat(),
            "sites": [{key: site[key] for key in SITE_KEYS} for site in generated["sites"]],
            "capabilities": [{"code": c["code"]} for c in generated["capabilities"]],
            "certifications": [{"type": c["type"], "valid_from": c["valid_from"].isoformat(),
                                "valid_until": c["valid_until"].isoformat()}
                               for c in generated["certifications"]]}
