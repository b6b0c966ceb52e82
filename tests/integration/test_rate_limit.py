"""Anonymous traffic is rate limited; key holders and probes are not."""

from api import create_app, transaction
from api.accounts.service import issue_key


def limited_app(database_url, elasticsearch_url, per_minute=3, **settings):
    return create_app({"DATABASE_URL": database_url, "ELASTICSEARCH_URL": elasticsearch_url,
                       "ANONYMOUS_RATE_LIMIT_PER_MINUTE": per_minute, **settings})


def test_anonymous_callers_get_429_with_retry_after_past_the_limit(app, database_url, elasticsearch_url):
    client = limited_app(database_url, elasticsearch_url).test_client()
    statuses = [client.get("/api/v1/sectors").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/sectors")
    assert refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 20  # one token comes back every 20 s


def test_limits_are_per_client_address(app, database_url, elasticsearch_url):
    client = limited_app(database_url, elasticsearch_url, per_minute=1).test_client()
    assert client.get("/api/v1/sectors", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    assert client.get("/api/v1/sectors", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    assert client.get("/api/v1/sectors", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


def test_key_holders_and_health_probes_are_not_limited(app, database_url, elasticsearch_url):
    limited = limited_app(database_url, elasticsearch_url, per_minute=1)
    with limited.app_context():
        _, key = issue_key(transaction.session(), role="admin", name="ops", organisation=None)
        transaction.session().commit()
    client = limited.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    assert {client.get("/api/v1/sectors", headers=headers).status_code for _ in range(5)} == {200}
    assert {client.get("/health").status_code for _ in range(5)} == {200}


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_limited(app, database_url, elasticsearch_url):
    client = limited_app(database_url, elasticsearch_url, per_minute=1, TRUSTED_PROXIES=1).test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.254"}

    def get(client_address):
        return client.get("/api/v1/sectors", environ_base=proxy,
                          headers={"X-Forwarded-For": client_address}).status_code

    assert [get("203.0.113.7"), get("203.0.113.7"), get("198.51.100.9")] == [200, 429, 200]
