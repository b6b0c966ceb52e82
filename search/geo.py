"""Distances on the Earth, as Elasticsearch computes them (arc distance, mean radius)."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a spherical Earth."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def nearest_km(lat: float, lon: float, sites: list[dict]) -> float | None:
    """Distance from a point to the nearest of several sites (dicts with latitude/longitude)."""
    distances = [haversine_km(lat, lon, site["latitude"], site["longitude"]) for site in sites]
    return min(distances) if distances else None
