"""Endpoints: organisations, API keys, and who the caller is."""

from flask.views import MethodView

from schemas.accounts import (
    ApiKeyCreateSchema,
    ApiKeyListSchema,
    ApiKeyQuerySchema,
    IssuedApiKeySchema,
    OrganisationCreateSchema,
    OrganisationListSchema,
    OrganisationSchema,
    WhoAmISchema,
)

from .. import auth, transaction
from ..blueprint import Blueprint
from ..idempotency import idempotent
from . import service

blp = Blueprint("accounts", __name__, url_prefix="/api/v1",
                description="Organisations and API keys. Operators (admins) onboard organisations "
                            "and issue keys; a key is shown once, stored hashed, and revocable.")


@blp.route("/organisations")
class Organisations(MethodView):
    @blp.response(200, OrganisationListSchema)
    def get(self):
        """List organisations (admin)"""
        auth.require("admin")
        return {"items": service.list_organisations(transaction.session())}

    @idempotent
    @blp.arguments(OrganisationCreateSchema)
    @blp.response(201, OrganisationSchema)
    def post(self, body):
        """Onboard a buyer or supplier organisation (admin)"""
        auth.require("admin")
        return service.create_organisation(transaction.session(), **body)


@blp.route("/organisations/<organisation_id>")
@blp.response(200, OrganisationSchema)
def organisation(organisation_id):
    """Get an organisation (admin, or one of its own keys)"""
    return service.get_organisation(transaction.session(), auth.require(), organisation_id)


@blp.route("/api-keys")
class ApiKeys(MethodView):
    @blp.arguments(ApiKeyQuerySchema, location="query")
    @blp.response(200, ApiKeyListSchema)
    def get(self, query):
        """List API keys, without their secrets (admin: all; others: their organisation's)"""
        principal = auth.require()
        return {"items": service.list_api_keys(transaction.session(), principal, query.get("organisation_id"))}

    @idempotent
    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, IssuedApiKeySchema)
    def post(self, body):
        """Issue an API key (admin); the response is the only time the key is shown"""
        auth.require("admin")
        api_key, plain_key = service.create_api_key(transaction.session(), name=body["name"], role=body["role"],
                                                    organisation_id=body.get("organisation_id"))
        api_key.key = plain_key  # only on this response object; never stored
        # Nor kept by any cache; Location names the key (to revoke it) without its secret.
        return api_key, {"Cache-Control": "no-store", "Location": f"{blp.url_prefix}/api-keys/{api_key.id}"}


@blp.route("/api-keys/<key_id>", methods=["DELETE"])
@blp.response(204)
def revoke(key_id):
    """Revoke an API key (admin, or the organisation owning it)"""
    service.revoke_api_key(transaction.session(), auth.require(), key_id)


@blp.route("/me")
@blp.response(200, WhoAmISchema)
def whoami():
    """The role and organisation of the calling key"""
    return auth.require()
