"""Helpers shared by the webhook tests: real HTTP receivers on 127.0.0.1, subscriptions made
through the API, and the worker's webhook jobs driven until something has happened.

A receiver is a threaded `http.server` answering from a script (a status per request,
then 200): `HANG` holds the request until the receiver is closed, `REDIRECT` answers 302
to another receiver. It records every request it got: headers, body, when.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from api.webhooks.delivery import Dispatcher
from api.webhooks.fanout import fan_out
from api.worker import Worker

WEBHOOKS = "/api/v1/webhooks"
HANG = "hang"
REDIRECT = "redirect"


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()

    @property
    def message(self) -> dict:
        return json.loads(self.body)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


class Receiver:
    """An endpoint on 127.0.0.1 answering `script` (statuses, HANG or REDIRECT), then 200."""

    def __init__(self, *script, redirect_to: str | None = None):
        self.script, self.redirect_to = list(script), redirect_to
        self.received: list[Received] = []
        self.released = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                answer = receiver._record(Received({k.lower(): v for k, v in self.headers.items()}, body,
                                                   time.monotonic()))
                if answer == HANG:
                    receiver.released.wait()
                    return
                self.send_response(302 if answer == REDIRECT else answer)
                if answer == REDIRECT:
                    self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks"

    def _record(self, received: Received):
        with self._lock:
            self.received.append(received)
            return self.script.pop(0) if self.script else 200

    def messages(self) -> list[dict]:
        return [r.message for r in self.received]

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def refused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


class Clock:
    """Real time, moved forward by the test (the dispatcher schedules and disables by it)."""

    def __init__(self):
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def advance(self, **delta) -> None:
        self.offset += timedelta(**delta)


def dispatcher_for(app, schedule=(0.05, 0.1), timeout: float = 2.0, **options) -> Dispatcher:
    return Dispatcher(app.extensions["db_sessionmaker"], schedule=list(schedule), allow_private=True,
                      timeout=timeout, **options)


def deliver(app, dispatcher: Dispatcher, until=lambda: True, timeout: float = 15.0) -> None:
    """Run the fan-out and delivery jobs, as the worker does, until `until()` holds once every
    lane is idle (retries come due as time passes)."""
    worker = Worker(app.extensions["db_sessionmaker"], [fan_out, dispatcher])
    deadline = time.monotonic() + timeout
    while True:
        worker.run_until_idle()
        dispatcher.wait_idle(timeout)
        if until():
            return
        assert time.monotonic() < deadline, "the webhooks did not get there in time"
        time.sleep(0.02)


def subscribe(client, actor, url: str, **fields) -> dict:
    """A webhook of `actor`'s, through the API (with its secret, shown this once)."""
    response = client.post(WEBHOOKS, headers=actor.headers, json={"url": url, **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def webhook_path(webhook_id: str, *rest: str) -> str:
    return "/".join((WEBHOOKS, webhook_id, *rest))
