from fastapi import APIRouter, Depends
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import get_session

router = APIRouter()


class Hero:
    name: str


@router.get("/heroes")
async def list_heroes(session: AsyncSession = Depends(get_session)):
    return (await session.exec(select(Hero))).all()


@router.post("/heroes")
async def create_hero(name: str, session: AsyncSession = Depends(get_session)):
    hero = Hero()
    hero.name = name
    session.add(hero)
    await session.commit()
    return hero
