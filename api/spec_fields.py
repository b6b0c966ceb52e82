"""How fields appear in the spec where apispec's own conversion says less than the server checks.

- A Range that excludes its bound (a distance must be more than 0) is an `exclusiveMinimum`
  or `exclusiveMaximum` (OpenAPI 3.1's numeric form); apispec writes an inclusive `minimum`.
- A field whose values form a named set (ISO 3166 countries, ISO 4217 currencies) refers to
  one component holding the enum (`spec_component` on the field's class), so a generated
  client gets one enum type and the spec does not repeat 250 codes at every use.
"""

from __future__ import annotations

from marshmallow import validate


def init_spec(api) -> None:
    spec = api.spec
    converter = api.ma_plugin.converter

    def exclusive_bounds(_converter, field, ret, **kwargs) -> dict:
        for validator in field.validators:
            if isinstance(validator, validate.Range):
                if validator.min is not None and not validator.min_inclusive and "minimum" in ret:
                    ret["exclusiveMinimum"] = ret.pop("minimum")
                if validator.max is not None and not validator.max_inclusive and "maximum" in ret:
                    ret["exclusiveMaximum"] = ret.pop("maximum")
        return {}

    def named_set(_converter, field, ret, **kwargs) -> dict:
        name = getattr(field, "spec_component", None)
        if name is None:
            return {}
        if name not in spec.components.schemas:
            spec.components.schema(name, field.spec_schema())
        ret.pop("type", None)
        return {"$ref": f"#/components/schemas/{name}"}

    converter.add_attribute_function(exclusive_bounds)
    converter.add_attribute_function(named_set)
