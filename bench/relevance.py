"""Search quality on the judged set (tests/data/judged_relevance.json): recall@20 and nDCG@10.

Each judged query has the suppliers that must come first. recall@20 is the share of them
among the first 20 hits; nDCG@10 weighs where they come in the first 10 (a hit at rank r
counts 1/log2(r + 1), divided by the best possible order's sum). Both are averaged over the
queries, and per kind of query. The test (tests/integration/test_search_relevance.py) uses
the same measures through the API; this script indexes the judged suppliers straight from
their documents, so it runs on any version of the code (docs/search-quality.md's "before"):

    python -m bench.relevance --elasticsearch-url http://127.0.0.1:9200
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

JUDGED = Path(__file__).resolve().parents[1] / "tests" / "data" / "judged_relevance.json"
PREFIX = "bench-relevance"
RECALL_AT, NDCG_AT = 20, 10


def judged() -> dict:
    return json.loads(JUDGED.read_text(encoding="utf-8"))


def site(supplier: dict) -> dict:
    return {"city": supplier["city"], "postal_code": supplier["postal_code"], "country": "FR",
            "latitude": supplier["latitude"], "longitude": supplier["longitude"]}


def recall(ranked: list[str], relevant: list[str], k: int = RECALL_AT) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant)


def ndcg(ranked: list[str], relevant: list[str], k: int = NDCG_AT) -> float:
    gain = sum(1 / math.log2(rank + 1) for rank, key in enumerate(ranked[:k], start=1) if key in relevant)
    best = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return gain / best


def evaluate(search: Callable[[str], list[str]], queries: list[dict]) -> dict:
    """The mean measures over the queries and per kind; `search` gives the keys of the hits in order."""
    scores, misses = defaultdict(list), []
    for query in queries:
        ranked = search(query["q"])
        pair = (recall(ranked, query["relevant"]), ndcg(ranked, query["relevant"]))
        scores["all"].append(pair)
        scores[query["kind"]].append(pair)
        if pair[1] < 1:
            misses.append({"q": query["q"], "relevant": query["relevant"], "first": ranked[:3]})

    def mean(pairs: list[tuple[float, float]], part: int) -> float:
        return round(sum(pair[part] for pair in pairs) / len(pairs), 3)

    return {"queries": len(queries), f"recall@{RECALL_AT}": mean(scores["all"], 0),
            f"ndcg@{NDCG_AT}": mean(scores["all"], 1),
            "by_kind": {kind: {"queries": len(pairs), f"recall@{RECALL_AT}": mean(pairs, 0),
                               f"ndcg@{NDCG_AT}": mean(pairs, 1)}
                        for kind, pairs in sorted(scores.items()) if kind != "all"},
            "misses": misses}


def main(argv: list[str] | None = None) -> int:
    from api.reference import catalog
    from api.search import service
    from schemas.search import SupplierSearchArgsSchema
    from search import indexer
    from search.client import make_client
    from search.documents import build_document
    from search.index import SupplierIndex

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200"))
    args = parser.parse_args(argv)
    data = judged()
    index = SupplierIndex(make_client(args.elasticsearch_url), PREFIX)
    for name in index.live_indexes():
        index.client.indices.delete(index=name)
    index.ensure()
    now = datetime.now(timezone.utc).isoformat()
    profiles = [{"id": s["key"], "legal_name": s["legal_name"], "trade_name": None, "description": s["description"],
                 "employees": None, "sectors": [], "digital": [], "updated_at": now, "certifications": [],
                 "sites": [{**site(s), "department": s["postal_code"][:2]}],
                 "capabilities": [{"code": code} for code in s["capabilities"]]} for s in data["suppliers"]]
    indexer.write_all(index.client, [indexer.Upsert(build_document(p, catalog), 1) for p in profiles],
                      index.live_indexes()[0])
    index.refresh()

    def search(q: str) -> list[str]:
        found = service.search_suppliers(index, SupplierSearchArgsSchema().load({"q": q, "page_size": RECALL_AT}))
        return [hit["id"] for hit in found["items"]]

    print(json.dumps(evaluate(search, data["queries"]), indent=2, ensure_ascii=False))
    for name in index.live_indexes():
        index.client.indices.delete(index=name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
