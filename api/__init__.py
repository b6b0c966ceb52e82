"""Proxisource API: the application factory."""

from __future__ import annotations

from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from search.client import make_client
from search.index import SupplierIndex

from . import auth, cli, ops, ratelimit, request_context, spec_fields, transaction
from .accounts import resources as accounts
from .admin import resources as admin
from .config import INSTANCE_DIR, from_environment
from .errors import ProblemApi
from .events import resources as events
from .imports import resources as imports
from .json import OrjsonProvider
from .operations import OperationDocs
from .reference import resources as reference
from .response_fields import AlwaysPresentFields
from .rfqs import resources as rfqs
from .search import resources as search
from .search import sync as search_sync
from .suppliers import resources as suppliers
from .webhooks import resources as webhooks
from .webhooks import spec as webhook_payloads


def create_app(overrides: dict | None = None) -> transaction.TransactionalFlask:
    app = transaction.TransactionalFlask(__name__, instance_path=str(INSTANCE_DIR))
    app.json = OrjsonProvider(app)
    app.config.update(from_environment())
    app.config.update(overrides or {})
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    request_context.configure_logging(app.config["LOG_LEVEL"])
    request_context.init_app(app)
    transaction.init_app(app)
    auth.init_app(app)
    ratelimit.init_app(app)
    app.extensions["elasticsearch"] = make_client(app.config["ELASTICSEARCH_URL"])
    app.extensions["supplier_index"] = SupplierIndex(
        app.extensions["elasticsearch"], app.config["INDEX_PREFIX"], replicas=app.config["INDEX_REPLICAS"])
    search_sync.init_app(app)
    # Browsers may reuse a preflight's answer 10 minutes rather than preflight every call.
    CORS(app, origins=app.config["CORS_ORIGINS"], max_age=600,
         expose_headers=["ETag", "Idempotent-Replayed", "Link", "Location", "Retry-After", "X-Request-ID"])

    app.url_map.converters["supplier_id"] = suppliers.SupplierIdConverter
    api = ProblemApi(app, spec_kwargs={"extra_plugins": [AlwaysPresentFields(), OperationDocs()]})
    spec_fields.init_spec(api)
    api.register_converter(suppliers.SupplierIdConverter, lambda _converter: {"type": "string", "minLength": 1})
    for module in (ops, reference, accounts, suppliers, imports, search, rfqs, events, webhooks, admin):
        api.register_blueprint(module.blp)
    webhook_payloads.document(api)
    cli.init_app(app)
    return app
