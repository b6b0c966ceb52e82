"""Search quality on the judged set: recall@20 and nDCG@10 must not fall below what the
trade's vocabulary reached (docs/search-quality.md).

The suppliers of tests/data/judged_relevance.json are created through the API, each judged
query is searched through the API, and bench.relevance computes the measures (the same ones
its script prints for any version of the code). The judgments were written by hand from the
profiles, not computed by the code under test.
"""

from __future__ import annotations

import pytest
from factories import issue_admin_key, new_siret
from search_support import clean_index, refresh, search

from bench.relevance import RECALL_AT, evaluate, judged, site

# Reached by the vocabulary: recall@20 0.986, nDCG@10 0.978 to 0.982 (equal scores are ordered
# by supplier id, random here); main's search: 0.748 and 0.762. Raise them as search improves.
RECALL_FLOOR = 0.985
NDCG_FLOOR = 0.975

JUDGED = judged()


@pytest.fixture(scope="module")
def keys_of(app) -> dict[str, str]:
    """Supplier id -> the judged set's key."""
    with clean_index(app):
        client, admin = app.test_client(), issue_admin_key(app)
        keys = {}
        for supplier in JUDGED["suppliers"]:
            response = client.post("/api/v1/suppliers", headers=admin.headers, json={
                "legal_name": supplier["legal_name"], "country": "FR", "siret": new_siret(),
                "description": supplier["description"], "sites": [site(supplier)],
                "capabilities": [{"code": code} for code in supplier["capabilities"]]})
            assert response.status_code == 201, response.get_json()
            keys[response.get_json()["id"]] = supplier["key"]
        refresh(app)
        yield keys


def test_the_judged_set_is_as_the_issue_asks():
    queries = JUDGED["queries"]
    kinds = {query["kind"] for query in queries}
    assert len(queries) >= 60 and {"typo", "abbreviation", "english"} <= kinds
    assert all(query["relevant"] for query in queries)


def test_recall_and_ndcg_do_not_fall_below_what_the_vocabulary_reached(client, keys_of):
    def ranked(q: str) -> list[str]:
        response = search(client, {"q": q, "page_size": str(RECALL_AT)})
        assert response.status_code == 200, response.get_json()
        return [keys_of[hit["id"]] for hit in response.get_json()["items"]]

    figures = evaluate(ranked, JUDGED["queries"])
    misses = "\n".join(f"  {m['q']!r}: want {m['relevant']}, first {m['first']}" for m in figures["misses"])
    assert figures[f"recall@{RECALL_AT}"] >= RECALL_FLOOR, misses
    assert figures["ndcg@10"] >= NDCG_FLOOR, misses
