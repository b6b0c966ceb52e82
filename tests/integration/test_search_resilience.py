"""The index never silently drifts from the database.

- Elasticsearch down: writes still succeed, search answers 503, and the
  worker drains the backlog once Elasticsearch is back.
- A full rebuild under continuous searching: no search fails, no supplier
  goes missing, and changes made during the rebuild are in the new index.
"""

from __future__ import annotations

import threading
import time

import pytest
from search_support import create_many, profile

from api import transaction
from api.accounts.service import issue_key
from api.search import profiles
from api.search import rebuild as rebuild_module
from api.search.rebuild import rebuild
from api.worker import Worker, default_jobs
from search import node


@pytest.fixture()
def admin_headers(app):
    with app.app_context():
        _, key = issue_key(transaction.session(), role="admin", name="tests", organisation=None)
        transaction.session().commit()
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture()
def index(supplier_index):
    return supplier_index


def index_matches_database(app, index) -> None:
    """Document by document: what Elasticsearch holds is what the database says."""
    index.refresh()
    with app.app_context():
        expected = {u.document["id"]: u.document for u in profiles.upserts(transaction.session())}
    indexed = {hit["_id"]: hit["_source"] for hit in index.client.search(
        index=index.alias, query={"match_all": {}}, size=10_000)["hits"]["hits"]}
    assert indexed.keys() == expected.keys()
    for supplier_id, document in expected.items():
        assert indexed[supplier_id] == document, supplier_id


def test_writes_survive_an_elasticsearch_outage_and_the_backlog_drains_by_itself(
        app, client, index, admin_headers, elasticsearch_url):
    config = node.NodeConfig.from_env()
    if elasticsearch_url != config.url or node.node_pid(config) is None:
        pytest.skip("needs the node this project started (to stop and restart it)")
    first = client.post("/api/v1/suppliers", json=profile(1), headers=admin_headers)
    assert first.status_code == 201
    kept = client.post("/api/v1/suppliers", json=profile(2), headers=admin_headers)
    assert kept.status_code == 201

    node.stop(config)
    try:
        created = client.post("/api/v1/suppliers", json=profile(3), headers=admin_headers)
        changed = client.patch(f"/api/v1/suppliers/{kept.json['id']}", json={"trade_name": "Renamed"},
                               headers={**admin_headers, "If-Match": kept.headers["ETag"]})
        deleted = client.delete(f"/api/v1/suppliers/{first.json['id']}",
                                headers={**admin_headers, "If-Match": first.headers["ETag"]})
        assert (created.status_code, changed.status_code, deleted.status_code) == (201, 200, 204)

        down = client.get("/api/v1/search/suppliers")
        assert down.status_code == 503
        assert down.mimetype == "application/problem+json"
        assert int(down.headers["Retry-After"]) > 0
        ready = client.get("/ready").get_json()
        assert ready["checks"]["elasticsearch"]["status"] == "failing"
        assert ready["checks"]["search_sync"]["backlog"] == 3
    finally:
        node.start(config)

    worker = Worker(app.extensions["db_sessionmaker"], default_jobs(app), interval=0.2)
    running = threading.Thread(target=worker.run)
    running.start()
    try:
        deadline = time.monotonic() + 30
        while client.get("/ready").get_json()["checks"]["search_sync"]["backlog"] and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.stop()
        running.join()
    index_matches_database(app, index)
    names = {hit["name"] for hit in client.get("/api/v1/search/suppliers").get_json()["items"]}
    assert names == {"Renamed", "Atelier 3"}


def test_rebuild_under_continuous_search_loses_nothing(app, client, index, admin_headers, monkeypatch):
    count = 600
    ids = create_many(app, count)
    index.refresh()
    failures, totals = [], []
    rebuilding = threading.Event()
    finished = threading.Event()

    def search_continuously():
        searcher = app.test_client()
        while not finished.is_set():
            response = searcher.get("/api/v1/search/suppliers?facets=false&page_size=1")
            if response.status_code != 200:
                failures.append(response.status_code)
            elif rebuilding.is_set():
                totals.append(response.get_json()["total"])

    # Changes made in the middle of the rebuild, after the stream has started.
    during = {}

    def change_during_rebuild(done: int) -> None:
        if during:
            return
        rebuilding.set()
        # (read as the admin: If-Match takes the tag of the representation the editor reads)
        target = client.get(f"/api/v1/suppliers/{ids[0]}", headers=admin_headers)
        during["patch"] = client.patch(f"/api/v1/suppliers/{ids[0]}", json={"trade_name": "Changed mid-way"},
                                       headers={**admin_headers, "If-Match": target.headers["ETag"]})
        doomed = client.get(f"/api/v1/suppliers/{ids[1]}", headers=admin_headers)
        during["delete"] = client.delete(f"/api/v1/suppliers/{ids[1]}",
                                         headers={**admin_headers, "If-Match": doomed.headers["ETag"]})
        during["create"] = client.post("/api/v1/suppliers", json=profile(count + 1), headers=admin_headers)

    monkeypatch.setattr(profiles, "BATCH", 100)  # several batches, even for a small set
    searcher = threading.Thread(target=search_continuously)
    searcher.start()
    old_indexes = index.live_indexes()
    # The rebuild has a session of its own, as in its own process: the API calls made from
    # the progress callback must not share (and commit) the rebuild's transaction.
    session = app.extensions["db_sessionmaker"]()
    try:
        with app.app_context():
            report = rebuild(session, index, progress=change_during_rebuild)
    finally:
        session.close()
        finished.set()
        searcher.join()

    assert [r.status_code for r in during.values()] == [200, 204, 201]
    assert failures == []
    # While rebuilding, searches hit the old index: all suppliers, give or take the two live changes.
    assert totals and all(count <= total + 1 <= count + 2 for total in totals)
    assert report.indexed >= count - 1
    assert index.live_indexes() == [report.index] and report.dropped == old_indexes
    assert not index.client.indices.exists(index=",".join(old_indexes))
    index_matches_database(app, index)


def test_failed_rebuild_leaves_the_live_index_untouched(app, index, monkeypatch):
    create_many(app, 3)
    live = index.live_indexes()

    def broken_stream(session, where=None, batch=None):
        yield from ()
        raise RuntimeError("database connection lost")

    monkeypatch.setattr(rebuild_module, "upserts", broken_stream)
    with app.app_context(), pytest.raises(RuntimeError):
        rebuild(transaction.session(), index)
    assert index.live_indexes() == live
    assert index.client.indices.get_alias(name=index.alias).keys() == set(live)
    assert index.write_targets() == live  # the half-built index is gone, incoming alias with it
    index.refresh()
    assert index.client.count(index=index.alias)["count"] == 3
