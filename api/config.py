"""Configuration from environment variables, with defaults that need nothing installed."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _seconds(value: str, name: str) -> list[float]:
    try:
        seconds = [float(item) for item in _csv(value)]
    except ValueError:
        seconds = []
    if not seconds or any(not 0 <= s < 10**7 for s in seconds):
        raise ValueError(f"{name} must be comma-separated seconds, e.g. 5,300,1800; got {value!r}")
    return seconds


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _replicas(value: str) -> int | None:
    return None if value.strip().lower() == "auto" else int(value)


def from_environment(environ: dict[str, str] | None = None) -> dict:
    """Flask configuration built from the process environment (or the mapping given)."""
    env = os.environ if environ is None else environ
    return {
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'proxisource.db'}"),
        "ELASTICSEARCH_URL": env.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200"),
        "INDEX_PREFIX": env.get("INDEX_PREFIX", "proxisource"),
        # "auto": one replica as soon as the cluster has a second data node (search.index).
        "INDEX_REPLICAS": _replicas(env.get("INDEX_REPLICAS", "auto")),
        # Processes that build and send documents in a full rebuild (api.search.parallel).
        "REBUILD_PROCESSES": int(env.get("REBUILD_PROCESSES", os.cpu_count() or 1)),
        # How long the push right after a request commits may wait for Elasticsearch
        # (the worker pushes whatever it could not).
        "SEARCH_PUSH_TIMEOUT_SECONDS": float(env.get("SEARCH_PUSH_TIMEOUT_SECONDS", 1.0)),
        # After a push Elasticsearch could not take, leave pushes to the worker this long.
        "SEARCH_PUSH_PAUSE_SECONDS": float(env.get("SEARCH_PUSH_PAUSE_SECONDS", 5.0)),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_BODY_BYTES", 1024 * 1024)),
        "CORS_ORIGINS": _csv(env.get("CORS_ORIGINS", "*")),
        "ANONYMOUS_RATE_LIMIT_PER_MINUTE": int(env.get("ANONYMOUS_RATE_LIMIT_PER_MINUTE", 300)),
        # Reverse proxies in front of the API whose X-Forwarded-For/-Proto to believe (0: none),
        # so that rate limits see the client's address, not the proxy's.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", 0)),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        # Seconds between a webhook delivery's failed attempts (docs/webhooks.md): after the
        # last one it is failed. Each wait is given ±20% jitter.
        "WEBHOOK_RETRY_SCHEDULE": _seconds(
            env.get("WEBHOOK_RETRY_SCHEDULE", "5,300,1800,7200,18000,36000,36000"), "WEBHOOK_RETRY_SCHEDULE"),
        # Days a finished (succeeded or failed) webhook delivery stays in its log.
        "WEBHOOK_DELIVERY_RETENTION_DAYS": int(env.get("WEBHOOK_DELIVERY_RETENTION_DAYS", 30)),
        # Development and tests only: webhooks may target http and loopback or private addresses.
        "WEBHOOKS_ALLOW_PRIVATE": _flag(env.get("WEBHOOKS_ALLOW_PRIVATE", "false")),
        # flask-smorest / OpenAPI
        "API_TITLE": "Proxisource API",
        "API_VERSION": "1.0.0",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/",
        # Which operations need a key is said per operation (api/operations.py).
        "API_SPEC_OPTIONS": {
            # Where clients reach this API: the spec's `servers` (PUBLIC_URL in production).
            "servers": [{"url": env.get("PUBLIC_URL", "http://127.0.0.1:5000"),
                         "description": "This deployment (PUBLIC_URL; `make run` serves here)"}],
            "info": {"description": "Supplier-capability marketplace API: source locally before going "
                                    "global. Errors are RFC 9457 problems (application/problem+json). "
                                    "No text may hold a NUL character or a lone UTF-16 surrogate (no "
                                    "database stores them): such a value is a 422 naming its field.",
                     "contact": {"name": "Proxisource operators"},
                     "license": {"name": "Proprietary", "identifier": "LicenseRef-Proxisource-Proprietary"}},
            "components": {"securitySchemes": {"ApiKey": {
                "type": "http", "scheme": "bearer",
                "description": "An API key issued by the operators: `Authorization: Bearer psk_…`"}}},
        },
    }
