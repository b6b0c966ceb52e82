"""The supplier index: mapping, versioned concrete indexes behind an alias.

Readers and writers only ever use the alias `<prefix>-suppliers`; a rebuild
fills a new `<prefix>-suppliers-<timestamp>` index and swaps the alias
atomically. While it fills, the new index also carries the alias
`<prefix>-suppliers-incoming` so that live changes reach it too.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError

KEYWORD = {"type": "keyword"}
TEXT = {"type": "text", "analyzer": "standard"}
STORED_ONLY = {"type": "object", "enabled": False}
FINISHING_TIMEOUT = 300.0  # seconds
# A change becomes searchable at the next refresh: half a second keeps "found within a second of
# its commit" true at p95 (issue 13's freshness target), where one second made the wait alone
# up to a second. A refresh with nothing new to expose costs next to nothing.
REFRESH_INTERVAL = "500ms"

MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": KEYWORD,
        "name": {"type": "keyword", "index": False},
        "legal_name": {"type": "keyword", "index": False},
        "trade_name": {"type": "keyword", "index": False},
        "name_sort": KEYWORD,
        "description": {"type": "text", "index": False},
        "text_name": TEXT,
        "text_capabilities": TEXT,
        "text_description": TEXT,
        "text_places": TEXT,
        "concepts": KEYWORD,  # search.vocabulary: the synonym groups the text mentions
        "capabilities": KEYWORD,
        "capabilities_declared": KEYWORD,
        "certifications": {"type": "nested", "properties": {
            "type": KEYWORD, "valid_from": {"type": "date"}, "valid_until": {"type": "date"}}},
        "sectors": KEYWORD,
        "digital": KEYWORD,
        "countries": KEYWORD,
        "departments": KEYWORD,
        "employees": {"type": "integer"},
        "size": KEYWORD,
        "locations": {"type": "geo_point"},
        "sites": STORED_ONLY,
        "updated_at": {"type": "date"},
        "suggest": {"type": "completion", "analyzer": "simple"},
    },
}


class SupplierIndex:
    """Names and lifecycle of the supplier index for one prefix."""

    def __init__(self, client: Elasticsearch, prefix: str, *, replicas: int | None = None):
        """`replicas`: a fixed number, or None for one as soon as there are two data nodes."""
        self.client = client
        self.alias = f"{prefix}-suppliers"
        self.incoming_alias = f"{prefix}-suppliers-incoming"
        self.replicas = replicas

    def with_timeout(self, seconds: float) -> SupplierIndex:
        """The same index through a client that gives up after `seconds` (where someone waits)."""
        quick = copy.copy(self)
        quick.client = self.client.options(request_timeout=seconds)
        return quick

    def new_index_name(self) -> str:
        return f"{self.alias}-{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}"

    def create(self, name: str, *, bulk_loading: bool = False) -> None:
        # One shard: facet counts from terms aggregations are then exact, and a
        # million suppliers fit comfortably in one shard.
        settings = {"number_of_shards": 1, "refresh_interval": "-1" if bulk_loading else REFRESH_INTERVAL,
                    **(self._no_replicas() if bulk_loading else self._replica_settings())}
        self.client.indices.create(index=name, settings=settings, mappings=MAPPINGS)

    def finish_bulk_loading(self, name: str) -> None:
        # The first refresh of a million documents takes longer than a search may.
        patient = self.client.options(request_timeout=FINISHING_TIMEOUT)
        patient.indices.put_settings(index=name, settings={**self._replica_settings(),
                                                            "refresh_interval": REFRESH_INTERVAL})
        patient.indices.refresh(index=name)

    def _replica_settings(self) -> dict:
        # One replica, not more: any one node can go and every document stays searchable and
        # writable, while each write costs two copies, not three (docs/cluster.md).
        if self.replicas is None:
            return {"auto_expand_replicas": "0-1"}
        return {"auto_expand_replicas": False, "number_of_replicas": self.replicas}

    @staticmethod
    def _no_replicas() -> dict:
        return {"auto_expand_replicas": False, "number_of_replicas": 0}

    def live_indexes(self) -> list[str]:
        return self._indexes_of(self.alias)

    def write_targets(self) -> list[str]:
        """Every index a change must reach: the live one and one being rebuilt."""
        return sorted(set(self._indexes_of(self.alias)) | set(self._indexes_of(self.incoming_alias)))

    def ensure(self) -> None:
        """Create the first index behind the alias, if there is none.

        The first index has a fixed name so that processes racing here agree on it."""
        if self.live_indexes():
            return
        name = f"{self.alias}-initial"
        try:
            self.create(name)
        except BadRequestError as error:
            if error.error != "resource_already_exists_exception":
                raise
        self.client.indices.update_aliases(actions=[{"add": {"index": name, "alias": self.alias}}])

    def add_new_fields(self) -> None:
        """Give the indexes in use the fields the mapping gained since they were created (adding
        a field is always allowed), so that they take the documents of newer code until a rebuild
        has filled them."""
        if targets := self.write_targets():
            self.client.indices.put_mapping(index=",".join(targets), properties=MAPPINGS["properties"])

    def swap(self, new_index: str) -> list[str]:
        """Point the alias at `new_index` in one atomic step; return the indexes it left."""
        old = self.live_indexes()
        actions = [{"remove": {"index": index, "alias": self.alias}} for index in old]
        actions.append({"add": {"index": new_index, "alias": self.alias}})
        actions.append({"remove": {"index": new_index, "alias": self.incoming_alias}})
        self.client.indices.update_aliases(actions=actions)
        return old

    def _indexes_of(self, alias: str) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=alias))
        except NotFoundError:
            return []

    def refresh(self) -> None:
        self.client.indices.refresh(index=self.alias)
