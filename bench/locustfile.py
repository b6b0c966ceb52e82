"""Load test of the search API, run headless by bench/run.py:

    locust -f bench/locustfile.py --headless -u 16 -r 16 -t 30s -H http://127.0.0.1:8000

Each simulated client sends the benchmark's search mix back to back (no think
time), so the figure is the throughput the server sustains with that many
concurrent clients.
"""

from __future__ import annotations

import itertools
import random
from urllib.parse import urlencode

from locust import FastHttpUser, constant, task

from bench.queries import MIX

_numbers = itertools.count()


class SearchClient(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.random = random.Random(next(_numbers))

    @task
    def search(self) -> None:
        query = urlencode(self.random.choice(MIX), doseq=True)
        with self.client.get(f"/api/v1/search/suppliers?{query}", name="search",
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
