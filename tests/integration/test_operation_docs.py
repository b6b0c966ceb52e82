"""Every operation and parameter of the spec is described, and every request body has an
example that its schema accepts (schemathesis's examples phase sends them to the API too)."""

from __future__ import annotations

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from api import create_app
from api.request_examples import REQUEST_EXAMPLES

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def spec():
    return create_app({"DATABASE_URL": "sqlite://", "TESTING": True}).test_client().get("/openapi.json").get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, item, operation


def resolved(spec, node: dict) -> dict:
    if "$ref" in node:
        _, section, kind, name = node["$ref"].split("/")
        return spec[section][kind][name]
    return node


def test_every_operation_and_parameter_has_a_description(spec):
    missing = []
    for method, path, item, operation in operations(spec):
        if not operation.get("description"):
            missing.append(f"{method} {path}")
        for parameter in item.get("parameters", []) + operation.get("parameters", []):
            parameter = resolved(spec, parameter)
            if not parameter.get("description"):
                missing.append(f"{method} {path}: {parameter['in']} parameter {parameter['name']}")
    assert not missing, "\n".join(missing)


def test_every_request_body_has_an_example(spec):
    missing = [f"{operation['operationId']} ({method} {path})" for method, path, _, operation in operations(spec)
               if "requestBody" in operation
               and not all("example" in media or "examples" in media
                           for media in operation["requestBody"]["content"].values())]
    assert not missing, "add them to api/request_examples.py:\n" + "\n".join(missing)
    with_bodies = {operation["operationId"] for *_, operation in operations(spec) if "requestBody" in operation}
    assert set(REQUEST_EXAMPLES) == with_bodies  # no example for an operation that takes no body


def test_each_example_is_valid_for_its_body_schema(spec):
    registry = Registry().with_resource("urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012))
    for *_, operation in operations(spec):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            schema = {"$ref": "urn:spec" + media["schema"]["$ref"]}
            jsonschema.Draft202012Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker(
            )).validate(media["example"])
