"""Bounded fuzz run: generated bodies (from each write schema's fields, and junk JSON) against
every operation that takes a body, with an admin key; no answer may be a 5xx."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import issue_admin_key

BODY_METHODS = {"POST", "PUT", "PATCH"}
FIELD_NAMES = sorted({
    name for module in ("accounts", "rfqs", "suppliers", "admin")
    for schema in vars(__import__(f"schemas.{module}", fromlist=["_"])).values()
    if isinstance(schema, type) and hasattr(schema, "_declared_fields")
    for name in schema._declared_fields})

scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
           | st.sampled_from(["1e20", "12.50", "\ud800", "a\x00b", "", "NaN", "2020-01-01", "FR", "EUR"])
           | st.text(max_size=20))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
bodies = st.dictionaries(st.sampled_from(FIELD_NAMES), junk, max_size=8) | junk


def body_routes(app) -> list[tuple[str, str]]:
    return sorted({(method, re.sub(r"<[^>]+>", "x", rule.rule)) for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/api/v1") for method in rule.methods & BODY_METHODS})


def test_no_generated_body_gets_a_5xx(app, client):
    admin = issue_admin_key(app)
    routes = body_routes(app)

    @settings(max_examples=2000, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(route=st.sampled_from(routes), body=bodies, depth=st.sampled_from([0, 0, 0, 40, 5000]))
    def check(route, body, depth):
        method, path = route
        raw = "[" * depth + json.dumps(body) + "]" * depth
        response = client.open(path, method=method, data=raw.encode("utf-8", "surrogatepass"),
                               headers={**admin.headers, "If-Match": "*"}, content_type="application/json")
        assert response.status_code < 500, (method, path, raw[:200], response.get_data()[:300])

    check()
