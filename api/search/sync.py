"""Keeping the index in step with the database through the outbox.

Every supplier change writes a `search_outbox` row in its own transaction.
Right after a request commits, the rows it wrote are pushed (so that a change
is searchable within the index's refresh second), bounded to about a second
and never failing the request; the worker (`flask --app api worker`) pushes
whatever that left behind: Elasticsearch down or slow, a process that died.
Either way the rows are claimed (outbox.py), each entity's whole document is
rebuilt from the database once and written with its version, and the rows
Elasticsearch accepted are deleted, all in the claiming transaction.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from search import indexer
from search.index import SupplierIndex

from ..db import utc_now
from ..models import SearchOutbox, Supplier
from . import outbox
from .profiles import upserts

COMMITTED_OUTBOX_IDS = "committed_outbox_ids"  # session.info key: rows its transactions committed

log = logging.getLogger(__name__)


def supplier_index(app: Flask | None = None) -> SupplierIndex:
    app = app or current_app
    return app.extensions["supplier_index"]


@dataclass
class PushReport:
    """Outbox row ids by what became of them."""

    pushed: list[int] = field(default_factory=list)  # every index has them: deleted
    refused: list[int] = field(default_factory=list)  # an attempt counted, tried again later…
    parked: list[int] = field(default_factory=list)  # …or, of those, given up on (admins retry them)
    unavailable: list[int] = field(default_factory=list)  # untouched: Elasticsearch could not take them

    @property
    def settled(self) -> int:
        return len(self.pushed) + len(self.refused)


def push_due(session: Session, index: SupplierIndex, ids: list[int] | None = None) -> PushReport:
    """Claim a batch of due rows (only `ids` among them, when given) and push them; the caller
    commits (which deletes what was pushed and releases the claims) or rolls back."""
    return push_rows(session, index, outbox.claim(session, ids))


def push_rows(session: Session, index: SupplierIndex, rows: list[SearchOutbox]) -> PushReport:
    report = PushReport()
    if not rows:
        return report
    changes = _changes(session, rows)
    written = _write_everywhere(index, changes)
    now = utc_now()
    for row in rows:
        if row.entity_id in written.refused:
            report.refused.append(row.id)
            if outbox.record_refusal(row, written.refused[row.entity_id], now):
                report.parked.append(row.id)
        elif row.entity_id in written.unavailable:
            report.unavailable.append(row.id)
        else:
            report.pushed.append(row.id)
    held_back = written.refused.keys() | written.unavailable
    in_every_index = {_entity_of(change): change.version for change in changes
                      if _entity_of(change) not in held_back}
    outbox.settle_pushed(session, report.pushed, in_every_index)
    if written.refused:
        entity_id, error = next(iter(written.refused.items()))
        log.warning("Elasticsearch refused %d documents (%d outbox rows parked); %s first: %s",
                    len(written.refused), len(report.parked), entity_id, error)
    return report


def _changes(session: Session, rows: list[SearchOutbox]) -> list[indexer.Upsert | indexer.Removal]:
    """Each entity's whole document as the database has it now, or its removal."""
    ids = {row.entity_id for row in rows}
    changes: list[indexer.Upsert | indexer.Removal] = list(upserts(session, Supplier.id.in_(ids)))
    gone = ids - {change.document["id"] for change in changes}
    changes += [indexer.Removal(entity_id, max(row.version for row in rows if row.entity_id == entity_id))
                for entity_id in sorted(gone)]
    return changes


def _entity_of(change: indexer.Upsert | indexer.Removal) -> str:
    return change.document["id"] if isinstance(change, indexer.Upsert) else change.id


def _write_everywhere(index: SupplierIndex, changes) -> indexer.WriteReport:
    """Write to every index a change must reach (a rebuild's new one too): a document refused
    or unavailable in any of them is so overall."""
    targets = index.write_targets()
    if not targets:
        index.ensure()
        targets = index.write_targets()
    overall = indexer.WriteReport()
    for target in targets:
        report = indexer.write(index.client, changes, target)
        overall.refused = {**report.refused, **overall.refused}
        overall.unavailable |= report.unavailable
    overall.unavailable -= overall.refused.keys()
    overall.applied = len(changes) - len(overall.refused) - len(overall.unavailable)
    return overall


# --- the worker's job and the one-off drain -------------------------------------------


def outbox_job(index: SupplierIndex) -> Callable[[Session], int]:
    """The worker's job: push one batch of due rows; how many rows were settled."""
    def search_outbox(session: Session) -> int:
        return push_due(session, index).settled
    return search_outbox


def drain(session: Session, index: SupplierIndex,
          progress: Callable[[PushReport], None] | None = None) -> PushReport:
    """Push batch after batch, each committed, until one settles nothing (what is left waits
    for its retry or for Elasticsearch); the rows pushed, refused and parked altogether,
    and those the last batch found Elasticsearch unable to take."""
    total = PushReport()
    while True:
        try:
            report = push_due(session, index)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        total.pushed += report.pushed
        total.refused += report.refused
        total.parked += report.parked
        total.unavailable = report.unavailable
        if not report.settled:
            return total
        if progress:
            progress(total)


# --- pushing a transaction's own changes right after it commits -------------------------


def _remember_outbox_rows(session: Session, _flush_context) -> None:
    rows = [obj for obj in session.new if isinstance(obj, SearchOutbox)]
    if rows:
        session.info.setdefault("outbox_rows", []).extend(rows)


def _collect_committed_rows(session: Session) -> None:
    rows = session.info.pop("outbox_rows", None)
    if rows:
        session.info.setdefault(COMMITTED_OUTBOX_IDS, []).extend(row.id for row in rows)


def _forget_rolled_back_rows(session: Session) -> None:
    session.info.pop("outbox_rows", None)


def committed_outbox_ids(session: Session) -> list[int]:
    """The outbox rows the session's transactions committed since the last call."""
    return session.info.pop(COMMITTED_OUTBOX_IDS, [])


def push_committed(sessions: sessionmaker, index: SupplierIndex, ids: list[int]) -> bool:
    """Push these rows now in a transaction of its own, skipping any a worker holds;
    never raises: whatever is not pushed stays in the outbox for the worker. False when
    Elasticsearch could not take them.

    Give it an index with a short timeout (`SupplierIndex.with_timeout`): it runs
    where someone waits."""
    try:
        with sessions() as session, session.begin():
            report = push_due(session, index, ids[:outbox.BATCH_SIZE])  # a large import is the worker's
    except Exception as error:  # noqa: BLE001 — the worker will retry whatever this was
        log.warning("search index not updated now, left to the worker: %s: %s", type(error).__name__, error)
        return False
    return not report.unavailable


class PushAfterResponse:
    """A process's pushes of its requests' own changes, once each response is sent.

    When Elasticsearch could not take a push, the next ones are left to the worker
    for `pause` seconds: a dead or frozen cluster would otherwise hold a server
    process for the whole timeout after every write, and the process serves
    nobody meanwhile."""

    def __init__(self, pause: float):
        self.pause = pause
        self.paused_until = 0.0

    def __call__(self, sessions: sessionmaker, index: SupplierIndex, ids: list[int]) -> None:
        if time.monotonic() < self.paused_until:
            return
        if not push_committed(sessions, index, ids):
            self.paused_until = time.monotonic() + self.pause


def init_app(app: Flask) -> None:
    sessions = app.extensions["db_sessionmaker"]
    event.listen(sessions, "after_flush", _remember_outbox_rows)
    event.listen(sessions, "after_commit", _collect_committed_rows)
    event.listen(sessions, "after_soft_rollback", lambda session, _tx: _forget_rolled_back_rows(session))

    push = PushAfterResponse(app.config["SEARCH_PUSH_PAUSE_SECONDS"])

    @app.after_request
    def push_after_response(response):
        # Once the response is sent (call_on_close), so a slow cluster never slows the request;
        # the request's transaction is settled by then (api/transaction.py).
        session = g.get("db_session")
        ids = committed_outbox_ids(session) if session is not None else []
        if ids:
            index = supplier_index(app).with_timeout(app.config["SEARCH_PUSH_TIMEOUT_SECONDS"])
            response.call_on_close(functools.partial(push, sessions, index, ids))
        return response
