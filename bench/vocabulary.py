"""What the trade's vocabulary costs a search: main's query against the vocabulary's, side by side.

Generated suppliers (api.generator, fixed seed) are indexed once, straight from their
documents (no database), into an index of their own; the documents carry their concepts,
which main's query ignores, so both queries run on the same index. Each round sends every
query of the benchmark mix (bench.queries.MIX) both ways, in alternating order, as the
_msearch the API sends, and takes Elasticsearch's wall time; the figures are the medians
over every query and round, and their ratio; then, per query, the ratio of its two medians,
for the queries with text and for those without (the same body both ways: the noise).

    python -m bench.vocabulary --suppliers 100000 --rounds 30 --elasticsearch-url http://127.0.0.1:9200
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import replace

from api.generator import Generator
from api.generator.profiles import search_profile
from api.reference import catalog
from api.search.service import query_from, search_headers
from schemas.search import SupplierSearchArgsSchema
from search import indexer
from search.client import make_client
from search.documents import build_document
from search.index import SupplierIndex
from search.query import GeoPoint, SupplierQuery, build_searches

from .queries import MIX

PREFIX = "bench-vocabulary"
SEED = 1414


def log(message: str) -> None:
    print(f"[bench.vocabulary] {message}", file=sys.stderr, flush=True)


def fill(index: SupplierIndex, suppliers: int) -> None:
    name = index.new_index_name()
    index.create(name, bulk_loading=True)
    generator = Generator(SEED)
    changes = (indexer.Upsert(build_document(search_profile(g), catalog), 1)
               for g in generator.suppliers(0, suppliers))
    logged = [0]

    def progress(done: int) -> None:
        if done - logged[0] >= suppliers // 10 or done == suppliers:
            logged[0] = done
            log(f"indexed {done:,} of {suppliers:,}")

    indexer.write_all(index.client, changes, name, progress)
    index.finish_bulk_loading(name)
    index.client.indices.put_settings(index=name, settings={"index.requests.cache.enable": False})
    index.client.indices.update_aliases(actions=[{"add": {"index": name, "alias": index.alias}}])


def queries() -> list[SupplierQuery]:
    """The mix as the API builds it (with the vocabulary), one hit more than the page as it asks."""
    built = []
    for params in MIX:
        args = SupplierSearchArgsSchema().load(params)
        query = query_from(args, GeoPoint(args["lat"], args["lon"]))
        built.append(replace(query, page_size=query.page_size + 1))
    return built


def timed(index: SupplierIndex, query: SupplierQuery) -> tuple[float, int]:
    searches = [part for body in build_searches(query) for part in (search_headers(), body)]
    started = time.perf_counter()
    response = index.client.msearch(index=index.alias, searches=searches)
    elapsed = time.perf_counter() - started
    return elapsed, response["responses"][0]["hits"]["total"]["value"]


def measure(index: SupplierIndex, rounds: int, warmup: int = 3) -> dict:
    mix = queries()
    times = {"main": [[] for _ in mix], "vocabulary": [[] for _ in mix]}
    totals = {"main": [0] * len(mix), "vocabulary": [0] * len(mix)}
    for number in range(warmup + rounds):
        for position, query in enumerate(mix):
            ways = [("main", replace(query, vocabulary=None)), ("vocabulary", query)]
            for way, sent in ways if (number + position) % 2 else reversed(ways):
                elapsed, total = timed(index, sent)
                totals[way][position] = total
                if number >= warmup:
                    times[way][position].append(elapsed)
        if number >= warmup and (number - warmup + 1) % max(rounds // 5, 1) == 0:
            log(f"round {number - warmup + 1} of {rounds}")
    medians = {way: statistics.median(t for per_query in runs for t in per_query) * 1000
               for way, runs in times.items()}

    def ratio(with_text: bool) -> float:
        """Median over the queries with (or without) text of their medians' ratio."""
        return round(statistics.median(
            statistics.median(v) / statistics.median(m)
            for params, m, v in zip(MIX, times["main"], times["vocabulary"]) if bool(params.get("q")) == with_text), 3)

    return {
        "median_ms": {way: round(value, 2) for way, value in medians.items()},
        "ratio": round(medians["vocabulary"] / medians["main"], 3),
        # Queries without text send the same body both ways: their ratio is the measurement's noise.
        "ratio_with_text": ratio(True), "ratio_without_text": ratio(False),
        "per_query": [{"q": params.get("q"), "main_ms": round(statistics.median(m) * 1000, 2),
                       "vocabulary_ms": round(statistics.median(v) * 1000, 2),
                       "main_total": tm, "vocabulary_total": tv}
                      for params, m, v, tm, tv in zip(MIX, times["main"], times["vocabulary"],
                                                      totals["main"], totals["vocabulary"])],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suppliers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200"))
    parser.add_argument("--keep", action="store_true", help="reuse the index of a previous run of this size")
    args = parser.parse_args(argv)
    index = SupplierIndex(make_client(args.elasticsearch_url), f"{PREFIX}-{args.suppliers}")
    if not (args.keep and index.live_indexes()):
        for name in index.live_indexes():
            index.client.indices.delete(index=name)
        log(f"generating and indexing {args.suppliers:,} suppliers")
        fill(index, args.suppliers)
    result = {"suppliers": args.suppliers, "rounds": args.rounds, "load_average": os.getloadavg(),
              **measure(index, args.rounds)}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
