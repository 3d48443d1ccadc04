"""Rendered services served with several worker processes, as their README says
(`WEB_CONCURRENCY=2 fastapi run ...`), against the real PostgreSQL server."""

import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import make_url

from sessionwise.template.drivers import pool_defaults
from testing.answer_matrix import answers, combo_id
from testing.databases import DatabaseFor, admin_engine
from testing.load import concurrent_requests
from testing.projects import Render
from testing.services import (
    Served,
    fastapi_run,
    migrate,
    project_environment,
    running,
    server_connections,
)

SYNC = answers("sync", "postgresql", "psycopg", "commit_on_success")
ASYNC = answers("async", "postgresql", "asyncpg", "commit_on_success")
PER_WORKER = pool_defaults()["pool_size"] + pool_defaults()["max_overflow"]
STARTED = "Application startup complete."  # uvicorn logs it once per worker

StartWorkers = Callable[..., tuple[Served, str]]


@pytest.fixture
def start_workers(render: Render, database_for: DatabaseFor, tmp_path: Path) -> StartWorkers:
    """Render, migrate a fresh database, and start `fastapi run` with `workers` processes
    (not yet ready); returns the server and its database's name."""

    def start(answers: dict[str, str], workers: int, **settings: str) -> tuple[Served, str]:
        project = shutil.copytree(render(answers), tmp_path / "project")
        url = database_for(project)
        assert url is not None
        migrate(project, url)
        name = make_url(url).database
        assert name is not None
        return fastapi_run(project, project_environment(project, url, **settings), workers), name

    return start


def connections_to(name: str) -> int:
    engine = admin_engine("postgresql")
    try:
        with engine.connect() as connection:
            return server_connections(connection, "postgresql", name)
    finally:
        engine.dispose()


def stop_with_sigterm(server: Served) -> int:
    server.process.send_signal(signal.SIGTERM)
    return server.process.wait(timeout=60)


@pytest.mark.parametrize("answers", [SYNC, ASYNC], ids=combo_id)
def test_two_workers_serve_then_close_every_connection_on_sigterm(
    answers: dict[str, str], start_workers: StartWorkers
) -> None:
    server, name = start_workers(answers, workers=2)
    with running(server):
        server.wait_until_logged(STARTED, times=2)
        outcome = concurrent_requests(server.port, clients=20, per_client=10)
        opened = connections_to(name)
        returncode = stop_with_sigterm(server)
        log = server.output()

    assert (outcome.statuses, outcome.failures) == ({200: 200}, [])
    assert log.count("Started server process") == 2
    assert 0 < opened <= 2 * PER_WORKER
    assert returncode == 0, log
    # Each worker ran its lifespan's shutdown, which disposes its engine.
    assert log.count("Application shutdown complete.") == 2, log
    deadline = time.monotonic() + 10
    while connections_to(name):
        assert time.monotonic() < deadline, "server connections still open after the stop"
        time.sleep(0.1)


def test_each_worker_warns_once_at_start_when_the_pools_exceed_the_budget(
    start_workers: StartWorkers,
) -> None:
    server, _ = start_workers(SYNC, workers=2, CONNECTION_BUDGET="20")
    with running(server):
        server.wait_until_logged(STARTED, times=2)
        outcome = concurrent_requests(server.port, clients=2, per_client=5)
        log = server.output()

    warning = (
        "2 worker(s) x (POOL_SIZE 5 + MAX_OVERFLOW 10) = 30 connections at most, but"
        " CONNECTION_BUDGET is 20. Lower WEB_CONCURRENCY, POOL_SIZE or MAX_OVERFLOW"
    )
    assert log.count(warning) == 2, log
    assert (outcome.statuses, outcome.failures) == ({200: 10}, [])  # a warning, not a refusal


def test_refuse_over_budget_stops_every_worker_before_it_serves(
    start_workers: StartWorkers,
) -> None:
    server, name = start_workers(SYNC, workers=2, CONNECTION_BUDGET="20", REFUSE_OVER_BUDGET="true")
    try:
        server.process.wait(timeout=120)
        log = server.output()
    finally:
        server.stop()

    assert "ConnectionBudgetError: 2 worker(s) x" in log
    assert "Application startup complete." not in log
    assert connections_to(name) == 0
