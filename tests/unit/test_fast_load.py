"""The fast loader gives what marshmallow's own `load` gives, on valid and broken payloads."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, post_load, validate

from api.generator.suppliers import Generator
from api.imports import columns, rows
from api.imports.service import Layout
from schemas.fast_load import _Doubt, _schema_loader, fast_loader
from schemas.suppliers import SupplierPatchSchema, SupplierWriteSchema

COUNTS = {"sites": 3, "capabilities": 4, "certifications": 4, "contacts": 2}
SCHEMAS = {"create": SupplierWriteSchema(), "patch": SupplierPatchSchema()}


def import_payloads(count: int) -> list[dict]:
    """Payloads as an import makes them, from generated suppliers written as template rows."""
    layout = Layout.of(columns.header("fr", COUNTS))
    payloads = []
    for drawn in Generator(11).suppliers(0, count):
        profile = {**drawn["supplier"], "id": None, **{key: drawn[key][:COUNTS[key]] for key in COUNTS}}
        payloads.append(rows.draft(layout.values(rows.cells_of(profile, COUNTS)), layout.shape).data)
    return payloads


PAYLOADS = import_payloads(40)
# Each draw is a copy: a shared list or dict, once placed in a payload, would be grown by later
# draws (changing what the strategy gives between examples) or placed inside itself (a cycle).
ODD_VALUES = st.sampled_from([None, "", " ", "x" * 301, "abc", "12", "-3", "1e400", "31/12/2026", "2026-02-30",
                              "2026-12-31", "FR", "fr", "ZZ", "76000", "7600", "https://example.fr", "ftp://x",
                              "a@b.fr", "+33 2 35 00 00 00", 0, 7, -1, 1.5, 10 ** 7, True, [], ["x"], {},
                              {"code": 1}]).map(copy.deepcopy)


def paths(value, prefix=()):
    """Every path into a payload (dict keys and list indexes)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


@st.composite
def broken_payloads(draw):
    """An import's payload with a few of its values replaced, deleted or added."""
    payload = copy.deepcopy(draw(st.sampled_from(PAYLOADS)))
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from([path for path in paths(payload) if path]))
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(ODD_VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "department", "latitude", "city", "sites"]))] = draw(ODD_VALUES)
        else:
            parent.append(draw(ODD_VALUES))
    return payload


def outcome(load, payload: dict):
    """What loading the payload gives: the data, or the error's messages."""
    try:
        return load(payload)
    except ValidationError as error:
        return ("invalid", error.messages)


@pytest.mark.parametrize("kind", SCHEMAS)
def test_valid_payloads_take_the_fast_path_and_load_as_marshmallow_loads_them(kind):
    schema = SCHEMAS[kind]
    fast = _schema_loader(schema, schema.partial, schema.unknown)
    for payload in PAYLOADS:
        expected = schema.load(copy.deepcopy(payload))
        assert fast(copy.deepcopy(payload)) == expected
    assert any(payload["sites"] and payload["capabilities"] and payload["certifications"] for payload in PAYLOADS)


@pytest.mark.parametrize("kind", SCHEMAS)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=broken_payloads())
def test_what_the_fast_path_accepts_is_what_marshmallow_returns_and_the_rest_is_marshmallows(kind, payload):
    schema = SCHEMAS[kind]
    expected = outcome(schema.load, copy.deepcopy(payload))
    untouched = copy.deepcopy(payload)
    try:
        assert _schema_loader(schema, schema.partial, schema.unknown)(payload) == expected
    except (_Doubt, ValidationError):
        pass  # marshmallow's turn
    assert payload == untouched
    assert outcome(fast_loader(schema), payload) == expected


def test_a_patch_leaves_out_the_missing_fields_and_a_create_gives_their_defaults():
    create, patch = fast_loader(SCHEMAS["create"]), fast_loader(SCHEMAS["patch"])
    payload = {"legal_name": "Forges", "sites": [{"city": "Rouen", "postal_code": "76000"}]}
    assert patch({"employees": 12}) == {"employees": 12}
    assert create(payload) == {"legal_name": "Forges", "country": "FR", "sectors": [], "capabilities": [],
                               "certifications": [], "digital": [], "contacts": [],
                               "sites": [{"city": "Rouen", "postal_code": "76000", "country": "FR"}]}
    with pytest.raises(ValidationError) as error:
        create({"sites": [{"city": "Rouen", "postal_code": "7600"}]})
    assert error.value.messages == {"legal_name": ["Missing data for required field."],
                                    "sites": {0: {"postal_code": ["A French postal code has five digits."]}}}


def test_a_schema_with_hooks_the_fast_path_does_not_reproduce_is_loaded_by_marshmallow():
    class Stamped(Schema):
        day = fields.Date(validate=validate.Range(min=date(2000, 1, 1)))

        @post_load
        def stamp(self, data, **kwargs):
            return {**data, "stamped": True}

    assert fast_loader(Stamped())({"day": "2026-12-31"}) == {"day": date(2026, 12, 31), "stamped": True}
