"""Named answer sets for `sessionwise new --preset`."""

PRESETS: dict[str, dict[str, str]] = {
    "sqlite-sync": {"mode": "sync", "database": "sqlite", "driver": "pysqlite"},
    "sqlite-async": {"mode": "async", "database": "sqlite", "driver": "aiosqlite"},
    "postgres-sync": {"mode": "sync", "database": "postgresql", "driver": "psycopg"},
    "postgres-async": {"mode": "async", "database": "postgresql", "driver": "asyncpg"},
    "mysql-sync": {"mode": "sync", "database": "mysql", "driver": "pymysql"},
    "mysql-async": {"mode": "async", "database": "mysql", "driver": "asyncmy"},
}
