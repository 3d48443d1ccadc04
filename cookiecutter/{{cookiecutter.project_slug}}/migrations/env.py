{% set package_name = cookiecutter.package_name %}
{% set database = cookiecutter.database %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set connection_proxy = cookiecutter.connection_proxy %}
{% set behind_pgbouncer = connection_proxy == 'pgbouncer' %}
{% if behind_pgbouncer %}
{% set url = "settings.direct_url" %}
"""Alembic environment: migrates the service's database on the server itself
(DIRECT_URL), not through PgBouncer."""
{% else %}
{% set url = "settings.database_url" %}
"""Alembic environment: migrates the database the service uses (DATABASE_URL)."""
{% endif %}

{% if is_async %}
import asyncio
{% endif %}
from logging.config import fileConfig

from alembic import context
{% if is_async %}
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine
{% else %}
from sqlalchemy import create_engine, pool
{% endif %}

from {{ package_name }}.models import Base
from {{ package_name }}.settings import settings

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations_offline() -> None:
    """Print the SQL (alembic upgrade --sql) instead of running it."""
    context.configure(
        url={{ url }},
        target_metadata=Base.metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
{% if database == "sqlite" %}
        render_as_batch=True,
{% endif %}
    )
    with context.begin_transaction():
        context.run_migrations()


{% if is_async %}
def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
{% if database == "sqlite" %}
        render_as_batch=True,
{% endif %}
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    # NullPool: a migration run opens one connection and keeps none.
{% if behind_pgbouncer %}
    migration_engine = create_async_engine({{ url }}, poolclass=pool.NullPool)
{% else %}
    migration_engine = create_async_engine(
        {{ url }}, poolclass=pool.NullPool
    )
{% endif %}
    async with migration_engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await migration_engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
{% else %}
def run_migrations_online() -> None:
    # NullPool: a migration run opens one connection and keeps none.
    migration_engine = create_engine({{ url }}, poolclass=pool.NullPool)
    with migration_engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
{% if database == "sqlite" %}
            render_as_batch=True,
{% endif %}
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
{% endif %}
