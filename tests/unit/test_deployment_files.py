"""docker-compose.yml and the Dockerfile agree with the application's configuration.

No Docker engine runs here, so the file is checked by reading it.
"""

from pathlib import Path
from urllib.parse import urlsplit

import elasticsearch
import yaml
from sqlalchemy import make_url

from api.config import from_environment

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


class RecordingEnvironment(dict):
    """Remembers which variables the configuration reads."""

    def __init__(self, *args):
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


def test_api_environment_only_sets_variables_the_app_reads():
    environment = RecordingEnvironment(SERVICES["api"]["environment"])
    from_environment(environment)
    assert set(SERVICES["api"]["environment"]) <= environment.read


def test_database_url_points_at_the_postgres_service_with_its_credentials():
    url = make_url(SERVICES["api"]["environment"]["DATABASE_URL"])
    postgres = SERVICES["postgres"]["environment"]
    assert url.get_backend_name() == "postgresql"
    assert (url.host, url.port) == ("postgres", 5432)
    assert (url.username, url.password, url.database) == (
        postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], postgres["POSTGRES_DB"])


def test_elasticsearch_url_points_at_the_service_running_the_client_major_version():
    url = urlsplit(SERVICES["api"]["environment"]["ELASTICSEARCH_URL"])
    assert (url.hostname, url.port) == ("elasticsearch", 9200)
    image_version = SERVICES["elasticsearch"]["image"].rsplit(":", 1)[1]
    assert int(image_version.split(".")[0]) == int(elasticsearch.__versionstr__.split(".")[0])


def test_every_server_has_a_health_check_and_the_api_waits_for_them():
    for name in ("postgres", "elasticsearch", "api"):
        assert "healthcheck" in SERVICES[name], name
    waits_for = SERVICES["api"]["depends_on"]
    assert waits_for["postgres"]["condition"] == "service_healthy"
    assert waits_for["elasticsearch"]["condition"] == "service_healthy"
    assert waits_for["migrate"]["condition"] == "service_completed_successfully"


def test_migrations_run_before_the_api_with_the_same_environment():
    assert SERVICES["migrate"]["environment"] == SERVICES["api"]["environment"]
    assert SERVICES["migrate"]["command"][-2:] == ["db", "upgrade"]


def test_dockerfile_serves_the_app_factory_with_gunicorn_on_the_published_port():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"gunicorn"' in dockerfile and '"api:create_app()"' in dockerfile
    assert SERVICES["api"]["ports"] == ["8000:8000"]
    assert "0.0.0.0:8000" in dockerfile


def test_a_worker_runs_the_background_jobs_with_the_api_environment():
    worker = SERVICES["worker"]
    assert worker["command"][-3:] == ["--app", "api", "worker"]
    assert worker["environment"] == SERVICES["api"]["environment"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # Scaling it out must be safe: no fixed name or port that two replicas would fight over.
    assert "container_name" not in worker and "ports" not in worker


def test_the_readme_documents_every_variable_the_app_reads():
    environment = RecordingEnvironment()
    from_environment(environment)
    readme = (ROOT / "README.md").read_text()
    undocumented = {name for name in environment.read if f"| `{name}` |" not in readme}
    assert undocumented == set()
