import marshmallow as ma
from marshmallow import fields, validate

from .common import ResponseSchema

ROLES = ("admin", "buyer", "supplier")


class OrganisationCreateSchema(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    kind = fields.String(required=True, validate=validate.OneOf(("buyer", "supplier")))


class OrganisationSchema(OrganisationCreateSchema, ResponseSchema):
    id = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class OrganisationListSchema(ResponseSchema):
    items = fields.List(fields.Nested(OrganisationSchema))


class ApiKeyCreateSchema(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200), metadata={
        "description": "What the key is for, e.g. 'SAP Ariba connector'"})
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    organisation_id = fields.String(allow_none=True, metadata={
        "description": "Required for buyer and supplier keys (an organisation of that kind); "
                       "absent for admin keys"})


class ApiKeySchema(ResponseSchema):
    id = fields.String()
    name = fields.String()
    role = fields.String(validate=validate.OneOf(ROLES))
    organisation_id = fields.String(allow_none=True)
    prefix = fields.String(metadata={"description": "First characters of the key, to recognise it"})
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True, metadata={
        "description": "When the key last made a change (to the minute); reads are not recorded, "
                       "since a read never writes"})
    revoked_at = fields.DateTime(allow_none=True)


class IssuedApiKeySchema(ApiKeySchema):
    key = fields.String(metadata={"description": "The key itself: shown once, store it now"})


class ApiKeyListSchema(ResponseSchema):
    items = fields.List(fields.Nested(ApiKeySchema))


class ApiKeyQuerySchema(ma.Schema):
    organisation_id = fields.String(metadata={"description": "Only this organisation's keys"})


class WhoAmISchema(ResponseSchema):
    role = fields.String(validate=validate.OneOf(ROLES))
    organisation_id = fields.String(allow_none=True)
    key_id = fields.String()
