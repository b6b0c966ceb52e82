"""Clustered supplier counts for a map (see search.clusters for the counting rules)."""

from __future__ import annotations

from search.clusters import BoundingBox, build_clusters, clusters_of, precision_for
from search.index import SupplierIndex

from .service import check_codes, query_from, resolve_point, run


def supplier_clusters(index: SupplierIndex, args: dict) -> dict:
    check_codes(args)
    point, _place = resolve_point(args)
    query = query_from(args, point)
    precision = precision_for(args["zoom"])
    response = run(index, build_clusters(query, BoundingBox(**args["bbox"]), precision))
    return clusters_of(response, precision)
