"""API keys (`Authorization: Bearer <key>`), the caller's identity and role checks."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, g, request
from flask_smorest import abort
from sqlalchemy import select

from . import db
from .db import utc_now
from .models import ApiKey, Organisation

KEY_PREFIX = "psk_"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Recording every use would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a role and, for buyers and suppliers, their organisation."""

    role: str | None = None
    organisation_id: str | None = None
    key_id: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.role is None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def belongs_to(self, organisation_id: str | None) -> bool:
        return organisation_id is not None and self.organisation_id == organisation_id


ANONYMOUS = Principal()


def hash_key(plain_key: str) -> str:
    return hashlib.sha256(plain_key.encode()).hexdigest()


def issue_key(session, *, role: str, name: str, organisation: Organisation | None) -> tuple[ApiKey, str]:
    """Create a key; the plain key is returned once and never stored."""
    plain_key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(role=role, name=name, organisation=organisation,
                     prefix=plain_key[:12], key_hash=hash_key(plain_key))
    session.add(api_key)
    session.flush()
    return api_key, plain_key


def current() -> Principal:
    return g.get("principal", ANONYMOUS)


def unauthorized(detail: str):
    abort(401, message=detail, headers={"WWW-Authenticate": 'Bearer realm="proxisource"'})


def require(*roles: str) -> Principal:
    """The caller, if authenticated with one of `roles`; else 401 or 403."""
    principal = current()
    if principal.is_anonymous:
        unauthorized("Authenticate with 'Authorization: Bearer <API key>'.")
    if roles and principal.role not in roles:
        abort(403, message=f"This needs one of the roles: {', '.join(roles)}.")
    return principal


def _authenticate() -> None:
    header = request.headers.get("Authorization")
    if not header:
        g.principal = ANONYMOUS
        # Nothing is writable anonymously: say so before any other check (but after routing).
        if request.method in WRITE_METHODS and request.routing_exception is None:
            unauthorized("Authenticate with 'Authorization: Bearer <API key>'.")
        return
    scheme, _, plain_key = header.partition(" ")
    if scheme.lower() != "bearer" or not plain_key.strip():
        unauthorized("Use 'Authorization: Bearer <API key>'.")
    session = db.session()
    api_key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(plain_key.strip())))
    if api_key is None or api_key.revoked_at is not None:
        unauthorized("This API key is unknown or revoked.")
    now = utc_now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        api_key.last_used_at = now
        session.commit()
    g.principal = Principal(api_key.role, api_key.organisation_id, api_key.id)


def init_app(app: Flask) -> None:
    app.before_request(_authenticate)
