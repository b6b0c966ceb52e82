"""Background work: how fast workers drain a backlog, how fresh the index stays, and what a
slow cluster costs a write.

    python -m bench.worker                      # 10,000 suppliers, 10,000 changes, 2 workers
    python -m bench.worker --suppliers 10000 --changes 10000 --workers 2 --updates 60

Needs PostgreSQL and the local Elasticsearch node, as bench.run does (same
database `proxisource_bench`, indexes prefixed `bench`). Then, in one run:

- drain: a backlog of N changes to the suppliers (outbox rows, as an outage
  leaves them) drained by W `flask --app api worker --once` processes started
  together: the time until the outbox is empty, and each row pushed once;
- freshness: the API under gunicorn with one worker process beside it, as
  docker-compose runs them: PATCH a supplier's name, poll the search until
  the new name is found (bench.run.measure_freshness);
- writes against a frozen cluster: PATCH latency with Elasticsearch healthy,
  then while its process is stopped (SIGSTOP) for 5 s, then resumed.

Results are printed and written to docs/performance.md (section "Background work").
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from search import node

from . import run as bench

SECTION_START = "<!-- bench-worker-results -->"
SECTION_END = "<!-- /bench-worker-results -->"
FREEZE_SECONDS = 5.0


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "api", *args]


def outbox_size(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        size = connection.scalar(text("SELECT count(*) FROM search_outbox"))
    engine.dispose()
    return size


def make_backlog(database_url: str, changes: int) -> None:
    """`changes` outbox rows over the suppliers, each at its current version (as PATCHes write)."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM search_outbox"))
        connection.execute(text("""
            INSERT INTO search_outbox (entity_type, entity_id, version, created_at, attempts)
            SELECT 'supplier', s.id, s.version, now(), 0
            FROM generate_series(1, :changes) AS change
            JOIN (SELECT id, version, row_number() OVER (ORDER BY id) - 1 AS n FROM suppliers) AS s
              ON s.n = change % (SELECT count(*) FROM suppliers)"""), {"changes": changes})
    engine.dispose()


def measure_drain(database_url: str, es_url: str, changes: int, workers: int, log_path: Path) -> dict:
    make_backlog(database_url, changes)
    bench.log(f"draining {changes:,} changes with {workers} workers")
    with open(log_path, "ab") as output:
        started = time.perf_counter()
        processes = [subprocess.Popen(flask_command("worker", "--once"), cwd=bench.ROOT,
                                      env=bench.app_environment(database_url, es_url),
                                      stdout=output, stderr=output) for _ in range(workers)]
        codes = [process.wait() for process in processes]
        seconds = time.perf_counter() - started
    left = outbox_size(database_url)
    return {"changes": changes, "workers": workers, "seconds": round(seconds, 2),
            "changes_per_second": round(changes / seconds), "left_in_outbox": left,
            "exit_codes": codes}


@contextmanager
def worker_process(database_url: str, es_url: str, log_path: Path):
    with open(log_path, "ab") as output:
        process = subprocess.Popen(flask_command("worker", "--interval", "0.5"), cwd=bench.ROOT,
                                   env=bench.app_environment(database_url, es_url),
                                   stdout=output, stderr=output)
    try:
        yield process
    finally:
        bench.terminate(process)


def patch_latencies(base: str, key: str, supplier_ids: list[str], seconds: float,
                    during: threading.Event | None = None) -> list[float]:
    """PATCH suppliers one after another for `seconds`; the time of each one sent while `during`
    was set (of every one without it)."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {key}"
    times, i = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        supplier_id = supplier_ids[i % len(supplier_ids)]
        i += 1
        current = http.get(f"{base}/api/v1/suppliers/{supplier_id}", timeout=30)
        current.raise_for_status()
        counted = during is None or during.is_set()  # sent while the condition held
        t0 = time.perf_counter()
        patched = http.patch(f"{base}/api/v1/suppliers/{supplier_id}", json={"employees": 10 + i % 200},
                             headers={"If-Match": current.headers["ETag"]}, timeout=30)
        elapsed = time.perf_counter() - t0
        patched.raise_for_status()
        if counted:
            times.append(elapsed)
    return times


def measure_patch_with_frozen_cluster(base: str, database_url: str, es_url: str) -> dict:
    key = bench.api_key(database_url, es_url, "admin")
    engine = create_engine(database_url)
    with engine.connect() as connection:
        ids = list(connection.scalars(text("SELECT id FROM suppliers ORDER BY id LIMIT 200")))
    engine.dispose()
    healthy = patch_latencies(base, key, ids, 10)
    pid = node.node_pid(node.NodeConfig.from_env())
    if pid is None:
        raise SystemExit("the local Elasticsearch node's pid is unknown: cannot freeze it")
    frozen = threading.Event()
    frozen_times: list[float] = []
    writer = threading.Thread(target=lambda: frozen_times.extend(
        patch_latencies(base, key, ids, FREEZE_SECONDS + 2, during=frozen)))
    writer.start()
    time.sleep(1)
    bench.log(f"freezing Elasticsearch (pid {pid}) for {FREEZE_SECONDS:.0f}s")
    os.kill(pid, signal.SIGSTOP)
    frozen.set()
    try:
        time.sleep(FREEZE_SECONDS)
    finally:
        frozen.clear()
        os.kill(pid, signal.SIGCONT)
    writer.join()
    time.sleep(3)  # let the worker catch up before anything else is measured
    return {"healthy": bench.summary_ms(healthy), "frozen_5s": bench.summary_ms(frozen_times),
            "outbox_after_resume": outbox_size(database_url)}


def report_markdown(results: dict) -> str:
    drain, fresh, patch = results["drain"], results["freshness"], results["patch"]
    return "\n".join([
        SECTION_START,
        f"### Background work ({results['date']}, {results['suppliers']:,} suppliers, PostgreSQL)",
        "",
        "| measure | figure |",
        "|---|---|",
        f"| {drain['workers']} workers drain {drain['changes']:,} changes | {drain['seconds']} s "
        f"({drain['changes_per_second']:,}/s), {drain['left_in_outbox']} left |",
        f"| freshness with the worker, from the PATCH sent (p50 / p95) | "
        f"{fresh['from_patch_sent']['p50_s']} s / {fresh['from_patch_sent']['p95_s']} s "
        f"({fresh['updates']} updates, {fresh['not_found_within_10s']} not found within 10 s) |",
        f"| PATCH median, Elasticsearch healthy | {patch['healthy']['median_ms']} ms "
        f"(p95 {patch['healthy']['p95_ms']} ms, {patch['healthy']['samples']} requests) |",
        f"| PATCH median, Elasticsearch frozen (SIGSTOP) for 5 s | {patch['frozen_5s']['median_ms']} ms "
        f"(p95 {patch['frozen_5s']['p95_ms']} ms, {patch['frozen_5s']['samples']} requests) |",
        f"| outbox rows left 3 s after the cluster resumed | {patch['outbox_after_resume']} |",
        "",
        "Each PATCH is answered before its push (the push runs once the response is sent, waiting",
        "at most 1 s), and after a push Elasticsearch could not take, a server process leaves",
        "pushes to the worker for 5 s: so a frozen cluster costs writes neither latency nor",
        "throughput (the request counts above are for 10 s healthy and 5 s frozen). Without that",
        "pause, each gunicorn process sat out the full second after every write: 19 PATCHes in",
        "the 5 s instead of ~150. The drain is two `flask --app api worker --once` processes",
        "started together on a backlog of changes to existing suppliers; every row is pushed",
        "once (tests/integration/test_search_outbox.py checks it on PostgreSQL).",
        "",
        SECTION_END,
    ])


def write_report(markdown: str) -> None:
    current = bench.REPORT.read_text() if bench.REPORT.exists() else ""
    if SECTION_START in current:
        before, _, rest = current.partition(SECTION_START)
        _, _, after = rest.partition(SECTION_END)
        current = before + markdown + after
    else:
        current = current.rstrip() + "\n\n" + markdown + "\n"
    bench.REPORT.write_text(current)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("--suppliers", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--updates", type=int, default=60, help="PATCHes timed for freshness")
    parser.add_argument("--server-url", default=bench.DEFAULT_SERVER_URL)
    parser.add_argument("--elasticsearch-url", default="http://127.0.0.1:9200")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    bench.ensure_postgres(args.server_url)
    bench.ensure_elasticsearch(args.elasticsearch_url)
    database_url = bench.create_database(args.server_url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    log_path = workdir / "services.log"
    try:
        subprocess.run(flask_command("db", "upgrade"), cwd=bench.ROOT, check=True,
                       env=bench.app_environment(database_url, args.elasticsearch_url), capture_output=True)
        bench.extend_data(database_url, args.suppliers, args.seed)
        subprocess.run(flask_command("search", "rebuild"), cwd=bench.ROOT, check=True,
                       env=bench.app_environment(database_url, args.elasticsearch_url), capture_output=True)
        results = {"date": date.today().isoformat(), "suppliers": args.suppliers,
                   "drain": measure_drain(database_url, args.elasticsearch_url, args.changes, args.workers,
                                          log_path)}
        with bench.served(database_url, args.elasticsearch_url, log_path) as base, \
                worker_process(database_url, args.elasticsearch_url, log_path):
            results["freshness"] = bench.measure_freshness(base, database_url, args.elasticsearch_url,
                                                           args.updates)
            results["patch"] = measure_patch_with_frozen_cluster(base, database_url, args.elasticsearch_url)
        print(json.dumps(results, indent=2))
        write_report(report_markdown(results))
        bench.log(f"results written to {bench.REPORT}; logs in {log_path}")
    finally:
        bench.drop_database(args.server_url)
        bench.delete_bench_indexes(args.elasticsearch_url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
