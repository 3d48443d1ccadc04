from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session
from app.repository import OrderRepository

router = APIRouter()
SessionDep = Annotated[AsyncSession, Depends(get_session)]


@router.post("/orders")
async def create_order(total: int, session: SessionDep):
    return await OrderRepository(session).create(total)
