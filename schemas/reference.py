"""Reference data: capability taxonomy, certification types, sectors, digital readiness."""

import marshmallow as ma
from marshmallow import fields, validate

from .common import Integer, ResponseSchema


class TaxonomyCapabilitySchema(ResponseSchema):
    """A node of the capability taxonomy in the flat view (a supplier's capability is another schema)."""

    code = fields.String(metadata={"description": "Dotted code, e.g. machining.milling.5axis"})
    parent = fields.String(allow_none=True, metadata={"description": "Parent code; null for a top-level area"})
    label_fr = fields.String(metadata={"description": "French label"})
    label_en = fields.String(metadata={"description": "English label"})
    depth = Integer(metadata={"description": "0 for a top-level area, 1 below it, and so on"})


class CapabilityNodeSchema(ResponseSchema):
    code = fields.String(metadata={"description": "Dotted code, e.g. machining.milling.5axis"})
    label_fr = fields.String(metadata={"description": "French label"})
    label_en = fields.String(metadata={"description": "English label"})
    children = fields.List(fields.Nested(lambda: CapabilityNodeSchema()),
                           metadata={"description": "Nodes directly below this one (empty for a leaf)"})


class CapabilitiesQueryArgsSchema(ma.Schema):

    view = fields.String(
        load_default="flat", validate=validate.OneOf(["flat", "tree"]),
        metadata={"description": "'flat': every node in one list, parents first; "
                                 "'tree': top-level areas with nested children (typed clients: use "
                                 "GET /api/v1/capabilities/tree)"},
    )


class CertificationTypeSchema(ResponseSchema):
    code = fields.String(metadata={"description": "Stable code, e.g. iso-9001"})
    name = fields.String(metadata={"description": "Display name, e.g. ISO 9001"})
    description = fields.String()
    sectors = fields.List(fields.String(), metadata={"description": "Codes of the sectors where it is common"})


class SectorSchema(ResponseSchema):
    code = fields.String(metadata={"description": "Stable code, e.g. automotive"})
    label_fr = fields.String(metadata={"description": "French label"})
    label_en = fields.String(metadata={"description": "English label"})


class DigitalCapabilitySchema(ResponseSchema):
    code = fields.String(metadata={"description": "Stable code, e.g. edi"})
    label_fr = fields.String(metadata={"description": "French label"})
    label_en = fields.String(metadata={"description": "English label"})
    description = fields.String()
