"""Opaque cursors for keyset pagination."""

from __future__ import annotations

import base64
import json

from .exceptions import InvalidParameters


def encode_cursor(position: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str | None, *shape: type, parameter: str = "cursor") -> list | None:
    """The position a cursor holds (None without one); a 422 naming `parameter` unless it is
    a list — of exactly the types in `shape`, when given."""
    if cursor is None:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        position = None
    if not isinstance(position, list) or (shape and not _fits(position, shape)):
        invalid_cursor(parameter)
    return position


def _fits(position: list, shape: tuple[type, ...]) -> bool:
    # bool is an int to isinstance, but never a position this API writes.
    return len(position) == len(shape) and all(
        isinstance(value, kind) and not isinstance(value, bool) for value, kind in zip(position, shape))


def invalid_cursor(parameter: str = "cursor"):
    raise InvalidParameters({parameter: ["Not a cursor this API issued; "
                                         "pass next_cursor from the previous page."]})
