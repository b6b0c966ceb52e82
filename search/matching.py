"""RFQ requirements as one Elasticsearch search, and reading which a hit meets.

Each requirement is a named `constant_score` clause (`capability:<code>`,
`certification:<type>`), so a hit's score is the number of requirements it
meets and its `matched_queries` say which. The distance is always a filter.
Hits are sorted by score, then distance to the nearest site, then id: full
matches come first and in the same order with or without near misses, so the
first N hits with `include_partial` hold every full match the first N hits
without it hold. The rule itself, on a plain profile, is search.requirements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from .query import TIEBREAK, certified, nearest_first, within
from .requirements import Lacks, Requirements

# What an explanation needs; expiries come from the inner hits.
MATCH_SOURCE = ["id", "name", "capabilities_declared", "digital", "sites"]
# The latest expiry among the certificates of a type valid on the date.
LATEST_VALID = {"size": 1, "sort": [{"certifications.valid_until": "desc"}],
                "_source": ["certifications.valid_until"]}


def capability_name(code: str) -> str:
    return f"capability:{code}"


def certification_name(code: str) -> str:
    return f"certification:{code}"


def requirement_clauses(requirements: Requirements) -> list[dict]:
    """One clause per requirement, each scoring 1 when met."""
    capabilities = [{"constant_score": {"filter": {"term": {"capabilities": code}},
                                        "_name": capability_name(code)}}
                    for code in requirements.capabilities]
    certifications = [{"constant_score": {
        "filter": certified(requirements.valid_on, (code,),
                            inner_hits={**LATEST_VALID, "name": certification_name(code)}),
        "_name": certification_name(code)}}
        for code in requirements.certifications]
    return capabilities + certifications


def build_match_search(requirements: Requirements, *, include_partial: bool, size: int,
                       search_after: list | None = None) -> dict:
    """Full matches; with `include_partial`, also suppliers meeting at least one requirement.

    With no requirements at all, every supplier within the distance is a full match."""
    clauses = requirement_clauses(requirements)
    distance = ([within(requirements.point, requirements.max_distance_km)]
                if requirements.max_distance_km is not None else [])
    if include_partial and clauses:
        query = {"bool": {"should": clauses, "minimum_should_match": 1, "filter": distance}}
    else:
        query = {"bool": {"must": clauses, "filter": distance}}
    body = {
        "query": query,
        "sort": [{"_score": "desc"}, nearest_first(requirements.point), TIEBREAK],
        "size": size,
        "track_total_hits": True,
        "_source": MATCH_SOURCE,
    }
    if search_after:
        body["search_after"] = search_after
    return body


@dataclass(frozen=True)
class MatchReading:
    """What a hit of build_match_search says about one supplier."""

    source: dict  # MATCH_SOURCE fields
    capabilities_met: tuple[str, ...]
    valid_until: dict[str, date]  # each certification met: the latest expiry valid on the date
    lacks: Lacks  # never too_far: the distance is a filter
    distance_km: float | None  # to the nearest site; None for a supplier without sites

    @property
    def full_match(self) -> bool:
        return self.lacks == Lacks()


def read_match(hit: dict, requirements: Requirements) -> MatchReading:
    matched = set(hit.get("matched_queries", ()))
    capabilities_met = tuple(code for code in requirements.capabilities if capability_name(code) in matched)
    valid_until = {code: _latest_valid_until(hit, code)
                   for code in requirements.certifications if certification_name(code) in matched}
    # The sort is [score, distance, id]; a supplier without sites sorts at "Infinity".
    distance = float(hit["sort"][1])
    return MatchReading(
        source=hit["_source"],
        capabilities_met=capabilities_met,
        valid_until=valid_until,
        lacks=Lacks(
            capabilities=tuple(code for code in requirements.capabilities if code not in capabilities_met),
            certifications=tuple(code for code in requirements.certifications if code not in valid_until)),
        distance_km=None if math.isinf(distance) else distance,
    )


def _latest_valid_until(hit: dict, certification_type: str) -> date:
    latest = hit["inner_hits"][certification_name(certification_type)]["hits"]["hits"][0]
    return date.fromisoformat(latest["_source"]["valid_until"])
