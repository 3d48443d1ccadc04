from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from app.builder import database
from app.deps import ReaderDep, SessionDep, TransactionDep

router = APIRouter()


@router.post("/orders")
async def create_order(session: SessionDep, transaction: TransactionDep, reader: ReaderDep):
    return {}


@router.post("/legacy")
def legacy(db: Session = Depends(database.get_db, scope="function")):
    return {}
