"""Reading Elasticsearch's answer: hits with distances and highlights, and facet counts."""

from __future__ import annotations

from .documents import Taxonomy
from .geo import nearest_km
from .highlight import highlights
from .query import DISTANCE_BANDS, EVERYONE, SupplierQuery


def hits_of(sources: list[dict], query: SupplierQuery, taxonomy: Taxonomy) -> list[dict]:
    """The page's items, from the hits' sources."""
    terms = query.highlight_terms()  # the same for every hit
    return [hit_of(source, query, taxonomy, terms) for source in sources]


def hit_of(source: dict, query: SupplierQuery, taxonomy: Taxonomy, highlight_terms: tuple[str, ...]) -> dict:
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
    hit["highlights"] = highlights(source, _labels(taxonomy, source["capabilities"]),
                                   highlight_terms) if highlight_terms else {}
    return hit


def _labels(taxonomy: Taxonomy, codes: list[str]) -> list[str]:
    # Ancestors too: 'formage' finds a laser cutter through its parent node's label.
    return [label for code in codes if (node := taxonomy.capability(code)) for label in (node.label_fr, node.label_en)]


def facets_of(aggregations: dict, taxonomy: Taxonomy, certification_name) -> dict:
    """The facets from their aggregations (each named after its facet, see query.build_searches)."""
    facets = {}
    for name, facet in aggregations.items():
        if name == "distance":
            facets[name] = bands(ring_counts(facet))
        elif name == "certification":
            facets[name] = [{"value": b["key"], "label": certification_name(b["key"]),
                             "count": b["suppliers"]["doc_count"]}
                            for b in facet["valid"]["values"]["buckets"]]
        elif name == "capability":
            facets[name] = [_capability(taxonomy, b["key"], b["doc_count"]) for b in facet["buckets"]]
        else:
            facets[name] = [{"value": b["key"], "count": b["doc_count"]} for b in facet["buckets"]]
    return facets


def ring_counts(aggregation: dict) -> dict[float | None, int]:
    """Suppliers within each ring of query.rings, by radius (None: everyone)."""
    everyone = aggregation["buckets"][EVERYONE]
    return {None: everyone["doc_count"],
            **{int(key): bucket["doc_count"] for key, bucket in everyone["rings"]["buckets"].items()}}


def bands(within: dict[float | None, int]) -> list[dict]:
    """Each distance band's count: the ring at its far limit less the ring at its near one."""
    return [{"value": f"{low}-{high}" if high else f"{low}+", "from_km": low, "to_km": high,
             "count": within[high] - (within[low] if low else 0)}
            for low, high in DISTANCE_BANDS]


def _capability(taxonomy: Taxonomy, code: str, count: int) -> dict:
    node = taxonomy.capability(code)
    return {"value": code, "parent": node.parent if node else None,
            "label_fr": node.label_fr if node else code, "label_en": node.label_en if node else code,
            "count": count}
