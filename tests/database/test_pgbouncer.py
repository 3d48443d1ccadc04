"""Services made for PgBouncer (connection_proxy=pgbouncer), served with two worker processes
through PgBouncer in transaction mode in front of the test PostgreSQL server.

The generated tests of the four PostgreSQL renders run through PgBouncer in
tests/test_rendered_matrix.py, and the planted pitfall (the driver's defaults behind PgBouncer)
in tests/test_pitfall_mutations.py.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from sqlalchemy import make_url

from testing.answer_matrix import answers, combo_id
from testing.databases import SERVER_URLS, DatabaseFor
from testing.load import concurrent_requests
from testing.pgbouncer import PgBouncer, free_port, run_as, server_url_behind
from testing.projects import Render
from testing.services import ConnectionWatch, fastapi_run, migrate, project_environment, running

LOADED = [
    answers("async", "postgresql", "asyncpg", "commit_on_success", proxy="pgbouncer"),
    answers("sync", "postgresql", "psycopg", "explicit", proxy="pgbouncer"),
]


@pytest.mark.parametrize("answers", LOADED, ids=combo_id)
def test_two_workers_through_pgbouncer_serve_a_load_within_its_pool(
    answers: dict[str, str],
    render: Render,
    database_for: DatabaseFor,
    pgbouncer: PgBouncer,
    tmp_path: Path,
) -> None:
    project = shutil.copytree(render(answers), tmp_path / "project")
    url = database_for(project)
    assert url is not None
    direct = server_url_behind(url)
    migrate(project, url, DIRECT_URL=direct)
    name = make_url(url).database
    assert name is not None
    env = project_environment(project, url, DIRECT_URL=direct)
    watch = ConnectionWatch("postgresql", name)
    try:
        with running(fastapi_run(project, env, workers=2)) as server:
            server.wait_until_logged("Application startup complete.", times=2)
            watch.start()
            # 40 clients at once: more than PgBouncer's server connections, and up to
            # 2 x 15 client connections from the two pools.
            outcome = concurrent_requests(server.port, clients=40, per_client=10, write=True)
            watch.stop()
    finally:
        watch.stop()
        watch.close()

    assert (outcome.statuses, outcome.failures) == ({201: 400, 200: 400}, [])
    assert 0 < watch.peak <= pgbouncer.pool_size


def ci_job(project: Path) -> dict[str, Any]:
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    job: dict[str, Any] = workflow["jobs"]["test"]
    return job


def test_the_generated_ci_starts_a_pgbouncer_the_tests_can_use(
    render: Render, pgbouncer_binary_path: str
) -> None:
    job = ci_job(render(LOADED[0]))
    [script] = [step["run"] for step in job["steps"] if "PgBouncer" in step.get("name", "")]
    server = make_url(SERVER_URLS["postgresql"])
    port = free_port()
    # Here PgBouncer is installed already, in front of the test server, on a free port.
    local = "\n".join(line for line in script.splitlines() if "apt-get" not in line)
    local = local.replace("/usr/sbin/pgbouncer", pgbouncer_binary_path)
    local = local.replace("6432", str(port)).replace("5432", str(server.port or 5432))
    # PgBouncer writes its log and pid file there, as its own user.
    runner_temp = Path(tempfile.mkdtemp(prefix="sessionwise-runner-"))
    runner_temp.chmod(0o777)

    completed = subprocess.run(
        [*run_as(), "bash", "-euo", "pipefail", "-c", local],
        env={**os.environ, "RUNNER_TEMP": str(runner_temp)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    pid_file = runner_temp / "pgbouncer.pid"
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline, (runner_temp / "pgbouncer.log").read_text()
        time.sleep(0.05)  # the daemon writes it once it has forked
    pid = int(pid_file.read_text())
    try:
        test_url = make_url(job["env"]["TEST_DATABASE_URL"])
        assert test_url.port == 6432
        with psycopg.connect(
            host="127.0.0.1",
            port=port,
            user=test_url.username,
            password=test_url.password,
            dbname=server.database,
            connect_timeout=10,
        ) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
    finally:
        os.kill(pid, signal.SIGTERM)
        shutil.rmtree(runner_temp, ignore_errors=True)
