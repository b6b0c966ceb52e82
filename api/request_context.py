"""Request ids, JSON-lines logs, the JSON-body guard and the caching headers of every request.

Caching: a response to a request carrying a key depends on the caller (contacts, RFQs,
events): `private, no-cache` (no shared cache keeps it; the caller's own revalidates it with
its ETag). An anonymous read is the same for every anonymous caller: `public, no-cache`
(kept, revalidated), or `public, max-age=N` where the view says so with `public_for(N)`
(search, reference data: identical for every caller). Anything else (anonymous writes and
errors) is `no-store`, and a view may say `no-store` itself (a newly issued key).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, after_this_request, g, has_request_context, request
from werkzeug.exceptions import UnsupportedMediaType

from . import input_limits

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
BODY_METHODS = {"POST", "PUT", "PATCH"}
READ_METHODS = {"GET", "HEAD"}

access_log = logging.getLogger("proxisource.access")


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line, carrying the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLinesFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)


def accepts(*mimetypes: str):
    """Let a view take bodies of `mimetypes` instead of JSON: others get a 415, after the
    caller is authenticated (an anonymous write is a 401 first, like everywhere)."""
    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if request.mimetype not in mimetypes:
                raise UnsupportedMediaType(f"Send the body as one of: {', '.join(sorted(mimetypes))}.")
            return view(*args, **kwargs)

        checked.accepted_mimetypes = set(mimetypes)
        return checked
    return decorate


def is_json_mimetype(mimetype: str) -> bool:
    return mimetype == "application/json" or mimetype.endswith("+json")


def init_app(app: Flask) -> None:
    @app.before_request
    def assign_request_id():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.before_request
    def require_json_body():
        """Bodies are JSON unless the endpoint says otherwise; read them now so
        malformed JSON (400) and oversized bodies (413) fail the same way everywhere."""
        if request.method not in BODY_METHODS or not has_body():
            return
        if is_json_mimetype(request.mimetype):
            input_limits.parse_json_body(request.get_data())  # even where another type is expected
            return
        if request.routing_exception is not None:
            return  # no such operation: its 404 or 405 says more than the body's type
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "accepted_mimetypes", None) is None:
            raise UnsupportedMediaType("Send the body as JSON with 'Content-Type: application/json'.")
        # Otherwise the view checks its media types itself (see `accepts`), once the caller is known.

    @app.before_request
    def refuse_unstorable_query_text():
        input_limits.check_query(request.args)

    @app.after_request
    def log_and_tag(response):
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
        response.vary.add("Authorization")  # what a key may see differs: caches must key on it
        response.headers["X-Content-Type-Options"] = "nosniff"  # a JSON answer is never run as a script
        if "Cache-Control" not in response.headers:
            _set_cache_control(response)
        started = g.get("request_started")
        access_log.info(
            "%s %s %s", request.method, request.path, response.status_code,
            extra={"fields": {
                "method": request.method, "path": request.path, "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            }},
        )
        return response


def public_for(seconds: int) -> None:
    """Let any cache keep this response `seconds` (if it succeeds): for views whose answer
    depends on nothing but the request's URL."""
    @after_this_request
    def cache_publicly(response):
        if response.status_code < 400:
            response.cache_control.public = True
            response.cache_control.max_age = seconds
        return response


def _set_cache_control(response) -> None:
    if "Authorization" in request.headers:
        response.cache_control.private = True
        response.cache_control.no_cache = True
    elif request.method in READ_METHODS and response.status_code in (200, 304):
        response.cache_control.public = True
        response.cache_control.no_cache = True
    else:
        response.cache_control.no_store = True


def has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"
