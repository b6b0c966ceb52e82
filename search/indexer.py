"""Writing supplier documents: bulk, whole documents, external versions.

Each document carries the database row's version with `external_gte`, so a
stale writer (a slow drainer, a rebuild that read the row earlier) can never
overwrite a newer document: Elasticsearch answers 409 and the write is
dropped, which is what we want.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from elasticsearch import Elasticsearch, helpers

CHUNK_SIZE = 500


@dataclass(frozen=True)
class Upsert:
    document: dict
    version: int


@dataclass(frozen=True)
class Removal:
    id: str
    version: int  # greater than the last indexed version of the document


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
          progress: Callable[[int], None] | None = None, *, concurrent: bool = False) -> int:
    """Apply changes to one index; return how many were applied or were already newer there.

    `concurrent`: build the next chunk (the `changes` iterator runs in a helper thread)
    while Elasticsearch indexes the previous ones; for bulk loads."""
    if concurrent:
        results = helpers.parallel_bulk(client, actions(changes, index), thread_count=2,
                                        queue_size=2, chunk_size=CHUNK_SIZE, raise_on_error=False)
    else:
        results = helpers.streaming_bulk(client, actions(changes, index), chunk_size=CHUNK_SIZE,
                                         raise_on_error=False, max_retries=0)
    done = 0
    for ok, result in results:
        item = next(iter(result.values()))
        # 409: a newer version is already indexed; 404: deleting what is not there.
        if not ok and item.get("status") not in (404, 409):
            raise IndexingError(f"indexing {item.get('_id')} failed: {item.get('error')}")
        done += 1
        if progress and done % CHUNK_SIZE == 0:
            progress(done)
    return done
