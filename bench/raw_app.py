"""The practical limit: the example resource on a bare asyncpg pool, no ORM, same FastAPI.

Served by bench/serve.py as `raw_app:app`, with DATABASE_URL (postgresql://...) and
POOL_SIZE + MAX_OVERFLOW (the pool's maximum size, as in the generated service).
"""

import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel, Field
from serve import INSTRUMENTS

pool: asyncpg.Pool | None = None


class ItemCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    global pool
    url = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    size = int(os.environ.get("POOL_SIZE", "5")) + int(os.environ.get("MAX_OVERFLOW", "10"))
    pool = await asyncpg.create_pool(url, min_size=1, max_size=size)
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan)


@asynccontextmanager
async def connection() -> AsyncIterator[Any]:
    assert pool is not None
    async with pool.acquire() as conn:
        INSTRUMENTS.checkout()
        started = time.perf_counter()
        try:
            yield conn
        finally:
            INSTRUMENTS.checkin(time.perf_counter() - started)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, Any]:
    async with connection() as conn:
        row = await conn.fetchrow("SELECT id, name, description FROM items WHERE id = $1", item_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"item {item_id} not found")
    return dict(row)


@app.post("/items", status_code=status.HTTP_201_CREATED)
async def create_item(payload: ItemCreate) -> dict[str, Any]:
    try:
        async with connection() as conn:
            row = await conn.fetchrow(
                "INSERT INTO items (name, description) VALUES ($1, $2)"
                " RETURNING id, name, description",
                payload.name,
                payload.description,
            )
    except asyncpg.UniqueViolationError:
        raise HTTPException(status.HTTP_409_CONFLICT, "name taken") from None
    assert row is not None
    return dict(row)
