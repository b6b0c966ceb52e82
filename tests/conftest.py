"""Shared fixtures: a real Elasticsearch node, a real database, the app.

The node is started once per session (or reused when one already answers);
each session gets its own index prefix and, on PostgreSQL, its own database.
`TEST_DATABASE_URL` selects PostgreSQL; without it the suite runs on SQLite.
"""

from __future__ import annotations

import os
import uuid

import pytest
from flask import has_request_context, request
from flask.testing import FlaskClient
from integration.search_support import empty_index
from rfq_support import Cast
from sqlalchemy import create_engine, event, make_url, text

from api import create_app, migrate
from api.models import Base
from search import node

# The suites make thousands of anonymous calls; the limit has tests of its own.
os.environ.setdefault("ANONYMOUS_RATE_LIMIT_PER_MINUTE", "0")


@pytest.fixture(scope="session")
def session_id() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def elasticsearch_url():
    if os.environ.get("TEST_ELASTICSEARCH_URL"):
        yield os.environ["TEST_ELASTICSEARCH_URL"]
        return
    config = node.NodeConfig.from_env()
    already_running = node.is_healthy(config.url)
    yield node.start(config)
    if not already_running:
        node.stop(config)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, session_id):
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    # A database of its own per session, so parallel sessions never collide.
    name = f"proxisource_test_{session_id}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def index_prefix(session_id) -> str:
    return f"test-{session_id}"


class BufferedClient(FlaskClient):
    """Reads each response whole and closes it before returning, as a WSGI server does
    once it has sent it: `response.call_on_close` callbacks (the search push) have run."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, elasticsearch_url, index_prefix):
    migrate.upgrade(database_url)
    application = create_app({
        "DATABASE_URL": database_url,
        "ELASTICSEARCH_URL": elasticsearch_url,
        "INDEX_PREFIX": index_prefix,
        "TESTING": True,
        # Tests expect a write to be searchable after its push: give a node busy with
        # several sessions' tests more than production's second.
        "SEARCH_PUSH_TIMEOUT_SECONDS": 10.0,
        # One test's unreachable Elasticsearch must not pause the pushes of the next ones.
        "SEARCH_PUSH_PAUSE_SECONDS": 0.0,
    })
    event.listen(application.extensions["db_engine"], "before_cursor_execute", _watch_reads)
    application.test_client_class = BufferedClient
    yield application
    es = application.extensions["elasticsearch"]
    leftovers = list(es.indices.get(index=f"{index_prefix}*", expand_wildcards="all"))
    if leftovers:  # deleting by wildcard is refused (action.destructive_requires_name)
        es.indices.delete(index=",".join(leftovers))
    application.extensions["db_engine"].dispose()


# Statements that changed data while a GET (or HEAD) was being answered: a read never writes.
WRITES_BY_READS: list[str] = []


def _watch_reads(_connection, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    if (has_request_context() and request.method in ("GET", "HEAD")
            and statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")):
        WRITES_BY_READS.append(f"{request.method} {request.path}: {statement}")


@pytest.fixture(autouse=True)
def _reads_never_write():
    """Every test of the suite doubles as a check that no GET issues an INSERT, UPDATE or DELETE."""
    WRITES_BY_READS.clear()
    yield
    assert not WRITES_BY_READS, f"a read wrote: {WRITES_BY_READS}"


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def cast(app, client) -> Cast:
    """The RFQ tests' organisations and keys (tests/rfq_support.py)."""
    return Cast.build(app, client)


@pytest.fixture()
def es(app):
    return app.extensions["elasticsearch"]


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """Every test starts from empty tables (only when it used the app)."""
    yield
    if "app" not in request.fixturenames:
        return
    engine = request.getfixturevalue("app").extensions["db_engine"]
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture()
def supplier_index(app):
    """The supplier index, emptied for the test."""
    empty_index(app)
    return app.extensions["supplier_index"]
