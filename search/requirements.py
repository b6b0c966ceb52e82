"""What an RFQ asks of a supplier, and the rule that says whether a profile meets it.

A supplier meets an RFQ when it has every required capability (declaring the
node or a descendant), a certificate of every required type valid on the date
(valid_from <= date <= valid_until), and a site within the maximum distance
(none given: any distance). This is the rule search.matching asks
Elasticsearch; here it runs on a plain profile (the dict
search.documents.build_document takes), so that the API can decide from the
database alone whether a supplier may see and quote on a public RFQ.

The boundary is inside: a site exactly at the maximum distance is within it.
Elasticsearch's geo_distance filter works on coordinates quantised to about a
centimetre with its own haversine, so within a metre or so of the limit the
two may disagree; away from it they never do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from .geo import nearest_km
from .query import GeoPoint


class Lineages(Protocol):
    """What the rule needs of the capability taxonomy (api.reference.catalog fits)."""

    def lineage(self, code: str) -> tuple[str, ...]: ...  # ancestors then the code; () if unknown


@dataclass(frozen=True)
class Requirements:
    valid_on: date  # the RFQ's needed-by date
    point: GeoPoint  # the delivery place
    capabilities: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    max_distance_km: float | None = None  # None: any distance

    def __post_init__(self):
        # Each requirement counts once (it is one named clause in the search).
        object.__setattr__(self, "capabilities", tuple(dict.fromkeys(self.capabilities)))
        object.__setattr__(self, "certifications", tuple(dict.fromkeys(self.certifications)))


@dataclass(frozen=True)
class Lacks:
    """The requirements a supplier does not meet, in the order the RFQ lists them."""

    capabilities: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    too_far: bool = False


def covering(required: str, declared: Iterable[str], taxonomy: Lineages) -> tuple[str, ...]:
    """The declared codes that satisfy a required one: itself or its descendants."""
    return tuple(code for code in declared if required in taxonomy.lineage(code))


def latest_valid_until(certifications: Iterable[dict], certification_type: str, on: date) -> date | None:
    """The latest expiry among the certificates of that type valid on the date; None if none is."""
    valid = [date.fromisoformat(c["valid_until"]) for c in certifications
             if c["type"] == certification_type
             and date.fromisoformat(c["valid_from"]) <= on <= date.fromisoformat(c["valid_until"])]
    return max(valid, default=None)


def unmet(requirements: Requirements, profile: dict, taxonomy: Lineages) -> Lacks:
    declared = [capability["code"] for capability in profile.get("capabilities", [])]
    certifications = profile.get("certifications", [])
    distance = nearest_km(requirements.point.lat, requirements.point.lon, profile.get("sites", []))
    return Lacks(
        capabilities=tuple(code for code in requirements.capabilities
                           if not covering(code, declared, taxonomy)),
        certifications=tuple(code for code in requirements.certifications
                             if latest_valid_until(certifications, code, requirements.valid_on) is None),
        # A supplier without sites is too far for any limit (as in Elasticsearch), never without one.
        too_far=requirements.max_distance_km is not None
                and (distance is None or distance > requirements.max_distance_km),
    )


def qualifies(requirements: Requirements, profile: dict, taxonomy: Lineages) -> bool:
    return unmet(requirements, profile, taxonomy) == Lacks()
