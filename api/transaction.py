"""One transaction per request, owned by the web layer.

The rules flush and never commit. The view runs, then its transaction is
committed if it is a successful write, and rolled back otherwise: on any
error, and always for GET, HEAD and OPTIONS, so that reads never write. A
failure at commit (a unique constraint, a concurrent update) is handled like
an error raised by the view, so it becomes a 409 or 412, not a 500.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from .db import make_engine

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


class TransactionalFlask(Flask):
    """Flask, with the request's transaction settled as soon as its view has answered."""

    def dispatch_request(self):
        response = self.make_response(super().dispatch_request())
        settle(response)
        return response


def settle(response: Response) -> None:
    db_session: Session | None = g.get("db_session")
    if db_session is None:
        return
    if request.method in READ_METHODS or response.status_code >= 400:
        db_session.rollback()
        return
    db_session.commit()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The session of the current request (or app context), opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()  # rolls back whatever was not committed
