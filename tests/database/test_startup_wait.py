"""A rendered service started before its database (as in a container): it waits, logging one
line per attempt that names the host and port and never the password, then serves once the
database answers, or exits non-zero with a one-line reason after STARTUP_WAIT seconds."""

import shutil
from pathlib import Path

from sqlalchemy import make_url

from testing.answer_matrix import answers
from testing.databases import DatabaseFor, render_url
from testing.pgbouncer import running_pgbouncer
from testing.projects import Render, example_env
from testing.services import (
    fastapi_run,
    free_port,
    http_json,
    migrate,
    project_environment,
    running,
)

PASSWORD = "never-logged-7f3a"
STARTED = "Application startup complete."


def test_without_a_database_the_service_exits_with_the_reason_after_startup_wait(
    render: Render, tmp_path: Path
) -> None:
    project = shutil.copytree(render(answers("sync", "mysql", "pymysql")), tmp_path / "project")
    port = free_port()  # nothing listens there
    url = f"mysql+pymysql://root:{PASSWORD}@127.0.0.1:{port}/app"
    server = fastapi_run(project, project_environment(project, url, STARTUP_WAIT="2"), workers=1)
    try:
        returncode = server.process.wait(timeout=60)
        log = server.output()
    finally:
        server.stop()

    attempts = [line for line in log.splitlines() if "not reachable yet" in line]
    assert returncode != 0
    assert len(attempts) in (2, 3), log  # one a second for 2 s
    assert attempts[0].startswith(f"database at 127.0.0.1:{port} not reachable yet (attempt 1,")
    assert (
        f"DatabaseUnreachableError: the database at 127.0.0.1:{port} did not answer within 2 s"
        in log
    )
    assert "check DATABASE_URL and that the server is up" in log
    assert PASSWORD not in log
    assert STARTED not in log


def test_the_service_serves_once_its_database_comes_up(
    render: Render,
    database_for: DatabaseFor,
    pgbouncer_binary_path: str,
    tmp_path: Path,
) -> None:
    pgbouncer_render = answers("async", "postgresql", "asyncpg", "explicit", proxy="pgbouncer")
    project = shutil.copytree(render(pgbouncer_render), tmp_path / "project")
    created = database_for(project)  # through the session's PgBouncer
    assert created is not None
    direct = example_env(project)["DIRECT_URL"]
    name = make_url(created).database
    direct_url = render_url(make_url(direct).set(database=name))
    migrate(project, created, DIRECT_URL=direct_url)
    # The service's own PgBouncer, on a port where nothing listens yet.
    port = free_port()
    url = render_url(make_url(created).set(port=port, password=PASSWORD))
    env = project_environment(project, url, DIRECT_URL=direct_url, STARTUP_WAIT="60")
    server = fastapi_run(project, env, workers=1)
    try:
        server.wait_until_logged("(attempt 2,", times=1, timeout=30)
        with running_pgbouncer(pgbouncer_binary_path, port), running(server):
            server.wait_until_logged(STARTED, times=1, timeout=30)
            status, ready, _ = http_json(server.port, "GET", "/ready")
            log = server.output()
    finally:
        server.stop()

    assert (status, ready["status"]) == (200, "ready")
    assert f"database at 127.0.0.1:{port} not reachable yet (attempt 1," in log
    assert PASSWORD not in log
