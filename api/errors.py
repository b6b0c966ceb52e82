"""RFC 9457 problem details for every error, the framework's own included."""

from __future__ import annotations

import http
import logging

import marshmallow as ma
from flask import Response, g, json, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import (
    Conflict,
    HTTPException,
    InternalServerError,
    PreconditionFailed,
    UnprocessableEntity,
)

from schemas.common import ResponseSchema

from . import exceptions as rules

PROBLEM_MIMETYPE = "application/problem+json"
PROBLEM_BASE = "https://proxisource.eu/problems/"
# `*`, or entity tags ("x" or W/"x") separated by commas.
IF_MATCH_PATTERN = r'^(\*|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)$'

log = logging.getLogger(__name__)


class ProblemSchema(ResponseSchema):
    """An RFC 9457 problem; documents every error response of the API."""

    sometimes_absent = frozenset({"errors", "allowed_actions"})

    type = ma.fields.String(metadata={"description": "URI identifying the kind of problem"})
    title = ma.fields.String(metadata={"description": "Short summary of the kind of problem"})
    status = ma.fields.Integer(metadata={"description": "HTTP status code"})
    detail = ma.fields.String(metadata={"description": "What went wrong and what to fix"})
    instance = ma.fields.String(metadata={"description": "The request path"})
    request_id = ma.fields.String(allow_none=True, metadata={"description": "Correlation id, also in X-Request-ID"})
    errors = ma.fields.List(
        ma.fields.Dict(),
        metadata={"description": "Field-level errors: location (json, query, header, path), "
                                 "field (dotted path) and message"},
    )
    allowed_actions = ma.fields.List(ma.fields.String(), metadata={
        "description": "On a 409 for an action the state does not allow: the actions it allows now"})


def problem(status: int, detail: str | None = None, *, type_slug: str | None = None,
            title: str | None = None, errors: list[dict] | None = None,
            headers: dict[str, str] | None = None, **extra) -> Response:
    """Build a problem+json response."""
    phrase = http.HTTPStatus(status).phrase
    body = {
        "type": PROBLEM_BASE + type_slug if type_slug else "about:blank",
        "title": title or phrase,
        "status": status,
        "detail": detail or phrase,
        "instance": request.path,
        "request_id": g.get("request_id"),
        **extra,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def not_modified(etag: str | None) -> Response:
    """304 has no body, but must repeat the ETag (flask-smorest leaves it out)."""
    response = Response(status=304)
    if etag:
        response.set_etag(etag)
    return response


def flatten_messages(messages, location: str, prefix: str = "") -> list[dict]:
    """Turn marshmallow's nested message dict into a flat list of field errors."""
    if isinstance(messages, dict):
        flat = []
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.extend(flatten_messages(value, location, path))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"location": location, "field": prefix or None, "message": m} for m in messages]
    if isinstance(messages, list):
        return [e for m in messages for e in flatten_messages(m, location, prefix)]
    return [{"location": location, "field": prefix or None, "message": str(messages)}]


def validation_errors(data: dict) -> list[dict]:
    messages = data.get("errors") or data.get("messages") or {}
    flat = []
    for location, fields in messages.items():
        flat.extend(flatten_messages(fields, location))
    return flat


def summarize(errors: list[dict]) -> str:
    parts = []
    for error in errors[:5]:
        where = {"json": "field", "query": "query parameter", "headers": "header",
                 "path": "path parameter"}.get(error["location"], error["location"])
        field = f" '{error['field']}'" if error["field"] else ""
        parts.append(f"{where}{field}: {error['message'].rstrip('.')}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "Invalid " + "; ".join(parts) + more + "."


# What to do, where the framework's own wording does not say it.
DETAILS = {
    412: "If-Match does not carry the current ETag: the resource changed since you read it. "
         "Read it again, reapply your change and send the new ETag.",
    428: "Send If-Match with the ETag from your last read of this resource.",
}

# What each error means for the caller, in the spec (the status phrase says too little).
RESPONSE_DESCRIPTIONS = {
    400: "The body is not JSON, or nests deeper than the API accepts",
    401: "No valid API key: send 'Authorization: Bearer <key>' with a key that is not revoked",
    403: "The key's role or organisation may not do this",
    404: "No such resource, or not one this key may see",
    409: "Conflicts with the current state: the state's allowed_actions, a duplicate (SIRET, "
         "invitation), or a request with the same Idempotency-Key still being processed",
    412: "If-Match does not carry the current ETag: read the resource again",
    413: "The body holds more values than the API accepts",
    415: "The body is not sent as application/json",
    422: "A parameter, header or body field is invalid (see errors), or an Idempotency-Key was "
         "used for another request",
    428: "If-Match is required: send the ETag from your last read",
    429: "Too many requests from this anonymous caller: wait Retry-After seconds, or use a key",
    503: "A dependency (Elasticsearch) is unavailable: retry after Retry-After seconds",
}

# Kinds of problem named in the spec and in `type`, by status.
TYPE_SLUGS = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 409: "conflict", 412: "precondition-failed",
    413: "body-too-large", 415: "unsupported-media-type", 422: "validation-error",
    428: "precondition-required", 429: "too-many-requests", 503: "service-unavailable",
}


# The status that says what is wrong, for each of the rules' own errors.
RULE_STATUS = {
    rules.Unauthenticated: 401, rules.Forbidden: 403, rules.NotFound: 404, rules.Conflict: 409,
    rules.PreconditionFailed: 412, rules.InvalidParameters: 422, rules.SearchUnavailable: 503,
    rules.TooLarge: 413, rules.InvalidFile: 422,
}


class ProblemApi(Api):
    """flask-smorest's Api answering and documenting errors as RFC 9457 problems."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        super()._register_error_handlers()
        self._app.register_error_handler(IntegrityError, self.handle_integrity_error)
        self._app.register_error_handler(StaleDataError, self.handle_stale_write)
        self._app.register_error_handler(ma.ValidationError, self.handle_rule_violation)
        self._app.register_error_handler(rules.RuleError, self.handle_rule_error)
        self._app.register_error_handler(Exception, self.handle_unexpected_error)

    def handle_http_exception(self, error: HTTPException):
        if error.code == 304:
            return not_modified((getattr(error, "data", None) or {}).get("etag"))
        if isinstance(error, InternalServerError):
            return self.handle_unexpected_error(error.original_exception or error)
        data = getattr(error, "data", None) or {}
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        errors = validation_errors(data) if error.code in (400, 422) else []
        detail = data.get("message") or (summarize(errors) if errors else
                                         DETAILS.get(error.code, error.description))
        if error.code == 400 and any(e["location"] == "json" for e in errors):
            detail = "The request body is not valid JSON."
            errors = []
        return problem(error.code, detail, type_slug=data.get("type") or TYPE_SLUGS.get(error.code),
                       title=data.get("title"), errors=errors, headers=headers,
                       **(data.get("extra") or {}))

    def handle_rule_violation(self, error: ma.ValidationError):
        """A body that is well-formed but breaks a rule checked by a service."""
        unprocessable = UnprocessableEntity()
        unprocessable.data = {"messages": {"json": error.normalized_messages()}}
        return self.handle_http_exception(unprocessable)

    def handle_rule_error(self, error: rules.RuleError):
        status = RULE_STATUS[type(error)]
        headers, extra, errors = {}, {}, []
        detail = error.detail
        if isinstance(error, rules.Unauthenticated):
            headers["WWW-Authenticate"] = 'Bearer realm="proxisource"'
        if isinstance(error, rules.Conflict) and error.allowed_actions is not None:
            extra["allowed_actions"] = error.allowed_actions
        if isinstance(error, rules.SearchUnavailable):
            headers["Retry-After"] = str(error.retry_after_seconds)
        if isinstance(error, rules.InvalidParameters):
            errors = flatten_messages(error.errors, "query")
            detail = summarize(errors)
        return problem(status, detail, type_slug=TYPE_SLUGS[status], errors=errors, headers=headers,
                       **extra)

    def handle_stale_write(self, _error: StaleDataError):
        return self.handle_http_exception(PreconditionFailed(
            "The resource changed while this request was applied; read it again and retry "
            "with the new ETag."))

    def handle_integrity_error(self, error: IntegrityError):
        log.info("integrity error mapped to 409: %s", error.orig)
        return self.handle_http_exception(Conflict(
            "The change conflicts with data already stored (a duplicate or a missing reference)."))

    def handle_unexpected_error(self, error: BaseException):
        log.exception("unexpected error", exc_info=error)
        return problem(500, "An unexpected error occurred. Quote the request id when reporting it.",
                       type_slug="internal-error")

    def _register_etag_headers(self):
        # A value that is not a list of entity tags (RFC 9110 §8.8.3) is no tag (428, like a
        # missing one): the spec says what a tag looks like.
        self.spec.components.parameter("IF_NONE_MATCH", "header", {
            "name": "If-None-Match", "description": "An ETag from an earlier read (weak comparison): 304 while it is current",
            "schema": {"type": "string"}}, lazy=True)
        self.spec.components.parameter("IF_MATCH", "header", {
            "name": "If-Match", "description": "The ETag from your last read of this resource (or *): 412 when it is no "
                           "longer current, 428 without it",
            "required": True, "schema": {"type": "string", "pattern": IF_MATCH_PATTERN}}, lazy=True)
        self.spec.components.header("ETAG", {"description": "Tag of the representation returned: "
                                                            "send it as If-Match to change it",
                                             "schema": {"type": "string"}}, lazy=True)

    def _register_pagination_header(self):
        pass  # lists here are cursor-paginated (next_cursor, Link): flask-smorest's header is unused

    def _register_responses(self):
        # Same as flask-smorest's, but errors are documented as application/problem+json.
        for status in http.HTTPStatus:
            response = {"description": RESPONSE_DESCRIPTIONS.get(status, status.phrase)}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            else:
                prepare_response(response, self.spec, self.DEFAULT_RESPONSE_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error (RFC 9457 problem)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)
