"""The answers the template supports: every mode and driver, with both transaction policies,
and each PostgreSQL driver behind PgBouncer."""

import pytest

from sessionwise.template.drivers import drivers

MODE_DATABASE_DRIVER = [(driver.mode, driver.database, driver.name) for driver in drivers()]
POLICIES = ["explicit", "commit_on_success"]
# connection_proxy=pgbouncer changes only what the driver is told, so each PostgreSQL driver
# is rendered behind PgBouncer once, the two policies shared out between them.
PGBOUNCER_RENDERS = [
    ("sync", "postgresql", "psycopg", "explicit"),
    ("sync", "postgresql", "psycopg2", "commit_on_success"),
    ("async", "postgresql", "asyncpg", "commit_on_success"),
    ("async", "postgresql", "psycopg", "explicit"),
]


def answers(
    mode: str, database: str, driver: str, policy: str = "explicit", proxy: str = "none"
) -> dict[str, str]:
    return {
        "mode": mode,
        "database": database,
        "driver": driver,
        "transaction_policy": policy,
        "connection_proxy": proxy,
    }


def combo_id(answers: dict[str, str]) -> str:
    proxy = "-pgbouncer" if answers["connection_proxy"] == "pgbouncer" else ""
    return f"{answers['mode']}-{answers['driver']}-{answers['transaction_policy']}{proxy}"


MATRIX_ANSWERS = [
    answers(*combo, policy) for combo in MODE_DATABASE_DRIVER for policy in POLICIES
] + [answers(*render, proxy="pgbouncer") for render in PGBOUNCER_RENDERS]
ANSWER_MATRIX = [pytest.param(a, id=combo_id(a)) for a in MATRIX_ANSWERS]
