"""The committed openapi.yaml is the spec the code generates, and errors are documented as problems."""

from pathlib import Path

import yaml

from api.operations import OPERATION_IDS

METHODS = ("get", "post", "put", "patch", "delete")
OPENAPI_FILE = Path(__file__).resolve().parents[2] / "openapi.yaml"


def test_committed_openapi_yaml_is_up_to_date(client):
    generated = client.get("/openapi.json").get_json()
    committed = yaml.safe_load(OPENAPI_FILE.read_text())
    assert committed == generated, "openapi.yaml is stale: run `make openapi` and commit it"


def test_spec_is_openapi_3_1_and_errors_are_problem_json(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    error = spec["components"]["responses"]["DEFAULT_ERROR"]
    assert list(error["content"]) == ["application/problem+json"]
    assert set(spec["components"]["schemas"]["Problem"]["properties"]) >= {
        "type", "title", "status", "detail", "errors"}


def test_docs_ui_is_served(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.get_data(as_text=True).lower()


def test_spec_declares_the_bearer_api_key_so_the_docs_ui_can_send_it(client):
    spec = client.get("/openapi.json").get_json()
    scheme = spec["components"]["securitySchemes"]["ApiKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert all(operation["security"] in ([{"ApiKey": []}], [{}, {"ApiKey": []}])
               for _, _, operation in operations(spec))


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def test_each_operation_says_truly_whether_it_needs_a_key(client):
    """Called without a key, what the spec says needs one answers 401; what it says is open does not."""
    spec = client.get("/openapi.json").get_json()
    for method, path, operation in operations(spec):
        url = path.replace("{", "").replace("}", "")  # any id: authentication comes first
        body = {} if method in ("post", "put", "patch") else None
        status = client.open(url, method=method.upper(), json=body).status_code
        needs_key = operation["security"] == [{"ApiKey": []}]
        assert (status == 401) is needs_key, (method, path, status)


def test_every_operation_has_its_stable_operation_id(client):
    spec = client.get("/openapi.json").get_json()
    documented = {(method, path): operation.get("operationId") for method, path, operation in operations(spec)}
    assert documented == OPERATION_IDS  # a new operation needs its name in api/operations.py
    assert len(set(OPERATION_IDS.values())) == len(OPERATION_IDS)
