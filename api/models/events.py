"""The ordered event log and the search outbox, both written in the transaction of the change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utc_now

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a bigint.
SEQUENCE = BigInteger().with_variant(Integer, "sqlite")


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(SEQUENCE, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(50))
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor_key_id: Mapped[str | None] = mapped_column(String(36))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    actor_organisation_id: Mapped[str | None] = mapped_column(String(36))
    # Organisations entitled to see the event; None means every authenticated caller.
    audience: Mapped[list[str] | None] = mapped_column(JSON)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class SearchOutbox(Base):
    """A row per committed change the search index has yet to reflect.

    The drainer rebuilds the whole document from the database, so the row only
    says which entity to refresh; rows are deleted once Elasticsearch has it."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(SEQUENCE, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    # The entity's version after the change (for a deletion: one past its last version).
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
