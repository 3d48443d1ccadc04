import os

from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool, QueuePool

SQLITE_URL = "sqlite:///./app.db"
DATABASE_URL = os.environ.get("DATABASE_URL", SQLITE_URL)
TESTING = os.environ.get("TESTING") == "1"

local = create_engine(SQLITE_URL, connect_args={"check_same_thread": False})
file_db = create_async_engine(f"sqlite+aiosqlite:///{os.getcwd()}/app.db")
threaded = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})

if "sqlite" in DATABASE_URL:
    engine = create_engine(DATABASE_URL)
elif DATABASE_URL.startswith("postgresql"):
    engine = create_engine(DATABASE_URL, pool_pre_ping=True)
else:
    engine = create_engine(DATABASE_URL, pool_pre_ping=True)  # expect: SW004

migrations = create_engine(DATABASE_URL, poolclass=NullPool)
workers = create_async_engine(  # expect: SW004
    os.environ["ASYNC_DATABASE_URL"],
    poolclass=NullPool if TESTING else QueuePool,
    pool_pre_ping=True,
)
