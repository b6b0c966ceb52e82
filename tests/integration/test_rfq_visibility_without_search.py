"""Elasticsearch ranks, it does not authorize: a supplier's RFQs come from the database alone.

A second app shares the test database but points at an Elasticsearch that
does not answer: the supplier's list still answers 200, and in a number of
queries that does not grow with the number of public RFQs.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from rfq_support import RFQS, certificate, create_rfq, needed_by, ok, site, transition
from sqlalchemy import event

from api import create_app
from factories import create_supplier, issue_admin_key, onboard


@pytest.fixture()
def blind_client(app):
    """A client of an app whose Elasticsearch is unreachable, on the same database."""
    blind = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "ELASTICSEARCH_URL": "http://127.0.0.1:1",
                        "INDEX_PREFIX": app.config["INDEX_PREFIX"], "TESTING": True})
    yield blind.test_client(), blind.extensions["db_engine"]
    blind.extensions["db_engine"].dispose()


def queries_made(engine, call) -> tuple[object, int]:
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731  (statement is the third argument)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        return call(), len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_a_supplier_lists_the_public_rfqs_it_qualifies_for_with_elasticsearch_down(app, client, blind_client):
    blind, engine = blind_client
    admin = issue_admin_key(app)
    buyer = onboard(client, admin, "buyer")
    supplier = onboard(client, admin, "supplier")
    create_supplier(client, admin, organisation_id=supplier.organisation_id,
                    capabilities=[{"code": "machining.milling.5axis"}],
                    certifications=[certificate("iatf-16949", needed_by() + timedelta(days=30))],
                    sites=[site("Elbeuf", "76500", 49.29, 1.01)])

    def publish(count: int, **overrides) -> list[str]:
        ids = []
        for _ in range(count):
            rfq, _ = create_rfq(client, buyer, visibility="public", **overrides)
            ids.append(transition(client, buyer, rfq["id"], "publish")["id"])
        return ids

    def listed() -> list[str]:
        return [item["id"] for item in ok(blind.get(RFQS, headers=supplier.headers,
                                                    query_string={"page_size": 100}))["items"]]

    visible = publish(1)
    publish(1, required_certifications=["en-9100"])  # one it does not qualify for
    few, queries_for_few = queries_made(engine, listed)
    visible += publish(9)
    publish(9, max_distance_km=1)
    many, queries_for_many = queries_made(engine, listed)

    assert few == visible[:1]
    assert sorted(many) == sorted(visible)
    assert queries_for_many == queries_for_few


def test_matches_answer_the_declared_503_with_retry_after_while_elasticsearch_is_down(app, client, blind_client):
    blind, _ = blind_client
    admin = issue_admin_key(app)
    buyer = onboard(client, admin, "buyer")
    rfq, _ = create_rfq(client, buyer)

    response = blind.get(f"{RFQS}/{rfq['id']}/matches", headers=buyer.headers)

    assert (response.status_code, response.mimetype) == (503, "application/problem+json")
    assert int(response.headers["Retry-After"]) > 0
    declared = client.get("/openapi.json").get_json()["paths"]["/api/v1/rfqs/{rfq_id}/matches"]["get"]["responses"]
    assert "application/problem+json" in declared["503"]["content"]
