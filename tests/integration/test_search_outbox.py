"""The search outbox: shared by workers without duplicates, refusals parked, outages harmless,
and each request's own changes pushed once its response is sent.

Real Elasticsearch and a real database; sharing the backlog between workers
needs PostgreSQL's SKIP LOCKED (on SQLite one worker runs).
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from factories import create_supplier, issue_admin_key
from outbox_support import assert_index_matches_database, change_suppliers, outbox_rows
from sqlalchemy import update

from api.principal import ANONYMOUS
from api.db import utc_now
from api.models import SearchOutbox
from api.search import outbox, profiles, sync
from api.suppliers import service
from api.worker import Worker
from search.client import make_client
from search.index import SupplierIndex


@pytest.fixture()
def index(supplier_index):
    return supplier_index


@pytest.fixture()
def sessions(app):
    return app.extensions["db_sessionmaker"]


@pytest.fixture()
def postgresql(app):
    if app.extensions["db_engine"].dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL (on SQLite one worker runs)")


@pytest.fixture()
def admin(app):
    return issue_admin_key(app)


def refusing(monkeypatch, supplier_id: str) -> None:
    """Make this supplier's document one the strict mapping refuses (a field it does not know)."""
    build = profiles.build_document

    def build_with_an_unknown_field(profile, catalog):
        document = build(profile, catalog)
        return {**document, "unexpected": True} if profile["id"] == supplier_id else document

    monkeypatch.setattr(profiles, "build_document", build_with_an_unknown_field)


def make_due(sessions) -> None:
    with sessions() as session, session.begin():
        session.execute(update(SearchOutbox).values(next_attempt_at=utc_now()))


# --- claiming -----------------------------------------------------------------------------


def test_two_workers_share_the_backlog_and_push_every_row_exactly_once(app, sessions, index, postgresql,
                                                                       monkeypatch):
    change_suppliers(app, suppliers=200, changes=1000, deleted=10)
    row_ids = [row.id for row in outbox_rows(app)]
    assert len(row_ids) == 1000
    monkeypatch.setattr(outbox, "BATCH_SIZE", 50)  # twenty batches to share, not two
    pushed: dict[str, list[int]] = {"first": [], "second": []}
    start = threading.Barrier(2)

    def work(name: str) -> None:
        def search_outbox(session) -> int:  # the worker's job, recording the rows it pushed
            report = sync.push_due(session, index)
            pushed[name] += report.pushed
            return report.settled

        start.wait()
        Worker(sessions, [search_outbox]).run_until_idle()

    workers = [threading.Thread(target=work, args=(name,)) for name in pushed]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    first, second = pushed["first"], pushed["second"]
    assert first and second  # both took part
    assert len(first) + len(second) == len(row_ids)
    assert set(first) | set(second) == set(row_ids)
    assert not set(first) & set(second)
    assert outbox_rows(app) == []
    assert_index_matches_database(app, index)


def test_the_push_after_commit_skips_rows_a_worker_holds(app, sessions, index, postgresql):
    change_suppliers(app, suppliers=2)
    held, free = [row.id for row in outbox_rows(app)]
    with sessions() as worker_session, worker_session.begin():
        assert [row.id for row in outbox.claim(worker_session, ids=[held])] == [held]
        started = time.monotonic()
        sync.push_committed(sessions, index.with_timeout(1.0), [held, free])
        assert time.monotonic() - started < 5  # skipped, not waited for
        assert [row.id for row in outbox_rows(app)] == [held]


# --- refusals -------------------------------------------------------------------------------


def test_a_refused_document_is_retried_then_parked_while_the_others_flow_and_an_admin_retries_it(
        app, client, sessions, index, admin, monkeypatch):
    ids = change_suppliers(app, suppliers=1000)
    refused_id = ids[500]
    refusing(monkeypatch, refused_id)
    worker = Worker(sessions, [sync.outbox_job(index)])

    assert worker.run_until_idle() == 1000  # 999 pushed, one refused and not due again yet
    [row] = outbox_rows(app)
    assert (row.entity_id, row.attempts, row.failed_at) == (refused_id, 1, None)
    assert "strict_dynamic_mapping_exception" in row.last_error and "unexpected" in row.last_error
    assert timedelta(seconds=9) < row.next_attempt_at - utc_now() <= timedelta(seconds=10)
    index.refresh()
    assert index.client.count(index=index.alias)["count"] == 999
    assert not index.client.exists(index=index.alias, id=refused_id)

    monkeypatch.setattr(outbox, "FIRST_RETRY_DELAY", timedelta(0))  # no waiting from now on
    make_due(sessions)
    assert worker.run_until_idle() == outbox.MAX_ATTEMPTS - 1
    [row] = outbox_rows(app)
    assert (row.attempts, row.next_attempt_at) == (outbox.MAX_ATTEMPTS, None)
    assert row.failed_at is not None and "strict_dynamic_mapping_exception" in row.last_error
    assert worker.run_until_idle() == 0  # parked: skipped

    sync_check = client.get("/ready").get_json()["checks"]["search_sync"]
    assert (sync_check["status"], sync_check["backlog"], sync_check["failed"]) == ("failing", 0, 1)
    failed = client.get("/api/v1/admin/search-outbox?state=failed", headers=admin.headers).get_json()
    assert [(item["id"], item["entity_id"], item["attempts"]) for item in failed["items"]] == [
        (row.id, refused_id, outbox.MAX_ATTEMPTS)]
    assert failed["items"][0]["last_error"] == row.last_error
    assert client.get("/api/v1/admin/search-outbox?state=pending",
                      headers=admin.headers).get_json()["items"] == []

    monkeypatch.undo()  # the cause is removed
    retried = client.post("/api/v1/admin/search-outbox/retry", headers=admin.headers)
    assert retried.status_code == 200 and retried.get_json() == {"retried": 1}
    [row] = outbox_rows(app)
    assert (row.attempts, row.next_attempt_at, row.failed_at) == (0, None, None)
    assert worker.run_until_idle() == 1
    assert outbox_rows(app) == []
    assert_index_matches_database(app, index)


def test_a_parked_row_goes_once_a_newer_version_of_its_supplier_is_in_the_index(app, sessions, index,
                                                                                   monkeypatch):
    [supplier_id] = change_suppliers(app, suppliers=1)
    refusing(monkeypatch, supplier_id)
    monkeypatch.setattr(outbox, "FIRST_RETRY_DELAY", timedelta(0))
    worker = Worker(sessions, [sync.outbox_job(index)])
    assert worker.run_until_idle() == outbox.MAX_ATTEMPTS
    assert [row.failed_at is not None for row in outbox_rows(app)] == [True]

    monkeypatch.undo()
    with sessions() as session:
        service.update_supplier(session, service.get_supplier(session, supplier_id), {"trade_name": "Fixed"},
                                ANONYMOUS, replace=False)
        session.commit()
    assert worker.run_until_idle() == 1
    assert outbox_rows(app) == []  # the parked row was about an older version: moot
    assert_index_matches_database(app, index)


# --- unavailability -------------------------------------------------------------------------


@contextmanager
def unreachable_elasticsearch(kind: str):
    """The URL of a port nobody listens on, or of a server that accepts and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        if kind == "closed port":
            server.close()
        yield f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("kind", ["closed port", "silent server"])
def test_elasticsearch_unreachable_leaves_the_rows_untouched(app, sessions, kind, caplog):
    change_suppliers(app, suppliers=3, changes=5)
    before = [(row.id, row.attempts, row.next_attempt_at, row.last_error, row.failed_at)
              for row in outbox_rows(app)]
    with unreachable_elasticsearch(kind) as url:
        down = SupplierIndex(make_client(url, request_timeout=0.5), "unreachable")
        assert Worker(sessions, [sync.outbox_job(down)]).run_until_idle() == 0
    after = [(row.id, row.attempts, row.next_attempt_at, row.last_error, row.failed_at)
             for row in outbox_rows(app)]
    assert after == before and [attempts for _, attempts, *_ in after] == [0] * 5
    assert "job search_outbox failed" in caplog.text


# --- the push right after a request commits -------------------------------------------------


def test_a_change_is_searchable_right_after_the_request_without_any_worker(app, client, index, admin):
    created, etag = create_supplier(client, admin)
    response = client.patch(f"/api/v1/suppliers/{created['id']}", json={"trade_name": "Renamed just now"},
                            headers=admin.with_etag(etag))
    assert response.status_code == 200

    index.refresh()
    hits = client.get("/api/v1/search/suppliers", query_string={"q": "Renamed just now"}).get_json()["items"]
    assert [hit["id"] for hit in hits] == [created["id"]]
    assert outbox_rows(app) == []
    assert_index_matches_database(app, index)


def test_the_push_happens_once_the_response_is_sent(app, index, admin):
    client = app.test_client()
    created, etag = create_supplier(client, admin)
    response = client.patch(f"/api/v1/suppliers/{created['id']}", json={"trade_name": "Later"},
                            headers=admin.with_etag(etag), buffered=False)
    assert response.status_code == 200
    assert [row.version for row in outbox_rows(app)] == [2]  # answered, not yet sent: nothing pushed
    response.close()  # what the WSGI server does once the client has the response
    assert outbox_rows(app) == []


def test_with_elasticsearch_unreachable_a_write_still_succeeds_and_its_row_stays_pending(
        app, client, index, admin, monkeypatch, caplog):
    created, etag = create_supplier(client, admin)
    monkeypatch.setitem(app.extensions, "supplier_index",
                        SupplierIndex(make_client("http://127.0.0.1:1"), "unreachable"))

    response = client.patch(f"/api/v1/suppliers/{created['id']}", json={"trade_name": "Offline"},
                            headers=admin.with_etag(etag))

    assert response.status_code == 200
    [row] = outbox_rows(app)
    assert (row.entity_id, row.version, row.attempts, row.next_attempt_at, row.failed_at) == (
        created["id"], 2, 0, None, None)
    assert "left to the worker" in caplog.text


def test_after_a_push_elasticsearch_could_not_take_the_next_ones_are_left_to_the_worker(
        app, sessions, monkeypatch):
    """A frozen cluster must not hold a server process for the whole timeout after every write."""
    attempts, really_push = [], sync.push_committed
    monkeypatch.setattr(sync, "push_committed", lambda *args: attempts.append(args) or really_push(*args))
    change_suppliers(app, 2)
    first, second = (row.id for row in outbox_rows(app))
    push = sync.PushAfterResponse(pause=60)
    down = SupplierIndex(make_client("http://127.0.0.1:1"), "unreachable")

    push(sessions, down, [first])
    push(sessions, down, [second])

    assert [ids for _, _, ids in attempts] == [[first]]
    assert len(outbox_rows(app)) == 2  # both left to the worker
