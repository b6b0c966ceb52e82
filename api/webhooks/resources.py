"""Endpoints: /api/v1/webhooks, signed webhooks (Standard Webhooks)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from schemas.webhooks import (
    WebhookCreateSchema,
    WebhookDeliveryPageSchema,
    WebhookDeliveryQuerySchema,
    WebhookDeliverySchema,
    WebhookListQuerySchema,
    WebhookListSchema,
    WebhookPatchSchema,
    WebhookSchema,
    WebhookWithSecretSchema,
)

from .. import auth, transaction
from ..blueprint import Blueprint
from ..exceptions import NotFound
from ..idempotency import idempotent
from ..models import WebhookSubscription
from ..pagination import decode_cursor, encode_cursor, next_page
from . import service

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks", description=(
    "Signed webhooks (Standard Webhooks): the events an organisation may see in the change feed, "
    "POSTed to its endpoints by the worker, signed with the webhook's secret and retried until they "
    "land (docs/webhooks.md; the payloads are under `webhooks` in this spec). An organisation "
    "manages its own webhooks, admins every one; updates and deletions take If-Match."))

SECRET_SHOWN_ONCE = {"Cache-Control": "no-store"}  # nor kept by any cache


def version_tag(subscription: WebhookSubscription) -> dict:
    return {"id": subscription.id, "version": subscription.version}


def allow_private() -> bool:
    return current_app.config["WEBHOOKS_ALLOW_PRIVATE"]


def own(webhook_id: str) -> WebhookSubscription:
    """The webhook, if the caller may manage it (401/404 otherwise)."""
    return service.get(transaction.session(), auth.require(), webhook_id)


@blp.route("")
class Webhooks(MethodView):
    @blp.arguments(WebhookListQuerySchema, location="query")
    @blp.response(200, WebhookListSchema)
    def get(self, query):
        """List webhooks, without their secrets (admin: all, or one organisation's; others: their own)"""
        return {"items": service.listed(transaction.session(), auth.require(), query.get("organisation_id"))}

    @idempotent
    @blp.etag
    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, WebhookWithSecretSchema)
    def post(self, body):
        """Create a webhook; the response is the only time its signing secret is shown"""
        subscription = service.create(transaction.session(), auth.require(), body, allow_private=allow_private())
        blp.set_etag(version_tag(subscription))
        return subscription, {**SECRET_SHOWN_ONCE, "Location": f"{blp.url_prefix}/{subscription.id}"}


@blp.route("/<webhook_id>")
class WebhookResource(MethodView):
    @blp.etag
    @blp.response(200, WebhookSchema)
    def get(self, webhook_id):
        """Get a webhook, without its secret"""
        subscription = own(webhook_id)
        blp.set_etag(version_tag(subscription))
        return subscription

    @blp.etag
    @blp.arguments(WebhookPatchSchema)
    @blp.response(200, WebhookSchema)
    def patch(self, body, webhook_id):
        """Change a webhook: pause or resume it, its URL, event types or description (If-Match required)"""
        subscription = own(webhook_id)
        blp.check_etag(version_tag(subscription))
        subscription = service.update(transaction.session(), subscription, body, allow_private=allow_private())
        blp.set_etag(version_tag(subscription))
        return subscription

    @blp.etag
    @blp.response(204)
    def delete(self, webhook_id):
        """Delete a webhook and its deliveries (If-Match required)"""
        subscription = own(webhook_id)
        blp.check_etag(version_tag(subscription))
        service.delete(transaction.session(), subscription)


@blp.route("/<webhook_id>/rotate-secret", methods=["POST"])
@blp.etag
@blp.response(200, WebhookWithSecretSchema)
def rotate_secret(webhook_id):
    """A new signing secret, shown once; the previous one keeps signing alongside it for 24 hours"""
    subscription = service.rotate_secret(transaction.session(), own(webhook_id))
    blp.set_etag(version_tag(subscription))
    return subscription, SECRET_SHOWN_ONCE


@blp.route("/<webhook_id>/test", methods=["POST"])
@blp.response(202, WebhookDeliverySchema)
@blp.alt_response(409, description="The webhook is disabled: enable it first")
def send_test(webhook_id):
    """Send a `webhook.test` message now (the worker posts it within a second or so)"""
    return service.send_test(transaction.session(), own(webhook_id))


@blp.route("/<webhook_id>/deliveries")
@blp.arguments(WebhookDeliveryQuerySchema, location="query")
@blp.response(200, WebhookDeliveryPageSchema)
def deliveries(query, webhook_id):
    """The webhook's deliveries, newest first, each with its attempts (status code or error, duration)"""
    subscription = own(webhook_id)
    position = decode_cursor(query.get("cursor"), int)
    page_size = query["page_size"]
    items = service.deliveries(transaction.session(), subscription, state=query.get("state"),
                               before_id=position[0] if position else None, limit=page_size)
    last = items[-1].id if len(items) == page_size else None
    return {"items": items, "next_cursor": next_page(encode_cursor([last]) if last else None)}


@blp.route("/<webhook_id>/deliveries/<delivery_id>/retry", methods=["POST"])
@blp.response(202, WebhookDeliverySchema)
@blp.alt_response(409, description="The webhook is disabled: enable it first")
def retry_delivery(webhook_id, delivery_id):
    """Attempt a delivery again now, whatever its state (the same webhook-id)"""
    subscription = own(webhook_id)
    if not (delivery_id.isascii() and delivery_id.isdigit() and int(delivery_id) < 2**63):
        raise NotFound("No such delivery of this webhook.")
    return service.retry(transaction.session(), subscription, int(delivery_id))
