"""Clustered counts for a map: suppliers per Web Mercator grid cell in a bounding box.

The request filters suppliers as the supplier search does (same text, same
filters), keeps those with at least one site in the box, and buckets their
sites with a `geotile_grid` aggregation whose `bounds` is the box, so sites
outside the box are left out of every cell.

Counting rules (what a map user sees):
- a cell counts suppliers, not sites: two sites of one supplier in the same
  cell count once;
- a supplier with sites in several cells counts once in *each* of them, so
  the cell counts can add up to more than `total` (the number of distinct
  suppliers with a site in the box);
- the centroid is Elasticsearch's `geo_centroid` of the suppliers counted in
  the cell, which averages *all* their sites, those elsewhere included; it is
  therefore clamped into the cell so that a marker never lands in another one.

The box may cross the antimeridian (min_lon > max_lon): Elasticsearch's
bounding boxes handle that natively.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .query import SupplierQuery, base_query, facet_filters

MAX_PRECISION = 29  # the finest geotile precision Elasticsearch accepts
MAX_CELLS = 10_000


@dataclass(frozen=True)
class BoundingBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.min_lon > self.max_lon

    def as_es(self) -> dict:
        return {"top_left": {"lat": self.max_lat, "lon": self.min_lon},
                "bottom_right": {"lat": self.min_lat, "lon": self.max_lon}}


def precision_for(zoom: int) -> int:
    """Cells a quarter of a map tile wide: two zoom levels finer than the map."""
    return min(zoom + 2, MAX_PRECISION)


def build_clusters(query: SupplierQuery, bbox: BoundingBox, precision: int) -> dict:
    """The search body: every filter of `query`, sites in `bbox`, counts per tile of `precision`."""
    box = bbox.as_es()
    filters = [clause for clauses in facet_filters(query).values() for clause in clauses]
    filters.append({"geo_bounding_box": {"locations": box}})
    return {
        "query": {"bool": {"must": [base_query(query)], "filter": filters}},
        "size": 0,
        "track_total_hits": True,
        "aggs": {"cells": {
            "geotile_grid": {"field": "locations", "precision": precision, "size": MAX_CELLS,
                             "bounds": box},
            "aggs": {"centroid": {"geo_centroid": {"field": "locations"}}},
        }},
    }


def tile_bounds(key: str) -> dict:
    """Bounds in degrees of the Web Mercator tile 'z/x/y' (y counted from the north)."""
    zoom, x, y = (int(part) for part in key.split("/"))
    n = 2 ** zoom
    return {"min_lat": _tile_lat(y + 1, n), "min_lon": x / n * 360.0 - 180.0,
            "max_lat": _tile_lat(y, n), "max_lon": (x + 1) / n * 360.0 - 180.0}


def _tile_lat(y: int, n: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))


def clusters_of(response: dict, precision: int) -> dict:
    """The API answer from Elasticsearch's: total, cells (biggest first), precision."""
    cells = []
    for bucket in response["aggregations"]["cells"]["buckets"]:
        bounds = tile_bounds(bucket["key"])
        location = (bucket.get("centroid") or {}).get("location")
        if location:
            centroid = {"lat": _clamp(location["lat"], bounds["min_lat"], bounds["max_lat"]),
                        "lon": _clamp(location["lon"], bounds["min_lon"], bounds["max_lon"])}
        else:  # cannot happen for a non-empty cell; the centre is a safe answer anyway
            centroid = {"lat": (bounds["min_lat"] + bounds["max_lat"]) / 2,
                        "lon": (bounds["min_lon"] + bounds["max_lon"]) / 2}
        cells.append({"key": bucket["key"], "count": bucket["doc_count"], "centroid": centroid,
                      "bounds": bounds})
    return {"total": response["hits"]["total"]["value"], "cells": cells, "precision": precision}


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)
