"""Benchmarks: how fast search is, how fast the index rebuilds, how fresh it stays.

    make bench                              # 10,000 and 100,000 suppliers
    make bench SIZES="10000 100000 1000000"
    python -m bench.run --sizes 10000 100000 [--load-users 16] [--keep]

Needs PostgreSQL (started with pg_ctlcluster when it does not answer; a
database `perf_bench` is created and dropped) and Elasticsearch (the
local node: `python -m search.node start`); indexes are prefixed `bench`.

For each size, the data set is extended to that many suppliers with the
generator (api.generator), then:

- rebuild: `flask --app api search rebuild` in a subprocess (suppliers per
  second, peak RSS from /proc of it and its streaming processes together, RSS
  sampled along the way), against a raw
  `helpers.streaming_bulk` of the same documents, built beforehand, into a
  fresh index created the same way; the time to build those documents from
  PostgreSQL alone is reported too, to show where the rebuild's time goes;
- search latency: the API served by gunicorn (as in production) on a free
  port of 127.0.0.1, queried over HTTP with a mix of faceted geo queries, each
  one interleaved with the very same Elasticsearch body sent straight to
  Elasticsearch (the API's _msearch, built by its argument schema and
  `search.query.build_searches`); Elasticsearch's request cache is off on
  the benchmark index, so repeated queries are computed each time;
- freshness: PATCH a supplier's name through the API, then poll the search
  until the new name is found;
- load: locust, headless, N concurrent clients sending the mix without pause.

Every figure and ratio of a size comes from one run; results are printed and
written to docs/performance.md with a plot, docs/performance.png (sizes measured
by earlier runs are kept, with their date, unless --fresh).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import requests
from elasticsearch import helpers
from sqlalchemy import create_engine, make_url, text

from api import generator
from search import indexer, node
from search.client import make_client
from search.index import SupplierIndex

from . import queries

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "performance.md"
PLOT = REPORT.with_suffix(".png")  # written next to the report
DATABASE = "perf_bench"
PREFIX = "bench"
DEFAULT_SERVER_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"
GUNICORN_WORKERS = 4  # as the Dockerfile runs it
IN_MEMORY_DOCUMENTS = 200_000  # above this, prebuilt documents go through a temporary file
RESULTS_MARK = "<!-- bench-results"

TARGETS = {  # issue 13
    "latency_ratio": 1.1,  # API median at most 1.1x Elasticsearch's, at every size
    "median_ms_at_million": 25.0,  # API median over the mix at 1,000,000 suppliers
    "p95_ms_at_million": 60.0,
    "growth": 2.5,  # API median at 1,000,000 at most 2.5x the median at 10,000
    "rebuild_ratio": 0.8,  # rebuild at least 0.8x raw bulk throughput
    "load_rps_at_million": 40.0,  # with 16 clients, 0 errors
    "freshness_p95": 1.1,  # seconds
}
MILLION, SMALLEST = "1000000", "10000"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- statistics ------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"median_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 95), 2),
            "mean_ms": round(statistics.fmean(ms), 2), "samples": len(ms)}


# --- services -----------------------------------------------------------------------------


def ensure_postgres(server_url: str) -> None:
    engine = create_engine(server_url)
    try:
        with engine.connect():
            return
    except Exception:
        pass
    finally:
        engine.dispose()
    versions = sorted(os.listdir("/usr/lib/postgresql"), key=int) if os.path.isdir("/usr/lib/postgresql") else []
    if not versions or not shutil.which("pg_ctlcluster"):
        raise SystemExit("PostgreSQL does not answer and is not installed: see .ci/run for how CI installs it.")
    log(f"starting PostgreSQL {versions[-1]} (pg_ctlcluster {versions[-1]} main start)")
    subprocess.run(["pg_ctlcluster", versions[-1], "main", "start"], check=False)
    for _ in range(30):
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0:
            return
        time.sleep(1)
    raise SystemExit("PostgreSQL did not start")


def ensure_elasticsearch(url: str) -> None:
    if node.is_healthy(url):
        return
    log("starting the local Elasticsearch node")
    node.start(node.NodeConfig.from_env())


def create_database(server_url: str, *, reuse: bool = False) -> str:
    """The benchmark database, empty, or (reuse) as an earlier `--keep` run left it."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": DATABASE})
        if exists and not reuse:
            connection.execute(text(f'DROP DATABASE "{DATABASE}" WITH (FORCE)'))
        if not exists or not reuse:
            connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    return make_url(server_url).set(database=DATABASE).render_as_string(hide_password=False)


def drop_database(server_url: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    admin.dispose()


def delete_bench_indexes(es_url: str) -> None:
    """Only our own indexes, by name (wildcard deletes are refused, and others share the node)."""
    client = make_client(es_url)
    names = list(client.indices.get(index=f"{PREFIX}-*", expand_wildcards="all"))
    if names:
        client.indices.delete(index=",".join(names))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_environment(database_url: str, es_url: str) -> dict:
    # The anonymous rate limit is per client address, and every benchmark request comes from one
    # address: it is switched off, or the load test would measure 429s.
    return {**os.environ, "DATABASE_URL": database_url, "ELASTICSEARCH_URL": es_url,
            "INDEX_PREFIX": PREFIX, "PYTHONPATH": str(ROOT), "ANONYMOUS_RATE_LIMIT_PER_MINUTE": "0"}


@contextmanager
def served(database_url: str, es_url: str, log_path: Path):
    """The API under gunicorn on a free local port; yields its base URL."""
    port = free_port()
    with open(log_path, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
             str(GUNICORN_WORKERS), "--access-logfile", "-", "api:create_app()"],
            cwd=ROOT, env=app_environment(database_url, es_url), stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {log_path}")
            time.sleep(0.3)
        yield base
    finally:
        terminate(process)


def terminate(process: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if it has not stopped within 30 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- 1. data ------------------------------------------------------------------------------


def extend_data(database_url: str, size: int, seed: int) -> dict:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        existing = connection.scalar(text("SELECT count(*) FROM suppliers"))
    count = size - existing
    if count < 0:
        raise SystemExit(f"the benchmark database already holds {existing:,} suppliers, more than {size:,}: "
                         "measure smaller sizes without --reuse-data")
    started = time.monotonic()
    last_report = [started]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last_report[0] > 10 or done == total:
            last_report[0] = now
            log(f"  generated {existing + done:,}/{size:,} ({done / (now - started):,.0f}/s)")

    if count > 0:
        log(f"generating suppliers {existing:,}…{size - 1:,}")
        generator.write(engine, count, seed=seed, start=existing, progress=progress, processes=os.cpu_count() or 1)
    seconds = time.monotonic() - started
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
        rows = {table: connection.scalar(text(f"SELECT count(*) FROM {table}")) for table in (
            "suppliers", "supplier_sites", "supplier_capabilities", "supplier_certifications",
            "supplier_contacts")}
    engine.dispose()
    return {"generated": max(count, 0), "seconds": round(seconds, 1),
            "per_second": round(count / seconds) if count > 0 else None, "rows": rows}


# --- 2. rebuild ------------------------------------------------------------------------------


def settle_outbox(database_url: str) -> int:
    """Empty the search outbox the generator filled, once a rebuild has indexed every supplier.

    Its rows are then satisfied, and the API's drainer threads would otherwise re-index the whole
    data set while latency and load are measured."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        settled = connection.execute(text("DELETE FROM search_outbox")).rowcount
    # Now, not while searches are timed: autovacuum would come for the deleted rows soon after.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return settled


def settle_index(es_url: str, timeout: float = 600.0) -> None:
    """Wait until the benchmark index has no merge running (a fresh million-document index merges
    for minutes), so that searches are timed on the index as it stays."""
    client = make_client(es_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = client.indices.stats(index=f"{PREFIX}-suppliers", metric="merge")
        if not stats["_all"]["primaries"]["merges"]["current"]:
            return
        time.sleep(2)
    log(f"  merges still running after {timeout:.0f} s; measuring anyway")


def _memory_kb(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) of a process: its resident memory now and its peak since it exec'd.

    (wait4's ru_maxrss is no use here: on Linux it keeps the high-water mark of the forked
    child from before its exec, i.e. the benchmark process's own size.)"""
    try:
        with open(f"/proc/{pid}/status") as status:
            values = dict(line.split(":", 1) for line in status if line.startswith(("VmRSS", "VmHWM")))
        return int(values["VmRSS"].split()[0]), int(values["VmHWM"].split()[0])
    except (OSError, KeyError, ValueError):
        return None


def _tree_memory_kb(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) of a process and its descendants (the rebuild's streaming processes), added up."""
    memory = _memory_kb(pid)
    if memory is None:
        return None
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            child_pids = [int(child) for child in children.read().split()]
    except OSError:
        child_pids = []
    for child in child_pids:
        if (more := _tree_memory_kb(child)) is not None:
            memory = (memory[0] + more[0], memory[1] + more[1])
    return memory


def measure_rebuild(database_url: str, es_url: str, size: int, log_path: Path) -> dict:
    """`flask --app api search rebuild` in a subprocess: its time and memory (with its own processes')."""
    samples: list[tuple[float, int]] = []
    peak_kb = [0]
    with open(log_path, "ab") as output:
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "api", "search", "rebuild"],
                                   cwd=ROOT, env=app_environment(database_url, es_url),
                                   stdout=output, stderr=output)
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.1):
                memory = _tree_memory_kb(process.pid)
                if memory:
                    samples.append((time.monotonic() - started, memory[0]))
                    peak_kb[0] = max(peak_kb[0], memory[1])

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)  # the CPU time of the rebuild alone
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"rebuild failed ({process.returncode}); see {log_path}")

    def rss_at(fraction: float) -> float | None:
        moment = seconds * fraction
        before = [rss for t, rss in samples if t <= moment]
        return round(before[-1] / 1024, 1) if before else None

    return {"seconds": round(seconds, 1), "per_second": round(size / seconds),
            "peak_rss_mb": round(peak_kb[0] / 1024, 1),
            "rss_mb_at": {f"{int(f * 100)}%": rss_at(f) for f in (0.25, 0.5, 0.75, 1.0)},
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1)}


def measure_documents_and_raw_bulk(database_url: str, es_url: str, size: int) -> dict:
    """Build every document from PostgreSQL (timed), then bulk them raw into a fresh index (timed)."""
    from sqlalchemy.orm import Session

    from api.search.profiles import upserts

    engine = create_engine(database_url)
    spill = size > IN_MEMORY_DOCUMENTS
    documents: list[indexer.Upsert] = []
    spill_file = tempfile.NamedTemporaryFile("w+", prefix="bench-documents-", suffix=".jsonl", delete=False)
    started = time.monotonic()
    built = 0
    with Session(engine) as session:
        for upsert in upserts(session):
            built += 1
            if spill:
                spill_file.write(json.dumps([upsert.version, upsert.document]) + "\n")
            else:
                documents.append(upsert)
    build_seconds = time.monotonic() - started
    spill_file.flush()
    engine.dispose()

    def prebuilt():
        if not spill:
            yield from documents
            return
        spill_file.seek(0)
        for line in spill_file:
            version, document = json.loads(line)
            yield indexer.Upsert(document, version)

    client = make_client(es_url)
    index = SupplierIndex(client, f"{PREFIX}-raw")
    name = index.new_index_name()
    started = time.monotonic()
    index.create(name, bulk_loading=True)
    failed = 0
    try:
        for ok, _ in helpers.streaming_bulk(client, indexer.actions(prebuilt(), name),
                                            chunk_size=indexer.CHUNK_SIZE, raise_on_error=False,
                                            max_retries=0):
            failed += not ok
        index.finish_bulk_loading(name)
        bulk_seconds = time.monotonic() - started
        count = client.count(index=name)["count"]
    finally:
        client.indices.delete(index=name)
        spill_file.close()
        os.unlink(spill_file.name)
    return {"documents_from_postgres": {"seconds": round(build_seconds, 1),
                                        "per_second": round(built / build_seconds)},
            "raw_bulk": {"seconds": round(bulk_seconds, 1), "per_second": round(size / bulk_seconds),
                         "indexed": count, "failed": failed,
                         "documents_from": "temporary JSON-lines file" if spill else "memory"}}


# --- 3. search latency --------------------------------------------------------------------------


def measure_latency(base: str, es_url: str, rounds: int, buyer_key: str, warmup: int = 3) -> dict:
    api, es, buyer = requests.Session(), requests.Session(), requests.Session()
    buyer.headers["Authorization"] = f"Bearer {buyer_key}"
    search_url = f"{base}/api/v1/search/suppliers"
    raw_url = f"{es_url}/{PREFIX}-suppliers/_msearch"
    ndjson = {"Content-Type": "application/x-ndjson"}
    today = date.today()
    bodies = [queries.elasticsearch_msearch(params, today) for params in queries.MIX]
    api_times: dict[int, list[float]] = {i: [] for i in range(len(queries.MIX))}
    raw_times: dict[int, list[float]] = {i: [] for i in range(len(queries.MIX))}
    buyer_times: list[float] = []
    took: list[int] = []
    totals: dict[int, tuple[int, int]] = {}
    for round_number in range(warmup + rounds):
        for i, (params, body) in enumerate(zip(queries.MIX, bodies)):
            t0 = time.perf_counter()
            api_response = api.get(search_url, params=params, timeout=30)
            t1 = time.perf_counter()
            raw_response = es.post(raw_url, data=body, headers=ndjson, timeout=30)
            t2 = time.perf_counter()
            buyer_response = buyer.get(search_url, params=params, timeout=30)
            t3 = time.perf_counter()
            if api_response.status_code != 200 or raw_response.status_code != 200 or buyer_response.status_code != 200:
                raise SystemExit(f"query {i} failed: API {api_response.status_code} {api_response.text[:300]}"
                                 f" / Elasticsearch {raw_response.status_code} {raw_response.text[:300]}")
            if round_number < warmup:
                continue
            if i == 0:
                log(f"  latency round {round_number - warmup + 1}/{rounds}")
            api_times[i].append(t1 - t0)
            raw_times[i].append(t2 - t1)
            buyer_times.append(t3 - t2)
            raw = raw_response.json()
            if any("error" in response for response in raw["responses"]):
                raise SystemExit(f"query {i}: Elasticsearch refused a search: {raw_response.text[:500]}")
            took.append(raw["took"])
            totals[i] = (api_response.json()["total"], raw["responses"][0]["hits"]["total"]["value"])
    all_api = [t for times in api_times.values() for t in times]
    all_raw = [t for times in raw_times.values() for t in times]
    api_summary, raw_summary = summary_ms(all_api), summary_ms(all_raw)
    per_query = []
    for i, params in enumerate(queries.MIX):
        api_median = statistics.median(api_times[i]) * 1000
        raw_median = statistics.median(raw_times[i]) * 1000
        per_query.append({"query": describe(params), "hits": totals[i][0], "raw_hits": totals[i][1],
                          "api_median_ms": round(api_median, 1), "raw_median_ms": round(raw_median, 1),
                          "ratio": round(api_median / raw_median, 2)})
    return {"api": api_summary, "raw": raw_summary, "api_with_buyer_key": summary_ms(buyer_times),
            "ratio_median": round(api_summary["median_ms"] / raw_summary["median_ms"], 2),
            "ratio_p95": round(api_summary["p95_ms"] / raw_summary["p95_ms"], 2),
            "es_took_median_ms": statistics.median(took), "per_query": per_query}


def describe(params: dict) -> str:
    shown = {k: v for k, v in params.items() if k not in ("lat", "lon")}
    return urlencode(shown, doseq=True).replace("%2C", ",")


# --- 4. freshness -------------------------------------------------------------------------------


def api_key(database_url: str, es_url: str, role: str) -> str:
    """An admin key, or a buyer key of a new buyer organisation."""
    from sqlalchemy.orm import sessionmaker

    from api.accounts.service import create_api_key, create_organisation
    from api.db import make_engine, unit_of_work

    engine = make_engine(database_url)
    with unit_of_work(sessionmaker(engine)) as session:
        organisation = create_organisation(session, "Benchmark buyer", "buyer") if role == "buyer" else None
        _, plain_key = create_api_key(session, name="benchmarks", role=role,
                                      organisation_id=organisation.id if organisation else None)
    engine.dispose()
    return plain_key


def measure_freshness(base: str, database_url: str, es_url: str, updates: int) -> dict:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        ids = list(connection.scalars(text("SELECT id FROM suppliers ORDER BY id LIMIT :n"), {"n": updates}))
    engine.dispose()
    key = api_key(database_url, es_url, "admin")
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {key}"
    since_sent, since_answer, patch_times, lost = [], [], [], 0
    # Updates arrive at random moments, not in step with the index's refresh cycle (an update
    # sent just after the previous one became visible would always wait a whole cycle).
    pause = random.Random(0)
    for supplier_id in ids:
        time.sleep(pause.uniform(0, 1.0))
        current = http.get(f"{base}/api/v1/suppliers/{supplier_id}", timeout=30)
        current.raise_for_status()
        word = "fresh" + "".join(secrets.choice("bcdfghjklmnpqrtvwxz") for _ in range(10))
        t0 = time.perf_counter()
        patched = http.patch(f"{base}/api/v1/suppliers/{supplier_id}", json={"trade_name": f"Atelier {word}"},
                             headers={"If-Match": current.headers["ETag"]}, timeout=30)
        t1 = time.perf_counter()
        patched.raise_for_status()
        found = False
        while time.perf_counter() - t1 < 10:
            hits = requests.get(f"{base}/api/v1/search/suppliers",
                                params={"q": word, "facets": "false", "page_size": 5}, timeout=30).json()
            if any(item["id"] == supplier_id for item in hits.get("items", [])):
                found = True
                break
            time.sleep(0.01)
        t2 = time.perf_counter()
        if not found:
            lost += 1
            continue
        since_sent.append(t2 - t0)
        since_answer.append(t2 - t1)
        patch_times.append(t1 - t0)
    return {"updates": len(ids), "not_found_within_10s": lost,
            "from_patch_sent": {"p50_s": round(percentile(since_sent, 50), 3),
                                "p95_s": round(percentile(since_sent, 95), 3),
                                "max_s": round(max(since_sent), 3)},
            "from_patch_answered": {"p50_s": round(percentile(since_answer, 50), 3),
                                    "p95_s": round(percentile(since_answer, 95), 3)},
            "patch_median_ms": round(statistics.median(patch_times) * 1000, 1)}


# --- 5. load -------------------------------------------------------------------------------------


def measure_load(base: str, users: int, seconds: int, workdir: Path) -> dict:
    prefix = workdir / f"locust-{users}"
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
               "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "-H", base, "--csv", str(prefix),
               "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"]
    completed = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               capture_output=True, text=True, timeout=seconds + 120)
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        raise SystemExit(f"locust produced no statistics:\n{completed.stderr[-2000:]}")
    with open(stats_file) as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    return {"users": users, "seconds": seconds, "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]), "requests_per_second": round(float(row["Requests/s"]), 1),
            "median_ms": float(row["50%"]), "p95_ms": float(row["95%"]),
            "gunicorn_workers": GUNICORN_WORKERS}


# --- the machine -----------------------------------------------------------------------------------


def machine(es_url: str, database_url: str) -> dict:
    cpu_model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu_model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")),
                             cpu_model)
    except OSError:
        pass
    memory_gb = None
    try:
        with open("/proc/meminfo") as f:
            kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
            memory_gb = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    client = make_client(es_url)
    es_version = next(iter(client.nodes.info()["nodes"].values()))["version"]
    es_heap = None
    try:
        jvm = next(iter(client.nodes.stats(metric="jvm")["nodes"].values()))["jvm"]["mem"]
        es_heap = f"{jvm['heap_max_in_bytes'] / 1024 ** 3:.1f} GB"
    except Exception:
        pass
    engine = create_engine(database_url)
    with engine.connect() as connection:
        pg_version = connection.scalar(text("SHOW server_version"))
    engine.dispose()
    return {"cpu_model": cpu_model, "cores": os.cpu_count(), "memory_gb": memory_gb,
            "elasticsearch": es_version, "elasticsearch_heap": es_heap, "postgresql": pg_version,
            "python": platform.python_version(), "os": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


# --- the report --------------------------------------------------------------------------------------


def previous_results(path: Path) -> dict:
    if not path.exists():
        return {}
    content = path.read_text(encoding="utf-8")
    start = content.find(RESULTS_MARK)
    if start < 0:
        return {}
    end = content.find("-->", start)
    try:
        return json.loads(content[start + len(RESULTS_MARK):end])
    except ValueError:
        return {}


NOTES_START, NOTES_END = "<!-- notes -->", "<!-- /notes -->"


def previous_notes(path: Path) -> str:
    """The hand-written findings of docs/performance.md, kept when the figures are rewritten."""
    if not path.exists():
        return ""
    content = path.read_text(encoding="utf-8")
    start, end = content.find(NOTES_START), content.find(NOTES_END)
    return content[start + len(NOTES_START):end].strip("\n") if 0 <= start < end else ""


def _mark(ok: bool) -> str:
    return "met" if ok else "**not met**"


def targets_table(results: dict) -> list[str]:
    """Each target of issue 13 against what was measured (– where the size was not measured)."""
    sizes = results["sizes"]
    million, smallest = sizes.get(MILLION), sizes.get(SMALLEST)

    def at_million(text) -> str:
        return text(million) if million else "– (1,000,000 not measured)"

    ratios = [f"{int(s):,}: {r['latency']['ratio_median']:.2f}×" for s, r in sorted(sizes.items(), key=lambda i: int(i[0]))]
    worst_ratio = max(r["latency"]["ratio_median"] for r in sizes.values())
    rebuilds = {s: r["rebuild_ratio"] for s, r in sizes.items() if int(s) >= 100_000}
    fresh = max(r["freshness"]["from_patch_sent"]["p95_s"] for r in sizes.values())
    t = TARGETS
    rows = [
        ("API median ≤ 25 ms and p95 ≤ 60 ms at 1,000,000", at_million(lambda r: (
            f"{r['latency']['api']['median_ms']:.1f} / {r['latency']['api']['p95_ms']:.1f} ms "
            + _mark(r["latency"]["api"]["median_ms"] <= t["median_ms_at_million"]
                    and r["latency"]["api"]["p95_ms"] <= t["p95_ms_at_million"])))),
        (f"API / Elasticsearch ≤ {t['latency_ratio']}× at every size",
         ", ".join(ratios) + " " + _mark(worst_ratio <= t["latency_ratio"])),
        (f"median at 1,000,000 ≤ {t['growth']}× the median at 10,000", at_million(lambda r: (
            f"{r['latency']['api']['median_ms'] / smallest['latency']['api']['median_ms']:.2f}× "
            + _mark(r['latency']['api']['median_ms'] <= t['growth'] * smallest['latency']['api']['median_ms']))
            if smallest else "– (10,000 not measured)")),
        (f"rebuild ≥ {t['rebuild_ratio']}× raw bulk at 100,000 and 1,000,000",
         ", ".join(f"{int(s):,}: {v:.2f}× {_mark(v >= t['rebuild_ratio'])}" for s, v in sorted(rebuilds.items()))
         or "–"),
        (f"load at 1,000,000, 16 clients: ≥ {t['load_rps_at_million']:.0f} req/s, 0 errors", at_million(lambda r: (
            f"{r['load']['requests_per_second']:.0f} req/s, {r['load']['errors']} errors "
            + _mark(r["load"]["requests_per_second"] >= t["load_rps_at_million"] and not r["load"]["errors"])))),
        (f"freshness p95 ≤ {t['freshness_p95']} s", f"{fresh:.2f} s (worst size) {_mark(fresh <= t['freshness_p95'])}"),
        ("rebuild memory flat (peak RSS)", ", ".join(
            f"{int(s):,}: {r['rebuild']['peak_rss_mb']:,.0f} MB" for s, r in sorted(sizes.items(), key=lambda i: int(i[0])))),
    ]
    return ["| target | measured |", "|---|---|", *(f"| {target} | {measured} |" for target, measured in rows)]


def plot(results: dict, path: Path) -> None:
    """Median and p95 against the number of suppliers, through the API and straight to Elasticsearch."""
    import matplotlib
    matplotlib.use("Agg")  # no display
    from matplotlib import pyplot

    sizes = sorted(results["sizes"], key=int)
    x = [int(s) for s in sizes]
    figure, axes = pyplot.subplots(figsize=(7, 4.2), dpi=110)
    for key, label, colour in (("api", "API", "tab:blue"), ("raw", "Elasticsearch (same _msearch)", "tab:orange")):
        for stat, style in (("median_ms", "-o"), ("p95_ms", "--s")):
            y = [results["sizes"][s]["latency"][key][stat] for s in sizes]
            axes.plot(x, y, style, color=colour, label=f"{label}, {stat.split('_')[0]}")
    axes.set_xscale("log")
    axes.set_xticks(x, [f"{v:,}" for v in x])
    axes.set_xlabel("suppliers")
    axes.set_ylabel("ms over the query mix")
    axes.set_ylim(bottom=0)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    axes.set_title("Faceted geo search latency")
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)


def other_sections(path: Path) -> str:
    """What follows the results block: the sections other benchmarks write (background work,
    webhooks, imports), kept as they are when this one rewrites its figures."""
    if not path.exists():
        return ""
    content = path.read_text(encoding="utf-8")
    start = content.find(RESULTS_MARK)
    end = content.find("-->", start) if start >= 0 else -1
    return content[end + len("-->"):].strip("\n") if end >= 0 else ""


def write_report(results: dict, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    rest = other_sections(output)
    report = render(results, previous_notes(output)) + (f"\n{rest}\n" if rest else "")
    output.write_text(report, encoding="utf-8")
    plot(results, output.with_suffix(".png"))


def render(results: dict, notes: str = "") -> str:
    sizes = sorted(results["sizes"], key=int)
    per_size = [results["sizes"][s] for s in sizes]
    largest = per_size[-1]
    m = largest["machine"]
    lines = [
        "# Performance",
        "",
        "Measured by `bench/run.py` (`make bench`). Every figure and every ratio of a row comes from",
        "one run, on one machine, with the API, PostgreSQL and Elasticsearch on that machine.",
        "",
        "> **Noise.** The machine is small (see below) and was shared: other engineers ran their test",
        "> suites against the same Elasticsearch node and on the same two cores while these figures",
        "> were taken (the load average when each run started is given). Absolute figures are",
        "> therefore pessimistic and vary from run to run by tens of percent; the ratios, measured",
        "> side by side in the same seconds, are the figures to compare.",
        "",
        "## Results",
        "",
        "| suppliers | run | search median / p95, API | same _msearch straight to ES | API / ES (median) |"
        " rebuild | raw bulk | rebuild / raw | rebuild peak RSS | freshness p50 / p95 | load |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for size, r in zip(sizes, per_size):
        lat, rb, raw = r["latency"], r["rebuild"], r["raw"]["raw_bulk"]
        fresh, load = r["freshness"], r["load"]
        lines.append(
            f"| {int(size):,} | {r['date']} | {lat['api']['median_ms']:.1f} / {lat['api']['p95_ms']:.1f} ms"
            f" | {lat['raw']['median_ms']:.1f} / {lat['raw']['p95_ms']:.1f} ms | {lat['ratio_median']:.2f}×"
            f" | {rb['per_second']:,}/s | {raw['per_second']:,}/s | {r['rebuild_ratio']:.2f}×"
            f" | {rb['peak_rss_mb']:,.0f} MB | {fresh['from_patch_sent']['p50_s']:.2f} / "
            f"{fresh['from_patch_sent']['p95_s']:.2f} s"
            f" | {load['requests_per_second']:.0f} req/s, {load['errors']} errors ({load['users']} clients) |")
    lines += [
        "",
        "### Against the targets",
        "",
        *targets_table(results),
        "",
        f"![Search latency against the number of suppliers]({PLOT.name})",
        "",
        "### Details",
        "",
        "| suppliers | generation | documents built from PostgreSQL alone | rebuild RSS at 25/50/75/100 % of its time"
        " | rebuild CPU time | ES `took` median | API with a buyer key, median / p95"
        " | freshness from the PATCH's answer p50 / p95 | PATCH median | load median / p95 |",
        "|---:|---:|---:|---|---:|---:|---|---|---:|---|",
    ]
    for size, r in zip(sizes, per_size):
        gen = r["generation"]
        generation_rate = (f"{gen['per_second']:,}/s ({gen['generated']:,} written in {gen['seconds']} s)"
                           if gen["per_second"] else "kept from an earlier run")
        rss = " / ".join(f"{v:,.0f}" if v else "–" for v in r["rebuild"]["rss_mb_at"].values())
        fresh = r["freshness"]
        lines.append(
            f"| {int(size):,} | {generation_rate}"
            f" | {r['raw']['documents_from_postgres']['per_second']:,}/s | {rss} MB"
            f" | {r['rebuild']['cpu_seconds']} s of {r['rebuild']['seconds']} s"
            f" | {r['latency']['es_took_median_ms']} ms"
            f" | {r['latency']['api_with_buyer_key']['median_ms']:.1f} / {r['latency']['api_with_buyer_key']['p95_ms']:.1f} ms"
            f" | {fresh['from_patch_answered']['p50_s']:.2f} / {fresh['from_patch_answered']['p95_s']:.2f} s"
            f" | {fresh['patch_median_ms']} ms | {r['load']['median_ms']:.0f} / {r['load']['p95_ms']:.0f} ms |")
    lines += [
        "",
        f"### The query mix, at {int(sizes[-1]):,} suppliers",
        "",
        "Each query also carries a point (lat/lon of the place it names) and asks for every facet.",
        "",
        "| query | hits | API median | ES median | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for q in largest["latency"]["per_query"]:
        lines.append(f"| `{q['query']}` | {q['hits']:,} | {q['api_median_ms']} ms | {q['raw_median_ms']} ms"
                     f" | {q['ratio']:.2f}× |")
    lines += [
        "",
        NOTES_START,
        notes or "(Findings are written here by hand; `bench/run.py` keeps them when it rewrites the figures.)",
        NOTES_END,
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu_model']}, {m['cores']} cores; memory: {m['memory_gb']} GB",
        f"- Elasticsearch {m['elasticsearch']} (local single node, heap {m['elasticsearch_heap']}),"
        f" PostgreSQL {m['postgresql']}, Python {m['python']}",
        f"- {m['os']}",
        "- load average when each run started: " + "; ".join(
            f"{int(s):,}: {r['machine']['load_average_at_start']}" for s, r in zip(sizes, per_size)),
        "",
        "## Method",
        "",
        "- **Data**: `api/generator/`, seed 42: suppliers at real French places (GeoNames),",
        "  denser around industrial areas and densest around Rouen–Elbeuf–Cléon; capabilities,",
        "  sectors and certifications correlated; ~15 % with several sites. Written with bulk",
        "  inserts into the real tables, each supplier with the history entry, event and search-outbox",
        "  row of its creation, extended from one size to the next; the outbox is emptied once the",
        "  rebuild has indexed everything, so no drainer re-indexes the data set during the measures.",
        "- **Search latency**: the API under gunicorn "
        f"({GUNICORN_WORKERS} sync workers, as the Dockerfile runs it) on 127.0.0.1, anonymous requests",
        f"  over HTTP with `requests` (keep-alive); {len(queries.MIX)} faceted geo queries (`bench/queries.py`),",
        "  each one followed at once by the very same Elasticsearch `_msearch` (the API's argument schema",
        "  then `search.query.build_searches`) sent straight to Elasticsearch with the same HTTP client, then by",
        "  the same API request with a buyer's API key (authentication reads the key from PostgreSQL);",
        "  3 warm-up rounds, then the rounds timed. Median and p95 over every timed request. The",
        "  anonymous rate limit (per client address) is off for the benchmarks: every request comes from",
        "  one address. Elasticsearch's shard request cache is off on the benchmark index",
        "  (`index.requests.cache.enable: false`): the size-0 facet searches would otherwise be",
        "  answered from it on every round after the first, which a real mix of queries would not get.",
        "- **Rebuild**: `flask --app api search rebuild` in a subprocess (index created without replicas",
        "  or refresh, documents streamed from PostgreSQL by `REBUILD_PROCESSES` processes, one per core",
        "  by default, catch-up, refresh, alias swap); peak RSS is the VmHWM (/proc) of the command and",
        "  its streaming processes added up, RSS sampled every 0.1 s. **Raw bulk**: the same documents, built beforehand (timed",
        "  apart: *documents built from PostgreSQL alone*), sent by `helpers.streaming_bulk` with the",
        "  same actions and chunk size into a fresh index created the same way, refresh included.",
        "- **Freshness**: PATCH of a supplier's trade name through the API (admin key, `If-Match`), then",
        "  the search polled every 10 ms for the new name; time from sending the PATCH until the search",
        "  finds it (an upper bound of the time from the commit). Updates are spaced by a random pause",
        "  (0–1 s) so they do not fall in step with the index's refresh cycle (half a second).",
        "- **Load**: locust, headless, clients sending the query mix back to back for the duration.",
        "",
        "## Commands",
        "",
        "```sh",
        'make bench                                  # SIZES="10000 100000" by default',
        'make bench SIZES="10000 100000 1000000"     # a million on request (about an hour here)',
        "python -m bench.run --sizes 10000 --load-users 16 --load-seconds 30 --rounds 20",
        "python -m api.generator --suppliers 10000 --seed 42 --database-url postgresql+psycopg://… --rebuild",
        "```",
        "",
        "Options of `bench.run`: `--database-url` (a PostgreSQL server URL; the benchmark creates and",
        "drops `perf_bench` on it), `--elasticsearch-url`, `--fresh` (forget earlier sizes),",
        "`--keep` (keep the database and the `bench-*` indexes afterwards), `--render-only` (rewrite this",
        "page from the results it embeds).",
        "",
        f"{RESULTS_MARK}\n{json.dumps(results, indent=1, ensure_ascii=False)}\n-->",
        "",
    ]
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------------


def run_size(size: int, args, database_url: str, workdir: Path) -> dict:
    result: dict = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    result["machine"] = machine(args.elasticsearch_url, database_url)
    result["generation"] = extend_data(database_url, size, args.seed)
    log(f"{size:,}: generation {result['generation']}")
    result["rebuild"] = measure_rebuild(database_url, args.elasticsearch_url, size, workdir / "rebuild.log")
    log(f"{size:,}: rebuild {result['rebuild']}; {settle_outbox(database_url):,} outbox rows settled")
    make_client(args.elasticsearch_url).indices.put_settings(
        index=f"{PREFIX}-suppliers", settings={"index.requests.cache.enable": False})
    result["raw"] = measure_documents_and_raw_bulk(database_url, args.elasticsearch_url, size)
    result["rebuild_ratio"] = round(result["rebuild"]["per_second"] / result["raw"]["raw_bulk"]["per_second"], 2)
    log(f"{size:,}: raw {result['raw']} → rebuild/raw {result['rebuild_ratio']}")
    settle_index(args.elasticsearch_url)
    with served(database_url, args.elasticsearch_url, workdir / "gunicorn.log") as base:
        result["latency"] = measure_latency(base, args.elasticsearch_url, args.rounds,
                                            api_key(database_url, args.elasticsearch_url, "buyer"))
        log(f"{size:,}: latency API {result['latency']['api']} ES {result['latency']['raw']} "
            f"ratio {result['latency']['ratio_median']}")
        result["freshness"] = measure_freshness(base, database_url, args.elasticsearch_url, args.freshness_updates)
        log(f"{size:,}: freshness {result['freshness']}")
        result["load"] = measure_load(base, args.load_users, args.load_seconds, workdir)
        log(f"{size:,}: load {result['load']}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["10000", "100000"],
                        help="numbers of suppliers (also one quoted, space-separated string)")
    parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER_URL),
                        help="a PostgreSQL server URL; the benchmark database is created on it")
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200"))
    parser.add_argument("--rounds", type=int, default=20, help="timed rounds of the query mix")
    parser.add_argument("--freshness-updates", type=int, default=50)
    parser.add_argument("--load-users", type=int, default=16)
    parser.add_argument("--load-seconds", type=int, default=30)
    parser.add_argument("--output", type=Path, default=REPORT)
    parser.add_argument("--fresh", action="store_true", help="do not keep sizes measured by earlier runs")
    parser.add_argument("--keep", action="store_true", help="keep the database and indexes afterwards")
    parser.add_argument("--reuse-data", action="store_true",
                        help="start from the suppliers an earlier --keep run left (only the missing ones "
                             "are generated, so a size already there is measured without its generation); "
                             "implies --keep")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite the report from the results it embeds, measure nothing")
    args = parser.parse_args(argv)
    if args.render_only:
        write_report(previous_results(args.output), args.output)
        return 0
    sizes = sorted({int(s.replace("_", "").replace(",", "")) for item in args.sizes for s in item.split()})

    ensure_postgres(args.database_url)
    ensure_elasticsearch(args.elasticsearch_url)
    database_url = create_database(args.database_url, reuse=args.reuse_data)
    from api import migrate
    migrate.upgrade(database_url)
    delete_bench_indexes(args.elasticsearch_url)
    results = {"sizes": {}} if args.fresh else {"sizes": previous_results(args.output).get("sizes", {})}
    workdir = Path(tempfile.mkdtemp(prefix="proxisource-bench-"))
    log(f"sizes {sizes}; logs in {workdir}")
    try:
        for size in sizes:
            results["sizes"][str(size)] = run_size(size, args, database_url, workdir)
            write_report(results, args.output)
            print(json.dumps({size: results["sizes"][str(size)]}, indent=1, ensure_ascii=False), flush=True)
    finally:
        if not (args.keep or args.reuse_data):
            delete_bench_indexes(args.elasticsearch_url)
            drop_database(args.database_url)
    log(f"written {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
