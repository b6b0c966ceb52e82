"""Writing supplier documents: bulk, whole documents, external versions.

Each document carries the database row's version with `external_gte`, so a
stale writer (a slow worker, a rebuild that read the row earlier) can never
overwrite a newer document: Elasticsearch answers 409 and the write is
dropped, which is what we want.

`write` reports what happened to each document rather than stopping at the
first failure, so that one document Elasticsearch refuses does not hold back
the others; `write_all` is for loads that must be complete (a rebuild).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from elasticsearch import Elasticsearch, helpers

CHUNK_SIZE = 500
# 409: a newer version is already indexed; 404: deleting what is not there.
ALREADY_DONE = frozenset({404, 409})
# The cluster is busy or (partly) down: the same write may well succeed later.
UNAVAILABLE = frozenset({429, 502, 503, 504})


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


def actions(changes: Iterable[Upsert | Removal], index: str) -> Iterator[dict]:
    for change in changes:
        common = {"_index": index, "version": change.version, "version_type": "external_gte"}
        if isinstance(change, Upsert):
            yield {"_op_type": "index", "_id": change.document["id"], "_source": change.document, **common}
        else:
            yield {"_op_type": "delete", "_id": change.id, **common}


def write(client: Elasticsearch, changes: Iterable[Upsert | Removal], index: str,
          progress: Callable[[int], None] | None = None, *, concurrent: bool = False) -> WriteReport:
    """Apply changes to one index and report, per document, what Elasticsearch did.

    A bulk request Elasticsearch answers with an error counts against each of its
    documents; one it cannot be reached for (connection, timeout) raises
    `elasticsearch.TransportError`, as nothing can be said about its documents.
    `concurrent`: build the next chunk (the `changes` iterator runs in a helper thread)
    while Elasticsearch indexes the previous ones; for bulk loads."""
    if concurrent:
        results = helpers.parallel_bulk(client, actions(changes, index), thread_count=2, queue_size=2,
                                        chunk_size=CHUNK_SIZE, raise_on_error=False, raise_on_exception=False)
    else:
        results = helpers.streaming_bulk(client, actions(changes, index), chunk_size=CHUNK_SIZE,
                                         raise_on_error=False, raise_on_exception=False, max_retries=0)
    report = WriteReport()
    done = 0
    for ok, result in results:
        item = next(iter(result.values()))
        status = item.get("status")
        if ok or status in ALREADY_DONE:
            report.applied += 1
        elif status in UNAVAILABLE:
            report.unavailable.add(item["_id"])
        else:
            report.refused[item["_id"]] = describe_error(item)
        done += 1
        if progress and done % CHUNK_SIZE == 0:
            progress(done)
    return report


def write_all(client: Elasticsearch, changes: Iterable[Upsert | Removal], index: str,
              progress: Callable[[int], None] | None = None, *, concurrent: bool = False) -> int:
    """`write`, for loads that must be complete: how many were applied, or IndexingError."""
    report = write(client, changes, index, progress, concurrent=concurrent)
    if report.refused or report.unavailable:
        first = next(iter(report.refused.items()), None) or (next(iter(report.unavailable)), "unavailable")
        raise IndexingError(f"{len(report.refused) + len(report.unavailable)} documents not indexed "
                            f"in {index}, {first[0]} first: {first[1]}")
    return report.applied


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
