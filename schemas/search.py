"""Search: query arguments and results."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import ValidationError, fields, validate, validates_schema

from .common import CursorQuerySchema

SORTS = ("relevance", "distance", "name", "updated")
SIZES = ("micro", "small", "medium", "large")
MODES = ("any", "all")
MAX_RADIUS_KM = 5000


def repeatable(description: str, **kwargs) -> fields.List:
    return fields.List(fields.String(validate=validate.Length(1, 100)), load_default=list,
                       validate=validate.Length(max=50), metadata={
                           "description": description + " Repeat the parameter for several values "
                                                        "(any of them matches)."}, **kwargs)


class GeoArgsSchema(ma.Schema):
    """Where to search from: a point (lat + lon) or a French place (near)."""

    lat = fields.Float(validate=validate.Range(-90, 90), metadata={"description": "Latitude of the point"})
    lon = fields.Float(validate=validate.Range(-180, 180), metadata={"description": "Longitude"})
    near = fields.String(validate=validate.Length(1, 100), metadata={
        "description": "A French place name or postal code instead of lat/lon, e.g. Cléon or 76410"})

    @validates_schema
    def check_point(self, data, **kwargs):
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("Give both lat and lon.", "lat" if "lat" not in data else "lon")
        if "near" in data and "lat" in data:
            raise ValidationError("Give either near or lat/lon, not both.", "near")


class SupplierFilterArgsSchema(GeoArgsSchema):
    q = fields.String(validate=validate.Length(1, 200), metadata={
        "description": "Free text over names, descriptions, capability labels (French and English) "
                       "and cities; accents, case and plurals do not matter, one typo is tolerated "
                       "in words of five letters or more."})
    capability = repeatable("Capability code; a parent code matches all its descendants.")
    capability_mode = fields.String(load_default="any", validate=validate.OneOf(MODES), metadata={
        "description": "'all': a supplier must have every capability asked"})
    certification = repeatable("Certification type code, held and valid on valid_on.")
    certification_mode = fields.String(load_default="any", validate=validate.OneOf(MODES))
    valid_on = fields.Date(metadata={"description": "Date certifications must be valid on (default: today)"})
    sector = repeatable("Sector code.")
    country = repeatable("ISO country code of a site.")
    department = repeatable("French department code of a site, e.g. 76.")
    size = fields.List(fields.String(validate=validate.OneOf(SIZES)), load_default=list, metadata={
        "description": "EU SME size band: micro (<10), small (<50), medium (<250), large"})
    digital = repeatable("Digital-readiness code.")
    radius_km = fields.Float(validate=validate.Range(min=0, max=MAX_RADIUS_KM, min_inclusive=False),
                             metadata={"description": "Only suppliers whose nearest site is this close"})

    @validates_schema
    def check_radius(self, data, **kwargs):
        if "radius_km" in data and not ("lat" in data or "near" in data):
            raise ValidationError("radius_km needs a point: lat and lon, or near.", "radius_km")


class SupplierSearchArgsSchema(SupplierFilterArgsSchema, CursorQuerySchema):
    local_first = fields.Boolean(load_default=False, metadata={
        "description": "Widen the radius in rings (25, 50, 100, 200, 500 km, then unlimited) until "
                       "at least min_results suppliers match"})
    min_results = fields.Integer(load_default=10, validate=validate.Range(1, 100))
    sort = fields.String(validate=validate.OneOf(SORTS), metadata={
        "description": "Default: relevance with q, distance with a point and no q, else name"})
    facets = fields.Boolean(load_default=True, metadata={"description": "Compute facet counts"})

    @validates_schema
    def check_local_first(self, data, **kwargs):
        has_point = "lat" in data or "near" in data
        if data.get("local_first") and not has_point:
            raise ValidationError("local_first needs a point: lat and lon, or near.", "local_first")
        if data.get("local_first") and "radius_km" in data:
            raise ValidationError("local_first chooses the radius itself: leave out radius_km.", "radius_km")
        if data.get("sort") == "distance" and not has_point:
            raise ValidationError("Sorting by distance needs a point: lat and lon, or near.", "sort")


class SiteHitSchema(ma.Schema):
    city = fields.String()
    postal_code = fields.String(allow_none=True)
    country = fields.String()
    department = fields.String(allow_none=True)
    latitude = fields.Float()
    longitude = fields.Float()


class CertificationHitSchema(ma.Schema):
    type = fields.String()
    valid_from = fields.String()
    valid_until = fields.String()
    valid_on_date = fields.Boolean(metadata={"description": "Valid on the search's valid_on date"})


class SupplierHitSchema(ma.Schema):
    id = fields.String()
    name = fields.String()
    legal_name = fields.String()
    trade_name = fields.String(allow_none=True)
    capabilities = fields.List(fields.String(), metadata={"description": "Capabilities declared"})
    certifications = fields.List(fields.Nested(CertificationHitSchema))
    sectors = fields.List(fields.String())
    digital = fields.List(fields.String())
    employees = fields.Integer(allow_none=True)
    size = fields.String(allow_none=True)
    sites = fields.List(fields.Nested(SiteHitSchema))
    updated_at = fields.String()
    distance_km = fields.Float(metadata={"description": "To the nearest site, when a point is given"})
    highlights = fields.Dict(metadata={"description": "Matching words in <em>, per field"})


class FacetValueSchema(ma.Schema):
    value = fields.String()
    count = fields.Integer()
    label = fields.String()
    label_fr = fields.String()
    label_en = fields.String()
    parent = fields.String(allow_none=True)
    from_km = fields.Integer()
    to_km = fields.Integer(allow_none=True)


class FacetsSchema(ma.Schema):
    capability = fields.List(fields.Nested(FacetValueSchema), metadata={
        "description": "Every taxonomy node with at least one match, with its parent"})
    certification = fields.List(fields.Nested(FacetValueSchema))
    sector = fields.List(fields.Nested(FacetValueSchema))
    department = fields.List(fields.Nested(FacetValueSchema))
    size = fields.List(fields.Nested(FacetValueSchema))
    digital = fields.List(fields.Nested(FacetValueSchema))
    distance = fields.List(fields.Nested(FacetValueSchema), metadata={
        "description": "Distance bands to the nearest site (when a point is given)"})


class PointSchema(ma.Schema):
    lat = fields.Float()
    lon = fields.Float()
    place = fields.String(allow_none=True, metadata={"description": "The place `near` resolved to"})


class SupplierSearchResultSchema(ma.Schema):
    total = fields.Integer(metadata={"description": "Exact number of suppliers matching"})
    items = fields.List(fields.Nested(SupplierHitSchema))
    facets = fields.Nested(FacetsSchema)
    next_cursor = fields.String(allow_none=True)
    valid_on = fields.Date()
    point = fields.Nested(PointSchema, allow_none=True)
    radius_km = fields.Float(allow_none=True, metadata={
        "description": "The radius applied (with local_first: the ring chosen; null: unlimited)"})
