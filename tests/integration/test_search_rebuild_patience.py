"""A rebuild finishes when Elasticsearch is slow or busy for a while.

The rebuild talks to the real node through a small proxy on loopback that answers
the first bulk requests with 429 (as a node whose write queue is full does) and holds
the next one longer than the bulk timeout before passing it on (as an overloaded node
does). The rebuild must send those chunks again and end with every supplier indexed,
once; the chunk that was held reaches Elasticsearch twice, which the documents'
external versions make harmless.
"""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from search_support import create_many

from api import transaction
from api.search.rebuild import rebuild
from search import indexer
from search.client import make_client
from search.index import SupplierIndex

SUPPLIERS = 1200  # three bulk chunks
QUICK = indexer.Patience(timeout=5.0, attempts=6, first_pause=0.1, longest_pause=0.5)
HELD_SECONDS = 7.0  # longer than QUICK.timeout
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class TroubledProxy(ThreadingHTTPServer):
    """Passes requests on to Elasticsearch; the first bulk requests meet trouble (see `plan`)."""

    daemon_threads = True

    def __init__(self, upstream: str, plan: list[str]):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = urlsplit(upstream)
        self.plan = list(plan)  # per bulk request, in order: "busy" (429), "held", then all pass
        self.seen: list[str] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def trouble_for_next_bulk(self) -> str:
        with self.lock:
            trouble = self.plan.pop(0) if self.plan else "pass"
            self.seen.append(trouble)
            return trouble


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass

    def _any(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        trouble = self.server.trouble_for_next_bulk() if "/_bulk" in self.path else "pass"
        if trouble == "busy":
            self._answer(429, {"Content-Type": "application/json", "X-Elastic-Product": "Elasticsearch"},
                         b'{"error":{"type":"es_rejected_execution_exception","reason":"queue full"},'
                         b'"status":429}')
            return
        if trouble == "held":
            time.sleep(HELD_SECONDS)  # the client has given up by now; Elasticsearch still gets it
        upstream = http.client.HTTPConnection(self.server.upstream.hostname, self.server.upstream.port,
                                              timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        upstream.close()
        try:
            self._answer(response.status, dict(response.getheaders()), payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting

    def _answer(self, status: int, headers: dict, payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any


@pytest.fixture()
def proxy(elasticsearch_url):
    server = TroubledProxy(elasticsearch_url, ["busy", "busy", "held"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_rebuild_through_a_busy_then_slow_node_indexes_everyone_once(app, supplier_index, proxy):
    ids = create_many(app, SUPPLIERS)
    troubled = SupplierIndex(make_client(proxy.url), supplier_index.alias.removesuffix("-suppliers"))
    with app.app_context():
        report = rebuild(transaction.session(), troubled, patience=QUICK)

    assert report.indexed == SUPPLIERS
    assert proxy.seen[:3] == ["busy", "busy", "held"]
    assert len(proxy.seen) >= 3 + 3  # the three chunks, each sent once more
    supplier_index.refresh()
    client = supplier_index.client
    assert client.count(index=supplier_index.alias)["count"] == SUPPLIERS
    found = client.mget(index=supplier_index.alias, ids=ids, source=False)["docs"]
    assert all(doc["found"] for doc in found)
    assert supplier_index.live_indexes() == [report.index]


def test_a_chunk_that_never_gets_through_fails_the_rebuild_and_keeps_the_live_index(
        app, supplier_index, elasticsearch_url):
    create_many(app, 10)
    live = supplier_index.live_indexes()
    server = TroubledProxy(elasticsearch_url, ["busy"] * QUICK.attempts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        troubled = SupplierIndex(make_client(server.url), supplier_index.alias.removesuffix("-suppliers"))
        with app.app_context(), pytest.raises(indexer.IndexingError, match="10 documents not indexed"):
            rebuild(transaction.session(), troubled, patience=QUICK)
    finally:
        server.shutdown()
        server.server_close()
    assert server.seen == ["busy"] * QUICK.attempts
    assert supplier_index.live_indexes() == live
