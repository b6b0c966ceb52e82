"""API keys in requests (`Authorization: Bearer <key>`): who the caller is."""

from __future__ import annotations

from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from . import transaction
from .accounts.service import authenticate, record_use
from .exceptions import Unauthenticated
from .principal import ANONYMOUS, Principal

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ACTING_KEY = "acting_key_id"


def current() -> Principal:
    return g.get("principal", ANONYMOUS)


def require(*roles: str) -> Principal:
    """The caller, if authenticated with one of `roles`; else 401 or 403."""
    return current().require(*roles)


def _authenticate() -> None:
    header = request.headers.get("Authorization")
    if not header:
        g.principal = ANONYMOUS
        # Nothing is writable anonymously: say so before any other check (but after routing).
        if request.method in WRITE_METHODS and request.routing_exception is None:
            raise Unauthenticated("Authenticate with 'Authorization: Bearer <API key>'.")
        return
    scheme, _, plain_key = header.partition(" ")
    if scheme.lower() != "bearer" or not plain_key.strip():
        raise Unauthenticated("Use 'Authorization: Bearer <API key>'.")
    session = transaction.session()
    g.principal = authenticate(session, plain_key.strip())
    session.info[ACTING_KEY] = g.principal.key_id


def _stamp_key_use(session: Session) -> None:
    # Only writes commit (a read never writes), and only at the very end, so that on SQLite
    # the database is locked for writing no sooner than the change itself needs.
    key_id = session.info.pop(ACTING_KEY, None)
    if key_id is not None:
        record_use(session, key_id)


def init_app(app: Flask) -> None:
    app.before_request(_authenticate)
    event.listen(app.extensions["db_sessionmaker"], "before_commit", _stamp_key_use)
