"""The Blueprint every API module uses: unknown query parameters are errors, not ignored, and
the errors an operation declares are documented as RFC 9457 problems, and If-None-Match compares
ETags weakly."""

import flask_smorest
import marshmallow as ma
from flask import request
from flask_smorest.exceptions import NotModified
from webargs.flaskparser import FlaskParser

from .errors import PROBLEM_MIMETYPE, ProblemSchema


class StrictParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": ma.RAISE, "querystring": ma.RAISE}


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def alt_response(self, status_code, response=None, *, schema=None, content_type=None, **kwargs):
        if int(status_code) >= 400 and response is None and schema is None:
            schema, content_type = ProblemSchema, content_type or PROBLEM_MIMETYPE
        return super().alt_response(status_code, response, schema=schema, content_type=content_type, **kwargs)

    def _check_not_modified(self, etag):
        # RFC 9110 §13.1.2: If-None-Match uses the weak comparison, so W/"x" matches "x"
        # (flask-smorest compares strongly, and caches that weaken tags got 200s).
        if request.method in self.METHODS_CHECKING_NOT_MODIFIED and request.if_none_match.contains_weak(etag):
            not_modified = NotModified()
            not_modified.data = {"etag": etag}
            raise not_modified
