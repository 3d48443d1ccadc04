{% set package_name = cookiecutter.package_name %}
{% set mode = cookiecutter.mode %}
{% set transaction_policy = cookiecutter.transaction_policy %}
{% set is_async = mode == 'async' %}
{% set aw = "await " if is_async else "" %}
{% set fn = "async def" if is_async else "def" %}
{% set Client = "AsyncClient" if is_async else "TestClient" %}
"""The guarantees about sessions and connections, checked through the pool's events."""

{% if is_async %}
import asyncio
import inspect
import itertools
{% else %}
import inspect
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
{% endif %}
{% if is_async %}
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
{% else %}
from contextlib import ExitStack
{% endif %}

import pytest
from fastapi import FastAPI, HTTPException, status
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
{% if is_async %}
from httpx import ASGITransport, AsyncClient
{% else %}
from fastapi.testclient import TestClient
{% endif %}
from prometheus_client import REGISTRY
{% if transaction_policy == "commit_on_success" %}
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
{% else %}
from sqlalchemy import text
{% endif %}

from {{ package_name }} import health, items, metrics
{% if is_async %}
from {{ package_name }}.db import SessionDep, engine, get_session, session_place
{% else %}
from {{ package_name }}.db import SessionDep, engine, get_session
{% endif %}
{% if is_async %}
from {{ package_name }}.main import app, lifespan
{% else %}
from {{ package_name }}.main import app
{% endif %}
from {{ package_name }}.models import Item
from {{ package_name }}.settings import settings
from tests.conftest import PoolWatch, committed_item_names, queue_pool

# These tests watch the app's own pool and what really reaches the database: they run
# outside the test transaction.
{% if is_async %}
pytestmark = [pytest.mark.anyio, pytest.mark.real_commits]
{% else %}
pytestmark = pytest.mark.real_commits
{% endif %}

# Long enough that every concurrent request is in flight while the first ones hold their
# connections, even on a busy machine.
HOLD_SECONDS = 0.5

# Endpoints written the way application code uses the session, to see what the
# dependency does around them.
probe = FastAPI()


@probe.post("/write-then-refuse")
{{ fn }} write_then_refuse(session: SessionDep) -> None:
    session.add(Item(name="refused"))
    {{ aw }}session.flush()
    raise HTTPException(status.HTTP_400_BAD_REQUEST, "refused")


@probe.post("/write-then-crash")
{{ fn }} write_then_crash(session: SessionDep) -> None:
    session.add(Item(name="crashed"))
    {{ aw }}session.flush()
    raise RuntimeError("a bug in the endpoint")


@probe.get("/hold")
{{ fn }} hold_a_connection(session: SessionDep) -> str:
    {{ aw }}session.execute(text("SELECT 1"))
    {{ "await asyncio.sleep" if is_async else "time.sleep" }}(HOLD_SECONDS)
    return type(session).__name__


{% if transaction_policy == "explicit" %}
@probe.post("/write-without-commit")
{{ fn }} write_without_commit(session: SessionDep) -> None:
    session.add(Item(name="uncommitted"))
    {{ aw }}session.flush()
{% else %}
@probe.post("/conflict-at-commit", status_code=status.HTTP_201_CREATED)
{{ fn }} conflict_at_commit(session: SessionDep) -> None:
    # Nothing is flushed here: the duplicate name only fails at the commit,
    # which the dependency runs after this endpoint has returned.
    session.add(Item(name="fresh"))
    session.add(Item(name="taken"))


def server_gone(_: Session) -> None:
    lost = ConnectionError("server closed the connection")
    raise OperationalError("COMMIT", None, lost)


@probe.post("/commit-breaks", status_code=status.HTTP_201_CREATED)
{{ fn }} commit_breaks(session: SessionDep) -> None:
    session.add(Item(name="lost"))
    event.listen(session{{ ".sync_session" if is_async }}, "before_commit", server_gone)
{% endif %}
{% if is_async %}


served: list[int] = []


@probe.get("/turn/{number}")
async def take_a_turn(number: int, session: SessionDep) -> None:
    await session.execute(text("SELECT 1"))
    served.append(number)
    await asyncio.sleep(0.02)
{% endif %}


{% if is_async %}
@pytest.fixture
async def probe_client() -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=probe, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
{% else %}
@pytest.fixture
def probe_client() -> Iterator[TestClient]:
    # One event loop for every request, as in a server, so that they share its
    # worker threads.
    with TestClient(probe, raise_server_exceptions=False) as client:
        yield client
{% endif %}


{{ fn }} test_every_request_returns_its_connection_and_closes_its_session(
    client: {{ Client }}, pool_watch: PoolWatch
) -> None:
    created = {{ aw }}client.post("/items", json={"name": "one"})
    assert created.status_code == 201
    pool_watch.assert_all_returned()
    item_url = f"/items/{created.json()['id']}"
    requests = [
        ("GET", "/items", 200),
        ("GET", item_url, 200),
        ("PUT", item_url, 200),
        ("POST", "/items", 409),
        ("GET", "/items/999999", 404),
        ("GET", "/ready", 200),
        ("DELETE", item_url, 204),
    ]
    for method, url, expected in requests:
        response = {{ aw }}client.request(method, url, json={"name": "one"})
        assert response.status_code == expected, (method, url)
        pool_watch.assert_all_returned()
    # Every request went through the app's one pool.
    assert pool_watch.checkouts >= len(requests) + 1


{{ fn }} test_requests_reuse_the_pooled_connections(
    client: {{ Client }}, pool_watch: PoolWatch
) -> None:
    assert ({{ aw }}client.get("/items")).status_code == 200
    connects, checkouts = pool_watch.connects, pool_watch.checkouts

    for _ in range(10):
        assert ({{ aw }}client.get("/items")).status_code == 200

    assert pool_watch.checkouts - checkouts == 10
    assert pool_watch.connects == connects, "requests opened new database connections"


{{ fn }} test_http_error_in_the_endpoint_rolls_back_and_closes(
    probe_client: {{ Client }}, pool_watch: PoolWatch
) -> None:
    response = {{ aw }}probe_client.post("/write-then-refuse")

    assert response.status_code == 400
    pool_watch.assert_all_returned()
    assert {{ aw }}committed_item_names() == []


{{ fn }} test_crash_in_the_endpoint_rolls_back_and_closes(
    probe_client: {{ Client }}, pool_watch: PoolWatch
) -> None:
    response = {{ aw }}probe_client.post("/write-then-crash")

    assert response.status_code == 500
    pool_watch.assert_all_returned()
    assert {{ aw }}committed_item_names() == []


{% if is_async %}
async def test_more_concurrent_requests_than_the_pool_holds_all_succeed(
    probe_client: AsyncClient, pool_watch: PoolWatch
) -> None:
    capacity = settings.pool_size + settings.max_overflow
    requests = capacity + 10

    responses = await asyncio.gather(
        *(probe_client.get("/hold") for _ in range(requests))
    )
{% else %}
def test_more_concurrent_requests_than_the_pool_holds_all_succeed(
    probe_client: TestClient, pool_watch: PoolWatch
) -> None:
    capacity = settings.pool_size + settings.max_overflow
    # More than AnyIO's 40 worker threads as well: unless the dependency limits how
    # many requests hold a session, threads waiting for a connection starve the
    # requests that hold one, until pool_timeout.
    requests = 40 + capacity + 10

    with ThreadPoolExecutor(max_workers=requests) as executor:
        responses = list(
            executor.map(lambda _: probe_client.get("/hold"), range(requests))
        )
{% endif %}

    assert [response.status_code for response in responses] == [200] * requests
    # The requests filled the pool; on a busy machine a slow new connection can let one
    # request finish before the last one checks out, so one short still counts.
    assert pool_watch.peak >= capacity - 1, "the requests never filled the pool"
    pool_watch.assert_all_returned()
{% if is_async %}


async def test_requests_waiting_for_a_session_get_it_in_arrival_order(
    probe_client: AsyncClient, pool_watch: PoolWatch
) -> None:
    capacity = settings.pool_size + settings.max_overflow
    arrivals = itertools.count()
    served.clear()

    async def busy_caller() -> list[int]:
        # One request after another: each new one competes with those already waiting.
        statuses = []
        for _ in range(25):
            response = await probe_client.get(f"/turn/{next(arrivals)}")
            statuses.append(response.status_code)
        return statuses

    callers = await asyncio.gather(*(busy_caller() for _ in range(6 * capacity)))

    assert {status for statuses in callers for status in statuses} == {200}
    # Requests that hold a place at the same time get their session in any order, but a
    # request that got in line first is never passed by many later ones (measured with
    # the defaults: at most 13; SQLAlchemy's asyncio pool alone lets 150 and more pass).
    overtaken = max(position - number for position, number in enumerate(served))
    assert overtaken <= 3 * capacity, f"a request was passed by {overtaken} later ones"
    pool_watch.assert_all_returned()


def test_session_places_work_in_every_event_loop() -> None:
    # A test client, or a worker, may run the app on an event loop of its own.
    capacity = settings.pool_size + settings.max_overflow

    async def more_requests_than_places() -> None:
        async def take_a_place() -> None:
            async with session_place():
                await asyncio.sleep(0.01)

        # More than the places (twice the connections), so that some must wait.
        await asyncio.gather(*(take_a_place() for _ in range(3 * capacity)))

    for _ in range(2):
        asyncio.run(more_requests_than_places())
{% endif %}


{% if transaction_policy == "explicit" %}
{{ fn }} test_nothing_is_committed_that_the_endpoint_did_not_commit(
    probe_client: {{ Client }}, pool_watch: PoolWatch
) -> None:
    response = {{ aw }}probe_client.post("/write-without-commit")

    assert response.status_code == 200
    pool_watch.assert_all_returned()
    assert {{ aw }}committed_item_names() == []
{% else %}
{{ fn }} test_conflict_found_at_commit_is_409_and_keeps_nothing(
    client: {{ Client }}, probe_client: {{ Client }}, pool_watch: PoolWatch
) -> None:
    assert ({{ aw }}client.post("/items", json={"name": "taken"})).status_code == 201

    response = {{ aw }}probe_client.post("/conflict-at-commit")

    assert response.status_code == 409, "a failed commit was not reported as a conflict"
    assert "nothing was saved" in response.json()["detail"]
    pool_watch.assert_all_returned()
    assert {{ aw }}committed_item_names() == ["taken"]


{{ fn }} test_commit_that_fails_otherwise_is_500_and_keeps_nothing(
    probe_client: {{ Client }}, pool_watch: PoolWatch
) -> None:
    response = {{ aw }}probe_client.post("/commit-breaks")

    assert response.status_code == 500, "a failed commit was reported as a success"
    pool_watch.assert_all_returned()
    assert {{ aw }}committed_item_names() == []
{% endif %}


def session_routes() -> list[APIRoute]:
    def uses_session(dependant: Dependant) -> bool:
        return any(
            sub.call is get_session or uses_session(sub)
            for sub in dependant.dependencies
        )

    return [
        route
        for route in [*health.router.routes, *items.router.routes]
        if isinstance(route, APIRoute) and uses_session(route.dependant)
    ]


def test_session_endpoints_match_the_{{ mode }}_mode() -> None:
    routes = session_routes()
    assert len(routes) == 5
    assert inspect.is{{ "asyncgen" if is_async else "generator" }}function(get_session)
    for route in routes:
        assert inspect.iscoroutinefunction(route.endpoint) is {{ is_async }}, route.path


{{ fn }} test_endpoints_get_{{ "an_async" if is_async else "a_sync" }}_session(probe_client: {{ Client }}) -> None:
    response = {{ aw }}probe_client.get("/hold")

    assert response.json() == "{{ 'AsyncSession' if is_async else 'Session' }}"


def timeouts_counted() -> float:
    labels = {metrics.POOL: metrics.POOL_NAME}
    value = REGISTRY.get_sample_value("db_client_connection_timeouts_total", labels)
    return value or 0.0


{% if is_async %}
async def test_exhausted_pool_gives_503_with_retry_after(client: AsyncClient) -> None:
    timeouts = timeouts_counted()
    async with AsyncExitStack() as stack:
        for _ in range(settings.pool_size + settings.max_overflow):
            await stack.enter_async_context(engine.connect())
        response = await client.get("/items")
{% else %}
def test_exhausted_pool_gives_503_with_retry_after(client: TestClient) -> None:
    timeouts = timeouts_counted()
    with ExitStack() as stack:
        for _ in range(settings.pool_size + settings.max_overflow):
            stack.enter_context(engine.connect())
        response = client.get("/items")
{% endif %}

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert timeouts_counted() == timeouts + 1  # on /metrics
    assert ({{ aw }}client.get("/items")).status_code == 200


{% if is_async %}
async def test_ready_reports_the_connections_in_use_and_the_overflow(
    client: AsyncClient,
) -> None:
    # Two connections beyond pool_size, leaving one for /ready itself.
    held = min(settings.pool_size + 2, settings.pool_size + settings.max_overflow - 1)
    async with AsyncExitStack() as stack:
        for _ in range(held):
            await stack.enter_async_context(engine.connect())
        response = await client.get("/ready")
{% else %}
def test_ready_reports_the_connections_in_use_and_the_overflow(
    client: TestClient,
) -> None:
    # Two connections beyond pool_size, leaving one for /ready itself.
    held = min(settings.pool_size + 2, settings.pool_size + settings.max_overflow - 1)
    with ExitStack() as stack:
        for _ in range(held):
            stack.enter_context(engine.connect())
        response = client.get("/ready")
{% endif %}

    assert response.json()["pool"] == {
        "size": settings.pool_size,
        "checked_out": held,
        # /ready's own connection is open too, back in the pool.
        "overflow": held + 1 - settings.pool_size,
    }


{% if is_async %}
async def test_shutdown_disposes_the_engine(client: AsyncClient) -> None:
    async with lifespan(app):
        assert (await client.get("/items")).status_code == 200
        assert queue_pool().checkedin() >= 1
    assert queue_pool().checkedin() == 0
{% else %}
def test_shutdown_disposes_the_engine() -> None:
    with TestClient(app) as client:
        assert client.get("/items").status_code == 200
        assert queue_pool().checkedin() >= 1
    assert queue_pool().checkedin() == 0
{% endif %}
