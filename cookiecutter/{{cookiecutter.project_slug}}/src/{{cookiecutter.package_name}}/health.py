{% set package_name = cookiecutter.package_name %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
from typing import cast

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool

from {{ package_name }}.db import engine
from {{ package_name }}.responses import DATABASE_UNAVAILABLE

router = APIRouter(tags=["health"])


class PoolState(BaseModel):
    """This worker process's pool (each worker has its own)."""

    size: int  # connections the pool keeps open (pool_size)
    checked_out: int  # connections requests hold now
    overflow: int  # connections open beyond size now (at most max_overflow)


class Readiness(BaseModel):
    status: str
    pool: PoolState


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process answers. Never touches the database."""
    return {"status": "ok"}


@router.get("/ready", responses=DATABASE_UNAVAILABLE)
{{ "async " if is_async }}def ready() -> Readiness:
    """Readiness: a pooled connection answers SELECT 1. Reports the pool's state."""
    try:
        {{ "async " if is_async }}with engine.connect() as connection:
            {{ "await " if is_async }}connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "database unavailable"
        ) from error
    # create_{{ "async_" if is_async }}engine gives db.py's engine a queue pool{{ " (its asyncio subclass)" if is_async }}.
    pool = cast(QueuePool, engine.pool)
    return Readiness(
        status="ready",
        pool=PoolState(
            size=pool.size(),
            checked_out=pool.checkedout(),
            overflow=max(pool.overflow(), 0),
        ),
    )
