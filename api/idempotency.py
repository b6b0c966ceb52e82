"""Idempotency-Key on the POSTs that create something: a retry gets the first response.

A retry with the same key (per calling API key), method, path and JSON body gets the
response of the first request again (status, Location, ETag, body, and
`Idempotent-Replayed: true`) and creates nothing; the same key with another request
is a 422. The key is claimed (a row, unique per caller) before the view runs and its
response recorded after, in the request's own transaction: a request that fails
leaves no key, and a concurrent retry waits on the claim and then gets a 409 (retry
it to get the first response). Only successful responses are kept, for 24 hours; the
worker's `purge_expired_idempotency_keys` deletes them after.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from functools import wraps

from flask import Response, current_app, request
from flask_smorest import Blueprint, abort
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import auth, transaction
from .db import utc_now
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
MAX_LENGTH = 255
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")

HEADER_DOC = {
    "name": HEADER, "in": "header", "required": False,
    "description": "A unique string (up to 255 characters, e.g. a UUID) chosen by the client for "
                   "this creation: a retry with the same key and body gets the first response "
                   "(with `Idempotent-Replayed: true`) and creates nothing; the same key with "
                   "another body is a 422; a retry while the first is still running is a 409. "
                   "Keys are kept 24 hours.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH},
}


def idempotent(view):
    """Make a creating view honour Idempotency-Key (and document the header)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        caller = auth.current().key_id
        if key is None or caller is None:
            return view(*args, **kwargs)
        if not 0 < len(key) <= MAX_LENGTH:
            abort(422, message=f"{HEADER} must be 1 to {MAX_LENGTH} characters.")
        session = transaction.session()
        row, remembered = claim(session, caller, key, fingerprint())
        if remembered:
            return replay(row)
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code < 400:
            record(row, response)
        return response

    return Blueprint.doc(parameters=[HEADER_DOC])(wrapper)


def fingerprint() -> str:
    """What makes two requests the same: method, path and body (JSON compared as data, so
    key order and spacing do not matter; a form by its fields and files, whatever boundary
    the client chose)."""
    body = request.get_json(silent=True)
    if body is not None:
        data = json.dumps(body, sort_keys=True).encode()
    elif request.mimetype == "multipart/form-data":
        data = json.dumps([sorted(request.form.items(multi=True)),
                           sorted((name, upload.filename, _digest(upload.stream))
                                  for name, upload in request.files.items(multi=True))]).encode()
    else:
        data = request.get_data()
    return hashlib.sha256(f"{request.method} {request.full_path}\n".encode() + data).hexdigest()


def _digest(stream) -> str:
    digest = hashlib.file_digest(stream, "sha256").hexdigest()
    stream.seek(0)  # the view reads the file next
    return digest


def claim(session: Session, caller: str, key: str, request_fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """The key's row, and whether it remembers a response (else it is claimed for this request)."""
    row = session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.api_key_id == caller, IdempotencyKey.key == key))
    if row is not None and row.expires_at <= utc_now():
        session.delete(row)  # expired but not purged yet: as good as new
        row = None
    if row is not None:
        if row.fingerprint != request_fingerprint:
            abort(422, message=f"This {HEADER} was used for another request; use a new key for a new request.")
        return row, True
    row = IdempotencyKey(api_key_id=caller, key=key, fingerprint=request_fingerprint,
                         expires_at=utc_now() + KEPT_FOR)
    session.add(row)
    try:
        session.flush()  # waits for a concurrent request holding the same key
    except IntegrityError:
        session.rollback()
        abort(409, message=f"A request with this {HEADER} is being processed or has just been; "
                           "retry it to get its response.")
    return row, False


def record(row: IdempotencyKey, response: Response) -> None:
    row.status = response.status_code
    row.headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
    # A secret shown once (a new API key) is never stored: its retry cannot be answered.
    row.body = None if response.cache_control.no_store else response.get_data()


def replay(row: IdempotencyKey) -> Response:
    if row.body is None:
        abort(409, message=f"The first request with this {HEADER} succeeded, and its response held a "
                           "secret shown only once (see Location); it is not shown again.",
              headers={"Location": row.headers["Location"]} if "Location" in row.headers else {})
    response = Response(row.body, status=row.status, headers=row.headers)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def purge_expired_idempotency_keys(session: Session) -> int:
    """Worker job: delete the keys older than 24 hours."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= utc_now()))
    return result.rowcount
