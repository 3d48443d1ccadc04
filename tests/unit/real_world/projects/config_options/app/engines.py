import os

from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine

from app import config
from app.config import settings


def build_engine(url: str):
    options = {
        "pool_size": config.POOL_SIZE,
        "pool_pre_ping": config.POOL_PING,
    }
    return create_engine(url, **options)  # expect: SW004


def pool_options() -> dict[str, Any]:
    return {"pool_size": config.POOL_SIZE, "pool_pre_ping": True}


def options_from(source: dict[str, Any]) -> dict[str, Any]:
    return dict(source)


engine = build_engine(config.DATABASE_URL)
replica = create_engine(config.DATABASE_URL, **pool_options())
reporting = create_engine(config.DATABASE_URL, pool_pre_ping=config.REPLICA_PING)
main = create_async_engine(settings.database_url, pool_pre_ping=settings.pool_pre_ping)
audit = create_async_engine(settings.database_url, pool_pre_ping=settings.audit_pre_ping)  # expect: SW004
external = create_engine(config.DATABASE_URL, **options_from(os.environ))
