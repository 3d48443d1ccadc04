"""The database servers that rendered projects' tests run against, one database per test."""

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from testing import ROOT

# Where the servers are; the defaults are this project's development and CI machines.
SERVER_URLS = {
    "postgresql": os.environ.get(
        "SESSIONWISE_POSTGRESQL_URL", "postgresql://postgres@127.0.0.1:5432/test"
    ),
    "mysql": os.environ.get("SESSIONWISE_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
}
# The `database_for` fixture: a new empty database for a rendered project (None for SQLite).
DatabaseFor = Callable[[Path], str | None]
ADMIN_DRIVERS = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}


def database_name(test_id: str) -> str:
    """A short database name of its own for each test, xdist worker and checkout (two
    checkouts may run their suites against the same servers at once)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    checkout = ROOT
    return "sw_" + hashlib.sha1(f"{checkout}:{worker}:{test_id}".encode()).hexdigest()[:16]


def admin_engine(database: str, name: str | None = None) -> Engine:
    """An autocommitting engine on the server as its admin account (on database `name`)."""
    url = make_url(SERVER_URLS[database]).set(drivername=ADMIN_DRIVERS[database])
    if name is not None:
        url = url.set(database=name)
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


@contextmanager
def created_database(database: str, name: str) -> Iterator[None]:
    """An empty database `name` on the server, dropped afterwards."""
    drop = f"DROP DATABASE IF EXISTS {name}" + (" WITH (FORCE)" if database == "postgresql" else "")
    admin = admin_engine(database)
    try:
        with admin.connect() as connection:
            connection.execute(text(drop))
            connection.execute(text(f"CREATE DATABASE {name}"))
        try:
            yield
        finally:
            with admin.connect() as connection:
                connection.execute(text(drop))
    finally:
        admin.dispose()


@contextmanager
def fresh_database(database: str, drivername: str, name: str) -> Iterator[str]:
    """Create an empty database on the server; yield its URL for `drivername`; drop it."""
    server = make_url(SERVER_URLS[database])
    with ExitStack() as stack:
        try:
            stack.enter_context(created_database(database, name))
        except OperationalError as error:
            where = server.render_as_string(hide_password=True)
            if os.environ.get("CI"):
                raise
            pytest.skip(f"{database} server at {where} is not reachable: {error.orig}")
        yield render_url(server.set(drivername=drivername, database=name))


def render_url(url: URL) -> str:
    return url.render_as_string(hide_password=False)
