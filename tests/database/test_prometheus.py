"""The pool's metrics and leak reports as an operator sees them: a rendered service served
with two worker processes against PostgreSQL, scraped by a real Prometheus server, read
through PromQL; the leak warnings read from the service's log."""

import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url

from testing.answer_matrix import answers, combo_id
from testing.databases import DatabaseFor
from testing.projects import Render
from testing.prometheus import binary, scraping
from testing.services import fastapi_run, http_json, migrate, project_environment, running

SYNC = answers("sync", "postgresql", "psycopg", "commit_on_success")
ASYNC = answers("async", "postgresql", "asyncpg", "explicit")
STARTED = "Application startup complete."  # uvicorn logs it once per worker
PASSWORD = "pool-watch-secret"  # the server trusts 127.0.0.1: any password is accepted
POOL_SIZE = 2  # per worker, no overflow: 4 connections for 8 requests
REQUESTS = 8
HELD = 2.5  # seconds each request holds its session, past the threshold
THRESHOLD = 1
USED = 'db_client_connection_count{db_client_connection_state="used"}'

SLOW_ENDPOINT = {
    "sync": """

import time

from sqlalchemy import text

from my_service.db import SessionDep


@app.get("/slow-report")
def slow_report(session: SessionDep) -> None:
    session.execute(text("SELECT 1"))
    time.sleep({held})
""",
    "async": """

import asyncio

from sqlalchemy import text

from my_service.db import SessionDep


@app.get("/slow-report")
async def slow_report(session: SessionDep) -> None:
    await session.execute(text("SELECT 1"))
    await asyncio.sleep({held})
""",
}


def slow_requests(port: int) -> list[int]:
    """REQUESTS requests at once, each on its own connection (so both workers get some)."""

    async def one() -> int:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            return (await http.get("/slow-report")).status_code

    async def load() -> list[int]:
        return list(await asyncio.gather(*(one() for _ in range(REQUESTS))))

    return asyncio.run(load())


@pytest.mark.parametrize("answers", [SYNC, ASYNC], ids=combo_id)
def test_prometheus_sees_the_pool_of_both_workers_and_the_log_names_the_leaking_route(
    answers: dict[str, str], render: Render, database_for: DatabaseFor, tmp_path: Path
) -> None:
    project = shutil.copytree(render(answers), tmp_path / "project")
    with (project / "src" / "my_service" / "main.py").open("a") as main:
        main.write(SLOW_ENDPOINT[answers["mode"]].format(held=HELD))
    database = database_for(project)
    assert database is not None
    url = make_url(database).set(password=PASSWORD).render_as_string(hide_password=False)
    migrate(project, url)
    settings = {
        "POOL_SIZE": str(POOL_SIZE),
        "MAX_OVERFLOW": "0",
        "POOL_TIMEOUT": "30",
        "LEAK_DETECTION_THRESHOLD": str(THRESHOLD),
    }
    server = fastapi_run(project, project_environment(project, url, **settings), workers=2)
    rules = project / "monitoring" / "pool-alerts.yml"
    # Where the workers of this server share their metrics (PROMETHEUS_MULTIPROC_DIR).
    shared = Path(tempfile.gettempdir()) / f"my_service-metrics-{server.process.pid}"
    try:
        with running(server), scraping(server.port, [rules]) as prometheus:
            server.wait_until_logged(STARTED, times=2)
            assert prometheus.wait_for('up{job="service"}', 1) == 1, prometheus.output()
            # Each worker reports its own pool; Prometheus reads their sum.
            assert prometheus.wait_for("sum(db_client_connection_max)", 2 * POOL_SIZE) == 4
            # Each worker's lifespan took a connection to check the connection budget.
            uses_before = prometheus.query("sum(db_client_connection_use_time_seconds_count)")

            statuses = slow_requests(server.port)

            leaks = prometheus.wait_for("sum(db_client_connection_suspected_leaks_total)", REQUESTS)
            used_after = prometheus.wait_for(f"sum({USED})", 0)
            pending_after = prometheus.wait_for("sum(db_client_connection_pending_requests)", 0)
            peak_used = prometheus.query(f"max_over_time(sum({USED})[1m:1s])")
            peak_pending = prometheus.query(
                "max_over_time(sum(db_client_connection_pending_requests)[1m:1s])"
            )
            assert uses_before is not None
            uses = prometheus.wait_for(
                "sum(db_client_connection_use_time_seconds_count)", uses_before + REQUESTS
            )
            held = prometheus.query(
                "histogram_quantile(0.5, sum by (le) ("
                "increase(db_client_connection_use_time_seconds_bucket[1m])))"
            )
            waited = prometheus.query("sum(db_client_connection_wait_time_seconds_sum)")
            p99_wait = prometheus.query(
                "histogram_quantile(0.99, sum by (le) ("
                "rate(db_client_connection_wait_time_seconds_bucket[1m])))"
            )
            alerts = {
                alert["labels"]["alertname"]: alert["state"]
                for alert in prometheus.api("alerts")["alerts"]
            }
            rule_health = {
                rule["name"]: rule["health"]
                for group in prometheus.api("rules")["groups"]
                for rule in group["rules"]
            }
            multiprocess_files = sorted(path.name for path in shared.glob("*.db"))
            exposition = http_json(server.port, "GET", "/metrics")[1]
            log = server.output()
    finally:
        shutil.rmtree(shared, ignore_errors=True)

    print(f"PromQL p99 wait for a connection over the last minute: {p99_wait} s")
    assert statuses == [200] * REQUESTS
    assert multiprocess_files, "the workers did not share their metrics in files"
    assert leaks == REQUESTS
    # The pools were full (2 connections per worker), and the other requests waited.
    assert peak_used is not None and POOL_SIZE <= peak_used <= 2 * POOL_SIZE
    assert peak_pending is not None and peak_pending >= 1
    assert (used_after, pending_after) == (0, 0)
    assert uses == uses_before + REQUESTS  # every request returned its connection
    assert held is not None and held > HELD * 0.8
    # Half the requests waited for a connection held for HELD seconds.
    assert waited is not None and waited > REQUESTS / 2 * HELD * 0.8
    assert p99_wait is not None and p99_wait > 1
    assert set(rule_health.values()) == {"ok"}, rule_health
    assert alerts.get("DatabaseConnectionLeakSuspected") == "firing", alerts

    warnings = [line for line in log.splitlines() if line.startswith("WARNING:  my_service.leaks")]
    infos = [line for line in log.splitlines() if line.startswith("INFO:  my_service.leaks")]
    first = log.index(warnings[0])
    print(
        log[first : log.index("\n", log.index(", in slow_report", first) + 20)], infos[0], sep="\n"
    )
    assert len(warnings) == REQUESTS, log
    assert all("by GET /slow-report on " in line for line in warnings), warnings
    assert all("(LEAK_DETECTION_THRESHOLD 1 s)" in line for line in warnings), warnings
    assert "line " in log and ", in slow_report" in log  # the stack of the endpoint
    assert len(infos) == REQUESTS, log
    assert all("(GET /slow-report on " in line for line in infos), infos
    assert all("was returned to the pool after" in line for line in infos), infos
    # The pool's name is host:port/database: neither the password nor the URL.
    assert f'db_client_connection_pool_name="127.0.0.1:5432/{make_url(url).database}"' in (
        exposition
    )
    for text in (exposition, log):
        assert PASSWORD not in text
        assert url not in text


def test_the_shipped_alert_rules_pass_promtool(render: Render) -> None:
    project = render(answers("sync", "sqlite", "pysqlite"))

    checked = subprocess.run(
        [binary("promtool"), "check", "rules", str(project / "monitoring" / "pool-alerts.yml")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 4 rules found" in checked.stdout


OFF_CHECK = """
from fastapi.testclient import TestClient
from sqlalchemy.pool import QueuePool

from my_service.db import engine
from my_service.main import app
from my_service.metrics import MeasuredPool

client = TestClient(app)
assert client.get("/items").status_code == 200
print(client.get("/metrics").status_code, type(engine.pool) is QueuePool, MeasuredPool)
print(len(engine.pool.dispatch.checkout), len(app.user_middleware))
"""


def test_the_settings_turn_metrics_and_leak_detection_off(render: Render, tmp_path: Path) -> None:
    project = render(answers("sync", "sqlite", "pysqlite"))
    env = project_environment(
        project,
        f"sqlite:///{tmp_path / 'off.db'}",
        METRICS_ENABLED="false",
        LEAK_DETECTION_THRESHOLD="0",
    )
    migrate(project, env["DATABASE_URL"])

    checked = subprocess.run(
        [sys.executable, "-c", OFF_CHECK],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert checked.returncode == 0, checked.stderr
    served, listeners = checked.stdout.splitlines()
    assert served.startswith("404 True ")  # no /metrics, the plain queue pool
    assert listeners == "0 0"  # no checkout listener, no middleware
