"""The Blueprint every API module uses: unknown query parameters are errors, not ignored; a body
the spec requires is required (webargs reads a missing one as {}, which a partial schema
accepts); the errors an operation declares are documented as RFC 9457 problems; If-None-Match
compares ETags weakly."""

import re

import flask_smorest
import marshmallow as ma
from flask import current_app, request
from flask_smorest.exceptions import NotModified, PreconditionRequired
from webargs.flaskparser import FlaskParser

from .errors import IF_MATCH_PATTERN, PROBLEM_MIMETYPE, ProblemSchema
from .exceptions import InvalidParameters
from .request_context import has_body


IF_MATCH = re.compile(IF_MATCH_PATTERN)


class StrictParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": ma.RAISE, "querystring": ma.RAISE}


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(refuse_undeclared_query)
        self.before_request(require_declared_body)

    def arguments(self, schema, **kwargs):
        # One instance per operation: given a class, webargs builds the schema (deep-copying every
        # field) on each request, a quarter of a millisecond of every search.
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)

    def alt_response(self, status_code, response=None, *, schema=None, content_type=None, **kwargs):
        if int(status_code) >= 400 and response is None and schema is None:
            schema, content_type = ProblemSchema, content_type or PROBLEM_MIMETYPE
        return super().alt_response(status_code, response, schema=schema, content_type=content_type, **kwargs)

    def searches(self):
        """Document what an operation that queries Elasticsearch answers while it is unreachable."""
        return self.alt_response(503, description="Search is temporarily unavailable (see Retry-After)")

    def _check_precondition(self):
        # A value that is not a list of entity tags (RFC 9110 §8.8.3) is no tag: 428, as
        # without one (flask-smorest would compare it, and answer 412).
        if request.method in self.METHODS_NEEDING_CHECK_ETAG and not IF_MATCH.fullmatch(
                request.headers.get("If-Match", "")):
            raise PreconditionRequired

    def _check_not_modified(self, etag):
        # RFC 9110 §13.1.2: If-None-Match uses the weak comparison, so W/"x" matches "x"
        # (flask-smorest compares strongly, and caches that weaken tags got 200s).
        if request.method in self.METHODS_CHECKING_NOT_MODIFIED and request.if_none_match.contains_weak(etag):
            not_modified = NotModified()
            not_modified.data = {"etag": etag}
            raise not_modified


def refuse_undeclared_query():
    """The strict parser only sees operations that declare query arguments: every other
    one takes none, so any parameter sent to it is unknown."""
    if request.args and request.method != "OPTIONS" and not _declares_query(
            current_app.view_functions[request.endpoint], request.method):
        raise InvalidParameters({name: ["Unknown field."] for name in request.args})


def require_declared_body():
    # Without reading the body: an upload's own size limit is set by its blueprint later on.
    if not has_body() and _declares(current_app.view_functions[request.endpoint], request.method,
                                            lambda parameter: parameter["in"] == "json" and parameter["required"]):
        raise ma.ValidationError({"_body": ["This operation needs a JSON body."]})


def _declares_query(view, method: str) -> bool:
    return _declares(view, method, lambda parameter: parameter["in"] in ("query", "querystring"))


def _declares(view, method: str, kind) -> bool:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, method.lower(), None) or getattr(view_class, "get", None)
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return any(map(kind, parameters))
