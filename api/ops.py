"""Operations endpoints: liveness and readiness."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from schemas.ops import HealthSchema, ReadySchema
from search.client import cluster_status

from . import migrate, transaction
from .blueprint import Blueprint
from .search import outbox

# Changes older than this in the outbox mean the index is behind the database.
LAG_WARNING_SECONDS = 30

blp = Blueprint("operations", __name__, description="Liveness and readiness probes")


@blp.route("/health")
@blp.response(200, HealthSchema)
def health():
    """The process is alive (checks nothing else)."""
    return {"status": "ok"}


@blp.route("/ready")
@blp.response(200, ReadySchema)
@blp.alt_response(503, schema=ReadySchema, description="A dependency is not ready")
def ready():
    """The database is reachable and migrated, and Elasticsearch is healthy."""
    checks = {"database": database_check(), "elasticsearch": elasticsearch_check()}
    is_ready = all(check["status"] == "ok" for check in checks.values())
    if checks["database"]["status"] == "ok":
        checks["search_sync"] = search_sync_check()  # informative: a backlog does not stop serving
    return {"status": "ready" if is_ready else "not ready", "checks": checks}, 200 if is_ready else 503


def database_check() -> dict:
    head = migrate.head_revision()
    try:
        revision = migrate.current_revision(transaction.engine())
    except SQLAlchemyError as error:
        return {"status": "failing", "detail": f"database unreachable: {type(error).__name__}",
                "revision": None, "head": head}
    if revision != head:
        return {"status": "failing", "detail": "migrations pending: run `flask --app api db upgrade`",
                "revision": revision, "head": head}
    return {"status": "ok", "revision": revision, "head": head}


def search_sync_check() -> dict:
    backlog = outbox.backlog(transaction.session())
    lagging = backlog.oldest_age_seconds is not None and backlog.oldest_age_seconds > LAG_WARNING_SECONDS
    status = "lagging" if lagging else "failing" if backlog.failed else "ok"
    return {"status": status, "backlog": backlog.size, "oldest_age_seconds": backlog.oldest_age_seconds,
            "failed": backlog.failed}


def elasticsearch_check() -> dict:
    health = cluster_status(current_app.extensions["elasticsearch"])
    if health in ("green", "yellow"):
        return {"status": "ok", "cluster_health": health}
    detail = "cluster unreachable" if health is None else f"cluster health is {health}"
    return {"status": "failing", "detail": detail, "cluster_health": health}
