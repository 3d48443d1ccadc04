{% set package_name = cookiecutter.package_name %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set aw = "await " if is_async else "" %}
{% set fn = "async def" if is_async else "def" %}
{% set Client = "AsyncClient" if is_async else "TestClient" %}
"""/metrics: the pool's metrics under OpenTelemetry's names, as Prometheus reads
them."""

import pytest
{% if is_async %}
from httpx import AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import make_url, text

from {{ package_name }} import metrics
from {{ package_name }}.db import engine
from {{ package_name }}.settings import settings

# These tests watch the app's own pool: they run outside the test transaction.
{% if is_async %}
pytestmark = [pytest.mark.anyio, pytest.mark.real_commits]
{% else %}
pytestmark = pytest.mark.real_commits
{% endif %}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


{{ fn }} scrape(client: {{ Client }}) -> Samples:
    response = {{ aw }}client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def pool_sample(samples: Samples, name: str, **labels: str) -> float:
    key = frozenset({metrics.POOL: metrics.POOL_NAME, **labels}.items())
    return samples[name, key]


def connections(samples: Samples, state: str) -> float:
    return pool_sample(
        samples, "db_client_connection_count", db_client_connection_state=state
    )


{{ fn }} test_requests_show_in_the_wait_and_use_times_and_the_pool_returns_to_idle(
    client: {{ Client }},
) -> None:
    before = {{ aw }}scrape(client)

    assert ({{ aw }}client.post("/items", json={"name": "counted"})).status_code == 201
    assert ({{ aw }}client.get("/items")).status_code == 200
    after = {{ aw }}scrape(client)

    for histogram in ("wait_time", "use_time"):
        name = f"db_client_connection_{histogram}_seconds_count"
        assert pool_sample(after, name) >= pool_sample(before, name) + 2, histogram
    assert connections(after, "used") == 0
    assert connections(after, "idle") >= 1
    assert pool_sample(after, "db_client_connection_pending_requests") == 0
    assert pool_sample(after, "db_client_connection_timeouts_total") >= 0
    assert pool_sample(after, "db_client_connection_create_time_seconds_count") >= 1
    capacity = settings.pool_size + settings.max_overflow
    assert pool_sample(after, "db_client_connection_max") == capacity
    assert pool_sample(after, "db_client_connection_idle_max") == settings.pool_size


{{ fn }} test_a_held_connection_counts_as_used_until_it_is_returned(
    client: {{ Client }},
) -> None:
    idle = connections({{ aw }}scrape(client), "idle")

    {{ "async " if is_async }}with engine.connect() as connection:
        {{ aw }}connection.execute(text("SELECT 1"))
        held = {{ aw }}scrape(client)

    after = {{ aw }}scrape(client)
    assert connections(held, "used") == 1
    assert connections(after, "used") == 0
    assert connections(after, "idle") == max(idle, 1)


{{ fn }} test_no_label_carries_the_database_password_or_url(
    client: {{ Client }},
) -> None:
    response = {{ aw }}client.get("/metrics")
    url = make_url(settings.database_url)

    for secret in (url.password, settings.database_url):
        if secret:
            assert str(secret) not in response.text
    assert f'{metrics.POOL}="{metrics.POOL_NAME}"' in response.text
