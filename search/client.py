"""The Elasticsearch client the API and the commands share."""

from __future__ import annotations

from elasticsearch import Elasticsearch
from elasticsearch.serializer import OrjsonSerializer


def make_client(url: str, *, request_timeout: float = 10.0) -> Elasticsearch:
    # Retries are left to the worker (the outbox); a request fails fast instead of hanging.
    # orjson: searches bring back tens of kilobytes of aggregations, bulks send megabytes.
    return Elasticsearch(url, request_timeout=request_timeout, max_retries=0, retry_on_timeout=False,
                         serializer=OrjsonSerializer())


def cluster_status(client: Elasticsearch, timeout: float = 2.0) -> str | None:
    """green / yellow / red, or None when the cluster cannot be reached."""
    try:
        return client.options(request_timeout=timeout).cluster.health()["status"]
    except Exception:  # any transport or API failure means "not reachable"
        return None
