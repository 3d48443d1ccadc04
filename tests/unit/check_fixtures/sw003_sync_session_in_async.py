from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("postgresql://db/app", pool_pre_ping=True)
SessionLocal = sessionmaker(engine)
app = FastAPI()


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


@app.get("/a")
async def default_style(db: Session = Depends(get_db)):  # expect: SW003
    return db.get(dict, 1)


@app.get("/b")
async def annotated_inline(db: Annotated[Session, Depends(get_db)]):  # expect: SW003
    return []


@app.get("/c")
async def through_alias(db: SessionDep):  # expect: SW003
    return []


@app.get("/d")
async def untyped(db=Depends(get_db)):  # expect: SW003
    return []


@app.get("/e")
async def opens_its_own():
    with SessionLocal() as db:  # expect: SW003
        return db.get(dict, 1)


@app.get("/f")
def sync_endpoint_is_fine(db: SessionDep):
    return []


@app.get("/g")
async def async_session_is_fine(db: Annotated[AsyncSession, Depends(get_db)]):
    return []
