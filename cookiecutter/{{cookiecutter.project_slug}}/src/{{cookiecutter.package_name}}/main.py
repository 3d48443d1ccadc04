{% set project_name = cookiecutter.project_name %}
{% set package_name = cookiecutter.package_name %}
{% set description = cookiecutter.description %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set connection_proxy = cookiecutter.connection_proxy %}
{% set behind_pgbouncer = connection_proxy == 'pgbouncer' %}
{% set database = cookiecutter.database %}
{% set has_server = database != 'sqlite' %}
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from {{ package_name }} import health, items, metrics
{% if has_server %}
from {{ package_name }}.budget import check_connection_budget
{% endif %}
from {{ package_name }}.db import engine
from {{ package_name }}.leaks import RequestNames
from {{ package_name }}.settings import settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
{% if has_server %}
    {{ "await " if is_async and not behind_pgbouncer }}check_connection_budget()
{% endif %}
    metrics.worker_started()
    yield
    {{ "await " if is_async }}engine.dispose()
    metrics.worker_stopped()


app = FastAPI(
    title={{ project_name | tojson }},
    description={{ description | tojson }},
    lifespan=lifespan,
)
app.include_router(health.router)
app.include_router(items.router)
if settings.metrics_enabled:
    app.include_router(metrics.router)
if settings.leak_detection_threshold:
    app.add_middleware(RequestNames)


@app.exception_handler(PoolTimeoutError)
async def pool_exhausted(request: Request, error: PoolTimeoutError) -> JSONResponse:
    """No connection came free within pool_timeout: a clear 503 the client can retry."""
    return JSONResponse(
        {"detail": "all database connections are busy, retry shortly"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "1"},
    )
