"""Flask's JSON through orjson: search responses are tens of kilobytes, encoded on every request."""

from __future__ import annotations

import orjson
from flask.json.provider import DefaultJSONProvider

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


class OrjsonProvider(DefaultJSONProvider):
    def dumps(self, obj, **kwargs) -> str:
        # Dates keep Flask's own encoding (PASSTHROUGH_DATETIME hands them to `default`).
        return orjson.dumps(obj, default=self.default, option=OPTIONS).decode()

    def loads(self, s, **kwargs):
        return orjson.loads(s)
