"""What the spec says of response fields holds for real answers: each field it marks required
is present, and each field present is declared (validated with undeclared properties refused).

Every read operation is called by every kind of caller on a staged RFQ story, and the test
fails if a response schema of the spec was met by no part of any answer, so a new one cannot
slip by untested."""

from __future__ import annotations

import copy
import re
from datetime import timedelta

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from integration.import_support import csv_bytes, upload
from integration.outbox_support import change_suppliers
from factories import create_supplier
from rfq_support import certificate, instant_feed, stage, today
from webhook_support import Receiver, deliver, dispatcher_for, webhook_path

METHODS = ("get", "post", "put", "patch", "delete")


def closed(spec: dict) -> dict:
    """The spec with every object schema refusing properties it does not declare."""
    spec = copy.deepcopy(spec)
    for schema in spec["components"]["schemas"].values():
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
    return spec


def absolute(node):
    """The schema with its $refs into the spec made absolute (the spec is registered as urn:spec)."""
    if isinstance(node, dict):
        return {key: ("urn:spec" + value if key == "$ref" else absolute(value)) for key, value in node.items()}
    if isinstance(node, list):
        return [absolute(value) for value in node]
    return node


def referenced(node, found: set[str]) -> set[str]:
    """Names of the component schemas reachable from `node` (through $refs)."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            referenced(value, found)
    elif isinstance(node, list):
        for value in node:
            referenced(value, found)
    return found


class Checker:
    def __init__(self, spec: dict):
        self.spec = closed(spec)
        self.registry = Registry().with_resource("urn:spec", Resource.from_contents(
            self.spec, default_specification=DRAFT202012))
        self.met: set[str] = set()
        self.errors: list[str] = []

    def operation(self, method: str, url: str) -> dict:
        for template, item in self.spec["paths"].items():
            if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), url.split("?")[0]):
                return item[method]
        raise AssertionError(f"no operation for {method} {url}")

    def check(self, method: str, url: str, response) -> None:
        declared = self.operation(method, url)["responses"].get(str(response.status_code))
        assert declared, f"{method} {url}: status {response.status_code} is not declared"
        declared = self.resolve(declared)
        if response.status_code == 304 or not response.data:
            return
        media = declared["content"][response.mimetype]["schema"]
        validator = jsonschema.Draft202012Validator(
            absolute(media), registry=self.registry, format_checker=jsonschema.FormatChecker())
        self.errors += [f"{method} {url}: {'.'.join(map(str, error.absolute_path))}: {error.message}"
                        for error in validator.iter_errors(response.get_json(force=True))]
        self.meet(media, response.get_json(force=True))

    def meet(self, schema: dict, value) -> None:
        """Note each component schema a part of `value` was validated against."""
        if value is None:
            return
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            self.met.add(name)
            self.meet(self.spec["components"]["schemas"][name], value)
        for alternative in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
            self.meet(alternative, value)
        if isinstance(value, dict):
            for key, item in value.items():
                if key in schema.get("properties", {}):
                    self.meet(schema["properties"][key], item)
        elif isinstance(value, list) and "items" in schema:
            for item in value:
                self.meet(schema["items"], item)

    def resolve(self, node: dict) -> dict:
        while "$ref" in node:
            _, section, kind, name = node["$ref"].split("/")
            node = self.spec[section][kind][name]
        return node

    def expand(self, node, seen=None) -> dict:
        """The schema with the names of every component it reaches, nested ones included."""
        seen = set() if seen is None else seen
        for name in referenced(node, set()) - seen:
            seen.add(name)
            self.expand(self.spec["components"]["schemas"][name], seen)
        return {"$refs": [{"$ref": f"#/components/schemas/{name}"} for name in seen]}


def response_schemas(spec: dict) -> set[str]:
    """Every component a 2xx answer of some operation can hold (nested ones included)."""
    checker = Checker(spec)
    names: set[str] = set()
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method in METHODS:
                for status, response in operation["responses"].items():
                    for media in checker.resolve(response).get("content", {}).values():
                        names |= referenced(checker.expand(media["schema"]), set())
    return names


@pytest.fixture()
def story(app, client, supplier_index, cast, monkeypatch):
    instant_feed(monkeypatch)
    awarded = stage(client, cast, "awarded")
    stage(client, cast, "draft")
    stage(client, cast, "published", quoting=("invited",))
    create_supplier(client, cast.admin, certifications=[certificate("iso-9001", today() + timedelta(days=1000))])
    certified = stage(client, cast, "published", quoting=(), required_certifications=["iso-9001"])
    change_suppliers(app, 1)  # left in the search outbox, for the admin's list
    supplier_index.refresh()
    return awarded, certified


def reads(cast, story) -> list[str]:
    awarded, certified = story
    rfq, quote = awarded.id, awarded.quotes["invited"]["id"]
    supplier = cast.supplier_id("invited")
    return [
        "/health", "/ready", "/api/v1/me", "/api/v1/organisations",
        f"/api/v1/organisations/{cast.buyer.organisation_id}", "/api/v1/api-keys",
        "/api/v1/capabilities", "/api/v1/capabilities?view=tree", "/api/v1/capabilities/tree",
        "/api/v1/certification-types", "/api/v1/sectors", "/api/v1/digital-capabilities",
        "/api/v1/suppliers", f"/api/v1/suppliers/{supplier}", f"/api/v1/suppliers/{supplier}/history",
        "/api/v1/search/suppliers", "/api/v1/search/suppliers?q=usinage&near=Cléon&radius_km=80",
        "/api/v1/search/suppliers?near=76410&local_first=true&sort=distance",
        "/api/v1/search/suppliers?q=qsinage",  # nothing found: did_you_mean and without_text
        "/api/v1/search/suppliers/clusters?bbox=-1.8,48.9,1.8,50.1&zoom=6",
        "/api/v1/search/suggest?q=cl", "/api/v1/search/suggest?q=inv",
        "/api/v1/rfqs", f"/api/v1/rfqs/{rfq}", f"/api/v1/rfqs/{rfq}/matches?include_partial=true",
        f"/api/v1/rfqs/{certified.id}/matches",
        f"/api/v1/rfqs/{rfq}/invitations", f"/api/v1/rfqs/{rfq}/quotes", f"/api/v1/rfqs/{rfq}/quotes/{quote}",
        "/api/v1/events", "/api/v1/admin/search-outbox", "/api/v1/admin/search-outbox?state=pending",
    ]


def check_webhook_answers(app, client, cast, checker: Checker, monkeypatch) -> None:
    """A buyer's webhook, its secret, a test message delivered (one attempt), its deliveries."""
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    receiver, dispatcher = Receiver(), dispatcher_for(app)
    try:
        created = client.post("/api/v1/webhooks", headers=cast.buyer.headers, json={"url": receiver.url})
        checker.check("post", "/api/v1/webhooks", created)
        webhook = webhook_path(created.get_json()["id"])
        checker.check("post", f"{webhook}/test", client.post(f"{webhook}/test", headers=cast.buyer.headers))
        deliver(app, dispatcher, until=lambda: len(receiver.received) == 1)
        for url in ("/api/v1/webhooks", webhook, f"{webhook}/deliveries"):
            checker.check("get", url, client.get(url, headers=cast.buyer.headers))
    finally:
        dispatcher.close()
        receiver.close()


def check_import_answers(client, cast, checker: Checker) -> None:
    """A dry run's report: a row that would be created and an invalid one, with its errors."""
    rows = [["Raison sociale", "Pays", "Site 1 ville", "Site 1 code postal"],
            ["Atelier Dupré", "DE", "Berlin", "10115"], ["", "FR", "Rouen", "76000"]]
    report = upload(client, cast.admin, csv_bytes(rows), dry_run=True)
    checker.check("post", "/api/v1/imports", report)
    url = f"/api/v1/imports/{report.get_json()['id']}"
    checker.check("get", url, client.get(url, headers=cast.admin.headers))


def test_real_answers_have_every_required_field_and_no_undeclared_one(app, client, supplier_index, cast, story,
                                                                       monkeypatch):
    spec = client.get("/openapi.json").get_json()
    checker = Checker(spec)
    for name in ("anonymous", "admin", "buyer", "other_buyer", "invited", "outsider"):
        headers = cast.actor(name).headers
        for url in reads(cast, story):
            checker.check("get", url, client.get(url, headers=headers))
        geojson = "/api/v1/search/suppliers?near=Cléon"
        checker.check("get", geojson, client.get(geojson, headers={**headers, "Accept": "application/geo+json"}))
    issued = client.post("/api/v1/api-keys", headers=cast.admin.headers,
                         json={"name": "ERP connector", "role": "buyer", "organisation_id": cast.buyer.organisation_id})
    checker.check("post", "/api/v1/api-keys", issued)
    retried = client.post("/api/v1/admin/search-outbox/retry", headers=cast.admin.headers, json={})
    checker.check("post", "/api/v1/admin/search-outbox/retry", retried)
    check_webhook_answers(app, client, cast, checker, monkeypatch)
    check_import_answers(client, cast, checker)

    assert not checker.errors, "\n".join(sorted(set(checker.errors)))
    never_met = response_schemas(spec) - checker.met
    assert not never_met, f"response schemas no real answer was checked against: {sorted(never_met)}"
