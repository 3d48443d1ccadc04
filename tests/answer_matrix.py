"""The answers the template supports: every mode and driver, with both transaction policies."""

import pytest

MODE_DATABASE_DRIVER = [
    ("sync", "sqlite", "pysqlite"),
    ("async", "sqlite", "aiosqlite"),
    ("sync", "postgresql", "psycopg"),
    ("sync", "postgresql", "psycopg2"),
    ("async", "postgresql", "asyncpg"),
    ("async", "postgresql", "psycopg"),
    ("sync", "mysql", "pymysql"),
    ("sync", "mysql", "mysqlclient"),
    ("async", "mysql", "asyncmy"),
    ("async", "mysql", "aiomysql"),
]
POLICIES = ["explicit", "commit_on_success"]


def answers(mode: str, database: str, driver: str, policy: str = "explicit") -> dict[str, str]:
    return {
        "mode": mode,
        "database": database,
        "driver": driver,
        "transaction_policy": policy,
    }


def combo_id(answers: dict[str, str]) -> str:
    return f"{answers['mode']}-{answers['driver']}-{answers['transaction_policy']}"


ANSWER_MATRIX = [
    pytest.param(answers(*combo, policy), id=combo_id(answers(*combo, policy)))
    for combo in MODE_DATABASE_DRIVER
    for policy in POLICIES
]
