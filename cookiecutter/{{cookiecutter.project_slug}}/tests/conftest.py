{% set package_name = cookiecutter.package_name %}
{% set database = cookiecutter.database %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set driver = cookiecutter.driver %}
{% set url_scheme +%}{{ {'pysqlite': 'sqlite', 'aiosqlite': 'sqlite+aiosqlite',
    'psycopg': 'postgresql+psycopg', 'psycopg2': 'postgresql+psycopg2',
    'asyncpg': 'postgresql+asyncpg', 'pymysql': 'mysql+pymysql',
    'mysqlclient': 'mysql+mysqldb', 'asyncmy': 'mysql+asyncmy',
    'aiomysql': 'mysql+aiomysql'}[driver] }}{%+ endset %}
{% set connection_proxy = cookiecutter.connection_proxy %}
{% set behind_pgbouncer = connection_proxy == 'pgbouncer' %}
{% set test_database_url +%}{% if database == 'postgresql' %}{{ url_scheme }}://postgres@127.0.0.1:{{ 6432 if behind_pgbouncer else 5432 }}/test {%- elif database == 'mysql' %}{{ url_scheme }}://root@127.0.0.1:3306/test{% endif %}{%+ endset %}
{% set test_direct_url +%}{{ url_scheme }}://postgres@127.0.0.1:5432/test{%+ endset %}
{% set has_server = database != 'sqlite' %}
{% set admin_url = "settings.direct_url" if behind_pgbouncer else "settings.database_url" %}
"""Fixtures: a real test database, HTTP clients, and a watcher on the app's pool."""

import os
{% if database == "sqlite" %}
import tempfile
{% endif %}

# The app builds its engine when it is imported, so the test database is chosen first.
{% if database == "sqlite" %}
# By default a new SQLite file per run; TEST_DATABASE_URL chooses another database.
os.environ["DATABASE_URL"] = os.environ.get(
    "TEST_DATABASE_URL", f"{{ url_scheme }}:///{tempfile.mkdtemp()}/test.db"
)
{% else %}
# The tests drop and recreate the tables there: never point it at data you keep.
os.environ["DATABASE_URL"] = os.environ.get(
    "TEST_DATABASE_URL", "{{ test_database_url }}"
)
{% endif %}
{% if behind_pgbouncer %}
# The same database on the server itself, not through PgBouncer: for the migrations and
# for the tests' own set-up and checks.
os.environ["DIRECT_URL"] = os.environ.get(
    "TEST_DIRECT_URL", "{{ test_direct_url }}"
)
{% endif %}
# A short wait for a free connection, so that a leak fails within seconds.
os.environ["POOL_TIMEOUT"] = "3"

{% if is_async %}
import asyncio
{% endif %}
import gc
import threading
{% if is_async %}
from collections.abc import AsyncIterator, Iterator, Sequence
{% else %}
from collections.abc import Iterator, Sequence
{% endif %}
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
{% if is_async %}
from httpx import ASGITransport, AsyncClient
from sqlalchemy import {{ "Connection, " if database == "sqlite" }}Engine, Row, event, inspect, select, text
{% if database != "sqlite" %}
from sqlalchemy.exc import OperationalError
{% endif %}
from sqlalchemy.ext.asyncio import create_async_engine
{% else %}
from fastapi.testclient import TestClient
{% if database == "sqlite" %}
from sqlalchemy import (
    Connection,
    Engine,
    Row,
    create_engine,
    event,
    inspect,
    select,
    text,
)
{% else %}
from sqlalchemy import Engine, Row, create_engine, event, inspect, select, text
{% endif %}
{% if database != "sqlite" %}
from sqlalchemy.exc import OperationalError
{% endif %}
{% endif %}
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.pool import NullPool, QueuePool

from {{ package_name }}.db import SessionLocal, engine
from {{ package_name }}.main import app
from {{ package_name }}.models import Base, Item
from {{ package_name }}.settings import settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# A connection left open can hold locks: a test waits for one briefly, then fails,
# where it would otherwise wait as long as the database lets it (a day for MariaDB's
# metadata locks).
{% if database == "postgresql" %}
LOCK_TIMEOUT = "SET lock_timeout = '5s'"
{% elif database == "mysql" %}
LOCK_TIMEOUT = "SET SESSION lock_wait_timeout = 5, innodb_lock_wait_timeout = 5"
{% else %}
# SQLite cannot end another connection: every later test would wait this long for it.
LOCK_TIMEOUT = "PRAGMA busy_timeout = 1000"
{% endif %}


@event.listens_for(Engine, "connect")
def wait_for_locks_briefly(dbapi_connection: Any, _: Any) -> None:
    """On every connection of this test run: the app's, the migrations', the tests'."""
    cursor = dbapi_connection.cursor()
    cursor.execute(LOCK_TIMEOUT)
    cursor.close()
    dbapi_connection.commit()


def alembic_config() -> Config:
    return Config(PROJECT_ROOT / "alembic.ini")


# The tests' own connections: a pool made like the app's (the same driver settings) but
# apart from it, so that the app's pool shows only what the app holds.
{% if is_async %}
test_engine = create_async_engine(
    settings.database_url, pool=engine.sync_engine.pool.recreate()
)
{% else %}
test_engine = create_engine(settings.database_url, pool=engine.pool.recreate())
{% endif %}
{% if database == "sqlite" %}


# Left to itself, the sqlite3 driver emits no BEGIN before a SAVEPOINT, and releasing
# that savepoint commits for real. On the tests' connections SQLAlchemy emits BEGIN
# itself (SQLAlchemy's SQLite docs: "Transactions with SQLite and the sqlite3 driver").
@event.listens_for(test_engine{{ ".sync_engine" if is_async }}, "connect")
def no_implicit_begin(dbapi_connection: Any, _: Any) -> None:
    dbapi_connection.isolation_level = None


@event.listens_for(test_engine{{ ".sync_engine" if is_async }}, "begin")
def emit_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")
{% endif %}


{% if is_async %}
def execute(statement: str) -> Sequence[Row[Any]]:
    """Run one statement on a connection of its own, outside the app's pool."""
    return asyncio.run(execute_async(statement))


async def execute_async(statement: str) -> Sequence[Row[Any]]:
    admin = create_async_engine({{ admin_url }}, poolclass=NullPool)
    try:
        async with admin.begin() as connection:
            result = await connection.execute(text(statement))
            return result.all() if result.returns_rows else []
    finally:
        await admin.dispose()


def table_names() -> set[str]:
    async def inspect_tables() -> set[str]:
        admin = create_async_engine({{ admin_url }}, poolclass=NullPool)
        try:
            async with admin.connect() as connection:
                names = await connection.run_sync(
                    lambda sync: inspect(sync).get_table_names()
                )
                return set(names)
        finally:
            await admin.dispose()

    return asyncio.run(inspect_tables())


def drop_all_tables() -> None:
    async def drop() -> None:
        admin = create_async_engine({{ admin_url }}, poolclass=NullPool)
        try:
            async with admin.begin() as connection:
                await connection.run_sync(Base.metadata.drop_all)
                await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        finally:
            await admin.dispose()

    asyncio.run(drop())
{% else %}
def execute(statement: str) -> Sequence[Row[Any]]:
    """Run one statement on a connection of its own, outside the app's pool."""
    admin = create_engine({{ admin_url }}, poolclass=NullPool)
    try:
        with admin.begin() as connection:
            result = connection.execute(text(statement))
            return result.all() if result.returns_rows else []
    finally:
        admin.dispose()


def table_names() -> set[str]:
    admin = create_engine({{ admin_url }}, poolclass=NullPool)
    try:
        with admin.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        admin.dispose()


def drop_all_tables() -> None:
    admin = create_engine({{ admin_url }}, poolclass=NullPool)
    try:
        with admin.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        admin.dispose()
{% endif %}


{% if is_async %}
async def item_names() -> list[str]:
    """The names in the items table, as the app's next session sees them."""
    async with SessionLocal() as session:
        return list(await session.scalars(select(Item.name).order_by(Item.name)))


async def committed_item_names() -> list[str]:
    """The names committed to the items table, as another client sees them."""
    rows = await execute_async("SELECT name FROM items ORDER BY name")
    return [row.name for row in rows]


async def empty_every_table() -> None:
    """Deletes every row of every table the models define, children first."""
    admin = create_async_engine({{ admin_url }}, poolclass=NullPool)
    try:
        async with admin.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
    finally:
        await admin.dispose()
{% else %}
def item_names() -> list[str]:
    """The names in the items table, as the app's next session sees them."""
    with SessionLocal() as session:
        return list(session.scalars(select(Item.name).order_by(Item.name)))


def committed_item_names() -> list[str]:
    """The names committed to the items table, as another client sees them."""
    return [row.name for row in execute("SELECT name FROM items ORDER BY name")]


def empty_every_table() -> None:
    """Deletes every row of every table the models define, children first."""
    admin = create_engine({{ admin_url }}, poolclass=NullPool)
    try:
        with admin.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    finally:
        admin.dispose()
{% endif %}


@pytest.fixture(scope="session", autouse=True)
def database() -> None:
    """An empty database migrated to head, once per test run."""
{% if database == "sqlite" %}
    drop_all_tables()
{% else %}
    try:
        drop_all_tables()
    except OperationalError as error:
        where = engine.url.render_as_string(hide_password=True)
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no database server at {where} (set TEST_DATABASE_URL): {error}")
{% endif %}
    command.upgrade(alembic_config(), "head")


{% if is_async %}
@pytest.fixture(autouse=True)
async def test_transaction(
    request: pytest.FixtureRequest, anyio_backend: str
) -> AsyncIterator[None]:
{% else %}
@pytest.fixture(autouse=True)
def test_transaction(request: pytest.FixtureRequest) -> Iterator[None]:
{% endif %}
    """Runs the test inside one transaction that is rolled back at its end.

    The app's own SessionLocal and get_session run as in production, on the test's
    connection: their commits and rollbacks act on savepoints inside its transaction
    (create_savepoint), so a rollback in the app undoes only its request's work, and
    nothing reaches the database. A test marked real_commits runs on the app's pool
    instead, and every table is emptied after it.
    """
    if request.node.get_closest_marker("real_commits"):
        yield
        {{ "await " if is_async }}empty_every_table()
        return
    {{ "async " if is_async }}with test_engine.connect() as connection:
        transaction = {{ "await " if is_async }}connection.begin()
        SessionLocal.configure(
            bind=connection, join_transaction_mode="create_savepoint"
        )
        try:
            yield
        finally:
            # Back to the app's engine, with the default join mode.
            SessionLocal.configure(
                bind=engine, join_transaction_mode="conditional_savepoint"
            )
            {{ "await " if is_async }}transaction.rollback()


def queue_pool() -> QueuePool:
    """The app's pool as it is now (disposing the engine replaces it)."""
    pool = engine{{ ".sync_engine" if is_async }}.pool
    assert isinstance(pool, QueuePool)
    return pool


@pytest.fixture(autouse=True)
def nothing_left_open(
    request: pytest.FixtureRequest, test_transaction: None
) -> Iterator[None]:
    """Fails the test after which a session of the app is still open, or a connection of
    the app's pool is still in use."""
    # Sessions on the test's connection take nothing from the pool: they are watched
    # from their first transaction until they close.
    open_sessions: set[Session] = set()

    def began(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:
            open_sessions.add(session)

    def ended(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:
            open_sessions.discard(session)

    event.listen(Session, "after_transaction_create", began)
    event.listen(Session, "after_transaction_end", ended)
    try:
        yield
    finally:
        event.remove(Session, "after_transaction_create", began)
        event.remove(Session, "after_transaction_end", ended)
    left_open = queue_pool().checkedout()
    if left_open:
{% if has_server %}
        # Its locks would make every later test wait: end it, and start a new pool.
        end_the_apps_connections()
{% endif %}
        engine{{ ".sync_engine" if is_async }}.dispose(close=False)
        pytest.fail(
            f"{request.node.name} left {left_open} connection(s) of the app's pool"
            " checked out: a session that was never closed",
            pytrace=False,
        )
    if open_sessions:
        pytest.fail(
            f"{request.node.name} left {len(open_sessions)} session(s) of the app open:"
            " a session that was never closed",
            pytrace=False,
        )
{% if has_server %}


def end_the_apps_connections() -> None:
    """Ends, on the server, every other connection to the test database."""
{% if database == "postgresql" %}
    execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
{% else %}
    others = execute(
        "SELECT id FROM information_schema.processlist"
        " WHERE db = DATABASE() AND id <> CONNECTION_ID()"
    )
    for other in others:
        execute(f"KILL {other.id}")
{% endif %}
{% endif %}


{% if is_async %}
@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session", autouse=True)
async def event_loop_for_the_run(anyio_backend: str) -> AsyncIterator[None]:
    # Keeps one event loop for all tests: the pools' connections belong to it.
    yield
    await engine.dispose()
    await test_engine.dispose()


@pytest.fixture
async def client() -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
async def probe_client(request: pytest.FixtureRequest) -> AsyncIterator[AsyncClient]:
    """A client of the test module's `probe`: an app of routes written for its tests."""
    transport = ASGITransport(app=request.module.probe, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
{% else %}
@pytest.fixture
def client() -> TestClient:
    # Server errors become 500 responses, as a real client would see them.
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def probe_client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """A client of the test module's `probe`: an app of routes written for its tests."""
    # Entered: one event loop for every request, as in a server, so that they share its
    # worker threads.
    with TestClient(request.module.probe, raise_server_exceptions=False) as client:
        yield client
{% endif %}


@dataclass
class PoolWatch:
    """What the app's pool and sessions did during one test."""

    checkouts: int = 0
    checkins: int = 0
    connects: int = 0
    peak: int = 0
    open_transactions: set[SessionTransaction] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def checked_out(self) -> int:
        return self.checkouts - self.checkins

    def on_checkout(self, *_: Any) -> None:
        with self.lock:
            self.checkouts += 1
            self.peak = max(self.peak, self.checked_out)

    def on_checkin(self, *_: Any) -> None:
        with self.lock:
            self.checkins += 1

    def on_connect(self, *_: Any) -> None:
        with self.lock:
            self.connects += 1

    def on_transaction_create(
        self, _: Session, transaction: SessionTransaction
    ) -> None:
        if transaction.parent is None:
            with self.lock:
                self.open_transactions.add(transaction)

    def on_transaction_end(self, _: Session, transaction: SessionTransaction) -> None:
        with self.lock:
            self.open_transactions.discard(transaction)

    def assert_all_returned(self) -> None:
        assert self.checked_out == 0, f"{self.checked_out} connection(s) not returned"
        assert not self.open_transactions, "a session was left open"


@pytest.fixture
def pool_watch() -> Iterator[PoolWatch]:
    watch = PoolWatch()
    pool_target = engine{{ ".sync_engine" if is_async }}
    listeners: list[tuple[Any, str, Any]] = [
        (pool_target, "checkout", watch.on_checkout),
        (pool_target, "checkin", watch.on_checkin),
        (pool_target, "connect", watch.on_connect),
        (Session, "after_transaction_create", watch.on_transaction_create),
        (Session, "after_transaction_end", watch.on_transaction_end),
    ]
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    # A leaked session returns its connection only when the garbage collector happens
    # to run; with the collector paused, a leak stays visible until the test ends.
    gc.disable()
    try:
        yield watch
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)
        gc.enable()
        gc.collect()
