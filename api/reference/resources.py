"""Read-only reference data endpoints: public, cacheable, identical for every caller."""

from __future__ import annotations

from flask import jsonify

from schemas.reference import (CapabilitiesQueryArgsSchema, CapabilityNodeSchema, CertificationTypeSchema,
                               DigitalCapabilitySchema, SectorSchema, TaxonomyCapabilitySchema)

from ..blueprint import Blueprint
from ..request_context import public_for
from . import catalog

MAX_AGE = 3600  # seconds; the data only changes with a release

blp = Blueprint("reference", __name__, url_prefix="/api/v1",
                description="Reference data: capability taxonomy, certification types, sectors, "
                            "digital capabilities. Public and cacheable (ETag, Cache-Control).")


def cacheable(items, schema=None):
    """Tag the response with an ETag of the representation (304 when If-None-Match is current)
    and let clients and proxies cache it for an hour.

    The ETag hashes `items` dumped with `schema` (or `items` as given when already dumped), so it
    changes when either the data or the representation does. Returns the items as a list:
    flask-smorest would read a returned tuple as (body, status, headers).
    """
    public_for(MAX_AGE)  # registered first so that a 304 carries it too
    items = list(items)
    blp.set_etag(items, schema)
    return items


CAPABILITY_VIEWS = {"flat": (TaxonomyCapabilitySchema(many=True), catalog.capabilities),
                    "tree": (CapabilityNodeSchema(many=True), catalog.capability_tree)}


@blp.route("/capabilities")
@blp.etag
@blp.arguments(CapabilitiesQueryArgsSchema, location="query", as_kwargs=True)
@blp.response(200, {"oneOf": [{"type": "array", "items": TaxonomyCapabilitySchema},
                              {"type": "array", "items": CapabilityNodeSchema}]},
              description="A flat list of TaxonomyCapability (view=flat) or a tree of CapabilityNode (view=tree)")
def list_capabilities(view):
    """The capability taxonomy, labelled in French and English.

    `view=flat` (default) lists every node, parents before children; `view=tree`
    nests each node's children under it.
    """
    schema, load = CAPABILITY_VIEWS[view]
    return jsonify(cacheable(schema.dump(load())))


@blp.route("/capabilities/tree")
@blp.etag
@blp.response(200, CapabilityNodeSchema(many=True))
def capability_tree():
    """The capability taxonomy as a tree: top-level areas, each node with its children.

    The same as `/capabilities?view=tree`, with one response type, so that a client generated
    from the spec gets typed nodes and their `children`.
    """
    schema, load = CAPABILITY_VIEWS["tree"]
    return jsonify(cacheable(schema.dump(load())))


@blp.route("/certification-types")
@blp.etag
@blp.response(200, CertificationTypeSchema(many=True))
def list_certification_types():
    """Certification types a supplier can hold (ISO 9001, IATF 16949, EN 9100…)."""
    return cacheable(catalog.certification_types(), CertificationTypeSchema(many=True))


@blp.route("/sectors")
@blp.etag
@blp.response(200, SectorSchema(many=True))
def list_sectors():
    """Industrial sectors a supplier can serve."""
    return cacheable(catalog.sectors(), SectorSchema(many=True))


@blp.route("/digital-capabilities")
@blp.etag
@blp.response(200, DigitalCapabilitySchema(many=True))
def list_digital_capabilities():
    """Digital readiness capabilities (EDI, e-invoicing, API integration…)."""
    return cacheable(catalog.digital_capabilities(), DigitalCapabilitySchema(many=True))
