"""Limits every request's input meets before a schema sees it.

Python's json module recurses once per nesting level, so depth is measured on
the raw bytes first; text that no database stores (NUL, lone surrogates) is
refused here once, for every field of every body and every query parameter.
"""

from __future__ import annotations

import json
import re

from marshmallow import ValidationError
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from .exceptions import InvalidParameters

MAX_DEPTH = 32
MAX_ITEMS = 10_000
# JSON strings (escapes included) and the bytes that open, close or separate values.
_STRUCTURE = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]')
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_TEXT = "Text may not hold NUL characters or lone UTF-16 surrogates."


def parse_json_body(raw: bytes):
    """The body's JSON value: 400 when it is not JSON or nests deeper than MAX_DEPTH,
    413 with more than MAX_ITEMS values, 422 naming a field holding unstorable text."""
    _check_shape(raw)
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise BadRequest(f"The request body is not valid JSON: {error}.") from error
    errors = dict(_unstorable_text(value))
    if errors:
        raise ValidationError(errors)
    return value


def check_query(args) -> None:
    errors = {_UNSTORABLE.sub("?", name): [UNSTORABLE_TEXT] for name, value in args.items(multi=True)
              if _UNSTORABLE.search(name) or _UNSTORABLE.search(value)}
    if errors:
        raise InvalidParameters(errors)


def _check_shape(raw: bytes) -> None:
    depth = items = 0
    for match in _STRUCTURE.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            items += 1
            if depth > MAX_DEPTH:
                raise BadRequest(f"The request body nests deeper than {MAX_DEPTH} levels.")
        elif token in (b"]", b"}"):
            depth -= 1
        elif token == b",":
            items += 1
        if items > MAX_ITEMS:
            raise RequestEntityTooLarge(f"The request body holds more than {MAX_ITEMS:,} values.")


def _unstorable_text(value, path: str = ""):
    """(field path, messages) for each string, key included, that cannot be stored."""
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            yield path or "_body", [UNSTORABLE_TEXT]
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if _UNSTORABLE.search(key):  # named by its parent: the key itself cannot be echoed
                yield path or "_body", [UNSTORABLE_TEXT]
            else:
                yield from _unstorable_text(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable_text(item, f"{path}.{index}" if path else str(index))
