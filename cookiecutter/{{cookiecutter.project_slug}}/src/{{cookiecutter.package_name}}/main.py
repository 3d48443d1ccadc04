{% set project_name = cookiecutter.project_name %}
{% set package_name = cookiecutter.package_name %}
{% set description = cookiecutter.description %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
{% set connection_proxy = cookiecutter.connection_proxy %}
{% set behind_pgbouncer = connection_proxy == 'pgbouncer' %}
{% set database = cookiecutter.database %}
{% set has_server = database != 'sqlite' %}
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from {{ package_name }} import health, items, metrics
{% if has_server %}
from {{ package_name }}.budget import check_connection_budget
{% endif %}
from {{ package_name }}.db import engine
from {{ package_name }}.leaks import RequestNames
from {{ package_name }}.settings import settings
{% if has_server %}
from {{ package_name }}.startup import wait_for_database
{% endif %}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
{% if has_server %}
    {{ "await " if is_async }}wait_for_database()
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


class ValidationErrorResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        # The errors echo the input, which may hold an unpaired surrogate (valid in
        # JSON, not in UTF-8): written as a JSON \u escape instead of failing (a 500).
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8", "backslashreplace")


@app.exception_handler(RequestValidationError)
async def invalid_request(request: Request, error: RequestValidationError) -> Response:
    """FastAPI's 422 with what is wrong, whatever characters the input held."""
    return ValidationErrorResponse(
        {"detail": jsonable_encoder(error.errors())},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, error: StarletteHTTPException) -> Response:
    """FastAPI's handler, with a 405 whose Allow lists every method the path has (the
    router lists only those of the first route whose path matched)."""
    if error.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        allowed = [
            method
            for method in HTTP_METHODS
            if any(
                route.matches({**request.scope, "method": method})[0] is Match.FULL
                for route in request.app.router.routes
            )
        ]
        headers = {"Allow": ", ".join(allowed)}
        error = StarletteHTTPException(error.status_code, headers=headers)
    return await http_exception_handler(request, error)
