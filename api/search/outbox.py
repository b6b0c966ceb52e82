"""The search outbox as a queue: claiming due rows, settling them, parking what keeps failing.

Rows are claimed with SELECT … FOR UPDATE SKIP LOCKED by the transaction that
pushes them: on PostgreSQL any number of workers (and the push after each
request) share the backlog and never push the same row twice, and the locks
end with that transaction, so a worker that dies releases its rows. SQLite
ignores the clause; there, one worker runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from ..db import utc_now
from ..models import SearchOutbox

BATCH_SIZE = 500
# A refusal (a mapping error, a 400) is tried again after 10 s, 20 s, 40 s and 80 s:
# one that survives five attempts will not go away by itself, so the row is parked
# (skipped from then on) until an admin retries it.
MAX_ATTEMPTS = 5
FIRST_RETRY_DELAY = timedelta(seconds=10)
ERROR_TEXT_LIMIT = 2000  # Elasticsearch's reasons can quote a whole document

STATES = ("pending", "failed")
PARKED = SearchOutbox.failed_at.is_not(None)
PENDING = SearchOutbox.failed_at.is_(None)


def claim(session: Session, ids: list[int] | None = None, limit: int | None = None) -> list[SearchOutbox]:
    """Pending rows due now (only `ids` among them, when given), oldest first, locked
    until the transaction ends; rows another transaction holds are skipped."""
    query = (select(SearchOutbox)
             .where(PENDING, or_(SearchOutbox.next_attempt_at.is_(None), SearchOutbox.next_attempt_at <= utc_now()))
             .order_by(SearchOutbox.id).limit(limit or BATCH_SIZE).with_for_update(skip_locked=True))
    if ids is not None:
        query = query.where(SearchOutbox.id.in_(ids))
    return list(session.scalars(query))


def settle_pushed(session: Session, row_ids: list[int], versions: dict[str, int]) -> None:
    """Delete the rows pushed, now that every index has their entity at `versions[entity_id]`,
    and the parked rows of those entities that this version supersedes."""
    if row_ids:
        session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(row_ids)))
    if not versions:
        return
    parked = session.execute(select(SearchOutbox.id, SearchOutbox.entity_id, SearchOutbox.version)
                             .where(PARKED, SearchOutbox.entity_id.in_(versions))).all()
    moot = [row_id for row_id, entity_id, version in parked if version <= versions[entity_id]]
    if moot:
        session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(moot)))


def record_refusal(row: SearchOutbox, error: str, now: datetime) -> bool:
    """Count a refused attempt and schedule the next one, or park the row; True when parked."""
    row.attempts += 1
    row.last_error = error[:ERROR_TEXT_LIMIT]
    if row.attempts >= MAX_ATTEMPTS:
        row.failed_at, row.next_attempt_at = now, None
        return True
    row.next_attempt_at = now + FIRST_RETRY_DELAY * 2 ** (row.attempts - 1)
    return False


def rows_in_state(session: Session, state: str, after_id: int, limit: int) -> list[SearchOutbox]:
    """Pending or failed (parked) rows with ids above `after_id`, oldest first."""
    return list(session.scalars(select(SearchOutbox)
                                .where(PARKED if state == "failed" else PENDING, SearchOutbox.id > after_id)
                                .order_by(SearchOutbox.id).limit(limit)))


def retry(session: Session, ids: list[int] | None = None) -> int:
    """Make rows pending and due again with their attempts reset — the given ones Elasticsearch
    refused (parked, or waiting for their next attempt), or else every parked row; how many."""
    query = update(SearchOutbox).values(attempts=0, next_attempt_at=None, failed_at=None)
    if ids is None:
        query = query.where(PARKED)
    else:
        query = query.where(SearchOutbox.id.in_(ids), or_(PARKED, SearchOutbox.attempts > 0))
    return session.execute(query.execution_options(synchronize_session=False)).rowcount


@dataclass(frozen=True)
class Backlog:
    size: int  # pending rows (waiting for a retry included)
    oldest_age_seconds: float | None
    failed: int  # parked rows


def backlog(session: Session) -> Backlog:
    size, oldest, failed = session.execute(select(
        func.count().filter(PENDING), func.min(SearchOutbox.created_at).filter(PENDING),
        func.count().filter(PARKED))).one()
    if oldest is not None and oldest.tzinfo is None:  # SQLite returns aggregates without the zone
        oldest = oldest.replace(tzinfo=utc_now().tzinfo)
    return Backlog(size, (utc_now() - oldest).total_seconds() if oldest else None, failed)
