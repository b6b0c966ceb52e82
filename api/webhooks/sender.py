"""Posting one message over HTTP, to the address checked for it, without following redirects."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, SSLError, TimeoutError

from .targets import Target

USER_AGENT = "Proxisource-Webhooks/1.0 (+https://proxisource.eu/docs/webhooks)"
READ_LIMIT = 64 * 1024  # of a receiver's answer (only the status matters): enough to reuse the connection


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: float

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Sender:
    """Connection pools per (scheme, address, port, host), shared by the delivering threads."""

    def __init__(self, timeout: float, connections_per_target: int):
        self.timeout, self.connections_per_target = timeout, connections_per_target
        self._pools: dict[tuple, urllib3.HTTPConnectionPool] = {}
        self._lock = threading.Lock()

    def post(self, target: Target, headers: dict[str, str], body: bytes) -> Outcome:
        started = time.perf_counter()
        try:
            response = self._pool(target).urlopen(
                "POST", target.path, body=body, headers={**headers, "Host": target.host_header},
                redirect=False, retries=False, preload_content=False, assert_same_host=False,
                timeout=urllib3.Timeout(total=self.timeout))
            try:
                response.read(READ_LIMIT)
            finally:
                response.release_conn() if response.length_remaining in (0, None) else response.close()
        except NewConnectionError as error:  # (a subclass of the timeout: caught first)
            return self._failed(started, f"Could not connect: {_reason(error)}.")
        except TimeoutError:
            return self._failed(started, f"No answer within {self.timeout:g} s.")
        except SSLError as error:
            return self._failed(started, f"TLS failed: {_reason(error)}.")
        except (HTTPError, OSError, ValueError) as error:
            return self._failed(started, f"The connection failed: {_reason(error)}.")
        status = response.status
        error = None
        if 300 <= status < 400:
            error = f"Answered {status} (redirects are not followed: register the final URL)."
        elif not 200 <= status < 300:
            error = f"Answered {status}."
        return Outcome(status, error, _elapsed_ms(started))

    def _failed(self, started: float, error: str) -> Outcome:
        return Outcome(None, error, _elapsed_ms(started))

    def _pool(self, target: Target) -> urllib3.HTTPConnectionPool:
        key = (target.scheme, target.address, target.port, target.host)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                options = {"maxsize": self.connections_per_target, "block": False, "retries": False}
                if target.scheme == "https":
                    # Connect to the checked address, but verify the certificate of the host.
                    pool = urllib3.HTTPSConnectionPool(target.address, target.port, server_hostname=target.host,
                                                       assert_hostname=target.host, cert_reqs="CERT_REQUIRED",
                                                       **options)
                else:
                    pool = urllib3.HTTPConnectionPool(target.address, target.port, **options)
                self._pools[key] = pool
            return pool


def _reason(error: Exception) -> str:
    text = str(error)
    return text.split(": ", 1)[-1] if ": " in text else text


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
