"""Opaque cursors for keyset pagination."""

from __future__ import annotations

import base64
import json

from flask_smorest import abort


def encode_cursor(position: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str | None) -> list | None:
    if cursor is None:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        position = None
    if not isinstance(position, list):
        invalid_cursor()
    return position


def invalid_cursor():
    abort(422, errors={"query": {"cursor": ["Not a cursor this API issued; "
                                            "pass next_cursor from the previous page."]}})
