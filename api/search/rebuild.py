"""Full rebuild of the supplier index with no downtime.

1. Create a new index (no replicas, no refresh: bulk loading) that also carries
   the `incoming` alias, so from now on every live change reaches it too.
2. Stream every supplier from the database (keyset batches of Core rows, see
   profiles.py: memory stays flat) into it with external versions, building
   the next documents while Elasticsearch indexes the previous ones, in
   several processes when `sources` allows (parallel.py); a bulk
   request that times out or meets a busy cluster is sent again
   (indexer.write_all), so one slow request does not drop the rebuild.
3. Catch up on what changed since the stream started: those
   suppliers are re-read and re-indexed, deletions are applied. Versions make
   the order of these writes irrelevant.
4. Restore replicas and refresh, swap the alias atomically, drop the old index.
On any failure the new index is deleted and the old one stays live.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from search import indexer
from search.index import SupplierIndex

from ..db import utc_now
from ..models import Supplier, SupplierChange
from .parallel import Sources, stream
from .profiles import upserts

# Changes committed just before the stream started may have missed it (clock skew, commit order).
CATCH_UP_MARGIN = timedelta(seconds=5)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RebuildReport:
    index: str
    indexed: int
    caught_up: int
    seconds: float
    dropped: list[str]


def catch_up(session: Session, index_name: str, client, since,
             patience: indexer.Patience = indexer.PATIENT) -> int:
    deleted = session.execute(select(SupplierChange.supplier_id, SupplierChange.version).where(
        SupplierChange.action == "deleted", SupplierChange.changed_at >= since)).all()
    changes = [*upserts(session, Supplier.updated_at >= since),
               *(indexer.Removal(supplier_id, version + 1) for supplier_id, version in deleted)]
    return indexer.write_all(client, changes, index_name, patience=patience)


def rebuild(session: Session, index: SupplierIndex, progress: Callable[[int], None] | None = None,
            patience: indexer.Patience = indexer.PATIENT, sources: Sources | None = None) -> RebuildReport:
    """Rebuild from this session's database; from several processes when `sources` says where to read
    and there are enough suppliers to make them worth starting."""
    started = time.monotonic()
    stream_started = utc_now()
    index.add_new_fields()  # live changes reach the old index too while this one fills
    new_index = index.new_index_name()
    index.create(new_index, bulk_loading=True)
    try:
        index.client.indices.update_aliases(actions=[
            {"add": {"index": new_index, "alias": index.incoming_alias}}])
        if sources and sources.worth_it(session.scalar(select(func.count(Supplier.id)))):
            indexed = stream(sources, new_index, progress, patience)
        else:
            indexed = indexer.write_all(index.client, upserts(session), new_index, progress, patience=patience)
        session.rollback()  # a fresh transaction: the catch-up must see every commit since
        caught_up = catch_up(session, new_index, index.client, stream_started - CATCH_UP_MARGIN, patience)
        index.finish_bulk_loading(new_index)
        old = index.swap(new_index)
    except BaseException:
        log.exception("rebuild failed; %s is removed and the live index is untouched", new_index)
        index.client.options(ignore_status=404).indices.delete(index=new_index)
        raise
    if old:
        index.client.indices.delete(index=",".join(old))
    return RebuildReport(new_index, indexed, caught_up, time.monotonic() - started, old)
