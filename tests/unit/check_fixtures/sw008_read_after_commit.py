from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

engine = create_async_engine("postgresql+asyncpg://db/app", pool_pre_ping=True)
Expiring = async_sessionmaker(engine)  # expect: SW008
Kept = async_sessionmaker(engine, expire_on_commit=False)
app = FastAPI()


async def get_session():
    async with Expiring() as session:
        yield session


async def get_kept_session():
    async with Kept() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
KeptDep = Annotated[AsyncSession, Depends(get_kept_session)]


class Item:
    def __init__(self, name: str) -> None:
        self.name = name


@app.post("/items")
async def create(name: str, session: SessionDep):
    item = Item(name)
    session.add(item)
    await session.commit()
    return item  # serialised after the commit: a lazy load per attribute


@app.post("/refreshed")
async def create_refreshed(name: str, session: SessionDep):
    item = Item(name)
    session.add(item)
    await session.commit()
    await session.refresh(item)
    return item


@app.post("/kept")
async def create_kept(name: str, session: KeptDep):
    item = Item(name)
    session.add(item)
    await session.commit()
    return {"name": item.name}
