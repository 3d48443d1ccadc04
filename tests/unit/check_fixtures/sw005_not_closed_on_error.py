from fastapi import Depends, FastAPI
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("postgresql://db/app", pool_pre_ping=True)
SessionLocal = sessionmaker(engine)
async_engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)
AsyncLocal = async_sessionmaker(async_engine, expire_on_commit=False)
app = FastAPI()


def no_finally():
    db = SessionLocal()
    yield db  # expect: SW005
    db.close()


def except_only():
    db = SessionLocal()
    try:
        yield db  # expect: SW005
    except Exception:
        db.rollback()
        raise


async def async_without_with():
    session = AsyncLocal()
    yield session  # expect: SW005
    await session.close()


def closes_in_finally():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


def with_block():
    with SessionLocal() as db:
        yield db


def with_begin():
    with SessionLocal.begin() as db:
        yield db


@app.get("/x")
def x(
    a: Session = Depends(no_finally),
    b: Session = Depends(except_only),
    c: Session = Depends(closes_in_finally),
    d: Session = Depends(with_block),
    e: Session = Depends(async_without_with),
    f: Session = Depends(with_begin, scope="function"),
):
    return []
