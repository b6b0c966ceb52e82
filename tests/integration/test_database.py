"""The schema is under Alembic's control on the configured database (PostgreSQL in CI)."""

import os

from sqlalchemy import text

from api import migrate


def test_database_is_migrated_to_head(app):
    engine = app.extensions["db_engine"]
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_runs_on_postgresql_when_asked(app):
    engine = app.extensions["db_engine"]
    expected = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    assert engine.dialect.name == expected
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1 + 1")).scalar() == 2
