import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from sqlalchemy import create_engine, text
from sqlalchemy.ext.asyncio import create_async_engine

from app.setup import create_tables, make_engine

engine = make_engine()


@asynccontextmanager
async def lifespan(app: FastAPI):
    create_tables()
    app.state.engine = create_async_engine(os.environ["ASYNC_URL"])  # expect: SW004
    yield
    await app.state.engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/admin/reindex")
def reindex():
    # A rare admin endpoint: its own engine, used once and given back.
    maintenance = create_engine(os.environ["DATABASE_URL"])
    with maintenance.begin() as connection:
        connection.execute(text("REINDEX DATABASE app"))
    maintenance.dispose()
    return {"ok": True}


@app.middleware("http")
async def audit(request: Request, call_next):
    audit_engine = create_engine(os.environ["AUDIT_URL"], pool_pre_ping=True)  # expect: SW002
    with audit_engine.begin() as connection:
        connection.execute(text("INSERT INTO audit DEFAULT VALUES"))
    audit_engine.dispose()
    return await call_next(request)
