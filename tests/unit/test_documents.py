"""The search document's text fields and concepts, against their plain definitions.

build_document analyses each text once and takes each capability's analysed labels and concepts
from a cache; the document must be what the definitions give: every text's normalised words
(search.text.terms) joined by spaces, and every concept each text names on its own
(Vocabulary.concepts_in), over generated suppliers.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from api.generator import Generator
from api.reference import catalog
from search.documents import build_document
from search.text import fold, terms


def profile(generated: dict) -> dict:
    row = generated["supplier"]
    return {
        **{key: row[key] for key in ("id", "legal_name", "trade_name", "description", "employees",
                                     "sectors", "digital")},
        "updated_at": row["updated_at"].isoformat(),
        "sites": generated["sites"],
        "capabilities": generated["capabilities"],
        "certifications": [{"type": c["type"], "valid_from": c["valid_from"].isoformat(),
                            "valid_until": c["valid_until"].isoformat()} for c in generated["certifications"]],
    }


def words_of(*texts: str | None) -> str:
    return " ".join(word for text in texts for word in terms(text))


@pytest.fixture(scope="module")
def profiles() -> list[dict]:
    suppliers = Generator(11, now=datetime(2026, 6, 1, tzinfo=timezone.utc)).suppliers(0, 400)
    return [profile(generated) for generated in suppliers]


def test_text_fields_and_concepts_are_those_of_each_text(profiles):
    assert any(p["trade_name"] for p in profiles) and any(not p["trade_name"] for p in profiles)
    for p in profiles:
        codes = sorted({code for c in p["capabilities"] for code in catalog.lineage(c["code"])})
        labels = [label for code in codes for label in (catalog.capability(code).label_fr,
                                                        catalog.capability(code).label_en)]
        document = build_document(p, catalog)
        assert document["text_name"] == words_of(p["legal_name"], p["trade_name"])
        assert document["text_capabilities"] == words_of(*labels)
        assert document["text_description"] == words_of(p["description"])
        assert document["text_places"] == words_of(*(site["city"] for site in p["sites"]))
        assert document["concepts"] == catalog.vocabulary().concepts_in(
            p["legal_name"], p["trade_name"], *labels, p["description"])
        assert document["name_sort"] == fold(p["trade_name"] or p["legal_name"])
        assert document["suggest"]["input"] == sorted({fold(p["trade_name"] or p["legal_name"]),
                                                       fold(p["legal_name"])})
