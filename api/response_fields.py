"""The spec marks the fields of every response schema required, but those it declares
sometimes absent (schemas.common.ResponseSchema): a client generated from openapi.yaml
then types them as always there. Request schemas keep only the fields they require."""

from __future__ import annotations

from apispec import BasePlugin
from apispec.ext.marshmallow.common import resolve_schema_instance

from schemas.common import ResponseSchema


class AlwaysPresentFields(BasePlugin):
    def schema_helper(self, name, definition, **kwargs) -> dict:
        schema = kwargs.get("schema")
        if schema is None:
            return definition
        schema = resolve_schema_instance(schema)
        if isinstance(schema, ResponseSchema):
            definition["required"] = [
                field.data_key or key for key, field in schema.dump_fields.items()
                if key not in schema.sometimes_absent]
        return definition
