import os

import sqlalchemy as sa
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

settings_url = os.environ["DATABASE_URL"]
plain = create_engine(settings_url)  # expect: SW004
switched_off = create_engine(settings_url, pool_pre_ping=False)  # expect: SW004
qualified = sa.create_engine(settings_url, pool_size=5)  # expect: SW004
async_engine = create_async_engine("postgresql+asyncpg://db/app")  # expect: SW004
from_settings = create_engine(settings_url, pool_pre_ping=bool(os.environ.get("PING", "1")))
on = create_async_engine(settings_url, pool_pre_ping=True)
embedded = create_engine("sqlite:///./app.db")
migrations = create_engine(settings_url, poolclass=NullPool)
listed = create_engine(settings_url, **{"echo": True})  # expect: SW004
opaque = create_engine(settings_url, **os.environ.get_engine_options())
same_pool = create_engine(settings_url, pool=on.sync_engine.pool.recreate())
