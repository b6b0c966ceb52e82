"""A rate limit for anonymous traffic (authenticated callers are known and accountable).

A token bucket per client address, in each API process: with several workers
the effective limit is the per-process limit times the workers, which is fine
for shielding Elasticsearch from scrapers; a shared limit belongs in the proxy.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, request
from flask_smorest import abort

from . import auth

MAX_TRACKED_CLIENTS = 100_000


class TokenBuckets:
    def __init__(self, per_minute: int):
        self.capacity = per_minute
        self.refill_per_second = per_minute / 60
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """Spend one token; return 0 if allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        with self.lock:
            if len(self.buckets) > MAX_TRACKED_CLIENTS:
                self.buckets.clear()  # a flood of addresses: start over rather than grow
            tokens, last = self.buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.refill_per_second)
            if tokens < 1:
                self.buckets[client] = (tokens, now)
                return (1 - tokens) / self.refill_per_second
            self.buckets[client] = (tokens - 1, now)
            return 0.0


def init_app(app: Flask) -> None:
    per_minute = app.config["ANONYMOUS_RATE_LIMIT_PER_MINUTE"]
    if per_minute <= 0:
        return
    buckets = TokenBuckets(per_minute)

    @app.before_request
    def limit_anonymous():
        if not auth.current().is_anonymous or request.path in ("/health", "/ready"):
            return
        wait = buckets.take(request.remote_addr or "unknown")
        if wait:
            abort(429, message=f"Anonymous callers may make {per_minute} requests a minute; "
                               "use an API key for more.",
                  headers={"Retry-After": str(int(wait) + 1)})
