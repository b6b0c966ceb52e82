"""Write generated suppliers into a database: `python -m api.generator --help`.

    python -m api.generator --suppliers 10000 --seed 42 --database-url postgresql+psycopg://...
    python -m api.generator --suppliers 300 --region rouen --database-url sqlite:///instance/x.db --rebuild
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

from sqlalchemy import create_engine

from .. import create_app, migrate, transaction
from ..search import sync
from ..search.parallel import Sources
from ..search.rebuild import rebuild
from . import geography
from .suppliers import DEFAULT_SEED
from .writing import BATCH_SIZE, write


def _stderr_progress(started: float) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-9)
        print(f"  {done:,}/{total:,} suppliers ({done / total:.0%}), {rate:,.0f}/s", file=sys.stderr, flush=True)
    return report


def rebuild_index(database_url: str, elasticsearch_url: str, index_prefix: str) -> None:
    """Build the search index from the database with the real rebuild."""
    app = create_app({"DATABASE_URL": database_url, "ELASTICSEARCH_URL": elasticsearch_url,
                      "INDEX_PREFIX": index_prefix})
    with app.app_context():
        report = rebuild(transaction.session(), sync.supplier_index(), sources=Sources.of(app.config))
    print(f"{report.index} is live: {report.indexed:,} suppliers indexed in {report.seconds:.1f}s",
          file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m api.generator",
        description="Realistic supplier data, deterministic from a seed, streamed into the database.")
    parser.add_argument("--suppliers", type=int, required=True, help="how many suppliers to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start", type=int, default=0, help="number of the first supplier (to extend a data set)")
    parser.add_argument("--region", choices=sorted(geography.REGIONS), default="france")
    parser.add_argument("--database-url", required=True, help="SQLAlchemy URL of a migrated database")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="writers at once on PostgreSQL (default: one per core)")
    parser.add_argument("--migrate", action="store_true", help="apply the migrations first")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the search index afterwards")
    parser.add_argument("--elasticsearch-url", default="http://127.0.0.1:9200")
    parser.add_argument("--index-prefix", default="proxisource")
    args = parser.parse_args(argv)

    if args.migrate:
        migrate.upgrade(args.database_url)
    engine = create_engine(args.database_url)
    started = time.monotonic()
    print(f"generating {args.suppliers:,} suppliers (seed {args.seed}, region {args.region})", file=sys.stderr)
    write(engine, args.suppliers, seed=args.seed, start=args.start, region=args.region,
          batch_size=args.batch_size, progress=_stderr_progress(started), processes=args.processes)
    elapsed = time.monotonic() - started
    print(f"wrote {args.suppliers:,} suppliers in {elapsed:.1f}s ({args.suppliers / max(elapsed, 1e-9):,.0f}/s)",
          file=sys.stderr)
    engine.dispose()
    if args.rebuild:
        rebuild_index(args.database_url, args.elasticsearch_url, args.index_prefix)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
