"""The Blueprint every API module uses: unknown query parameters are errors, not ignored."""

import flask_smorest
import marshmallow as ma
from flask import current_app, request
from webargs.flaskparser import FlaskParser

from .exceptions import InvalidParameters


class StrictParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": ma.RAISE, "querystring": ma.RAISE}


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(refuse_undeclared_query)


def refuse_undeclared_query():
    """The strict parser only sees operations that declare query arguments: every other
    one takes none, so any parameter sent to it is unknown."""
    if request.args and request.method != "OPTIONS" and not _declares_query(
            current_app.view_functions[request.endpoint], request.method):
        raise InvalidParameters({name: ["Unknown field."] for name in request.args})


def _declares_query(view, method: str) -> bool:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, method.lower(), None) or getattr(view_class, "get", None)
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return any(parameter["in"] in ("query", "querystring") for parameter in parameters)
