"""The ordered event log and the search outbox, both written in the transaction of the change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utc_now

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a bigint.
SEQUENCE = BigInteger().with_variant(Integer, "sqlite")


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        # Serves the webhook fan-out's claim: events not fanned out yet, oldest first.
        Index("ix_events_webhooks_pending", "id", postgresql_where=text("fanned_out_at IS NULL"),
              sqlite_where=text("fanned_out_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(SEQUENCE, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(50))
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor_key_id: Mapped[str | None] = mapped_column(String(36))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    actor_organisation_id: Mapped[str | None] = mapped_column(String(36))
    # Public events (supplier profiles, public RFQs) are shown to every authenticated
    # caller; the others only to the organisations listed as recipients (and admins).
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # Set by the worker once the event has a delivery for each webhook that may see it
    # (api/webhooks/fanout.py): a queue, so a late commit is never skipped.
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipients: Mapped[list[EventRecipient]] = relationship(cascade="all, delete-orphan")


class EventRecipient(Base):
    __tablename__ = "event_recipients"

    event_id: Mapped[int] = mapped_column(SEQUENCE, ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)


class SearchOutbox(Base):
    """A row per committed change the search index has yet to reflect.

    The worker rebuilds the whole document from the database, so the row only
    says which entity to refresh; rows are deleted once Elasticsearch has it.
    A row Elasticsearch refuses is tried again later (`next_attempt_at`), then
    parked (`failed_at`) with the reason, for an admin to retry."""

    __tablename__ = "search_outbox"
    __table_args__ = (
        # Serves the claim query: pending rows, oldest first.
        Index("ix_search_outbox_pending", "id", postgresql_where=text("failed_at IS NULL"),
              sqlite_where=text("failed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(SEQUENCE, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    # The entity's version after the change (for a deletion: one past its last version).
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # Refusals so far (unavailability is not counted), the next try and the last reason.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
