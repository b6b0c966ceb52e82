"""Alembic environment: the URL comes from the caller's config or DATABASE_URL."""

from alembic import context
from sqlalchemy import create_engine

from api.config import from_environment
from api.models import Base  # noqa: F401  (imports every model so autogenerate sees them)

config = context.config
url = config.get_main_option("sqlalchemy.url") or from_environment()["DATABASE_URL"]


def run_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
