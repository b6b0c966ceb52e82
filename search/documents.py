"""The search document of a supplier, built from a plain profile dict.

Everything the minimal distribution cannot do at index time is done here:
accents and plurals are normalised (search.text), the trade's synonyms are
named as concepts (search.vocabulary), and capability codes are expanded with
their ancestors so that asking for a parent node is a plain `terms` filter
that matches every descendant.
"""

from __future__ import annotations

import functools
from typing import Protocol

from .text import analysed, analyze, fold
from .vocabulary import Vocabulary

# EU SME size bands by head count.
SIZE_BANDS = (("micro", 10), ("small", 50), ("medium", 250))


class Taxonomy(Protocol):
    """What the builder needs of the capability taxonomy (api.reference.catalog fits)."""

    def lineage(self, code: str) -> tuple[str, ...]: ...

    def capability(self, code: str): ...  # has .label_fr and .label_en

    def vocabulary(self) -> Vocabulary: ...


def size_band(employees: int | None) -> str | None:
    if employees is None:
        return None
    return next((band for band, limit in SIZE_BANDS if employees < limit), "large")


def display_name(profile: dict) -> str:
    return profile.get("trade_name") or profile["legal_name"]


def build_document(profile: dict, taxonomy: Taxonomy) -> dict:
    declared = [capability["code"] for capability in profile.get("capabilities", [])]
    expanded = sorted({code for declared_code in declared for code in taxonomy.lineage(declared_code)})
    capability_texts = [_capability_text(taxonomy, code) for code in expanded]
    sites = profile.get("sites", [])
    name, legal_name, trade_name = display_name(profile), profile["legal_name"], profile.get("trade_name")
    name_sort = fold(name)
    # Each text is analysed once, for its field and for its concepts.
    name_texts = (analysed(legal_name), analysed(trade_name))
    description = analysed(profile.get("description"))
    concepts_of = taxonomy.vocabulary().concepts_of
    # Cities are left out: a place name is no trade word, whatever it sounds like.
    concepts = set(concepts_of(description.split())).union(
        *(concepts_of(text.split()) for text in name_texts), *(concepts for _, concepts in capability_texts))
    return {
        "id": profile["id"],
        "name": name,
        "legal_name": legal_name,
        "trade_name": trade_name,
        "name_sort": name_sort,
        "description": profile.get("description"),
        "text_name": " ".join(filter(None, name_texts)),
        "text_capabilities": " ".join(filter(None, (text for text, _ in capability_texts))),
        "text_description": description,
        "text_places": analyze(*(site["city"] for site in sites)),
        "concepts": sorted(concepts),
        "capabilities": expanded,
        "capabilities_declared": declared,
        "certifications": [
            {"type": c["type"], "valid_from": c["valid_from"], "valid_until": c["valid_until"]}
            for c in profile.get("certifications", [])
        ],
        "sectors": profile.get("sectors", []),
        "digital": profile.get("digital", []),
        "countries": sorted({site["country"] for site in sites}),
        "departments": sorted({site["department"] for site in sites if site.get("department")}),
        "employees": profile.get("employees"),
        "size": size_band(profile.get("employees")),
        "locations": [{"lat": site["latitude"], "lon": site["longitude"]} for site in sites],
        "sites": [
            {key: site.get(key) for key in ("city", "postal_code", "country", "department",
                                            "latitude", "longitude")}
            for site in sites
        ],
        "updated_at": profile["updated_at"],
        "suggest": {"input": sorted({name_sort, fold(legal_name) if trade_name else name_sort})},
    }


@functools.lru_cache(maxsize=4096)
def _capability_text(taxonomy: Taxonomy, code: str) -> tuple[str, frozenset[str]]:
    """A taxonomy node's labels analysed, and their concepts: the same for every supplier that has
    it (the taxonomy is fixed within a process), so worked out once."""
    node = taxonomy.capability(code)
    labels = (node.label_fr, node.label_en) if node else ()
    return analyze(*labels), frozenset(taxonomy.vocabulary().concepts_in(*labels))
