"""SQLAlchemy: the engine, column types, and units of work for code outside requests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from multiprocessing.util import register_after_fork
from pathlib import Path

import orjson
from sqlalchemy import DateTime, Engine, TypeDecorator, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    database = make_url(url).database
    if url.startswith("sqlite") and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # orjson reads and writes JSON columns (and a rebuild's json_agg arrays) three times faster
    # than json: an import stores every row's cells.
    engine = create_engine(url, pool_pre_ping=True, json_serializer=_json_text, json_deserializer=orjson.loads)
    # A process forked from this one (api.processes) opens its own connections: the pooled ones
    # are the parent's, to be neither used nor closed there.
    register_after_fork(engine, _forget_connections)
    if engine.dialect.name == "sqlite":
        # SQLite ignores foreign keys unless asked, per connection.
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def _json_text(value) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _forget_connections(engine: Engine) -> None:
    engine.dispose(close=False)


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def unit_of_work(make_session: sessionmaker) -> Iterator[Session]:
    """A session whose work is committed at the end of the block, or rolled back on any error:
    the transaction the CLI, the worker and imports give the rules (requests have their own)."""
    with make_session() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use utc_now()")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def new_id() -> str:
    return str(uuid.uuid4())
