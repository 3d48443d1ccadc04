{% set package_name = cookiecutter.package_name %}
{% set mode = cookiecutter.mode %}
{% set is_async = mode == 'async' %}
from fastapi import APIRouter, HTTPException, status
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from {{ package_name }}.db import engine

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process answers. Never touches the database."""
    return {"status": "ok"}


@router.get("/ready")
{{ "async " if is_async }}def ready() -> dict[str, str]:
    """Readiness: a pooled connection answers SELECT 1."""
    try:
        {{ "async " if is_async }}with engine.connect() as connection:
            {{ "await " if is_async }}connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "database unavailable"
        ) from error
    return {"status": "ready"}
