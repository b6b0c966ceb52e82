"""Rules for organisations and API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from marshmallow import ValidationError
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..db import utc_now
from ..exceptions import Conflict, NotFound, Unauthenticated
from ..models import ApiKey, Organisation
from ..principal import Principal

KEY_PREFIX = "psk_"
# Recording every use would rewrite the key on each call; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(plain_key: str) -> str:
    # Keys are long random secrets: a fast hash is enough, and the plain key is shown once.
    return hashlib.sha256(plain_key.encode()).hexdigest()


def authenticate(session: Session, plain_key: str) -> Principal:
    """The principal a key stands for."""
    api_key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(plain_key)))
    if api_key is None or api_key.revoked_at is not None:
        raise Unauthenticated("This API key is unknown or revoked.")
    return Principal(api_key.role, api_key.organisation_id, api_key.id)


def record_use(session: Session, key_id: str) -> None:
    """Stamp a key's last use, unless it was stamped within the last minute."""
    now = utc_now()
    session.execute(update(ApiKey).where(ApiKey.id == key_id, or_(
        ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_RESOLUTION))
        .values(last_used_at=now).execution_options(synchronize_session=False))


def issue_key(session: Session, *, role: str, name: str,
              organisation: Organisation | None) -> tuple[ApiKey, str]:
    """Create a key; the plain key is returned once and never stored."""
    plain_key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(role=role, name=name, organisation=organisation,
                     prefix=plain_key[:12], key_hash=hash_key(plain_key))
    session.add(api_key)
    session.flush()
    return api_key, plain_key


def create_organisation(session: Session, name: str, kind: str) -> Organisation:
    organisation = Organisation(name=name, kind=kind)
    session.add(organisation)
    session.flush()
    return organisation


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def get_organisation(session: Session, principal: Principal, organisation_id: str) -> Organisation:
    """An organisation, to admins and to its own keys."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not (principal.is_admin or principal.belongs_to(organisation_id)):
        raise NotFound(f"No organisation {organisation_id}.")
    return organisation


def create_api_key(session: Session, *, name: str, role: str,
                   organisation_id: str | None) -> tuple[ApiKey, str]:
    organisation = None
    if role == "admin":
        if organisation_id:
            raise ValidationError("Admin keys belong to the operators, not to an organisation.",
                                  "organisation_id")
    else:
        if not organisation_id:
            raise ValidationError(f"A {role} key needs the organisation it acts for.", "organisation_id")
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            raise ValidationError("No such organisation.", "organisation_id")
        if organisation.kind != role:
            raise ValidationError(f"This organisation is a {organisation.kind}: its keys have that role.",
                                  "role")
    return issue_key(session, role=role, name=name, organisation=organisation)


def list_api_keys(session: Session, principal: Principal, organisation_id: str | None) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at)
    if not principal.is_admin:
        organisation_id = principal.organisation_id  # others only ever see their own keys
    if organisation_id:
        query = query.where(ApiKey.organisation_id == organisation_id)
    return list(session.scalars(query))


def _other_active_admin_key(session: Session, api_key: ApiKey) -> bool:
    return session.scalar(select(ApiKey.id).where(
        ApiKey.role == "admin", ApiKey.revoked_at.is_(None), ApiKey.id != api_key.id).limit(1)) is not None


def revoke_api_key(session: Session, principal: Principal, key_id: str) -> None:
    api_key = session.get(ApiKey, key_id)
    if api_key is None or not (principal.is_admin or principal.belongs_to(api_key.organisation_id)):
        raise NotFound(f"No API key {key_id}.")
    if api_key.revoked_at is None:
        if api_key.role == "admin" and not _other_active_admin_key(session, api_key):
            raise Conflict("This is the last active admin key: issue another admin key before "
                           "revoking it, or no one could administer the marketplace.")
        api_key.revoked_at = utc_now()
