{% set package_name = cookiecutter.package_name %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set aw = "await " if is_async else "" %}
{% set fn = "async def" if is_async else "def" %}
{% set Client = "AsyncClient" if is_async else "TestClient" %}
{% set sleep = "await asyncio.sleep" if is_async else "time.sleep" %}
"""Leak detection: a connection held past LEAK_DETECTION_THRESHOLD is reported once,
with the request and the code that hold it, and again when it comes back."""

{% if is_async %}
import asyncio
{% endif %}
import logging
{% if not is_async %}
import time
{% endif %}

import pytest
from fastapi import FastAPI
{% if is_async %}
from httpx import AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}
from prometheus_client import REGISTRY
from sqlalchemy import text

from {{ package_name }} import leaks, metrics
from {{ package_name }}.db import SessionDep, engine

# These tests watch the app's own pool: they run outside the test transaction.
{% if is_async %}
pytestmark = [pytest.mark.anyio, pytest.mark.real_commits]
{% else %}
pytestmark = pytest.mark.real_commits
{% endif %}

THRESHOLD = 0.2
# Past the threshold, and past the detector's next look (at least 4 times a second).
HELD = 0.8

probe = FastAPI()
probe.add_middleware(leaks.RequestNames)


@probe.get("/reports/{report_id}")
{{ fn }} build_a_slow_report(report_id: int, session: SessionDep) -> None:
    {{ aw }}session.execute(text("SELECT 1"))
    {{ sleep }}(HELD)


@pytest.fixture
def reports(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> pytest.LogCaptureFixture:
    """The detector's log lines, with a threshold short enough for a test."""
    monkeypatch.setattr(leaks.detector, "threshold", THRESHOLD)
    caplog.set_level(logging.INFO, logger=leaks.logger.name)
    return caplog


def lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == leaks.logger.name and record.levelno == level
    ]


def leaks_counted() -> float:
    labels = {metrics.POOL: metrics.POOL_NAME}
    value = REGISTRY.get_sample_value(
        "db_client_connection_suspected_leaks_total", labels
    )
    return value or 0.0


{{ fn }} test_a_connection_held_past_the_threshold_is_reported_with_its_route_and_code(
    probe_client: {{ Client }}, reports: pytest.LogCaptureFixture
) -> None:
    counted = leaks_counted()

    response = {{ aw }}probe_client.get("/reports/7")

    assert response.status_code == 200
    [warning] = lines(reports, logging.WARNING)
    assert "Connection leak detection triggered" in warning
    held_by = "by GET /reports/{report_id} on {{ 'task' if is_async else 'thread' }} "
    assert held_by in warning
    # The application code that took the connection, not SQLAlchemy's.
    assert ", in build_a_slow_report\n" in warning
    assert "sqlalchemy" not in warning
    [returned] = lines(reports, logging.INFO)
    assert "(GET /reports/{report_id} on " in returned
    assert "was returned to the pool after" in returned
    assert leaks_counted() == counted + 1


{{ fn }} test_a_connection_taken_outside_requests_is_reported_with_where(
    reports: pytest.LogCaptureFixture,
) -> None:
    {{ "async " if is_async }}with engine.connect() as connection:
        {{ aw }}connection.execute(text("SELECT 1"))
        {{ sleep }}(HELD)

    [warning] = lines(reports, logging.WARNING)
    assert "by code outside any request on " in warning
    assert ", in test_a_connection_taken_outside_requests_is_reported_with_where\n" in (
        warning
    )
    assert len(lines(reports, logging.INFO)) == 1


{{ fn }} test_the_items_endpoints_return_their_connections_within_the_threshold(
    client: {{ Client }}, reports: pytest.LogCaptureFixture
) -> None:
    created = {{ aw }}client.post("/items", json={"name": "quick"})
    assert created.status_code == 201
    item_url = f"/items/{created.json()['id']}"
    for url in ("/items", item_url, "/ready"):
        assert ({{ aw }}client.get(url)).status_code == 200

    # Time for the detector to look at what is still checked out.
    {{ sleep }}(HELD)

    assert lines(reports, logging.WARNING) == []
