"""Every error is an RFC 9457 problem with the right 4xx, and nothing gets a 500."""

import pytest

from api import create_app

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def test_unknown_route_is_404(client):
    assert_problem(client.get("/api/v1/nowhere"), 404)


def test_wrong_method_is_405_with_allow_header(client):
    response = client.delete("/health")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_non_json_body_is_415(client):
    body = assert_problem(client.post("/api/v1/organisations", data="a=b", content_type="text/plain"), 415)
    assert "application/json" in body["detail"]


def test_a_body_to_a_method_that_does_not_exist_is_405(client):
    assert_problem(client.put("/api/v1/imports", data="a=b", content_type="multipart/form-data; boundary=x"), 405)


def test_malformed_json_is_400(client):
    body = assert_problem(client.post("/health", data='{"name": ', content_type="application/json"), 400)
    assert "not valid JSON" in body["detail"]


def test_body_over_one_megabyte_is_413(client):
    two_megabytes = b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    assert_problem(client.post("/health", data=two_megabytes, content_type="application/json"), 413)


def test_unexpected_failure_is_500_with_correlation_id_and_no_internals(database_url):
    app = create_app({"DATABASE_URL": database_url})

    @app.get("/_test/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/_test/boom", headers={"X-Request-ID": "trace-me-42"})
    body = assert_problem(response, 500)
    assert body["request_id"] == "trace-me-42"
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("incoming", ["", "x" * 100, "bad id with spaces"])
def test_unsafe_request_ids_are_replaced(client, incoming):
    response = client.get("/health", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] not in ("", incoming)


def test_safe_request_id_is_echoed(client):
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
