"""A three-node cluster loses a node under continuous searches and writes.

The launcher starts three nodes on loopback (search.node, `--nodes 3`); the API is
given all three URLs and the supplier index takes one replica by itself. While
searches and supplier creations run without pause, the node holding the primary
shard is killed (SIGKILL, as a crash), then started again. No search may fail, every
supplier created must be found in the index once the worker has drained the outbox,
and the cluster is green again once the node is back.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from dataclasses import replace

import pytest
from factories import issue_admin_key
from search_support import profile

from api import create_app
from api.worker import Worker, default_jobs
from search import node

pytestmark = pytest.mark.slow

NODES = 3
STARTUP_SECONDS = 420.0  # three JVMs starting at once on a small, shared machine
SEARCH = "/api/v1/search/suppliers?near=Rouen&radius_km=50&capability=machining"


@pytest.fixture(scope="module")
def cluster():
    """Three nodes of our own, on ports of their own (ES_CLUSTER_PORT, else ES_PORT + 20)."""
    single = node.NodeConfig.from_env()
    port = int(os.environ.get("ES_CLUSTER_PORT", single.port + 20))
    config = replace(single, port=port, nodes=NODES, heap=os.environ.get("ES_CLUSTER_HEAP", "512m"))
    node.start(config, timeout=STARTUP_SECONDS)
    yield config
    node.stop(config)
    for member in config.members():
        shutil.rmtree(member.run_dir, ignore_errors=True)


def health(es) -> dict:
    return es.cluster.health()


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} after {seconds:.0f}s")
        time.sleep(0.5)


def test_a_node_dies_and_comes_back_without_a_failed_search_or_a_lost_write(app, cluster, index_prefix):
    clustered = create_app({**app.config, "ELASTICSEARCH_URL": cluster.urls,
                            "INDEX_PREFIX": f"{index_prefix}-cluster", "SEARCH_PUSH_TIMEOUT_SECONDS": 1.0})
    es, index = clustered.extensions["elasticsearch"], clustered.extensions["supplier_index"]
    index.ensure()
    assert es.indices.get_settings(index=index.alias, name="index.number_of_replicas")[
        index.live_indexes()[0]]["settings"]["index"]["number_of_replicas"] == "1"
    wait_for(lambda: health(es)["status"] == "green", 120, "green")

    admin = issue_admin_key(clustered)
    worker = Worker(clustered.extensions["db_sessionmaker"], default_jobs(clustered), interval=0.2)
    working = threading.Thread(target=worker.run)
    working.start()
    finished = threading.Event()
    searches, failed, created, refused = [], [], [], []

    def search_continuously():
        searcher = clustered.test_client()
        while not finished.is_set():
            response = searcher.get(SEARCH, headers=admin.headers)  # a key: no anonymous rate limit
            (searches if response.status_code == 200 else failed).append(response.status_code)

    def write_continuously():
        writer, i = clustered.test_client(), 0
        while not finished.is_set():
            response = writer.post("/api/v1/suppliers", json=profile(i), headers=admin.headers)
            (created.append(response.get_json()["id"]) if response.status_code == 201
             else refused.append(response.status_code))
            i += 1

    threads = [threading.Thread(target=search_continuously), threading.Thread(target=write_continuously)]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: len(created) >= 10 and len(searches) >= 10, 120, "searching and writing")
        primary = next(shard["node"] for shard in es.cat.shards(index=index.alias, format="json")
                       if shard["prirep"] == "p")
        victim = next(member for member in cluster.members() if member.node_name == primary)
        before_kill = (len(searches), len(created))
        assert node.stop_node(victim, how=signal.SIGKILL)
        wait_for(lambda: health(es)["number_of_nodes"] == NODES - 1, 60, "seen gone")
        # Searches and writes go on while the replica takes over.
        wait_for(lambda: len(searches) >= before_kill[0] + 20 and len(created) >= before_kill[1] + 10,
                 120, "searching and writing on two nodes")
        node.launch(victim)
        wait_for(lambda: health(es)["number_of_nodes"] == NODES, STARTUP_SECONDS, "back to three nodes")
    finally:
        finished.set()
        for thread in threads:
            thread.join()

    wait_for(lambda: health(es)["status"] == "green", 180, "green again")
    try:
        wait_for(lambda: clustered.test_client().get("/ready").get_json()["checks"]["search_sync"]["backlog"] == 0,
                 120, "drained")
    finally:
        worker.stop()
        working.join()
    assert failed == [] and refused == []
    index.refresh()
    found = es.mget(index=index.alias, ids=created, source=False)["docs"]
    assert [doc["_id"] for doc in found if not doc["found"]] == []
    assert es.count(index=index.alias)["count"] == len(created)
    es.indices.delete(index=",".join(index.write_targets()))
