"""Rendered services, running for real: render the working tree's template, give the service a
database of its own, serve it under uvicorn in a subprocess, and read its instruments.

Used by bench/run.py and by the fault, worker and PgBouncer tests.
"""

import http.client
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import copier
from sqlalchemy import make_url, text
from sqlalchemy.engine import Connection

from sessionwise.template import drivers
from testing import ROOT
from testing.databases import SERVER_URLS, admin_engine
from testing.processes import stop
from testing.projects import shell_env
from testing.template_repo import TemplateRepo

BENCH = ROOT / "bench"


def template_snapshot(folder: Path) -> Path:
    """The working tree's template committed alone in a new git repository (as the tests do),
    so that what is rendered is what is in the working tree, committed or not."""
    return TemplateRepo.from_working_tree(folder).path


def render(snapshot: Path, destination: Path, answers: dict[str, Any]) -> Path:
    copier.run_copy(
        str(snapshot),
        destination,
        data=answers,
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
        unsafe=False,
    )
    return destination


def service_url(database: str, driver: str, name: str) -> str:
    url = make_url(SERVER_URLS[database]).set(
        drivername=drivers.driver(driver).url_scheme, database=name
    )
    return url.render_as_string(hide_password=False)


def project_environment(project: Path | None, database_url: str, **settings: str) -> dict[str, str]:
    env = shell_env()
    if project is not None:
        env["PYTHONPATH"] = str(project / "src")
    env["DATABASE_URL"] = database_url
    env.update(settings)
    return env


def migrate(project: Path, database_url: str, **settings: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=project,
        env=project_environment(project, database_url, **settings),
        check=True,
        capture_output=True,
        timeout=120,
    )


def seed(database: str, name: str, rows: int) -> None:
    """Items 1..rows, so that GET /items/{id} finds them."""
    engine = admin_engine(database, name)
    with engine.connect() as connection:
        for start in range(0, rows, 500):
            values = ", ".join(
                f"('seed-{n}', 'seeded')" for n in range(start + 1, min(rows, start + 500) + 1)
            )
            connection.execute(text(f"INSERT INTO items (name, description) VALUES {values}"))
    engine.dispose()


def server_connections(connection: Connection, database: str, name: str) -> int:
    """The connections the server has open to database `name` (not counting `connection`)."""
    if database == "postgresql":
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = :name"
    else:
        query = "SELECT COUNT(*) FROM information_schema.processlist WHERE db = :name"
    return int(connection.execute(text(query), {"name": name}).scalar_one())


class ConnectionWatch:
    """Polls the server's connection count for one database on a thread: the peak."""

    def __init__(self, database: str, name: str) -> None:
        self.database, self.name = database, name
        self.engine = admin_engine(database)
        self.connection = self.engine.connect()
        self.peak = 0
        self.running = False
        self.thread: threading.Thread | None = None

    def count(self) -> int:
        return server_connections(self.connection, self.database, self.name)

    def start(self) -> None:
        self.peak = self.count()
        self.running = True
        self.thread = threading.Thread(target=self.poll, daemon=True)
        self.thread.start()

    def poll(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.count())
            time.sleep(0.05)

    def stop(self) -> None:
        self.running = False
        if self.thread is not None:
            self.thread.join()

    def close(self) -> None:
        self.connection.close()
        self.engine.dispose()


def kill_connections(database: str, name: str) -> int:
    """Drop every server connection to database `name`, as a restart or failover does."""
    admin = admin_engine(database)
    try:
        with admin.connect() as connection:
            if database == "postgresql":
                rows = connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                ).all()
                return len(rows)
            ids = connection.execute(
                text("SELECT id FROM information_schema.processlist WHERE db = :name"),
                {"name": name},
            ).scalars()
            killed = 0
            for connection_id in list(ids):
                try:
                    connection.execute(text(f"KILL {int(connection_id)}"))
                    killed += 1
                except Exception:  # it ended on its own meanwhile
                    pass
            return killed
    finally:
        admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def http_json(
    port: int, method: str, path: str, body: Any = None, timeout: float = 5.0
) -> tuple[int, Any, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = None if body is None else json.dumps(body)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw.decode(errors="replace")
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


class Served:
    """A server in a subprocess, listening on `port`, its output kept in a temporary file."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, port: int) -> None:
        self.port = port
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service exited:\n{self.output()}")
            try:
                if http_json(self.port, "GET", "/health", timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the service did not start within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def wait_until_logged(self, text: str, times: int, timeout: float = 60.0) -> None:
        """Until `text` is in the output `times` times (e.g. once per worker process)."""
        deadline = time.monotonic() + timeout
        while self.output().count(text) < times:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{text!r} not logged {times} times:\n{self.output()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            stop(self.process, timeout=5)
        self.log.close()


class Service(Served):
    """A service under uvicorn, one worker, with the instruments of bench/serve.py."""

    def __init__(
        self,
        app: str,
        env: dict[str, str],
        cwd: Path,
        handler_timeout: float | None = None,
    ) -> None:
        port = free_port()
        self.stats_port = free_port()
        command = [
            sys.executable,
            str(BENCH / "serve.py"),
            app,
            "--port",
            str(port),
            "--stats-port",
            str(self.stats_port),
        ]
        if handler_timeout is not None:
            command += ["--handler-timeout", str(handler_timeout)]
        super().__init__(command, env, cwd, port)

    def stats(self, timeout: float = 5.0) -> dict[str, Any]:
        status, data, _ = http_json(self.stats_port, "GET", "/stats", timeout=timeout)
        assert status == 200
        stats: dict[str, Any] = data
        return stats

    def reset(self) -> None:
        http_json(self.stats_port, "POST", "/reset")

    def wait_returned(self, timeout: float) -> float | None:
        """Seconds until no connection is checked out of any pool; None if not within timeout."""
        started = time.monotonic()
        while True:
            waited = time.monotonic() - started
            if self.stats()["checked_out"] <= 0:
                return waited
            if waited > timeout:
                return None
            time.sleep(0.02)


def fastapi_run(project: Path, env: dict[str, str], workers: int) -> Served:
    """A rendered service as its README serves it: `WEB_CONCURRENCY=N fastapi run ...`."""
    port = free_port()
    command = [sys.executable, "-m", "fastapi", "run", "src/my_service/main.py"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    return Served(command, env | {"WEB_CONCURRENCY": str(workers)}, project, port)


def uvicorn_workers(app: str, env: dict[str, str], cwd: Path, workers: int) -> Served:
    """The same server as `fastapi run` (uvicorn, WEB_CONCURRENCY worker processes), without
    the access log, whose writing would take CPU from the service under load."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--no-access-log", "--log-level", "warning"]
    return Served(command, env | {"WEB_CONCURRENCY": str(workers)}, cwd, port)


ServedT = TypeVar("ServedT", bound=Served)


@contextmanager
def running(server: ServedT) -> Iterator[ServedT]:
    """The server once it answers /health; stopped afterwards."""
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def serving(
    app: str, env: dict[str, str], cwd: Path, handler_timeout: float | None = None
) -> AbstractContextManager[Service]:
    return running(Service(app, env, cwd, handler_timeout))
