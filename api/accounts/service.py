"""Rules for organisations and API keys."""

from __future__ import annotations

from flask_smorest import abort
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import Principal, issue_key
from ..db import utc_now
from ..models import ApiKey, Organisation


def create_organisation(session: Session, name: str, kind: str) -> Organisation:
    organisation = Organisation(name=name, kind=kind)
    session.add(organisation)
    session.commit()
    return organisation


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def get_organisation(session: Session, organisation_id: str) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404, message=f"No organisation {organisation_id}.")
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
    api_key, plain_key = issue_key(session, role=role, name=name, organisation=organisation)
    session.commit()
    return api_key, plain_key


def list_api_keys(session: Session, principal: Principal, organisation_id: str | None) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at)
    if not principal.is_admin:
        organisation_id = principal.organisation_id  # others only ever see their own keys
    if organisation_id:
        query = query.where(ApiKey.organisation_id == organisation_id)
    return list(session.scalars(query))


def revoke_api_key(session: Session, principal: Principal, key_id: str) -> None:
    api_key = session.get(ApiKey, key_id)
    if api_key is None or not (principal.is_admin or principal.belongs_to(api_key.organisation_id)):
        abort(404, message=f"No API key {key_id}.")
    if api_key.revoked_at is None:
        api_key.revoked_at = utc_now()
        session.commit()
