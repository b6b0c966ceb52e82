"""The client sends _msearch and _bulk lines the way the standard library would write them."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from search.client import make_client

SEARCHES = [{"allow_partial_search_results": False},
            {"query": {"match": {"name": "Découpe « laser »"}}, "size": 21, "search_after": [12.5, "a1"],
             "valid_on": date(2026, 12, 2), "at": datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)}]


def expected_line(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=lambda d: d.isoformat())


def test_ndjson_lines_are_compact_utf8_json_one_per_line():
    serializers = make_client("http://127.0.0.1:1").transport.serializers
    for mimetype in ("application/x-ndjson", "application/vnd.elasticsearch+x-ndjson; compatible-with=9"):
        body = serializers.dumps(SEARCHES, mimetype=mimetype)
        assert body.decode() == "".join(expected_line(value) + "\n" for value in SEARCHES)
        assert serializers.loads(body, mimetype=mimetype) == [json.loads(line) for line in body.splitlines()]
