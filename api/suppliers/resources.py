"""Endpoints: /api/v1/suppliers."""

from __future__ import annotations

from datetime import datetime, timezone

from flask.views import MethodView
from werkzeug.routing import BaseConverter

from schemas.suppliers import (
    SupplierCreateSchema,
    SupplierHistorySchema,
    SupplierListQuerySchema,
    SupplierPageSchema,
    SupplierPatchSchema,
    SupplierSchema,
    SupplierWriteSchema,
)

from .. import auth, transaction
from ..blueprint import Blueprint
from ..idempotency import idempotent
from ..models import Supplier
from ..pagination import decode_cursor, encode_cursor, invalid_cursor, next_page
from . import service

class SupplierIdConverter(BaseConverter):
    """Any path segment but `export`: GET /api/v1/suppliers/export is its own operation, and
    must not also answer (or advertise in Allow) PUT, PATCH and DELETE as a supplier id."""

    regex = r"(?!export$)[^/]+"


blp = Blueprint("suppliers", __name__, url_prefix="/api/v1/suppliers",
                description="Supplier profiles. Anyone reads the public profile; contacts are shown "
                            "to buyers, admins and the owner. The owning supplier or an admin "
                            "updates it, with If-Match carrying the ETag from the last read.")


class WithoutContacts:
    """The public face of a profile: every attribute but the contacts (personal data)."""

    def __init__(self, supplier: Supplier):
        self._supplier = supplier

    def __getattr__(self, name):
        if name == "contacts":
            raise AttributeError(name)
        return getattr(self._supplier, name)


def present(supplier: Supplier):
    if service.can_see_contacts(auth.current(), supplier):
        return supplier
    return WithoutContacts(supplier)


def version_tag(supplier: Supplier) -> dict:
    """The ETag's data: the version, and which representation the caller gets (the public
    profile and the one with contacts are different bodies, so they need different tags)."""
    return {"id": supplier.id, "version": supplier.version,
            "contacts": service.can_see_contacts(auth.current(), supplier)}


def editable(supplier_id: str) -> Supplier:
    """The supplier, if the caller may change it (401/403/404 otherwise)."""
    supplier = service.editable_supplier(transaction.session(), auth.current(), supplier_id)
    blp.check_etag(version_tag(supplier))
    return supplier


def updated(supplier_id: str, body: dict, *, replace: bool) -> Supplier:
    supplier = service.update_supplier(transaction.session(), editable(supplier_id), body, auth.current(),
                                       replace=replace)
    blp.set_etag(version_tag(supplier))
    return supplier


@blp.route("")
class Suppliers(MethodView):
    @blp.arguments(SupplierListQuerySchema, location="query")
    @blp.response(200, SupplierPageSchema)
    def get(self, query):
        """List suppliers, oldest change first; follow next_cursor, or pass updated_since to sync"""
        position = decode_cursor(query.get("cursor"), str, str)
        after = None
        if position is not None:
            try:
                moment = datetime.fromisoformat(position[0])
                if moment.tzinfo is None:  # this API only issues UTC instants
                    raise ValueError(position[0])
                after = (moment.astimezone(timezone.utc), position[1])
            except (ValueError, OverflowError):
                invalid_cursor()
        page_size = query["page_size"]
        suppliers = service.list_suppliers(transaction.session(), updated_since=query.get("updated_since"),
                                           after=after, limit=page_size)
        last = suppliers[-1] if len(suppliers) == page_size else None
        return {"items": [present(s) for s in suppliers],
                "next_cursor": next_page(encode_cursor([last.updated_at.isoformat(), last.id]) if last else None)}

    @idempotent
    @blp.etag
    @blp.arguments(SupplierCreateSchema)
    @blp.response(201, SupplierSchema)
    def post(self, body):
        """Create a supplier profile (admin), optionally linked to a supplier organisation"""
        principal = auth.require("admin")
        supplier = service.create_supplier(transaction.session(), body, principal)
        blp.set_etag(version_tag(supplier))
        return supplier, {"Location": f"{blp.url_prefix}/{supplier.id}"}


@blp.route("/<supplier_id:supplier_id>")
class SupplierResource(MethodView):
    @blp.etag
    @blp.response(200, SupplierSchema)
    def get(self, supplier_id):
        """Get a supplier profile (contacts only for buyers, admins and the owner)"""
        supplier = service.get_supplier(transaction.session(), supplier_id)
        blp.set_etag(version_tag(supplier))
        return present(supplier)

    @blp.etag
    @blp.arguments(SupplierWriteSchema)
    @blp.response(200, SupplierSchema)
    def put(self, body, supplier_id):
        """Replace the whole profile (owner or admin; If-Match required)"""
        return updated(supplier_id, body, replace=True)

    @blp.etag
    @blp.arguments(SupplierPatchSchema)
    @blp.response(200, SupplierSchema)
    def patch(self, body, supplier_id):
        """Change some fields of the profile (owner or admin; If-Match required)"""
        return updated(supplier_id, body, replace=False)

    @blp.etag
    @blp.response(204)
    def delete(self, supplier_id):
        """Delete a supplier profile (admin; If-Match required); its history is kept"""
        principal = auth.require("admin")
        supplier = service.get_supplier(transaction.session(), supplier_id)
        blp.check_etag(version_tag(supplier))
        service.delete_supplier(transaction.session(), supplier, principal)


@blp.route("/<supplier_id:supplier_id>/history")
@blp.response(200, SupplierHistorySchema)
def supplier_history(supplier_id):
    """Who changed what and when (owner or admin)"""
    return {"items": service.history(transaction.session(), auth.current(), supplier_id)}
