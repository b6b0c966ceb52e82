"""Opaque cursors for keyset pagination, and the RFC 8288 Link to the next page."""

from __future__ import annotations

import base64
import json
import math
from urllib.parse import urlencode

from flask import after_this_request, request

from .exceptions import InvalidParameters

MAX_CURSOR_LENGTH = 500
# Positions hold ids, sort values and 64-bit integers (what the databases bind).
_INTEGER_RANGE = range(-2**63, 2**63)


def encode_cursor(position: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str | None, *shape: type, parameter: str = "cursor") -> list | None:
    """The position a cursor holds (None without one); a 422 naming `parameter` unless it is
    a list of strings, finite numbers and 64-bit integers — of exactly the types in `shape`, when given."""
    if cursor is None:
        return None
    position = None
    if 0 < len(cursor) <= MAX_CURSOR_LENGTH:
        try:
            # The length bound keeps any nesting far below json's recursion limit.
            position = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        except ValueError:
            pass
    if not (isinstance(position, list) and _bounded(position)) or (
            shape and not _fits(position, shape)):
        invalid_cursor(parameter)
    return position


def _bounded(value) -> bool:
    if isinstance(value, list):
        return all(map(_bounded, value))
    if isinstance(value, int):
        return value in _INTEGER_RANGE
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) or value is None


def _fits(position: list, shape: tuple[type, ...]) -> bool:
    # bool is an int to isinstance, but never a position this API writes.
    return len(position) == len(shape) and all(
        isinstance(value, kind) and not isinstance(value, bool) for value, kind in zip(position, shape))


def invalid_cursor(parameter: str = "cursor"):
    raise InvalidParameters({parameter: ["Not a cursor this API issued; "
                                         "pass next_cursor from the previous page."]})


def next_page(next_cursor: str | None, parameter: str = "cursor") -> str | None:
    """`next_cursor`, also announced as `Link: <…>; rel="next"`: this request's URL with
    `parameter` set to it (for clients that follow links rather than read bodies)."""
    if next_cursor is not None:
        arguments = [(name, value) for name, value in request.args.items(multi=True) if name != parameter]
        url = f"{request.base_url}?{urlencode([*arguments, (parameter, next_cursor)])}"

        @after_this_request
        def link_next(response):
            if response.status_code == 200:
                response.headers.add("Link", f'<{url}>; rel="next"')
            return response
    return next_cursor
