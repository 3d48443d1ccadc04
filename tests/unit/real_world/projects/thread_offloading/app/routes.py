import asyncio
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, WebSocket
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from app import crud
from app.cache import cached
from app.db import SessionLocal, db_session, get_db

router = APIRouter()
SessionDep = Annotated[Session, Depends(get_db)]


@router.get("/a")
async def offloaded(db: SessionDep):
    return await run_in_threadpool(crud.list_items, db)


@router.get("/b")
async def through_anyio(db: SessionDep):
    return await anyio.to_thread.run_sync(lambda: crud.list_items(db))


@router.get("/c")
async def through_asyncio(db: SessionDep):
    return await asyncio.to_thread(crud.list_items, db)


@router.get("/d")
async def through_a_cache(db: SessionDep):
    return await cached("items", crud.list_items, db)


@router.get("/e")
async def on_the_loop(db: SessionDep):  # expect: SW003
    return crud.list_items(db)


@router.get("/f")
async def opens_one():
    with db_session() as db:  # expect: SW003
        return crud.list_items(db)


@router.get("/g")
async def opens_one_in_a_thread():
    def work():
        with SessionLocal() as db:
            return crud.list_items(db)

    return await run_in_threadpool(work)


@router.websocket("/ws")
async def feed(websocket: WebSocket):
    db = SessionLocal()  # expect: SW003
    try:
        await websocket.send_json(crud.list_items(db))
    finally:
        db.close()
