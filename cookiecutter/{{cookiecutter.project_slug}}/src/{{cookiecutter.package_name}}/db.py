{% set package_name = cookiecutter.package_name %}
{% set driver = cookiecutter.driver %}
{% set transaction_policy = cookiecutter.transaction_policy %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set connection_proxy = cookiecutter.connection_proxy %}
{% set behind_pgbouncer = connection_proxy == 'pgbouncer' %}
{% if is_async %}
from collections.abc import AsyncIterator
{% else %}
from collections.abc import Iterator
{% endif %}
from typing import Annotated
{% if behind_pgbouncer and driver == "asyncpg" %}
from uuid import uuid4
{% endif %}

from fastapi import Depends{{ ", HTTPException, status" if transaction_policy == "commit_on_success" }}
{% if not is_async %}
from sqlalchemy import create_engine
{% endif %}
{% if transaction_policy == "commit_on_success" %}
from sqlalchemy.exc import IntegrityError
{% endif %}
{% if is_async %}
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool
{% else %}
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool
{% endif %}

from {{ package_name }} import leaks, metrics
{% if is_async %}
from {{ package_name }}.session_places import session_place
{% endif %}
from {{ package_name }}.settings import settings

# One engine, and so one connection pool, for the whole process.
{% if behind_pgbouncer and driver == "psycopg2" %}
# psycopg2 never prepares statements on the server: it works behind PgBouncer's
# transaction mode as it is.
{% endif %}
engine = create_{{ "async_" if is_async }}engine(
    settings.database_url,
    pool_size=settings.pool_size,
    max_overflow=settings.max_overflow,
    pool_timeout=settings.pool_timeout,
    pool_recycle=settings.pool_recycle,
    pool_pre_ping=settings.pool_pre_ping,
{% if is_async %}
    poolclass=(
        metrics.MeasuredPool if settings.metrics_enabled else AsyncAdaptedQueuePool
    ),
{% else %}
    poolclass=metrics.MeasuredPool if settings.metrics_enabled else QueuePool,
{% endif %}
{% if behind_pgbouncer and driver == "asyncpg" %}
    # PgBouncer's transaction mode runs each transaction on whichever server connection
    # is free: asyncpg must not reuse a prepared statement in a later transaction, nor
    # reuse a statement name (SQLAlchemy's asyncpg docs, "Prepared Statement Name with
    # PGBouncer").
    connect_args={
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": lambda: f"__asyncpg_{uuid4()}__",
    },
{% elif behind_pgbouncer and driver == "psycopg" %}
    # PgBouncer's transaction mode runs each transaction on whichever server connection
    # is free: psycopg must not prepare statements on the server (it does for a query
    # run 5 times on a connection, by default).
    connect_args={"prepare_threshold": None},
{% endif %}
)
if settings.metrics_enabled:
    metrics.watch(engine{{ ".sync_engine" if is_async }})
if settings.leak_detection_threshold:
    leaks.watch(engine{{ ".sync_engine" if is_async }})
{% if is_async %}
# expire_on_commit=False: an object stays readable after a commit, so returning it needs
# no new query (which async code could not make implicitly: MissingGreenlet).
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
{% else %}
# expire_on_commit=False: an object stays readable after a commit, so returning it needs
# no new query for each attribute.
SessionLocal = sessionmaker(engine, autoflush=False, expire_on_commit=False)
{% endif %}


{% if transaction_policy == "explicit" %}
{% set get_session_promise = "One session per request, closed (its connection returned) in every case." %}
{% else %}
{% set get_session_promise = "One transaction per request: committed if the endpoint returns, else undone." %}
{% endif %}
{% if is_async %}
async def get_session() -> AsyncIterator[AsyncSession]:
    """{{ get_session_promise }}"""
    async with SessionLocal() as session, session_place():
        yield session
{% if transaction_policy == "commit_on_success" %}
        try:
            await session.commit()
        except IntegrityError as error:
            raise conflict_at_commit() from error
{% endif %}
{% else %}
def get_session() -> Iterator[Session]:
    """{{ get_session_promise }}"""
    with SessionLocal() as session:
        yield session
{% if transaction_policy == "commit_on_success" %}
        try:
            session.commit()
        except IntegrityError as error:
            raise conflict_at_commit() from error
{% endif %}
{% endif %}
{% if transaction_policy == "commit_on_success" %}


def conflict_at_commit() -> HTTPException:
    # A constraint checked only at COMMIT (a deferred one, or a row the endpoint did
    # not flush): the client's change conflicts with stored data, and nothing is kept.
    # Closing the session rolls the transaction back.
    return HTTPException(
        status.HTTP_409_CONFLICT,
        "the change conflicts with data already stored; nothing was saved",
    )
{% endif %}


{% if transaction_policy == "explicit" %}
# scope="function" runs the code after `yield` as soon as the endpoint returns, before
# the response is sent, so the connection goes back to the pool sooner.
{% else %}
# scope="function" runs the code after `yield` (the commit) as soon as the endpoint
# returns, before the response is sent: a failed commit reaches the client as an error,
# never as a success, and the connection goes back to the pool sooner.
{% endif %}
{% if is_async %}
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
{% else %}
# Sync endpoints, and the validation of what they return, run on AnyIO's 40 worker
# threads. max_concurrency keeps requests that hold a session to that many: more could
# fill every thread with requests waiting for a pooled connection while the requests
# holding the connections wait for a thread to finish on (a stall until pool_timeout).
# The others wait for their turn without a thread.
SessionDep = Annotated[
    Session, Depends(get_session, max_concurrency=40, scope="function")
]
{% endif %}
