"""Benchmark: supplier imports from spreadsheets, end to end.

    python -m bench.imports [--rows 10000] [--memory-rows 10000 50000] [--database-url URL]

Writes files of generated suppliers (api.generator: valid SIRETs, real places,
known codes) in the template's columns, then, each in a fresh child process on
a fresh database (SQLite in a temporary folder unless --database-url names a
PostgreSQL server, on which a database `proxisource_bench_imports` is created
and dropped):

- rows per second of a dry run and of an apply (the rows written through the
  supplier rules: history, events, outbox), from the file's bytes to the last
  row's outcome, as the CLI does it (`start_import`, then one transaction per
  chunk);
- the peak memory of a dry run of 10,000 and 50,000 lean rows (the child's own
  ru_maxrss, minus what it held before the import: the app and the reference
  data): flat when the import streams. Lean (a site, two capabilities, a
  certification), because 50,000 of the generator's
  full profiles (about 1 kB a row) are over the 20 MB limit.

Prints the figures and writes them to docs/performance.md (section "Imports").
The elapsed times include no Elasticsearch work: the outbox rows an apply
writes are pushed by the worker afterwards.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from api.generator.suppliers import Generator
from api.imports import columns, rows, writing

PERFORMANCE_DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
SECTION = "## Imports"
BENCH_DATABASE = "proxisource_bench_imports"
# The most items the generator gives a supplier, per group: the file's numbered columns.
SAMPLE_COUNTS = {"sites": 6, "capabilities": 8, "certifications": 10, "contacts": 3}


# Lean rows (a site, two capabilities, a certification; no contact, website or description):
# small enough for 50,000 of them to fit in the 20 MB limit (the generator's full profiles
# take about 1 kB a row).
LEAN_COUNTS = {"sites": 1, "capabilities": 2, "certifications": 1, "contacts": 0}


def sample_rows(count: int, seed: int = 7, lang: str = "fr", lean: bool = False):
    """The header, then `count` generated suppliers as new rows (no id) of the template."""
    generator = Generator(seed)
    counts = LEAN_COUNTS if lean else SAMPLE_COUNTS
    yield columns.header(lang, counts)
    for drawn in generator.suppliers(0, count):
        profile = {**drawn["supplier"], "id": None, **{key: drawn[key][:counts[key]] for key in counts}}
        if lean:
            profile["description"] = profile["website"] = None
        yield rows.cells_of(profile, counts)


def write_sample(path: Path, count: int, seed: int = 7, lean: bool = False) -> Path:
    """The sample file at `path` (kept: written once per folder, count, kind and format)."""
    if path.exists():
        return path
    file_format = path.suffix.lstrip(".")
    with path.open("w" if file_format == "csv" else "wb",
                   **({"encoding": "utf-8", "newline": ""} if file_format == "csv" else {})) as out:
        out.writelines(writing.pieces(sample_rows(count, seed, lean=lean), file_format, "fr"))
    return path


# --- the child: one import in a process of its own ------------------------------------------


def child(file: Path, database_url: str, dry_run: bool) -> dict:
    from api import create_app, migrate
    from api.db import unit_of_work
    from api.imports import labels, service
    from api.models import Import

    migrate.upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url, "ELASTICSEARCH_URL": "http://127.0.0.1:1",
                      "LOG_LEVEL": "WARNING"})
    sessions = app.extensions["db_sessionmaker"]
    for vocabulary in (labels.capabilities, labels.certification_types, labels.sectors,
                       labels.digital_capabilities):
        vocabulary()  # the reference data, loaded before the baseline
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu_started = time.perf_counter(), time.process_time()
    with unit_of_work(sessions) as session:
        import_id = service.start_import(session, file.name, file.read_bytes(), dry_run=dry_run,
                                         principal=None).id
    read_seconds = time.perf_counter() - started
    while True:
        with unit_of_work(sessions) as session:
            if not service.process_chunk(session, session.get(Import, import_id)):
                break
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    with sessions() as session:
        imported = session.get(Import, import_id)
        counts, total = dict(imported.counts), imported.rows_total
    return {"rows": total, "seconds": seconds, "cpu_seconds": cpu_seconds, "read_seconds": read_seconds,
            "counts": counts,
            "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "baseline_kb": baseline_kb}


def schema_floor(file: Path, count: int = 2_000) -> dict:
    """What this machine does without the import around it: the payloads of the file's first
    `count` rows through the API's schema alone (the floor of a dry run's time per row), and
    a pure-Python yardstick to compare machines by."""
    from marshmallow import ValidationError

    from api.imports import reading, service
    from schemas.suppliers import SupplierWriteSchema

    sheet = reading.read(file.read_bytes())
    _, first = next(sheet.rows)
    layout = service.Layout.of([rows.text(cell) or "" for cell in first])
    payloads = [rows.draft(layout.values(cells), layout.shape).data
                for _, (_, cells) in zip(range(count), sheet.rows)]
    schema = SupplierWriteSchema()
    started = time.process_time()
    for payload in payloads:
        try:
            schema.load(payload)
        except ValidationError:
            pass
    schema_seconds = time.process_time() - started
    started = time.process_time()
    for _ in range(100):
        sum(range(100_000))
    return {"schema_rows_per_second": len(payloads) / schema_seconds,
            "yardstick_ms": (time.process_time() - started) * 10}  # one sum(range(100_000))


def run_child(file: Path, database_url: str, dry_run: bool) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "bench.imports", "--child", str(file), "--database-url", database_url,
         *(["--dry-run"] if dry_run else [])], check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


class FreshDatabase:
    """A new, empty database for each child: SQLite in `folder`, or one on a PostgreSQL server."""

    def __init__(self, server_url: str | None, folder: Path):
        self.server_url, self.folder, self.count = server_url, folder, 0

    def __call__(self) -> str:
        self.count += 1
        if not self.server_url:
            return f"sqlite:///{self.folder / f'bench-{self.count}.db'}"
        admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
        admin.dispose()
        return make_url(self.server_url).set(database=BENCH_DATABASE).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self.server_url:
            admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
            admin.dispose()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(rows_count: int, memory_rows: list[int], server_url: str | None, samples: Path,
            formats: list[str]) -> dict:
    samples.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        fresh = FreshDatabase(server_url, Path(folder))
        try:
            results = {"database": make_url(fresh()).get_backend_name(), "speed": {}, "memory": []}
            for file_format in formats if rows_count else ():
                file = write_sample(samples / f"suppliers-{rows_count}.{file_format}", rows_count)
                log(f"{file.name}: {file.stat().st_size / 1e6:.1f} MB")
                if file_format == "csv":
                    results["floor"] = schema_floor(file)
                    log(f"  the schema alone: {results['floor']['schema_rows_per_second']:,.0f} rows/s of CPU; "
                        f"sum(range(100_000)) takes {results['floor']['yardstick_ms']:.1f} ms here")
                for mode, dry_run in (("dry run", True), ("apply", False)):
                    result = run_child(file, fresh(), dry_run)
                    result["rows_per_second"] = result["rows"] / result["seconds"]
                    result["rows_per_cpu_second"] = result["rows"] / result["cpu_seconds"]
                    results["speed"][f"{file_format} {mode}"] = result
                    log(f"  {mode}: {result['rows']:,} rows in {result['seconds']:.1f}s "
                        f"({result['rows_per_second']:,.0f} rows/s, {result['rows_per_cpu_second']:,.0f} per CPU "
                        f"second; reading and storing {result['read_seconds']:.1f}s) {result['counts']}")
            for count in memory_rows:
                for file_format in formats:
                    file = write_sample(samples / f"suppliers-lean-{count}.{file_format}", count, lean=True)
                    result = run_child(file, fresh(), True)
                    result.update(format=file_format, size_mb=file.stat().st_size / 1e6)
                    results["memory"].append(result)
                    log(f"  memory, {count:,} rows {file_format} ({result['size_mb']:.1f} MB): peak "
                        f"{result['peak_kb'] / 1024:.0f} MB, {(result['peak_kb'] - result['baseline_kb']) / 1024:.0f} "
                        "MB over the baseline")
        finally:
            fresh.drop()
    return results


def markdown(results: dict, rows_count: int) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    lines = [SECTION, "",
             f"`python -m bench.imports` ({when}, {results['database']}, Python {platform.python_version()}, "
             f"{platform.machine()}, a machine shared with other jobs). Generated suppliers in the template's "
             "columns (169 columns, French headers), each run in a fresh process on a fresh database; from "
             "the file's bytes to the last row's outcome, as `flask --app api suppliers import` does it."]
    if results["speed"]:
        lines += ["", f"| {rows_count:,} rows | seconds | rows/s | CPU seconds | rows per CPU second "
                  "| of which reading and storing the rows |", "|---|---:|---:|---:|---:|---:|"]
    for name, result in results["speed"].items():
        lines.append(f"| {name} | {result['seconds']:.1f} | {result['rows_per_second']:,.0f} | "
                     f"{result['cpu_seconds']:.1f} | {result['rows_per_cpu_second']:,.0f} | "
                     f"{result['read_seconds']:.1f} s |")
    floor = results.get("floor")
    if floor:
        lines += ["", "The floor: the same rows' payloads through the API's schema alone "
                  f"(`SupplierWriteSchema.load`) take {1000 / floor['schema_rows_per_second']:.2f} ms of CPU "
                  f"each here ({floor['schema_rows_per_second']:,.0f} rows/s); `sum(range(100_000))` takes "
                  f"{floor['yardstick_ms']:.1f} ms (time it on your machine to scale these figures)."]
    lines += ["", "Peak memory of a dry run of lean rows (a site, two capabilities, a certification; "
              "50,000 full profiles would be over the 20 MB limit), as the process's ru_maxrss; the "
              "baseline is the same process before the import, with the app and the reference data loaded:", "",
              "| rows | format | file | peak | over the baseline |", "|---:|---|---:|---:|---:|"]
    for result in results["memory"]:
        lines.append(f"| {result['rows']:,} | {result['format']} | {result['size_mb']:.1f} MB | "
                     f"{result['peak_kb'] / 1024:.0f} MB | {(result['peak_kb'] - result['baseline_kb']) / 1024:.0f} MB |")
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    text_now = PERFORMANCE_DOC.read_text() if PERFORMANCE_DOC.exists() else "# Performance\n"
    if SECTION in text_now:
        start = text_now.index(SECTION)
        following = text_now.find("\n## ", start + len(SECTION))
        text_now = text_now[:start] + section + (text_now[following + 1:] if following >= 0 else "")
    else:
        text_now = text_now.rstrip("\n") + "\n\n" + section
    PERFORMANCE_DOC.write_text(text_now)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the speed runs (0: none)")
    parser.add_argument("--formats", nargs="*", choices=("csv", "xlsx"), default=["csv", "xlsx"])
    parser.add_argument("--memory-rows", type=int, nargs="*", default=[10_000, 50_000])
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--no-doc", action="store_true", help="print only, leave docs/performance.md")
    parser.add_argument("--samples", type=Path, default=Path(tempfile.gettempdir()) / "proxisource-import-samples",
                        help="where the sample files are written once and kept")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--dry-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.database_url, args.dry_run)))
        return
    results = measure(args.rows, args.memory_rows, args.database_url, args.samples, args.formats)
    section = markdown(results, args.rows)
    print(section)
    if not args.no_doc:
        write_doc(section)


if __name__ == "__main__":
    main()
