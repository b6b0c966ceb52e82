"""Reading Elasticsearch's answer: hits with distances and highlights, and facet counts."""

from __future__ import annotations

from .documents import Taxonomy
from .geo import nearest_km
from .highlight import highlights
from .query import SupplierQuery
from .text import terms


def hit_of(source: dict, query: SupplierQuery, taxonomy: Taxonomy) -> dict:
    hit = {key: source.get(key) for key in (
        "id", "name", "legal_name", "trade_name", "sectors", "digital", "employees", "size",
        "sites", "updated_at")}
    hit["capabilities"] = source["capabilities_declared"]
    hit["certifications"] = [
        {**c, "valid_on_date": c["valid_from"] <= query.valid_on.isoformat() <= c["valid_until"]}
        for c in source["certifications"]
    ]
    if query.point:
        hit["distance_km"] = round(nearest_km(query.point.lat, query.point.lon, source["sites"]), 3)
    # Ancestors too: 'formage' finds a laser cutter through its parent node's label.
    labels = [label for code in source["capabilities"]
              if (node := taxonomy.capability(code)) for label in (node.label_fr, node.label_en)]
    hit["highlights"] = highlights(source, labels, tuple(terms(query.text)))
    return hit


def facets_of(aggregations: dict, taxonomy: Taxonomy, certification_name) -> dict:
    facets = {}
    for name, aggregation in aggregations.items():
        facet = aggregation["facet"]
        if name == "distance":
            bands = [_band(key, bucket["doc_count"]) for key, bucket in facet["buckets"].items()]
            facets[name] = sorted(bands, key=lambda band: band["from_km"])
        elif name == "certification":
            facets[name] = [{"value": b["key"], "label": certification_name(b["key"]),
                             "count": b["suppliers"]["doc_count"]}
                            for b in facet["valid"]["values"]["buckets"]]
        elif name == "capability":
            facets[name] = [_capability(taxonomy, b["key"], b["doc_count"]) for b in facet["buckets"]]
        else:
            facets[name] = [{"value": b["key"], "count": b["doc_count"]} for b in facet["buckets"]]
    return facets


def _band(key: str, count: int) -> dict:
    low, _, high = key.replace("+", "-").partition("-")
    return {"value": key, "from_km": int(low), "to_km": int(high) if high else None, "count": count}


def _capability(taxonomy: Taxonomy, code: str, count: int) -> dict:
    node = taxonomy.capability(code)
    return {"value": code, "parent": node.parent if node else None,
            "label_fr": node.label_fr if node else code, "label_en": node.label_en if node else code,
            "count": count}
