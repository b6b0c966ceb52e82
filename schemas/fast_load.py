"""`Schema.load` for many payloads: the fields' own code, without marshmallow's per-field machinery.

An import checks tens of thousands of rows through the API's schemas. On a valid row,
marshmallow's generic loop (an error store, a closure and a validator chain built per field
per call, nested schemas loaded through the whole of `load`) costs more than the fields'
work itself. `fast_loader(schema)` walks the schema once and returns a function that loads a
payload by calling each field's `_deserialize` and validators directly. At the first doubt
(any error, an unknown key, a missing required field) it hands the payload to `schema.load`,
so that every message is marshmallow's own; what it accepts, it returns exactly as
`schema.load` would. A schema with hooks it does not reproduce (pre_load, post_load, field
validators) is simply loaded by marshmallow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, missing
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.utils import is_collection

Loader = Callable[[Any], Any]
ValueLoader = Callable[[Any, Any, Any], Any]  # (value, key, payload) -> loaded value


class _Doubt(Exception):
    """The fast path does not vouch for this payload: marshmallow loads it."""


class _Unsupported(Exception):
    """A schema the fast path does not reproduce."""


def fast_loader(schema: Schema) -> Loader:
    """A function loading a payload as `schema.load` does (same result, same ValidationError)."""
    try:
        fast = _schema_loader(schema, schema.partial, schema.unknown)
    except _Unsupported:
        return schema.load

    def load(data):
        try:
            return fast(data)
        except (_Doubt, ValidationError):
            return schema.load(data)

    return load


def _schema_loader(schema: Schema, partial, unknown) -> Loader:
    if schema.many or any(schema._hooks[tag] for tag in (PRE_LOAD, POST_LOAD, VALIDATES)):
        raise _Unsupported
    if unknown not in (RAISE, EXCLUDE):
        raise _Unsupported
    partial_names = partial if is_collection(partial) else None
    steps = []
    for attr_name, field in schema.load_fields.items():
        key = field.data_key if field.data_key is not None else attr_name
        attribute = field.attribute or attr_name
        if "." in attribute:
            raise _Unsupported  # marshmallow's set_value would nest it
        skip_missing = partial is True or (partial_names is not None and attr_name in partial_names)
        kwargs = {}
        if partial_names is not None:  # as marshmallow passes partial loading down
            kwargs["partial"] = [name[len(attr_name) + 1:] for name in partial_names
                                 if name.startswith(attr_name + ".")]
        elif partial is not None:
            kwargs["partial"] = partial
        steps.append((key, attribute, skip_missing, field, _value_loader(field, kwargs)))
    known_keys = frozenset(key for key, *_ in steps)
    # Schema validators, those taking the collection first, as marshmallow runs them.
    validators = [(getattr(schema, name), hook_kwargs.get("pass_original", False))
                  for collection_first in (True, False)
                  for name, hook_many, hook_kwargs in schema._hooks[VALIDATES_SCHEMA]
                  if hook_many == collection_first]
    raise_unknown = unknown == RAISE

    def load(data):
        if type(data) is not dict or (raise_unknown and not known_keys.issuperset(data)):
            raise _Doubt
        result = {}
        for key, attribute, skip_missing, field, load_value in steps:
            value = data.get(key, missing)
            if value is missing:
                if skip_missing:
                    continue
                if field.required:
                    raise _Doubt
                default = field.load_default
                if default is not missing:
                    result[attribute] = default() if callable(default) else default
            elif value is None:
                if not field.allow_none:
                    raise _Doubt
                result[attribute] = None
            else:
                result[attribute] = load_value(value, key, data)
        for validator, pass_original in validators:
            arguments = (result, data) if pass_original else (result,)
            validator(*arguments, partial=partial, many=False, unknown=unknown)
        return result

    return load


def _value_loader(field: fields.Field, kwargs: dict) -> ValueLoader:
    """How a present, non-null value of `field` loads (`kwargs`: what marshmallow would pass)."""
    validators = field.validators
    if field.pre_load or field.post_load or type(field).deserialize is not fields.Field.deserialize:
        return lambda value, key, data: field.deserialize(value, key, data, **kwargs)
    if isinstance(field, fields.List) and type(field)._deserialize is fields.List._deserialize:
        load_item = _item_loader(field.inner, kwargs)

        def load_list(value, key, data):
            if type(value) is not list:
                raise _Doubt
            loaded = [load_item(each) for each in value]
            _validate(validators, loaded)
            return loaded

        return load_list
    if isinstance(field, fields.Nested) and type(field)._deserialize is fields.Nested._deserialize:
        schema = field.schema
        if field.many or not isinstance(schema, Schema):
            raise _Unsupported
        nested_partial = kwargs.get("partial", schema.partial)
        load_nested = _schema_loader(schema, nested_partial,
                                     field.unknown if field.unknown is not None else schema.unknown)

        def load_object(value, key, data):
            loaded = load_nested(value)
            _validate(validators, loaded)
            return loaded

        return load_object
    deserialize = field._deserialize

    def load_leaf(value, key, data):
        loaded = deserialize(value, key, data, **kwargs)
        _validate(validators, loaded)
        return loaded

    return load_leaf


def _item_loader(inner: fields.Field, kwargs: dict) -> Loader:
    load_value = _value_loader(inner, kwargs)

    def load_item(value):
        if value is None:
            if not inner.allow_none:
                raise _Doubt
            return None
        return load_value(value, None, None)

    return load_item


def _validate(validators, value) -> None:
    for validator in validators:
        if validator(value) is False:
            raise _Doubt  # marshmallow takes a plain function's False for a failure
