"""Opaque cursors for keyset pagination, and the RFC 8288 Link to the next page."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

from flask import after_this_request, request

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
