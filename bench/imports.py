"""Benchmark: supplier imports from spreadsheets, end to end.

    python -m bench.imports [--rows 10000] [--memory-rows 10000 50000] [--database-url sqlite URL ...]

Writes files of generated suppliers (api.generator: valid SIRETs, real places,
known codes) in the template's columns, then, each in a fresh child process on
a fresh database (for `sqlite`, the default, a file in a temporary folder; for
the URL of a PostgreSQL database, say `.../proxisource`, a database
`proxisource_bench` beside it, created and dropped):

- rows per second of a dry run and of an apply (the rows written through the
  supplier rules: history, events, outbox), from the file's bytes to the last
  row's outcome, as the API and the worker do it (`upload`, the request's own
  time measured apart, then one transaction per chunk, the first reading the
  stored file);
- the peak memory of a dry run of 10,000 and 50,000 lean rows (the child's own
  ru_maxrss, minus what it held before the import: the app and the reference
  data, vocabularies and French places, loaded before the clock starts as a
  worker holds them): flat when the import streams. Lean (a site, two capabilities, a
  certification), because 50,000 of the generator's
  full profiles (about 1 kB a row) are over the 20 MB limit.

Prints the figures, with the load average of the machine over each run, and
writes them to docs/performance.md (section "Imports"). The elapsed times
include no Elasticsearch work: the outbox rows an apply writes are pushed by
the worker afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
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
BENCH_SUFFIX = "_bench"  # the bench's PostgreSQL database: the given one's name and this
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
    from api import create_app
    from api.db import unit_of_work
    from api.imports import service
    from api.models import Import

    app = create_app({"DATABASE_URL": database_url, "ELASTICSEARCH_URL": "http://127.0.0.1:1",
                      "LOG_LEVEL": "WARNING"})
    sessions = app.extensions["db_sessionmaker"]
    reference_started = time.perf_counter()
    service.hold_reference_data()  # before the baseline, as a worker does when it starts
    reference_seconds = time.perf_counter() - reference_started
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu_started = time.perf_counter(), time.process_time()
    with unit_of_work(sessions) as session, file.open("rb") as content:  # as the request does it
        import_id = service.upload(session, file.name, content, dry_run=dry_run, principal=None).id
    upload_seconds = time.perf_counter() - started
    read_seconds = None
    while True:  # as the worker does it: one transaction per chunk, the file read in the first
        with unit_of_work(sessions) as session:
            if not service.process_chunk(session, session.get(Import, import_id)):
                break
        read_seconds = read_seconds or time.perf_counter() - started - upload_seconds
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    with sessions() as session:
        imported = session.get(Import, import_id)
        counts, total = dict(imported.counts), imported.rows_total
    return {"rows": total, "seconds": seconds, "cpu_seconds": cpu_seconds, "upload_seconds": upload_seconds,
            "read_seconds": read_seconds or 0,
            "reference_seconds": reference_seconds,
            "counts": counts,
            "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "baseline_kb": baseline_kb}


def schema_floor(file: Path, count: int = 2_000) -> dict:
    """What this machine does without the import around it: the payloads of the file's first
    `count` rows through the API's schema alone, loaded as the import loads them (the floor of
    a dry run's time per row), and a pure-Python yardstick to compare machines by."""
    from marshmallow import ValidationError

    from api.imports import reading, service

    sheet = reading.read(file.open("rb"))
    _, first = next(sheet.rows)
    layout = service.Layout.of([rows.text(cell) or "" for cell in first])
    payloads = [rows.draft(layout.values(cells), layout.shape).data
                for _, (_, cells) in zip(range(count), sheet.rows)]
    started = time.process_time()
    for payload in payloads:
        try:
            service.load_create(payload)
        except ValidationError:
            pass
    schema_seconds = time.process_time() - started
    started = time.process_time()
    for _ in range(100):
        sum(range(100_000))
    return {"schema_rows_per_second": len(payloads) / schema_seconds,
            "yardstick_ms": (time.process_time() - started) * 10}  # one sum(range(100_000))


def run_child(file: Path, database_url: str, dry_run: bool) -> dict:
    """One import in a fresh process, with the load average of the machine over its run. The
    database is migrated here: the child's high-water mark of memory is then the import's."""
    from api import migrate

    migrate.upgrade(database_url)
    before = os.getloadavg()[0]
    output = subprocess.run(
        [sys.executable, "-m", "bench.imports", "--child", str(file), "--database-url", database_url,
         *(["--dry-run"] if dry_run else [])], check=True, capture_output=True, text=True)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["load"] = (before, os.getloadavg()[0])
    result["rows_per_second"] = result["rows"] / result["seconds"]
    result["rows_per_cpu_second"] = result["rows"] / result["cpu_seconds"]
    return result


class FreshDatabase:
    """A new, empty database for each child: SQLite in `folder`, or one beside the PostgreSQL
    database `server_url` names."""

    def __init__(self, server_url: str | None, folder: Path):
        self.server_url, self.folder, self.count = server_url, folder, 0
        if server_url:
            self.name = (make_url(server_url).database or "proxisource") + BENCH_SUFFIX

    def __call__(self) -> str:
        self.count += 1
        if not self.server_url:
            return f"sqlite:///{self.folder / f'bench-{self.count}.db'}"
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', f'CREATE DATABASE "{self.name}"')
        return make_url(self.server_url).set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self.server_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, *statements: str) -> None:
        admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
        admin.dispose()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(rows_count: int, memory_rows: list[int], server_url: str | None, samples: Path,
            formats: list[str], modes: list[str]) -> dict:
    samples.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        fresh = FreshDatabase(server_url, Path(folder))
        database = "PostgreSQL" if server_url else "SQLite"
        log(f"{database}:")
        try:
            results = {"database": database, "speed": {}, "memory": []}
            for file_format in formats if rows_count else ():
                file = write_sample(samples / f"suppliers-{rows_count}.{file_format}", rows_count)
                log(f"{file.name}: {file.stat().st_size / 1e6:.1f} MB")
                if file_format == "csv" and "floor" not in results:
                    results["floor"] = schema_floor(file)
                    log(f"  the schema alone: {results['floor']['schema_rows_per_second']:,.0f} rows/s of CPU; "
                        f"sum(range(100_000)) takes {results['floor']['yardstick_ms']:.1f} ms here")
                for mode, dry_run in (("dry run", True), ("apply", False)):
                    if mode.replace(" ", "-") not in modes:
                        continue
                    result = run_child(file, fresh(), dry_run)
                    results["speed"][f"{file_format} {mode}"] = result
                    log(f"  {mode}: {result['rows']:,} rows in {result['seconds']:.1f}s "
                        f"({result['rows_per_second']:,.0f} rows/s, {result['rows_per_cpu_second']:,.0f} per CPU "
                        f"second; upload answered in {result['upload_seconds']:.2f}s, reading and storing "
                        f"{result['read_seconds']:.1f}s; load "
                        f"{result['load'][0]:.1f}→{result['load'][1]:.1f}) {result['counts']}")
            for count in memory_rows:
                for file_format in formats:
                    file = write_sample(samples / f"suppliers-lean-{count}.{file_format}", count, lean=True)
                    result = run_child(file, fresh(), True)
                    result.update(format=file_format, size_mb=file.stat().st_size / 1e6)
                    results["memory"].append(result)
                    log(f"  memory, {count:,} rows {file_format} ({result['size_mb']:.1f} MB): peak "
                        f"{result['peak_kb'] / 1024:.0f} MB, {(result['peak_kb'] - result['baseline_kb']) / 1024:.0f} "
                        f"MB over the baseline; {result['rows_per_second']:,.0f} rows/s; upload answered in "
                        f"{result['upload_seconds']:.2f}s; load {_load(result)}")
        finally:
            fresh.drop()
    return results


def _load(result: dict) -> str:
    return f"{result['load'][0]:.1f}–{result['load'][1]:.1f}"


def markdown(runs: list[dict], rows_count: int) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    reference = max((result["reference_seconds"] for run in runs
                     for result in [*run["speed"].values(), *run["memory"]]), default=0)
    lines = [SECTION, "",
             f"`python -m bench.imports` ({when}, {' and '.join(run['database'] for run in runs)}, Python "
             f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores shared with other jobs: "
             "the load average over each run is given, and wall-clock figures suffer when it is over the cores; "
             "rows per CPU second do much less). Generated suppliers in the template's columns (169 columns, "
             "French headers), each run in a fresh process on a fresh database; from the file's bytes to the "
             "last row's outcome, as the API and the worker do it (the upload, answered at once, then one "
             "transaction per chunk, the first reading the stored file), after the reference data "
             "(vocabularies and the French places) is loaded: once per process, "
             f"{reference:.1f} s at most here, "
             "which a worker pays once."]
    if any(run["speed"] for run in runs):
        lines += ["", f"| {rows_count:,} rows | database | seconds | rows/s | CPU seconds | rows per CPU second "
                  "| upload answered in | reading and storing the rows | load average |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        for name, result in run["speed"].items():
            lines.append(f"| {name} | {run['database']} | {result['seconds']:.1f} | {result['rows_per_second']:,.0f} | "
                         f"{result['cpu_seconds']:.1f} | {result['rows_per_cpu_second']:,.0f} | "
                         f"{result['upload_seconds']:.2f} s | {result['read_seconds']:.1f} s | {_load(result)} |")
    for run in runs:
        floor = run.get("floor")
        if floor:
            lines += ["", f"The floor ({run['database']} run): the same rows' payloads through the API's schema "
                      "alone (`SupplierWriteSchema`, loaded as the import loads it: `schemas/fast_load.py`) "
                      f"take {1000 / floor['schema_rows_per_second']:.2f} ms of "
                      f"CPU each here ({floor['schema_rows_per_second']:,.0f} rows/s); `sum(range(100_000))` takes "
                      f"{floor['yardstick_ms']:.1f} ms (time it on your machine to scale these figures)."]
            break
    if any(run["memory"] for run in runs):
        lines += ["", "Peak memory of a dry run of lean rows (a site, two capabilities, a certification; "
                  "50,000 full profiles would be over the 20 MB limit), as the process's ru_maxrss; the "
                  "baseline is the same process before the import, with the app and the reference data loaded:",
                  "", "| rows | format | database | file | peak | over the baseline | rows/s | upload answered in "
                  "| load average |", "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        for result in run["memory"]:
            lines.append(f"| {result['rows']:,} | {result['format']} | {run['database']} | {result['size_mb']:.1f} MB | "
                         f"{result['peak_kb'] / 1024:.0f} MB | "
                         f"{(result['peak_kb'] - result['baseline_kb']) / 1024:.0f} MB | "
                         f"{result['rows_per_second']:,.0f} | {result['upload_seconds']:.2f} s | {_load(result)} |")
    lines += ["", "Where a row's time goes, and what was done about it: docs/imports.md, \"Speed and memory\"."]
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    text_now = PERFORMANCE_DOC.read_text() if PERFORMANCE_DOC.exists() else "# Performance\n"
    if SECTION in text_now:
        start = text_now.index(SECTION)
        following = text_now.find("\n## ", start + len(SECTION))
        text_now = text_now[:start] + section + (text_now[following:] if following >= 0 else "")
    else:
        text_now = text_now.rstrip("\n") + "\n\n" + section
    PERFORMANCE_DOC.write_text(text_now)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the speed runs (0: none)")
    parser.add_argument("--formats", nargs="*", choices=("csv", "xlsx"), default=["csv", "xlsx"])
    parser.add_argument("--modes", nargs="*", choices=("dry-run", "apply"), default=["dry-run", "apply"],
                        help="which speed runs")
    parser.add_argument("--memory-rows", type=int, nargs="*", default=[10_000, 50_000])
    parser.add_argument("--database-url", nargs="*", default=["sqlite"],
                        help="`sqlite` (the default) and/or the URLs of PostgreSQL databases")
    parser.add_argument("--no-doc", action="store_true", help="print only, leave docs/performance.md")
    parser.add_argument("--samples", type=Path, default=Path(tempfile.gettempdir()) / "proxisource-import-samples",
                        help="where the sample files are written once and kept")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--dry-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.database_url[0], args.dry_run)))
        return
    runs = [measure(args.rows, args.memory_rows, None if url == "sqlite" else url, args.samples, args.formats,
                    args.modes) for url in args.database_url]
    section = markdown(runs, args.rows)
    print(section)
    if not args.no_doc:
        write_doc(section)


if __name__ == "__main__":
    main()
