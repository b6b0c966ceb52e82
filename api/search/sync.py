"""Keeping the index in step with the database through the outbox.

Every supplier change writes a `search_outbox` row in its own transaction.
Right after the request commits, the rows it wrote are pushed to
Elasticsearch (so a change is searchable within the index's refresh
second); anything that could not be pushed — Elasticsearch down, a crash —
stays in the outbox until a drainer (the app's background thread or
`flask --app api search worker`) succeeds. Rows are deleted only after
Elasticsearch has accepted the documents, so nothing is lost.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from elasticsearch import ApiError, TransportError
from flask import Flask, current_app, g, has_request_context
from sqlalchemy import delete, event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from search import indexer
from search.index import SupplierIndex

from ..db import utc_now
from ..models import SearchOutbox, Supplier
from .profiles import upserts

BATCH_SIZE = 500
SEARCH_UNAVAILABLE = (TransportError, ApiError, indexer.IndexingError)

log = logging.getLogger(__name__)


def supplier_index(app: Flask | None = None) -> SupplierIndex:
    app = app or current_app
    return app.extensions["supplier_index"]


def sync_rows(session: Session, index: SupplierIndex, rows: list[SearchOutbox]) -> int:
    """Push the entities named by `rows` to every index they must reach, then delete the rows."""
    if not rows:
        return 0
    ids = {row.entity_id for row in rows}
    changes: list[indexer.Upsert | indexer.Removal] = list(upserts(session, Supplier.id.in_(ids)))
    gone = ids - {change.document["id"] for change in changes}
    changes += [indexer.Removal(entity_id, max(row.version for row in rows if row.entity_id == entity_id))
                for entity_id in sorted(gone)]
    targets = index.write_targets()
    if not targets:
        index.ensure()
        targets = index.write_targets()
    for target in targets:
        indexer.write_all(index.client, changes, target)
    session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([row.id for row in rows])))
    session.commit()
    return len(rows)


def drain(session: Session, index: SupplierIndex) -> int:
    """Sync the whole backlog, oldest first; return how many rows were synced."""
    synced = 0
    while rows := list(session.scalars(select(SearchOutbox).order_by(SearchOutbox.id).limit(BATCH_SIZE))):
        synced += sync_rows(session, index, rows)
    return synced


@dataclass(frozen=True)
class Backlog:
    size: int
    oldest_age_seconds: float | None


def backlog(session: Session) -> Backlog:
    size, oldest = session.execute(select(func.count(SearchOutbox.id), func.min(SearchOutbox.created_at))).one()
    if oldest is not None and oldest.tzinfo is None:  # SQLite returns aggregates without the zone
        oldest = oldest.replace(tzinfo=utc_now().tzinfo)
    return Backlog(size, (utc_now() - oldest).total_seconds() if oldest else None)


# --- pushing a request's own changes right after it commits ---------------------


def _remember_outbox_rows(session: Session, _flush_context) -> None:
    rows = [obj for obj in session.new if isinstance(obj, SearchOutbox)]
    if rows:
        session.info.setdefault("outbox_rows", []).extend(rows)


def _collect_committed_rows(session: Session) -> None:
    rows = session.info.pop("outbox_rows", None)
    if rows and has_request_context():  # elsewhere (commands, drainer) the drainer picks them up
        g.setdefault("committed_outbox_ids", []).extend(row.id for row in rows)


def _forget_rolled_back_rows(session: Session) -> None:
    session.info.pop("outbox_rows", None)


def push_committed_changes(response):
    ids = g.pop("committed_outbox_ids", None)
    if not ids:
        return response
    session = current_app.extensions["db_sessionmaker"]()
    try:
        rows = list(session.scalars(select(SearchOutbox).where(SearchOutbox.id.in_(ids))))
        sync_rows(session, supplier_index(), rows)
    except SEARCH_UNAVAILABLE as error:
        # The rows stay in the outbox; the drainer retries them.
        log.warning("search index not updated now, left to the drainer: %s", error)
    finally:
        session.close()
    return response


# --- the drainer ---------------------------------------------------------------------


class Drainer:
    """Drains the outbox every `interval` seconds until stopped; survives Elasticsearch outages."""

    def __init__(self, app: Flask, interval: float = 1.0):
        self.app, self.interval = app, interval
        self.stopped = threading.Event()

    def run_once(self) -> int:
        session = self.app.extensions["db_sessionmaker"]()
        try:
            return drain(session, supplier_index(self.app))
        except (*SEARCH_UNAVAILABLE, SQLAlchemyError) as error:  # either side down: try again later
            log.warning("outbox drain failed, will retry: %s", error)
            return 0
        finally:
            session.close()

    def run_forever(self) -> None:
        while not self.stopped.is_set():
            with self.app.app_context():
                self.run_once()
            self.stopped.wait(self.interval)

    def start_thread(self) -> None:
        self.thread = threading.Thread(target=self.run_forever, name="outbox-drainer", daemon=True)
        self.thread.start()


def init_app(app: Flask) -> None:
    sessionmaker = app.extensions["db_sessionmaker"]
    event.listen(sessionmaker, "after_flush", _remember_outbox_rows)
    event.listen(sessionmaker, "after_commit", _collect_committed_rows)
    event.listen(sessionmaker, "after_soft_rollback", lambda session, _tx: _forget_rolled_back_rows(session))
    app.after_request(push_committed_changes)
    if app.config["SEARCH_SYNC_THREAD"]:
        drainer = Drainer(app)
        started = threading.Lock()

        @app.before_request
        def start_drainer() -> None:
            # On the first request, so commands (migrations, the demo) never run one.
            if "outbox_drainer" not in app.extensions and started.acquire(blocking=False):
                drainer.start_thread()
                app.extensions["outbox_drainer"] = drainer
