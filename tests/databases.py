"""The database servers that rendered projects' tests run against, one database per test."""

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

# Where the servers are; the defaults are this project's development and CI machines.
SERVER_URLS = {
    "postgresql": os.environ.get(
        "SESSIONWISE_POSTGRESQL_URL", "postgresql://postgres@127.0.0.1:5432/test"
    ),
    "mysql": os.environ.get("SESSIONWISE_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
}
ADMIN_DRIVERS = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}


def database_name(test_id: str) -> str:
    """A short database name of its own for each test (and each xdist worker)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return "sw_" + hashlib.sha1(f"{worker}:{test_id}".encode()).hexdigest()[:16]


@contextmanager
def fresh_database(database: str, drivername: str, name: str) -> Iterator[str]:
    """Create an empty database on the server; yield its URL for `drivername`; drop it."""
    server = make_url(SERVER_URLS[database])
    admin = create_engine(
        server.set(drivername=ADMIN_DRIVERS[database]),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
    )
    drop = f"DROP DATABASE IF EXISTS {name}" + (" WITH (FORCE)" if database == "postgresql" else "")
    try:
        with admin.connect() as connection:
            connection.execute(text(drop))
            connection.execute(text(f"CREATE DATABASE {name}"))
    except OperationalError as error:
        admin.dispose()
        where = server.render_as_string(hide_password=True)
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{database} server at {where} is not reachable: {error.orig}")
    try:
        yield render_url(server.set(drivername=drivername, database=name))
    finally:
        with admin.connect() as connection:
            connection.execute(text(drop))
        admin.dispose()


def render_url(url: URL) -> str:
    return url.render_as_string(hide_password=False)
