"""The worker: one transaction per job pass, failures contained, a clean stop, and its commands."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from outbox_support import assert_index_matches_database, change_suppliers, outbox_rows
from sqlalchemy import select

from api import create_app
from api.models import Organisation
from api.worker import Worker, default_jobs

PROJECT = Path(__file__).resolve().parents[2]


def organisations(sessions) -> list[str]:
    with sessions() as session:
        return sorted(session.scalars(select(Organisation.name)))


def test_each_job_pass_is_a_transaction_committed_unless_the_job_raises(app, caplog):
    sessions = app.extensions["db_sessionmaker"]
    failures = []

    def onboarding(session) -> int:  # three passes with work, then idle
        done = session.query(Organisation).count()
        if done == 3:
            return 0
        session.add(Organisation(name=f"buyer {done}", kind="buyer"))
        return 1

    def broken(session) -> int:
        session.add(Organisation(name="never committed", kind="buyer"))
        session.flush()
        failures.append(1)
        raise RuntimeError("boom")

    assert Worker(sessions, [broken, onboarding]).run_until_idle() == 3

    assert organisations(sessions) == ["buyer 0", "buyer 1", "buyer 2"]
    assert len(failures) == 1  # tried once this tick, and never stopped the other job
    records = [r for r in caplog.records if r.name == "proxisource.worker"]
    assert [r.fields["done"] for r in records if getattr(r, "fields", {}).get("job") == "onboarding"
            and r.levelname == "INFO"] == [1, 1, 1]  # one line per pass that did work, none when idle
    assert sum("job broken failed" in r.getMessage() for r in records) == 1


def test_the_worker_stops_after_the_current_job(app):
    sessions = app.extensions["db_sessionmaker"]
    worker = Worker(sessions, [], interval=0.01)
    ran = []

    def stopping(session) -> int:
        ran.append(1)
        worker.stop()
        return 1  # more to do, but stopped

    worker.jobs = [stopping, lambda session: ran.append(2) or 0]
    worker.run()
    assert ran == [1]


def test_the_worker_survives_a_database_that_is_not_migrated(tmp_path, elasticsearch_url):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'not-migrated.db'}",
                      "ELASTICSEARCH_URL": elasticsearch_url})
    worker = Worker(app.extensions["db_sessionmaker"], default_jobs(app))
    assert worker.run_until_idle() == 0  # no outbox table: a warning, not a dead worker
    assert worker.run_until_idle() == 0


# --- the commands --------------------------------------------------------------------------------


def flask_command(app, index_prefix, *args: str, **popen) -> subprocess.Popen:
    """`flask --app api …` in a process of its own, on the tests' database and index."""
    environment = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"],
                   "ELASTICSEARCH_URL": app.config["ELASTICSEARCH_URL"], "INDEX_PREFIX": index_prefix}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "api", *args], cwd=PROJECT,
                            env=environment, stderr=subprocess.PIPE, text=True, **popen)


def test_worker_once_runs_every_job_until_idle_and_exits(app, supplier_index, index_prefix):
    change_suppliers(app, suppliers=3, changes=7)
    process = flask_command(app, index_prefix, "worker", "--once")
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors
    # 7 outbox rows pushed, and the 7 events of those changes fanned out (to no webhook).
    assert ("14 done (search_outbox, close_overdue, purge_expired_idempotency_keys, fan_out, "
            "webhook_deliveries, purge_old_webhook_deliveries, import_job)") in errors
    assert outbox_rows(app) == []
    assert_index_matches_database(app, supplier_index)


def test_sigterm_stops_the_worker_cleanly(app, supplier_index, index_prefix):
    process = flask_command(app, index_prefix, "worker", "--interval", "0.2")
    try:
        assert "worker running search_outbox" in process.stderr.readline()
        change_suppliers(app, suppliers=2)
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, errors
    assert errors.rstrip().endswith("worker stopped")


def test_search_drain_pushes_every_pending_change_once(app, supplier_index):
    change_suppliers(app, suppliers=4, changes=6, deleted=1)
    result = app.test_cli_runner().invoke(args=["search", "drain"])
    assert result.exit_code == 0, result.output
    assert "6 changes pushed; 0 refused (0 parked)" in result.output
    assert outbox_rows(app) == []
    assert_index_matches_database(app, supplier_index)
