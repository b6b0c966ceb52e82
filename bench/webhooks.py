"""Webhook delivery: commit-to-receipt latency, throughput to many endpoints, backlog drain.

    python -m bench.webhooks --database-url postgresql+psycopg://postgres:postgres@127.0.0.1:5432/webhooks

The receivers (threaded `http.server`, answering 204 at once) run in a process of their
own, so that they do not share the worker's interpreter; the worker is the real one
(`Worker` with the fan-out and delivery jobs, production's settings: 32 lanes, 4 per
endpoint). The database is migrated and emptied first. Three measures:

- latency: events committed one at a time (every 50 ms) while the worker runs, from
  the commit to the receipt at a healthy endpoint, with the worker's default 1 s tick and
  with a 0.25 s one;
- throughput: events each delivered to 50 endpoints, drained by one worker process;
- drain: 1,000 deliveries due at once to one endpoint (a receiver back after an outage).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import delete, insert, select

from api import create_app, migrate
from api.db import unit_of_work, utc_now
from api.events.log import record
from api.models import Base, Event, WebhookDelivery, WebhookSubscription
from api.webhooks.delivery import Dispatcher
from api.webhooks.fanout import fan_out, message
from api.webhooks.signing import new_secret
from api.worker import Worker


def serve(count: int, ports, receipts) -> None:
    """In the receivers' process: `count` endpoints; each request reported as (port, webhook-id, time)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            receipts.put((self.server.server_port, self.headers["webhook-id"], time.time()))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args):
            pass

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(count)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports.put([server.server_port for server in servers])
    threading.Event().wait()


class Receivers:
    def __init__(self, count: int):
        context = multiprocessing.get_context("spawn")
        ports, self.receipts = context.Queue(), context.Queue()
        self.process = context.Process(target=serve, args=(count, ports, self.receipts), daemon=True)
        self.process.start()
        self.urls = [f"http://127.0.0.1:{port}/hooks" for port in ports.get(timeout=30)]

    def collect(self, count: int, timeout: float = 600) -> list[tuple[int, str, float]]:
        return [self.receipts.get(timeout=timeout) for _ in range(count)]

    def close(self) -> None:
        self.process.terminate()


def emptied(app) -> None:
    with unit_of_work(app.extensions["db_sessionmaker"]) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())


def subscribe(app, urls: list[str]) -> None:
    with unit_of_work(app.extensions["db_sessionmaker"]) as session:
        session.add_all(WebhookSubscription(url=url, secret=new_secret()) for url in urls)
    time.sleep(0.01)  # events strictly after the subscriptions


def dispatcher(app) -> Dispatcher:
    return Dispatcher(app.extensions["db_sessionmaker"], schedule=[5.0], allow_private=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency(app, receivers: Receivers, interval: float, events: int) -> list[float]:
    """Seconds from each event's commit to its receipt, the worker ticking every `interval`."""
    emptied(app)
    subscribe(app, receivers.urls[:1])
    jobs = dispatcher(app)
    worker = Worker(app.extensions["db_sessionmaker"], [fan_out, jobs], interval=interval)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    committed = {}
    for _ in range(events):
        with unit_of_work(app.extensions["db_sessionmaker"]) as session:
            event = record(session, "supplier.updated", "supplier", "bench", principal=None, data={}, public=True)
            session.flush()
        committed[str(event.id)] = time.time()
        time.sleep(0.05)
    receipts = receivers.collect(events)
    worker.stop()
    thread.join()
    jobs.close()
    return [at - committed[webhook_id] for _, webhook_id, at in receipts]


def throughput(app, receivers: Receivers, events: int) -> tuple[int, float]:
    """Deliveries of `events` events to every endpoint, and the seconds one worker took."""
    emptied(app)
    subscribe(app, receivers.urls)
    with unit_of_work(app.extensions["db_sessionmaker"]) as session:
        for _ in range(events):
            record(session, "supplier.updated", "supplier", "bench", principal=None, data={}, public=True)
    return drained(app, receivers, events * len(receivers.urls))


def backlog(app, receivers: Receivers, size: int) -> tuple[int, float]:
    """`size` deliveries due now to one endpoint (as an outage leaves them), and their drain time."""
    emptied(app)
    subscribe(app, receivers.urls[:1])
    with unit_of_work(app.extensions["db_sessionmaker"]) as session:
        subscription = session.scalar(select(WebhookSubscription))
        event = record(session, "supplier.updated", "supplier", "bench", principal=None, data={}, public=True)
        session.flush()
        event.fanned_out_at = utc_now()
        body = message(event.type, event.occurred_at, {"id": event.id})
        session.execute(insert(WebhookDelivery), [
            {"subscription_id": subscription.id, "message_id": f"backlog_{n}", "event_type": event.type,
             "payload": body, "state": "pending", "attempt_count": 3, "next_attempt_at": utc_now(),
             "created_at": utc_now()} for n in range(size)])
    return drained(app, receivers, size)


def drained(app, receivers: Receivers, count: int) -> tuple[int, float]:
    jobs = dispatcher(app)
    worker = Worker(app.extensions["db_sessionmaker"], [fan_out, jobs], interval=0.05)
    started = time.time()
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    receipts = receivers.collect(count)
    elapsed = max(at for *_, at in receipts) - started
    worker.stop()
    thread.join()
    jobs.close()
    assert len({(port, webhook_id) for port, webhook_id, _ in receipts}) == count, "a delivery was posted twice"
    return len(receipts), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--endpoints", type=int, default=50)
    parser.add_argument("--events", type=int, default=200, help="events for the latency measure")
    parser.add_argument("--fanout-events", type=int, default=40, help="events delivered to every endpoint")
    parser.add_argument("--backlog", type=int, default=1000)
    options = parser.parse_args()
    migrate.upgrade(options.database_url)
    app = create_app({"DATABASE_URL": options.database_url, "LOG_LEVEL": "WARNING"})
    receivers = Receivers(options.endpoints)
    try:
        for interval in (1.0, 0.25):
            seconds = latency(app, receivers, interval, options.events)
            print(f"latency, worker tick {interval:g} s, {len(seconds)} events: p50 {statistics.median(seconds) * 1000:.0f} ms, "
                  f"p95 {percentile(seconds, 0.95) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms", flush=True)
        count, elapsed = throughput(app, receivers, options.fanout_events)
        print(f"throughput: {count} deliveries to {options.endpoints} endpoints in {elapsed:.1f} s: "
              f"{count / elapsed:.0f}/s", flush=True)
        count, elapsed = backlog(app, receivers, options.backlog)
        print(f"backlog: {count} deliveries to one endpoint drained in {elapsed:.1f} s: {count / elapsed:.0f}/s",
              flush=True)
    finally:
        receivers.close()
        emptied(app)


if __name__ == "__main__":
    main()
