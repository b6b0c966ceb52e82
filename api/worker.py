"""The worker: everything that is not a request, as jobs run in a loop.

A job is a callable `job(session) -> int` that does a small batch of work
in the session's transaction (it flushes, never commits) and says how much
it did; the worker commits after it (rolls back if it raised), repeats each
job while it finds work, then sleeps. A job that raises is logged and tried
again on the next tick: the database or Elasticsearch may be down, the other
jobs go on. Jobs claim their rows with SKIP LOCKED, so any number of workers
can run.

`flask --app api worker` runs it until SIGTERM or SIGINT, which stop it once
the current job has finished.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence

import click
from elasticsearch import ApiError, TransportError
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from .idempotency import purge_expired_idempotency_keys
from .imports.service import hold_reference_data, import_job
from .rfqs.service import close_overdue
from .search import sync
from .webhooks.delivery import Dispatcher
from .webhooks.fanout import fan_out
from .webhooks.retention import purge_job

Job = Callable[[Session], int]

# The database or Elasticsearch is down or refuses the request: expected from time to
# time, logged without a traceback (anything else is a bug, logged with one).
DEPENDENCY_DOWN = (OperationalError, TransportError, ApiError)

log = logging.getLogger("proxisource.worker")


def default_jobs(app: Flask) -> list[Job]:
    """The jobs every worker runs (add new ones here)."""
    return [sync.outbox_job(sync.supplier_index(app)), close_overdue, purge_expired_idempotency_keys,
            fan_out, Dispatcher.for_app(app), purge_job(app.config["WEBHOOK_DELIVERY_RETENTION_DAYS"]),
            import_job]


class Worker:
    """Runs `jobs`, each pass in a transaction of a session from `sessions`."""

    def __init__(self, sessions: sessionmaker, jobs: Sequence[Job], interval: float = 1.0):
        self.sessions, self.jobs, self.interval = sessions, list(jobs), interval
        self.stopped = threading.Event()

    def run_job(self, job: Job) -> int:
        """One pass of `job` in a transaction of its own; how much it did (0 when it failed)."""
        name = job_name(job)
        started = time.perf_counter()
        try:
            with self.sessions() as session, session.begin():
                done = job(session)
        except DEPENDENCY_DOWN as error:
            log.warning("job %s failed, tried again next tick: %s: %s", name, type(error).__name__, error,
                        extra={"fields": {"job": name}})
            return 0
        except Exception:  # noqa: BLE001 — a bug in one job must not stop the others
            log.exception("job %s failed, tried again next tick", name, extra={"fields": {"job": name}})
            return 0
        if done:
            log.info("job %s did %d", name, done, extra={"fields": {
                "job": name, "done": done, "duration_ms": round((time.perf_counter() - started) * 1000, 2)}})
        return done

    def run_until_idle(self) -> int:
        """Run each job again and again while it finds work, taking turns (a long backlog in
        one does not hold up the others); how much they did."""
        total, busy = 0, list(self.jobs)
        while busy:
            still_busy = []
            for job in busy:
                if self.stopped.is_set():
                    return total
                done = self.run_job(job)
                total += done
                if done:
                    still_busy.append(job)
            busy = still_busy
        return total

    def run(self) -> None:
        """Until stopped: run the jobs until idle, then sleep `interval` seconds."""
        while not self.stopped.is_set():
            self.run_until_idle()
            self.stopped.wait(self.interval)

    def stop(self, *_signal) -> None:
        """Stop after the current job (usable as a signal handler)."""
        self.stopped.set()


def job_name(job: Job) -> str:
    return getattr(job, "__name__", None) or type(job).__name__


@click.command("worker")
# A quarter of a second: a webhook reaches its receiver within a second of the commit (p95).
@click.option("--interval", default=0.25, show_default=True, help="Seconds to sleep once every job is idle")
@click.option("--once", is_flag=True, help="Run every job until idle, then exit")
@with_appcontext
def worker_command(interval: float, once: bool) -> None:
    """Run the background jobs (search outbox…) until stopped; any number may run at once."""
    app = current_app._get_current_object()
    hold_reference_data()
    worker = Worker(app.extensions["db_sessionmaker"], default_jobs(app), interval)
    names = ", ".join(job_name(job) for job in worker.jobs)
    if once:
        click.echo(f"{worker.run_until_idle():,} done ({names})", err=True)
        return
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    click.echo(f"worker running {names} every {interval}s; Ctrl-C to stop", err=True)
    worker.run()
    click.echo("worker stopped", err=True)
