"""Nothing the spec allows for a constrained field is refused: values drawn from the spec's
own schema of each field (its enum, pattern, bounds and format) are accepted by the field
the server loads it with. (Schemathesis's run cannot tell: those operations also refuse
schema-valid bodies by rules beyond a schema, see test_schemathesis.RULES.)"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from integration.spec_formats import FORMATS
from marshmallow import ValidationError

from api import create_app
from schemas.rfqs import QuoteWriteSchema, RfqWriteSchema
from schemas.search import SupplierSearchArgsSchema
from schemas.suppliers import SiteSchema, SupplierWriteSchema

# (component or operation parameter, property, the marshmallow schema holding the field)
FIELDS = [
    ("SupplierWrite", "country", SupplierWriteSchema), ("SupplierWrite", "siret", SupplierWriteSchema),
    ("SupplierWrite", "siren", SupplierWriteSchema), ("SupplierWrite", "vat_number", SupplierWriteSchema),
    ("SupplierWrite", "naf_code", SupplierWriteSchema), ("SupplierWrite", "website", SupplierWriteSchema),
    ("SupplierWrite", "employees", SupplierWriteSchema), ("Site", "country", SiteSchema),
    ("Site", "latitude", SiteSchema), ("RfqWrite", "quantity", RfqWriteSchema),
    ("RfqWrite", "budget", RfqWriteSchema), ("RfqWrite", "max_distance_km", RfqWriteSchema),
    ("RfqWrite", "currency", RfqWriteSchema), ("QuoteWrite", "unit_price", QuoteWriteSchema),
    ("QuoteWrite", "quantity", QuoteWriteSchema), ("QuoteWrite", "currency", QuoteWriteSchema),
    ("QuoteWrite", "lead_time_days", QuoteWriteSchema),
    ("searchSuppliers", "radius_km", SupplierSearchArgsSchema), ("searchSuppliers", "page_size", SupplierSearchArgsSchema),
]


@pytest.fixture(scope="module")
def spec():
    return create_app({"DATABASE_URL": "sqlite://", "TESTING": True}).test_client().get("/openapi.json").get_json()


def property_schema(spec: dict, owner: str, name: str) -> dict:
    if owner in spec["components"]["schemas"]:
        return spec["components"]["schemas"][owner]["properties"][name]
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == owner:
                return next(p["schema"] for p in operation["parameters"] if p.get("name") == name)
    raise KeyError(owner)


def values(spec: dict, schema: dict) -> st.SearchStrategy:
    """What the JSON schema allows, for the keywords the API's spec uses."""
    if "$ref" in schema:
        return values(spec, spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    allowed = st.none() if "null" in types else st.nothing()
    if "string" in types:
        if schema.get("format") in FORMATS:
            text = FORMATS[schema["format"]]
        elif "pattern" in schema:
            text = st.from_regex(schema["pattern"], fullmatch=True)
        else:
            text = st.text(min_size=schema.get("minLength", 0), max_size=schema.get("maxLength", 50))
        allowed |= text.filter(lambda value: schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", math.inf))
    if "number" in types:
        allowed |= st.floats(min_value=schema.get("minimum", schema.get("exclusiveMinimum")),
                             max_value=schema.get("maximum", schema.get("exclusiveMaximum")),
                             exclude_min="exclusiveMinimum" in schema, exclude_max="exclusiveMaximum" in schema,
                             allow_nan=False)
    if "integer" in types:
        allowed |= st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    return allowed


@pytest.mark.parametrize(("owner", "name", "schema_class"), FIELDS, ids=[f"{o}.{n}" for o, n, _ in FIELDS])
def test_every_value_the_spec_allows_is_accepted(spec, owner, name, schema_class):
    field = schema_class().fields[name]

    @settings(max_examples=200, deadline=None, database=None)
    @given(value=values(spec, property_schema(spec, owner, name)))
    def accepted(value):
        try:
            field.deserialize(value)
        except ValidationError as error:
            raise AssertionError(f"{owner}.{name} = {value!r} is allowed by the spec, refused: {error.messages}")

    accepted()
