"""Writing supplier documents: bulk, whole documents, external versions.

Each document carries the database row's version with `external_gte`, so a
stale writer (a slow worker, a rebuild that read the row earlier) can never
overwrite a newer document: Elasticsearch answers 409 and the write is
dropped, which is what we want.

`write` reports what happened to each document rather than stopping at the
first failure, so that one document Elasticsearch refuses does not hold back
the others (the outbox retries what could not be written). `write_all` is
for loads that must be complete (a rebuild): each bulk request has its own
timeout and is sent again, after a pause that doubles, when it times out or
Elasticsearch is busy (429) or briefly away; re-sending is safe because of
the external versions. One slow request never drops the whole load.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice

import orjson
from elasticsearch import ApiError, Elasticsearch, TransportError, helpers

CHUNK_SIZE = 500
SENDERS = 2  # bulk requests in flight while the next chunk is built
# 409: a newer version is already indexed; 404: deleting what is not there.
ALREADY_DONE = frozenset({404, 409})
# The cluster is busy or (partly) down: the same write may well succeed later.
UNAVAILABLE = frozenset({429, 502, 503, 504})
# What a load reads of a bulk answer: each document's outcome, not its shards and sequence numbers.
BULK_RESPONSE = "items.*._id,items.*.status,items.*.error"


@dataclass(frozen=True)
class Upsert:
    document: dict
    version: int


@dataclass(frozen=True)
class Removal:
    id: str
    version: int  # greater than the last indexed version of the document


@dataclass
class WriteReport:
    """What one `write` did, by document id."""

    applied: int = 0  # written, or already newer in the index
    refused: dict[str, str] = field(default_factory=dict)  # id -> Elasticsearch's reason
    unavailable: set[str] = field(default_factory=set)  # ids to try again, unchanged, later


class IndexingError(RuntimeError):
    pass


@dataclass(frozen=True)
class Patience:
    """How long a load waits for one bulk request, and how it tries again."""

    timeout: float = 120.0  # seconds for one bulk request (the client's default is for searches)
    attempts: int = 10  # per chunk; pauses add up to about four minutes
    first_pause: float = 0.5
    longest_pause: float = 60.0

    def pauses(self) -> Iterator[float]:
        pause = self.first_pause
        for _ in range(self.attempts - 1):
            yield pause
            pause = min(pause * 2, self.longest_pause)


PATIENT = Patience()
log = logging.getLogger(__name__)


def actions(changes: Iterable[Upsert | Removal], index: str) -> Iterator[dict]:
    for change in changes:
        common = {"_index": index, "version": change.version, "version_type": "external_gte"}
        if isinstance(change, Upsert):
            yield {"_op_type": "index", "_id": change.document["id"], "_source": change.document, **common}
        else:
            yield {"_op_type": "delete", "_id": change.id, **common}


def write(client: Elasticsearch, changes: Iterable[Upsert | Removal], index: str) -> WriteReport:
    """Apply changes to one index and report, per document, what Elasticsearch did.

    A bulk request Elasticsearch answers with an error counts against each of its
    documents; one it cannot be reached for (connection, timeout) raises
    `elasticsearch.TransportError`, as nothing can be said about its documents."""
    results = helpers.streaming_bulk(client, actions(changes, index), chunk_size=CHUNK_SIZE,
                                     raise_on_error=False, raise_on_exception=False, max_retries=0)
    report = WriteReport()
    for ok, result in results:
        _record(report, next(iter(result.values())), ok=ok)
    return report


def _record(report: WriteReport, item: dict, *, ok: bool) -> None:
    status = item.get("status")
    if ok or status in ALREADY_DONE:
        report.applied += 1
    elif status in UNAVAILABLE:
        report.unavailable.add(item["_id"])
    else:
        report.refused[item["_id"]] = describe_error(item)


def write_all(client: Elasticsearch, changes: Iterable[Upsert | Removal], index: str,
              progress: Callable[[int], None] | None = None, *, patience: Patience = PATIENT) -> int:
    """Apply every change, patiently (see the module's docstring): how many, or IndexingError.

    SENDERS bulk requests are in flight while the next chunk is built; memory holds those."""
    report, done = WriteReport(), 0
    with ThreadPoolExecutor(SENDERS) as senders:
        in_flight: deque = deque()
        for chunk in _chunks(encoded(changes, index)):
            in_flight.append(senders.submit(send_patiently, client, chunk, patience))
            if len(in_flight) > SENDERS:
                done = _account(report, in_flight.popleft().result(), done, progress)
        while in_flight:
            done = _account(report, in_flight.popleft().result(), done, progress)
    if report.refused or report.unavailable:
        first = next(iter(report.refused.items()), None) or (next(iter(report.unavailable)), "unavailable")
        raise IndexingError(f"{len(report.refused) + len(report.unavailable)} documents not indexed "
                            f"in {index}, {first[0]} first: {first[1]}")
    return report.applied


@dataclass(frozen=True)
class Encoded:
    """One change as the lines of a bulk request body, serialised once however often it is sent."""

    id: str
    lines: bytes


def encoded(changes: Iterable[Upsert | Removal], index: str) -> Iterator[Encoded]:
    """The changes' bulk lines, by orjson: the client's standard json took a third of a rebuild's CPU."""
    for action in actions(changes, index):
        meta, source = helpers.expand_action(action)
        lines = orjson.dumps(meta) + b"\n"
        yield Encoded(action["_id"], lines if source is None else lines + orjson.dumps(source) + b"\n")


def send_patiently(client: Elasticsearch, chunk: list[Encoded], patience: Patience) -> list[dict]:
    """The bulk response items of one chunk, sent again while it times out or the cluster is busy.

    Documents answered 429 alone are sent again; the items of the last attempt are kept."""
    quick = client.options(request_timeout=patience.timeout)
    items: dict[int, dict] = {}
    pending = list(range(len(chunk)))
    pauses = patience.pauses()
    while True:
        try:
            response = quick.bulk(operations=b"".join(chunk[i].lines for i in pending),
                                  filter_path=BULK_RESPONSE)
            for i, item in zip(pending, response["items"]):
                items[i] = next(iter(item.values()))
            pending = [i for i in pending if items[i].get("status") == 429]
            reason = "429 for some documents"
        except (ApiError, TransportError) as error:
            if isinstance(error, ApiError) and error.meta.status not in UNAVAILABLE:
                raise
            reason = str(error)
        if not pending:
            return [items[i] for i in range(len(chunk))]
        pause = next(pauses, None)
        if pause is None:
            return [items.get(i, {"_id": chunk[i].id, "status": 503, "error": reason})
                    for i in range(len(chunk))]
        log.warning("bulk request of %d documents not done (%s); again in %.1fs", len(pending), reason, pause)
        time.sleep(pause)


def _chunks(changes: Iterator[Encoded]) -> Iterator[list[Encoded]]:
    while chunk := list(islice(changes, CHUNK_SIZE)):
        yield chunk


def _account(report: WriteReport, items: list[dict], done: int, progress) -> int:
    for item in items:
        _record(report, item, ok=item.get("status", 500) < 300)
    if progress:
        progress(done + len(items))
    return done + len(items)


def describe_error(item: dict) -> str:
    """'400 document_parsing_exception: … (caused by …)' from a bulk response item."""
    error = item.get("error")
    if not isinstance(error, dict):  # a whole bulk request failed: the client's message
        return f"{item.get('status')} {error}"
    text = f"{item.get('status')} {error.get('type')}: {error.get('reason')}"
    cause = error.get("caused_by")
    if isinstance(cause, dict):
        text += f" (caused by {cause.get('type')}: {cause.get('reason')})"
    return text
