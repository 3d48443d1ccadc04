"""Fault tests: rendered services served for real (uvicorn in a subprocess) against the real
PostgreSQL and MariaDB servers, while the database fails under them.

The service runs under bench/serve.py, which reads every SQLAlchemy pool in the process
from outside (connections checked out now) without changing the service's code.
"""

import asyncio
import shutil
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url, text

from testing.answer_matrix import answers
from testing.databases import DatabaseFor, admin_engine
from testing.projects import Render
from testing.services import (
    Service,
    kill_connections,
    migrate,
    project_environment,
    serving,
)

SYNC_POSTGRESQL = answers("sync", "postgresql", "psycopg", "commit_on_success")
ASYNC_POSTGRESQL = answers("async", "postgresql", "asyncpg", "commit_on_success")
SYNC_MYSQL = answers("sync", "mysql", "pymysql", "commit_on_success")
ASYNC_MYSQL = answers("async", "mysql", "asyncmy", "commit_on_success")


def combo(answers: dict[str, str]) -> Any:
    return pytest.param(
        answers, id=f"{answers['mode']}-{answers['driver']}-{answers['transaction_policy']}"
    )


SYNC_ONLY = [combo(SYNC_POSTGRESQL), combo(SYNC_MYSQL)]
EVERY_DATABASE = [combo(a) for a in (SYNC_POSTGRESQL, ASYNC_POSTGRESQL, SYNC_MYSQL, ASYNC_MYSQL)]
ASYNC_ONLY = [combo(ASYNC_POSTGRESQL), combo(ASYNC_MYSQL)]
POSTGRESQL_BOTH_POLICIES = [
    combo(answers(mode, "postgresql", driver, policy))
    for mode, driver in (("sync", "psycopg"), ("async", "asyncpg"))
    for policy in ("explicit", "commit_on_success")
]


@dataclass
class Running:
    service: Service
    database: str  # postgresql or mysql
    name: str  # the database's name on the server

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.service.port}"

    def sql(self, statement: str, **params: Any) -> list[Any]:
        """One statement on an admin connection of its own, autocommitted."""
        engine = admin_engine(self.database, self.name)
        try:
            with engine.connect() as connection:
                result = connection.execute(text(statement), params)
                return list(result.all()) if result.returns_rows else []
        finally:
            engine.dispose()

    def names(self) -> Counter[str]:
        return Counter(row.name for row in self.sql("SELECT name FROM items"))

    def checked_out(self) -> int:
        count: int = self.service.stats()["checked_out"]
        return count

    def wait_checked_out(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.checked_out() != count:
            assert time.monotonic() < deadline, f"never {count} connections checked out"
            time.sleep(0.02)


# How soon after the load stops every connection must be back in the pool (the bench holds
# the generated services to 1 s; a little slack here for a loaded CI machine).
RETURN_WITHIN = 3.0
StartService = Callable[..., Running]


@pytest.fixture
def start_service(
    render: Render, database_for: DatabaseFor, tmp_path: Path
) -> Iterator[StartService]:
    """Render (once per answers), migrate a fresh database, serve the project; stop it after."""
    with ExitStack() as cleanup:

        def start(
            answers: dict[str, str], handler_timeout: float | None = None, **settings: str
        ) -> Running:
            project = shutil.copytree(render(answers), tmp_path / "project")
            url = database_for(project)
            assert url is not None
            migrate(project, url)
            env = project_environment(project, url, **settings)
            service = cleanup.enter_context(
                serving("my_service.main:app", env, project, handler_timeout)
            )
            name = make_url(url).database
            assert name is not None
            return Running(service, answers["database"], name)

        yield start


DROPPED = 0  # the status recorded when the connection closed without a response


@contextmanager
def table_locked(running: Running) -> Iterator[None]:
    """Every query on items waits while this holds the table, as behind a long migration."""
    engine = admin_engine(running.database, running.name)
    connection = engine.connect()
    try:
        if running.database == "postgresql":
            connection.execute(text("BEGIN"))
            connection.execute(text("LOCK TABLE items IN ACCESS EXCLUSIVE MODE"))
        else:
            connection.execute(text("LOCK TABLES items WRITE"))
        yield
    finally:
        connection.execute(
            text("ROLLBACK" if running.database == "postgresql" else "UNLOCK TABLES")
        )
        connection.close()
        engine.dispose()


def post_items(base_url: str, clients: int, per_client: int, during: Callable[[], None] | None):
    """`clients` concurrent clients, each creating `per_client` items one after another;
    `during` runs (on a thread) once a third of the writes are acknowledged.
    Returns {name: (status, body)} for every request."""
    outcomes: dict[str, tuple[int, Any]] = {}
    third = clients * per_client // 3

    async def client(number: int, http: httpx.AsyncClient, fired: asyncio.Event) -> None:
        for index in range(per_client):
            name = f"w{number}-{index}"
            try:
                response = await http.post("/items", json={"name": name})
                json = "json" in response.headers.get("content-type", "")
                outcomes[name] = (response.status_code, response.json() if json else response.text)
            except httpx.HTTPError as error:
                outcomes[name] = (DROPPED, repr(error))
            if (
                during
                and not fired.is_set()
                and sum(s == 201 for s, _ in outcomes.values()) >= third
            ):
                fired.set()
                await asyncio.to_thread(during)

    async def load() -> None:
        fired = asyncio.Event()
        limits = httpx.Limits(max_connections=clients)
        async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
            await asyncio.gather(*(client(n, http, fired) for n in range(clients)))
        assert during is None or fired.is_set()

    asyncio.run(load())
    return outcomes


def assert_acknowledged_writes_stored_once(running: Running, outcomes: dict) -> None:
    stored = running.names()
    assert max(stored.values(), default=1) == 1, "a row was written twice"
    acknowledged = {name for name, (status, _) in outcomes.items() if status == 201}
    assert acknowledged <= set(stored), f"acknowledged but lost: {acknowledged - set(stored)}"
    assert set(stored) <= set(outcomes), "rows nobody asked for"
    ids = {row.name: row.id for row in running.sql("SELECT id, name FROM items")}
    for name in acknowledged:
        assert outcomes[name][1]["id"] == ids[name], "the client was told another id"


def assert_serves_again(running: Running) -> None:
    """Ten requests in a row succeed, then every connection is back in the pool."""
    with httpx.Client(base_url=running.base_url, timeout=10) as http:
        for _ in range(10):
            assert http.get("/items").status_code == 200
    running.wait_checked_out(0, timeout=RETURN_WITHIN)


@pytest.mark.parametrize("answers", EVERY_DATABASE)
def test_every_acknowledged_write_of_a_concurrent_load_is_stored_exactly_once(
    answers: dict[str, str], start_service: StartService
) -> None:
    running = start_service(answers)

    outcomes = post_items(running.base_url, clients=20, per_client=20, during=None)

    assert Counter(status for status, _ in outcomes.values()) == {201: 400}
    assert_acknowledged_writes_stored_once(running, outcomes)
    assert sum(running.names().values()) == 400
    running.wait_checked_out(0, timeout=RETURN_WITHIN)


@pytest.mark.parametrize("answers", EVERY_DATABASE)
def test_requests_succeed_after_every_connection_is_killed_mid_load(
    answers: dict[str, str], start_service: StartService
) -> None:
    running = start_service(answers)
    killed: list[int] = []

    clients = 10
    outcomes = post_items(
        running.base_url,
        clients=clients,
        per_client=30,
        during=lambda: killed.append(kill_connections(running.database, running.name)),
    )

    assert killed and killed[0] > 0, "no connection was killed"
    statuses = Counter(status for status, _ in outcomes.values())
    # Only the requests in flight when the connections died may fail, and as errors...
    assert set(statuses) <= {201, 500, 503, DROPPED}, [o for o in outcomes.values() if o[0] != 201]
    assert statuses[500] + statuses[503] <= clients, statuses
    # ...and uvicorn closes the keep-alive connection after an unhandled error, which the
    # client may already have sent its next request on (never processed, never written).
    assert statuses[DROPPED] <= statuses[500], statuses
    assert_acknowledged_writes_stored_once(running, outcomes)
    # After the kill, the pool replaces its dead connections (pool_pre_ping) by itself.
    with httpx.Client(base_url=running.base_url, timeout=10) as http:
        for number in range(20):
            assert http.post("/items", json={"name": f"after-{number}"}).status_code == 201
            assert http.get("/items").status_code == 200
        assert http.get("/ready").status_code == 200
    running.wait_checked_out(0, timeout=RETURN_WITHIN)


@pytest.mark.parametrize("answers", EVERY_DATABASE)
def test_exhausted_pool_gives_a_fast_503_with_retry_after_and_recovers(
    answers: dict[str, str], start_service: StartService
) -> None:
    running = start_service(answers, POOL_SIZE="2", MAX_OVERFLOW="0", POOL_TIMEOUT="1")
    held: list[httpx.Response] = []

    def hold_a_connection() -> None:
        held.append(httpx.get(f"{running.base_url}/items/1", timeout=30))

    with table_locked(running):
        holders = [threading.Thread(target=hold_a_connection) for _ in range(2)]
        for holder in holders:
            holder.start()
        running.wait_checked_out(2)  # both waiting on the lock, each with its connection

        for _ in range(3):
            started = time.monotonic()
            refused = httpx.get(f"{running.base_url}/items", timeout=30)
            waited = time.monotonic() - started

            assert refused.status_code == 503
            assert refused.headers["Retry-After"] == "1"
            assert refused.json() == {"detail": "all database connections are busy, retry shortly"}
            assert waited < 1 + 1.5, f"the 503 took {waited:.1f} s with pool_timeout=1"
    for holder in holders:
        holder.join(timeout=30)

    # The load dropped: the held requests finish and new ones are served, nothing restarted.
    assert [response.status_code for response in held] == [404, 404]
    assert_serves_again(running)


@pytest.mark.parametrize("answers", POSTGRESQL_BOTH_POLICIES)
def test_commit_that_fails_on_a_deferred_unique_violation_is_a_409_that_keeps_nothing(
    answers: dict[str, str], start_service: StartService
) -> None:
    running = start_service(answers)
    # A deferred constraint is checked at COMMIT, after the endpoint's flush succeeded.
    running.sql("ALTER TABLE items DROP CONSTRAINT uq_items_name")
    running.sql(
        "ALTER TABLE items ADD CONSTRAINT uq_items_name UNIQUE (name) DEFERRABLE INITIALLY DEFERRED"
    )
    with httpx.Client(base_url=running.base_url, timeout=10) as http:
        assert http.post("/items", json={"name": "taken"}).status_code == 201

        response = http.post("/items", json={"name": "taken", "description": "second"})

    assert response.status_code == 409, "a conflict found at COMMIT was not a 409"
    assert "already" in response.json()["detail"]
    assert running.names() == {"taken": 1}
    assert running.sql("SELECT description FROM items")[0].description is None
    running.wait_checked_out(0, timeout=RETURN_WITHIN)


SLOW_WRITE = {
    # PostgreSQL: a deferred trigger, so the wait (and the kill) happens inside COMMIT.
    "postgresql": [
        "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN PERFORM pg_sleep(5); RETURN NULL; END $$",
        "CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON items"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()",
    ],
    # MariaDB has no deferred triggers: the wait happens inside the INSERT.
    "mysql": [
        "CREATE TRIGGER slow_write BEFORE INSERT ON items FOR EACH ROW SET @slept = SLEEP(5)"
    ],
}
UNDO_SLOW_WRITE = {
    "postgresql": ["DROP TRIGGER slow_commit ON items", "DROP FUNCTION slow_commit()"],
    "mysql": ["DROP TRIGGER slow_write"],
}


def sleeping_in_the_server(running: Running) -> bool:
    if running.database == "postgresql":
        query = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event = 'PgSleep'"
        )
    else:
        query = (
            "SELECT COUNT(*) FROM information_schema.processlist"
            " WHERE db = DATABASE() AND state = 'User sleep'"
        )
    return bool(running.sql(query)[0][0])


@pytest.mark.parametrize("answers", EVERY_DATABASE)
def test_server_gone_during_the_write_is_never_a_2xx_and_keeps_nothing(
    answers: dict[str, str], start_service: StartService
) -> None:
    running = start_service(answers)
    for statement in SLOW_WRITE[running.database]:
        running.sql(statement)
    responses: list[httpx.Response] = []
    writer = threading.Thread(
        target=lambda: responses.append(
            httpx.post(f"{running.base_url}/items", json={"name": "doomed"}, timeout=30)
        )
    )
    writer.start()
    deadline = time.monotonic() + 10
    while not sleeping_in_the_server(running):
        assert time.monotonic() < deadline, "the write never reached the server"
        time.sleep(0.05)

    assert kill_connections(running.database, running.name) >= 1
    writer.join(timeout=30)

    assert responses[0].status_code >= 500, "a write the server lost was acknowledged"
    assert running.names() == {}
    for statement in UNDO_SLOW_WRITE[running.database]:
        running.sql(statement)
    with httpx.Client(base_url=running.base_url, timeout=10) as http:
        assert http.post("/items", json={"name": "kept"}).status_code == 201
    assert running.names() == {"kept": 1}
    running.wait_checked_out(0, timeout=RETURN_WITHIN)


@pytest.mark.parametrize("answers", ASYNC_ONLY)
def test_cancelled_request_still_closes_its_session_and_returns_its_connection(
    answers: dict[str, str], start_service: StartService
) -> None:
    # The service cancels any request still running after 1 s (as asyncio.timeout would).
    running = start_service(answers, handler_timeout=1.0, POOL_SIZE="2", MAX_OVERFLOW="0")

    with table_locked(running), httpx.Client(base_url=running.base_url, timeout=30) as http:
        cancelled = [http.get("/items/1") for _ in range(2)]
        assert [response.status_code for response in cancelled] == [504, 504]

    running.wait_checked_out(0, timeout=RETURN_WITHIN)
    with httpx.Client(base_url=running.base_url, timeout=10) as http:
        for number in range(10):
            assert http.post("/items", json={"name": f"n{number}"}).status_code == 201
    running.wait_checked_out(0, timeout=RETURN_WITHIN)


@pytest.mark.parametrize("answers", EVERY_DATABASE)
def test_client_disconnect_mid_request_still_returns_the_connection(
    answers: dict[str, str], start_service: StartService
) -> None:
    running = start_service(answers, POOL_SIZE="2", MAX_OVERFLOW="0")

    with table_locked(running):
        clients = [socket.create_connection(("127.0.0.1", running.service.port)) for _ in "ab"]
        for client in clients:
            client.sendall(b"GET /items/1 HTTP/1.1\r\nHost: test\r\n\r\n")
        running.wait_checked_out(2)  # both requests wait on the lock, with their connection
        for client in clients:
            client.close()  # and their clients give up

    running.wait_checked_out(0, timeout=RETURN_WITHIN)
    assert_serves_again(running)


@pytest.mark.parametrize("answers", SYNC_ONLY)
def test_more_concurrent_requests_than_worker_threads_all_succeed(
    answers: dict[str, str], start_service: StartService
) -> None:
    # Sync endpoints run on AnyIO's 40 threads; with 120 requests at once, threads waiting
    # for one of the 15 connections must not starve the requests that hold them (a stall
    # until pool_timeout, then 503s).
    running = start_service(answers, POOL_TIMEOUT="5")
    statuses: Counter[int] = Counter()

    async def client(http: httpx.AsyncClient) -> None:
        for _ in range(3):
            statuses[(await http.get("/items", params={"limit": 5})).status_code] += 1

    async def load() -> None:
        limits = httpx.Limits(max_connections=120)
        async with httpx.AsyncClient(base_url=running.base_url, timeout=60, limits=limits) as http:
            await asyncio.gather(*(client(http) for _ in range(120)))

    asyncio.run(load())

    assert statuses == {200: 360}
    running.wait_checked_out(0, timeout=RETURN_WITHIN)
