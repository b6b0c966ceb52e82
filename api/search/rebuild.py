"""Full rebuild of the supplier index with no downtime.

1. Create a new index (no replicas, no refresh: bulk loading) that also carries
   the `incoming` alias, so from now on every live change reaches it too.
2. Stream every supplier from the database (a server-side cursor, children
   loaded per batch, the session emptied after each batch: memory stays flat)
   into it with external versions.
3. Catch up on what changed since the stream's snapshot was taken: those
   suppliers are re-read and re-indexed, deletions are applied. Versions make
   the order of these writes irrelevant.
4. Restore replicas and refresh, swap the alias atomically, drop the old index.
On any failure the new index is deleted and the old one stays live.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from search import indexer
from search.index import SupplierIndex

from ..db import utc_now
from ..models import Supplier, SupplierChange
from ..suppliers.service import load_options
from .profiles import document_of

STREAM_BATCH = 1000
# Changes committed slightly before the snapshot may not be in it (clock skew, commit order).
CATCH_UP_MARGIN = timedelta(seconds=5)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RebuildReport:
    index: str
    indexed: int
    caught_up: int
    seconds: float
    dropped: list[str]


def stream_documents(session: Session, query=None) -> Iterator[indexer.Upsert]:
    query = query if query is not None else select(Supplier)
    result = session.execute(query.options(*load_options()).execution_options(yield_per=STREAM_BATCH))
    for batch in result.scalars().partitions():
        upserts = [indexer.Upsert(document_of(supplier), supplier.version) for supplier in batch]
        for supplier in batch:  # nothing of a batch stays in memory (children go with it)
            session.expunge(supplier)
        yield from upserts


def catch_up(session: Session, index_name: str, client, since) -> int:
    changed = select(Supplier).where(Supplier.updated_at >= since)
    deleted = session.execute(select(SupplierChange.supplier_id, SupplierChange.version).where(
        SupplierChange.action == "deleted", SupplierChange.changed_at >= since)).all()
    changes = [*stream_documents(session, changed),
               *(indexer.Removal(supplier_id, version + 1) for supplier_id, version in deleted)]
    return indexer.write(client, changes, index_name)


def rebuild(session: Session, index: SupplierIndex,
            progress: Callable[[int], None] | None = None) -> RebuildReport:
    started = time.monotonic()
    snapshot_time = utc_now()
    new_index = index.new_index_name()
    index.create(new_index, bulk_loading=True)
    try:
        index.client.indices.update_aliases(actions=[
            {"add": {"index": new_index, "alias": index.incoming_alias}}])
        indexed = indexer.write(index.client, stream_documents(session), new_index, progress)
        session.rollback()  # end the long read transaction before catching up
        caught_up = catch_up(session, new_index, index.client, snapshot_time - CATCH_UP_MARGIN)
        index.finish_bulk_loading(new_index)
        old = index.swap(new_index)
    except BaseException:
        log.exception("rebuild failed; %s is removed and the live index is untouched", new_index)
        index.client.options(ignore_status=404).indices.delete(index=new_index)
        raise
    if old:
        index.client.indices.delete(index=",".join(old))
    return RebuildReport(new_index, indexed, caught_up, time.monotonic() - started, old)
