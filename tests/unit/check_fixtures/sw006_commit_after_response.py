from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("postgresql://db/app", pool_pre_ping=True)
SessionLocal = sessionmaker(engine)
async_engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)
AsyncLocal = async_sessionmaker(async_engine, expire_on_commit=False)
app = FastAPI()


def commit_on_success():
    db = SessionLocal()
    try:
        yield db
        db.commit()  # expect: SW006
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()


async def begin_block():
    async with AsyncLocal() as session, session.begin():  # expect: SW006
        yield session


def committed_in_time():
    db = SessionLocal()
    try:
        yield db
        db.commit()
    finally:
        db.close()


def only_closes():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


Early = Annotated[Session, Depends(committed_in_time, scope="function")]


@app.post("/a")
def a(db: Session = Depends(commit_on_success), late: Early = None, c=Depends(only_closes)):
    return {}


@app.post("/b")
async def b(session: Annotated[AsyncSession, Depends(begin_block)]):
    return {}
