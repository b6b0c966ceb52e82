"""A load's bulk lines, serialised once, say what the client's own bulk helper would send."""

from __future__ import annotations

import json

from elasticsearch import helpers

from search import indexer

CHANGES = [
    indexer.Upsert({"id": "a1", "name": "Forges d’Élbeuf", "locations": [{"lat": 49.2877, "lon": 1.0089}],
                    "trade_name": None, "employees": 12, "concepts": ["inox"]}, 3),
    indexer.Removal("b2", 8),
]


def test_each_change_is_its_action_line_then_its_document():
    for change, encoded in zip(CHANGES, indexer.encoded(CHANGES, "suppliers-1")):
        action = next(indexer.actions([change], "suppliers-1"))
        meta, source = helpers.expand_action(action)
        lines = encoded.lines.decode().split("\n")
        assert [json.loads(line) for line in lines[:-1]] == [meta] + ([source] if source is not None else [])
        assert lines[-1] == "" and encoded.id == action["_id"]
