from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session

router = APIRouter()
SessionDep = Annotated[AsyncSession, Depends(get_session)]


class Order:
    def __init__(self, total: int) -> None:
        self.total = total


@router.post("/reports")
async def report(session: SessionDep):
    summary = {"rows": (await session.execute(text("SELECT 1"))).scalar_one()}
    await session.commit()
    return summary


@router.get("/ready")
async def ready(session: SessionDep):
    await session.execute(text("SELECT 1"))
    await session.commit()
    return {"ready": True}


@router.post("/orders")
async def create(total: int, session: SessionDep):
    order = Order(total)
    session.add(order)
    await session.commit()
    await session.refresh(order)
    return order


@router.post("/orders/plain")
async def create_plain(total: int, session: SessionDep):
    order = Order(total)
    session.add(order)
    created = {"total": order.total}
    await session.commit()
    return created
