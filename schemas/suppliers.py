"""Supplier profiles: what a client sends and what it gets back.

Format rules live here (checksums, country codes, ranges, lengths); rules that
need the reference data or the database (known codes, geocoding, duplicate
SIRET) live in the service.
"""

from __future__ import annotations

import re
from datetime import date

import marshmallow as ma
import pycountry
import stdnum.exceptions
from marshmallow import ValidationError, fields, validate, validates_schema
from stdnum.eu import vat
from stdnum.fr import siren, siret

from .common import (
    ACTOR_ROLES,
    CursorPageSchema,
    CursorQuerySchema,
    Integer,
    ResponseSchema,
    representable_in_utc,
)

FRENCH_POSTAL_CODE = re.compile(r"^[0-9]{5}$")
# An http(s) URL with a domain name, in the characters RFC 3986 allows in a path and a query
# (no IRI, no fragment):
# marshmallow's URL validator alone lets other characters through, which `format: uri` forbids.
WEBSITE_PATTERN = (r"^https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}"
                   r"(?::[0-9]{1,5})?(?:/|[/?](?:[A-Za-z0-9\-._~:/?@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)?$")
NAF_CODE = re.compile(r"^([0-9]{2})\.?([0-9]{2}[A-Z])$")


class CheckedNumber(fields.String):
    """An identifier checked and normalised by python-stdnum (SIRET, SIREN, VAT).

    Its check digits cannot be a pattern: the spec names them with a `format` of their own
    (`siret`, `siren`, `vat`), explained in the description, besides the pattern of its shape."""

    def __init__(self, module, label: str, *, spec_format: str, pattern: str, description: str, **kwargs):
        super().__init__(**kwargs, metadata={
            "format": spec_format, "pattern": pattern,
            "description": f"{description} (format `{spec_format}`: the check digits must be right)"})
        self.module, self.label = module, label

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.module.validate(text)  # the compact form: checked and compacted at once
        except stdnum.exceptions.ValidationError as error:
            raise ValidationError(f"Not a valid {self.label} (check the digits and the checksum).") from error


class CountryCode(fields.String):
    """ISO 3166-1 alpha-2, stored upper case (lower case is accepted)."""

    spec_component = "CountryCode"

    @staticmethod
    def spec_schema() -> dict:
        return {"type": "string", "description": "An ISO 3166-1 alpha-2 country code, e.g. FR",
                "enum": sorted(country.alpha_2 for country in pycountry.countries)}

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).upper()
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            raise ValidationError("Not an ISO 3166-1 alpha-2 country code (e.g. FR, DE).")
        return code


class NafCode(fields.String):
    """French NAF rev. 2 activity code, normalised to the 25.62B form."""

    def _deserialize(self, value, attr, data, **kwargs):
        match = NAF_CODE.match(super()._deserialize(value, attr, data, **kwargs).strip().upper())
        if not match:
            raise ValidationError("Not a NAF code (expected the form 25.62B).")
        return f"{match.group(1)}.{match.group(2)}"


def code_field(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(1, 100), **kwargs)


def text(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(1, max_length), **kwargs)


def optional_text(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), allow_none=True, **kwargs)


class SiteSchema(ma.Schema):
    name = optional_text(200)
    address = optional_text(300)
    postal_code = optional_text(16)
    city = text(120, required=True)
    country = CountryCode(load_default="FR", metadata={"description": "ISO 3166-1 alpha-2"})
    latitude = fields.Float(allow_none=True, validate=validate.Range(-90, 90), metadata={
        "description": "Omit latitude and longitude to have them found from the city and postal code"})
    longitude = fields.Float(allow_none=True, validate=validate.Range(-180, 180))
    department = fields.String(dump_only=True, metadata={
        "description": "French department code, derived from the postal code"})

    @validates_schema
    def check_site(self, data, **kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError("Give both latitude and longitude, or neither.", "latitude")
        postal_code = data.get("postal_code")
        if data.get("country", "FR") == "FR" and postal_code and not FRENCH_POSTAL_CODE.match(postal_code):
            raise ValidationError("A French postal code has five digits.", "postal_code")


class CapabilitySchema(ma.Schema):
    code = code_field(required=True, metadata={
        "description": "A code of the capability taxonomy (GET /api/v1/capabilities)"})
    materials = fields.List(text(100), validate=validate.Length(max=30), load_default=list)
    max_part_size = optional_text(100, metadata={"description": "e.g. 1200 x 800 x 600 mm"})
    tolerance = optional_text(100, metadata={"description": "e.g. ±0.01 mm"})
    capacity = optional_text(200, metadata={"description": "Yearly capacity, e.g. 200,000 parts"})


class CertificationSchema(ma.Schema):
    type = fields.String(required=True, validate=validate.Length(1, 50), metadata={
        "description": "A certification type code (GET /api/v1/certification-types)"})
    number = optional_text(100)
    issuing_body = optional_text(200)
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    scope = optional_text(500)

    @validates_schema
    def check_dates(self, data, **kwargs):
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            raise ValidationError("valid_until cannot be before valid_from.", "valid_until")


class ContactSchema(ma.Schema):
    name = text(200, required=True)
    role = optional_text(200)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=validate.Regexp(
        r"^\+?[0-9 ().-]{6,30}$", error="Not a phone number."))


class SupplierWriteSchema(ma.Schema):
    """A whole profile, as sent to create (POST) or replace (PUT) it."""

    legal_name = text(200, required=True)
    trade_name = optional_text(200)
    country = CountryCode(load_default="FR", metadata={"description": "Country of registration"})
    siret = CheckedNumber(siret, "SIRET", spec_format="siret", pattern=r"^[0-9]{14}$", allow_none=True,
                          description="14 digits, Luhn-checked; a French company gives its SIRET or SIREN")
    siren = CheckedNumber(siren, "SIREN", spec_format="siren", pattern=r"^[0-9]{9}$", allow_none=True,
                          description="9 digits, Luhn-checked")
    vat_number = CheckedNumber(vat, "EU VAT number", spec_format="vat", pattern=r"^[A-Z]{2}[0-9A-Z+*]{2,12}$",
                               allow_none=True, description="EU VAT number with its country prefix, "
                                                            "e.g. FR40303265045, checked per country")
    naf_code = NafCode(allow_none=True, metadata={"description": "NAF/NACE activity code, e.g. 25.62B",
                                                  "pattern": r"^[0-9]{2}\.?[0-9]{2}[A-Za-z]$"})
    website = fields.URL(
        allow_none=True, schemes={"http", "https"},
        validate=[validate.Length(max=500),
                  validate.Regexp(WEBSITE_PATTERN, error="Not an http(s) URL with a domain name.")],
        metadata={"format": "uri", "pattern": WEBSITE_PATTERN,
                  "description": "An http or https URL with a domain name; null for none"})
    description = optional_text(5000)
    employees = Integer(allow_none=True, validate=validate.Range(0, 1_000_000))
    founded_year = Integer(allow_none=True, validate=validate.Range(1800, date.today().year))
    sites = fields.List(fields.Nested(SiteSchema), required=True, validate=validate.Length(1, 50))
    sectors = fields.List(code_field(), load_default=list, validate=validate.Length(max=30))
    capabilities = fields.List(fields.Nested(CapabilitySchema), load_default=list,
                               validate=validate.Length(max=200))
    certifications = fields.List(fields.Nested(CertificationSchema), load_default=list,
                                 validate=validate.Length(max=100))
    digital = fields.List(code_field(), load_default=list, validate=validate.Length(max=30), metadata={
        "description": "Digital-readiness codes (GET /api/v1/digital-capabilities)"})
    contacts = fields.List(fields.Nested(ContactSchema), load_default=list,
                           validate=validate.Length(max=50), metadata={
                               "description": "Personal data: shown to buyers, admins and the owner only"})


class SupplierCreateSchema(SupplierWriteSchema):
    organisation_id = fields.String(allow_none=True, metadata={
        "description": "A supplier organisation whose API keys may then edit this profile"})


class SupplierPatchSchema(SupplierWriteSchema):
    """Any subset of the profile's fields; each one sent replaces the stored value
    (lists included). Items inside a list are validated in full."""

    def __init__(self, **kwargs):
        # A tuple (not True) keeps nested items fully validated.
        super().__init__(partial=tuple(SupplierWriteSchema._declared_fields), **kwargs)


class SiteViewSchema(SiteSchema, ResponseSchema):
    """A site as the API shows it (its request form requires only the city)."""


class CapabilityViewSchema(CapabilitySchema, ResponseSchema):
    """A declared capability as the API shows it."""


class CertificationViewSchema(CertificationSchema, ResponseSchema):
    """A certification as the API shows it."""


class ContactViewSchema(ContactSchema, ResponseSchema):
    """A contact as the API shows it."""


class SupplierSchema(SupplierWriteSchema, ResponseSchema):
    sometimes_absent = frozenset({"contacts"})  # personal data: left out for anonymous and other suppliers' keys
    sites = fields.List(fields.Nested(SiteViewSchema))
    capabilities = fields.List(fields.Nested(CapabilityViewSchema))
    certifications = fields.List(fields.Nested(CertificationViewSchema))
    contacts = fields.List(fields.Nested(ContactViewSchema), metadata={
        "description": "Personal data: shown to buyers, admins and the owner only (absent otherwise)"})
    id = fields.String(dump_only=True)
    organisation_id = fields.String(dump_only=True, allow_none=True)
    version = Integer(dump_only=True, metadata={"description": "Increases with every change"})
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class SupplierListQuerySchema(CursorQuerySchema):
    updated_since = fields.AwareDateTime(validate=representable_in_utc, metadata={
        "description": "Only suppliers changed at or after this instant (ISO 8601 with zone)"})


class SupplierPageSchema(CursorPageSchema):
    items = fields.List(fields.Nested(SupplierSchema))


class SupplierChangeSchema(ResponseSchema):
    version = Integer()
    action = fields.String(validate=validate.OneOf(("created", "updated", "deleted")), metadata={
        "description": "created, updated or deleted"})
    changed_at = fields.DateTime()
    actor_role = fields.String(allow_none=True, validate=validate.OneOf(ACTOR_ROLES))
    actor_organisation_id = fields.String(allow_none=True)
    actor_key_id = fields.String(allow_none=True)
    import_id = fields.String(allow_none=True, metadata={
        "description": "The spreadsheet import that made the change (GET /api/v1/imports/{id}), if any"})
    changes = fields.Dict(metadata={"description": "Changed fields: {field: {from, to}}"})


class SupplierHistorySchema(ResponseSchema):
    items = fields.List(fields.Nested(SupplierChangeSchema))
