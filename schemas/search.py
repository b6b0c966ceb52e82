"""Search: query arguments and results."""

from __future__ import annotations

import math

import marshmallow as ma
from marshmallow import ValidationError, fields, validate, validates_schema

from .common import CursorQuerySchema, Integer, ResponseSchema

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
        "format": "place", "description": "A French place name or postal code instead of lat/lon, e.g. "
                                          "Cléon or 76410 (format `place`: one the gazetteer knows)"})

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
    certification_mode = fields.String(load_default="any", validate=validate.OneOf(MODES), metadata={
        "description": "'all': a supplier must hold every certification asked"})
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
    min_results = Integer(load_default=10, validate=validate.Range(1, 100), metadata={
        "description": "With local_first: how many suppliers the widening rings look for"})
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


class SiteHitSchema(ResponseSchema):
    city = fields.String()
    postal_code = fields.String(allow_none=True)
    country = fields.String()
    department = fields.String(allow_none=True)
    latitude = fields.Float()
    longitude = fields.Float()


class CertificationHitSchema(ResponseSchema):
    type = fields.String()
    valid_from = fields.String()
    valid_until = fields.String()
    valid_on_date = fields.Boolean(metadata={"description": "Valid on the search's valid_on date"})


class SupplierHitSchema(ResponseSchema):
    sometimes_absent = frozenset({"distance_km"})  # only when a point is given
    id = fields.String()
    name = fields.String()
    legal_name = fields.String()
    trade_name = fields.String(allow_none=True)
    capabilities = fields.List(fields.String(), metadata={"description": "Capabilities declared"})
    certifications = fields.List(fields.Nested(CertificationHitSchema))
    sectors = fields.List(fields.String())
    digital = fields.List(fields.String())
    employees = Integer(allow_none=True)
    size = fields.String(allow_none=True)
    sites = fields.List(fields.Nested(SiteHitSchema))
    updated_at = fields.String()
    distance_km = fields.Float(metadata={"description": "To the nearest site; only when a point is given"})
    highlights = fields.Dict(metadata={"description": "Matching words in <em>, per field"})


class FacetValueSchema(ResponseSchema):
    """A facet's value and count; labels for coded values, parent for capabilities, the band's
    bounds for distances."""

    sometimes_absent = frozenset({"label", "label_fr", "label_en", "parent", "from_km", "to_km"})
    value = fields.String()
    count = Integer()
    label = fields.String()
    label_fr = fields.String()
    label_en = fields.String()
    parent = fields.String(allow_none=True)
    from_km = Integer()
    to_km = Integer(allow_none=True)


class FacetsSchema(ResponseSchema):
    sometimes_absent = frozenset({"distance"})
    capability = fields.List(fields.Nested(FacetValueSchema), metadata={
        "description": "Every taxonomy node with at least one match, with its parent"})
    certification = fields.List(fields.Nested(FacetValueSchema))
    sector = fields.List(fields.Nested(FacetValueSchema))
    department = fields.List(fields.Nested(FacetValueSchema))
    size = fields.List(fields.Nested(FacetValueSchema))
    digital = fields.List(fields.Nested(FacetValueSchema))
    distance = fields.List(fields.Nested(FacetValueSchema), metadata={
        "description": "Distance bands to the nearest site (when a point is given)"})


class PointSchema(ResponseSchema):
    lat = fields.Float()
    lon = fields.Float()
    place = fields.String(allow_none=True, metadata={"description": "The place `near` resolved to"})


class DidYouMeanSchema(ResponseSchema):
    q = fields.String(metadata={"description": "The text with each misspelt word replaced by the "
                                               "nearest word of the trade (a wrong first letter too)"})
    total = Integer(metadata={"description": "How many suppliers that text finds (at least one)"})


class WithoutTextSchema(ResponseSchema):
    total = Integer(metadata={"description": "Suppliers matching the other parameters, `q` left out"})
    facets = fields.Nested(FacetsSchema, allow_none=True, metadata={
        "description": "Their facets; null when asked with facets=false"})


class SupplierSearchResultSchema(ResponseSchema):
    sometimes_absent = frozenset({"did_you_mean", "without_text"})
    total = Integer(metadata={"description": "Exact number of suppliers matching"})
    items = fields.List(fields.Nested(SupplierHitSchema))
    facets = fields.Nested(FacetsSchema, allow_none=True, metadata={
        "description": "Counts for each facet; null when asked with facets=false"})
    next_cursor = fields.String(allow_none=True)
    valid_on = fields.Date()
    point = fields.Nested(PointSchema, allow_none=True)
    radius_km = fields.Float(allow_none=True, metadata={
        "description": "The radius applied (with local_first: the ring chosen; null: unlimited)"})
    did_you_mean = fields.Nested(DidYouMeanSchema, metadata={
        "description": "Only when `q` matched nothing: a corrected `q` that finds suppliers, if there "
                       "is one"})
    without_text = fields.Nested(WithoutTextSchema, metadata={
        "description": "Only when `q` matched nothing: what the same search finds without `q`, so "
                       "that a user can widen it from there"})


# --- map clusters --------------------------------------------------------------------

MAX_ZOOM = 20


class BoundingBoxField(fields.String):
    """`min_lon,min_lat,max_lon,max_lat` in degrees, loaded as a dict of those four keys.

    min_lon > max_lon means the box crosses the antimeridian (e.g. 170,-20,-170,-10).
    """

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        parts = text.split(",")
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            numbers = []
        if len(parts) != 4 or len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
            raise ValidationError("Give four numbers separated by commas: min_lon,min_lat,max_lon,max_lat.")
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
            raise ValidationError("Longitudes must be between -180 and 180.")
        if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
            raise ValidationError("Latitudes must be between -90 and 90.")
        if min_lat >= max_lat:
            raise ValidationError("min_lat must be less than max_lat.")
        if min_lon == max_lon or (min_lon, max_lon) == (180, -180):
            raise ValidationError("The box has no width: min_lon and max_lon must differ "
                                  "(min_lon > max_lon crosses the antimeridian).")
        return {"min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat}


class SupplierClustersArgsSchema(SupplierFilterArgsSchema):
    bbox = BoundingBoxField(required=True, metadata={
        "description": "The map's bounding box: min_lon,min_lat,max_lon,max_lat in degrees "
                       "(WGS 84). min_lon greater than max_lon means the box crosses the "
                       "antimeridian.",
        "example": "-1.8,48.9,1.8,50.1"})
    zoom = Integer(required=True, validate=validate.Range(0, MAX_ZOOM), metadata={
        "description": "The map's zoom level; cells are tiles of zoom + 2 (a quarter of a map tile)"})


class CellBoundsSchema(ResponseSchema):
    min_lat = fields.Float()
    min_lon = fields.Float()
    max_lat = fields.Float()
    max_lon = fields.Float()


class ClusterCentroidSchema(ResponseSchema):
    lat = fields.Float()
    lon = fields.Float()


class ClusterCellSchema(ResponseSchema):
    key = fields.String(metadata={"description": "The Web Mercator tile, as zoom/x/y"})
    count = Integer(metadata={
        "description": "Suppliers matching with at least one site in this cell and in the box"})
    centroid = fields.Nested(ClusterCentroidSchema, metadata={
        "description": "Where to draw the marker: the centroid of the sites of the suppliers "
                       "counted, kept inside the cell"})
    bounds = fields.Nested(CellBoundsSchema, metadata={"description": "The cell's bounds in degrees"})


class SupplierClustersSchema(ResponseSchema):
    total = Integer(metadata={
        "description": "Suppliers matching with at least one site in the box (each counted once)"})
    cells = fields.List(fields.Nested(ClusterCellSchema), metadata={
        "description": "Cells with at least one supplier, most suppliers first. A supplier with "
                       "sites in several cells counts in each, so counts may add up to more "
                       "than total."})
    precision = Integer(metadata={"description": "Zoom level of the cells (tile zoom)"})


# --- suggestions as the user types ----------------------------------------------------

MAX_SUGGESTIONS = 20


class SuggestArgsSchema(ma.Schema):
    q = fields.String(required=True, validate=validate.Length(1, 100), metadata={
        "description": "What the user typed so far; case and accents do not matter"})
    limit = Integer(load_default=8, validate=validate.Range(1, MAX_SUGGESTIONS), metadata={
        "description": f"Suggestions per kind (1–{MAX_SUGGESTIONS})"})


class CapabilitySuggestionSchema(ResponseSchema):
    code = fields.String()
    label_fr = fields.String()
    label_en = fields.String()


class TermSuggestionSchema(ResponseSchema):
    term = fields.String(metadata={"description": "A word of the trade, as the vocabulary writes it"})
    synonyms = fields.List(fields.String(), metadata={
        "description": "Its synonyms and abbreviations, French and English (a search for the term finds "
                       "them too)"})


class SupplierSuggestionSchema(ResponseSchema):
    id = fields.String()
    name = fields.String(metadata={"description": "Display name (trade name, else legal name)"})


class PlaceSuggestionSchema(ResponseSchema):
    name = fields.String()
    postal_code = fields.String()
    department = fields.String(allow_none=True)
    lat = fields.Float()
    lon = fields.Float()


class SuggestionsSchema(ResponseSchema):
    q = fields.String(metadata={"description": "The text the suggestions are for"})
    capabilities = fields.List(fields.Nested(CapabilitySuggestionSchema), metadata={
        "description": "Taxonomy nodes whose French or English label has words starting with "
                       "the words typed; labels starting with them first"})
    terms = fields.List(fields.Nested(TermSuggestionSchema), metadata={
        "description": "Words of the trade (api/reference/data/vocabulary.json) whose words start with "
                       "the words typed, one per group of synonyms; terms starting with them first"})
    suppliers = fields.List(fields.Nested(SupplierSuggestionSchema), metadata={
        "description": "Suppliers whose trade or legal name starts with the text typed "
                       "(one per distinct name)"})
    places = fields.List(fields.Nested(PlaceSuggestionSchema), metadata={
        "description": "French places whose name starts with the text typed, or whose postal "
                       "code starts with the digits typed"})


# --- GeoJSON (Accept: application/geo+json) -------------------------------------------------


class GeoJsonPointSchema(ResponseSchema):
    type = fields.String(required=True, validate=validate.Equal("Point"))
    coordinates = fields.List(fields.Float(), required=True, validate=validate.Length(2, 2), metadata={
        "description": "[longitude, latitude] (GeoJSON order)"})


class SiteFeaturePropertiesSchema(ResponseSchema):
    supplier_id = fields.String(required=True)
    name = fields.String(required=True)
    city = fields.String(required=True)
    distance_km = fields.Float(allow_none=True, metadata={
        "description": "Distance from the search point to the supplier's nearest site (null without a point)"})


class SiteFeatureSchema(ResponseSchema):
    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.String(required=True, metadata={
        "description": "`<supplier id>/<site number>`: stable while the supplier's sites are"})
    geometry = fields.Nested(GeoJsonPointSchema, required=True)
    properties = fields.Nested(SiteFeaturePropertiesSchema, required=True)


class FeatureCollectionPropertiesSchema(ResponseSchema):
    total = fields.Integer(required=True, metadata={"description": "Suppliers matching (not features)"})
    next_cursor = fields.String(required=True, allow_none=True, metadata={
        "description": "Pass as `cursor` for the next page of suppliers; null on the last page"})


class SupplierFeatureCollectionSchema(ResponseSchema):
    """One Point feature per site of each supplier of the page."""

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Nested(SiteFeatureSchema), required=True)
    properties = fields.Nested(FeatureCollectionPropertiesSchema, required=True)
