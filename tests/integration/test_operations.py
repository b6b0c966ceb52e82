"""Liveness and readiness report each dependency on its own."""

from api import create_app, migrate


def test_health_answers_while_alive(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_when_database_migrated_and_elasticsearch_healthy(client):
    response = client.get("/ready")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["revision"] == migrate.head_revision()
    assert body["checks"]["elasticsearch"]["cluster_health"] in ("green", "yellow")


def test_not_ready_when_elasticsearch_unreachable(database_url):
    app = create_app({"DATABASE_URL": database_url, "ELASTICSEARCH_URL": "http://127.0.0.1:1"})
    response = app.test_client().get("/ready")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["elasticsearch"]["status"] == "failing"
    assert checks["database"]["status"] == "ok"


def test_not_ready_when_migrations_pending(tmp_path, elasticsearch_url):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
                      "ELASTICSEARCH_URL": elasticsearch_url})
    response = app.test_client().get("/ready")
    assert response.status_code == 503
    database = response.get_json()["checks"]["database"]
    assert database["status"] == "failing"
    assert database["revision"] is None
    assert "upgrade" in database["detail"]
