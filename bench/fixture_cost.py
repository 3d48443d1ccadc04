"""What a generated test's database fixture costs per test: emptying every table after each
test (a DELETE per table, on a connection of its own, as the generated conftest did before
issue 19) against one transaction rolled back at the end of the test (the app's sessions
join it with create_savepoint, as the generated conftest does now), with 1 and with 20 user
tables, on SQLite and PostgreSQL. Each test writes one row through the app's session
factory and commits, as an endpoint would. Prints a markdown table.

Run: uv run python bench/fixture_cost.py [--tests N]
"""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    make_url,
    text,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

POSTGRESQL_URL = os.environ.get(
    "SESSIONWISE_POSTGRESQL_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BENCH_DATABASE = "sw_bench_fixture_cost"

Fixture = Callable[[], AbstractContextManager[None]]


def user_tables(count: int) -> MetaData:
    metadata = MetaData()
    for number in range(count):
        Table(
            f"table_{number:02d}",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("name", String(100), unique=True),
        )
    return metadata


def delete_per_table(url: str, metadata: MetaData) -> Fixture:
    """Before: after each test, a new connection deletes every row of every table."""

    @contextmanager
    def fixture() -> Iterator[None]:
        yield
        admin = create_engine(url, poolclass=NullPool)
        try:
            with admin.begin() as connection:
                for table in reversed(metadata.sorted_tables):
                    connection.execute(table.delete())
        finally:
            admin.dispose()

    return fixture


def rolled_back_transaction(
    engine: Engine, factory: sessionmaker[Session], sqlite: bool
) -> Fixture:
    """After: the test runs in one transaction on a pooled connection, rolled back."""
    test_engine = create_engine(engine.url, pool=engine.pool.recreate())
    if sqlite:
        event.listen(
            test_engine, "connect", lambda dbapi, _: setattr(dbapi, "isolation_level", None)
        )
        event.listen(test_engine, "begin", lambda c: c.exec_driver_sql("BEGIN"))

    @contextmanager
    def fixture() -> Iterator[None]:
        with test_engine.connect() as connection:
            transaction = connection.begin()
            factory.configure(bind=connection, join_transaction_mode="create_savepoint")
            try:
                yield
            finally:
                factory.configure(bind=engine, join_transaction_mode="conditional_savepoint")
                transaction.rollback()

    return fixture


def per_test_ms(
    fixture: Fixture, factory: sessionmaker[Session], table: Table, tests: int
) -> tuple[float, float]:
    """Medians over `tests` tests: the fixture's own time (set-up and tear-down), and the
    whole test's (the body's commit is a savepoint's release inside the test transaction)."""
    fixture_costs, test_costs = [], []
    for number in range(tests):
        started = time.perf_counter()
        with fixture():
            body_started = time.perf_counter()
            with factory() as session:
                session.execute(insert(table).values(name=f"row {number}"))
                session.commit()
            body = time.perf_counter() - body_started
        whole = time.perf_counter() - started
        fixture_costs.append(whole - body)
        test_costs.append(whole)
    return statistics.median(fixture_costs) * 1000, statistics.median(test_costs) * 1000


@contextmanager
def postgresql_database() -> Iterator[str]:
    server = make_url(POSTGRESQL_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    drop = f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"
    with admin.connect() as connection:
        connection.execute(text(drop))
        connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
    try:
        yield server.set(database=BENCH_DATABASE).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(drop))
        admin.dispose()


Costs = tuple[float, float]


def measure(url: str, table_count: int, tests: int) -> tuple[Costs, Costs]:
    metadata = user_tables(table_count)
    engine = create_engine(url, pool_size=5, max_overflow=10)
    with engine.begin() as connection:
        metadata.drop_all(connection)
        metadata.create_all(connection)
    factory = sessionmaker(engine, autoflush=False, expire_on_commit=False)
    first = metadata.sorted_tables[0]
    sqlite = engine.dialect.name == "sqlite"
    try:
        before = per_test_ms(delete_per_table(url, metadata), factory, first, tests)
        after = per_test_ms(rolled_back_transaction(engine, factory, sqlite), factory, first, tests)
        with engine.connect() as connection:
            left = connection.execute(text(f"SELECT count(*) FROM {first.name}")).scalar_one()
        assert left == 0, f"{left} rows were left behind"
    finally:
        with engine.begin() as connection:
            metadata.drop_all(connection)
        engine.dispose()
    return before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=300, help="tests per measurement")
    args = parser.parse_args()
    print(f"Per-test cost, ms (median of {args.tests} tests)\n")
    print(
        "| database | user tables | fixture: delete per table | fixture: rolled-back"
        " transaction | whole test: delete per table | whole test: rolled-back transaction |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder, postgresql_database() as postgresql:
        for name, url in [("SQLite", f"sqlite:///{folder}/bench.db"), ("PostgreSQL", postgresql)]:
            for tables in (1, 20):
                (fixture_before, test_before), (fixture_after, test_after) = measure(
                    url, tables, args.tests
                )
                print(
                    f"| {name} | {tables} | {fixture_before:.2f} | {fixture_after:.2f}"
                    f" | {test_before:.2f} | {test_after:.2f} |"
                )


if __name__ == "__main__":
    main()
