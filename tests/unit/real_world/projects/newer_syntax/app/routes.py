from fastapi import APIRouter

from app.db import SessionDep

router = APIRouter()


@router.get("/items")
async def items(db: SessionDep):  # expect: SW003
    try:
        return db.execute("SELECT 1").all()
    except* ValueError:
        return []
